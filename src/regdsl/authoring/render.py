"""`regdsl render`: the book as a person reads it, in HTML, Markdown or plain text.

One walk over the book (`Walker`) drives three writers.  The walk follows
`book.outline`: the header and its amendment history, then sections, parts
and articles in the order of the regulation, then the Supplementary
Provisions.  Every provision carries its eId as an anchor; the rules,
declarations and conditions of a provision are shown under its text as the
exact `.reg` source they were written in; cross-references in the
regulation's words ("Article 20, Paragraph 2", "the preceding paragraph",
"Items 1 and 2 of the preceding article") and in rules (`refers to`,
`NAME of REF`, `notwithstanding REF`, ...) become links to their targets.
"""

from __future__ import annotations

import bisect
import datetime as dt
import html
import re
import sys
import textwrap
from pathlib import Path
from typing import Iterator

import attrs

from ..syntax import nodes as n
from ..errors import RegdslError, UsageError, split_lines
from ..model.resolve import TOPS, BookModel, Provision, resolve_ref

WIDTH = 80
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

# ------------------------------------------------------------------ small pieces


def long_date(d: dt.date) -> str:
    """`April 1, 1977`, as the regulations print dates."""
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


@attrs.frozen
class Segment:
    """A piece of regulation text; a cross-reference when `href` is set."""

    text: str
    href: str | None = None
    title: str | None = None


@attrs.frozen
class Link:
    """A reference inside a code snippet: characters [start, end) link to `href`."""

    start: int
    end: int
    href: str
    title: str


@attrs.frozen
class Code:
    """The `.reg` source of a provision's statements, with the references in it."""

    source: str
    links: tuple[Link, ...]
    file: str
    line: int


# ------------------------------------------------------------------ anchors


def anchor(p: Provision) -> str:
    """The HTML id of a provision: its eId (an earlier version of an article gets `@date`)."""
    top = p
    while top.parent is not None and top.kind not in TOPS:
        top = top.parent
    if top.kind == "article" and not top.deleted:
        versions = top.book.by_number.get(top.number, [top])
        if versions and versions[-1] is not top:
            when = top.start.isoformat() if top.start else f"until-{top.end.isoformat() if top.end else ''}"
            return f"{p.eid}@{when}"
    return p.eid


def section_id(number: str) -> str:
    return "sec_" + number.replace(".", "-")


def part_id(section: n.Section | None, number: str) -> str:
    base = section_id(section.number) + "__" if section is not None else ""
    return f"{base}part_{number.replace('.', '-')}"


def body_id(name: str) -> str:
    return f"body_{name}"


# ------------------------------------------------------------------ cross-references in text

_NUM = r"\d+(?:\.\d+)*"
_SING = rf"{_NUM}(?:\s+(?:and|or|to)\s+{_NUM})*"
_PLUR = rf"{_NUM}(?:(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|to)\s+){_NUM})*"
_LET = r"[a-z]\b"
_LETS = rf"{_LET}(?:(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|to)\s+){_LET})*"
_SEL = (rf"\b(?:(?i:article|paragraph|item)\s+{_SING}(?![\d.]*\d)"
        rf"|(?i:section)\s+{_NUM}(?![\d.]*\d)"
        rf"|(?i:articles|paragraphs|items)\s+{_PLUR}(?![\d.]*\d)"
        rf"|(?i:sub-?items?)\s+{_LETS})")
_CHAIN = rf"{_SEL}(?:\s*,\s*{_SEL})*"
_REL = (r"\b(?i:the\s+(?:preceding|previous|following)\s+(?:article|paragraph|item)"
        r"|this\s+(?:article|paragraph|item))\b")
PHRASE = re.compile(rf"(?:{_CHAIN})(?:\s+of\s+(?:{_CHAIN}))*(?:\s+of\s+{_REL})?|{_REL}")
_SEL_ONE = re.compile(r"(?i:(?P<kw>sub-?items?|articles?|paragraphs?|items?|section))\s+(?P<list>.+?)"
                      r"(?=\s*,\s*(?i:sub-?items?|articles?|paragraphs?|items?|section)\s|$)")
_REL_ONE = re.compile(r"(?i:(?P<rel>the\s+preceding|the\s+previous|the\s+following|this)"
                      r"\s+(?P<target>article|paragraph|item))$")
_OF_NAME = re.compile(r"\s+of\s+(?:the\s+|these\s+|this\s+)?([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)")


