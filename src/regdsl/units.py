"""Units of measure and quantities: 8 years, 60 credits, 2 hours per week.

A quantity keeps its value in base units (months, days, minutes, credits,
...) and the unit it was written in, for display.  Units of one dimension
convert (1 year = 12 months, 1 week = 7 days, 1 hour = 60 minutes); units of
different dimensions never mix: years + credits is an error.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

Dim = tuple[tuple[str, int], ...]  # sorted (base, exponent) pairs; () is a plain number


@attrs.frozen
class UnitDef:
    """A unit: its names, dimension and size in base units."""

    singular: str
    plural: str
    dim: Dim
    factor: Decimal


def _u(singular: str, plural: str, base: str, factor: int | str = 1) -> UnitDef:
    return UnitDef(singular, plural, ((base, 1),), Decimal(factor))


BUILTIN_UNITS: tuple[UnitDef, ...] = (
    _u("year", "years", "month", 12),
    _u("month", "months", "month"),
    _u("week", "weeks", "day", 7),
    _u("day", "days", "day"),
    _u("hour", "hours", "minute", 60),
    _u("minute", "minutes", "minute"),
    _u("credit", "credits", "credit"),
    _u("yen", "yen", "yen"),
    _u("mark", "marks", "mark"),
    _u("person", "persons", "person"),
    _u("student", "students", "person"),
)


class UnitTable:
    """The units a book knows: the built-in ones plus its own `unit` declarations."""

    def __init__(self, extra: tuple[UnitDef, ...] = ()):
        self.by_name: dict[str, UnitDef] = {}
        for u in BUILTIN_UNITS + extra:
            self.add(u)

    def add(self, u: UnitDef) -> None:
        self.by_name[u.singular] = u
        self.by_name[u.plural] = u

    def get(self, name: str) -> UnitDef | None:
        return self.by_name.get(name)

    def names(self) -> list[str]:
        return sorted(self.by_name)


def dim_mul(a: Dim, b: Dim, sign: int = 1) -> Dim:
    """The dimension of a product (sign=1) or quotient (sign=-1)."""
    out: dict[str, int] = dict(a)
    for base, exp in b:
        out[base] = out.get(base, 0) + sign * exp
    return tuple(sorted((k, v) for k, v in out.items() if v))


def dim_name(dim: Dim) -> str:
    """A readable name for a dimension, e.g. `months`, `minutes per day`."""
    if not dim:
        return "a plain number"
    num = [b + "s" if e == 1 else f"{b}s^{e}" for b, e in dim if e > 0]
    den = [b if e == -1 else f"{b}^{-e}" for b, e in dim if e < 0]
    text = " x ".join(num) or "1"
    return text + (" per " + " per ".join(den) if den else "")


@attrs.frozen(eq=False)
class Q:
    """A quantity: `value` in base units, its dimension and its display unit."""

    value: Decimal
    dim: Dim
    unit: str  # the unit to show it in ("" for compound units)
    factor: Decimal = Decimal(1)  # size of `unit` in base units

    def shown(self) -> Decimal:
        """The value in its display unit."""
        return _tidy(self.value / self.factor)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Q) and self.dim == other.dim and self.value == other.value

    def __hash__(self) -> int:
        return hash((self.value, self.dim))

    def __str__(self) -> str:
        return format_quantity(self)


def _tidy(d: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation."""
    if d == d.to_integral_value():
        return d.quantize(Decimal(1))
    return d.normalize()


def format_number(d: Decimal) -> str:
    """A decimal as people write it."""
    return format(_tidy(d), "f")


def format_quantity(q: Q) -> str:
    """`8 years`, `1 year`, `1.5 credits`."""
    v = q.shown()
    if not q.unit:
        return f"{format_number(q.value)} {dim_name(q.dim)}"
    return f"{format_number(v)} {q.unit}"


def unit_label(units: UnitTable, name: str, value: Decimal) -> str:
    """The singular or plural name of a unit, to agree with `value`."""
    u = units.get(name)
    if u is None:
        return name
    return u.singular if abs(value) == 1 else u.plural


def make(value: Decimal, unit: UnitDef, per: UnitDef | None = None) -> Q:
    """A quantity of `value` units (or units per `per`)."""
    if per is None:
        return Q(value * unit.factor, unit.dim, unit.plural, unit.factor)
    factor = unit.factor / per.factor
    return Q(value * factor, dim_mul(unit.dim, per.dim, -1), f"{unit.plural} per {per.singular}", factor)


def convert(q: Q, unit: str, factor: Decimal) -> Q:
    """The same quantity shown in another unit of its dimension."""
    return Q(q.value, q.dim, unit, factor)
