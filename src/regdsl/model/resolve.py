"""Syntax trees to a book model: provisions, numbering, declarations and references.

This is the first half of checking: it builds the tree of articles,
paragraphs, items and sub-items (each with its citation and Akoma Ntoso
style eId), checks their numbering, collects declarations and rules, and
resolves cross-references to provisions.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterator

from ..syntax import nodes as n
from ..errors import CheckError, RegdslError, Span, did_you_mean, split_lines
from ..core.types import Type
from ..core.units import UnitDef, UnitTable, exact
from ..core.limits import MAX_RUN, MAX_RUN_TOTAL


# Provisions that hold paragraphs (the top of a provision tree).
TOPS = ("article", "supplementary", "section")


def article_key(number: str) -> tuple[int, ...]:
    """Sort key of an article number: "13.2" -> (13, 2)."""
    return tuple(int(p) for p in number.split("."))


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
    def article(self) -> "Provision":
        p = self
        while p.kind not in TOPS:
            p = p.parent
        return p

    @property
    def paragraph(self) -> "Provision | None":
        p: Provision | None = self
        while p is not None and p.kind != "paragraph":
            p = p.parent
        return p

    @property
    def text(self) -> str:
        return " ".join(t for t in self.texts if t).strip()

    def walk(self) -> Iterator["Provision"]:
        yield self
        for c in self.children:
            yield from c.walk()

    def contains(self, other: "Provision") -> bool:
        p: Provision | None = other
        while p is not None:
            if p is self:
                return True
            p = p.parent
        return False

    def child(self, kind: str, number: str) -> "Provision | None":
        for c in self.children:
            if c.kind == kind and c.number == number:
                return c
        return None

    @property
    def transparent(self) -> bool:
        """A sole first paragraph is cited as its article ("Article 43, Item 1")."""
        return self.kind == "paragraph" and len(self.parent.children) == 1

    def in_force(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


class Symbol:
    """A declared name: a fact, decision, definition or outcome."""

    def __init__(self, kind: str, name: str, decl, provision: Provision | None):
        self.kind = kind
        self.name = name
        self.decl = decl
        self.provision = provision
        self.type: Type | None = None
        self.description = getattr(decl, "description", "") or ""
        self.bodies: tuple[str, ...] = getattr(decl, "bodies", ()) or ()

    @property
    def computed(self) -> bool:
        return self.kind in ("outcome", "define")


class RuleInfo:
    """A rule with the provision it sits in (its citation)."""

    def __init__(self, node: n.Rule | None, name: str, provision: Provision, kind: str):
        self.node = node
        self.name = name
        self.provision = provision
        self.kind = kind  # "=", "if", "delegated"
        self.overrides: list[RuleInfo] = []  # the rules this one is an exception to
        self.source = ""
        self.compiled = None  # set by the checker: (condition, value) closures
        self.deps: frozenset[str] = frozenset()  # set by the checker: the names the rule reads
        self.as_of = node.as_of if node is not None else None  # a figure stated as of a date


class Transition:
    """An amendment with its effective date and whom it does not apply to."""

    def __init__(self, title: str):
        self.title = title
        self.date: dt.date | None = None
        self.provision: Provision | None = None  # where its effective date is stated
        self.affected: set[str] | None = None  # article numbers; None means every article
        self.sparing: list[tuple[object, Provision]] = []  # (compiled condition, provision)
        self.span: Span | None = None  # where the amendment is first named


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
        self.outline: list[tuple[str, object]] = []
        self.symbols: dict[str, Symbol] = {}
        self.rules: dict[str, list[RuleInfo]] = {}
        self.tables: dict[str, tuple[n.Table, Provision | None]] = {}
        self.bodies: dict[str, tuple[n.Body, Provision | None]] = {}
        self.units = UnitTable()
        self.applies: list[tuple[n.Applies, Provision]] = []
        self.amendment_rules: list[tuple[n.Amendment, Provision]] = []
        self.transitions: list[Transition] = []
        self.adoptions: list = []  # adopt.Adoption, one per `applies`
        self.adopted: dict = {}  # name -> (Symbol of the other book, Adoption)
        self.organization = None  # check._Organization, built on first use
        self.citation_cache: dict = {}  # provision -> (Citation, Version) as seen from this book
        self.inputs: dict | None = None  # names a facts file may give (facts._inputs)
        self.converted: dict = {}  # (fact, type, raw value) -> value, for facts.validate
        self.name_deps: dict[str, set[str]] = {}  # computed name -> names its rules read
        self.errors: list[RegdslError] = []
        self.sources: dict[str, str] = {}
        self.modules: list[n.Module] = []
        self._reported: set[tuple] = set()  # (code, span, message) of the findings in `errors`
        self._counted = 0  # how many of `errors` are in `_reported`
        self._lines: dict[str, list[str]] = {}
        self._article_index: dict[int, int] = {}
        self._child_index: dict[int, dict[int, int]] = {}

    def error(self, message: str, span: Span | None, code: str, hint: str | None = None) -> None:
        self.report(CheckError(message, span, code=code, hint=hint))

    def report(self, err: RegdslError) -> None:
        """Add a finding, once however often it is reached."""
        if self._counted != len(self.errors):  # findings were put in the list directly
            self._reported = {(e.code, e.span, e.message) for e in self.errors}
        key = (err.code, err.span, err.message)
        if key not in self._reported:
            self._reported.add(key)
            self.errors.append(err)
        self._counted = len(self.errors)

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
        for sec in self.sections:
            yield from sec.walk()
        for a in self.articles:
            yield from a.walk()
        if self.supplementary is not None:
            yield from self.supplementary.walk()

    def find(self, eid: str) -> Provision | None:
        for p in self.provisions():
            if p.eid == eid:
                return p
        return None

    @property
    def short_title(self) -> str:
        return self.cited_as or self.title


# ------------------------------------------------------------------ building


def build(modules: list[n.Module], sources: dict[str, str], header_expected: bool = True) -> BookModel:
    """The book model of the given files, in order, with structural findings.

    `header_expected` is false when a file could not be read or parsed: its
    header may be there, so its absence is not reported."""
    book = BookModel()
    book.sources = sources
    book.modules = modules
    builder = _Builder(book)
    for m in modules:
        for item in m.items:
            builder.top(item)
    if book.header is None and header_expected:
        first = modules[0].file if modules else "<book>"
        book.error("the book has no header; start it with `book name \"Title\"`",
                   Span(first, 1, 1), "E203")
    for p in book.provisions():
        _name(p)
    return book


class _Builder:
    def __init__(self, book: BookModel):
        self.book = book
        self.section: n.Section | None = None
        self.part: n.Part | None = None
        self.last_key: tuple[int, ...] | None = None
        self.last_article: Provision | None = None
        self.expected: dict[int, dict[str, str]] = {}  # id(provision) -> kind -> the next number
        self.run_total = 0  # articles made by runs of deleted articles so far

    def top(self, item) -> None:
        b = self.book
        if isinstance(item, n.BookHeader):
            self.header(item)
        elif isinstance(item, n.Section):
            self.section, self.part = item, None
            b.outline.append(("section", item))
            if item.body:
                p = Provision("section", item.number, None, b, item.span)
                p.title = item.title
                p.start = b.in_force
                b.sections.append(p)
                self.body(p, item.body)
        elif isinstance(item, n.Part):
            self.part = item
            b.outline.append(("part", item))
        elif isinstance(item, n.Article):
            self.article(item)
        elif isinstance(item, n.Deleted):
            self.deleted(item)
        elif isinstance(item, n.Supplementary):
            if b.supplementary is not None:
                b.error("the Supplementary Provisions appear twice", item.span, "E201")
                return
            p = Provision("supplementary", "", None, b, item.span)
            p.title = item.title or "Supplementary Provisions"
            b.supplementary = p
            b.outline.append(("supplementary", p))
            self.body(p, item.body)
        else:
            self.statement(None, item)

    def header(self, h: n.BookHeader) -> None:
        b = self.book
        if b.header is not None:
            b.error("a book has one header; this is a second `book` line", h.span, "E203")
            return
        b.header, b.name, b.title = h, h.name, h.title
        for s in h.statements:
            if isinstance(s, n.Text):
                b.preamble.append(s.text)
            elif isinstance(s, n.Established):
                b.established = s.date
            elif isinstance(s, n.Amended):
                b.amendments.append(s)
            elif isinstance(s, n.InForce):
                b.in_force = s.date
            elif isinstance(s, n.Uses):
                b.uses[s.name] = s
            elif isinstance(s, n.CitedAs):
                b.cited_as = s.title
        dates = [a.date for a in b.amendments]
        for prev, cur in zip(b.amendments, b.amendments[1:]):
            if cur.date < prev.date:
                b.error(f"amendment of {cur.date} is listed after that of {prev.date}",
                        cur.span, "E202")
        if b.established and dates and min(dates) < b.established:
            b.error("an amendment is dated before the book was established", h.span, "E202")

    # ---- articles
    def _place(self, number: str, span: Span | None, versioned: bool) -> bool:
        """Check the article number's order; False when it cannot be placed."""
        b = self.book
        try:
            key = article_key(number)
        except ValueError:
            b.error(f"`{number}` is not an article number", span, "E204")
            return False
        if self.last_key is not None:
            if key == self.last_key:
                if not versioned:
                    b.error(f"Article {number} appears twice; give each version `in force from ...`",
                            span, "E201")
                    return False
            elif key < self.last_key:
                prev = ".".join(map(str, self.last_key))
                b.error(f"Article {number} comes after Article {prev}; articles go in order",
                        span, "E202")
        self.last_key = key
        return True

    def _new_article(self, number: str, title: str, span: Span | None) -> Provision:
        b = self.book
        p = Provision("article", number, None, b, span)
        p.title = title
        p.section, p.part = self.section, self.part
        b.articles.append(p)
        b.by_number.setdefault(number, []).append(p)
        b.outline.append(("article", p))
        return p

    def article(self, a: n.Article) -> None:
        b = self.book
        versions = list(b.by_number.get(a.number, []))
        if not self._place(a.number, a.span, versioned=bool(versions) and a.validity is not None):
            return
        p = self._new_article(a.number, a.title, a.span)
        if a.validity is not None:
            p.start, p.end = a.validity.start, a.validity.end
        else:
            p.start = b.in_force
        for other in versions:
            if other.deleted or overlap(other, p):
                b.error(f"two versions of Article {a.number} are in force on the same day",
                        a.span, "E205")
        self.body(p, a.body)

    def deleted(self, d: n.Deleted) -> None:
        b = self.book
        numbers = [d.first]
        if d.last is not None:
            try:
                numbers = _expand_run(d.first, d.last)
            except _TooLong as e:
                b.error(f"`articles {d.first} to {d.last} deleted` {e}", d.span, "E107")
                return
            if not numbers:
                b.error(f"`articles {d.first} to {d.last} deleted` is not a run of article numbers",
                        d.span, "E204")
                return
            self.run_total += len(numbers)
            if self.run_total > MAX_RUN_TOTAL:
                b.error(f"the runs of deleted articles of this book come to more than {MAX_RUN_TOTAL:,} "
                        "articles", d.span, "E107")
                return
        for num in numbers:
            if b.by_number.get(num):
                b.error(f"Article {num} appears twice", d.span, "E201")
                continue
            if not self._place(num, d.span, versioned=False):
                continue
            p = self._new_article(num, "Deleted", d.span)
            p.deleted = True

    # ---- bodies
    def body(self, p: Provision, body) -> None:
        """Fill article/supplementary `p` from its statements and paragraphs."""
        first = Provision("paragraph", "1", p, self.book, p.span)
        first.start, first.end = p.start, p.end
        p.children.append(first)
        expected = 2
        for s in body:
            if isinstance(s, n.Paragraph):
                if s.number != str(expected):
                    self._numbering("paragraph", s.number, str(expected), s.span,
                                    "the article's own text is paragraph 1" if s.number == "1" else None)
                para = Provision("paragraph", s.number, p, self.book, s.span)
                para.start, para.end = p.start, p.end
                if s.validity is not None:
                    para.start, para.end = s.validity.start or p.start, s.validity.end or p.end
                p.children.append(para)
                self.fill(para, s.body)
                expected = _int(s.number, expected) + 1
            elif p.children[-1] is not first:
                self.book.error("text, rules and items of paragraph 1 go before `paragraph 2`",
                                getattr(s, "span", None), "E206")
            else:
                self.fill(first, [s])

    def fill(self, p: Provision, body) -> None:
        expected = self.expected.setdefault(id(p), {})
        for s in body:
            if isinstance(s, (n.Item, n.SubItem)):
                kind = "item" if isinstance(s, n.Item) else "subitem"
                number = s.number if kind == "item" else s.letter
                want = expected.get(kind, "1" if kind == "item" else "a")
                if number != want:
                    self._numbering(kind, number, want, s.span)
                child = Provision(kind, number, p, self.book, s.span)
                child.start, child.end = p.start, p.end
                p.children.append(child)
                self.fill(child, s.body)
                expected[kind] = _succ(number)
            else:
                self.statement(p, s)

    def _numbering(self, kind: str, got: str, want: str, span, hint=None) -> None:
        code = "E201" if _before(got, want) else "E202"
        what = "repeats or goes back" if code == "E201" else "skips a number"
        self.book.error(f"{kind} {got} {what}: expected {kind} {want}", span, code, hint)

    def statement(self, p: Provision | None, s) -> None:
        b = self.book
        if isinstance(s, n.Text):
            if p is None:
                b.error("regulation text must sit inside an article", s.span, "E206")
            else:
                p.texts.append(s.text)
            return
        if p is not None:
            p.statements.append(s)
        if isinstance(s, (n.Fact, n.Outcome, n.Define, n.Decision)):
            kind = type(s).__name__.lower()
            if s.name in b.symbols:
                prev = b.symbols[s.name]
                b.error(f"`{s.name}` is declared twice (first at {prev.decl.span})", s.span, "E302")
                return
            b.symbols[s.name] = Symbol(kind, s.name, s, p)
        elif isinstance(s, n.Rule):
            if p is None:
                b.error("a rule must sit in the provision whose text it encodes", s.span, "E206")
                return
            info = RuleInfo(s, s.name, p, s.kind)
            info.source = _source_of(b, s.span)
            b.rules.setdefault(s.name, []).append(info)
        elif isinstance(s, n.Condition):
            if p.condition is not None:
                b.error("an item has one condition; join them with `and` or `or`", s.span, "E206")
            p.condition = s
        elif isinstance(s, n.Delegated):
            p.delegated = s
            for name in s.names:
                b.rules.setdefault(name, []).append(RuleInfo(None, name, p, "delegated"))
        elif isinstance(s, n.Table):
            if s.name in b.tables:
                b.error(f"table `{s.name}` is declared twice", s.span, "E302")
            b.tables[s.name] = (s, p)
        elif isinstance(s, n.Body):
            if s.name in b.bodies:
                b.error(f"body `{s.name}` is declared twice", s.span, "E302")
            b.bodies[s.name] = (s, p)
            for st in s.statements:
                if isinstance(st, n.Duties):
                    duty = Provision("duties", s.name, p, b, st.span)
                    duty.title = s.title
                    if st.title:
                        duty.texts.append(st.title)
                    if p is not None:
                        p.children.append(duty)
                    self.fill(duty, st.items)
        elif isinstance(s, n.Unit):
            self.unit(s)
        elif isinstance(s, n.Applies):
            b.applies.append((s, p))
        elif isinstance(s, n.Amendment):
            b.amendment_rules.append((s, p))

    def unit(self, s: n.Unit) -> None:
        b = self.book
        from fractions import Fraction

        plural = s.plural or s.singular + "s"
        if s.factor is None:
            b.units.add(UnitDef(s.singular, plural, ((s.singular, 1),), 1))
            return
        base = b.units.get(s.base or "")
        if base is None:
            b.error(f"unknown unit `{s.base}`", s.span, "E403", did_you_mean(s.base or "", b.units.names()))
            return
        if Fraction(s.factor) == 0:  # no quantity could be shown in it (x / 0)
            b.error(f"the size of a unit must be more than zero; `{s.singular}` is declared as {s.factor} {s.base}",
                    s.span, "E403")
            return
        b.units.add(UnitDef(s.singular, plural, base.dim, exact(Fraction(s.factor) * base.factor)))