def _numbers(kind: str, text: str) -> tuple[tuple[str, ...], str | None] | None:
    """`1 and 2` -> (1, 2); `3 to 5` -> (3,) through 5; None when it cannot be said."""
    parts = [p for p in re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", text.strip()) if p]
    if len(parts) == 1 and " to " in f" {parts[0]} ":
        a, b = re.split(r"\s+to\s+", parts[0])
        return (a,), b
    out: list[str] = []
    for p in parts:
        if re.search(r"\s+to\s+", p):
            a, b = re.split(r"\s+to\s+", p)
            if kind == "article" or not (a.isdigit() and b.isdigit()) or int(a) > int(b):
                return None
            out += [str(i) for i in range(int(a), int(b) + 1)]
        else:
            out.append(p)
    return tuple(out), None


def phrase_ref(phrase: str) -> n.Ref | None:
    """The reference a phrase of regulation text makes, as a Ref node (or None)."""
    groups = []
    for g in re.split(r"\s+of\s+", " ".join(phrase.split())):
        rel = _REL_ONE.match(g)
        if rel:
            word = rel.group("rel").lower().split()[-1]
            kind = {"previous": "preceding"}.get(word, word)
            groups.append((n.Selector(kind, target=rel.group("target").lower()),))
            continue
        sels = []
        for m in _SEL_ONE.finditer(g):
            kw = m.group("kw").lower().replace("-", "")
            kind = kw.rstrip("s") if kw != "subitems" else "subitem"
            nums = _numbers(kind, m.group("list"))
            if nums is None:
                return None
            sels.append(n.Selector(kind, nums[0], through=nums[1]))
        if not sels:
            return None
        groups.append(tuple(sels))
    return n.Ref(tuple(groups)) if groups else None


class Linker:
    """Finds cross-references in a book's text and rules and resolves them to anchors."""

    def __init__(self, book: BookModel):
        self.book = book
        self.own_names = {x for x in (book.cited_as, book.title, "Regulations") if x}
        tops = book.articles or book.sections or ([book.supplementary] if book.supplementary else [])
        self.anywhere = (tops[0].children or [tops[0]])[0] if tops else None

    def targets(self, ref: n.Ref, at: Provision | None) -> list[Provision]:
        """The live provisions a reference points to; [] when it points nowhere in this book."""
        if ref.book is not None and ref.book != self.book.name:
            return []
        if at is None:
            first = ref.groups[-1][0] if ref.groups and ref.groups[-1] else None
            if first is None or first.kind not in ("article", "section") or self.anywhere is None:
                return []
            at = self.anywhere
        try:
            found = resolve_ref(ref, at, self.book)
        except (RegdslError, ValueError, IndexError, AttributeError):
            return []
        if not found or any(p.deleted or p.book is not self.book for p in found):
            return []
        return found

    def text(self, text: str, at: Provision | None) -> list[Segment]:
        """`text` split into plain segments and links to the provisions it cites."""
        out: list[Segment] = []
        pos = 0
        for m in PHRASE.finditer(text):
            after = _OF_NAME.match(text, m.end())
            if after and not any(name.startswith(after.group(1)) or after.group(1).startswith(name)
                                 for name in self.own_names):
                continue  # "Article 90 of the School Education Act": another instrument
            ref = phrase_ref(m.group(0))
            found = self.targets(ref, at) if ref is not None else []
            if not found:
                continue
            if m.start() > pos:
                out.append(Segment(text[pos:m.start()]))
            out.append(Segment(m.group(0), "#" + anchor(found[0]), "; ".join(p.cite for p in found)))
            pos = m.end()
        if pos < len(text):
            out.append(Segment(text[pos:]))
        return out


def _refs(node) -> Iterator[n.Ref]:
    """The references written in a statement (not those naming another book's provisions),
    in the order they are written (a work stack: a chain of `+` may be thousands long)."""
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, n.Ref):
            yield node
        elif isinstance(node, (n.Applies, n.Table, n.Body)):
            continue
        elif isinstance(node, tuple):
            stack.extend(reversed(node))
        elif attrs.has(type(node)):
            stack.extend(getattr(node, f.name) for f in reversed(attrs.fields(type(node))) if f.name != "span")


# ------------------------------------------------------------------ source of statements


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def code_of(p: Provision, statements, linker: Linker) -> Code | None:
    """The exact source lines of `statements` (with the comments just above each), dedented."""
    book = p.book
    out: list[str] = []
    links: list[Link] = []
    first_file, first_line = "", 0
    offset = 0
    for s in statements:
        span = s.span
        if span is None or span.file not in book.sources:
            continue
        lines = book.lines(span.file)
        top, last = span.line - 1, max(span.end_line, span.line)
        indent = span.column - 1
        while top > 0 and lines[top - 1].strip().startswith("#") and _indent(lines[top - 1]) == indent:
            top -= 1
        if not first_file:
            first_file, first_line = span.file, top + 1
        starts: dict[int, tuple[int, int]] = {}
        for k in range(top, min(last, len(lines))):
            line = lines[k].rstrip()
            removed = indent if line[:indent].strip() == "" else _indent(line)
            starts[k + 1] = (offset, removed)
            out.append(line[removed:])
            offset += len(line) - removed + 1
        for ref in _refs(s):
            rs = ref.span
            if rs is None or rs.line not in starts or (rs.end_line or rs.line) not in starts:
                continue
            found = linker.targets(ref, p)
            if not found:
                continue
            a = starts[rs.line][0] + rs.column - 1 - starts[rs.line][1]
            end_line = rs.end_line or rs.line
            b = starts[end_line][0] + (rs.end_column or rs.column) - 1 - starts[end_line][1]
            if b > a:
                links.append(Link(a, b, "#" + anchor(found[0]), "; ".join(x.cite for x in found)))
    if not out:
        return None
    links.sort(key=lambda x: x.start)
    kept: list[Link] = []
    for lk in links:
        if not kept or lk.start >= kept[-1].end:
            kept.append(lk)
    return Code("\n".join(out), tuple(kept), Path(first_file).name, first_line)


def shown_statements(p: Provision) -> list:
    """The statements shown as source under a provision's text (tables and bodies have their own form)."""
    return [s for s in p.statements if not isinstance(s, (n.Table, n.Body, n.Text))]


