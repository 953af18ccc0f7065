"""The syntax tree of a .reg file: frozen attrs classes, each with its source span.

Spans are excluded from equality, so two parses of the same book laid out
differently compare equal (what `regdsl fmt` relies on).
"""

from __future__ import annotations

import datetime as dt
from typing import Union

import attrs

from ..errors import Span


def _span() -> attrs.Attribute:
    return attrs.field(default=None, eq=False, repr=False, kw_only=True)


@attrs.frozen
class Comment:
    """A `#` comment, kept for the formatter."""

    text: str
    line: int
    column: int
    own_line: bool


# ------------------------------------------------------------------ expressions


@attrs.frozen
class Number:
    """A plain number such as `2` or `0.5`."""

    value: str
    span: Span | None = _span()


@attrs.frozen
class Quantity:
    """A number with a unit: `8 years`, `1 hour per week`."""

    value: str
    unit: str
    per: str | None = None
    span: Span | None = _span()


@attrs.frozen
class String:
    """A quoted text literal."""

    value: str
    span: Span | None = _span()


@attrs.frozen
class DateLit:
    """A date literal, `2025-04-01`."""

    value: dt.date
    span: Span | None = _span()


@attrs.frozen
class TimeLit:
    """A time of day, `8:30`."""

    value: dt.time
    span: Span | None = _span()


@attrs.frozen
class Bool:
    """`true` or `false`."""

    value: bool
    span: Span | None = _span()


@attrs.frozen
class Name:
    """A fact, definition, outcome, decision or enumeration value."""

    name: str
    span: Span | None = _span()


@attrs.frozen
class Qualified:
    """`name of <provision>`: a name, cited by the provision that defines it."""

    name: str
    ref: "Ref"
    span: Span | None = _span()


@attrs.frozen
class Call:
    """A built-in function applied to arguments: `min(a, b)`."""

    func: str
    args: tuple["Expr", ...]
    span: Span | None = _span()


@attrs.frozen
class Binary:
    """Arithmetic (`+ - * /`) or logic (`and`, `or`)."""

    op: str
    left: "Expr"
    right: "Expr"
    span: Span | None = _span()


@attrs.frozen
class Not:
    """`not x`."""

    expr: "Expr"
    span: Span | None = _span()


@attrs.frozen
class Neg:
    """`-x`."""

    expr: "Expr"
    span: Span | None = _span()


@attrs.frozen
class Compare:
    """A comparison; `op` is one of `< <= > >= is isnot`."""

    op: str
    left: "Expr"
    right: "Expr"
    word: str = ""
    span: Span | None = _span()


@attrs.frozen
class OneOf:
    """`x is one of (a, b)` or `x is not one of (a, b)`."""

    expr: "Expr"
    names: tuple[str, ...]
    negated: bool = False
    span: Span | None = _span()


@attrs.frozen
class IfExpr:
    """`if c then a else b`."""

    cond: "Expr"
    then: "Expr"
    else_: "Expr"
    span: Span | None = _span()


@attrs.frozen
class AnyOf:
    """`any of <items>`: true when the condition of one of the items holds."""

    ref: "Ref"
    span: Span | None = _span()


@attrs.frozen
class AllOf:
    """`all of <items>`: true when the conditions of all the items hold."""

    ref: "Ref"
    span: Span | None = _span()


@attrs.frozen
class Lookup:
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
class Selector:
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
class Ref:
    """A cross-reference as written: groups of selectors joined by `of`, then a book."""

    groups: tuple[tuple[Selector, ...], ...]
    book: str | None = None
    span: Span | None = _span()


# ------------------------------------------------------------------ types


@attrs.frozen
class SimpleType:
    """A named type or unit: `boolean`, `date`, `years`, `credits`."""

    name: str
    span: Span | None = _span()


@attrs.frozen
class PerType:
    """A rate: `hours per week`."""

    num: str
    den: str
    span: Span | None = _span()


@attrs.frozen
class EnumType:
    """`one of a, b, c`."""

    members: tuple[str, ...]
    span: Span | None = _span()


