"""What hover shows: a provision's citation and words; a name's kind, type, unit and description."""

from __future__ import annotations

from typing import Any

from ...model.provisions import BookModel, Provision
from .index import MAX_HOVER_TEXT, Index, Target


def hover_text(index: Index, target: Target) -> str:
    """Markdown for the thing `target` names."""
    p = index.provision(target.key)
    if p is not None:
        return _provision(p)
    found = index.symbol(target.key)
    if found is None:
        return f"**{target.label}**"
    node, book = found
    if target.kind == "table":
        return _titled("table", target.label, getattr(node, "title", None), book)
    if target.kind == "body":
        return _titled("body", target.label, getattr(node, "title", None), book)
    if target.kind == "book":
        return f"**book `{book.name}`** — {book.title}"
    return _symbol(node, book, index.ir if book is index.book else None)


def _titled(kind: str, name: str, title: str | None, book: BookModel) -> str:
    out = f"**{kind} `{name}`**"
    if title:
        out += f" — {title}"
    return out + f"\n\n*{book.short_title}*"


def _provision(p: Provision) -> str:
    head = f"**{p.cite}**"
    if p.kind == "article" and p.title:
        head += f" — {p.title}"
    if p.book.short_title:
        head += f" ({p.book.short_title})"
    if (p.start is not None and p.start != p.book.in_force) or p.end is not None:
        head += f"\n\nin force {'from ' + str(p.start) if p.start else ''}" \
                f"{' until ' + str(p.end) if p.end else ''}"
    if p.deleted:
        return head + "\n\n*deleted*"
    words = _words(p)
    if len(words) > MAX_HOVER_TEXT:
        words = words[:MAX_HOVER_TEXT].rsplit(" ", 1)[0] + " …"
    return head + ("\n\n" + words if words else "")


def _words(p: Provision) -> str:
    """The provision's own words and those of the paragraphs and items under it, numbered."""
    parts: list[str] = []
    stack: list[tuple[Provision, int]] = [(p, 0)]
    while stack:
        q, depth = stack.pop()
        text = q.text
        if q is not p:
            label = {"paragraph": f"{q.number}.", "item": f"{q.number})", "subitem": f"({q.number})"}.get(
                q.kind, "")
            if q.kind == "paragraph" and q.number == "1":
                label = ""
            text = f"{label} {text}".strip()
        if text:
            parts.append("> " + "  " * max(0, depth - 1) + text)
        stack.extend((c, depth + (0 if (q.kind in ("article", "supplementary", "section")) else 1))
                     for c in reversed(q.children))
    return "\n>\n".join(parts)


def _symbol(symbol: Any, book: BookModel, ir: Any) -> str:
    decl = symbol.decl
    out = [f"**{symbol.kind} `{symbol.name}`**"]
    written = _written_type(decl, book)
    ty = None
    if ir is not None:
        entry = ir.inputs.get(symbol.name) or ir.names.get(symbol.name)
        ty = getattr(entry, "ty", None)
    if ty is not None:
        if ty.kind == "quantity" and ty.unit:
            out.append(f"type: a quantity · unit: {ty.unit}")
        else:
            out.append(f"type: {ty.describe()}")
    elif written:
        out.append(f"type: {written}")
    bodies = getattr(decl, "bodies", ()) or ()
    if bodies:
        out.append("decided by " + ", ".join(bodies))
    if symbol.description:
        out.append(symbol.description)
    if symbol.provision is not None:
        out.append(f"declared in {symbol.provision.cite}" + (f" ({book.short_title})" if book.short_title else ""))
    rules = book.rules.get(symbol.name, [])
    cites: list[str] = []
    for r in rules:
        if r.provision.cite not in cites:
            cites.append(r.provision.cite)
    if cites:
        out.append("rules in " + "; ".join(cites))
    return "\n\n".join(out)


def _written_type(decl: Any, book: BookModel) -> str:
    """The type of a declaration as the book writes it (`months`, `one of a, b`)."""
    t = getattr(decl, "type", None)
    span = getattr(t, "span", None)
    if span is None or not span.end_column:
        return ""
    lines = book.lines(span.file)
    if span.line != span.end_line or not 0 < span.line <= len(lines):
        return ""
    return lines[span.line - 1][span.column - 1: span.end_column - 1].strip()