def text_paragraphs(texts: list[str]) -> list[str]:
    """A provision's `|` lines as paragraphs: joined with spaces, split at empty `|` lines."""
    out, cur = [], []
    for t in texts:
        if t.strip():
            cur.append(t.strip())
        elif cur:
            out.append(" ".join(cur))
            cur = []
    if cur:
        out.append(" ".join(cur))
    return out


# ------------------------------------------------------------------ tables


def cell_text(c: n.Cell, unit: str | None) -> str:
    """A table cell as printed (a quantity in the column's own unit shows its number only)."""
    if c.value is None:
        return ""
    text = expr_text(c.value, unit)
    if c.high is not None:
        text += " to " + expr_text(c.high, unit)
    return text


def expr_text(e, unit: str | None = None) -> str:
    if isinstance(e, n.Quantity):
        if e.per is None and e.unit == unit:
            return e.value
        return f"{e.value} {e.unit}" + (f" per {e.per}" if e.per else "")
    if isinstance(e, (n.Number, n.String)):
        return str(e.value)
    if isinstance(e, n.DateLit):
        return e.value.isoformat()
    if isinstance(e, n.TimeLit):
        return f"{e.value.hour}:{e.value.minute:02d}"
    if isinstance(e, n.Bool):
        return "yes" if e.value else "no"
    if isinstance(e, n.Name):
        return e.name
    if isinstance(e, n.Neg):
        return "-" + expr_text(e.expr, unit)
    return ""


@attrs.frozen
class TableView:
    """A table ready to print: title, note, header labels, rows (and which is the total)."""

    id: str
    title: str
    texts: tuple[str, ...]
    note: str
    headers: tuple[str, ...]
    rows: tuple[tuple[tuple[str, ...], bool], ...]


def table_view(t: n.Table, book: BookModel) -> TableView:
    """A table as the regulation prints it: the machine key column hidden (see `_shown_columns`),
    the values of a printed key in words, `Total` in a total row's first empty cell."""
    columns = [s for s in t.statements if isinstance(s, n.Column)]
    shown = _shown_columns(columns)
    units: list[str | None] = []
    headers = []
    for c in columns:
        ty = c.type.inner if isinstance(c.type, n.RangeType) else c.type
        unit = ty.name if isinstance(ty, n.SimpleType) and book.units.get(ty.name) else None
        units.append(unit)
        label = c.description or c.name.replace("_", " ").capitalize()
        headers.append(f"{label} ({unit})" if unit else label)
    rows = []
    for r in t.statements:
        if isinstance(r, n.Row):
            cells = []
            for i, c in enumerate(r.cells):
                if i in shown:
                    text = cell_text(c, units[i] if i < len(units) else None)
                    cells.append(_words(text) if isinstance(columns[i].type, n.EnumType) else text)
            if r.total and cells and not cells[0]:
                cells[0] = "Total"
            rows.append((tuple(cells), r.total))
    texts = tuple(text_paragraphs([s.text for s in t.statements if isinstance(s, n.Text)]))
    as_of = [s.date for s in t.statements if isinstance(s, n.AsOf)]
    note = f"As of {long_date(as_of[0])}" if as_of else ""
    return TableView(f"table_{t.name}", t.title or t.name.replace("_", " ").capitalize(), texts, note,
                     tuple(h for i, h in enumerate(headers) if i in shown), tuple(rows))


def _shown_columns(columns: list[n.Column]) -> set[int]:
    """The columns a reader sees.  An enumeration column is the table's machine key — what lookups
    match, not what the regulation prints — when it has no title of its own, or when another column
    has the same title (the printed words beside the key); it is hidden."""
    titles = [c.description for c in columns]
    hidden = {i for i, c in enumerate(columns) if isinstance(c.type, n.EnumType)
              and (not c.description or titles.count(c.description) > 1)}
    return {i for i in range(len(columns)) if i not in hidden}


def _words(value: str) -> str:
    """An enumeration value in words: `area_studies` is "Area studies"."""
    text = value.replace("_", " ")
    return text[:1].upper() + text[1:]


# ------------------------------------------------------------------ the walk


@attrs.frozen
class Entry:
    """One provision as printed: its label, text, encoding and nested provisions."""

    kind: str
    label: str  # "2.", "1)", "a." or "" (a first paragraph)
    id: str | None  # None when the enclosing article already carries the eId
    cite: str
    texts: tuple[tuple[Segment, ...], ...]
    code: Code | None
    tables: tuple[TableView, ...]
    bodies: tuple["BodyView", ...]
    validity: str
    children: tuple["Entry", ...]


@attrs.frozen
class BodyView:
    """A body with its text, relations and duties."""

    id: str
    name: str
    title: str
    texts: tuple[tuple[Segment, ...], ...]
    relations: tuple[tuple[str, str, str | None], ...]  # (label, title, href)
    duties: tuple[Entry, ...]


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
        ident = self.uid(anchor(p)) if own_id else None
        texts = tuple(tuple(self.linker.text(t, p)) for t in text_paragraphs(p.texts))
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
        if p.kind == "paragraph":
            return "" if p.number == "1" else f"{p.number}."
        if p.kind == "item":
            return f"{p.number})"
        if p.kind == "subitem":
            return f"{p.number}."
        return ""

    def body(self, b: n.Body, at: Provision | None) -> BodyView:
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
                    title = ((Segment(d.title),),) if d.title else ()
                    duties.append(Entry("duties", "", None, "", title, None, (), (), "", items))
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
        kinds = {k for k, _ in self.book.outline}
        section = 2
        part = section + (1 if "section" in kinds else 0)
        article = part + (1 if "part" in kinds else 0)
        return {"section": section, "part": part, "article": article}

    def header(self, w: "Writer") -> None:
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
            host = (b.articles or b.sections or [b.supplementary])[0]
            code = code_of(host, others, self.linker)
        if bodies or tables or code:
            w.declarations(bodies, tables, code)


