"""Expressions as `regdsl fmt` prints them: on one line by `syntax.printer`, or broken over
several when longer than the width."""

from __future__ import annotations

import re

from ...syntax import nodes as n
from ...syntax.printer import IF as _IF, NOT as _NOT, SUM as _SUM, UNARY as _UNARY, Printer
from .source import _STMT_WORDS, _TIME, STEP, WIDTH, _line, _parens, _prefixed, _Source, _Sub


class Expressions(Printer):
    """The one-line printer of `syntax.printer`, with times spelled as written and long
    expressions broken over lines; `Formatter` builds on it."""

    def __init__(self, src: _Source):
        super().__init__()
        self.src = src

    def cell(self, c: n.Cell) -> str:
        """A table cell: a value, a range `a to b`, or `none`."""
        if c.value is None:
            return "none"
        if c.high is not None:
            return f"{self.expr(c.value)} to {self.expr(c.high)}"
        return self.expr(c.value)

    def expr(self, e, statement: bool = False) -> str:
        """An expression on one line; at the start of a statement it must not begin with a
        statement word (`fact`, `item`, ...), so it is then kept in parentheses."""
        text = super().expr(e)
        if statement and self._starts_with_statement_word(text):
            text = f"({text})"
        return text

    @staticmethod
    def _starts_with_statement_word(text: str) -> bool:
        word = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text)
        return word is not None and word.group() in _STMT_WORDS

    def time(self, e: n.TimeLit) -> str:
        """A time of day as written (`8:30` or `08:30`), else H:MM."""
        got = self.src.slice(e.span)
        if got is not None and _TIME.match(got[0]):
            h, m = (int(x) for x in got[0].split(":"))
            if (h, m) == (e.value.hour, e.value.minute):
                return got[0]
        return f"{e.value.hour}:{e.value.minute:02d}"

    # ------------------------------------------------------------------ long expressions

    def layout(self, e, prefix: str, col: int, anchor: int | None,
               statement: bool = False) -> list[_Sub]:
        """`prefix + e` at column `col`, broken over lines when longer than the width.

        An `and` / `or` chain at the top is broken onto continuation lines one level
        deeper, each starting with its operator; anything else breaks inside
        parentheses (its own, or a pair added for the purpose), with the lines
        aligned after the `(`.
        """
        flat = self.expr(e, statement)
        start = col + len(prefix)
        if start + len(flat) <= WIDTH:
            return [_Sub(col, prefix + flat, anchor)]
        if statement and flat != self._e(e)[0]:
            lines = self._lay(e, start, 99, False)
        elif isinstance(e, n.Binary) and e.op in ("and", "or"):
            return self._top_chain(e, prefix, col, anchor, col + len(STEP))
        else:
            lines = self._lay(e, start, _IF, False)
        out = [_Sub(col, prefix + lines[0].text, anchor)]
        return out + lines[1:]

    def _top_chain(self, e: n.Binary, prefix: str, col: int, anchor, cont: int) -> list[_Sub]:
        signs, items, needs = self._chain(e)
        out: list[_Sub] = []
        for i, (sign, x, nd) in enumerate(zip(signs, items, needs)):
            lead, at, where = (prefix, anchor, col) if sign is None else (f"{sign} ", _line(x), cont)
            shown = self._need(x, nd)
            nested = (e.op == "or" and isinstance(x, n.Binary) and x.op == "and"
                      and not shown.startswith("("))
            if nested and where + len(lead) + len(shown) > WIDTH:
                out += self._top_chain(x, lead, where, at, cont + len(STEP))
                continue
            lines = self._lay(x, where + len(lead), nd, False)
            out.append(_Sub(where, lead + lines[0].text, at))
            out += lines[1:]
        return out

    def _lay(self, e, col: int, need: int, free: bool) -> list[_Sub]:
        """`e` (in parentheses if it binds more loosely than `need`) starting at column `col`.

        `free`: the text is inside parentheses, so it may break anywhere.  The first
        line's column is where the caller placed it; later lines carry their own.
        """
        flat = self._need(e, need)
        if col + len(flat) <= WIDTH:
            return [_Sub(col, flat, _line(e))]
        own = self._e(e)[1]
        if own < need:
            return _parens(self._lay(e, col + 1, own, True))
        if isinstance(e, n.Call):
            return self._lay_call(e, col)
        if isinstance(e, n.OneOf):
            return self._lay_one_of(e, col, free)
        if isinstance(e, n.Not):
            return _prefixed("not ", self._lay(e.expr, col + 4, _NOT, free))
        if isinstance(e, n.Neg):
            sign = "- " if self._need(e.expr, _UNARY).startswith("-") else "-"
            return _prefixed(sign, self._lay(e.expr, col + len(sign), _UNARY, free))
        if isinstance(e, n.Lookup):
            head = self._lookup_head(e)
            return _prefixed(head, self._lay(e.key, col + len(head), _UNARY, free))
        if isinstance(e, n.Compare):
            return self._lay_compare(e, col, free)
        if not isinstance(e, (n.Binary, n.IfExpr)):
            return [_Sub(col, flat, _line(e))]
        if not free:
            return _parens(self._lay(e, col + 1, own, True))
        if isinstance(e, n.Binary):
            signs, items, needs = self._chain(e)
            out: list[_Sub] = []
            for op, x, nd in zip(signs, items, needs):
                if op is None:
                    out += self._lay(x, col, nd, True)
                else:
                    lines = self._lay(x, col + len(op) + 1, nd, True)
                    out.append(_Sub(col, f"{op} {lines[0].text}", _line(x)))
                    out += lines[1:]
            return out
        # if / then / else
        out = _prefixed("if ", self._lay(e.cond, col + 3, _IF, True))
        for word, x in (("then", e.then), ("else", e.else_)):
            lines = self._lay(x, col + len(word) + 1, _IF, True)
            out.append(_Sub(col, f"{word} {lines[0].text}", _line(x)))
            out += lines[1:]
        return out

    def _lay_compare(self, e: n.Compare, col: int, free: bool) -> list[_Sub]:
        """`(a\n + b) exceeds c`: a broken side stays in parentheses; else break before the word."""
        word, rneed = self._word(e), self._right_need(e)
        left = self._lay(e.left, col, _SUM, free)
        if len(left) > 1 and free and isinstance(e.left, (n.Binary, n.IfExpr)):
            left = _parens(self._lay(e.left, col + 1, self._e(e.left)[1], True))
        last = left[-1]
        at = last.col + len(last.text) + len(word) + 2
        right = self._lay(e.right, at, rneed, free)
        if len(left) > 1 or at + len(right[0].text) <= WIDTH:
            joined = _Sub(last.col, f"{last.text} {word} {right[0].text}", last.anchor)
            return left[:-1] + [joined] + right[1:]
        if not free:
            return _parens(self._lay_compare(e, col + 1, True))
        right = self._lay(e.right, col + len(word) + 1, rneed, True)
        return left + [_Sub(col, f"{word} {right[0].text}", _line(e.right))] + right[1:]

    def _lay_call(self, e: n.Call, col: int) -> list[_Sub]:
        """`f(a,` with each further argument on its own line, aligned after the `(`."""
        inner = col + len(e.func) + 1
        out: list[_Sub] = []
        for i, a in enumerate(e.args):
            lines = self._lay(a, inner, _IF, True)
            lines[-1] = _Sub(lines[-1].col, lines[-1].text + ("," if i + 1 < len(e.args) else ""),
                             lines[-1].anchor)
            if i == 0:
                lines[0] = _Sub(col, f"{e.func}({lines[0].text}", _line(e))
            out += lines
        if not out:
            return [_Sub(col, f"{e.func}()", _line(e))]
        out[-1] = _Sub(out[-1].col, out[-1].text + ")", out[-1].anchor)
        return out

    def _lay_one_of(self, e: n.OneOf, col: int, free: bool) -> list[_Sub]:
        """`x is one of (a, b,` with the names filling lines aligned after the `(`."""
        out = self._lay(e.expr, col, _SUM, free)
        last = out.pop()
        head = f"{last.text} {self._one_of(e)}("
        start = last.col + len(head)
        if free and start + len(e.names[0]) + 2 > WIDTH:
            out.append(last)
            last = _Sub(col, "", None)
            head = f"{self._one_of(e)}("
            start = col + len(head)
        line = _Sub(last.col, head, last.anchor)
        for i, name in enumerate(e.names):
            piece = name + ("," if i + 1 < len(e.names) else ")")
            if not line.text.endswith("(") and line.col + len(line.text) + 1 + len(piece) > WIDTH:
                out.append(line)
                line = _Sub(start, piece, None)
            else:
                sep = "" if line.text.endswith("(") or not line.text else " "
                line = _Sub(line.col, line.text + sep + piece, line.anchor)
        out.append(line)
        return out
