"""Expressions, types and references printed by `regdsl fmt`: on one line, or broken over
several when longer than the width."""

from __future__ import annotations

import re

from ...syntax import nodes as n
from ...model.references import describe_ref
from .source import (_AFTER_IS, _ATOM, _CHAINS, _CMP, _IF, _LEVELS, _NOT, _NUMLIST_END,
                     _STMT_WORDS, _SUM, _TIME, _UNARY, STEP, WIDTH, _line, _parens, _prefixed, _Source, _Sub, quote)


class Expressions:
    """The expression printer; `Formatter` builds on it."""

    def __init__(self, src: _Source):
        self.src = src
        self._memo: dict[int, tuple[str, int]] = {}  # id(expression) -> _e(expression)

    def cell(self, c: n.Cell) -> str:
        if c.value is None:
            return "none"
        if c.high is not None:
            return f"{self.expr(c.value)} to {self.expr(c.high)}"
        return self.expr(c.value)

    def type_(self, t) -> str:
        if isinstance(t, n.SimpleType):
            return t.name
        if isinstance(t, n.PerType):
            return f"{t.num} per {t.den}"
        if isinstance(t, n.EnumType):
            return "one of " + ", ".join(t.members)
        if isinstance(t, n.RangeType):
            return "range of " + self.type_(t.inner)
        if isinstance(t, n.ListType):
            return "list of " + self.type_(t.inner)
        raise TypeError(f"cannot format type {type(t).__name__}")

    # ------------------------------------------------------------------ references

    def ref(self, r: n.Ref) -> str:
        return describe_ref(r)

    # ------------------------------------------------------------------ expressions

    def expr(self, e, statement: bool = False) -> str:
        """An expression on one line; at the start of a statement it must not begin with a
        statement word (`fact`, `item`, ...), so it is then kept in parentheses."""
        text = self._e(e)[0]
        if statement and self._starts_with_statement_word(text):
            text = f"({text})"
        return text

    @staticmethod
    def _starts_with_statement_word(text: str) -> bool:
        word = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text)
        return word is not None and word.group() in _STMT_WORDS

    def _need(self, e, level: int) -> str:
        """`e` on one line, in parentheses when it binds more loosely than `level`."""
        text, own = self._e(e)
        return text if own >= level else f"({text})"

    def _chain(self, e: n.Binary) -> tuple[list[str | None], list, list[int]]:
        """A left-leaning chain of operators of one precedence: operators, operands and the
        precedence each operand must have (99: parentheses whatever it is)."""
        ops = _CHAINS[e.op]
        level = _LEVELS[e.op]
        rights = []
        x: n.Expr = e
        while isinstance(x, n.Binary) and x.op in ops:
            rights.append((x.op, x.right))
            x = x.left
        rights.reverse()
        items = [x] + [r for _, r in rights]
        signs: list[str | None] = [None] + [op for op, _ in rights]
        needs = [level] + [level + 1] * len(rights)
        if "and" in ops:
            texts = [self._need(x, nd) for x, nd in zip(items, needs)]
            for i in range(1, len(texts)):
                if texts[i][:1].isdigit() and _NUMLIST_END.search(texts[i - 1]):
                    needs[i - 1] = 99
                    texts[i - 1] = f"({texts[i - 1]})"
        return signs, items, needs

    def _e(self, e) -> tuple[str, int]:
        """`e` on one line with the fewest parentheses, and the precedence it binds with."""
        got = self._memo.get(id(e))
        if got is None:
            got = self._memo[id(e)] = self._e1(e)
        return got

    def _e1(self, e) -> tuple[str, int]:
        if isinstance(e, n.Number):
            return e.value, _ATOM
        if isinstance(e, n.Quantity):
            per = f" per {e.per}" if e.per is not None else ""
            return f"{e.value} {e.unit}{per}", _ATOM
        if isinstance(e, n.String):
            return quote(e.value), _ATOM
        if isinstance(e, n.DateLit):
            return e.value.isoformat(), _ATOM
        if isinstance(e, n.TimeLit):
            return self.time(e), _ATOM
        if isinstance(e, n.Bool):
            return ("true" if e.value else "false"), _ATOM
        if isinstance(e, n.Name):
            return e.name, _ATOM
        if isinstance(e, n.Qualified):
            return f"{e.name} of {self.ref(e.ref)}", _ATOM
        if isinstance(e, n.Call):
            return f"{e.func}(" + ", ".join(self._need(a, _IF) for a in e.args) + ")", _ATOM
        if isinstance(e, n.AnyOf):
            return f"any of {self.ref(e.ref)}", _ATOM
        if isinstance(e, n.AllOf):
            return f"all of {self.ref(e.ref)}", _ATOM
        if isinstance(e, n.Lookup):
            return f"{self._lookup_head(e)}{self._need(e.key, _UNARY)}", _ATOM
        if isinstance(e, n.Neg):
            operand = self._need(e.expr, _UNARY)
            return ("- " if operand.startswith("-") else "-") + operand, _UNARY
        if isinstance(e, n.Not):
            return "not " + self._need(e.expr, _NOT), _NOT
        if isinstance(e, n.Binary):
            signs, items, needs = self._chain(e)
            text = "".join((f" {sign} " if sign else "") + self._need(x, nd)
                           for sign, x, nd in zip(signs, items, needs))
            return text, _LEVELS[e.op]
        if isinstance(e, n.Compare):
            return f"{self._need(e.left, _SUM)} {self._word(e)} {self._right(e)}", _CMP
        if isinstance(e, n.OneOf):
            return f"{self._need(e.expr, _SUM)} {self._one_of(e)}({', '.join(e.names)})", _CMP
        if isinstance(e, n.IfExpr):
            return (f"if {self._need(e.cond, _IF)} then {self._need(e.then, _IF)} "
                    f"else {self._need(e.else_, _IF)}"), _IF
        raise TypeError(f"cannot format expression {type(e).__name__}")

    @staticmethod
    def _word(e: n.Compare) -> str:
        return e.word or {"is": "is", "isnot": "is not"}.get(e.op, e.op)

    def _right_need(self, e: n.Compare) -> int:
        if self._word(e) in ("is", "is not") and _AFTER_IS.match(self._need(e.right, _SUM)):
            return 99
        return _SUM

    def _right(self, e: n.Compare) -> str:
        return self._need(e.right, self._right_need(e))

    @staticmethod
    def _one_of(e: n.OneOf) -> str:
        return "is not one of " if e.negated else "is one of "

    @staticmethod
    def _lookup_head(e: n.Lookup) -> str:
        return f"lookup {e.column} in {e.table} for "

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