def _source_of(book: BookModel, span: Span | None) -> str:
    if span is None or span.file not in book.sources:
        return ""
    lines = book.lines(span.file)[span.line - 1: span.end_line]
    if not lines:
        return ""
    indent = len(lines[0]) - len(lines[0].lstrip())
    return "\n".join(line[indent:] if line[:indent].strip() == "" else line.strip()
                     for line in lines).rstrip()


def _int(s: str, default: int) -> int:
    try:
        return int(s)
    except ValueError:
        return default


def _succ(number: str) -> str:
    if number.isdigit():
        return str(int(number) + 1)
    if len(number) == 1 and number.isalpha():
        return chr(ord(number) + 1)
    return number


def _before(a: str, b: str) -> bool:
    if a.isdigit() and b.isdigit():
        return int(a) < int(b)
    return a < b


def overlap(a: Provision, b: Provision) -> bool:
    """Whether two provisions are in force on some common day."""
    lo = max(a.start or dt.date.min, b.start or dt.date.min)
    hi = min(a.end or dt.date.max, b.end or dt.date.max)
    return lo <= hi


class _TooLong(Exception):
    """A run of numbers longer than limits.MAX_RUN (found before it is written out)."""


def _check_run(low: int, high: int) -> None:
    if high - low + 1 > MAX_RUN:
        raise _TooLong(f"covers {high - low + 1:,} numbers; a run covers at most {MAX_RUN:,}")


