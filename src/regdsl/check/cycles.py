"""Cycles and chains in what depends on what, found without recursion.

A book may hold thousands of definitions in one chain (or one cycle), and a
paragraph may be an exception to the one before it thousands of times over;
a recursive search would need a Python frame per link.  These searches keep
their own stack instead, and visit each link once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

T = TypeVar("T", bound=Hashable)


def find_cycles(roots: Iterable[T], edges: Callable[[T], Iterable[T]],
                on_cycle: Callable[[list[T], int | None, T], bool]) -> dict[T, int]:
    """Depth-first search from each root in turn, reporting each edge that closes a cycle.

    `on_cycle(path, at, target)` is called with the path from the root to the
    node whose edge reaches `target`, and `target`'s place on that path (None
    for a node an earlier search left early, see below).  When it returns True the
    search leaves that node at once (its other edges are not followed, and it
    stays "on the path", as a recursive search that returns early would); when
    False it goes on with the next edge.  Returns the depth of each node left
    in the usual way: 1 + the deepest node it reaches without closing a cycle.
    """
    on_path: dict[T, int] = {}  # node -> its place on the path
    done: dict[T, int] = {}  # finished nodes -> depth
    stuck: set[T] = set()  # nodes left early: still "on the path" for later searches
    for root in roots:
        if root in on_path or root in done or root in stuck:
            continue
        path = [root]
        on_path[root] = 0
        stack = [iter(edges(root))]
        depth = [1]
        while stack:
            node = path[-1]
            left = False
            for target in stack[-1]:
                if target in on_path or target in stuck:
                    if on_cycle(path, on_path.get(target), target):
                        left = True
                        break
                    continue
                if target in done:
                    depth[-1] = max(depth[-1], done[target] + 1)
                    continue
                on_path[target] = len(path)
                path.append(target)
                stack.append(iter(edges(target)))
                depth.append(1)
                break
            else:
                done[node] = depth[-1]
                _pop(path, stack, depth, on_path, done)
                continue
            if left:
                stuck.add(node)
                _pop(path, stack, depth, on_path, None)
    return done


def _pop(path, stack, depth, on_path, done) -> None:
    node = path.pop()
    stack.pop()
    d = depth.pop()
    del on_path[node]
    if depth and done is not None:
        depth[-1] = max(depth[-1], d + 1)
