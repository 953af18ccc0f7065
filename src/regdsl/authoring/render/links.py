"""Cross-references in a book's text and rules, resolved to the anchors of their targets."""

from __future__ import annotations

from pathlib import Path

from ...syntax import nodes as n
from ...syntax.citations import OF_NAME, PHRASE, phrase_ref
from ...errors import RegdslError
from ...model.provisions import BookModel, Provision
from ...model.references import resolve_ref, statement_refs
from .views import Code, Link, Segment, anchor


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
        got = self.book.references.lookup(ref, at)
        if got is None:  # a phrase of the text, or a declaration outside any provision
            try:
                got = resolve_ref(ref, at, self.book)
            except (RegdslError, ValueError, IndexError, AttributeError):
                return []
        if isinstance(got, RegdslError):
            return []
        found = got
        if not found or any(p.deleted or p.book is not self.book for p in found):
            return []
        return found

    def text(self, text: str, at: Provision | None) -> list[Segment]:
        """`text` split into plain segments and links to the provisions it cites."""
        out: list[Segment] = []
        pos = 0
        for m in PHRASE.finditer(text):
            after = OF_NAME.match(text, m.end())
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
        for ref in statement_refs(s):
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
