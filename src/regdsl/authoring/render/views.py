"""The pieces of a rendered book: dates, anchors, text segments, code, tables, entries."""

from __future__ import annotations

import datetime as dt
from typing import Callable

import attrs

from ...syntax import nodes as n
from ...model.provisions import TOPS, BookModel, Provision


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


def joined(segments, link: Callable[[Segment], str], plain: Callable[[str], str]) -> str:
    """Segments of text as one string: a cross-reference by `link`, other text by `plain`."""
    return "".join(link(s) if s.href else plain(s.text) for s in segments)


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
    """The HTML id of a section heading: `sec_3`."""
    return "sec_" + number.replace(".", "-")


def part_id(section: n.Section | None, number: str) -> str:
    """The HTML id of a part heading, inside its section: `sec_3__part_2`."""
    base = section_id(section.number) + "__" if section is not None else ""
    return f"{base}part_{number.replace('.', '-')}"


def body_id(name: str) -> str:
    """The HTML id of a body: `body_NAME`."""
    return f"body_{name}"


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
    """A table cell's value in words (a quantity in the column's own unit shows its number only)."""
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
            for i, cell in enumerate(r.cells):
                if i in shown:
                    text = cell_text(cell, units[i] if i < len(units) else None)
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


# ------------------------------------------------------------------ entries


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


def in_force_text(start: dt.date | None, end: dt.date | None) -> str:
    """`In force from April 1, 2024 until ...`, or empty when no date is given."""
    if start and end:
        return f"In force from {long_date(start)} until {long_date(end)}"
    if start:
        return f"In force from {long_date(start)}"
    if end:
        return f"In force until {long_date(end)}"
    return ""


def deleted_title(numbers: list[str]) -> str:
    """`Article 5 Deleted`, or `Articles 3–5 Deleted` for a run."""
    if len(numbers) == 1:
        return f"Article {numbers[0]} Deleted"
    return f"Articles {numbers[0]}\u2013{numbers[-1]} Deleted"
