"""The checker's state and the services every part of it uses: findings, references, types."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .. import ir
from ..core.types import ANY, SIMPLE_TYPES, Type, quantity
from ..core.units import dim_mul
from ..errors import CheckError, RegdslError, Span, did_you_mean
from ..model.provisions import BookModel, Provision, RuleInfo
from ..model.references import resolve_ref
from ..syntax import nodes as n

if TYPE_CHECKING:
    from .adoption import Adoption
    from .rules import TransitionInfo
    from .tables import TableData


class CheckerBase:
    """What the checker knows so far about one book model (the model itself is never written)."""

    def __init__(self, book: BookModel, others: dict[str, ir.IRBook] | None = None):
        self.book = book
        self.others = others or {}  # the IR of every book this one uses, by name
        self.findings: list[RegdslError] = []
        self._seen: set[tuple] = set()
        self.deps: set[str] | None = None
        self.types: dict[str, Type] = {}
        self.domains: dict[str, ir.Domain] = {}  # the bounds of each fact that declares some
        self.enum_members: dict[str, list[str]] = {}
        self.name_deps: dict[str, set[str]] = {}
        self.tables: dict[str, TableData] = {}
        self.rule_ir: dict[int, tuple[ir.Expr | None, ir.Expr | None]] = {}  # id(RuleInfo) -> IR
        self.overrides: dict[int, list[RuleInfo]] = {}  # id(RuleInfo) -> the rules it overrides
        self.item_ir: dict[int, tuple[ir.Expr, set[str]] | None] = {}  # id(Provision) -> condition
        self.item_refs: dict[int, set[int]] = {}  # id(item) -> ids of the items its condition reads
        self.items: dict[int, Provision] = {}
        self.adoptions: list[Adoption] = []
        self.adopted: dict[str, tuple[Any, Adoption]] = {}
        self.transitions: dict[str, TransitionInfo] = {}
        self._resolved: dict[tuple[int, int, str | None], list[Provision]] = {}
        self._reading_item: Provision | None = None

    def error(self, message: str, span: Span | None, code: str, hint: str | None = None) -> None:
        """Record a finding (once, however often it is reached)."""
        key = (code, span, message)
        if key in self._seen or any(
                e.code == code and e.span == span and e.message == message for e in self.book.errors):
            return
        self._seen.add(key)
        self.findings.append(CheckError(message, span, code=code, hint=hint))

    def word_span(self, span: Span | None, word: str) -> Span | None:
        """The place of `word` on the first line of `span` (the span itself if it is not there)."""
        if span is None or span.file not in self.book.sources:
            return span
        lines = self.book.lines(span.file)
        line = lines[span.line - 1] if 0 < span.line <= len(lines) else ""
        m = re.search(rf"\b{re.escape(word)}\b", line[span.column - 1:])
        if m is None:
            return span
        col = span.column + m.start()
        return Span(span.file, span.line, col, span.line, col + len(word))

    def resolve(self, ref: n.Ref, at: Provision, book_name: str | None = None) -> list[Provision]:
        """The provisions a reference written at `at` points to (a finding if it points nowhere)."""
        key = (id(ref), id(at), book_name)
        found = self._resolved.get(key)
        if found is not None:
            return found
        got = self.book.references.lookup(ref, at, book_name)
        if got is None:  # not written in a provision's statements: resolved here
            if book_name is not None and ref.book is None:
                ref = n.Ref(ref.groups, book_name, span=ref.span)
            try:
                got = resolve_ref(ref, at, self.book)
            except CheckError as e:
                got = e
        if isinstance(got, CheckError):
            self.error(got.message, got.span, got.code, got.hint)
            found = []
        else:
            found = got
        self._resolved[key] = found
        return found

    # ------------------------------------------------------------ types

    def type_of(self, t: Any) -> Type:
        """The type a type expression of the book names."""
        b = self.book
        if isinstance(t, n.SimpleType):
            if t.name in SIMPLE_TYPES:
                return SIMPLE_TYPES[t.name]
            if t.name == "body":
                return Type("enum", members=tuple(b.bodies))
            u = b.units.get(t.name)
            if u is not None:
                return quantity(u.dim, u.plural)
            self.error(f"unknown type or unit `{t.name}`", t.span, "E404",
                       did_you_mean(t.name, list(SIMPLE_TYPES) + b.units.names()))
            return ANY
        if isinstance(t, n.PerType):
            num, den = b.units.get(t.num), b.units.get(t.den)
            for name, u in ((t.num, num), (t.den, den)):
                if u is None:
                    self.error(f"unknown unit `{name}`", t.span, "E403", did_you_mean(name, b.units.names()))
            if num is None or den is None:
                return ANY
            return quantity(dim_mul(num.dim, den.dim, -1), f"{num.plural} per {den.singular}")
        if isinstance(t, n.EnumType):
            if len(set(t.members)) != len(t.members):
                self.error("an enumeration lists a value twice", t.span, "E302")
            return Type("enum", members=t.members)
        if isinstance(t, n.RangeType):
            return Type("range", inner=self.type_of(t.inner))
        if isinstance(t, n.ListType):
            return Type("list", inner=self.type_of(t.inner))
        return ANY

    def unit_factor(self, unit: str) -> Any:
        u = self.book.units.get(unit)
        return u.factor if u is not None else 1
