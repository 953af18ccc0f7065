"""Syntax trees to a book model: the tree of articles, paragraphs, items and sub-items
(each with its citation and Akoma Ntoso style eId), their numbering checked, and the
declarations, rules, tables and bodies collected."""

from __future__ import annotations

from collections.abc import Mapping

from ..syntax import nodes as n
from ..syntax.printer import cite_step
from ..errors import Span, did_you_mean
from ..core.units import UnitDef, exact
from ..core.limits import MAX_RUN_TOTAL
from .references import resolve_all
from .numbers import _before, _expand_run, _int, _succ, _TooLong, article_key
from .provisions import BookModel, Provision, RuleInfo, Symbol, source_of, overlap


def build(modules: list[n.Module], sources: dict[str, str], header_expected: bool = True) -> BookModel:
    """The book model of the given files, in order, with structural findings.

    `header_expected` is false when a file could not be read or parsed: its
    header may be there, so its absence is not reported."""
    book = BookModel()
    book.sources = dict(sources)  # the caller's dict goes on to collect the used books' files
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



def complete(book: BookModel, others: Mapping[str, BookModel]) -> BookModel:
    """The last step of building a model, once the books it uses are read: they are attached
    and every reference is resolved (`book.references`).  Nothing writes the model after this."""
    book.others.update(others)
    book.references = resolve_all(book)
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
        """One top-level item of a file."""
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
        """The book header: name, title, dates, the books it uses."""
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
        """An article (a new version of one, with `in force from`)."""
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
        """`article N deleted` or a run `articles N to M deleted`."""
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
            elif isinstance(s, n.Deleted) and s.kind == "paragraph":
                if s.first != str(expected):
                    self._numbering("paragraph", s.first, str(expected), s.span)
                para = Provision("paragraph", s.first, p, self.book, s.span)
                para.start, para.end = p.start, p.end
                para.deleted = True
                p.children.append(para)
                expected = _int(s.first, expected) + 1
            elif p.children[-1] is not first:
                self.book.error("text, rules and items of paragraph 1 go before `paragraph 2`",
                                getattr(s, "span", None), "E206")
            else:
                self.fill(first, [s])

    def fill(self, p: Provision, body) -> None:
        """The statements, items and sub-items of provision `p`."""
        expected = self.expected.setdefault(id(p), {})
        for s in body:
            if isinstance(s, (n.Item, n.SubItem)):
                kind = "item" if isinstance(s, n.Item) else "subitem"
                number = s.number if isinstance(s, n.Item) else s.letter
                want = expected.get(kind, "1" if kind == "item" else "a")
                if number != want:
                    self._numbering(kind, number, want, s.span)
                child = Provision(kind, number, p, self.book, s.span)
                child.start, child.end = p.start, p.end
                p.children.append(child)
                self.fill(child, s.body)
                expected[kind] = _succ(number)
            elif isinstance(s, n.Deleted) and s.kind == "item":
                want = expected.get("item", "1")
                if s.first != want:
                    self._numbering("item", s.first, want, s.span)
                child = Provision("item", s.first, p, self.book, s.span)
                child.start, child.end = p.start, p.end
                child.deleted = True
                p.children.append(child)
                expected["item"] = _succ(s.first)
            else:
                self.statement(p, s)

    def _numbering(self, kind: str, got: str, want: str, span, hint=None) -> None:
        code = "E201" if _before(got, want) else "E202"
        what = "repeats or goes back" if code == "E201" else "skips a number"
        self.book.error(f"{kind} {got} {what}: expected {kind} {want}", span, code, hint)

    def statement(self, p: Provision | None, s) -> None:
        """One statement written in provision `p` (None: outside any provision)."""
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
            info.source = source_of(b, s.span)
            b.rules.setdefault(s.name, []).append(info)
        elif isinstance(s, n.Condition):
            assert p is not None  # the grammar has conditions only in items and sub-items
            if p.condition is not None:
                b.error("an item has one condition; join them with `and` or `or`", s.span, "E206")
            p.condition = s
        elif isinstance(s, n.Delegated):
            assert p is not None  # and `delegated` only in provisions
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

    def unit(self, s: n.Unit) -> None:
        """A unit declaration, in terms of a unit declared before it."""
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


def _name(p: Provision) -> None:
    if p.kind == "article":
        p.eid = "art_" + p.number.replace(".", "-")
        p.cite = cite_step("article", p.number)
    elif p.kind == "supplementary":
        p.eid = "suppl"
        p.cite = cite_step("supplementary")
    elif p.kind == "section":
        p.eid = "sec_" + p.number.replace(".", "-")
        p.cite = cite_step("section", p.number)
    elif p.kind == "paragraph":
        if p.transparent:
            p.eid, p.cite = p.owner.eid, p.owner.cite
        else:
            p.eid = f"{p.owner.eid}__para_{p.number}"
            p.cite = f"{p.owner.cite}, {cite_step('paragraph', p.number)}"
    elif p.kind == "item":
        p.eid = f"{p.owner.eid}__item_{p.number}"
        p.cite = f"{p.owner.cite}, {cite_step('item', p.number)}"
    elif p.kind == "subitem":
        p.eid = f"{p.owner.eid}__subitem_{p.number}"
        p.cite = f"{p.owner.cite}, {cite_step('subitem', p.number)}"
    elif p.kind == "duties":
        base = p.parent.eid + "__" if p.parent is not None else ""
        p.eid = f"{base}duties_{p.number.lower()}"
        p.cite = (f"{p.parent.cite}, " if p.parent is not None else "") + f"duties of {p.title}"