def _expand_run(first: str, last: str) -> list[str]:
    """`1.2` to `1.9` -> 1.2 ... 1.9; `2` to `5` -> 2 ... 5 (the last component steps).

    Raises _TooLong for a run of more than MAX_RUN numbers."""
    try:
        a, b = article_key(first), article_key(last)
    except ValueError:
        return []
    if len(a) != len(b) or a[:-1] != b[:-1] or a[-1] > b[-1]:
        return []
    _check_run(a[-1], b[-1])
    head = ".".join(map(str, a[:-1]))
    return [(head + "." if head else "") + str(i) for i in range(a[-1], b[-1] + 1)]


# ------------------------------------------------------------------ names of provisions


def _name(p: Provision) -> None:
    if p.kind == "article":
        p.eid = "art_" + p.number.replace(".", "-")
        p.cite = f"Article {p.number}"
    elif p.kind == "supplementary":
        p.eid = "suppl"
        p.cite = "Supplementary Provisions"
    elif p.kind == "section":
        p.eid = "sec_" + p.number.replace(".", "-")
        p.cite = f"Section {p.number}"
    elif p.kind == "paragraph":
        if p.transparent:
            p.eid, p.cite = p.parent.eid, p.parent.cite
        else:
            p.eid = f"{p.parent.eid}__para_{p.number}"
            p.cite = f"{p.parent.cite}, Paragraph {p.number}"
    elif p.kind == "item":
        p.eid = f"{p.parent.eid}__item_{p.number}"
        p.cite = f"{p.parent.cite}, Item {p.number}"
    elif p.kind == "subitem":
        p.eid = f"{p.parent.eid}__subitem_{p.number}"
        p.cite = f"{p.parent.cite}, Sub-item {p.number}"
    elif p.kind == "duties":
        base = p.parent.eid + "__" if p.parent is not None else ""
        p.eid = f"{base}duties_{p.number.lower()}"
        p.cite = (f"{p.parent.cite}, " if p.parent is not None else "") + f"duties of {p.title}"


