"""Completion: names, keywords and the forms of a reference, by what the cursor follows."""

from __future__ import annotations

import re

from lsprotocol import types as t

from ...model.provisions import Provision
from ..highlight import KEYWORDS
from .index import Index

# The ways a provision is referred to, as the language writes them (docs/language.md, "References").
REFERENCE_FORMS = (
    ("article N", "article ${1:N}"),
    ("article N paragraph N", "article ${1:N} paragraph ${2:N}"),
    ("article N paragraph N item N", "article ${1:N} paragraph ${2:N} item ${3:N}"),
    ("articles N to M", "articles ${1:N} to ${2:M}"),
    ("paragraph N", "paragraph ${1:N}"),
    ("paragraphs N and M", "paragraphs ${1:N} and ${2:M}"),
    ("item N", "item ${1:N}"),
    ("items N to M", "items ${1:N} to ${2:M}"),
    ("the preceding article", "the preceding article"),
    ("the following article", "the following article"),
    ("the preceding paragraph", "the preceding paragraph"),
    ("the following paragraph", "the following paragraph"),
    ("the preceding item", "the preceding item"),
    ("this article", "this article"),
    ("this paragraph", "this paragraph"),
    ("the items", "the items"),
    ("the supplementary provisions", "the supplementary provisions"),
)

_KIND = {"fact": t.CompletionItemKind.Variable, "decision": t.CompletionItemKind.Event,
         "outcome": t.CompletionItemKind.Property, "define": t.CompletionItemKind.Function}

_BEFORE = re.compile(r"([A-Za-z_]+)\s+(?:[0-9.]+\s*(?:,|and|to)\s*)*[A-Za-z0-9_.]*$")


def complete(index: Index | None, file: str, line_text: str, line: int, column: int) -> list[t.CompletionItem]:
    """What may be written at `column` (1-based) of `line`, whose text is `line_text`."""
    before = line_text[: column - 1]
    if before.lstrip().startswith("|") or before.lstrip().startswith("#"):
        return []  # regulation text and comments are prose
    m = _BEFORE.search(before)
    previous = m.group(1) if m else ""
    here = index.provision_at(file, line) if index is not None else None
    if index is not None:
        numbered = _numbers(index, previous, here)
        if numbered is not None:
            return numbered
        if previous == "by":
            return [_item(name, t.CompletionItemKind.Module, node.title) for name, (node, _) in
                    sorted(index.book.bodies.items())]
        if previous == "in" and "lookup" in before:
            return [_item(name, t.CompletionItemKind.Struct, node.title or "table") for name, (node, _) in
                    sorted(index.book.tables.items())]
    items: list[t.CompletionItem] = []
    if index is not None:
        book = index.book
        for name, sym in sorted(book.symbols.items()):
            items.append(_item(name, _KIND.get(sym.kind, t.CompletionItemKind.Variable),
                               f"{sym.kind} — {sym.description}" if sym.description else sym.kind))
        for name, sym in sorted(index.adopted.items()):
            if name not in book.symbols:
                items.append(_item(name, _KIND.get(sym.kind, t.CompletionItemKind.Variable),
                                   f"{sym.kind} of another book"))
        for name in sorted(book.others):
            items.append(_item(name, t.CompletionItemKind.Module, "another book (`of NAME`)"))
    for label, snippet in REFERENCE_FORMS:
        items.append(t.CompletionItem(label=label, kind=t.CompletionItemKind.Reference, detail="reference",
                                      insert_text=snippet, insert_text_format=t.InsertTextFormat.Snippet))
    for word in KEYWORDS:
        items.append(_item(word, t.CompletionItemKind.Keyword, "keyword"))
    return items


def _item(label: str, kind: t.CompletionItemKind, detail: str | None) -> t.CompletionItem:
    return t.CompletionItem(label=label, kind=kind, detail=detail or None)


def _numbers(index: Index, previous: str, here: Provision | None) -> list[t.CompletionItem] | None:
    """After `article`, `paragraph` or `item`: the numbers there are, with their titles or words."""
    kind = previous.rstrip("s") if previous in ("article", "articles", "paragraph", "paragraphs",
                                                "item", "items") else ""
    if not kind:
        return None
    book = index.book
    if kind == "article":
        out = []
        for number, versions in book.by_number.items():
            latest = versions[-1]
            out.append(t.CompletionItem(label=number, kind=t.CompletionItemKind.Reference,
                                        detail=latest.title, sort_text=_sortable(number)))
        return out
    if here is None:
        return []
    host = here.article if kind == "paragraph" else (here.paragraph or here.article.children[0])
    return [t.CompletionItem(label=c.number, kind=t.CompletionItemKind.Reference, detail=c.cite,
                             documentation=c.text[:200] or None, sort_text=_sortable(c.number))
            for c in host.children if c.kind == kind]


def _sortable(number: str) -> str:
    return ".".join(p.zfill(6) for p in number.split("."))
