"""Counterfactuals: which given facts, changed by how much, would give an outcome another value.

`changes(...)` answers from the rules, not by trying random values: for each
fact the outcome reads, the fact is taken as not given and the reasoning over
unknowns (reason.py) splits its domain where the book compares it — `at
least 125 credits`, `more than 4 years`, `entry is second_year` — into cases
with a value each.  For every case that gives the wanted value, the value of
the case nearest to the student's is proposed (125 credits for a student with
120), and checked by evaluating the student with it.  Where the book compares
only what it computes from a number, a quantity or a date (`credits_earned -
media_credits + ...` at least 125), the nearest value on the fact's grid
that gives the wanted value is found by doubling and halving a step from the
student's value, each point evaluated.  Single changes come
first, smallest first; pairs of facts are tried only when no single fact
will do, and only among the first `MAX_PAIR_FACTS` facts the outcome reads.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any, Callable, Mapping

import attrs

from .. import ir
from ..core.units import Q
from ..core.values import Unknown
from . import domains as d
from .abstract import reads_of
from .reason import Reasoner

MAX_PAIR_FACTS = 6  # facts considered two at a time, at most
MAX_CHANGES = 10  # changes returned, at most


@attrs.frozen
class Change:
    """Facts changed from (name, old value, new value) each, and what the outcome then is."""

    facts: tuple[tuple[str, Any, Any], ...]
    value: Any
    cost: Fraction  # how far the change goes: 1 for a yes/no or a choice, the relative distance for numbers


Check = Callable[[dict[str, Any]], Any]  # the outcome's value for a student's facts (an Unknown if open)


def changes(book: ir.IRBook, evaluator: Any, given: Mapping[str, Any], as_of: dt.date, outcome: str,
            wanted: Callable[[Any], bool], check: Check) -> list[Change]:
    """The changes of the given facts that give `outcome` a value `wanted` accepts, smallest first."""
    reads = reads_of(book, evaluator)
    relevant = [f for f in sorted(reads.get(outcome, frozenset())) if given.get(f) is not None
                and f in book.inputs]
    found = _search(book, evaluator, given, as_of, outcome, wanted, check, [(f,) for f in relevant])
    if not found:
        pool = relevant[:MAX_PAIR_FACTS]
        pairs: list[tuple[str, ...]] = [(a, b) for i, a in enumerate(pool) for b in pool[i + 1:]]
        found = _search(book, evaluator, given, as_of, outcome, wanted, check, pairs)
    found.sort(key=lambda c: (len(c.facts), c.cost, c.facts))
    return found[:MAX_CHANGES]


def _search(book: ir.IRBook, evaluator: Any, given: Mapping[str, Any], as_of: dt.date, outcome: str,
            wanted: Callable[[Any], bool], check: Check, groups: list[tuple[str, ...]]) -> list[Change]:
    out: dict[tuple, Change] = {}
    for group in groups:
        rest = {k: v for k, v in given.items() if k not in group}
        refinement = Reasoner(book, evaluator, rest, as_of).refine(outcome)
        for leaf in refinement.leaves:
            if not leaf.known or not wanted(leaf.value):
                continue
            ev = leaf.evaluation
            proposal = {}
            for f in group:
                part = ev.assumed.get(f, ev.abstract.get(f))
                value = nearest(part, given[f])
                if value is None:
                    break
                proposal[f] = value
            else:
                if all(d.same(proposal[f], given[f]) for f in group):
                    continue
                got = check({**rest, **proposal})
                if type(got) is not Unknown and wanted(got):
                    key = tuple(sorted((f, repr(proposal[f])) for f in group))
                    change = Change(tuple((f, given[f], proposal[f]) for f in group), got,
                                    sum((_cost(given[f], proposal[f]) for f in group), Fraction(0)))
                    if key not in out or change.cost < out[key].cost:
                        out[key] = change
        if len(group) == 1 and not any(k[0][0] == group[0] for k in out):
            found = _line_search(group[0], given, rest, wanted, check)
            if found is not None:
                out[(group[0],)] = found
    return list(out.values())


def _line_search(f: str, given: Mapping[str, Any], rest: dict[str, Any], wanted: Callable[[Any], bool],
                 check: Check) -> Change | None:
    """For a number, quantity or date the rules compare only through what they compute from it
    (`credits_earned - media_credits + ...` at least 125): the nearest value on its grid (one
    display unit, one day) that gives the wanted value, found by doubling the step from the
    student's value and then halving it back, each point checked by evaluating it."""
    current = given[f]
    best: Change | None = None
    for sign in (1, -1):
        last_bad = 0
        k = 1
        hit = None
        while k <= 1 << 20:
            value = _moved(current, sign * k)
            if value is None:
                break
            got = check({**rest, f: value})
            if type(got) is not Unknown and wanted(got):
                hit = (k, got)
                break
            last_bad = k
            k *= 2
        if hit is None:
            continue
        lo, (hi, got) = last_bad, hit
        while hi - lo > 1:  # the wanted value is reached at hi and not at lo: halve the gap
            mid = (lo + hi) // 2
            value = _moved(current, sign * mid)
            g = check({**rest, f: value}) if value is not None else None
            if g is not None and type(g) is not Unknown and wanted(g):
                hi, got = mid, g
            else:
                lo = mid
        new = _moved(current, sign * hi)
        change = Change(((f, current, new),), got, _cost(current, new))
        if best is None or change.cost < best.cost:
            best = change
    return best


