"""Expressions of the intermediate representation: typed data, no behaviour.

The checker lowers every expression of a book into these nodes; every
evaluator (per student, per column) interprets them.  Each node carries the
type the checker inferred (a quantity's dimension and unit, an enumeration's
members, whether a number is whole) and the span of the source it came from.
Nodes are frozen and hold only data, so a lowered book can be pickled and
sent to another process.

`Arith.op` names the operation after the types are known, so an evaluator
never has to look at the operands' types again:

    num+ num- num* num/          plain numbers
    q+ q-                        quantities of one dimension
    q* q/                        a quantity times or over a number or a quantity
    date+months date-months      a date moved by whole months
    date+days date-days          a date moved by whole days (weeks are days)
    date-date                    the days from one date to another
    any+ any- any* any/          an operand of unknown type (a book with errors)
"""

from __future__ import annotations

from typing import Any, Iterator

import attrs

from ..errors import Span
from ..core.types import Type


def _span() -> Any:
    return attrs.field(default=None, eq=False, repr=False, kw_only=True)


@attrs.frozen(slots=True)
class Expr:
    """The base of every expression node: its inferred type and its source."""

    ty: Type
    span: Span | None = _span()

    def children(self) -> tuple["Expr", ...]:
        """The sub-expressions, in evaluation order."""
        return ()


@attrs.frozen(slots=True)
class Const(Expr):
    """A value known when the book is checked: a literal, or a table cell."""

    value: Any = None


@attrs.frozen(slots=True)
class Fact(Expr):
    """A fact or a decision, read from what is given about the student."""

    name: str = ""


@attrs.frozen(slots=True)
class Ref(Expr):
    """The value of a definition or an outcome (computed by its rules)."""

    name: str = ""


@attrs.frozen(slots=True)
class Today(Expr):
    """`as_of`: the date the evaluation is asked for."""


@attrs.frozen(slots=True)
class Not(Expr):
    """`not x`."""

    arg: Expr = None  # type: ignore[assignment]

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)


@attrs.frozen(slots=True)
class And(Expr):
    """All of `args` hold (evaluated left to right, stopping at the first false)."""

    args: tuple[Expr, ...] = ()

    def children(self) -> tuple[Expr, ...]:
        return self.args


@attrs.frozen(slots=True)
class Or(Expr):
    """One of `args` holds (evaluated left to right, stopping at the first true)."""

    args: tuple[Expr, ...] = ()

    def children(self) -> tuple[Expr, ...]:
        return self.args


@attrs.frozen(slots=True)
class Arith(Expr):
    """`left op right` for the operation `op` chosen by the checker (see the module doc)."""

    op: str = ""
    left: Expr = None  # type: ignore[assignment]
    right: Expr = None  # type: ignore[assignment]

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@attrs.frozen(slots=True)
class Fold(Expr):
    """`first op1 rest1 op2 rest2 ...` left to right: a chain `a + b - c + ...` of any length,
    computed in a loop (the same answer as nested `Arith`s, without their depth)."""

    first: Expr = None  # type: ignore[assignment]
    ops: tuple[str, ...] = ()
    rest: tuple[Expr, ...] = ()

    def children(self) -> tuple[Expr, ...]:
        return (self.first, *self.rest)


@attrs.frozen(slots=True)
class Neg(Expr):
    """`-x` for a number or a quantity."""

    arg: Expr = None  # type: ignore[assignment]

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)


@attrs.frozen(slots=True)
class Compare(Expr):
    """`left op right`; `op` is one of `< <= > >= is isnot`."""

    op: str = ""
    left: Expr = None  # type: ignore[assignment]
    right: Expr = None  # type: ignore[assignment]

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@attrs.frozen(slots=True)
class OneOf(Expr):
    """`x is one of (a, b)`, or `is not one of` when `negated`."""

    arg: Expr = None  # type: ignore[assignment]
    names: frozenset[str] = frozenset()
    negated: bool = False

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)


@attrs.frozen(slots=True)
class If(Expr):
    """`if cond then a else b`."""

    cond: Expr = None  # type: ignore[assignment]
    then: Expr = None  # type: ignore[assignment]
    else_: Expr = None  # type: ignore[assignment]

    def children(self) -> tuple[Expr, ...]:
        return (self.cond, self.then, self.else_)


@attrs.frozen(slots=True)
class Call(Expr):
    """A built-in function (`min`, `age`, `is_national_holiday` ...) by name."""

    func: str = ""
    args: tuple[Expr, ...] = ()

    def children(self) -> tuple[Expr, ...]:
        return self.args


@attrs.frozen(slots=True)
class BodyCall(Expr):
    """`title(b)`, `administrator(b)`, `duties(b)` ...: what the book says of a body."""

    func: str = ""
    arg: Expr = None  # type: ignore[assignment]
    book: str = ""  # key of IRBook.organizations

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)


@attrs.frozen(slots=True)
class Items(Expr):
    """`any of <items>` (`mode` any) or `all of <items>` (`mode` all), by the items' eIds.

    The items' conditions are in the book (`IRBook.items`), so that an item used by
    several rules is one node of the dependency graph, computed once per evaluation.
    """

    mode: str = "any"
    items: tuple[str, ...] = ()  # keys of IRBook.items


@attrs.frozen(slots=True)
class Lookup(Expr):
    """`lookup column in table for key`: the cell of the row whose key (or range) matches."""

    table: str = ""  # key of IRBook.tables
    column: int = 0
    key: Expr = None  # type: ignore[assignment]

    def children(self) -> tuple[Expr, ...]:
        return (self.key,)


@attrs.frozen(slots=True)
class Shown(Expr):
    """A quantity shown in the unit its outcome is declared in (the value is unchanged)."""

    arg: Expr = None  # type: ignore[assignment]
    unit: str = ""
    factor: Any = 1

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)


def walk(e: Expr) -> Iterator[Expr]:
    """Every node of `e`, parents before children, without recursion."""
    stack = [e]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children()))


def reads(e: Expr) -> tuple[set[str], set[str], set[str]]:
    """The inputs, computed names and items an expression reads (statically, every branch)."""
    inputs: set[str] = set()
    names: set[str] = set()
    items: set[str] = set()
    for node in walk(e):
        t = type(node)
        if t is Fact:
            inputs.add(node.name)  # type: ignore[attr-defined]
        elif t is Ref:
            names.add(node.name)  # type: ignore[attr-defined]
        elif t is Items:
            items.update(node.items)  # type: ignore[attr-defined]
    return inputs, names, items

