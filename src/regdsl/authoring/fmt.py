"""`regdsl fmt`: one canonical layout for every book.

The formatter prints the syntax tree back, so `parse(fmt(x)) == parse(x)`, and
puts every comment back next to the statement it was written at.  Formatting
twice changes nothing.  docs/fmt.md is the user's description; the rules:

* Indentation: two spaces per block level; no trailing blanks; one final newline.
* Blank lines: one between top-level items, except that two declarations (without
  a block) or two deleted articles in a row keep the author's choice; one around
  every `paragraph` and `item` block of a provision (not around the items of a
  `duties` list, nor sub-items); elsewhere inside a block one blank line is kept
  where the author left one or more, and none is added.  No blank line opens a
  block.
* `|` lines keep their words exactly; only the indentation and the single space
  after `|` change (an empty line prints as `|`).
* Keywords, operators and commas are spelled and spaced one way; comparisons keep
  the author's word (`>` or `exceeds`); references use the singular for one number
  (`item 1`) and the plural otherwise (`items 1 and 2`, `articles 1 to 3`); strings
  are re-quoted with every `\\` and `"` escaped; numbers and times as written, dates
  ISO; a reading keeps its quoted or bare form.
* Parentheses: the fewest that keep the tree, plus those that keep words apart
  (`(a of items 1) and 2 > 3`, `x is (one of article 2)`, a condition that would
  start with a statement word), plus a pair added to break a long expression.
* Long lines (over 100 columns): a rule's clauses go on indented lines beneath, in
  the order when, unless, notwithstanding/overrides, as of; a top-level `and`/`or`
  chain breaks onto continuation lines one level deeper, one operand per line,
  each starting with its operator (an `and` chain inside an `or` chain one level
  deeper again); any other long expression breaks inside parentheses, its own or
  a pair added for it, before each operator, `is ...`, `then`, `else` or argument,
  aligned after the `(`; a declaration's description goes on its own indented
  line, pieces written as several strings stay separate, and a piece wider than
  the line is split at spaces.  Names, numbers and references are never split.
* Comments: an own-line comment stays before the statement that follows it, or at
  the end of the block it closes (decided by its indentation); a trailing comment
  stays at the end of its statement's line.  Inside a statement printed on several
  lines a comment stays with its clause, continuation line or description piece;
  otherwise (a statement now printed on fewer lines) it moves to the line before
  the statement.  Trailing blanks of comments are removed.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections import defaultdict
from pathlib import Path

import attrs

from ..syntax import nodes as n
from ..errors import RegdslError, Span, UsageError
from ..core.files import MAX_FILE_BYTES, FileRefused, inside, read_bytes, resolved, rewrite
from ..syntax.parser import _unquote, parse
from ..model.resolve import describe_ref

WIDTH = 100
STEP = "  "

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TIME = re.compile(r"\d{1,2}:\d{2}\Z")
_LEX = re.compile(r'(?P<s>"(?:[^"\\\n]|\\.)*")|(?P<c>#[^\n]*)|(?P<w>[A-Za-z_][A-Za-z0-9_]*)')
# A reference that ends in "items 1 and 2" would swallow a following "and 3 ...".
_NUMLIST_END = re.compile(r"\b(articles|paragraphs|items)\s+\d+(\.\d+)?(\s+and\s+\d+(\.\d+)?)+\Z")
# After `is` / `is not`, these words would be read as part of the comparison word.
_AFTER_IS = re.compile(r"(not|one\s+of|at\s+(least|most)|more\s+than|less\s+than)\b")
# Words a statement may start with: a condition printed without its parentheses
# must not begin with one.
_STMT_WORDS = {
    "fact", "outcome", "define", "decision", "body", "unit", "table", "delegated", "refers",
    "applies", "amendment", "however", "subitem", "item", "paragraph", "article", "articles",
    "section", "part", "book", "supplementary",
}
# Words that cannot be a bare reading (`reading X as Y`).
_READING_WORDS = {
    "article", "articles", "paragraph", "paragraphs", "item", "items", "subitem", "the", "this",
    "as", "of", "reading", "except",
}

# Precedence levels of the grammar (higher binds tighter).
_IF, _OR, _AND, _NOT, _CMP, _SUM, _PROD, _UNARY, _ATOM = range(9)

_CHAINS = {"and": ("and",), "or": ("or",), "+": ("+", "-"), "-": ("+", "-"),
           "*": ("*", "/"), "/": ("*", "/")}
_LEVELS = {"or": _OR, "and": _AND, "+": _SUM, "-": _SUM, "*": _PROD, "/": _PROD}

_BLOCK_OWNERS = (n.Article, n.Paragraph, n.Item, n.SubItem, n.Supplementary, n.Section)
_DECLS = (n.Fact, n.Outcome, n.Define, n.Decision, n.Body, n.Unit)


def quote(value: str) -> str:
    """A string literal for `value`: every `\\` and `"` escaped with a backslash."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _children(node) -> tuple:
    """The statements of a node's indented block (empty for a one-line statement)."""
    if isinstance(node, n.Module):
        return node.items
    if isinstance(node, _BLOCK_OWNERS):
        return node.body
    if isinstance(node, (n.BookHeader, n.Body, n.Table)):
        return node.statements
    if isinstance(node, n.Duties):
        return node.items
    if isinstance(node, n.Applies):
        return node.adaptations
    if isinstance(node, n.Amendment):
        return node.clauses
    return ()


