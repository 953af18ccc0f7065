"""The document outline: sections, parts, articles, paragraphs, items and declarations of one file."""

from __future__ import annotations

from typing import Any

from lsprotocol import types as t

from ...syntax import nodes as n

_KINDS = {
    n.Section: t.SymbolKind.Namespace,
    n.Part: t.SymbolKind.Package,
    n.Article: t.SymbolKind.Class,
    n.Supplementary: t.SymbolKind.Class,
    n.Paragraph: t.SymbolKind.Method,
    n.Item: t.SymbolKind.Field,
    n.SubItem: t.SymbolKind.Field,
    n.Fact: t.SymbolKind.Variable,
    n.Decision: t.SymbolKind.Event,
    n.Outcome: t.SymbolKind.Property,
    n.Define: t.SymbolKind.Function,
    n.Table: t.SymbolKind.Struct,
    n.Body: t.SymbolKind.Object,
    n.Deleted: t.SymbolKind.Null,
}


def outline(module: n.Module, lines: list[str]) -> list[t.DocumentSymbol]:
    """The file's symbols, nested: a part holds the articles after it, a section its parts."""
    top: list[t.DocumentSymbol] = []
    section: t.DocumentSymbol | None = None
    part: t.DocumentSymbol | None = None
    for item in module.items:
        sym = _symbol(item, lines)
        if sym is None:
            continue
        if isinstance(item, n.Section):
            top.append(sym)
            section, part = sym, None
        elif isinstance(item, n.Part):
            (_children(section) if section is not None else top).append(sym)
            part = sym
        else:
            holder = part or section
            (_children(holder) if holder is not None else top).append(sym)
            if holder is not None:
                _stretch(holder, sym)
                if part is not None and section is not None:
                    _stretch(section, sym)
    return top


def _children(sym: t.DocumentSymbol) -> list[t.DocumentSymbol]:
    """The list of a symbol's children, to add to (lsprotocol types it as an optional Sequence)."""
    assert isinstance(sym.children, list), "_symbol gives every symbol a list of children"
    return sym.children


def _stretch(holder: t.DocumentSymbol, child: t.DocumentSymbol) -> None:
    """A section or part runs to the end of the last article in it (the range must hold its children)."""
    if (child.range.end.line, child.range.end.character) > (holder.range.end.line, holder.range.end.character):
        holder.range = t.Range(holder.range.start, child.range.end)


def _symbol(node: Any, lines: list[str]) -> t.DocumentSymbol | None:
    kind = _KINDS.get(type(node))
    span = getattr(node, "span", None)
    if kind is None or span is None:
        return None
    name, detail = _label(node)
    end_line = max(span.end_line or span.line, span.line)
    end_text = lines[end_line - 1] if 0 < end_line <= len(lines) else ""
    end_col = span.end_column - 1 if span.end_column else len(end_text)
    head = lines[span.line - 1] if 0 < span.line <= len(lines) else ""
    rng = t.Range(t.Position(span.line - 1, span.column - 1), t.Position(end_line - 1, max(0, end_col)))
    sel = t.Range(t.Position(span.line - 1, span.column - 1), t.Position(span.line - 1, len(head)))
    if (sel.end.line, sel.end.character) > (rng.end.line, rng.end.character):
        sel = t.Range(rng.start, rng.end)
    children = []
    for child in getattr(node, "body", ()) or ():
        sym = _symbol(child, lines)
        if sym is not None:
            children.append(sym)
    return t.DocumentSymbol(name=name, kind=kind, range=rng, selection_range=sel, detail=detail or None,
                            children=children)


def _label(node: Any) -> tuple[str, str]:
    if isinstance(node, n.Section):
        return f"Section {node.number}", node.title
    if isinstance(node, n.Part):
        return f"Part {node.number}", node.title
    if isinstance(node, n.Article):
        return f"Article {node.number}", node.title
    if isinstance(node, n.Supplementary):
        return "Supplementary Provisions", node.title or ""
    if isinstance(node, n.Paragraph):
        return f"Paragraph {node.number}", ""
    if isinstance(node, n.Item):
        return f"Item {node.number}", ""
    if isinstance(node, n.SubItem):
        return f"Sub-item {node.letter}", ""
    if isinstance(node, n.Deleted):
        return (f"Articles {node.first} to {node.last}" if node.last else f"Article {node.first}"), "deleted"
    kind = type(node).__name__.lower()
    return node.name, kind
