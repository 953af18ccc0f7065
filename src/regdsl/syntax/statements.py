"""The syntax tree's statements: rules, cross-references, adoptions, amendments, declarations
and tables (what a provision's body holds)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Union

import attrs

from ..errors import Span
from .tree import Node, span_field
from .expressions import Expr, Ref, TypeExpr

if TYPE_CHECKING:
    from .structure import Item


# ------------------------------------------------------------------ statements


@attrs.frozen(repr=False, eq=False)
class Text(Node):
    """One line of the regulation's own words (`| ...`)."""

    text: str
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Condition(Node):
    """The condition of an item or sub-item, a bare expression."""

    expr: Expr
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class ExceptionClause(Node):
    """`notwithstanding <ref>` or `overrides <ref>`."""

    kind: str
    ref: Ref
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Rule(Node):
    """`name = expr` or `name if condition`, with when/unless and exception clauses."""

    name: str
    kind: str  # "=" or "if"
    expr: Expr
    however: bool = False
    when: tuple[Expr, ...] = ()
    unless: tuple[Expr, ...] = ()
    exceptions: tuple[ExceptionClause, ...] = ()
    as_of: dt.date | None = None
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Delegated(Node):
    """The provision leaves the matter to separate regulations."""

    names: tuple[str, ...] = ()
    note: str | None = None
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Refers(Node):
    """`refers to <ref>, ...`: a checked cross-reference with no rule."""

    refs: tuple[Ref, ...]
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Reading(Node):
    """`reading "Faculty" as "Graduate School"`: a substitution for mutatis mutandis."""

    old: Union[str, Ref]
    new: Union[str, Ref]
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class ExceptRefs(Node):
    """`except <ref>, ...`: provisions of the other book not applied."""

    refs: tuple[Ref, ...]
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Applies(Node):
    """`applies other_book mutatis mutandis`, with its readings."""

    book: str
    adaptations: tuple[Union[Reading, ExceptRefs], ...] = ()
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class NotApplying(Node):
    """`not applying when <condition>`: whom an amendment spares."""

    expr: Expr
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Affects(Node):
    """`affects <ref>, ...`: the provisions an amendment changed."""

    refs: tuple[Ref, ...]
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Amendment(Node):
    """`amendment "..." takes effect DATE`, with transitional clauses."""

    title: str
    date: dt.date | None
    clauses: tuple[Union[NotApplying, Affects], ...] = ()
    span: Span | None = span_field()


# ------------------------------------------------------------------ declarations


@attrs.frozen(repr=False, eq=False)
class Bound(Node):
    """One limit on the values of a fact: `at least 0 credits`, `at most 12 years`, `whole`, `after DATE`."""

    kind: str  # at least, at most, whole, after, before
    value: "Expr | None" = None  # None for `whole`
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Fact(Node):
    """An input about the student, given in the facts file."""

    name: str
    type: TypeExpr
    description: str = ""
    bounds: tuple[Bound, ...] = ()  # the values it may take, as declared
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Outcome(Node):
    """An answer the book gives (reported by `regdsl eval`)."""

    name: str
    type: TypeExpr
    description: str = ""
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Define(Node):
    """An intermediate value, computed by rules but not reported by default."""

    name: str
    type: TypeExpr
    description: str = ""
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Decision(Node):
    """A judgement a named body makes; discretionary until given as a fact."""

    name: str
    type: TypeExpr | None
    bodies: tuple[str, ...]
    description: str = ""
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Relation(Node):
    """`part of X` or `administered by X`."""

    kind: str
    target: str
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Duties(Node):
    """A numbered list of a body's duties, citable item by item."""

    title: str | None
    items: tuple["Item", ...]
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Body(Node):
    """An office, council or organisation that decides or is organised."""

    name: str
    title: str
    statements: tuple[Union[Text, Relation, Duties], ...] = ()
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Unit(Node):
    """`unit seat, seats` or `unit semester, semesters = 6 months`."""

    singular: str
    plural: str | None = None
    factor: str | None = None
    base: str | None = None
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Column(Node):
    """A table column and its type."""

    name: str
    type: TypeExpr
    description: str = ""
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Cell(Node):
    """A table cell: a literal, a range `lo to hi`, or `none`."""

    value: Expr | None
    high: Expr | None = None
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Row(Node):
    """A table row."""

    cells: tuple[Cell, ...]
    total: bool = False
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class AsOf(Node):
    """`as of DATE`: the figures of a table hold from that date."""

    date: dt.date
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Table(Node):
    """A table of values with typed columns, looked up by its first column."""

    name: str
    title: str | None
    statements: tuple[Union[Text, Column, Row, AsOf], ...]
    span: Span | None = span_field()


Declaration = Union[Fact, Outcome, Define, Decision, Body, Unit]
Statement = Union[
    Text, Rule, Condition, Fact, Outcome, Define, Decision, Body, Unit, Table,
    Delegated, Refers, Applies, Amendment,
]
