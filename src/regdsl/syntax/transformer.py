"""Lark's parse tree to the syntax tree: the Transformer that builds the attrs nodes, with their spans."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from lark import Token, v_args
from lark.tree import Meta
from lark.visitors import Transformer_NonRecursive

from . import nodes as n
from ..errors import Span
from .depth import Nesting


class BadLiteral(Exception):
    """A literal that matches its token's pattern but is not a real value (2025-02-30)."""

    def __init__(self, token: Token, message: str):
        super().__init__(message)
        self.token = token


def _date(tok: Token) -> dt.date:
    try:
        return dt.date.fromisoformat(str(tok))
    except ValueError:
        raise BadLiteral(tok, f"{tok} is not a valid date") from None


def unquote(literal: str) -> str:
    """The value of a string literal (a STRING token, or its text): the quotes dropped, escapes undone."""
    s = str(literal)[1:-1]
    return s.replace('\\"', '"').replace("\\\\", "\\") if "\\" in s else s


_COMPARE = {
    "COMP": None,
    "IS": ("is", ""),
    "IS_NOT": ("isnot", ""),
    "AT_LEAST": (">=", "is at least"),
    "AT_MOST": ("<=", "is at most"),
    "MORE_THAN": (">", "is more than"),
    "LESS_THAN": ("<", "is less than"),
    "EXCEEDS": (">", "exceeds"),
}


def _strings(items) -> str:
    return " ".join(unquote(t) for t in items if isinstance(t, Token) and t.type == "STRING")


def _tokens(items, type_: str) -> list[Token]:
    return [t for t in items if isinstance(t, Token) and t.type == type_]


def _nodes(items) -> tuple:
    return tuple(i for i in items if i is not None and not isinstance(i, Token))


# Callbacks that differ only in a word (the operator, the kind of step), made by a function each.
_Callback = Callable[["ToAst", Meta, list], Any]


def _binary(op: str) -> _Callback:
    def binary(self: ToAst, meta: Meta, items: list) -> n.Binary:
        return self.nesting.binary(n.Binary(op, items[0], items[1], span=self._span(meta)),
                                   op, items[0], items[1])

    return binary


def _sel(kind: str) -> _Callback:
    def one(self: ToAst, meta: Meta, items: list) -> n.Selector:
        return n.Selector(kind, (str(items[0]),), span=self._span(meta))

    return one


def _sel_many(kind: str) -> _Callback:
    def many(self: ToAst, meta: Meta, items: list) -> n.Selector:
        numbers, through = items[0]
        return n.Selector(kind, numbers, through=through, span=self._span(meta))

    return many


def _sel_rel(kind: str) -> _Callback:
    def relative(self: ToAst, meta: Meta, items: list) -> n.Selector:
        return n.Selector(kind, target=items[0], span=self._span(meta))

    return relative