# ------------------------------------------------------------------ references


_RELATIVE = {"items_here": "the items", "supplementary": "the supplementary provisions"}


def describe_selector(s: n.Selector) -> str:
    """One step of a reference in its canonical words (`items 1 and 2`, `the preceding article`)."""
    if s.kind in ("preceding", "following"):
        return f"the {s.kind} {s.target}"
    if s.kind == "this":
        return f"this {s.target}"
    if s.kind in _RELATIVE:
        return _RELATIVE[s.kind]
    if s.through is not None:
        return f"{s.kind}s {s.numbers[0]} to {s.through}"
    if len(s.numbers) > 1:
        return f"{s.kind}s " + " and ".join(s.numbers)
    return f"{s.kind} {s.numbers[0]}"


def describe_ref(ref: n.Ref) -> str:
    """A reference in its canonical words: for messages, and as `regdsl fmt` writes it."""
    text = " of ".join(" ".join(describe_selector(s) for s in g) for g in ref.groups)
    return f"{text} of {ref.book}" if ref.book else text


def resolve_ref(ref: n.Ref, at: Provision, book: BookModel) -> list[Provision]:
    """The provisions a reference written at `at` points to; raises CheckError."""
    target_book = book
    if ref.book is not None and ref.book != book.name:
        other = book.others.get(ref.book)
        if other is None:
            known = list(book.others) + [book.name]
            raise CheckError(f"unknown book `{ref.book}`", ref.span, code="E309",
                             hint=did_you_mean(ref.book, known)
                             or "declare it in the header: uses NAME from \"path\"")
        target_book = other
    bases: list[Provision] | None = None
    for group in reversed(ref.groups):
        if bases is None:
            bases = _resolve_group(group, None, at, target_book, ref)
        else:
            bases = [t for base in bases for t in _resolve_group(group, base, at, target_book, ref)]
    return bases or []


