"""What every node of the syntax tree shares: children, walk, replace, and its equality, hash and repr.

The node classes (expressions.py, statements.py, structure.py) are frozen,
slotted attrs classes declared `@attrs.frozen(repr=False, eq=False)`: their
`__eq__`, `__hash__` and `__repr__` are made by `Node` the first time one is
called on a class, and behave as the ones attrs would write (the fields in
order, the span left out of equality and repr).  Sixty-odd classes are made
at every cold start, and compiling those methods for each was most of that
time; these are closures, made only when a class's nodes are first compared.
"""

from __future__ import annotations

import operator
from typing import Any, Iterator, TypeVar

import attrs

_N = TypeVar("_N", bound="Node")


def span_field() -> Any:
    """The `span` field of a node: keyword-only, left out of equality and repr."""
    return attrs.field(default=None, eq=False, repr=False, kw_only=True)


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}  # node class -> the fields that may hold nodes


def _child_fields(cls: Any) -> tuple[str, ...]:
    names = _CHILD_FIELDS.get(cls)
    if names is None:
        names = _CHILD_FIELDS[cls] = tuple(f.name for f in attrs.fields(cls) if f.name != "span")
    return names


def _install(cls: Any) -> Any:
    """Give a node class its own `__eq__`, `__hash__` and `__repr__`, on first use.

    They do what attrs's would (the fields with `eq`, in order, compared as a
    tuple; a node of another class is NotImplemented; the fields with `repr`
    shown), as closures over the class's fields: nothing is compiled, and
    reading and checking a book compares no nodes, so most runs make none.
    """
    fields = attrs.fields(cls)  # an attrs class (every subclass of Node is one)
    compared = [f.name for f in fields if f.eq]
    shown = [f.name for f in fields if f.repr]
    key = operator.attrgetter(*compared)  # one value, or a tuple of them

    if len(compared) == 1:
        def __eq__(self: Any, other: object) -> bool:
            if other.__class__ is not cls:
                return NotImplemented
            mine, theirs = key(self), key(other)
            return mine is theirs or mine == theirs  # as a tuple of one compares

        def __hash__(self: Any) -> int:
            return hash((cls, key(self)))
    else:
        def __eq__(self: Any, other: object) -> bool:
            if other.__class__ is not cls:
                return NotImplemented
            return key(self) == key(other)

        def __hash__(self: Any) -> int:
            return hash((cls, *key(self)))

    def __repr__(self: Any) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{cls.__qualname__}({values})"

    cls.__eq__, cls.__hash__, cls.__repr__ = __eq__, __hash__, __repr__
    return cls


class Node:
    """What every node of the tree has: its children, a walk over it, and `replace`.

    Children are the nodes in a node's fields, in the order the fields are
    declared (the order `regdsl fmt` prints them in), tuples flattened; a
    node's span, its text and numbers are not children.
    """

    __slots__ = ()

    def children(self) -> Iterator[Node]:
        """The child nodes, in the order of the fields that hold them."""
        for name in _child_fields(type(self)):
            value = getattr(self, name)
            if isinstance(value, Node):
                yield value
            elif isinstance(value, tuple):
                stack = [iter(value)]  # a tuple of tuples (a reference's groups): flattened in order
                while stack:
                    for x in stack[-1]:
                        if isinstance(x, Node):
                            yield x
                        elif isinstance(x, tuple):
                            stack.append(iter(x))
                            break
                    else:
                        stack.pop()

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, parents before children, in order; no recursion,
        so a chain of thousands of `+` is walked in constant stack."""
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(tuple(node.children())))

    def replace(self: _N, **changes: Any) -> _N:
        """A copy of the node with some fields changed (`attrs.evolve`)."""
        node: Any = self
        return attrs.evolve(node, **changes)

    # Replaced on each node class by its own, the first time one of them is called.
    def __eq__(self, other: object) -> bool:
        return _install(self.__class__).__eq__(self, other)

    def __hash__(self) -> int:
        return _install(self.__class__).__hash__(self)

    def __repr__(self) -> str:
        return _install(self.__class__).__repr__(self)


@attrs.frozen
class Comment:
    """A `#` comment, kept for the formatter."""

    text: str
    line: int
    column: int
    own_line: bool

