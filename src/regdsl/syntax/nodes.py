"""The syntax tree of a .reg file: frozen attrs classes, each with its source span.

Spans are excluded from equality, so two parses of the same book laid out
differently compare equal (what `regdsl fmt` relies on).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator, TypeVar, Union

import attrs

from ..errors import Span

_N = TypeVar("_N", bound="Node")
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}  # node class -> the fields that may hold nodes


def _span() -> Any:
    return attrs.field(default=None, eq=False, repr=False, kw_only=True)


class Node:
    """What every node of the tree has: its children, a walk over it, and `replace`.

    Children are the nodes in a node's fields, in the order the fields are
    declared (the order `regdsl fmt` prints them in), tuples flattened; a
    node's span, its text and numbers are not children.
    """

    __slots__ = ()

    def children(self) -> Iterator[Node]:
        """The child nodes, in the order of the fields that hold them."""
        cls: Any = type(self)  # an attrs class (every subclass is one)
        names = _CHILD_FIELDS.get(cls)
        if names is None:
            names = _CHILD_FIELDS[cls] = tuple(f.name for f in attrs.fields(cls) if f.name != "span")
        for name in names:
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


@attrs.frozen
class Comment:
    """A `#` comment, kept for the formatter."""

    text: str
    line: int
    column: int
    own_line: bool


# ------------------------------------------------------------------ expressions


@attrs.frozen
class Number(Node):
    """A plain number such as `2` or `0.5`."""

    value: str
    span: Span | None = _span()


@attrs.frozen
class Quantity(Node):
    """A number with a unit: `8 years`, `1 hour per week`."""

    value: str
    unit: str
    per: str | None = None
    span: Span | None = _span()


@attrs.frozen
class String(Node):
    """A quoted text literal."""

    value: str
    span: Span | None = _span()


@attrs.frozen
class DateLit(Node):
    """A date literal, `2025-04-01`."""

    value: dt.date
    span: Span | None = _span()


@attrs.frozen
class TimeLit(Node):
    """A time of day, `8:30`."""

    value: dt.time
    span: Span | None = _span()


@attrs.frozen
class Bool(Node):
    """`true` or `false`."""

    value: bool
    span: Span | None = _span()


@attrs.frozen
class Name(Node):
    """A fact, definition, outcome, decision or enumeration value."""

    name: str
    span: Span | None = _span()


@attrs.frozen
class Qualified(Node):
    """`name of <provision>`: a name, cited by the provision that defines it."""

    name: str
    ref: "Ref"
    span: Span | None = _span()


@attrs.frozen
class Call(Node):
    """A built-in function applied to arguments: `min(a, b)`."""

    func: str
    args: tuple["Expr", ...]
    span: Span | None = _span()


@attrs.frozen
class Binary(Node):
    """Arithmetic (`+ - * /`) or logic (`and`, `or`)."""

    op: str
    left: "Expr"
    right: "Expr"
    span: Span | None = _span()


@attrs.frozen
class Not(Node):
    """`not x`."""

    expr: "Expr"
    span: Span | None = _span()


@attrs.frozen
class Neg(Node):
    """`-x`."""

    expr: "Expr"
    span: Span | None = _span()


@attrs.frozen
class Compare(Node):
    """A comparison; `op` is one of `< <= > >= is isnot`."""

    op: str
    left: "Expr"
    right: "Expr"
    word: str = ""
    span: Span | None = _span()


@attrs.frozen
class OneOf(Node):
    """`x is one of (a, b)` or `x is not one of (a, b)`."""

    expr: "Expr"
    names: tuple[str, ...]
    negated: bool = False
    span: Span | None = _span()


@attrs.frozen
class IfExpr(Node):
    """`if c then a else b`."""

    cond: "Expr"
    then: "Expr"
    else_: "Expr"
    span: Span | None = _span()


@attrs.frozen
class AnyOf(Node):
    """`any of <items>`: true when the condition of one of the items holds."""

    ref: "Ref"
    span: Span | None = _span()


@attrs.frozen
class AllOf(Node):
    """`all of <items>`: true when the conditions of all the items hold."""

    ref: "Ref"
    span: Span | None = _span()


@attrs.frozen
class Lookup(Node):
    """`lookup column in table for key`: the row whose key (or range) matches."""

    column: str
    table: str
    key: "Expr"
    span: Span | None = _span()


Expr = Union[
    Number, Quantity, String, DateLit, TimeLit, Bool, Name, Qualified, Call, Binary,
    Not, Neg, Compare, OneOf, IfExpr, AnyOf, AllOf, Lookup,
]

# ------------------------------------------------------------------ references


@attrs.frozen
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
    span: Span | None = _span()


@attrs.frozen
class Ref(Node):
    """A cross-reference as written: groups of selectors joined by `of`, then a book."""

    groups: tuple[tuple[Selector, ...], ...]
    book: str | None = None
    span: Span | None = _span()


# ------------------------------------------------------------------ types


@attrs.frozen
class SimpleType(Node):
    """A named type or unit: `boolean`, `date`, `years`, `credits`."""

    name: str
    span: Span | None = _span()


@attrs.frozen
class PerType(Node):
    """A rate: `hours per week`."""

    num: str
    den: str
    span: Span | None = _span()


@attrs.frozen
class EnumType(Node):
    """`one of a, b, c`."""

    members: tuple[str, ...]
    span: Span | None = _span()


@attrs.frozen
class RangeType(Node):
    """`range of marks`: a table column matched by range."""

    inner: "TypeExpr"
    span: Span | None = _span()


@attrs.frozen
class ListType(Node):
    """`list of text`."""

    inner: "TypeExpr"
    span: Span | None = _span()


TypeExpr = Union[SimpleType, PerType, EnumType, RangeType, ListType]

# ------------------------------------------------------------------ statements


@attrs.frozen
class Text(Node):
    """One line of the regulation's own words (`| ...`)."""

    text: str
    span: Span | None = _span()


