"""The reference semantics over abstract values: evaluating with missing facts as ranges and choices.

`AbstractEval` is the reference evaluator (reference.py) in which a fact
that is not given may stand for its whole domain (domains.py): a quantity
at least zero, an enumeration one of its values, a date between two dates.
Where an operation can decide its result for every value in the domain it
does (`9 years > 2 * (4 years - P)` with P at most 2 years is true); where it
cannot, the result is the ordinary unknown of those facts, so the answer is
never more determined than the facts allow.  reason.py splits the cases
this alone leaves open.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any, Mapping

from .. import ir
from ..core.builtins import BUILTINS
from ..core.types import Type
from ..core.units import Q, divide
from ..core.values import Unknown
from . import domains as d
from .compile import find
from .organization import BODY_FUNCTIONS
from .operators import ARITH, COMPARE, ORDERED, negate
from .reference import Forests, Reference

DATE_MIN, DATE_MAX = dt.date(1, 1, 1), dt.date(9999, 12, 31)
_ALL = frozenset({"*"})  # what a name not in the book's graph reads: assume anything


def reads_of(book: ir.IRBook, evaluator: Any) -> dict[str, frozenset[str]]:
    """`transitive_reads(book)`, worked out once per evaluator (kept on it)."""
    found = getattr(evaluator, "_transitive_reads", None)
    if found is None:
        found = evaluator._transitive_reads = transitive_reads(book)
    return found


def transitive_reads(book: ir.IRBook) -> dict[str, frozenset[str]]:
    """For every name and item, the facts and decisions it reads, directly or through what it reads."""
    out: dict[str, frozenset[str]] = {}
    for key in book.order:  # each after everything it reads
        acc = set(book.facts_read.get(key, ()))
        for dep in book.deps.get(key, ()):
            acc |= out.get(dep, _ALL)
        out[key] = frozenset(acc)
    return out


def _version_key(key: tuple) -> tuple:
    """A version key as a value (its unknowns by what they say, as `Evaluator.plan` keys it)."""
    return (key[0], key[1], tuple((t, p, u.missing, u.bodies, u.reasons) for t, p, u in key[2]))


def _evaluator(book: ir.IRBook) -> Any:
    from .engine import Evaluator

    return Evaluator(book)


def _sparing_facts(book: ir.IRBook) -> frozenset[str]:
    """The facts the transitional provisions read (a change to one may change the version key)."""
    found = set()
    for t in book.transitions:
        for cond, _ in t.sparing:
            found |= {n.name for n in ir.walk(cond) if type(n) is ir.Fact}
    return frozenset(found)


def default_domain(inp: ir.Input, units: Any) -> Any:
    """The values a fact not given may take, by its type (None: nothing to say but unknown)."""
    t = inp.ty
    facts = frozenset({inp.name})
    dom = getattr(inp, "domain", None)
    if t.kind == "quantity":  # never negative unless declared (docs/language.md)
        lo, hi, whole = _bounds(dom, 0)
        return d.Interval(lo, hi, quantity_template(t, units), facts, whole=whole)
    if t.kind == "number":  # no bound unless declared
        lo, hi, whole = _bounds(dom, None)
        return d.Interval(lo, hi, None, facts, whole=whole or t.integer)
    if t.kind == "enum":
        return d.Choice(frozenset(t.members), facts)
    if t.kind == "date":  # `after` and `before` exclude their dates; the checker leaves a day between
        after, before = getattr(dom, "after", None), getattr(dom, "before", None)
        lo = after + dt.timedelta(days=1) if after is not None else DATE_MIN
        hi = before - dt.timedelta(days=1) if before is not None else DATE_MAX
        return d.Dates(lo, hi, facts)
    return None


def _bounds(dom: Any, default_lo: Any) -> tuple[Any, Any, bool]:
    """(low, high, whole) of a declared domain, in base units (a bound is a Q, an int or a Fraction)."""
    if dom is None:
        return default_lo, None, False
    lo = _base(dom.at_least) if getattr(dom, "at_least", None) is not None else default_lo
    return lo, _base(getattr(dom, "at_most", None)), bool(getattr(dom, "whole", False))


def _base(v: Any) -> Any:
    return v.value if isinstance(v, Q) else v


def quantity_template(t: Type, units: Any) -> d.Kind:
    """(dimension, unit, factor) of values of a quantity type, as facts of that type are made."""
    name = t.unit
    if " per " in name:
        num, den = name.split(" per ")
        a, b = units.get(num), units.get(den)
        factor = divide(a.factor, b.factor) if a is not None and b is not None else 1
    else:
        u = units.get(name)
        factor = u.factor if u is not None else 1
    return (t.dim, name, factor)


class AbstractEval(Reference):
    """One student's evaluation where some facts not given stand for a whole domain of values."""

    def __init__(self, book: ir.IRBook, facts: Mapping[str, Any], as_of: dt.date,
                 abstract: Mapping[str, Any], evaluator: Any = None, parent: "AbstractEval | None" = None,
                 changed: frozenset[str] = frozenset(), forests: Forests | None = None,
                 reads: Mapping[str, frozenset[str]] | None = None, assumed: Mapping[str, Any] | None = None,
                 keys: dict | None = None):
        same_key = parent is not None and not (changed & _sparing_facts(book))
        self.assumed = dict(assumed or {})  # facts not given, taken at one value for this case
        key = parent.key if same_key and parent else None
        if key is None and self.assumed:
            from .engine import State

            versions = evaluator or (parent.evaluator if parent is not None else _evaluator(book))
            key = versions.version_key(State({**facts, **self.assumed}, as_of))
        super().__init__(book, facts, as_of, evaluator, key, forests)
        if keys is not None:  # one object for equal version keys, so that `forests` serves them all
            self.key = keys.setdefault(_version_key(self.key), self.key)
        self.abstract = abstract
        # An evaluation that assumes one more fact than `parent` takes from it every name and item
        # that reads none of the `changed` facts (`reads`: what each reads, through everything).
        self.parent = parent if same_key else None
        self.changed = changed
        self.reads = reads or {}

    def name(self, name: str) -> Any:
        """The value of a name, taken from the parent evaluation when it reads none of the changed facts."""
        if name not in self.names and self.parent is not None and not (self.reads.get(name, _ALL) & self.changed):
            self.names[name] = self.parent.name(name)
        return super().name(name)

    def _decide(self, frame: Any) -> None:
        super()._decide(frame)
        v = frame.value
        if type(v) is Unknown and any(r.startswith("E801") for r in v.reasons):
            # Two rules apply; with ranges for values the default logic cannot tell whether they
            # agree, so this is not a conflict found but a question the missing facts leave open.
            open_facts = self.reads.get(frame.key, _ALL) & frozenset(self.abstract)
            if open_facts:
                frame.value = Unknown(v.missing | open_facts, v.bodies,
                                      frozenset(r for r in v.reasons if not r.startswith("E801")))

    def item(self, key: str) -> Any:
        """The value of an item, taken from the parent evaluation when it reads none of the changed facts."""
        if key not in self.items and self.parent is not None and not (self.reads.get(key, _ALL) & self.changed):
            self.items[key] = self.parent.item(key)
        return super().item(key)

    def eval(self, e: ir.Expr) -> Any:
        """The value of an expression, some facts standing for their domains (one table lookup
        for the method of each kind of node, where the reference looks it up by name)."""
        fn = _METHODS.get(type(e)) if type(self) is AbstractEval else None
        if fn is None:
            return super().eval(e)
        return fn(self, e)

    # ---- facts
    def _Fact(self, e: ir.Fact) -> Any:
        if e.name in self.assumed:  # shown in explanations as not given, as it was not
            self.frame.facts.append(e.name)
            return self.assumed[e.name]
        if e.name in self.abstract and e.name not in self.facts:
            self.frame.facts.append(e.name)
            return self.abstract[e.name]
        return super()._Fact(e)

    # ---- operators
    def _Arith(self, e: ir.Arith) -> Any:
        return self._arith(e.op, self.eval(e.left), self.eval(e.right))

    def _arith(self, op: str, x: Any, y: Any) -> Any:
        if not (d.is_abstract(x) or d.is_abstract(y)):
            if type(x) is Unknown or type(y) is Unknown:
                return _union(x, y)
            try:
                return ARITH[op](x, y)
            except ZeroDivisionError:
                return Unknown(reasons=frozenset({"division by zero"}))
        facts = d.facts_of(x, y)
        if type(x) is Unknown or type(y) is Unknown:
            return _union(d.degrade(x), d.degrade(y))
        if op in ("num+", "q+", "any+"):
            return d.add(x, y, 1, facts)
        if op in ("num-", "q-", "any-"):
            return d.add(x, y, -1, facts)
        if op in ("num*", "q*", "any*"):
            k = _scalar(y) if d.is_abstract(x) else _scalar(x)
            other = x if d.is_abstract(x) else y
            if k is not None:
                out = d.scale(other, k, facts)
                template = _template(x) or _template(y)
                if type(out) is d.Interval and template is not None:
                    out.q = template
                return out
            return Unknown(missing=facts)
        if op in ("num/", "q/", "any/") and not d.is_abstract(y):
            k = _scalar(y)
            if k:
                return d.scale(x, Fraction(1) / k, facts) if not isinstance(y, Q) or y.dim == () else \
                    Unknown(missing=facts)
            return Unknown(missing=facts) if k is None else Unknown(reasons=frozenset({"division by zero"}))
        if op.startswith("date") and op != "date-date":
            return self._shift(x, y, op, facts)
        if op == "date-date":
            a, b = d.dates_of(x), d.dates_of(y)
            if a is None or b is None:
                return Unknown(missing=facts)
            q = ((("day", 1),), "days", 1)
            return d.interval((a[0] - b[1]).days, (a[1] - b[0]).days, False, False, q, facts)
        return Unknown(missing=facts)

    def _shift(self, x: Any, y: Any, op: str, facts: frozenset[str]) -> Any:
        span = d.dates_of(x)
        amount = d.numeric(y)
        if span is None or amount is None or amount[0] is None or amount[1] is None:
            return Unknown(missing=facts)
        fn = ARITH[op]
        q = amount[4] or ((("day", 1),), "days", 1)
        try:
            corners = [fn(day, Q(n, q[0], q[1], q[2])) for day in span for n in (amount[0], amount[1])]
        except (OverflowError, ValueError):
            return Unknown(missing=facts)
        if any(type(c) is Unknown for c in corners):
            return _union(Unknown(missing=facts), next(c for c in corners if type(c) is Unknown))
        return d.date_range(min(corners), max(corners), facts)

    def _Neg(self, e: ir.Neg) -> Any:
        v = self.eval(e.arg)
        if d.is_abstract(v):
            return d.negate(v, d.facts_of(v))
        return v if type(v) is Unknown else negate(v)

    def _Compare(self, e: ir.Compare) -> Any:
        x, y = self.eval(e.left), self.eval(e.right)
        if not (d.is_abstract(x) or d.is_abstract(y)):
            if type(x) is Unknown or type(y) is Unknown:
                return _union(x, y)
            if e.op in ORDERED and isinstance(x, Q):
                return COMPARE[e.op](x.value, y.value)
            return COMPARE[e.op](x, y)
        facts = d.facts_of(x, y)
        if type(x) is Unknown or type(y) is Unknown:
            return _union(d.degrade(x), d.degrade(y))
        if d.dates_of(x) is not None and d.dates_of(y) is not None:
            return d.compare_dates(e.op, x, y, facts)
        if d.numeric(x) is not None and d.numeric(y) is not None:
            return d.compare(e.op, x, y, facts)
        a, b = d.values_of(x), d.values_of(y)
        if a is not None and b is not None and e.op in ("is", "isnot"):
            if not (a & b):
                return e.op == "isnot"
            if len(a) == 1 and a == b:
                return e.op == "is"
        return Unknown(missing=facts)

    def _OneOf(self, e: ir.OneOf) -> Any:
        v = self.eval(e.arg)
        if type(v) is d.Choice:
            if v.values <= e.names:
                return not e.negated
            if not (v.values & e.names):
                return e.negated
            return Unknown(missing=v.facts)
        v = d.degrade(v)
        return v if type(v) is Unknown else (v in e.names) != e.negated

    def _If(self, e: ir.If) -> Any:
        c = self.eval(e.cond)
        if c is True:
            return self.eval(e.then)
        if c is False:
            return self.eval(e.else_)
        a, b = self.eval(e.then), self.eval(e.else_)
        if not (d.is_abstract(a) or d.is_abstract(b)) and type(a) is not Unknown and type(b) is not Unknown \
                and a == b:
            return a
        facts = d.facts_of(c, a, b)
        if type(c) is Unknown and (c.bodies or c.reasons):
            return _union(c, d.degrade(a)) if type(d.degrade(a)) is Unknown else c
        return d.join([a, b], facts)

    def _Shown(self, e: ir.Shown) -> Any:
        v = self.eval(e.arg)
        if type(v) is d.Interval and v.q is not None:
            v = d.Interval(v.lo, v.hi, (v.q[0], e.unit, e.factor), v.facts, v.lo_open, v.hi_open, v.whole)
            return v
        if isinstance(v, Q) and v.unit != e.unit:
            return Q(v.value, v.dim, e.unit, e.factor)
        return v

    def _Call(self, e: ir.Call) -> Any:
        args = [self.eval(a) for a in e.args]
        if not any(d.is_abstract(a) for a in args):
            bad = _unknowns(args)
            return bad if bad is not None else BUILTINS[e.func].impl(*args)
        facts = d.facts_of(*args)
        bad = _unknowns([d.degrade(a) if type(a) is Unknown else None for a in args])
        if bad is not None:
            return _union(bad, Unknown(missing=facts))
        return _call(e.func, args, facts)

    def _BodyCall(self, e: ir.BodyCall) -> Any:
        body = self.eval(e.arg)
        if not d.is_abstract(body):
            return super()._BodyCall(e)
        facts = d.facts_of(body)
        names = d.values_of(body)
        if not names:
            return Unknown(missing=facts)
        org = self.book.organizations[e.book]
        answers = [BODY_FUNCTIONS[e.func](org, name) for name in sorted(names, key=str)]
        if any(value is None for value, _ in answers) or any(a[0] != answers[0][0] for a in answers):
            return Unknown(missing=facts)  # the bodies differ: which one it is matters
        for _, provisions in answers:
            self.frame.cited.extend(provisions)
        return answers[0][0]

    def _Lookup(self, e: ir.Lookup) -> Any:
        k = self.eval(e.key)
        table = self.book.tables[e.table]
        if not d.is_abstract(k):
            return k if type(k) is Unknown else find(table, k, e.column, self.as_of)
        keys = d.values_of(k)
        if keys is None:
            return Unknown(missing=d.facts_of(k))
        cells = [find(table, key, e.column, self.as_of) for key in keys]
        return d.join(cells, d.facts_of(k))


