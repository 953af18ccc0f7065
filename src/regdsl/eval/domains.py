"""Abstract values: what an expression can be when some facts are not known, and the domains of facts.

A fact not given is unknown, never false or zero; but it is not *anything*:
a count of credits is never negative, a period declared `at most 2 years`
is at most two years, an enumeration takes one of its values.  These
classes say so, so that the abstract evaluator (abstract.py) can tell when
every value a missing fact may take gives the same answer.

* `Interval` — a number or a quantity between two bounds (exact, each open or
  closed, None for no bound), in base units, with the display unit of its
  quantity;
* `Dates` — a date between two dates;
* `Choice` — one of a few values (the members of an enumeration, say).

Each carries the facts it was computed from (`facts`), so that when it
reaches an operation it cannot decide it becomes the ordinary unknown of
those facts (`degrade`).  Abstract values compare equal only to themselves:
the default logic, which asks whether two rules give the same value, never
takes two ranges to agree.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any, Iterable

from ..core.units import Dim, Q
from ..core.values import Unknown

Num = int | Fraction
Kind = tuple[Dim, str, Num]  # a quantity's (dimension, display unit, size of that unit in base units)


class Interval:
    """A number (or quantity, with `q` = (dim, unit, factor)) known only to lie between bounds."""

    __slots__ = ("lo", "hi", "lo_open", "hi_open", "q", "facts", "whole")

    def __init__(self, lo: Num | None, hi: Num | None, q: Kind | None, facts: frozenset[str],
                 lo_open: bool = False, hi_open: bool = False, whole: bool = False):
        self.lo, self.hi, self.lo_open, self.hi_open = lo, hi, lo_open, hi_open
        self.q, self.facts, self.whole = q, facts, whole

    def __repr__(self) -> str:
        left = "(" if self.lo_open or self.lo is None else "["
        right = ")" if self.hi_open or self.hi is None else "]"
        return f"Interval{left}{self.lo}, {self.hi}{right}"

    def point(self) -> Num | None:
        """The one value of an interval that holds a single value (None otherwise)."""
        if self.lo is not None and self.lo == self.hi and not self.lo_open and not self.hi_open:
            return self.lo
        return None


class Dates:
    """A date known only to lie between two dates (both included)."""

    __slots__ = ("lo", "hi", "facts")

    def __init__(self, lo: dt.date, hi: dt.date, facts: frozenset[str]):
        self.lo, self.hi, self.facts = lo, hi, facts

    def __repr__(self) -> str:
        return f"Dates[{self.lo}, {self.hi}]"


class Choice:
    """One of a few values (never fewer than two)."""

    __slots__ = ("values", "facts")

    def __init__(self, values: frozenset, facts: frozenset[str]):
        self.values, self.facts = values, facts

    def __repr__(self) -> str:
        return f"Choice{sorted(map(repr, self.values))}"


ABSTRACT = (Interval, Dates, Choice)


def same(a: Any, b: Any) -> bool:
    """Whether two known values are the same value (of the same type: `True` is not `1`)."""
    return type(a) is type(b) and a == b


def is_abstract(v: Any) -> bool:
    """Whether `v` is an abstract value (an Interval, Dates or Choice)."""
    return type(v) in ABSTRACT


def degrade(v: Any) -> Any:
    """An abstract value as the ordinary unknown of the facts it came from (others unchanged)."""
    if type(v) in ABSTRACT:
        return Unknown(missing=frozenset(v.facts))
    return v


def facts_of(*values: Any) -> frozenset[str]:
    """The missing facts the values depend on (abstract values' facts, unknowns' missing facts)."""
    out: set[str] = set()
    for v in values:
        if type(v) in ABSTRACT:
            out |= v.facts
        elif type(v) is Unknown:
            out |= v.missing
    return frozenset(out)


# ------------------------------------------------------------------ numbers


def numeric(v: Any) -> tuple[Num | None, Num | None, bool, bool, Kind | None] | None:
    """(lo, hi, lo_open, hi_open, quantity) of a number, a quantity or an Interval; None otherwise."""
    if type(v) is Interval:
        return v.lo, v.hi, v.lo_open, v.hi_open, v.q
    if type(v) is Q:
        return v.value, v.value, False, False, (v.dim, v.unit, v.factor)
    if type(v) in (int, Fraction):
        return v, v, False, False, None
    return None


def interval(lo: Num | None, hi: Num | None, lo_open: bool, hi_open: bool, q: Kind | None,
             facts: frozenset[str]) -> Any:
    """The value between the bounds: a plain value when they meet, else an Interval."""
    if lo is not None and lo == hi and not lo_open and not hi_open:
        return Q(lo, q[0], q[1], q[2]) if q else lo
    return Interval(lo, hi, q, facts, lo_open, hi_open)


def add(a: Any, b: Any, sign: int, facts: frozenset[str]) -> Any:
    """a + b (sign 1) or a - b (sign -1) over numbers, quantities and intervals."""
    x, y = numeric(a), numeric(b)
    if x is None or y is None:
        return Unknown(missing=facts)
    if sign > 0:
        lo = None if x[0] is None or y[0] is None else x[0] + y[0]
        hi = None if x[1] is None or y[1] is None else x[1] + y[1]
        return interval(lo, hi, x[2] or y[2], x[3] or y[3], x[4] or y[4], facts)
    lo = None if x[0] is None or y[1] is None else x[0] - y[1]
    hi = None if x[1] is None or y[0] is None else x[1] - y[0]
    return interval(lo, hi, x[2] or y[3], x[3] or y[2], x[4] or y[4], facts)


def scale(a: Any, k: Num, facts: frozenset[str]) -> Any:
    """a * k for a constant k."""
    x = numeric(a)
    if x is None:
        return Unknown(missing=facts)
    lo, hi, lo_open, hi_open, q = x
    if k == 0:
        return interval(0, 0, False, False, q, facts)
    if k > 0:
        return interval(None if lo is None else lo * k, None if hi is None else hi * k, lo_open, hi_open, q, facts)
    return interval(None if hi is None else hi * k, None if lo is None else lo * k, hi_open, lo_open, q, facts)


def negate(a: Any, facts: frozenset[str]) -> Any:
    """-a over numbers, quantities and intervals."""
    return scale(a, -1, facts)


def hull(values: Iterable[Any], facts: frozenset[str]) -> Any:
    """The smallest interval holding every value (numbers, quantities, intervals of one kind)."""
    parts = [numeric(v) for v in values]
    if not parts or any(p is None for p in parts):
        return Unknown(missing=facts)
    los = [(p[0], p[2]) for p in parts if p is not None]
    his = [(p[1], p[3]) for p in parts if p is not None]
    # Unbounded on a side when any value is.
    lo_known = [v for v, _ in los if v is not None]
    hi_known = [v for v, _ in his if v is not None]
    lo = min(lo_known) if len(lo_known) == len(los) else None
    hi = max(hi_known) if len(hi_known) == len(his) else None
    lo_open = lo is not None and all(o for v, o in los if v == lo)
    hi_open = hi is not None and all(o for v, o in his if v == hi)
    q = next((p[4] for p in parts if p is not None and p[4]), None)
    return interval(lo, hi, lo_open, hi_open, q, facts)


def compare(op: str, a: Any, b: Any, facts: frozenset[str]) -> Any:
    """`a op b` when a or b is an interval: True or False when every value agrees, else unknown."""
    x, y = numeric(a), numeric(b)
    if x is None or y is None:
        return Unknown(missing=facts)
    if op in (">", ">="):
        op, x, y = ("<" if op == ">" else "<="), y, x
    if op in ("<", "<="):
        strict = op == "<"
        # always: x.hi < y.lo (or <=); never: x.lo >= y.hi (or >)
        if x[1] is not None and y[0] is not None and (
                x[1] < y[0] or (x[1] == y[0] and (not strict or x[3] or y[2]))):
            return True
        if x[0] is not None and y[1] is not None and (
                x[0] > y[1] or (x[0] == y[1] and (strict or x[2] or y[3]))):
            return False
        return Unknown(missing=facts)
    equal = op == "is"
    if x[1] is not None and y[0] is not None and (x[1] < y[0] or (x[1] == y[0] and (x[3] or y[2]))):
        return not equal
    if y[1] is not None and x[0] is not None and (y[1] < x[0] or (y[1] == x[0] and (y[3] or x[2]))):
        return not equal
    return Unknown(missing=facts)


# ------------------------------------------------------------------ dates


def dates_of(v: Any) -> tuple[dt.date, dt.date] | None:
    """(first, last) of a date or a Dates; None for anything else."""
    if type(v) is Dates:
        return v.lo, v.hi
    if type(v) is dt.date:
        return v, v
    return None


def date_range(lo: dt.date, hi: dt.date, facts: frozenset[str]) -> dt.date | Dates:
    """The date between the bounds: the date itself when they meet, else a Dates."""
    return lo if lo == hi else Dates(lo, hi, facts)


def compare_dates(op: str, a: Any, b: Any, facts: frozenset[str]) -> Any:
    """`a op b` when a or b is a Dates: True or False when every date agrees, else unknown."""
    x, y = dates_of(a), dates_of(b)
    if x is None or y is None:
        return Unknown(missing=facts)
    as_days = [Interval(p[0].toordinal(), p[1].toordinal(), None, facts) for p in (x, y)]
    return compare(op, as_days[0], as_days[1], facts)


# ------------------------------------------------------------------ choices


def values_of(v: Any) -> frozenset | None:
    """The values a Choice or a plain value may be (None for other abstract values and unknowns)."""
    if type(v) is Choice:
        return v.values
    if type(v) in (Interval, Dates, Unknown):
        return None
    try:
        return frozenset({v})
    except TypeError:
        return None


def choice(values: Iterable[Any], facts: frozenset[str]) -> Any:
    """One of the values: the value itself when there is one, unknown for true-or-false, else a Choice."""
    vs = frozenset(values)
    if len(vs) == 1:
        return next(iter(vs))
    if vs == {True, False}:
        return Unknown(missing=facts)
    return Choice(vs, facts)


def join(values: list[Any], facts: frozenset[str]) -> Any:
    """A value that covers every one of `values` (the two branches of an `if`, the rows of a lookup)."""
    if any(type(v) is Unknown for v in values):
        out = Unknown(missing=facts)
        for v in values:
            if type(v) is Unknown:
                out = Unknown(out.missing | v.missing, out.bodies | v.bodies, out.reasons | v.reasons)
        return out
    if all(numeric(v) is not None for v in values):
        return hull(values, facts)
    if all(dates_of(v) is not None for v in values):
        ranges = [dates_of(v) for v in values]
        return date_range(min(r[0] for r in ranges if r), max(r[1] for r in ranges if r), facts)
    sets = [values_of(v) for v in values]
    if all(s is not None for s in sets):
        return choice(frozenset().union(*[s for s in sets if s is not None]), facts)
    return Unknown(missing=facts)
