"""Checking the bounds a fact's declaration gives (`at least`, `at most`, `whole`, `after`, `before`).

A bound is a constant of the fact's type: a value written out, a definition
of the book whose one rule gives a constant, or `min`/`max`, `-` and the
arithmetic of those.  The bounds of each fact become an `ir.Domain`
(docs/language.md, "The values a fact may take").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .. import ir
from ..core.builtins import BUILTINS
from ..core.types import Type
from ..core.units import Q, format_number, format_quantity
from ..core.values import Unknown
from ..syntax import nodes as n
from .expressions import Expressions

ORDERED_KINDS = ("quantity", "number")  # the types `at least`, `at most` and `whole` bound
_FOLDED = ("min", "max")  # the built-ins a bound may call


class Domains(Expressions):
    """The domains of the book's facts, checked (E411-E413) and kept for lowering."""

    def check_domains(self) -> None:
        """Check every fact's bounds; `self.domains` holds the domain of each fact that has some."""
        for sym in self.book.symbols.values():
            decl = sym.decl
            if isinstance(decl, n.Fact) and decl.bounds:
                domain = self._domain(decl, self.types[sym.name], sym.provision)
                if domain is not None:
                    self.domains[sym.name] = domain

    def _domain(self, decl: n.Fact, t: Type, at: Any) -> ir.Domain | None:
        found: dict[str, Any] = {}
        ok = True
        for b in decl.bounds:
            if b.kind in found:
                self.error(f"`{decl.name}` is bounded `{b.kind}` twice", b.span, "E413",
                           "keep one bound of each kind")
                ok = False
                continue
            value = self._bound(decl.name, b, t, at)
            if value is _BAD:
                ok = False
            found[b.kind] = value
        if not ok:
            return None
        domain = ir.Domain(found.get("at least"), found.get("at most"), "whole" in found,
                           found.get("after"), found.get("before"))
        return domain if self._admits_a_value(decl, domain, t) else None

    def _bound(self, fact: str, b: n.Bound, t: Type, at: Any) -> Any:
        if t.kind == "any":
            return _BAD  # its type is reported already
        fits = t.kind in ORDERED_KINDS if b.kind in ("at least", "at most", "whole") else t.kind == "date"
        if not fits:
            self.error(f"`{fact}` is {t.describe()}, which cannot be bounded `{b.kind}`", b.span, "E411",
                       _fitting(t))
            return _BAD
        if b.value is None:  # whole
            return True
        saved, self.deps = self.deps, None
        try:
            got, lowered = self.expr(b.value, at, t)
        finally:
            self.deps = saved
        if got.kind == "any":
            return _BAD  # reported where it was found
        if not got.same(t):
            self.expect(got, t, b.value, f"the bound `{b.kind}` of `{fact}`")
            return _BAD
        value = self.constant(lowered, set())
        if value is _BAD:
            self.error(f"the bound `{b.kind}` of `{fact}` is not a constant: it must be known when the book "
                       "is checked", b.value.span, "E412",
                       "write a value (`0 credits`), a definition whose one rule gives a value, "
                       "or min/max of those")
        return value

    def constant(self, x: ir.Expr, seen: set[str]) -> Any:
        """The value of an expression known when the book is checked (_BAD if it is not one)."""
        if isinstance(x, ir.Const):
            return _BAD if isinstance(x.value, Unknown) else x.value
        if isinstance(x, ir.Shown):
            return self.constant(x.arg, seen)
        if isinstance(x, ir.Neg):
            v = self.constant(x.arg, seen)
            return v if v is _BAD else (Q(-v.value, v.dim, v.unit, v.factor) if isinstance(v, Q) else -v)
        if isinstance(x, ir.Call) and x.func in _FOLDED:
            args = [self.constant(a, seen) for a in x.args]
            return _BAD if any(a is _BAD for a in args) else BUILTINS[x.func].impl(*args)
        if isinstance(x, ir.Arith):
            return _arith(x.op, self.constant(x.left, seen), self.constant(x.right, seen))
        if isinstance(x, ir.Fold):
            v = self.constant(x.first, seen)
            for op, rest in zip(x.ops, x.rest):
                v = _arith(op, v, self.constant(rest, seen))
            return v
        if isinstance(x, ir.Ref) and x.name not in seen:  # E503 reports a cycle
            rules = self.book.rules.get(x.name, [])
            lowered = self.rule_ir.get(id(rules[0])) if len(rules) == 1 else None
            if lowered is None or lowered[0] is not None or lowered[1] is None or (rules[0].node is not None and rules[0].node.as_of) \
                    or _versioned(rules[0].provision):
                return _BAD  # more than one rule, a condition, a date or a version: not one value
            return self.constant(lowered[1], seen | {x.name})
        return _BAD

    def _admits_a_value(self, decl: n.Fact, d: ir.Domain, t: Type) -> bool:
        """Whether the bounds leave the fact some value (E413 if they do not)."""
        spans = {b.kind: b.span for b in decl.bounds}
        if t.kind == "date":
            # The first and the last day admitted (`after` and `before` exclude their own dates).
            first = d.after.toordinal() + 1 if d.after is not None else dt.date.min.toordinal()
            last = d.before.toordinal() - 1 if d.before is not None else dt.date.max.toordinal()
            if first > last or first > dt.date.max.toordinal() or last < dt.date.min.toordinal():
                between = " and ".join(([f"after {d.after.isoformat()}"] if d.after else [])
                                       + ([f"before {d.before.isoformat()}"] if d.before else []))
                self.error(f"no date of the calendar is {between}: `{decl.name}` could take no value",
                           spans.get("before") or spans.get("after"), "E413")
                return False
            return True
        lo, hi = _plain(d.at_least), _plain(d.at_most)
        if t.kind == "quantity" and lo is None:
            lo = 0  # the default: a quantity is never negative
        if lo is not None and hi is not None and lo > hi:
            if d.at_least is None:
                said = (f"`{decl.name}` is bounded at most {_shown(d.at_most)}, but a quantity is never negative "
                        "unless its declaration says `at least` a negative amount")
            else:
                said = f"`{decl.name}` is bounded at least {_shown(d.at_least)} and at most {_shown(d.at_most)}"
            self.error(said + ": it could take no value", spans.get("at most"), "E413")
            return False
        whole = d.whole or t.integer
        if whole and lo is not None and hi is not None:
            unit = self.unit_factor(t.unit) if t.kind == "quantity" and " per " not in t.unit else 1
            if -(-lo // unit) > hi // unit:  # no whole number of the unit between the bounds
                self.error(f"no whole number lies between the bounds of `{decl.name}`", spans.get("whole")
                           or spans.get("at most"), "E413")
                return False
        return True


_BAD = Unknown()


def _arith(op: str, x: Any, y: Any) -> Any:
    from ..eval.operators import ARITH  # the one definition of each operation the IR names

    if x is _BAD or y is _BAD or op not in ARITH:
        return _BAD
    try:
        v = ARITH[op](x, y)
    except ZeroDivisionError:
        return _BAD
    return _BAD if isinstance(v, Unknown) else v


def _versioned(p: Any) -> bool:
    """Whether a provision, or one it is part of, is in force for a time only."""
    while p is not None:
        if p.start is not None or p.end is not None:
            return True
        p = p.parent
    return False


def _plain(v: Any) -> Any:
    return v.value if isinstance(v, Q) else v


def _shown(v: Any) -> str:
    return format_quantity(v) if isinstance(v, Q) else format_number(v)


def _fitting(t: Type) -> str:
    if t.kind == "date":
        return "a date is bounded `after DATE` or `before DATE`"
    if t.kind in ORDERED_KINDS:
        return "a number or quantity is bounded `at least X`, `at most X` or `whole`"
    return "only numbers, quantities and dates have bounds; an enumeration's values are its domain"