@attrs.frozen
class RangeType:
    """`range of marks`: a table column matched by range."""

    inner: "TypeExpr"
    span: Span | None = _span()


@attrs.frozen
class ListType:
    """`list of text`."""

    inner: "TypeExpr"
    span: Span | None = _span()


TypeExpr = Union[SimpleType, PerType, EnumType, RangeType, ListType]

# ------------------------------------------------------------------ statements


@attrs.frozen
class Text:
    """One line of the regulation's own words (`| ...`)."""

    text: str
    span: Span | None = _span()


@attrs.frozen
class Condition:
    """The condition of an item or sub-item, a bare expression."""

    expr: Expr
    span: Span | None = _span()


@attrs.frozen
class ExceptionClause:
    """`notwithstanding <ref>` or `overrides <ref>`."""

    kind: str
    ref: Ref
    span: Span | None = _span()


@attrs.frozen
class Rule:
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
class Delegated:
    """The provision leaves the matter to separate regulations."""

    names: tuple[str, ...] = ()
    note: str | None = None
    span: Span | None = _span()


@attrs.frozen
class Refers:
    """`refers to <ref>, ...`: a checked cross-reference with no rule."""

    refs: tuple[Ref, ...]
    span: Span | None = _span()


@attrs.frozen
class Reading:
    """`reading "Faculty" as "Graduate School"`: a substitution for mutatis mutandis."""

    old: Union[str, Ref]
    new: Union[str, Ref]
    span: Span | None = _span()


@attrs.frozen
class ExceptRefs:
    """`except <ref>, ...`: provisions of the other book not applied."""

    refs: tuple[Ref, ...]
    span: Span | None = _span()


@attrs.frozen
class Applies:
    """`applies other_book mutatis mutandis`, with its readings."""

    book: str
    adaptations: tuple[Union[Reading, ExceptRefs], ...] = ()
    span: Span | None = _span()


@attrs.frozen
class NotApplying:
    """`not applying when <condition>`: whom an amendment spares."""

    expr: Expr
    span: Span | None = _span()


@attrs.frozen
class Affects:
    """`affects <ref>, ...`: the provisions an amendment changed."""

    refs: tuple[Ref, ...]
    span: Span | None = _span()


@attrs.frozen
class Amendment:
    """`amendment "..." takes effect DATE`, with transitional clauses."""

    title: str
    date: dt.date | None
    clauses: tuple[Union[NotApplying, Affects], ...] = ()
    span: Span | None = _span()


# ------------------------------------------------------------------ declarations


@attrs.frozen
class Bound:
    """One limit on the values of a fact: `at least 0 credits`, `at most 12 years`, `whole`, `after DATE`."""

    kind: str  # at least, at most, whole, after, before
    value: "Expr | None" = None  # None for `whole`
    span: Span | None = _span()


@attrs.frozen
class Fact:
    """An input about the student, given in the facts file."""

    name: str
    type: TypeExpr
    description: str = ""
    bounds: tuple[Bound, ...] = ()  # the values it may take, as declared
    span: Span | None = _span()


@attrs.frozen
class Outcome:
    """An answer the book gives (reported by `regdsl eval`)."""

    name: str
    type: TypeExpr
    description: str = ""
    span: Span | None = _span()


@attrs.frozen
class Define:
    """An intermediate value, computed by rules but not reported by default."""

    name: str
    type: TypeExpr
    description: str = ""
    span: Span | None = _span()


@attrs.frozen
class Decision:
    """A judgement a named body makes; discretionary until given as a fact."""

    name: str
    type: TypeExpr | None
    bodies: tuple[str, ...]
    description: str = ""
    span: Span | None = _span()


@attrs.frozen
class Relation:
    """`part of X` or `administered by X`."""

    kind: str
    target: str
    span: Span | None = _span()


@attrs.frozen
class Duties:
    """A numbered list of a body's duties, citable item by item."""

    title: str | None
    items: tuple["Item", ...]
    span: Span | None = _span()


@attrs.frozen
class Body:
    """An office, council or organisation that decides or is organised."""

    name: str
    title: str
    statements: tuple[Union[Text, Relation, Duties], ...] = ()
    span: Span | None = _span()


