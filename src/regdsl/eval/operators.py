"""The runtime operators over known values (unknowns are handled by the caller).

Each `Arith.op` of the IR names one function here; the checker has already
made sure the operands have the types the function expects.
"""

from __future__ import annotations

import calendar
import datetime as dt
import operator
from typing import Any, Callable

from fractions import Fraction

from ..core.builtins import MONTHS, outside_calendar
from ..core.limits import MAX_COMPUTED_BITS
from ..core.units import Q, dim_mul, divide
from ..core.values import Unknown


def add_months(d: dt.date, months: int) -> dt.date:
    """`d` moved by whole months, to the last day of a shorter month if need be."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return d.replace(year=year, month=month, day=min(d.day, calendar.monthrange(year, month)[1]))


def _date_plus(sign: int) -> Callable[[dt.date, Q], Any]:
    def op(d: dt.date, q: Q) -> Any:
        whole = int(q.value)  # whole months or days; a fraction of one is dropped
        try:
            if q.dim == MONTHS:
                return add_months(d, sign * whole)
            return d + dt.timedelta(days=sign * whole)
        except (OverflowError, ValueError):  # past 9999-12-31 or before 0001-01-01
            return outside_calendar(f"{d.isoformat()} {'+' if sign > 0 else '-'} {q}")

    return op


_TOO_BIG = Unknown(reasons=frozenset({
    f"E106: a number computed by the rules would have more than {int(MAX_COMPUTED_BITS * 0.30103):,} digits"}))


def _sized(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """`op`, giving an undetermined answer (E106) rather than a number too large to compute."""

    def sized(x: Any, y: Any) -> Any:
        v = op(x, y)
        w = v.value if type(v) is Q else v
        if type(w) is int:
            if w.bit_length() <= MAX_COMPUTED_BITS:
                return v
        elif type(w) is not Fraction or (w.numerator.bit_length() <= MAX_COMPUTED_BITS
                                         and w.denominator.bit_length() <= MAX_COMPUTED_BITS):
            return v
        return _TOO_BIG

    return sized


def _q_add(sign: int) -> Callable[[Q, Q], Q]:
    def op(x: Q, y: Q) -> Q:
        return Q(x.value + sign * y.value, x.dim, x.unit, x.factor)

    return op


def q_mul(x: Any, y: Any) -> Any:
    """A quantity times a number or a quantity (a plain number when the units cancel)."""
    if isinstance(x, Q) and isinstance(y, Q):
        dim = dim_mul(x.dim, y.dim)
        return Q(x.value * y.value, dim, "", 1) if dim else x.value * y.value
    if isinstance(x, Q):
        return Q(x.value * y, x.dim, x.unit, x.factor)
    return Q(x * y.value, y.dim, y.unit, y.factor)


def q_div(x: Any, y: Any) -> Any:
    """A quantity over a number or a quantity, exactly."""
    if isinstance(x, Q) and isinstance(y, Q):
        dim = dim_mul(x.dim, y.dim, -1)
        v = divide(x.value, y.value)
        return Q(v, dim, "", 1) if dim else v
    if isinstance(x, Q):
        return Q(divide(x.value, y), x.dim, x.unit, x.factor)
    return Q(divide(x, y.value), dim_mul((), y.dim, -1), "", 1)


def _loose(op: str) -> Callable[[Any, Any], Any]:
    """An operator for an operand whose type the checker could not know."""

    def f(x: Any, y: Any) -> Any:
        if isinstance(x, Q) or isinstance(y, Q):
            if op == "*":
                return q_mul(x, y)
            if op == "/":
                return q_div(x, y)
            return _q_add(1 if op == "+" else -1)(x, y)
        return {"+": lambda: x + y, "-": lambda: x - y, "*": lambda: x * y, "/": lambda: divide(x, y)}[op]()

    return f


ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "num+": _sized(lambda x, y: x + y),
    "num-": _sized(lambda x, y: x - y),
    "num*": _sized(lambda x, y: x * y),
    "num/": _sized(divide),
    "q+": _sized(_q_add(1)),
    "q-": _sized(_q_add(-1)),
    "q*": _sized(q_mul),
    "q/": _sized(q_div),
    "date+months": _date_plus(1),
    "date-months": _date_plus(-1),
    "date+days": _date_plus(1),
    "date-days": _date_plus(-1),
    "date-date": lambda x, y: Q((x - y).days, (("day", 1),), "days"),
    "any+": _sized(_loose("+")),
    "any-": _sized(_loose("-")),
    "any*": _sized(_loose("*")),
    "any/": _sized(_loose("/")),
}

COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "is": operator.eq, "isnot": operator.ne,
}
ORDERED = frozenset({"<", "<=", ">", ">="})


def negate(v: Any) -> Any:
    """`-x` for a number or a quantity."""
    return Q(-v.value, v.dim, v.unit, v.factor) if isinstance(v, Q) else -v


def le(a: Any, b: Any) -> bool:
    """a <= b for numbers, quantities, dates and times (a table's range bounds)."""
    if isinstance(a, Q):
        return a.value <= b.value
    return a <= b
