"""Units of measure and quantities: 8 years, 60 credits, 2 hours per week.

A quantity keeps its value in base units (months, days, minutes, credits,
...) and the unit it was written in, for display.  Numbers are exact
fractions, so `2 hours per week * 15 weeks / (1 hour per week * 15 weeks)`
is exactly 2; they become decimals only when shown.  Units of one dimension
convert (1 year = 12 months, 1 week = 7 days, 1 hour = 60 minutes); units of
different dimensions never mix: years + credits is an error.
"""

from __future__ import annotations

from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from fractions import Fraction

import attrs

Dim = tuple[tuple[str, int], ...]  # sorted (base, exponent) pairs; () is a plain number


def exact(x):
    """An exact number: an `int` when it is whole (fast), else a `Fraction`."""
    if type(x) is str and x.isdigit():
        return int(x)
    if type(x) is not Fraction and type(x) is not int:
        x = Fraction(x)
    if type(x) is Fraction and x.denominator == 1:
        return x.numerator
    return x


def divide(x, y):
    """x / y exactly (never a binary float)."""
    if type(x) is int and type(y) is int:
        return exact(Fraction(x, y))
    return exact(x / y)


@attrs.frozen
class UnitDef:
    """A unit: its names, dimension and size in base units."""

    singular: str
    plural: str
    dim: Dim
    factor: int | Fraction


def _u(singular: str, plural: str, base: str, factor: int = 1) -> UnitDef:
    return UnitDef(singular, plural, ((base, 1),), factor)


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

    value: int | Fraction
    dim: Dim
    unit: str  # the unit to show it in ("" for compound units)
    factor: int | Fraction = 1  # size of `unit` in base units

    def shown(self) -> int | Fraction:
        """The value in its display unit."""
        return self.value if self.factor == 1 else divide(self.value, self.factor)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Q) and self.dim == other.dim and self.value == other.value

    def __hash__(self) -> int:
        return hash((self.value, self.dim))

    def __str__(self) -> str:
        return format_quantity(self)


SHOWN_PLACES = 6  # decimal places kept when a value has no exact decimal form


_DECIMALS: dict[Fraction, Decimal] = {}  # the few fractions a book shows, converted once


def to_decimal(x) -> Decimal:
    """An exact fraction as a decimal: exact when it has a decimal form, else rounded."""
    if type(x) is int:
        return Decimal(x)
    if isinstance(x, Decimal):
        return x
    found = _DECIMALS.get(x)
    if found is not None:
        return found
    if len(_DECIMALS) > 10_000:
        _DECIMALS.clear()
    found = _DECIMALS[x] = _to_decimal(Fraction(x))
    return found


# Wide enough for any number a book can compute (the limits bound their size, not this).
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _to_decimal(f: Fraction) -> Decimal:
    """Exact when the denominator has only the factors 2 and 5, else rounded half-even to
    SHOWN_PLACES; trailing zeros dropped.  Integer arithmetic only: no decimal context can
    round it, and no number is converted to a string (Python refuses beyond 4,300 digits)."""
    num, den = f.numerator, f.denominator
    twos = (den & -den).bit_length() - 1
    rest = den >> twos
    fives = 0
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest == 1:
        places = max(twos, fives)
        digits = num * 10**places // den
    else:
        places = SHOWN_PLACES
        q, r = divmod(abs(num) * 10**places, den)
        if 2 * r > den:  # never exactly half: the value has no exact decimal form
            q += 1
        digits = q if num >= 0 else -q
    while places and digits % 10 == 0:
        digits //= 10
        places -= 1
    return Decimal(digits).scaleb(-places, _EXACT)


def format_number(x) -> str:
    """A number as people write it."""
    return format(to_decimal(x), "f")


def format_quantity(q: Q) -> str:
    """`8 years`, `1.5 credits`."""
    if not q.unit:
        return f"{format_number(q.value)} {dim_name(q.dim)}"
    return f"{format_number(q.shown())} {q.unit}"


def unit_label(units: UnitTable, name: str, value) -> str:
    """The singular or plural name of a unit, to agree with `value`."""
    u = units.get(name)
    if u is None:
        return name
    return u.singular if abs(value) == 1 else u.plural


def make(value, unit: UnitDef, per: UnitDef | None = None) -> Q:
    """A quantity of `value` units (or units per `per`)."""
    if type(value) is not int:
        value = exact(Fraction(value))
    if per is None:
        return Q(value * unit.factor, unit.dim, unit.plural, unit.factor)
    factor = divide(unit.factor, per.factor)
    return Q(exact(value * factor), dim_mul(unit.dim, per.dim, -1), f"{unit.plural} per {per.singular}",
             factor)


def convert(q: Q, unit: str, factor) -> Q:
    """The same quantity shown in another unit of its dimension."""
    return Q(q.value, q.dim, unit, factor)