def in_force_text(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        return f"In force from {long_date(start)} until {long_date(end)}"
    if start:
        return f"In force from {long_date(start)}"
    if end:
        return f"In force until {long_date(end)}"
    return ""


def deleted_title(numbers: list[str]) -> str:
    if len(numbers) == 1:
        return f"Article {numbers[0]} Deleted"
    return f"Articles {numbers[0]}\u2013{numbers[-1]} Deleted"


# ------------------------------------------------------------------ writers


class Writer:
    """What the walk calls; each format implements it."""

    def begin(self, book: BookModel) -> None: ...
    def header(self, title, before, established, amendments, after, in_force) -> None: ...
    def declarations(self, bodies: list[BodyView], tables: list[TableView], code: Code | None) -> None: ...
    def heading(self, level: int, ident: str | None, text: str, kind: str) -> None: ...
    def deleted(self, level: int, run: list[tuple[str | None, str]]) -> None: ...
    def article(self, level: int, ident: str | None, title: str, note: str, entries, kind="article") -> None: ...
    def entries(self, entries) -> None: ...
    def end(self) -> str: ...


# ---- HTML

CSS = """
:root { --text: #1f2328; --muted: #59636e; --rule: #d1d9e0; --accent: #0b5cad; --code-bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--text); background: #fff; overflow-wrap: break-word;
  font: 16px/1.55 Georgia, "Times New Roman", serif; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
h1, h2, h3, h4, h5, h6, summary, nav, table, .num, .note, dl { font-family: system-ui, -apple-system,
  "Segoe UI", Helvetica, Arial, sans-serif; }
h1 { font-size: 1.7rem; margin: 0 0 1rem; }
h2 { font-size: 1.35rem; margin: 2.5rem 0 0.75rem; border-bottom: 2px solid var(--rule); }
h3 { font-size: 1.15rem; margin: 2rem 0 0.5rem; }
h4, h5, h6 { font-size: 1.02rem; margin: 1.6rem 0 0.4rem; }
a { color: var(--accent); }
a.xref { text-decoration: none; border-bottom: 1px dotted var(--accent); }
a.xref:hover { border-bottom-style: solid; }
p { margin: 0.35rem 0; }
.preamble { font-style: italic; color: var(--muted); }
dl.history { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 1rem 0; }
dl.history dt { font-weight: 600; }
dl.history dd { margin: 0; }
details > summary { cursor: pointer; color: var(--muted); font-size: 0.85rem; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.9rem; }
.table-scroll { max-width: 100%; overflow-x: auto; }
th, td { border: 1px solid var(--rule); padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
thead th { background: var(--code-bg); }
tr.total td { font-weight: 700; }
caption { text-align: left; font-weight: 600; padding: 0.2rem 0; }
.num { font-weight: 600; margin-right: 0.35rem; }
.note { color: var(--muted); font-size: 0.85rem; }
article.article, section.supplementary { margin: 0 0 1.2rem; }
article.deleted h1, article.deleted h2, article.deleted h3, article.deleted h4, article.deleted h5,
article.deleted h6 { color: var(--muted); font-weight: 500; }
.provision { margin: 0.2rem 0; }
.provision .provision { margin-left: 1.6rem; }
.row { display: block; }
.encoding { margin: 0.2rem 0 0.5rem; }
.encoding .highlight { border-left: 3px solid var(--rule); }
.highlight pre { margin: 0; padding: 0.45rem 0.7rem; font-size: 0.8rem; line-height: 1.4;
  white-space: pre-wrap; overflow-wrap: anywhere;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.highlight a { color: inherit; text-decoration: underline dotted; }
.body { margin: 0.6rem 0 0.9rem; padding-left: 0.8rem; border-left: 3px solid var(--rule); }
.body-name { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.8rem;
  color: var(--muted); }
dl.relations { display: grid; grid-template-columns: max-content 1fr; gap: 0 0.8rem; margin: 0.2rem 0; }
dl.relations dd { margin: 0; }
nav.contents ul { list-style: none; padding-left: 1rem; margin: 0.2rem 0; }
nav.contents > details > ul { padding-left: 0; }
@media (min-width: 64rem) {
  .row.with-rules { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.2rem;
    align-items: start; }
  .row.with-rules > .encoding { margin-top: 0; }
}
@media print { details.encoding { display: none; } }
""".strip()


def _pygments_css() -> str:
    from pygments.formatters import HtmlFormatter

    # The default style leaves dates (Literal.Date) uncoloured: the colour of numbers (as in docs/css).
    return HtmlFormatter(style="default").get_style_defs(".highlight") + "\n.highlight .ld { color: #666666 }"


def _css_class(ttype) -> str:
    """The short CSS class Pygments' HtmlFormatter gives a token type."""
    from pygments.token import STANDARD_TYPES

    name = STANDARD_TYPES.get(ttype)
    suffix = ""
    while name is None:
        suffix = ttype[-1] + suffix
        ttype = ttype.parent
        name = STANDARD_TYPES.get(ttype)
    return name + suffix


def highlight_html(code: Code) -> str:
    """The source highlighted with RegdslLexer, in Pygments' HTML classes, references as links."""
    from pygments.token import Text, Whitespace

    from .highlight import RegdslLexer

    src = code.source + "\n"
    cuts = sorted({0, len(src)} | {lk.start for lk in code.links} | {lk.end for lk in code.links})
    out: list[str] = []
    links = list(code.links)
    li = 0
    open_link: Link | None = None
    for index, ttype, value in RegdslLexer(stripnl=False).get_tokens_unprocessed(src):
        pos = index
        end = index + len(value)
        pieces = cuts[bisect.bisect_right(cuts, pos):bisect.bisect_left(cuts, end)]  # pos < c < end
        for a, b in zip([pos] + pieces, pieces + [end]):
            if open_link is not None and a >= open_link.end:
                out.append("</a>")
                open_link = None
            while open_link is None and li < len(links) and links[li].start <= a:
                if links[li].end > a:
                    lk = links[li]
                    out.append(f'<a href="{_attr(lk.href)}" title="{_attr(lk.title)}">')
                    open_link = lk
                li += 1
            piece = html.escape(src[a:b], quote=False)
            if ttype is Text or ttype in Whitespace:
                out.append(piece)
            else:
                out.append(f'<span class="{_css_class(ttype)}">{piece}</span>')
    if open_link is not None:
        out.append("</a>")
    body = "".join(out).rstrip("\n")
    return f'<div class="highlight"><pre>{body}</pre></div>'


def _attr(s: str) -> str:
    return html.escape(s, quote=True)


def _esc(s: str) -> str:
    return html.escape(s, quote=False)


def _segments_html(segs) -> str:
    out = []
    for s in segs:
        if s.href:
            out.append(f'<a class="xref" href="{_attr(s.href)}" title="{_attr(s.title or "")}">{_esc(s.text)}</a>')
        else:
            out.append(_esc(s.text))
    return "".join(out)


def _id(ident: str | None) -> str:
    return f' id="{_attr(ident)}"' if ident else ""


class HtmlWriter(Writer):
    """One self-contained HTML page with its CSS."""

    def __init__(self):
        self.out: list[str] = []
        self.toc: list[tuple[int, str, str]] = []
        self.toc_at = 0

    def begin(self, book: BookModel) -> None:
        self.book = book
        title = book.title or book.name
        self.out += [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="regdsl render">',
            f"<title>{_esc(title)}</title>",
            "<style>",
            CSS,
            "/* Syntax highlighting (Pygments) */",
            _pygments_css(),
            "</style>",
            "</head>",
            "<body>",
            f'<main class="book"{_id("book_" + book.name if book.name else None)}>',
        ]

    def header(self, title, before, established, amendments, after, in_force) -> None:
        o = self.out
        o.append('<header class="book-header">')
        o.append(f"<h1>{_esc(title)}</h1>")
        for t in before:
            o.append(f'<p class="preamble">{_esc(t)}</p>')
        if established or in_force:
            o.append('<dl class="history">')
            if established:
                o.append(f'<dt>Established</dt><dd>{_time(established)}</dd>')
            if amendments:
                last_date, last_note = amendments[-1]
                latest = _time(last_date) + (f" ({_esc(last_note)})" if last_note else "")
                o.append(f"<dt>Amended</dt><dd>{len(amendments)} time{'s' if len(amendments) != 1 else ''}, "
                         f"most recently {latest}</dd>")
            if in_force:
                o.append(f"<dt>In force from</dt><dd>{_time(in_force)}</dd>")
            o.append("</dl>")
        if amendments:
            o.append('<details class="amendments">')
            o.append("<summary>Amendment history</summary>")
            o.append('<table class="amendments">')
            o.append("<thead><tr><th>Date</th><th>Regulation</th></tr></thead>")
            o.append("<tbody>")
            for d, note in amendments:
                o.append(f"<tr><td>{_time(d)}</td><td>{_esc(note)}</td></tr>")
            o.append("</tbody></table>")
            o.append("</details>")
        for t in after:
            o.append(f'<p class="preamble">{_esc(t)}</p>')
        o.append("</header>")
        self.toc_at = len(o)

    def declarations(self, bodies, tables, code) -> None:
        o = self.out
        o.append('<details class="declarations">')
        o.append("<summary>Bodies and declarations of the book</summary>")
        for b in bodies:
            self._body(b)
        for t in tables:
            self._table(t)
        if code is not None:
            o.append(f'<div class="encoding">{highlight_html(code)}</div>')
        o.append("</details>")

    def heading(self, level, ident, text, kind) -> None:
        h = min(level, 6)
        self.out.append(f'<h{h} class="{kind}"{_id(ident)}>{_esc(text)}</h{h}>')
        if ident:
            self.toc.append((0 if kind == "section" else 1, ident, text))

    def deleted(self, level, run) -> None:
        h = min(level, 6)
        first_id = run[0][0]
        self.out.append(f'<article class="article deleted"{_id(first_id)}>')
        self.out.append(f"<h{h}>{_esc(deleted_title([num for _, num in run]))}</h{h}>")
        for ident, _ in run[1:]:
            if ident:
                self.out.append(f'<span class="anchor"{_id(ident)}></span>')
        self.out.append("</article>")

    def article(self, level, ident, title, note, entries, kind="article") -> None:
        h = min(level, 6)
        tag = "section" if kind == "supplementary" else "article"
        self.out.append(f'<{tag} class="{kind}"{_id(ident)}>')
        self.out.append(f"<h{h}>{_esc(title)}</h{h}>")
        if kind == "supplementary" and ident:
            self.toc.append((0, ident, title))
        if note:
            self.out.append(f'<p class="note">{_esc(note)}</p>')
        self.entries(entries)
        self.out.append(f"</{tag}>")

    def entries(self, entries) -> None:
        for e in entries:
            self._entry(e)

    def _entry(self, e: Entry) -> None:
        o = self.out
        o.append(f'<div class="provision {e.kind}"{_id(e.id)}>')
        with_rules = " with-rules" if e.code is not None else ""
        o.append(f'<div class="row{with_rules}">')
        o.append('<div class="text">')
        if e.validity:
            o.append(f'<p class="note">{_esc(e.validity)}</p>')
        if not e.texts and e.label:
            o.append(f'<p><span class="num">{_esc(e.label)}</span></p>')
        for i, segs in enumerate(e.texts):
            num = f'<span class="num">{_esc(e.label)}</span> ' if e.label and i == 0 else ""
            o.append(f"<p>{num}{_segments_html(segs)}</p>")
        o.append("</div>")
        if e.code is not None:
            o.append('<details class="encoding" open>')
            o.append(f"<summary>regdsl \u2014 {_esc(e.code.file)}, line {e.code.line}</summary>")
            o.append(highlight_html(e.code))
            o.append("</details>")
        o.append("</div>")
        for t in e.tables:
            self._table(t)
        for b in e.bodies:
            self._body(b)
        for c in e.children:
            self._entry(c)
        o.append("</div>")

    def _table(self, t: TableView) -> None:
        o = self.out
        for text in t.texts:
            o.append(f"<p>{_esc(text)}</p>")
        o.append('<div class="table-scroll">')  # a table wider than the page scrolls in its box
        o.append(f'<table class="data"{_id(t.id)}>')
        caption = _esc(t.title) + (f' <span class="note">({_esc(t.note)})</span>' if t.note else "")
        o.append(f"<caption>{caption}</caption>")
        o.append("<thead><tr>" + "".join(f"<th>{_esc(h)}</th>" for h in t.headers) + "</tr></thead>")
        o.append("<tbody>")
        for cells, total in t.rows:
            cls = ' class="total"' if total else ""
            o.append(f"<tr{cls}>" + "".join(f"<td>{_esc(c)}</td>" for c in cells) + "</tr>")
        o.append("</tbody></table>")
        o.append("</div>")

    def _body(self, b: BodyView) -> None:
        o = self.out
        o.append(f'<div class="body"{_id(b.id)}>')
        o.append(f'<p><strong>{_esc(b.title)}</strong> <span class="body-name">{_esc(b.name)}</span></p>')
        for segs in b.texts:
            o.append(f"<p>{_segments_html(segs)}</p>")
        if b.relations:
            o.append('<dl class="relations">')
            for label, title, href in b.relations:
                target = f'<a href="{_attr(href)}">{_esc(title)}</a>' if href else _esc(title)
                o.append(f"<dt>{_esc(label)}</dt><dd>{target}</dd>")
            o.append("</dl>")
        for d in b.duties:
            self._entry(d)
        o.append("</div>")

    def end(self) -> str:
        if self.toc:
            nav = ['<nav class="contents">', "<details>", "<summary>Contents</summary>", "<ul>"]
            depth = 0
            for level, ident, text in self.toc:
                while depth < level:
                    nav.append("<li><ul>")
                    depth += 1
                while depth > level:
                    nav.append("</ul></li>")
                    depth -= 1
                nav.append(f'<li><a href="#{_attr(ident)}">{_esc(text)}</a></li>')
            while depth > 0:
                nav.append("</ul></li>")
                depth -= 1
            nav += ["</ul>", "</details>", "</nav>"]
            self.out[self.toc_at:self.toc_at] = nav
        self.out += ["</main>", "</body>", "</html>", ""]
        return "\n".join(self.out)


def _time(d: dt.date) -> str:
    return f'<time datetime="{d.isoformat()}">{long_date(d)}</time>'


# ---- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def md_escape(text: str) -> str:
    """Text that Markdown prints as written."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text)
    return re.sub(r"^(\s*)(?:([#+\-=])|(\d+)([.)]))", _md_line_start, text)


def _md_line_start(m: re.Match) -> str:
    """`#`, `+`, `-`, `=` or `2.` / `1)` at the start would make a heading or a list."""
    if m.group(2):
        return f"{m.group(1)}\\{m.group(2)}"
    return f"{m.group(1)}{m.group(3)}\\{m.group(4)}"


def _segments_md(segs) -> str:
    out = []
    for s in segs:
        if s.href:
            out.append(f"[{md_escape(s.text)}]({s.href})")
        else:
            out.append(md_escape(s.text))
    return "".join(out)


def _md_anchor(ident: str | None) -> str:
    return f'<a id="{_attr(ident)}"></a>' if ident else ""


def _fence(source: str) -> str:
    longest = max((len(m) for m in re.findall(r"`{3,}", source)), default=2)
    return "`" * max(3, longest + 1)


class MarkdownWriter(Writer):
    """Markdown with `<a id>` anchors and fenced `regdsl` code blocks."""

    def __init__(self):
        self.out: list[str] = []

    def para(self, text: str) -> None:
        self.out += [text, ""]

    def begin(self, book) -> None:
        self.book = book

    def header(self, title, before, established, amendments, after, in_force) -> None:
        self.para(f"# {md_escape(title)}")
        for t in before:
            self.para(f"*{md_escape(t)}*")
        if established:
            self.para(f"Established: {long_date(established)}")
        if amendments:
            self.para("Amended:")
            self.out += ["| Date | Regulation |", "|---|---|"]
            self.out += [f"| {long_date(d)} | {md_escape(note)} |" for d, note in amendments]
            self.out.append("")
        for t in after:
            self.para(f"*{md_escape(t)}*")
        if in_force:
            self.para(f"In force from {long_date(in_force)}")

    def declarations(self, bodies, tables, code) -> None:
        self.para("**Bodies and declarations of the book**")
        for b in bodies:
            self._body(b)
        for t in tables:
            self._table(t)
        if code is not None:
            self._code(code)

    def heading(self, level, ident, text, kind) -> None:
        self.para(f"{'#' * min(level, 6)} {_md_anchor(ident)}{md_escape(text)}")

    def deleted(self, level, run) -> None:
        anchors = "".join(_md_anchor(ident) for ident, _ in run)
        self.para(f"{'#' * min(level, 6)} {anchors}{md_escape(deleted_title([num for _, num in run]))}")

    def article(self, level, ident, title, note, entries, kind="article") -> None:
        self.para(f"{'#' * min(level, 6)} {_md_anchor(ident)}{md_escape(title)}")
        if note:
            self.para(f"*{md_escape(note)}*")
        self.entries(entries)

    def entries(self, entries) -> None:
        for e in entries:
            self._entry(e)

    def _entry(self, e: Entry) -> None:
        label = md_escape(e.label) + " " if e.label else ""
        if e.validity:
            self.para(f"*{md_escape(e.validity)}*")
        texts = list(e.texts) or [()]
        for i, segs in enumerate(texts):
            lead = (_md_anchor(e.id) + label) if i == 0 else ""
            line = (lead + _segments_md(segs)).rstrip()
            if line:
                self.para(line)
        if e.code is not None:
            self._code(e.code)
        for t in e.tables:
            self._table(t)
        for b in e.bodies:
            self._body(b)
        for c in e.children:
            self._entry(c)

    def _code(self, code: Code) -> None:
        fence = _fence(code.source)
        self.out += [f"{fence}regdsl", code.source, fence, ""]

    def _table(self, t: TableView) -> None:
        for text in t.texts:
            self.para(md_escape(text))
        caption = md_escape(t.title) + (f" ({md_escape(t.note)})" if t.note else "")
        self.para(f'{_md_anchor(t.id)}**{caption}**')
        cell = lambda s: md_escape(s).replace("\n", " ")  # noqa: E731
        self.out.append("| " + " | ".join(cell(h) for h in t.headers) + " |")
        self.out.append("|" + "---|" * len(t.headers))
        for cells, total in t.rows:
            shown = [f"**{cell(c)}**" if total and c else cell(c) for c in cells]
            self.out.append("| " + " | ".join(shown) + " |")
        self.out.append("")

    def _body(self, b: BodyView) -> None:
        self.para(f"{_md_anchor(b.id)}**{md_escape(b.title)}** (`{b.name}`)")
        for segs in b.texts:
            self.para(_segments_md(segs))
        for label, title, href in b.relations:
            target = f"[{md_escape(title)}]({href})" if href else md_escape(title)
            self.out.append(f"- {md_escape(label)}: {target}")
        if b.relations:
            self.out.append("")
        for d in b.duties:
            self._entry(d)

    def end(self) -> str:
        while self.out and self.out[-1] == "":
            self.out.pop()
        return "\n".join(self.out) + "\n"


# ---- plain text


class TextWriter(Writer):
    """Plain text for a terminal: 80 columns, rules indented with `> `."""

    def __init__(self):
        self.out: list[str] = []

    def wrap(self, text: str, indent: str = "", hang: str | None = None) -> None:
        lines = textwrap.wrap(text, WIDTH, initial_indent=indent,
                              subsequent_indent=hang if hang is not None else indent,
                              break_long_words=False, break_on_hyphens=False)
        self.out += lines or [indent.rstrip()]

    def blank(self) -> None:
        if self.out and self.out[-1] != "":
            self.out.append("")

    def begin(self, book) -> None:
        self.book = book

    def header(self, title, before, established, amendments, after, in_force) -> None:
        self.wrap(title)
        self.out.append("=" * min(WIDTH, max(len(line) for line in self.out)))
        self.blank()
        for t in before:
            self.wrap(t)
            self.blank()
        if established:
            self.out.append(f"Established: {long_date(established)}")
        if amendments:
            self.out.append("Amended:")
            for d, note in amendments:
                self.out.append(f"  {long_date(d):<20}{note}".rstrip())
        if established or amendments:
            self.blank()
        for t in after:
            self.wrap(t)
            self.blank()
        if in_force:
            self.out.append(f"In force from {long_date(in_force)}")
            self.blank()

    def declarations(self, bodies, tables, code) -> None:
        self.out.append("Bodies and declarations of the book")
        self.blank()
        for b in bodies:
            self._body(b, "")
        for t in tables:
            self._table(t, "")
        if code is not None:
            self._code(code, "")
            self.blank()

    def heading(self, level, ident, text, kind) -> None:
        self.blank()
        self.blank()
        self.wrap(text)
        self.out.append(("=" if kind == "section" else "-") * min(WIDTH, len(text)))
        self.blank()

    def deleted(self, level, run) -> None:
        self.blank()
        self.out.append(deleted_title([num for _, num in run]))

    def article(self, level, ident, title, note, entries, kind="article") -> None:
        self.blank()
        if kind == "supplementary":
            self.blank()
            self.out.append(title)
            self.out.append("=" * min(WIDTH, len(title)))
            self.blank()
        else:
            self.wrap(title)
        if note:
            self.out.append(f"({note})")
        self.entries(entries)

    def entries(self, entries) -> None:
        for i, e in enumerate(entries):
            if i:
                self.blank()
            self._entry(e, "")

    def _entry(self, e: Entry, indent: str) -> None:
        label = f"{e.label} " if e.label else ""
        hang = indent + " " * len(label)
        if e.validity:
            self.out.append(f"{indent}({e.validity})")
        texts = ["".join(s.text for s in segs) for segs in e.texts]
        if not texts and label:
            self.out.append(indent + label.rstrip())
        for i, t in enumerate(texts):
            if i:
                self.blank()
            self.wrap(t, (indent + label) if i == 0 else hang, hang)
        if e.code is not None:
            self._code(e.code, hang)
        for t in e.tables:
            self._table(t, hang)
        for b in e.bodies:
            self._body(b, hang)
        child_indent = hang if e.kind != "paragraph" else indent + "  "
        for c in e.children:
            self._entry(c, child_indent)

    def _code(self, code: Code, indent: str) -> None:
        for line in split_lines(code.source):
            self.out.append(f"{indent}> {line}".rstrip())

    def _table(self, t: TableView, indent: str) -> None:
        self.blank()
        for text in t.texts:
            self.wrap(text, indent)
        self.out.append(f"{indent}{t.title}" + (f" ({t.note})" if t.note else ""))
        rows = [list(t.headers)] + [list(cells) for cells, _ in t.rows]
        ncol = max(len(r) for r in rows)
        for r in rows:
            r += [""] * (ncol - len(r))
        widths = [max(len(r[i]) for r in rows) for i in range(ncol)]
        if len(indent) + sum(w + 3 for w in widths) + 1 > WIDTH:
            self._records(t, indent)
            return
        sep = indent + "+" + "+".join("-" * (w + 2) for w in widths) + "+"

        def line(cells):
            return indent + "|" + "|".join(f" {c:<{w}} " for c, w in zip(cells, widths)) + "|"

        self.out.append(sep)
        self.out.append(line(rows[0]))
        self.out.append(sep.replace("-", "="))
        for (cells, total), r in zip(t.rows, rows[1:]):
            if total:
                self.out.append(sep)
            self.out.append(line(r))
        self.out.append(sep)
        self.blank()

    def _records(self, t: TableView, indent: str) -> None:
        """A table too wide for the terminal: one block per row, `header: value` lines."""
        width = max(len(h) for h in t.headers) if t.headers else 0
        for cells, total in t.rows:
            mark = "= " if total else "- "
            for h, c in zip(t.headers, cells):
                if c:
                    self.wrap(f"{h + ':':<{width + 1}} {c}", indent + mark, indent + " " * (width + 4))
                    mark = "  "
        self.blank()

    def _body(self, b: BodyView, indent: str) -> None:
        self.blank()
        self.wrap(f"{b.title} ({b.name})", indent)
        for segs in b.texts:
            self.wrap("".join(s.text for s in segs), indent + "  ")
        for label, title, _ in b.relations:
            self.wrap(f"{label}: {title}", indent + "  ")
        for d in b.duties:
            self._entry(d, indent + "  ")
        self.blank()

    def end(self) -> str:
        while self.out and self.out[-1] == "":
            self.out.pop()
        return "\n".join(line.rstrip() for line in self.out) + "\n"


WRITERS = {"html": HtmlWriter, "markdown": MarkdownWriter, "text": TextWriter}


# ------------------------------------------------------------------ entry points


def render(book, fmt: str = "html") -> str:
    """The book (a Book from `regdsl.load`, or its BookModel) in `html`, `markdown` or `text`."""
    model = getattr(book, "model", book)
    writer = WRITERS.get(fmt)
    if writer is None:
        raise UsageError(f"unknown format `{fmt}`; use html, markdown or text", code="E701")
    return Walker(model).run(writer())


def main(args) -> int:
    """`regdsl render BOOK [--format html|text|markdown] [-o FILE]`."""
    from ..api import load

    book = load(args.book)
    text = render(book, args.format)
    if args.output:
        try:
            Path(args.output).write_text(text, "utf-8")
        except OSError as e:
            raise UsageError(f"cannot write {args.output}: {e.strerror or e}", code="E702") from None
    else:
        sys.stdout.write(text)
    return 0
