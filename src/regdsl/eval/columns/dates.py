"""Dates and built-in functions over columns: datetime64[D] arithmetic, ages, calendars,
min / max, floor / ceil, exactly as core/builtins.py and eval/operators.py compute them."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from ...core.builtins import DAYS, MONTHS, _japan_holidays
from .cols import Col, fit, merge

I64 = np.int64
_DAYS_Q = (DAYS, "days", 1)
_LIM = 2**40  # a bound on day and month counts between representable dates


def ymd(d: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, day) of each date."""
    d = np.asarray(d, dtype="datetime64[D]")
    months = d.astype("datetime64[M]")
    m = months.astype(I64)
    return m // 12 + 1970, m % 12 + 1, (d - months.astype("datetime64[D]")).astype(I64) + 1


def _trunc(c: Col) -> Any:
    """int(value) of a num column (toward zero), or None if its values are objects."""
    v = np.asarray(c.v)
    if v.dtype == object:
        return None
    v = v.astype(I64, copy=False)
    if c.den == 1:
        return v
    return np.where(v >= 0, v // c.den, -((-v) // c.den))


def add_months(d: Any, k: Any) -> np.ndarray:
    """Each date moved by k whole months, to the last day of a shorter month."""
    d = np.asarray(d, dtype="datetime64[D]")
    months = d.astype("datetime64[M]")
    day0 = (d - months.astype("datetime64[D]")).astype(I64)
    target = months + np.asarray(k, dtype=I64).astype("timedelta64[M]")
    start = target.astype("datetime64[D]")
    length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - start).astype(I64)
    return start + np.minimum(day0, length - 1).astype("timedelta64[D]")


def arith(op: str, x: Col, y: Col, months: bool, n: int) -> Col | None:
    """date ± months or days, date - date (None: the generic path decides)."""
    unk, w = merge(n, (x.unk, x.why), (y.unk, y.why))
    if op == "date-date":
        v = (np.asarray(x.v, dtype="datetime64[D]") - np.asarray(y.v, dtype="datetime64[D]")).astype(I64)
        return Col("num", v, unk, w, lim=_LIM, q=_DAYS_Q)
    k = _trunc(y)
    if k is None:
        return None
    if op.endswith("-months") or op.endswith("-days"):
        k = -k
    if months:
        v = add_months(x.v, k)
    else:
        v = np.asarray(x.v, dtype="datetime64[D]") + np.asarray(k, dtype=I64).astype("timedelta64[D]")
    return Col("date", v, unk, w)


def _months_q(v: Any, shown_years: bool = False) -> tuple:
    return (MONTHS, "years", 12) if shown_years else (MONTHS, "months", 1)


def call(func: str, args: list[Col], n: int) -> Col | None:
    """A built-in over typed columns (unknowns are set by the caller); None: the generic path."""
    if func in ("min", "max"):
        return _extreme(func == "min", args)
    if func in ("floor", "ceil"):
        return _round(func == "floor", args[0])
    if any(a.kind != "date" for a in args):
        return None
    if func in ("years_between", "age", "months_between", "calendar_months"):
        ay, am, ad = ymd(args[0].v)
        by, bm, bd = ymd(args[1].v)
        if func in ("years_between", "age"):
            years = by - ay - ((bm < am) | ((bm == am) & (bd < ad)))
            return Col("num", years * 12, lim=_LIM, q=(MONTHS, "years", 12))
        months = (by - ay) * 12 + bm - am
        if func == "months_between":
            return Col("num", months - (bd < ad), lim=_LIM, q=(MONTHS, "months", 1))
        return Col("num", np.maximum(months + 1, 0), lim=_LIM, q=(MONTHS, "months", 1))
    if func == "days_between":
        v = (np.asarray(args[1].v, dtype="datetime64[D]") - np.asarray(args[0].v, dtype="datetime64[D]"))
        return Col("num", v.astype(I64), lim=_LIM, q=_DAYS_Q)
    d = np.asarray(args[0].v, dtype="datetime64[D]")
    month = d.astype("datetime64[M]")
    if func == "month_start":
        return Col("date", month.astype("datetime64[D]"))
    if func == "month_end":
        return Col("date", (month + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D"))
    if func == "next_month_start":
        return Col("date", (month + np.timedelta64(1, "M")).astype("datetime64[D]"))
    if func == "previous_month_end":
        return Col("date", month.astype("datetime64[D]") - np.timedelta64(1, "D"))
    if func == "day_of_month":
        return Col("num", (d - month.astype("datetime64[D]")).astype(I64) + 1, lim=31)
    if func == "is_first_of_month":
        return Col("bool", d == month.astype("datetime64[D]"))
    if func == "is_weekend":
        return Col("bool", (d.astype(I64) + 3) % 7 >= 5)
    if func == "is_national_holiday":
        years = np.unique((d.astype("datetime64[Y]").astype(I64) + 1970).ravel())
        days = sorted(day for y in years.tolist() if 1 <= y <= 9999 for day in _japan_holidays(int(y)))
        return Col("bool", np.isin(d, np.array(days, dtype="datetime64[D]")))
    return None


def _extreme(smallest: bool, args: list[Col]) -> Col | None:
    """min / max: the first of the smallest (largest) arguments, as Python's min and max give."""
    kind = args[0].kind
    if any(a.kind != kind for a in args) or kind not in ("num", "date"):
        return None
    if kind == "date":
        cur = np.asarray(args[0].v, dtype="datetime64[D]")
        for a in args[1:]:
            b = np.asarray(a.v, dtype="datetime64[D]")
            cur = np.where(b < cur if smallest else b > cur, b, cur)
        return Col("date", cur)
    q = args[0].q
    if any(a.q != q for a in args):
        return None  # the arguments are shown in different units: which one is kept varies by row
    from .numbers import scaled

    den = math.lcm(*[a.den for a in args])
    vals = [scaled(a, den) for a in args]
    lims = [lim for _, lim in vals]
    lim: int | None = None
    if any(x is None for x in lims):
        arrays = [np.asarray(v).astype(object) if np.asarray(v).dtype != object else v for v, _ in vals]
    else:  # machine integers: the first of the smallest is the smallest
        lim = max(x for x in lims if x is not None)
        pick = np.minimum if smallest else np.maximum
        cur = fit(vals[0][0], lim)
        for v, _ in vals[1:]:
            cur = pick(cur, fit(v, lim))
        return Col("num", cur, den=den, lim=lim, q=q)
    cur = arrays[0]
    for v in arrays[1:]:
        better = np.asarray(v < cur if smallest else v > cur, dtype=bool)
        cur = np.where(better, v, cur)
    return Col("num", cur, den=den, lim=lim, q=q)


def _round(down: bool, c: Col) -> Col | None:
    """floor / ceil to a whole number of the unit the value is shown in."""
    if c.kind != "num":
        return None
    factor = Fraction(c.q[2]) if c.q is not None else Fraction(1)
    p, q = factor.numerator, factor.denominator
    v = np.asarray(c.v)
    bound = c.lim
    big = bound is None or bound * q >= 2**62
    x = (v.astype(object) if v.dtype != object else v) if big else v.astype(I64, copy=False)
    num, den = x * q, c.den * p
    whole = num // den if down else -((-num) // den)
    if bound is None or big:
        return Col("num", np.asarray(whole * p, dtype=object), den=q, lim=None, q=c.q)
    lim = (bound * q // den + 1) * p
    if lim >= 2**62:
        return Col("num", np.asarray(whole, dtype=object) * p, den=q, lim=None, q=c.q)
    return Col("num", whole * p, den=q, lim=lim, q=c.q)