@attrs.frozen
class Unit:
    """`unit seat, seats` or `unit semester, semesters = 6 months`."""

    singular: str
    plural: str | None = None
    factor: str | None = None
    base: str | None = None
    span: Span | None = _span()


@attrs.frozen
class Column:
    """A table column and its type."""

    name: str
    type: TypeExpr
    description: str = ""
    span: Span | None = _span()


@attrs.frozen
class Cell:
    """A table cell: a literal, a range `lo to hi`, or `none`."""

    value: Expr | None
    high: Expr | None = None
    span: Span | None = _span()


@attrs.frozen
class Row:
    """A table row."""

    cells: tuple[Cell, ...]
    total: bool = False
    span: Span | None = _span()


@attrs.frozen
class AsOf:
    """`as of DATE`: the figures of a table hold from that date."""

    date: dt.date
    span: Span | None = _span()


@attrs.frozen
class Table:
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
class Validity:
    """`in force from A [until B]`: the dates a version holds (both inclusive)."""

    start: dt.date | None
    end: dt.date | None = None
    span: Span | None = _span()


@attrs.frozen
class SubItem:
    """A sub-item `a.` of an item."""

    letter: str
    body: tuple[Statement, ...]
    span: Span | None = _span()


@attrs.frozen
class Item:
    """A numbered item `1)` of a paragraph."""

    number: str
    body: tuple[Union[Statement, SubItem], ...]
    span: Span | None = _span()


@attrs.frozen
class Paragraph:
    """Paragraph 2, 3, ... of an article (the first is the article's own body)."""

    number: str
    validity: Validity | None
    body: tuple[Union[Statement, Item], ...]
    span: Span | None = _span()


@attrs.frozen
class Article:
    """An article; its own body is its (unnumbered) first paragraph."""

    number: str
    title: str
    validity: Validity | None
    body: tuple[Union[Statement, Item, Paragraph], ...]
    span: Span | None = _span()


@attrs.frozen
class Deleted:
    """`article N deleted` or `articles N to M deleted`."""

    first: str
    last: str | None = None
    span: Span | None = _span()


@attrs.frozen
class Supplementary:
    """The Supplementary Provisions, numbered like paragraphs."""

    title: str | None
    body: tuple[Union[Statement, Item, Paragraph], ...]
    span: Span | None = _span()


@attrs.frozen
class Section:
    """`section N "Title"`: starts a section; lasts until the next one.

    A section may hold text and statements of its own (an organisation page
    has sections but no articles).
    """

    number: str
    title: str
    body: tuple = ()
    span: Span | None = _span()


@attrs.frozen
class Part:
    """`part N "Title"`: starts a part of the current section."""

    number: str
    title: str
    span: Span | None = _span()


@attrs.frozen
class Established:
    """`established DATE` in the book header."""

    date: dt.date
    span: Span | None = _span()


@attrs.frozen
class Amended:
    """`amended DATE ["Regulation No. N"]` in the book header."""

    date: dt.date
    note: str | None = None
    span: Span | None = _span()


@attrs.frozen
class InForce:
    """`in force from DATE`: the date the encoded text holds from."""

    date: dt.date
    span: Span | None = _span()


@attrs.frozen
class Uses:
    """`uses other_book from "path"`: another book this one refers to."""

    name: str
    path: str
    span: Span | None = _span()


@attrs.frozen
class CitedAs:
    """`cited as "University Regulations"`: the short name used in citations."""

    title: str
    span: Span | None = _span()


@attrs.frozen
class BookHeader:
    """`book name "Title"` and its history."""

    name: str
    title: str
    statements: tuple[Union[Text, Established, Amended, InForce, Uses, CitedAs], ...] = ()
    span: Span | None = _span()


TopLevel = Union[BookHeader, Section, Part, Article, Deleted, Supplementary, Declaration, Table]


@attrs.frozen
class Module:
    """One parsed .reg file."""

    file: str
    items: tuple[TopLevel, ...]
    comments: tuple[Comment, ...] = attrs.field(default=(), eq=False)