@attrs.frozen
class Condition(Node):
    """The condition of an item or sub-item, a bare expression."""

    expr: Expr
    span: Span | None = _span()


@attrs.frozen
class ExceptionClause(Node):
    """`notwithstanding <ref>` or `overrides <ref>`."""

    kind: str
    ref: Ref
    span: Span | None = _span()


@attrs.frozen
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
    span: Span | None = _span()


@attrs.frozen
class Delegated(Node):
    """The provision leaves the matter to separate regulations."""

    names: tuple[str, ...] = ()
    note: str | None = None
    span: Span | None = _span()


@attrs.frozen
class Refers(Node):
    """`refers to <ref>, ...`: a checked cross-reference with no rule."""

    refs: tuple[Ref, ...]
    span: Span | None = _span()


@attrs.frozen
class Reading(Node):
    """`reading "Faculty" as "Graduate School"`: a substitution for mutatis mutandis."""

    old: Union[str, Ref]
    new: Union[str, Ref]
    span: Span | None = _span()


@attrs.frozen
class ExceptRefs(Node):
    """`except <ref>, ...`: provisions of the other book not applied."""

    refs: tuple[Ref, ...]
    span: Span | None = _span()


@attrs.frozen
class Applies(Node):
    """`applies other_book mutatis mutandis`, with its readings."""

    book: str
    adaptations: tuple[Union[Reading, ExceptRefs], ...] = ()
    span: Span | None = _span()


@attrs.frozen
class NotApplying(Node):
    """`not applying when <condition>`: whom an amendment spares."""

    expr: Expr
    span: Span | None = _span()


@attrs.frozen
class Affects(Node):
    """`affects <ref>, ...`: the provisions an amendment changed."""

    refs: tuple[Ref, ...]
    span: Span | None = _span()


@attrs.frozen
class Amendment(Node):
    """`amendment "..." takes effect DATE`, with transitional clauses."""

    title: str
    date: dt.date | None
    clauses: tuple[Union[NotApplying, Affects], ...] = ()
    span: Span | None = _span()


# ------------------------------------------------------------------ declarations


@attrs.frozen
class Bound(Node):
    """One limit on the values of a fact: `at least 0 credits`, `at most 12 years`, `whole`, `after DATE`."""

    kind: str  # at least, at most, whole, after, before
    value: "Expr | None" = None  # None for `whole`
    span: Span | None = _span()


@attrs.frozen
class Fact(Node):
    """An input about the student, given in the facts file."""

    name: str
    type: TypeExpr
    description: str = ""
    bounds: tuple[Bound, ...] = ()  # the values it may take, as declared
    span: Span | None = _span()


@attrs.frozen
class Outcome(Node):
    """An answer the book gives (reported by `regdsl eval`)."""

    name: str
    type: TypeExpr
    description: str = ""
    span: Span | None = _span()


@attrs.frozen
class Define(Node):
    """An intermediate value, computed by rules but not reported by default."""

    name: str
    type: TypeExpr
    description: str = ""
    span: Span | None = _span()


@attrs.frozen
class Decision(Node):
    """A judgement a named body makes; discretionary until given as a fact."""

    name: str
    type: TypeExpr | None
    bodies: tuple[str, ...]
    description: str = ""
    span: Span | None = _span()


@attrs.frozen
class Relation(Node):
    """`part of X` or `administered by X`."""

    kind: str
    target: str
    span: Span | None = _span()


@attrs.frozen
class Duties(Node):
    """A numbered list of a body's duties, citable item by item."""

    title: str | None
    items: tuple["Item", ...]
    span: Span | None = _span()


@attrs.frozen
class Body(Node):
    """An office, council or organisation that decides or is organised."""

    name: str
    title: str
    statements: tuple[Union[Text, Relation, Duties], ...] = ()
    span: Span | None = _span()


