"""Where every name and reference of a book points: the index behind definition, references and hover.

Built from a book's model (model/) after it is read: each reference
is resolved where it is written, selector by selector, so `items 1 and 2 of
the preceding article` leads from `the preceding article` to the article and
from `items 1 and 2` to its item 1; each name leads to its declaration (in
another book, for a name adopted through `applies`).  Positions are 1-based
lines and columns, as in spans; files are absolute paths.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import attrs

from ...errors import RegdslError, Span
from ...model.provisions import BookModel, Provision, Symbol
from ...model.references import resolve_ref
from ...syntax import nodes as n

MAX_HOVER_TEXT = 1500  # characters of a provision's words shown on hover


@attrs.frozen
class Target:
    """What a name or reference means: its identity, where it is declared, what hover says."""

    key: tuple
    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    label: str
    kind: str  # article, paragraph, item, ..., fact, outcome, define, decision, table, body, book


@attrs.frozen
class Occurrence:
    """One place a target is written (its declaration counts as one)."""

    file: str
    line: int
    column: int
    end_column: int
    target: Target
    declaration: bool = False


def _abs(file: str) -> str:
    return os.path.abspath(file)


class Index:
    """Every occurrence of every target in a book (and the books it uses, where they are reached)."""

    def __init__(self, book: BookModel, ir: Any = None):
        self.book = book
        self.ir = ir
        self.by_file: dict[str, list[Occurrence]] = {}
        self.targets: dict[tuple, Target] = {}
        self._provisions: dict[tuple, Provision] = {}
        # a declared name's Symbol, or the syntax node of a table, body or book header; and its book
        self._symbols: dict[tuple, tuple[Any, BookModel]] = {}
        self.adopted = adopted_names(book)
        _Collector(self).collect()
        for occs in self.by_file.values():
            occs.sort(key=lambda o: (o.line, o.column))

    # ---------------------------------------------------------------- queries
    def at(self, file: str, line: int, column: int) -> Occurrence | None:
        """The occurrence under a position (the narrowest, when they nest)."""
        best = None
        for o in self.by_file.get(_abs(file), ()):
            if o.line == line and o.column <= column <= o.end_column:
                if best is None or o.end_column - o.column < best.end_column - best.column:
                    best = o
        return best

    def references(self, key: tuple, include_declaration: bool = True) -> list[Occurrence]:
        """Every place the target `key` is written."""
        return [o for occs in self.by_file.values() for o in occs
                if o.target.key == key and (include_declaration or not o.declaration)]

    def provision(self, key: tuple) -> Provision | None:
        """The provision a target of a provision stands for (None for other targets)."""
        return self._provisions.get(key)

    def symbol(self, key: tuple) -> tuple[Any, BookModel] | None:
        """The name, table, body or book a target stands for, with its book (None for provisions)."""
        return self._symbols.get(key)

    def provision_at(self, file: str, line: int) -> Provision | None:
        """The innermost provision of the book whose text holds `line` of `file`."""
        file = _abs(file)
        best, best_line = None, 0
        for p in self.book.provisions():
            s = p.span
            if s is None or p.kind == "duties" or _abs(s.file) != file:
                continue
            if s.line <= line <= (s.end_line or s.line) and (best is None or s.line >= best_line):
                best, best_line = p, s.line
        return best

    # ---------------------------------------------------------------- building
    def add(self, span_file: str, line: int, column: int, end_column: int, target: Target,
            declaration: bool = False) -> None:
        """Record that `target` is written at `line`, `column` to `end_column` of `span_file`."""
        self.targets.setdefault(target.key, target)
        self.by_file.setdefault(_abs(span_file), []).append(
            Occurrence(_abs(span_file), line, column, end_column, target, declaration))

    def provision_target(self, p: Provision) -> Target | None:
        """The target of a provision, at its heading line (None for a provision with no position)."""
        if p.span is None:
            return None
        book = p.book
        key = ("provision", book.name, p.eid, p.start)
        found = self.targets.get(key)
        if found is None:
            line_text = _line(book, p.span.file, p.span.line)
            found = Target(key, _abs(p.span.file), p.span.line, p.span.column, p.span.line, len(line_text) + 1,
                           p.cite, p.kind)
            self.targets[key] = found
            self._provisions[key] = p
        return found

    def symbol_target(self, symbol: Symbol, book: BookModel) -> Target | None:
        """The target of a declared name, at the name in its declaration (None with no position)."""
        decl = symbol.decl
        if decl is None or decl.span is None:
            return None
        key = ("name", book.name, symbol.name)
        found = self.targets.get(key)
        if found is None:
            pos = find_word(book, decl.span, symbol.name)
            line, col = pos if pos else (decl.span.line, decl.span.column)
            found = Target(key, _abs(decl.span.file), line, col, line, col + len(symbol.name),
                           symbol.name, symbol.kind)
            self.targets[key] = found
            self._symbols[key] = (symbol, book)
        return found

    def named_target(self, kind: str, name: str, node: Any, book: BookModel) -> Target | None:
        """A table, a body or a book header, at its name."""
        if node is None or node.span is None:
            return None
        key = (kind, book.name, name)
        found = self.targets.get(key)
        if found is None:
            pos = find_word(book, node.span, name)
            line, col = pos if pos else (node.span.line, node.span.column)
            found = Target(key, _abs(node.span.file), line, col, line, col + len(name), name, kind)
            self.targets[key] = found
            self._symbols[key] = (node, book)
        return found


def _line(book: BookModel, file: str, line: int) -> str:
    lines = book.lines(file)
    return lines[line - 1] if 0 < line <= len(lines) else ""


def find_word(book: BookModel, span: Span, word: str, last: bool = False,
              after: tuple[int, int] | None = None) -> tuple[int, int] | None:
    """Where `word` is written as a whole word inside `span` (the first or the last time)."""
    pattern = re.compile(r"(?<![A-Za-z0-9_])" + re.escape(word) + r"(?![A-Za-z0-9_])")
    found = None
    end_line = span.end_line or span.line
    for no in range(span.line, min(end_line, span.line + 200) + 1):
        text = _line(book, span.file, no)
        start = span.column - 1 if no == span.line else 0
        if after is not None and no == after[0]:
            start = max(start, after[1] - 1)
        elif after is not None and no < after[0]:
            continue
        stop = span.end_column - 1 if (no == end_line and span.end_column) else len(text)
        for m in pattern.finditer(text, start, max(start, stop)):
            if text.lstrip().startswith("|"):
                break  # regulation text: words there are prose, not names
            found = (no, m.start() + 1)
            if not last:
                return found
    return found


def adopted_names(book: BookModel) -> dict[str, Symbol]:
    """The names this book takes from the books it applies mutatis mutandis (and does not
    declare itself), each with its symbol in the other book."""
    out: dict[str, Symbol] = {}
    for p in book.provisions():
        for s in p.statements:
            other = book.others.get(s.book) if isinstance(s, n.Applies) else None
            if other is not None:
                for name, sym in other.symbols.items():
                    if name not in book.symbols:
                        out.setdefault(name, sym)
    return out


class _Collector:
    """Walks a book's provisions and declarations and records what each name and reference means."""

    def __init__(self, index: Index):
        self.index = index
        self.book = index.book

    def collect(self) -> None:
        book = self.book
        seen: set[int] = set()
        for p in book.provisions():
            self.heading(p)
            for s in p.statements:
                seen.add(id(s))
                self.visit(s, p)
        for m in book.modules:
            for item in m.items:
                if isinstance(item, n.BookHeader):
                    self.header(item)
                elif not isinstance(item, (n.Article, n.Section, n.Part, n.Deleted, n.Supplementary)):
                    if id(item) not in seen:
                        self.visit(item, None)
        for other in book.others.values():  # headings of the other books, for hover and references
            for p in other.provisions():
                self.heading(p)

    def header(self, h: n.BookHeader) -> None:
        t = self.index.named_target("book", h.name, h, self.book)
        if t is not None:
            self.index.add(t.file, t.line, t.column, t.end_column, t, declaration=True)
        for s in h.statements:
            if isinstance(s, n.Uses):
                other = self.book.others.get(s.name)
                if other is not None and other.header is not None:
                    self.word(s.span, s.name, self.index.named_target("book", other.name, other.header, other))

    def heading(self, p: Provision) -> None:
        """The heading of an article, paragraph or item points to the provision itself."""
        t = self.index.provision_target(p)
        if t is None or (p.kind == "paragraph" and p.number == "1"):
            return
        assert p.span is not None, "provision_target gives no target for a provision with no span"
        line = _line(p.book, p.span.file, p.span.line)
        m = re.match(r"\s*((?:article|paragraph|item|section)\s+\S+|supplementary|\S+\))", line)
        if m and p.kind != "duties":
            self.index.add(p.span.file, p.span.line, m.start(1) + 1, m.end(1) + 1, t, declaration=True)

    def word(self, span: Span | None, word: str, target: Target | None, declaration: bool = False,
             last: bool = False) -> None:
        if span is None or target is None or not word:
            return
        pos = find_word(self.book, span, word, last=last)
        if pos is not None:
            self.index.add(span.file, pos[0], pos[1], pos[1] + len(word), target, declaration)

    def name(self, name: str) -> Target | None:
        book = self.book
        sym = book.symbols.get(name)
        if sym is not None:
            return self.index.symbol_target(sym, book)
        other_sym = self.index.adopted.get(name)
        if other_sym is not None:
            owner = getattr(other_sym.provision, "book", None) or _owner(book, other_sym)
            if owner is not None:
                return self.index.symbol_target(other_sym, owner)
        return None

    def visit(self, node: Any, at: Provision | None) -> None:
        for x in _walk(node):
            if isinstance(x, n.Ref):
                self.ref(x, at)
            elif isinstance(x, n.Name):
                self.word(x.span, x.name, self.name(x.name))
            elif isinstance(x, n.Qualified):
                self.word(x.span, x.name, self.name(x.name))
            elif isinstance(x, n.Rule):
                self.word(x.span, x.name, self.name(x.name))
            elif isinstance(x, (n.Fact, n.Outcome, n.Define, n.Decision)):
                self.word(x.span, x.name, self.name(x.name), declaration=True)
                for body in getattr(x, "bodies", ()) or ():
                    self.word(x.span, body, self.body(body))
            elif isinstance(x, n.Delegated):
                for name in x.names:
                    self.word(x.span, name, self.name(name))
            elif isinstance(x, n.Lookup):
                entry = self.book.tables.get(x.table)
                if entry is not None:
                    self.word(x.span, x.table, self.index.named_target("table", x.table, entry[0], self.book))
            elif isinstance(x, n.Table):
                self.word(x.span, x.name, self.index.named_target("table", x.name, x, self.book), declaration=True)
            elif isinstance(x, n.Body):
                self.word(x.span, x.name, self.body(x.name), declaration=True)
            elif isinstance(x, n.Relation):
                self.word(x.span, x.target, self.body(x.target), last=True)
            elif isinstance(x, n.Applies):
                self.applies(x, at)

    def applies(self, x: n.Applies, at: Provision | None) -> None:
        """`applies B mutatis mutandis`: in `reading OLD as NEW`, OLD is of book B and NEW of this one."""
        other = self.book.others.get(x.book)
        if other is None:
            return
        if other.header is not None:
            self.word(x.span, x.book, self.index.named_target("book", other.name, other.header, other))
        for a in x.adaptations:
            refs = a.refs if isinstance(a, n.ExceptRefs) else (a.old, a.new)
            for i, r in enumerate(refs):
                theirs = isinstance(a, n.ExceptRefs) or i == 0
                if isinstance(r, n.Ref):
                    self.ref(attrs.evolve(r, book=x.book) if theirs and r.book is None else r, at)
                elif isinstance(r, str):
                    sym = other.symbols.get(r) if theirs else None
                    target = self.index.symbol_target(sym, other) if sym is not None else self.name(r)
                    self.word(a.span, r, target, last=not theirs)

    def body(self, name: str) -> Target | None:
        entry = self.book.bodies.get(name)
        return self.index.named_target("body", name, entry[0], self.book) if entry else None

    def ref(self, ref: n.Ref, at: Provision | None) -> None:
        """Each selector of a reference, resolved as if the reference stopped there."""
        if at is None:
            return
        groups = ref.groups
        for g, group in enumerate(groups):
            for i, sel in enumerate(group):
                if sel.span is None:
                    continue
                partial = n.Ref(((group[: i + 1]),) + tuple(groups[g + 1:]), ref.book)
                try:
                    found = resolve_ref(partial, at, self.book)
                except RegdslError:
                    continue
                if found:
                    t = self.index.provision_target(found[0])
                    if t is not None:
                        s = sel.span
                        end = s.end_column if s.end_line == s.line and s.end_column else len(
                            _line(self.book, s.file, s.line)) + 1
                        self.index.add(s.file, s.line, s.column, end, t)
        if ref.book is not None and ref.span is not None:
            other = self.book.others.get(ref.book)
            if other is not None and other.header is not None:
                self.word(ref.span, ref.book, self.index.named_target("book", other.name, other.header, other),
                          last=True)


def _owner(book: BookModel, symbol: Any) -> BookModel | None:
    for other in book.others.values():
        if other.symbols.get(symbol.name) is symbol:
            return other
    return None


def _walk(node: Any) -> Iterator[Any]:
    """Every syntax node under `node` (itself first), without recursion on the tree's depth."""
    stack = [node]
    while stack:
        x = stack.pop()
        if isinstance(x, tuple):
            stack.extend(reversed(x))
            continue
        if not attrs.has(type(x)):
            continue
        yield x
        if isinstance(x, (n.Ref, n.Applies)):
            continue  # a reference is resolved whole; `applies` reads its adaptations itself
        for f in reversed(attrs.fields(type(x))):
            if f.name != "span":
                v = getattr(x, f.name)
                if isinstance(v, tuple) or attrs.has(type(v)):
                    stack.append(v)

