"""The nesting depth of expressions and types, measured while a tree is built (limit E108)."""

from __future__ import annotations

from ..core.limits import MAX_NESTING, chain_group
from . import nodes as n


class TooDeep(Exception):
    """An expression or type nests deeper than MAX_NESTING; carries the node."""

    def __init__(self, node):
        super().__init__("nested too deeply")
        self.node = node


class Nesting:
    """The nesting depth of each operator node as a tree is built from the bottom up.

    A leaf is 0 deep; an operator one more than its deepest operand, except that
    the left operand of `a + b` continues the chain when it is itself a `+` or `-`.
    """

    def __init__(self):
        self._depth: dict[int, int] = {}

    def of(self, node) -> int:
        return self._depth.get(id(node), 0)

    def node(self, node, *children):
        """`node` built over `children`: its depth, raising TooDeep past the limit."""
        depth = 1 + max((self.of(c) for c in children if c is not None), default=0)
        return self._keep(node, depth)

    def binary(self, node, op: str, left, right):
        """A binary operator node: its left operand may continue the same chain."""
        continues = isinstance(left, n.Binary) and chain_group(left.op) == chain_group(op)
        lhs = self.of(left) if continues else 1 + self.of(left)
        return self._keep(node, max(lhs, 1 + self.of(right)))

    def _keep(self, node, depth: int):
        if depth > MAX_NESTING:
            raise TooDeep(node)
        self._depth[id(node)] = depth
        return node