@attrs.frozen
class Unit(Node):
    """`unit seat, seats` or `unit semester, semesters = 6 months`."""

    singular: str
    plural: str | None = None
    factor: str | None = None
    base: str | None = None
    span: Span | None = _span()


@attrs.frozen
class Column(Node):
    """A table column and its type."""

    name: str
    type: TypeExpr
    description: str = ""
    span: Span | None = _span()


@attrs.frozen
class Cell(Node):
    """A table cell: a literal, a range `lo to hi`, or `none`."""

    value: Expr | None
    high: Expr | None = None
    span: Span | None = _span()


@attrs.frozen
class Row(Node):
    """A table row."""

    cells: tuple[Cell, ...]
    total: bool = False
    span: Span | None = _span()


@attrs.frozen
class AsOf(Node):
    """`as of DATE`: the figures of a table hold from that date."""

    date: dt.date
    span: Span | None = _span()


@attrs.frozen
class Table(Node):
    """A table of values with typed columns, looked up by its first column."""

    name: str
    title: str | None
    statements: tuple[Union[Text, Column, Row, AsOf], ...]
    span: Span | None = _span()


Declaration = Union[Fact, Outcome, Define, Decision, Body, Unit]
Statement = Union[
    Text, Rule, Condition, Fact, Outcome, Define, Decision, Body, Unit, Table,
    Delegated, Refers, Applies, Amendment,
]

# ------------------------------------------------------------------ structure


@attrs.frozen
class Validity(Node):
    """`in force from A [until B]`: the dates a version holds (both inclusive)."""

    start: dt.date | None
    end: dt.date | None = None
    span: Span | None = _span()


@attrs.frozen
class SubItem(Node):
    """A sub-item `a.` of an item."""

    letter: str
    body: tuple[Statement, ...]
    span: Span | None = _span()


@attrs.frozen
class Item(Node):
    """A numbered item `1)` of a paragraph."""

    number: str
    body: tuple[Union[Statement, SubItem], ...]
    span: Span | None = _span()


@attrs.frozen
class Paragraph(Node):
    """Paragraph 2, 3, ... of an article (the first is the article's own body)."""

    number: str
    validity: Validity | None
    body: tuple[Union[Statement, Item], ...]
    span: Span | None = _span()


@attrs.frozen
class Article(Node):
    """An article; its own body is its (unnumbered) first paragraph."""

    number: str
    title: str
    validity: Validity | None
    body: tuple[Union[Statement, Item, Paragraph], ...]
    span: Span | None = _span()


@attrs.frozen
class Deleted(Node):
    """`article N deleted` or `articles N to M deleted`; `paragraph N deleted` and `item N deleted`
    (kind `paragraph`, `item`) in a later version of an article, for a part the amendment removed."""

    first: str
    last: str | None = None
    kind: str = "article"
    span: Span | None = _span()


@attrs.frozen
class Supplementary(Node):
    """The Supplementary Provisions, numbered like paragraphs."""

    title: str | None
    body: tuple[Union[Statement, Item, Paragraph], ...]
    span: Span | None = _span()


@attrs.frozen
class Section(Node):
    """`section N "Title"`: starts a section; lasts until the next one.

    A section may hold text and statements of its own (an organisation page
    has sections but no articles).
    """

    number: str
    title: str
    body: tuple = ()
    span: Span | None = _span()


@attrs.frozen
class Part(Node):
    """`part N "Title"`: starts a part of the current section."""

    number: str
    title: str
    span: Span | None = _span()


@attrs.frozen
class Established(Node):
    """`established DATE` in the book header."""

    date: dt.date
    span: Span | None = _span()


@attrs.frozen
class Amended(Node):
    """`amended DATE ["Regulation No. N"]` in the book header."""

    date: dt.date
    note: str | None = None
    span: Span | None = _span()


@attrs.frozen
class InForce(Node):
    """`in force from DATE`: the date the encoded text holds from."""

    date: dt.date
    span: Span | None = _span()


@attrs.frozen
class Uses(Node):
    """`uses other_book from "path"`: another book this one refers to."""

    name: str
    path: str
    span: Span | None = _span()


@attrs.frozen
class CitedAs(Node):
    """`cited as "University Regulations"`: the short name used in citations."""

    title: str
    span: Span | None = _span()


@attrs.frozen
class BookHeader(Node):
    """`book name "Title"` and its history."""

    name: str
    title: str
    statements: tuple[Union[Text, Established, Amended, InForce, Uses, CitedAs], ...] = ()
    span: Span | None = _span()


TopLevel = Union[BookHeader, Section, Part, Article, Deleted, Supplementary, Declaration, Table]


@attrs.frozen
class Module(Node):
    """One parsed .reg file."""

    file: str
    items: tuple[TopLevel, ...]
    comments: tuple[Comment, ...] = attrs.field(default=(), eq=False)
