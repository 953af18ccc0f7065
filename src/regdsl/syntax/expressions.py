"""The syntax tree's expressions, references and types (the values rules compute and cite)."""

from __future__ import annotations

import datetime as dt
from typing import Union

import attrs

from ..errors import Span
from .tree import Node, span_field


# ------------------------------------------------------------------ expressions


@attrs.frozen(repr=False, eq=False)
class Number(Node):
    """A plain number such as `2` or `0.5`."""

    value: str
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Quantity(Node):
    """A number with a unit: `8 years`, `1 hour per week`."""

    value: str
    unit: str
    per: str | None = None
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class String(Node):
    """A quoted text literal."""

    value: str
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class DateLit(Node):
    """A date literal, `2025-04-01`."""

    value: dt.date
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class TimeLit(Node):
    """A time of day, `8:30`."""

    value: dt.time
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Bool(Node):
    """`true` or `false`."""

    value: bool
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Name(Node):
    """A fact, definition, outcome, decision or enumeration value."""

    name: str
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Qualified(Node):
    """`name of <provision>`: a name, cited by the provision that defines it."""

    name: str
    ref: "Ref"
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Call(Node):
    """A built-in function applied to arguments: `min(a, b)`."""

    func: str
    args: tuple["Expr", ...]
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Binary(Node):
    """Arithmetic (`+ - * /`) or logic (`and`, `or`)."""

    op: str
    left: "Expr"
    right: "Expr"
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Not(Node):
    """`not x`."""

    expr: "Expr"
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Neg(Node):
    """`-x`."""

    expr: "Expr"
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Compare(Node):
    """A comparison; `op` is one of `< <= > >= is isnot`."""

    op: str
    left: "Expr"
    right: "Expr"
    word: str = ""
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class OneOf(Node):
    """`x is one of (a, b)` or `x is not one of (a, b)`."""

    expr: "Expr"
    names: tuple[str, ...]
    negated: bool = False
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class IfExpr(Node):
    """`if c then a else b`."""

    cond: "Expr"
    then: "Expr"
    else_: "Expr"
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class AnyOf(Node):
    """`any of <items>`: true when the condition of one of the items holds."""

    ref: "Ref"
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class AllOf(Node):
    """`all of <items>`: true when the conditions of all the items hold."""

    ref: "Ref"
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Lookup(Node):
    """`lookup column in table for key`: the row whose key (or range) matches."""

    column: str
    table: str
    key: "Expr"
    span: Span | None = span_field()


Expr = Union[
    Number, Quantity, String, DateLit, TimeLit, Bool, Name, Qualified, Call, Binary,
    Not, Neg, Compare, OneOf, IfExpr, AnyOf, AllOf, Lookup,
]

# ------------------------------------------------------------------ references


@attrs.frozen(repr=False, eq=False)
class Selector(Node):
    """One step of a reference: `article 20`, `items 1 and 2`, `the preceding paragraph`.

    `kind` is article, paragraph, item, subitem, preceding, following, this,
    items_here or supplementary; for the relative kinds `target` says which
    level (article, paragraph, item).
    """

    kind: str
    numbers: tuple[str, ...] = ()
    target: str = ""
    through: str | None = None
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Ref(Node):
    """A cross-reference as written: groups of selectors joined by `of`, then a book."""

    groups: tuple[tuple[Selector, ...], ...]
    book: str | None = None
    span: Span | None = span_field()


# ------------------------------------------------------------------ types


@attrs.frozen(repr=False, eq=False)
class SimpleType(Node):
    """A named type or unit: `boolean`, `date`, `years`, `credits`."""

    name: str
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class PerType(Node):
    """A rate: `hours per week`."""

    num: str
    den: str
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class EnumType(Node):
    """`one of a, b, c`."""

    members: tuple[str, ...]
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class RangeType(Node):
    """`range of marks`: a table column matched by range."""

    inner: "TypeExpr"
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class ListType(Node):
    """`list of text`."""

    inner: "TypeExpr"
    span: Span | None = span_field()


TypeExpr = Union[SimpleType, PerType, EnumType, RangeType, ListType]