def _line(node) -> int:
    span = getattr(node, "span", None)
    return span.line if span is not None else 0


def _end_line(node) -> int:
    span = getattr(node, "span", None)
    if span is None:
        return 0
    return span.end_line or span.line


@attrs.define
class _Sub:
    """One printed line of a statement: its indentation (in columns), text and source anchor.

    The anchor is the source line of the construct the line starts with; comments
    written inside a statement are put back by it.
    """

    col: int
    text: str
    anchor: int | None


class _Source:
    """The source text, for what the tree does not keep (blank lines, how a thing was written)."""

    def __init__(self, text: str):
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.text = text
        self.lines = text.split("\n")
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def line(self, no: int) -> str:
        return self.lines[no - 1] if 1 <= no <= len(self.lines) else ""

    def blank(self, no: int) -> bool:
        return 1 <= no <= len(self.lines) and not self.lines[no - 1].strip()

    def slice(self, span) -> tuple[str, int] | None:
        """The text a span covers, and the line it starts on."""
        if span is None or not span.end_line or span.line > len(self.lines):
            return None
        if span.end_line > len(self.lines):
            return None
        a = self.starts[span.line - 1] + span.column - 1
        b = self.starts[span.end_line - 1] + span.end_column - 1
        if not 0 <= a <= b <= len(self.text):
            return None
        return self.text[a:b], span.line

    def tokens(self, span) -> list[tuple[str, str, int]]:
        """(kind, text, line) of the strings (s), words (w) and comments (c) in a span."""
        got = self.slice(span)
        if got is None:
            return []
        text, first = got
        out = []
        for m in _LEX.finditer(text):
            kind = m.lastgroup
            out.append((kind, m.group(), first + text.count("\n", 0, m.start())))
        return out


