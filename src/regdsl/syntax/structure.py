"""The syntax tree's book structure: articles, paragraphs, items, sections, the book header,
and the parsed file (`Module`)."""

from __future__ import annotations

import datetime as dt
from typing import Union

import attrs

from ..errors import Span
from .tree import Node, span_field
from .statements import Declaration, Statement, Table, Text
from .tree import Comment


# ------------------------------------------------------------------ structure


@attrs.frozen(repr=False, eq=False)
class Validity(Node):
    """`in force from A [until B]`: the dates a version holds (both inclusive)."""

    start: dt.date | None
    end: dt.date | None = None
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class SubItem(Node):
    """A sub-item `a.` of an item."""

    letter: str
    body: tuple[Statement, ...]
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Item(Node):
    """A numbered item `1)` of a paragraph."""

    number: str
    body: tuple[Union[Statement, SubItem], ...]
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Paragraph(Node):
    """Paragraph 2, 3, ... of an article (the first is the article's own body)."""

    number: str
    validity: Validity | None
    body: tuple[Union[Statement, Item], ...]
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Article(Node):
    """An article; its own body is its (unnumbered) first paragraph."""

    number: str
    title: str
    validity: Validity | None
    body: tuple[Union[Statement, Item, Paragraph], ...]
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Deleted(Node):
    """`article N deleted` or `articles N to M deleted`; `paragraph N deleted` and `item N deleted`
    (kind `paragraph`, `item`) in a later version of an article, for a part the amendment removed."""

    first: str
    last: str | None = None
    kind: str = "article"
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Supplementary(Node):
    """The Supplementary Provisions, numbered like paragraphs."""

    title: str | None
    body: tuple[Union[Statement, Item, Paragraph], ...]
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Section(Node):
    """`section N "Title"`: starts a section; lasts until the next one.

    A section may hold text and statements of its own (an organisation page
    has sections but no articles).
    """

    number: str
    title: str
    body: tuple = ()
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Part(Node):
    """`part N "Title"`: starts a part of the current section."""

    number: str
    title: str
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Established(Node):
    """`established DATE` in the book header."""

    date: dt.date
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Amended(Node):
    """`amended DATE ["Regulation No. N"]` in the book header."""

    date: dt.date
    note: str | None = None
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class InForce(Node):
    """`in force from DATE`: the date the encoded text holds from."""

    date: dt.date
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class Uses(Node):
    """`uses other_book from "path"`: another book this one refers to."""

    name: str
    path: str
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class CitedAs(Node):
    """`cited as "University Regulations"`: the short name used in citations."""

    title: str
    span: Span | None = span_field()


@attrs.frozen(repr=False, eq=False)
class BookHeader(Node):
    """`book name "Title"` and its history."""

    name: str
    title: str
    statements: tuple[Union[Text, Established, Amended, InForce, Uses, CitedAs], ...] = ()
    span: Span | None = span_field()


TopLevel = Union[BookHeader, Section, Part, Article, Deleted, Supplementary, Declaration, Table]


@attrs.frozen(repr=False, eq=False)
class Module(Node):
    """One parsed .reg file."""

    file: str
    items: tuple[TopLevel, ...]
    comments: tuple[Comment, ...] = attrs.field(default=(), eq=False)