def _moved(v: Any, steps: int) -> Any:
    """`v` moved by `steps` steps of its grid (None when that leaves its domain)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, Q):
        new = v.value + steps * v.factor
        return Q(new, v.dim, v.unit, v.factor) if new >= 0 else None
    if isinstance(v, (int, Fraction)):
        return v + steps
    if isinstance(v, dt.date):
        try:
            return v + dt.timedelta(days=steps)
        except OverflowError:
            return None
    return None


def nearest(part: Any, current: Any) -> Any:
    """The value in `part` (a case of a fact's domain, or one value) nearest to `current`."""
    if type(part) is d.Interval:
        return _nearest_number(part, current)
    if type(part) is d.Dates:
        if type(current) is not dt.date:
            return part.lo
        return min(max(current, part.lo), part.hi)
    if type(part) is d.Choice:
        if current in part.values:
            return current
        return sorted(part.values, key=str)[0] if part.values else None
    if part is None or type(part) is Unknown:
        return None
    return part


def _nearest_number(part: d.Interval, current: Any) -> Any:
    q = isinstance(current, Q)
    c = current.value if q else current
    if not isinstance(c, (int, Fraction)):
        return None
    step: Any = (current.factor if q else 1) if part.whole or q or type(c) is int else Fraction(1, 100)
    new = c
    if part.lo is not None and (c < part.lo or (c == part.lo and part.lo_open)):
        new = part.lo + step if part.lo_open else part.lo
    elif part.hi is not None and (c > part.hi or (c == part.hi and part.hi_open)):
        new = part.hi - step if part.hi_open else part.hi
    if part.lo is not None and (new < part.lo or (new == part.lo and part.lo_open)):
        return None  # the case is narrower than a step: nothing sensible to propose
    if part.hi is not None and (new > part.hi or (new == part.hi and part.hi_open)):
        return None
    if type(new) is Fraction and new.denominator == 1:
        new = new.numerator
    return Q(new, current.dim, current.unit, current.factor) if q else new


def _cost(old: Any, new: Any) -> Fraction:
    a: Any = old.value if isinstance(old, Q) else old
    b: Any = new.value if isinstance(new, Q) else new
    if isinstance(a, (int, Fraction)) and isinstance(b, (int, Fraction)) and not isinstance(a, bool):
        x, y = Fraction(a), Fraction(b)
        return abs(y - x) / max(abs(x), abs(y), Fraction(1))
    if isinstance(a, dt.date) and isinstance(b, dt.date):
        return Fraction(abs((b - a).days), 365)
    return Fraction(1)
