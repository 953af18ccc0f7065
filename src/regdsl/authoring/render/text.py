"""`regdsl render --format text`: plain text for a terminal."""

from __future__ import annotations

import textwrap

from ...errors import split_lines
from .views import BodyView, Code, Entry, TableView, deleted_title, long_date
from .walk import Writer

WIDTH = 80


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
        for table in e.tables:
            self._table(table, hang)
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
