"""Built-in functions: dates and calendars, ages, minimum and maximum.

Each built-in has a type rule (argument types -> result type, or an error
message) and an implementation over known values; unknown arguments are
handled by the caller.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from functools import lru_cache
from typing import Callable

import attrs

from .limits import FIRST_DAY, LAST_DAY
from .types import BOOLEAN, DATE, NUMBER, Type, quantity
from .units import Q
from .values import Unknown

MONTHS = (("month", 1),)
DAYS = (("day", 1),)


@attrs.frozen
class Builtin:
    """A function the language provides, with its signature in words."""

    name: str
    signature: str
    doc: str
    typer: Callable[[list[Type]], "Type | str"]
    impl: Callable


def _dates(n_args: int, result: Type):
    def typer(args: list[Type]) -> Type | str:
        if len(args) != n_args:
            return f"takes {n_args} date{'s' if n_args > 1 else ''}"
        for a in args:
            if a.kind not in ("date", "any"):
                return f"takes dates, not {a.describe()}"
        return result

    return typer


def _same(args: list[Type]) -> Type | str:
    if len(args) < 2:
        return "takes at least two values"
    first = args[0]
    for a in args[1:]:
        if not first.same(a):
            return f"cannot compare {first.describe()} with {a.describe()}"
    if first.kind not in ("number", "quantity", "date", "time", "any"):
        return f"takes numbers, quantities or dates, not {first.describe()}"
    return first


def _rounding(args: list[Type]) -> Type | str:
    if len(args) != 1 or args[0].kind not in ("number", "quantity", "any"):
        return "takes one number or quantity"
    return args[0]


def _years_between(a: dt.date, b: dt.date) -> Q:
    years = b.year - a.year - ((b.month, b.day) < (a.month, a.day))
    return Q(years * 12, MONTHS, "years", 12)


def _months_between(a: dt.date, b: dt.date) -> Q:
    months = (b.year - a.year) * 12 + b.month - a.month - (b.day < a.day)
    return Q(months, MONTHS, "months", 1)


def _days_between(a: dt.date, b: dt.date) -> Q:
    return Q((b - a).days, DAYS, "days", 1)


def _calendar_months(a: dt.date, b: dt.date) -> Q:
    months = (b.year - a.year) * 12 + b.month - a.month + 1
    return Q(max(months, 0), MONTHS, "months", 1)


def _month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def _month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _next_month_start(d: dt.date) -> dt.date | Unknown:
    if (d.year, d.month) == (LAST_DAY.year, LAST_DAY.month):
        return outside_calendar(f"next_month_start({d.isoformat()})")
    return _month_end(d) + dt.timedelta(days=1)


def _previous_month_end(d: dt.date) -> dt.date | Unknown:
    if (d.year, d.month) == (FIRST_DAY.year, FIRST_DAY.month):
        return outside_calendar(f"previous_month_end({d.isoformat()})")
    return d.replace(day=1) - dt.timedelta(days=1)


def outside_calendar(what: str) -> Unknown:
    """The answer when a date computed from the book and the facts falls outside the calendar
    (E804): undetermined, saying what was computed, like a value outside a table (E803)."""
    return Unknown(reasons=frozenset({
        f"E804: {what} falls outside the calendar ({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})"}))


@lru_cache(maxsize=64)
def _japan_holidays(year: int) -> frozenset[dt.date]:
    # Imported here: the holiday calendar is only loaded when a book asks for it.  A set of
    # dates, because asking the library itself (`d in Japan(...)`) costs ~100 µs a question.
    from holidays.countries.japan import Japan

    return frozenset(Japan(years=year).keys())


def is_national_holiday(d: dt.date) -> bool:
    """Whether `d` is a holiday under Japan's National Holiday Law."""
    return d in _japan_holidays(d.year)


def _round(fn):
    def impl(x):
        if isinstance(x, Q):
            shown = fn(x.shown())
            return Q(shown * x.factor, x.dim, x.unit, x.factor)
        return fn(x)

    return impl


def _floor(d) -> int:
    return math.floor(d)


def _ceil(d) -> int:
    return math.ceil(d)


BUILTINS: dict[str, Builtin] = {
    b.name: b
    for b in [
        Builtin("min", "min(a, b, ...)", "the smallest of its arguments", _same, lambda *a: min(a, key=_key)),
        Builtin("max", "max(a, b, ...)", "the largest of its arguments", _same, lambda *a: max(a, key=_key)),
        Builtin("years_between", "years_between(from, to)",
                "full years from one date to another (an age, with a birth date)",
                _dates(2, quantity(MONTHS, "years")), _years_between),
        Builtin("age", "age(birth_date, on)", "a person's age in full years on a date",
                _dates(2, quantity(MONTHS, "years")), _years_between),
        Builtin("months_between", "months_between(from, to)", "full months from one date to another",
                _dates(2, quantity(MONTHS, "months")), _months_between),
        Builtin("days_between", "days_between(from, to)", "days from one date to another",
                _dates(2, quantity(DAYS, "days")), _days_between),
        Builtin("calendar_months", "calendar_months(from, to)",
                "calendar months from the month of one date to the month of another, both counted",
                _dates(2, quantity(MONTHS, "months")), _calendar_months),
        Builtin("month_start", "month_start(d)", "the first day of the month of d",
                _dates(1, DATE), _month_start),
        Builtin("month_end", "month_end(d)", "the final day of the month of d",
                _dates(1, DATE), _month_end),
        Builtin("next_month_start", "next_month_start(d)", "the first day of the month after d",
                _dates(1, DATE), _next_month_start),
        Builtin("previous_month_end", "previous_month_end(d)",
                "the final day of the month before d", _dates(1, DATE), _previous_month_end),
        Builtin("day_of_month", "day_of_month(d)", "the day of the month of d (1-31)",
                _dates(1, NUMBER), lambda d: d.day),
        Builtin("is_first_of_month", "is_first_of_month(d)", "whether d is the first day of a month",
                _dates(1, BOOLEAN), lambda d: d.day == 1),
        Builtin("is_weekend", "is_weekend(d)", "whether d is a Saturday or a Sunday",
                _dates(1, BOOLEAN), lambda d: d.weekday() >= 5),
        Builtin("is_national_holiday", "is_national_holiday(d)",
                "whether d is a holiday under Japan's National Holiday Law (1948 Law No. 178)",
                _dates(1, BOOLEAN), is_national_holiday),
        Builtin("floor", "floor(x)", "x rounded down to a whole number of its unit", _rounding,
                _round(_floor)),
        Builtin("ceil", "ceil(x)", "x rounded up to a whole number of its unit", _rounding,
                _round(_ceil)),
    ]
}


def _key(v):
    return v.value if isinstance(v, Q) else v
