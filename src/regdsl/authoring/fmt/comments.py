"""Where `regdsl fmt` puts each comment back: before, after or inside a statement."""

from __future__ import annotations

from collections import defaultdict

import attrs

from ...syntax import nodes as n
from .source import _Source, _children, _end_line, _line


@attrs.frozen
class Placement:
    """The comments of a module by the id of the statement they go with."""

    before: dict[int, list[tuple[n.Comment, bool]]]  # own lines before a statement (and a blank after?)
    end: dict[int, list[tuple[n.Comment, bool]]]  # own lines at the end of a block
    inner: dict[int, list[n.Comment]]  # inside a statement, placed when it is printed


def _own_line(src: _Source, c: n.Comment) -> bool:
    line = src.line(c.line)
    if line[c.column - 1:].startswith("#"):
        return not line[: c.column - 1].strip()
    return c.own_line


def place_comments(module: n.Module, src: _Source) -> Placement:
    """Where each comment of the module is printed: before a statement, at the end of a block,
    or inside a statement (see the rules in the package's docstring)."""
    before: dict[int, list[tuple[n.Comment, bool]]] = defaultdict(list)
    end: dict[int, list[tuple[n.Comment, bool]]] = defaultdict(list)
    inner: dict[int, list[n.Comment]] = defaultdict(list)
    order: list = []  # statements in source order (preorder)
    parent: dict[int, object] = {}

    def walk(owner):
        for s in _children(owner):
            parent[id(s)] = owner
            order.append(s)
            walk(s)

    walk(module)
    starts = [_line(s) for s in order]

    def ancestors(node) -> set[int]:
        seen = set()
        while id(node) in parent:
            node = parent[id(node)]
            seen.add(id(node))
        return seen

    for c in sorted(module.comments, key=lambda c: (c.line, c.column)):
        c = n.Comment(c.text.rstrip(), c.line, c.column, _own_line(src, c))
        if not c.own_line:
            holder = None
            for s, a in zip(order, starts):
                if a <= c.line <= max(a, _end_line(s)):
                    holder = s
            if holder is not None:
                inner[id(holder)].append(c)
                continue
        leaf = None
        for s, a in zip(order, starts):
            if not _children(s) and a < c.line <= _end_line(s):
                leaf = s
        if leaf is not None:
            inner[id(leaf)].append(c)
            continue
        prev = nxt = None
        for s, a in zip(order, starts):
            if a < c.line:
                prev = s
            elif a > c.line and nxt is None:
                nxt = s
        blank_after = src.blank(c.line + 1)
        # The blocks that close between the previous statement and the next one.
        chain = []
        if prev is not None:
            inside_next = ancestors(nxt) if nxt is not None else set()
            node = prev
            if _children(node):
                chain.append(node)
            while id(node) in parent:
                node = parent[id(node)]
                if node is module:
                    break
                chain.append(node)
            chain = [b for b in chain if id(b) not in inside_next]
        for block in chain:
            body = _children(block)
            if body and body[0].span is not None and body[0].span.column <= c.column:
                end[id(block)].append((c, blank_after))
                break
        else:
            if nxt is not None:
                before[id(nxt)].append((c, blank_after))
            else:
                end[id(module)].append((c, blank_after))
    return Placement(before, end, inner)
