"""The walk over a book that drives a writer, in the order of the regulation."""

from __future__ import annotations

from ...syntax import nodes as n
from ...model.provisions import BookModel, Provision
from .links import Linker, code_of
from .views import (BodyView, Code, Entry, Segment, TableView, anchor, body_id, in_force_text, part_id,
                    section_id, shown_statements, table_view, text_paragraphs)


class Walker:
    """Turns a checked book into calls on a writer, in the order of the regulation."""

    def __init__(self, book: BookModel):
        self.book = book
        self.linker = Linker(book)
        self.used: set[str] = set()

    def uid(self, ident: str | None) -> str | None:
        """An id not yet used on the page (None for a repeat)."""
        if ident is None or ident in self.used:
            return None
        self.used.add(ident)
        return ident

    # ---- provisions
    def entry(self, p: Provision, label: str, own_id: bool = True) -> Entry:
        """A provision as printed, with its text, encoding and nested provisions."""
        ident = self.uid(anchor(p)) if own_id else None
        texts = tuple(tuple(self.linker.text(t, p)) for t in text_paragraphs(p.texts))
        if p.deleted and p.kind != "article":  # `paragraph N deleted` in a later version
            texts = ((Segment("Deleted"),),)
        code = code_of(p, shown_statements(p), self.linker)
        tables = tuple(table_view(s, self.book) for s in p.statements if isinstance(s, n.Table))
        bodies = tuple(self.body(s, p) for s in p.statements if isinstance(s, n.Body))
        children = []
        for c in p.children:
            if c.kind == "duties":
                continue  # printed with its body
            children.append(self.entry(c, self.label(c)))
        validity = ""
        if p.parent is not None and p.kind == "paragraph" and (p.start, p.end) != (p.parent.start, p.parent.end):
            validity = in_force_text(p.start, p.end)
        return Entry(p.kind, label, ident, p.cite, texts, code, tables, bodies, validity, tuple(children))

    @staticmethod
    def label(p: Provision) -> str:
        """The number a provision is printed with: `2.`, `1)`, `a.` (none for a first paragraph)."""
        if p.kind == "paragraph":
            return "" if p.number == "1" else f"{p.number}."
        if p.kind == "item":
            return f"{p.number})"
        if p.kind == "subitem":
            return f"{p.number}."
        return ""

    def body(self, b: n.Body, at: Provision | None) -> BodyView:
        """A body with its text, relations and duties; `at` is the provision it is declared in."""
        texts = tuple(tuple(self.linker.text(t, at))
                      for t in text_paragraphs([s.text for s in b.statements if isinstance(s, n.Text)]))
        relations = []
        for s in b.statements:
            if isinstance(s, n.Relation):
                other = self.book.bodies.get(s.target)
                title = other[0].title if other else s.target
                relations.append((s.kind.capitalize(), title, "#" + body_id(s.target) if other else None))
        duties = []
        if at is not None:
            for c in at.children:
                if c.kind == "duties" and c.number == b.name:
                    duties.append(self.entry(c, ""))
        else:  # a body outside any provision: its duties are not provisions, only text
            for d in b.statements:
                if isinstance(d, n.Duties):
                    items = tuple(self._plain(i) for i in d.items if isinstance(i, n.Item))
                    heading = ((Segment(d.title),),) if d.title else ()
                    duties.append(Entry("duties", "", None, "", heading, None, (), (), "", items))
        return BodyView(self.uid(body_id(b.name)) or "", b.name, b.title, texts, tuple(relations), tuple(duties))

    def _plain(self, node) -> Entry:
        """An item or sub-item straight from the syntax tree (text only, no anchor)."""
        label = f"{node.number})" if isinstance(node, n.Item) else f"{node.letter}."
        texts = text_paragraphs([s.text for s in node.body if isinstance(s, n.Text)])
        kids = tuple(self._plain(s) for s in node.body if isinstance(s, n.SubItem))
        return Entry("item" if isinstance(node, n.Item) else "subitem", label, None, "",
                     tuple((Segment(t),) for t in texts), None, (), (), "", kids)

    def top(self, p: Provision) -> tuple[Entry, ...]:
        """The paragraphs of an article, section or the Supplementary Provisions."""
        out = []
        for c in p.children:
            own = not c.transparent
            out.append(self.entry(c, self.label(c), own_id=own))
        return tuple(out)

    # ---- the book
    def run(self, w: "Writer") -> str:
        """The whole book, written by `w`."""
        b = self.book
        w.begin(b)
        self.header(w)
        self.declarations(w)
        levels = self.levels()
        section: n.Section | None = None
        part: n.Part | None = None
        section_content = {(p.number, p.span): p for p in b.sections}
        outline = b.outline
        i = 0
        while i < len(outline):
            kind, obj = outline[i]
            if kind == "section":
                # Each file of a book may repeat the section it continues: one heading.
                if section is None or (section.number, section.title) != (obj.number, obj.title):
                    w.heading(levels["section"], self.uid(section_id(obj.number)),
                              f"Section {obj.number} {obj.title}".strip(), "section")
                    part = None
                section = obj
                prov = section_content.get((obj.number, obj.span))
                if prov is not None:
                    w.entries(self.top(prov))
            elif kind == "part":
                if part is None or (part.number, part.title) != (obj.number, obj.title):
                    w.heading(levels["part"], self.uid(part_id(section, obj.number)),
                              f"Part {obj.number} {obj.title}".strip(), "part")
                part = obj
            elif kind == "article":
                if obj.deleted:
                    run = [obj]
                    while (i + 1 < len(outline) and outline[i + 1][0] == "article"
                           and outline[i + 1][1].deleted and outline[i + 1][1].span == obj.span):
                        i += 1
                        run.append(outline[i][1])
                    w.deleted(levels["article"], [(self.uid(anchor(a)), a.number) for a in run])
                else:
                    note = ""
                    if (obj.start, obj.end) != (b.in_force, None):
                        note = in_force_text(obj.start, obj.end)
                    w.article(levels["article"], self.uid(anchor(obj)),
                              f"Article {obj.number} {obj.title}".strip(), note, self.top(obj))
            elif kind == "supplementary":
                w.article(levels["section"], self.uid(obj.eid), obj.title or "Supplementary Provisions", "",
                          self.top(obj), kind="supplementary")
            i += 1
        return w.end()

    def levels(self) -> dict[str, int]:
        """The heading level of sections, parts and articles (one deeper for each kind the book has)."""
        kinds = {k for k, _ in self.book.outline}
        section = 2
        part = section + (1 if "section" in kinds else 0)
        article = part + (1 if "part" in kinds else 0)
        return {"section": section, "part": part, "article": article}

    def header(self, w: "Writer") -> None:
        """The title, preamble, amendment history and date of entry into force."""
        b = self.book
        before: list[str] = []
        after: list[str] = []
        seen_history = False
        if b.header is not None:
            for s in b.header.statements:
                if isinstance(s, n.Text):
                    (after if seen_history else before).append(s.text)
                elif isinstance(s, (n.Established, n.Amended)):
                    seen_history = True
        w.header(b.title or b.name, text_paragraphs(before), b.established,
                 [(a.date, a.note or "") for a in b.amendments], text_paragraphs(after), b.in_force)

    def declarations(self, w: "Writer") -> None:
        """Bodies and other declarations written outside any provision."""
        b = self.book
        bodies = [self.body(node, None) for node, at in b.bodies.values() if at is None]
        tables = [table_view(node, b) for node, at in b.tables.values() if at is None]
        others = []
        for m in b.modules:
            for item in m.items:
                if isinstance(item, (n.Fact, n.Outcome, n.Define, n.Decision, n.Unit)):
                    others.append(item)
        code = None
        if others and (b.articles or b.sections or b.supplementary):
            host = b.articles[0] if b.articles else b.sections[0] if b.sections else b.supplementary
            assert host is not None  # one of the three is there
            code = code_of(host, others, self.linker)
        if bodies or tables or code:
            w.declarations(bodies, tables, code)


# ------------------------------------------------------------------ writers


class Writer:
    """What the walk calls; each format implements it."""

    def begin(self, book: BookModel) -> None:
        """Start the page of `book`."""

    def header(self, title, before, established, amendments, after, in_force) -> None:
        """The title, the text before and after the amendment history, the history and the date in force."""

    def declarations(self, bodies: list[BodyView], tables: list[TableView], code: Code | None) -> None:
        """What the book declares outside any provision."""

    def heading(self, level: int, ident: str | None, text: str, kind: str) -> None:
        """A section or part heading."""

    def deleted(self, level: int, run: list[tuple[str | None, str]]) -> None:
        """A run of deleted articles: (anchor, number) each."""

    def article(self, level: int, ident: str | None, title: str, note: str, entries, kind="article") -> None:
        """An article (or the Supplementary Provisions) with its paragraphs."""

    def entries(self, entries) -> None:
        """Paragraphs outside an article (a section's own)."""

    def end(self) -> str:
        """The finished page."""
        raise NotImplementedError