@v_args(meta=True)
class ToAst(Transformer_NonRecursive):
    """Builds the attrs syntax tree, giving every node its source span.

    Without recursion (a chain of a thousand `+` is a thousand levels of
    tree); the nesting of expressions and types is measured on the way up and
    refused past limits.MAX_NESTING, so no later pass needs a deep stack.
    """

    def __init__(self, file: str):
        super().__init__()
        self.file = file
        self.nesting = Nesting()

    def _span(self, meta) -> Span | None:
        if getattr(meta, "empty", True):
            return None
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    # ---- structure
    def start(self, meta, items):
        return n.Module(self.file, _nodes(items))

    def book(self, meta, items):
        name, title = items[0], items[1]
        return n.BookHeader(str(name), unquote(title), _nodes(items[2:]), span=self._span(meta))

    def established(self, meta, items):
        return n.Established(_date(items[0]), span=self._span(meta))

    def amended(self, meta, items):
        note = unquote(items[1]) if len(items) > 1 and items[1] is not None else None
        return n.Amended(_date(items[0]), note, span=self._span(meta))

    def in_force(self, meta, items):
        return n.InForce(_date(items[0]), span=self._span(meta))

    def uses(self, meta, items):
        return n.Uses(str(items[0]), unquote(items[1]), span=self._span(meta))

    def cited_as(self, meta, items):
        return n.CitedAs(unquote(items[0]), span=self._span(meta))

    def section(self, meta, items):
        return n.Section(str(items[0]), unquote(items[1]), _nodes(items[2:]), span=self._span(meta))

    def part(self, meta, items):
        return n.Part(str(items[0]), unquote(items[1]), span=self._span(meta))

    def article(self, meta, items):
        number, title, validity, *body = items
        return n.Article(str(number), unquote(title), validity, _nodes(body), span=self._span(meta))

    def deleted_one(self, meta, items):
        return n.Deleted(str(items[0]), span=self._span(meta))

    def deleted_run(self, meta, items):
        return n.Deleted(str(items[0]), str(items[1]), span=self._span(meta))

    def deleted_paragraph(self, meta, items):
        return n.Deleted(str(items[0]), kind="paragraph", span=self._span(meta))

    def deleted_item(self, meta, items):
        return n.Deleted(str(items[0]), kind="item", span=self._span(meta))

    def valid_from(self, meta, items):
        end = _date(items[1]) if len(items) > 1 and items[1] is not None else None
        return n.Validity(_date(items[0]), end, span=self._span(meta))

    def valid_until(self, meta, items):
        return n.Validity(None, _date(items[0]), span=self._span(meta))

    def supplementary(self, meta, items):
        title = unquote(items[0]) if items and items[0] is not None else None
        return n.Supplementary(title, _nodes(items[1:]), span=self._span(meta))

    def paragraph(self, meta, items):
        number, validity, *body = items
        return n.Paragraph(str(number), validity, _nodes(body), span=self._span(meta))

    def item(self, meta, items):
        return n.Item(str(items[0]), _nodes(items[1:]), span=self._span(meta))

    def subitem(self, meta, items):
        return n.SubItem(str(items[0]), _nodes(items[1:]), span=self._span(meta))

    def text(self, meta, items):
        raw = str(items[0])[1:]
        if raw.startswith(" "):
            raw = raw[1:]
        return n.Text(raw.rstrip(), span=self._span(meta))

    def condition(self, meta, items):
        return n.Condition(items[0], span=self._span(meta))

    # ---- rules
    def _rule(self, meta, items, kind):
        however, name, expr, *clauses = items
        when, unless, exc, as_of = [], [], [], None
        for c in clauses:
            if c is None:
                continue
            if isinstance(c, n.ExceptionClause):
                exc.append(c)
            elif c[0] == "when":
                when.append(c[1])
            elif c[0] == "as_of":
                if as_of is not None:
                    raise BadLiteral(c[2], "a rule is stated as of one date; this is a second `as of`")
                as_of = c[1]
            else:
                unless.append(c[1])
        return n.Rule(str(name), kind, expr, however is not None, tuple(when), tuple(unless),
                      tuple(exc), as_of, span=self._span(meta))

    def value_rule(self, meta, items):
        return self._rule(meta, items, "=")

    def if_rule(self, meta, items):
        return self._rule(meta, items, "if")

    def when_clause(self, meta, items):
        return ("when", items[0])

    def unless_clause(self, meta, items):
        return ("unless", items[0])

    def as_of_clause(self, meta, items):
        return ("as_of", _date(items[0]), items[0])

    def exception_clause(self, meta, items):
        return n.ExceptionClause(str(items[0]).lower(), items[1], span=self._span(meta))

    def delegated(self, meta, items):
        names = tuple(str(t) for t in _tokens(items, "NAME"))
        note = _strings(items) or None
        return n.Delegated(names, note, span=self._span(meta))

    def refers(self, meta, items):
        return n.Refers(_nodes(items), span=self._span(meta))

    def applies(self, meta, items):
        return n.Applies(str(items[0]), _nodes(items[1:]), span=self._span(meta))

    def reading(self, meta, items):
        def one(x):
            if isinstance(x, Token):
                return unquote(x) if x.type == "STRING" else str(x)
            return x

        return n.Reading(one(items[0]), one(items[1]), span=self._span(meta))

    def except_(self, meta, items):
        return n.ExceptRefs(_nodes(items), span=self._span(meta))

    def amendment(self, meta, items):
        dates = _tokens(items, "DATE")
        return n.Amendment(unquote(items[0]), _date(dates[0]) if dates else None, _nodes(items[1:]),
                           span=self._span(meta))

    def not_applying(self, meta, items):
        return n.NotApplying(items[0], span=self._span(meta))

    def affects(self, meta, items):
        return n.Affects(_nodes(items), span=self._span(meta))

    # ---- declarations
    def _decl(self, cls, meta, items):
        return cls(str(items[0]), items[1], _strings(items[2:]), span=self._span(meta))

    def fact(self, meta, items):
        bounds = tuple(i for i in items[2:] if isinstance(i, n.Bound))
        return n.Fact(str(items[0]), items[1], _strings(items[2:]), bounds, span=self._span(meta))

    def at_least(self, meta, items):
        return n.Bound("at least", items[0], span=self._span(meta))

    def at_most(self, meta, items):
        return n.Bound("at most", items[0], span=self._span(meta))

    def whole(self, meta, items):
        return n.Bound("whole", span=self._span(meta))

    def after(self, meta, items):
        return n.Bound("after", items[0], span=self._span(meta))

    def before(self, meta, items):
        return n.Bound("before", items[0], span=self._span(meta))

    def outcome(self, meta, items):
        return self._decl(n.Outcome, meta, items)

    def define(self, meta, items):
        return self._decl(n.Define, meta, items)

    def decision(self, meta, items):
        name = str(items[0])
        type_ = items[1]
        bodies = tuple(str(t) for t in _tokens(items[2:], "NAME"))
        return n.Decision(name, type_, bodies, _strings(items[2:]), span=self._span(meta))

    def body(self, meta, items):
        return n.Body(str(items[0]), unquote(items[1]), _nodes(items[2:]), span=self._span(meta))

    def relation(self, meta, items):
        kind = " ".join(str(items[0]).split())
        return n.Relation(kind, str(items[1]), span=self._span(meta))

    def duties(self, meta, items):
        title = unquote(items[0]) if items and items[0] is not None else None
        return n.Duties(title, _nodes(items[1:]), span=self._span(meta))

    def unit(self, meta, items):
        singular, plural, factor, base = (list(items) + [None] * 4)[:4]
        s = lambda t: str(t) if t is not None else None  # noqa: E731
        return n.Unit(str(singular), s(plural), s(factor), s(base), span=self._span(meta))

    def simple_type(self, meta, items):
        return n.SimpleType(str(items[0]), span=self._span(meta))

    def per_type(self, meta, items):
        return n.PerType(str(items[0]), str(items[1]), span=self._span(meta))

    def enum_type(self, meta, items):
        return n.EnumType(tuple(str(t) for t in items if t is not None), span=self._span(meta))

    def range_type(self, meta, items):
        return self.nesting.node(n.RangeType(items[0], span=self._span(meta)), items[0])

    def list_type(self, meta, items):
        return self.nesting.node(n.ListType(items[0], span=self._span(meta)), items[0])

    # ---- tables
    def table(self, meta, items):
        title = unquote(items[1]) if items[1] is not None else None
        return n.Table(str(items[0]), title, _nodes(items[2:]), span=self._span(meta))

    def column(self, meta, items):
        return self._decl(n.Column, meta, items)

    def row(self, meta, items):
        return n.Row(_nodes(items), span=self._span(meta))

    def total(self, meta, items):
        return n.Row(_nodes(items), total=True, span=self._span(meta))

    def figure(self, meta, items):
        return n.AsOf(_date(items[0]), span=self._span(meta))

    def cell(self, meta, items):
        return n.Cell(items[0], span=self._span(meta))

    def range_cell(self, meta, items):
        return n.Cell(items[0], items[1], span=self._span(meta))

    def empty_cell(self, meta, items):
        return n.Cell(None, span=self._span(meta))

    # ---- literals
    def number(self, meta, items):
        return n.Number(str(items[0]), span=self._span(meta))

    def quantity(self, meta, items):
        return n.Quantity(str(items[0]), str(items[1]), span=self._span(meta))

    def quantity_per(self, meta, items):
        return n.Quantity(str(items[0]), str(items[1]), str(items[2]), span=self._span(meta))

    def string(self, meta, items):
        return n.String(unquote(items[0]), span=self._span(meta))

    def date(self, meta, items):
        return n.DateLit(_date(items[0]), span=self._span(meta))

    def time(self, meta, items):
        h, m = str(items[0]).split(":")
        try:
            return n.TimeLit(dt.time(int(h), int(m)), span=self._span(meta))
        except ValueError:
            raise BadLiteral(items[0], f"{items[0]} is not a valid time of day") from None

    def true(self, meta, items):
        return n.Bool(True, span=self._span(meta))

    def false(self, meta, items):
        return n.Bool(False, span=self._span(meta))

    def name(self, meta, items):
        return n.Name(str(items[0]), span=self._span(meta))

    # ---- expressions
    def if_expr(self, meta, items):
        return self.nesting.node(n.IfExpr(items[0], items[1], items[2], span=self._span(meta)), *items)

    or_ = _binary("or")
    and_ = _binary("and")
    add = _binary("+")
    sub = _binary("-")
    mul = _binary("*")
    div = _binary("/")

    def not_(self, meta, items):
        return self.nesting.node(n.Not(items[0], span=self._span(meta)), items[0])

    def neg(self, meta, items):
        return self.nesting.node(n.Neg(items[0], span=self._span(meta)), items[0])

    def compare(self, meta, items):
        left, op, right = items
        mapped = _COMPARE.get(op.type)
        if mapped is None:
            node = n.Compare(str(op), left, right, span=self._span(meta))
        else:
            node = n.Compare(mapped[0], left, right, mapped[1], span=self._span(meta))
        return self.nesting.node(node, left, right)

    def one_of(self, meta, items):
        names = tuple(str(t) for t in _tokens(items[1:], "NAME"))
        return self.nesting.node(n.OneOf(items[0], names, span=self._span(meta)), items[0])

    def not_one_of(self, meta, items):
        names = tuple(str(t) for t in _tokens(items[1:], "NAME"))
        return self.nesting.node(n.OneOf(items[0], names, True, span=self._span(meta)), items[0])

    def qualified(self, meta, items):
        return n.Qualified(str(items[0]), items[1], span=self._span(meta))

    def call(self, meta, items):
        args = _nodes(items[1:])
        return self.nesting.node(n.Call(str(items[0]), args, span=self._span(meta)), *args)

    def any_of(self, meta, items):
        return n.AnyOf(items[0], span=self._span(meta))

    def all_of(self, meta, items):
        return n.AllOf(items[0], span=self._span(meta))

    def lookup(self, meta, items):
        return self.nesting.node(n.Lookup(str(items[0]), str(items[1]), items[2], span=self._span(meta)),
                                 items[2])

    # ---- references
    def ref(self, meta, items):
        book = None
        groups = []
        for it in items:
            if isinstance(it, Token):
                book = str(it)
            elif it is not None:
                groups.append(it)
        return n.Ref(tuple(groups), book, span=self._span(meta))

    def ref_group(self, meta, items):
        return tuple(items)

    def kind(self, meta, items):
        return str(items[0])

    sel_article = _sel("article")
    sel_section = _sel("section")
    sel_paragraph = _sel("paragraph")
    sel_item = _sel("item")
    sel_subitem = _sel("subitem")

    sel_articles = _sel_many("article")
    sel_paragraphs = _sel_many("paragraph")
    sel_items = _sel_many("item")

    sel_preceding = _sel_rel("preceding")
    sel_following = _sel_rel("following")
    sel_this = _sel_rel("this")

    def sel_the_items(self, meta, items):
        return n.Selector("items_here", span=self._span(meta))

    def sel_supplementary(self, meta, items):
        return n.Selector("supplementary", span=self._span(meta))

    def num_and(self, meta, items):
        return tuple(str(t) for t in _tokens(items, "NUM")), None

    def num_range(self, meta, items):
        return (str(items[0]),), str(items[1])

    def num_one(self, meta, items):
        return (str(items[0]),), None