_METHODS: dict[type, Any] = {cls: getattr(AbstractEval, "_" + cls.__name__) for cls in vars(ir).values()
                             if isinstance(cls, type) and issubclass(cls, ir.Expr)
                             and hasattr(AbstractEval, "_" + cls.__name__)}


def _scalar(v: Any) -> Any:
    """A constant factor: a plain number (or a quantity's value when the other side is the quantity)."""
    if type(v) in (int, Fraction):
        return v
    return None


def _template(v: Any) -> d.Kind | None:
    if type(v) is d.Interval:
        return v.q
    if type(v) is Q:
        return (v.dim, v.unit, v.factor)
    return None


def _call(func: str, args: list[Any], facts: frozenset[str]) -> Any:
    """A built-in function of abstract arguments, where its result can be bounded."""
    impl = BUILTINS[func].impl
    if func in ("min", "max") and all(d.numeric(a) is not None for a in args):
        parts = [p for p in map(d.numeric, args) if p is not None]  # every one (checked above)
        lows = [p[0] for p in parts if p[0] is not None]
        highs = [p[1] for p in parts if p[1] is not None]
        # The least (greatest) is unbounded below (above) when any argument is, and bounded
        # above (below) by the least (greatest) bound there is on that side.
        lo: d.Num | None
        hi: d.Num | None
        if func == "min":
            lo = min(lows) if len(lows) == len(parts) else None
            hi = min(highs) if highs else None
        else:
            lo = max(lows) if lows else None
            hi = max(highs) if len(highs) == len(parts) else None
        q = next((p[4] for p in parts if p[4]), None)
        return d.interval(lo, hi, False, False, q, facts)
    if func in ("years_between", "age", "months_between", "days_between", "calendar_months") \
            and all(d.dates_of(a) is not None for a in args):
        (a_lo, a_hi), (b_lo, b_hi) = [s for s in map(d.dates_of, args) if s is not None]  # every one
        low, high = impl(a_hi, b_lo), impl(a_lo, b_hi)
        return d.interval(low.value, high.value, False, False, (low.dim, low.unit, low.factor), facts)
    if func in ("month_start", "month_end", "next_month_start", "previous_month_end") \
            and (span := d.dates_of(args[0])) is not None:
        try:
            ends = impl(span[0]), impl(span[1])
        except (OverflowError, ValueError):
            return Unknown(missing=facts)
        bad = [e for e in ends if type(e) is not dt.date]  # outside the calendar: an Unknown
        if bad:
            return _union(Unknown(missing=facts), bad[0]) if type(bad[0]) is Unknown else Unknown(missing=facts)
        return d.date_range(ends[0], ends[1], facts)
    if func in ("floor", "ceil") and type(args[0]) is d.Interval:
        v = args[0]
        factor = v.q[2] if v.q else 1
        bound = [None if b is None else impl(Q(b, v.q[0], v.q[1], factor)).value if v.q else impl(b)
                 for b in (v.lo, v.hi)]
        return d.interval(bound[0], bound[1], False, False, v.q, facts)
    return Unknown(missing=facts)


def _union(a: Any, b: Any) -> Unknown:
    out = None
    for v in (a, b):
        if type(v) is Unknown:
            out = v if out is None else Unknown(out.missing | v.missing, out.bodies | v.bodies,
                                                out.reasons | v.reasons)
    return out if out is not None else Unknown()


def _unknowns(values: list[Any]) -> Unknown | None:
    out = None
    for v in values:
        if type(v) is Unknown:
            out = v if out is None else _union(out, v)
    return out