def _resolve_group(group, base: Provision | None, at: Provision, book: BookModel, ref) -> list[Provision]:
    current: list[Provision] = [] if base is None else [base]
    for i, sel in enumerate(group):
        if sel.kind in ("preceding", "following", "this", "items_here", "supplementary"):
            if i:
                raise CheckError(f"`{describe_ref(ref)}`: a relative reference must come first",
                                 sel.span, code="E305")
            if base is None and book is not at.book and sel.kind != "supplementary":
                # "the preceding article" counts from where it is written, which is not in that book.
                raise CheckError(f"`{describe_ref(ref)}`: {describe_selector(sel)} counts from where it is "
                                 f"written, so it cannot be in {book.short_title or ref.book}", sel.span,
                                 code="E305", hint="name the provision of the other book by its number, "
                                 f"e.g. `article 1 of {ref.book}`")
            current = [_relative(sel, base or at, book, ref)]
            if sel.kind == "items_here":
                current = _items_of(current[0], sel, ref)
            continue
        if sel.kind == "section":
            found = [p for p in book.sections if p.number == sel.numbers[0]]
            if not found:
                raise CheckError(f"`{describe_ref(ref)}` refers to Section {sel.numbers[0]}, which has "
                                 "no content of its own or does not exist", sel.span, code="E303")
            current = found
            continue
        numbers = _numbers(sel, book if sel.kind == "article" else None, ref)
        if sel.kind == "article":
            found = []
            for num in numbers:
                # the version in force when the referring provision starts to hold, else the latest
                art = book.article(num, at.start if book is at.book else None)
                if art is None:
                    raise CheckError(f"`{describe_ref(ref)}` refers to Article {num}, which does not exist"
                                     + (f" in {book.short_title}" if book is not at.book else ""),
                                     sel.span, code="E303",
                                     hint=did_you_mean(num, [k for k, v in book.by_number.items()
                                                          if not all(a.deleted for a in v)]))
                if art.deleted:
                    raise CheckError(f"`{describe_ref(ref)}` refers to Article {num}, which is deleted",
                                     sel.span, code="E304")
                found.append(art)
            current = found
            continue
        if not current:
            current = [_implicit(sel.kind, at)]
        out = []
        for c in current:
            host = _host(c, sel.kind)
            if host is None:
                raise CheckError(f"`{describe_ref(ref)}`: {c.cite} has no {sel.kind}s",
                                 sel.span, code="E303")
            for num in numbers:
                child = host.child(sel.kind, num)
                if child is None:
                    raise CheckError(f"`{describe_ref(ref)}` refers to {host.cite}, "
                                     f"{sel.kind.capitalize()} {num}, which does not exist",
                                     sel.span, code="E303")
                out.append(child)
        current = out
    return current