class Formatter:
    """Prints one module in the canonical layout, with its comments."""

    def __init__(self, module: n.Module, source: str):
        self.module = module
        self.src = _Source(source)
        self.out: list[str] = []
        self.before: dict[int, list[tuple[n.Comment, bool]]] = defaultdict(list)
        self.end: dict[int, list[tuple[n.Comment, bool]]] = defaultdict(list)
        self.inner: dict[int, list[n.Comment]] = defaultdict(list)
        self._memo: dict[int, tuple[str, int]] = {}  # id(expression) -> _e(expression)
        self._assign_comments()

    # ------------------------------------------------------------------ comments

    def _own_line(self, c: n.Comment) -> bool:
        line = self.src.line(c.line)
        if line[c.column - 1:].startswith("#"):
            return not line[: c.column - 1].strip()
        return c.own_line

    def _assign_comments(self) -> None:
        order: list = []  # statements in source order (preorder)
        parent: dict[int, object] = {}

        def walk(owner):
            for s in _children(owner):
                parent[id(s)] = owner
                order.append(s)
                walk(s)

        walk(self.module)
        starts = [_line(s) for s in order]

        def ancestors(node) -> set[int]:
            seen = set()
            while id(node) in parent:
                node = parent[id(node)]
                seen.add(id(node))
            return seen

        for c in sorted(self.module.comments, key=lambda c: (c.line, c.column)):
            c = n.Comment(c.text.rstrip(), c.line, c.column, self._own_line(c))
            if not c.own_line:
                holder = None
                for s, a in zip(order, starts):
                    if a <= c.line <= max(a, _end_line(s)):
                        holder = s
                if holder is not None:
                    self.inner[id(holder)].append(c)
                    continue
            leaf = None
            for s, a in zip(order, starts):
                if not _children(s) and a < c.line <= _end_line(s):
                    leaf = s
            if leaf is not None:
                self.inner[id(leaf)].append(c)
                continue
            prev = nxt = None
            for s, a in zip(order, starts):
                if a < c.line:
                    prev = s
                elif a > c.line and nxt is None:
                    nxt = s
            blank_after = self.src.blank(c.line + 1)
            # The blocks that close between the previous statement and the next one.
            chain = []
            if prev is not None:
                inside_next = ancestors(nxt) if nxt is not None else set()
                node = prev
                if _children(node):
                    chain.append(node)
                while id(node) in parent:
                    node = parent[id(node)]
                    if node is self.module:
                        break
                    chain.append(node)
                chain = [b for b in chain if id(b) not in inside_next]
            for block in chain:
                body = _children(block)
                if body and body[0].span is not None and body[0].span.column <= c.column:
                    self.end[id(block)].append((c, blank_after))
                    break
            else:
                if nxt is not None:
                    self.before[id(nxt)].append((c, blank_after))
                else:
                    self.end[id(self.module)].append((c, blank_after))

    # ------------------------------------------------------------------ output

    def emit(self, col: int, text: str, comment: str | None = None) -> None:
        line = " " * col + text
        if comment:
            line = f"{line}  {comment}" if text else " " * col + comment
        self.out.append(line.rstrip())

    def blank(self) -> None:
        if self.out and self.out[-1] != "":
            self.out.append("")

    def format(self) -> str:
        # No depth guard: the parser refuses what nests too deeply (E108), and what it
        # accepts is printed within Python's own stack.
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
                isinstance(prev, (n.Paragraph, n.Item)) or isinstance(s, (n.Paragraph, n.Item))):
            return True
        return self._author_blank(s)

    def block(self, owner, level: int) -> None:
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
                best = None
                for i, sub in enumerate(subs):
                    if sub.anchor is not None and sub.anchor <= c.line and (
                            best is None or sub.anchor >= subs[best].anchor):
                        best = i
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
        if v is None:
            return ""
        if v.start is None:
            return f" in force until {v.end.isoformat()}"
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
                return one(f"article {s.first} deleted")
            return one(f"articles {s.first} to {s.last} deleted")
        if isinstance(s, n.Part):
            return one(f"part {s.number} {quote(s.title)}")
        if isinstance(s, (n.BookHeader, n.Section, n.Body, n.Applies, n.Amendment, n.Table,
                          n.Duties, *_BLOCK_OWNERS)):
            return one(self.header(s))
        raise TypeError(f"cannot format {type(s).__name__}")

    def rule(self, r: n.Rule, level: int) -> list[_Sub]:
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
        at, col = _line(s), _col(level)
        if not s.description:
            return [_Sub(col, head, at)]
        pieces = self.pieces(s) or [(s.description, None)]
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
        found = [(_unquote(t), line) for kind, t, line in self.src.tokens(s.span) if kind == "s"]
        if found and " ".join(t for t, _ in found) == s.description:
            return found
        return None

    def reading_items(self, s: n.Reading) -> tuple[str, str]:
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
                old_q = toks[1][0] == "s" and _unquote(toks[1][1]) == s.old
                if not old_q and toks[1][1] != s.old:
                    old_q = None
            if isinstance(s.new, str):
                new_q = toks[-1][0] == "s" and _unquote(toks[-1][1]) == s.new
                if not new_q and toks[-1][1] != s.new:
                    new_q = None
        return show(s.old, old_q), show(s.new, new_q)

    def cell(self, c: n.Cell) -> str:
        if c.value is None:
            return "none"
        if c.high is not None:
            return f"{self.expr(c.value)} to {self.expr(c.high)}"
        return self.expr(c.value)

    def bounds(self, s) -> str:
        """A fact's bounds as written after its type: `, at least 0 credits, whole`."""
        return "".join(f", {b.kind}" if b.value is None else f", {b.kind} {self._need(b.value, _SUM)}"
                       for b in getattr(s, "bounds", ()))

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
        return bool(word) and word.group() in _STMT_WORDS

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
        while isinstance(e, n.Binary) and e.op in ops:
            rights.append((e.op, e.right))
            e = e.left
        rights.reverse()
        items = [e] + [x for _, x in rights]
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
            for sign, x, nd in zip(signs, items, needs):
                if sign is None:
                    out += self._lay(x, col, nd, True)
                else:
                    lines = self._lay(x, col + len(sign) + 1, nd, True)
                    out.append(_Sub(col, f"{sign} {lines[0].text}", _line(x)))
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


def _col(level: int) -> int:
    return len(STEP) * level


def _parens(lines: list[_Sub]) -> list[_Sub]:
    """The lines of an expression wrapped in parentheses (the first already one column in)."""
    first = lines[0]
    lines = list(lines)
    lines[0] = _Sub(first.col - 1, "(" + first.text, first.anchor)
    lines[-1] = _Sub(lines[-1].col, lines[-1].text + ")", lines[-1].anchor) if len(lines) > 1 else \
        _Sub(first.col - 1, "(" + first.text + ")", first.anchor)
    return lines


