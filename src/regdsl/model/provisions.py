"""The book model: provisions with their numbering, citations and eIds, declared names,
rules, amendments and the book that holds them."""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from ..syntax import nodes as n
from ..errors import CheckError, RegdslError, Span, split_lines
from ..core.units import UnitTable


# Provisions that hold paragraphs (the top of a provision tree).
TOPS = ("article", "supplementary", "section")


class Provision:
    """An article, paragraph, item, sub-item or the Supplementary Provisions."""

    def __init__(self, kind: str, number: str, parent: "Provision | None", book: "BookModel",
                 span: Span | None = None):
        self.kind = kind
        self.number = number
        self.parent = parent
        self.book = book
        self.span = span
        self.title = ""
        self.texts: list[str] = []
        self.children: list[Provision] = []
        self.statements: list = []
        self.deleted = False
        self.start: dt.date | None = None  # validity, both ends inclusive
        self.end: dt.date | None = None
        self.section: n.Section | None = None
        self.part: n.Part | None = None
        self.condition: n.Condition | None = None
        self.delegated: n.Delegated | None = None
        self.eid = ""
        self.cite = ""

    def __repr__(self) -> str:
        return f"<{self.cite or self.kind + ' ' + self.number}>"

    @property
    def owner(self) -> "Provision":
        """The parent of a provision that has one (a paragraph, item, sub-item); AttributeError
        for the top of a provision tree, as reading `.parent.kind` there always raised."""
        if self.parent is None:
            raise AttributeError(f"{self!r} has no parent")
        return self.parent

    @property
    def article(self) -> "Provision":
        """The article (or section, or the Supplementary Provisions) this provision is part of."""
        p = self
        while p.kind not in TOPS:
            p = p.owner
        return p

    @property
    def paragraph(self) -> "Provision | None":
        """The paragraph this provision is part of, or None above paragraphs."""
        p: Provision | None = self
        while p is not None and p.kind != "paragraph":
            p = p.parent
        return p

    @property
    def text(self) -> str:
        """The provision's own words on one line."""
        return " ".join(t for t in self.texts if t).strip()

    def walk(self) -> Iterator["Provision"]:
        """This provision and every provision below it, in order."""
        yield self
        for c in self.children:
            yield from c.walk()

    def contains(self, other: "Provision") -> bool:
        """Whether `other` is this provision or below it."""
        p: Provision | None = other
        while p is not None:
            if p is self:
                return True
            p = p.parent
        return False

    def child(self, kind: str, number: str) -> "Provision | None":
        """The child of this kind and number, or None."""
        for c in self.children:
            if c.kind == kind and c.number == number:
                return c
        return None

    @property
    def transparent(self) -> bool:
        """A sole first paragraph is cited as its article ("Article 43, Item 1")."""
        return self.kind == "paragraph" and len(self.owner.children) == 1

    def in_force(self, day: dt.date) -> bool:
        """Whether the provision is in force on `day`."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


class Symbol:
    """A declared name: a fact, decision, definition or outcome."""

    def __init__(self, kind: str, name: str, decl, provision: Provision | None):
        self.kind = kind
        self.name = name
        self.decl = decl
        self.provision = provision
        self.description = getattr(decl, "description", "") or ""
        self.bodies: tuple[str, ...] = getattr(decl, "bodies", ()) or ()

    @property
    def computed(self) -> bool:
        """Whether the book computes the name (an outcome or definition) rather than being told it."""
        return self.kind in ("outcome", "define")


class RuleInfo:
    """A rule with the provision it sits in (its citation)."""

    def __init__(self, node: n.Rule | None, name: str, provision: Provision, kind: str):
        self.node = node
        self.name = name
        self.provision = provision
        self.kind = kind  # "=", "if", "delegated"
        self.source = ""
        self.as_of = node.as_of if node is not None else None  # a figure stated as of a date


Found = list[Provision] | CheckError  # what a reference points to, or why it points nowhere


class References:
    """Every reference written in a book's provisions, resolved once when the model is completed:
    by Ref node, where it was read from and the provisions it points to, or the CheckError that
    says why it points nowhere.  A reference the table does not hold (one typed at `regdsl
    show`, a phrase of the regulation's words) is resolved on demand."""

    def __init__(self) -> None:
        self._found: dict[int, tuple[n.Ref, Provision, str | None, Found]] = {}

    def __len__(self) -> int:
        return len(self._found)

    def add(self, ref: n.Ref, at: Provision, book: str | None, found: Found) -> None:
        """Record what `ref`, written at `at` (and read in the book `book`, if given), points to."""
        self._found[id(ref)] = (ref, at, book, found)

    def lookup(self, ref: n.Ref, at: Provision, book: str | None = None) -> Found | None:
        """What `ref` written at `at` points to; None when the table does not hold it."""
        got = self._found.get(id(ref))
        if got is None or got[0] is not ref or got[1] is not at or got[2] != book:
            return None
        return got[3]



class BookModel:
    """A checked book: its header, provisions, names, rules, tables and bodies."""

    def __init__(self):
        self.name = ""
        self.title = ""
        self.cited_as = ""
        self.preamble: list[str] = []
        self.established: dt.date | None = None
        self.amendments: list[n.Amended] = []
        self.in_force: dt.date | None = None
        self.uses: dict[str, n.Uses] = {}
        self.others: dict[str, BookModel] = {}
        self.header: n.BookHeader | None = None
        self.articles: list[Provision] = []
        self.by_number: dict[str, list[Provision]] = {}
        self.supplementary: Provision | None = None
        self.sections: list[Provision] = []  # sections with content of their own
        self.outline: list[tuple[str, Any]] = []  # (section, n.Section), (part, n.Part), (article or supplementary, Provision)
        self.symbols: dict[str, Symbol] = {}
        self.rules: dict[str, list[RuleInfo]] = {}
        self.tables: dict[str, tuple[n.Table, Provision | None]] = {}
        self.bodies: dict[str, tuple[n.Body, Provision | None]] = {}
        self.units = UnitTable()
        self.errors: list[RegdslError] = []
        self.sources: dict[str, str] = {}
        self.modules: list[n.Module] = []
        self.references = References()  # filled once, when the model is completed (build.complete)
        self._reported: set[tuple] = set()  # (code, span, message) of the findings in `errors`
        self._lines: dict[str, list[str]] = {}
        self._article_index: dict[int, int] = {}
        self._child_index: dict[int, dict[int, int]] = {}

    def error(self, message: str, span: Span | None, code: str, hint: str | None = None) -> None:
        """Record a structural finding of building the model."""
        self.report(CheckError(message, span, code=code, hint=hint))

    def report(self, err: RegdslError) -> None:
        """Add a finding, once however often it is reached."""
        key = (err.code, err.span, err.message)
        if key not in self._reported:
            self._reported.add(key)
            self.errors.append(err)

    def article_index(self) -> dict[int, int]:
        """id(article) -> its place in `articles`, for "the preceding article"."""
        if len(self._article_index) != len(self.articles):
            self._article_index = {id(a): i for i, a in enumerate(self.articles)}
        return self._article_index

    def child_index(self, p: Provision) -> dict[int, int]:
        """id(child) -> its place among `p.children`, for "the preceding paragraph"."""
        found = self._child_index.get(id(p))
        if found is None or len(found) != len(p.children):
            found = self._child_index[id(p)] = {id(c): i for i, c in enumerate(p.children)}
        return found

    def lines(self, file: str) -> list[str]:
        """The lines of one of the book's files, as the parser counts them (split once)."""
        found = self._lines.get(file)
        if found is None:
            found = self._lines[file] = split_lines(self.sources.get(file, ""))
        return found

    def article(self, number: str, day: dt.date | None = None) -> Provision | None:
        """The article with this number (the version in force on `day`, if given)."""
        versions = self.by_number.get(number)
        if not versions:
            return None
        if day is not None:
            for v in versions:
                if v.in_force(day):
                    return v
        return max(versions, key=lambda v: v.start or dt.date.min)  # the latest version

    def provisions(self) -> Iterator[Provision]:
        """Every provision of the book: sections, articles, the Supplementary Provisions, each with all below it."""
        for sec in self.sections:
            yield from sec.walk()
        for a in self.articles:
            yield from a.walk()
        if self.supplementary is not None:
            yield from self.supplementary.walk()

    def find(self, eid: str) -> Provision | None:
        """The provision with this eId, or None."""
        for p in self.provisions():
            if p.eid == eid:
                return p
        return None

    @property
    def short_title(self) -> str:
        """How the book is named in citations: its `cited as` title, else its title."""
        return self.cited_as or self.title


def overlap(a: Provision, b: Provision) -> bool:
    """Whether two provisions are in force on some common day."""
    lo = max(a.start or dt.date.min, b.start or dt.date.min)
    hi = min(a.end or dt.date.max, b.end or dt.date.max)
    return lo <= hi


def source_of(book: BookModel, span: Span | None) -> str:
    """The source lines a span covers, dedented (what `regdsl show` and messages quote)."""
    if span is None or span.file not in book.sources:
        return ""
    lines = book.lines(span.file)[span.line - 1: span.end_line]
    if not lines:
        return ""
    indent = len(lines[0]) - len(lines[0].lstrip())
    return "\n".join(line[indent:] if line[:indent].strip() == "" else line.strip()
                     for line in lines).rstrip()