def _numbers(sel: n.Selector, book: BookModel | None, ref) -> list[str]:
    if sel.through is None:
        return list(sel.numbers)
    first, last = sel.numbers[0], sel.through
    try:
        if sel.kind == "article":
            run = _expand_run(first, last)
            if not run:
                raise CheckError(f"`{describe_ref(ref)}`: {first} to {last} is not a run of articles",
                                 sel.span, code="E204")
            return [r for r in run if book is None or r in book.by_number] or run
        if first.isdigit() and last.isdigit() and int(first) <= int(last):
            _check_run(int(first), int(last))
            return [str(i) for i in range(int(first), int(last) + 1)]
    except _TooLong as e:
        raise CheckError(f"`{describe_ref(ref)}` {e}", sel.span, code="E107") from None
    if first.isalpha() and last.isalpha() and first <= last:
        return [chr(c) for c in range(ord(first), ord(last) + 1)]
    raise CheckError(f"`{describe_ref(ref)}`: {first} to {last} is not a run", sel.span, code="E204")


def _implicit(kind: str, at: Provision) -> Provision:
    """Where "paragraph 2" or "item 3" written at `at` looks: its article, paragraph or item."""
    if kind == "paragraph":
        return at.article
    if kind == "item":
        p = at
        while p.kind not in ("paragraph", "duties"):
            p = p.parent
        return p
    p = at
    while p.kind not in ("item",) and p.parent is not None:
        p = p.parent
    return p


