"""`regdsl render --format markdown`: anchors and fenced `regdsl` code blocks."""

from __future__ import annotations

import re

from .html import _attr
from .views import BodyView, Code, Entry, TableView, deleted_title, joined, long_date
from .walk import Writer


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
    return joined(segs, lambda s: f"[{md_escape(s.text)}]({s.href})", md_escape)


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
