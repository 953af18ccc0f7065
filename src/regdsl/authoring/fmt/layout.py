"""`regdsl fmt`'s layout of statements and blocks (the rules are in the package's docstring)."""

from __future__ import annotations

from collections import defaultdict

from ...syntax import nodes as n
from ...syntax.parser import parse
from ...syntax.transformer import unquote
from .comments import place_comments
from .exprs import Expressions
from .source import (_BLOCK_OWNERS, _DECLS, _IDENT, _READING_WORDS, STEP, WIDTH, _children, _col, _line, _Source,
                     _Sub, _wrap, quote)


class Formatter(Expressions):
    """Prints one module in the canonical layout, with its comments."""

    def __init__(self, module: n.Module, source: str):
        super().__init__(_Source(source))
        self.module = module
        self.out: list[str] = []
        placed = place_comments(module, self.src)
        self.before, self.end, self.inner = placed.before, placed.end, placed.inner

    # ------------------------------------------------------------------ output

    def emit(self, col: int, text: str, comment: str | None = None) -> None:
        """One output line at column `col`, with a trailing comment if given."""
        line = " " * col + text
        if comment:
            line = f"{line}  {comment}" if text else " " * col + comment
        self.out.append(line.rstrip())

    def blank(self) -> None:
        """One blank line (never two, never at the start)."""
        if self.out and self.out[-1] != "":
            self.out.append("")

    def format(self) -> str:
        # No depth guard: the parser refuses what nests too deeply (E108), and what it
        # accepts is printed within Python's own stack.
        """The module in the canonical layout."""
        self.block(self.module, 0)
        while self.out and self.out[-1] == "":
            self.out.pop()
        return "\n".join(self.out) + "\n" if self.out else ""

    def _first_line(self, s) -> int:
        lines = [c.line for c, _ in self.before.get(id(s), ())]
        return min(lines + [_line(s)])

    def _author_blank(self, s) -> bool:
        return self.src.blank(self._first_line(s) - 1)

    def _blank_between(self, owner, prev, s) -> bool:
        if isinstance(owner, n.Module):
            small = (isinstance(prev, _DECLS) and isinstance(s, _DECLS)
                     and not _children(prev) and not _children(s)) or (
                isinstance(prev, n.Deleted) and isinstance(s, n.Deleted))
            return self._author_blank(s) if small else True
        if not isinstance(owner, n.Duties) and (
                isinstance(prev, (n.Paragraph, n.Item, n.Deleted)) or isinstance(s, (n.Paragraph, n.Item, n.Deleted))):
            return True
        return self._author_blank(s)

    def block(self, owner, level: int) -> None:
        """The statements of `owner`'s block, with the blank lines and comments between them."""
        children = _children(owner)
        prev = None
        for s in children:
            if prev is not None and self._blank_between(owner, prev, s):
                self.blank()
            self.statement(s, level)
            prev = s
        ends = self.end.get(id(owner), [])
        if ends:
            if children and self.src.blank(ends[0][0].line - 1):
                self.blank()
            for i, (c, blank_after) in enumerate(ends):
                self.emit(_col(level), "", c.text)
                if blank_after and i + 1 < len(ends):
                    self.blank()

    def statement(self, s, level: int) -> None:
        """One statement with its comments, then its block."""
        for c, blank_after in self.before.get(id(s), ()):
            self.emit(_col(level), "", c.text)
            if blank_after:
                self.blank()
        children = _children(s)
        if children:
            subs = [_Sub(_col(level), self.header(s), _line(s))]
        else:
            subs = self.lines(s, level)
        before_sub: dict[int, list[n.Comment]] = defaultdict(list)
        trailing: dict[int, str] = {}
        moved: list[n.Comment] = []
        for c in self.inner.get(id(s), ()):
            if c.own_line:
                idx = next((i for i, sub in enumerate(subs)
                            if i and sub.anchor is not None and sub.anchor > c.line), None)
                if idx is None:
                    moved.append(c)
                else:
                    before_sub[idx].append(c)
            else:
                best: int | None = None
                best_anchor = 0
                for i, sub in enumerate(subs):
                    if sub.anchor is not None and sub.anchor <= c.line and (
                            best is None or sub.anchor >= best_anchor):
                        best, best_anchor = i, sub.anchor
                if best is None or best in trailing:
                    moved.append(c)
                else:
                    trailing[best] = c.text
        for c in moved:
            self.emit(_col(level), "", c.text)
        for i, sub in enumerate(subs):
            for c in before_sub.get(i, ()):
                self.emit(sub.col, "", c.text)
            self.emit(sub.col, sub.text, trailing.get(i))
        if children:
            self.block(s, level + 1)

    # ------------------------------------------------------------------ statements

    def header(self, s) -> str:
        """The first line of a statement that has (or may have) an indented block."""
        if isinstance(s, n.BookHeader):
            return f"book {s.name} {quote(s.title)}"
        if isinstance(s, n.Section):
            return f"section {s.number} {quote(s.title)}"
        if isinstance(s, n.Article):
            return f"article {s.number} {quote(s.title)}{self.validity(s.validity)}"
        if isinstance(s, n.Paragraph):
            return f"paragraph {s.number}{self.validity(s.validity)}"
        if isinstance(s, n.Item):
            return f"item {s.number}"
        if isinstance(s, n.SubItem):
            return f"subitem {s.letter}"
        if isinstance(s, n.Supplementary):
            return "supplementary provisions" + (f" {quote(s.title)}" if s.title is not None else "")
        if isinstance(s, n.Body):
            return f"body {s.name} {quote(s.title)}"
        if isinstance(s, n.Duties):
            return "duties" + (f" {quote(s.title)}" if s.title is not None else "")
        if isinstance(s, n.Table):
            return f"table {s.name}" + (f" {quote(s.title)}" if s.title is not None else "")
        if isinstance(s, n.Applies):
            return f"applies {s.book} mutatis mutandis"
        if isinstance(s, n.Amendment):
            date = f" takes effect {s.date.isoformat()}" if s.date is not None else ""
            return f"amendment {quote(s.title)}{date}"
        raise TypeError(f"no header for {type(s).__name__}")

    @staticmethod
    def validity(v: n.Validity | None) -> str:
        """` in force from A until B` (the part of a header after the title)."""
        if v is None:
            return ""
        if v.start is None:
            return f" in force until {v.end.isoformat()}" if v.end is not None else ""
        until = f" until {v.end.isoformat()}" if v.end is not None else ""
        return f" in force from {v.start.isoformat()}{until}"

    def lines(self, s, level: int) -> list[_Sub]:
        """The printed lines of a statement without a block."""
        at = _line(s)
        one = lambda text: [_Sub(_col(level), text, at)]  # noqa: E731
        if isinstance(s, n.Text):
            return one(f"| {s.text}" if s.text else "|")
        if isinstance(s, n.Rule):
            return self.rule(s, level)
        if isinstance(s, n.Condition):
            return self.layout(s.expr, "", _col(level), at, statement=True)
        if isinstance(s, (n.Fact, n.Outcome, n.Define)):
            kw = {n.Fact: "fact", n.Outcome: "outcome", n.Define: "define"}[type(s)]
            return self.described(f"{kw} {s.name} : {self.type_(s.type)}{self.bounds(s)}", s, level)
        if isinstance(s, n.Decision):
            head = f"decision {s.name}"
            if s.type is not None:
                head += f" : {self.type_(s.type)}"
            head += f" by {s.bodies[0]}" + "".join(f" upon approval by {b}" for b in s.bodies[1:])
            return self.described(head, s, level)
        if isinstance(s, n.Unit):
            text = f"unit {s.singular}"
            if s.plural is not None:
                text += f", {s.plural}"
            if s.factor is not None:
                text += f" = {s.factor} {s.base}"
            return one(text)
        if isinstance(s, n.Column):
            desc = f" {quote(s.description)}" if s.description else ""
            return one(f"column {s.name} : {self.type_(s.type)}{desc}")
        if isinstance(s, n.Row):
            return one(("total " if s.total else "row ") + ", ".join(self.cell(c) for c in s.cells))
        if isinstance(s, n.AsOf):
            return one(f"as of {s.date.isoformat()}")
        if isinstance(s, n.Relation):
            return one(f"{s.kind} {s.target}")
        if isinstance(s, n.Delegated):
            text = "delegated"
            if s.names:
                text += " " + ", ".join(s.names)
            if s.note is not None:
                text += " " + quote(s.note)
            return one(text)
        if isinstance(s, n.Refers):
            return one("refers to " + ", ".join(self.ref(r) for r in s.refs))
        if isinstance(s, n.Reading):
            old, new = self.reading_items(s)
            return one(f"reading {old} as {new}")
        if isinstance(s, n.ExceptRefs):
            return one("except " + ", ".join(self.ref(r) for r in s.refs))
        if isinstance(s, n.NotApplying):
            return self.layout(s.expr, "not applying when ", _col(level), at)
        if isinstance(s, n.Affects):
            return one("affects " + ", ".join(self.ref(r) for r in s.refs))
        if isinstance(s, n.Established):
            return one(f"established {s.date.isoformat()}")
        if isinstance(s, n.Amended):
            note = f" {quote(s.note)}" if s.note is not None else ""
            return one(f"amended {s.date.isoformat()}{note}")
        if isinstance(s, n.InForce):
            return one(f"in force from {s.date.isoformat()}")
        if isinstance(s, n.Uses):
            return one(f"uses {s.name} from {quote(s.path)}")
        if isinstance(s, n.CitedAs):
            return one(f"cited as {quote(s.title)}")
        if isinstance(s, n.Deleted):
            if s.last is None:
                return one(f"{s.kind} {s.first} deleted")
            return one(f"articles {s.first} to {s.last} deleted")
        if isinstance(s, n.Part):
            return one(f"part {s.number} {quote(s.title)}")
        if isinstance(s, (n.BookHeader, n.Section, n.Body, n.Applies, n.Amendment, n.Table,
                          n.Duties, *_BLOCK_OWNERS)):
            return one(self.header(s))
        raise TypeError(f"cannot format {type(s).__name__}")

    def rule(self, r: n.Rule, level: int) -> list[_Sub]:
        """A rule: on one line when it fits, else its clauses on indented lines beneath."""
        head = ("however " if r.however else "") + r.name + (" = " if r.kind == "=" else " if ")
        clauses: list[tuple[str, object, int | None]] = []
        clauses += [("when ", e, _line(e)) for e in r.when]
        clauses += [("unless ", e, _line(e)) for e in r.unless]
        clauses += [(f"{x.kind} {self.ref(x.ref)}", None, _line(x)) for x in r.exceptions]
        if r.as_of is not None:
            clauses.append((f"as of {r.as_of.isoformat()}", None, None))
        parts = [head + self.expr(r.expr)]
        parts += [kw + (self.expr(e) if e is not None else "") for kw, e, _ in clauses]
        line = " ".join(parts)
        col = _col(level)
        if col + len(line) <= WIDTH:
            return [_Sub(col, line, _line(r))]
        out = self.layout(r.expr, head, col, _line(r))
        for kw, e, anchor in clauses:
            if e is None:
                out.append(_Sub(col + len(STEP), kw, anchor))
            else:
                out += self.layout(e, kw, col + len(STEP), anchor)
        return out

    def described(self, head: str, s, level: int) -> list[_Sub]:
        """A declaration with its description, on one line or with the description beneath."""
        at, col = _line(s), _col(level)
        if not s.description:
            return [_Sub(col, head, at)]
        written = self.pieces(s)
        pieces: list[tuple[str, int | None]] = list(written) if written else [(s.description, None)]
        if len(pieces) == 1:
            line = f"{head} {quote(s.description)}"
            if col + len(line) <= WIDTH:
                return [_Sub(col, line, at)]
        out = [_Sub(col, head, at)]
        inner = _col(level + 1)
        for text, anchor in pieces:
            for part in _wrap(text, WIDTH - inner):
                out.append(_Sub(inner, quote(part), anchor))
        return out

    def pieces(self, s) -> list[tuple[str, int]] | None:
        """The description's strings as written (the tree joins them with spaces)."""
        found = [(unquote(t), line) for kind, t, line in self.src.tokens(s.span) if kind == "s"]
        if found and " ".join(t for t, _ in found) == s.description:
            return found
        return None

    def reading_items(self, s: n.Reading) -> tuple[str, str]:
        """The two sides of `reading X as Y`, quoted or bare as the author wrote them."""
        toks = [t for t in self.src.tokens(s.span) if t[0] != "c"]

        def show(value, quoted: bool | None) -> str:
            if isinstance(value, n.Ref):
                return self.ref(value)
            if quoted is None:
                quoted = not _IDENT.match(value) or value in _READING_WORDS
            return quote(value) if quoted or not _IDENT.match(value) else value

        old_q = new_q = None
        if len(toks) >= 3 and toks[0][1] == "reading":
            if isinstance(s.old, str):
                old_q = toks[1][0] == "s" and unquote(toks[1][1]) == s.old
                if not old_q and toks[1][1] != s.old:
                    old_q = None
            if isinstance(s.new, str):
                new_q = toks[-1][0] == "s" and unquote(toks[-1][1]) == s.new
                if not new_q and toks[-1][1] != s.new:
                    new_q = None
        return show(s.old, old_q), show(s.new, new_q)


def format_module(module: n.Module, source: str) -> str:
    """The module printed in the canonical layout, with the comments of `source` in place."""
    return Formatter(module, source).format()


def format_text(text: str, file: str = "<string>") -> str:
    """Parse and format one .reg file's text; raises SyntaxError_ when it does not parse."""
    return format_module(parse(text, file), text)