def _host(p: Provision, kind: str) -> Provision | None:
    """The provision whose children of `kind` a selector looks at, given `p`."""
    if kind == "paragraph":
        return p if p.kind in TOPS else None
    if kind == "item":
        if p.kind in TOPS:
            return p.children[0]
        return p if p.kind in ("paragraph", "duties") else None
    if kind == "subitem":
        return p if p.kind == "item" else None
    return None


def _relative(sel: n.Selector, at: Provision, book: BookModel, ref) -> Provision:
    if sel.kind == "supplementary":
        if book.supplementary is None:
            raise CheckError("the book has no Supplementary Provisions", sel.span, code="E303")
        return book.supplementary
    if sel.kind == "items_here":
        return at
    level = sel.target
    anchor: Provision | None = at
    while anchor is not None and anchor.kind != level and not (
        level == "article" and anchor.kind == "supplementary"
    ):
        anchor = anchor.parent
    if anchor is None:
        raise CheckError(f"`{describe_ref(ref)}` is not written inside an {level}",
                         sel.span, code="E305")
    if sel.kind == "this":
        return anchor
    step = -1 if sel.kind == "preceding" else 1
    if level == "article":
        if anchor.kind == "supplementary":
            raise CheckError(f"`{describe_ref(ref)}`: the Supplementary Provisions are not an article",
                             sel.span, code="E305")
        target = _neighbour_article(book, anchor, step)
        if target is None:
            raise CheckError(f"`{describe_ref(ref)}`: {anchor.cite} has no {sel.kind} article",
                             sel.span, code="E305")
        if target.deleted:
            raise CheckError(f"`{describe_ref(ref)}` from {anchor.cite} is Article {target.number}, "
                             "which is deleted", sel.span, code="E304")
        return target
    sibling = _neighbour(anchor, step)
    if sibling is None:
        raise CheckError(f"`{describe_ref(ref)}`: {anchor.cite} has no {sel.kind} {level}",
                         sel.span, code="E305")
    return sibling


def _neighbour(p: Provision, step: int) -> Provision | None:
    """The sibling of the same kind before (step -1) or after (+1) `p`."""
    parent = p.parent
    index = parent.book.child_index(parent)
    i = index[id(p)] + step
    kids = parent.children
    while 0 <= i < len(kids) and kids[i].kind != p.kind:
        i += step
    return kids[i] if 0 <= i < len(kids) else None


def _neighbour_article(book: BookModel, anchor: Provision, step: int) -> Provision | None:
    """The article before or after `anchor` in the book's order, skipping other versions of it."""
    position = book.article_index()
    i = position[id(anchor)] + step
    while 0 <= i < len(book.articles) and book.articles[i].number == anchor.number:
        i += step
    return book.articles[i] if 0 <= i < len(book.articles) else None


def _items_of(p: Provision, sel, ref) -> list[Provision]:
    host = p
    if host.kind in TOPS:
        host = host.children[0]
    kind = "subitem" if host.kind == "item" else "item"
    items = [c for c in host.children if c.kind == kind]
    if not items:
        raise CheckError(f"`{describe_ref(ref)}`: {host.cite} has no {kind}s", sel.span, code="E311")
    return items