def _prefixed(prefix: str, lines: list[_Sub]) -> list[_Sub]:
    first = lines[0]
    return [_Sub(first.col - len(prefix), prefix + first.text, first.anchor)] + lines[1:]


def _wrap(text: str, room: int) -> list[str]:
    """Split a description piece at spaces so that each quoted part fits in `room` columns."""
    if len(quote(text)) <= room:
        return [text]
    parts: list[str] = []
    cur: str | None = None
    for word in text.split(" "):
        cand = word if cur is None else f"{cur} {word}"
        if cur is not None and len(quote(cand)) > room:
            parts.append(cur)
            cur = word
        else:
            cur = cand
    parts.append(cur if cur is not None else "")
    return parts


def format_module(module: n.Module, source: str) -> str:
    """The module printed in the canonical layout, with the comments of `source` in place."""
    return Formatter(module, source).format()


def format_text(text: str, file: str = "<string>") -> str:
    """Parse and format one .reg file's text; raises SyntaxError_ when it does not parse."""
    return format_module(parse(text, file), text)


# ---------------------------------------------------------------------- command line


def _files(paths) -> tuple[list[Path], list[RegdslError]]:
    """The regular .reg files at the paths; never a symbolic link, which fmt does not write through.

    In a directory, a link to a file inside it is left out (that file is
    formatted as itself); a link that leads outside is E703.
    """
    files: list[Path] = []
    errors: list[RegdslError] = []
    seen: set[Path] = set()
    for p in map(Path, paths):
        if p.is_symlink() and p.is_file():
            errors.append(UsageError(f"{p} is a symbolic link; regdsl fmt does not write through links: "
                                     "name the file it points to", code="E701"))
            found = []
        elif p.is_dir():
            root = resolved(p)
            found = []
            for f in sorted(p.rglob("*.reg")):
                if any(part.startswith(".") for part in f.relative_to(p).parts):
                    continue
                if f.is_symlink():
                    if f.exists() and not inside(resolved(f), root):
                        errors.append(UsageError(f"{f} is a symbolic link to a place outside {p}; "
                                                 "it is not read or written", code="E703"))
                elif f.is_file():
                    found.append(f)
            if not found and not errors:
                errors.append(UsageError(f"{p}: no .reg files in this directory", code="E702"))
        elif p.is_file():
            found = [p]
        else:
            errors.append(UsageError(f"{p}: no such file or directory", code="E702"))
            found = []
        for f in found:
            key = resolved(f)
            if key not in seen:
                seen.add(key)
                files.append(f)
    return files, errors


def _read(f: Path) -> str:
    """A .reg file's text, not through a link and within the size limit (OSError, FileRefused)."""
    return read_bytes(f, MAX_FILE_BYTES, ".reg file", follow=False).decode("utf-8")


def _diff(path: str, old: str, new: str) -> str:
    out = []
    for line in difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                     fromfile=f"{path} (original)", tofile=f"{path} (formatted)"):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def main(args) -> int:
    """`regdsl fmt PATH... [--check] [--diff]`: 0 done, 1 files would change, 2 bad input."""
    files, errors = _files(args.paths)
    for err in errors:
        print(err.render(), file=sys.stderr)
    bad = bool(errors)
    changed = unchanged = 0
    write = not (args.check or args.diff)
    for f in files:
        name = str(f)
        try:
            raw = _read(f)
        except FileRefused as e:
            print(RegdslError(e.message, Span(name, 1, 1), code=e.code).render(), file=sys.stderr)
            bad = True
            continue
        except (OSError, UnicodeDecodeError) as e:
            print(RegdslError(f"cannot read {name}: {e}", code="E100").render(), file=sys.stderr)
            bad = True
            continue
        try:
            new = format_text(raw, name)
        except RegdslError as e:
            print(e.render({name: raw}), file=sys.stderr)
            bad = True
            continue
        if new == raw:
            unchanged += 1
            continue
        changed += 1
        if args.diff:
            sys.stdout.write(_diff(name, raw, new))
        if args.check:
            print(f"would reformat {name}")
        if write:
            try:
                rewrite(f, new.encode("utf-8"))
            except OSError as e:
                print(RegdslError(f"cannot write {name}: {e.strerror or e}", code="E100").render(),
                      file=sys.stderr)
                bad = True
                continue
            print(f"reformatted {name}", file=sys.stderr)
    verb = "reformatted" if write else "would be reformatted"
    summary = f"{changed} file(s) {verb}, {unchanged} unchanged"
    failed = len(files) - changed - unchanged
    if failed:
        summary += f", {failed} could not be formatted"
    print(summary, file=sys.stderr)
    if bad:
        return 2
    return 1 if changed and not write else 0
