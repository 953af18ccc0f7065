"""Exact arithmetic on num columns: + - * / in int64 over a common denominator, with bounds.

A num column's values are `v / den`, with `lim` a bound on |v| (None: exact Python ints and
Fractions, object dtype).  Every operation checks its bound first; where int64 could
overflow, the result is exact objects instead (never a rounded or wrapped value).  Machine
integers are kept in the narrowest of int8, int16, int32 and int64 that holds the bound (`fit`):
each operation widens its operands to the dtype of its result's bound before computing, so
a narrow dtype never wraps.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from ...core.units import dim_mul
from .cols import Col, Why, fit, merge

_BIG = 2**62


def _obj(a: Any) -> Any:
    a = np.asarray(a)
    return a if a.dtype == object else a.astype(object)


def scaled(c: Col, to: int) -> tuple[Any, int | None]:
    """The values of a num column in units of 1/to (to a multiple of its den), and their bound."""
    k = to // c.den
    if k == 1:
        return c.v, c.lim
    if c.lim is None or c.lim * k >= _BIG:
        return _obj(c.v) * k, None
    lim = c.lim * k
    v = fit(c.v, max(lim, k))  # (k itself must fit too: lim is 0 for a column of zeros)
    return v * np.asarray(k, dtype=np.asarray(v).dtype), lim


def num_arith(op: str, x: Col, y: Col, n: int, why: Why) -> Col:
    """+ - * / of two num columns, exactly."""
    unk, w = merge(n, (x.unk, x.why), (y.unk, y.why))
    kind = op[-1]
    if kind in "+-":
        den = math.lcm(x.den, y.den)
        a, la = scaled(x, den)
        b, lb = scaled(y, den)
        if la is None or lb is None or la + lb >= _BIG:
            a, b, lim = _obj(a), _obj(b), None
        else:
            lim = la + lb
            a, b = fit(a, lim), fit(b, lim)
        v = a + b if kind == "+" else a - b
        q = x.q if op.startswith("q") else None
        return Col("num", v, unk, w, den=den, lim=lim, q=q if q is not None else (x.q or y.q if op[0] == "q" else None))
    q = _mul_unit(op, x, y)
    if kind == "*":
        if x.lim is None or y.lim is None or x.lim * y.lim >= _BIG:
            v, lim = _obj(x.v) * _obj(y.v), None
        else:
            lim = x.lim * y.lim
            v = fit(x.v, lim) * fit(y.v, lim)
        return _reduce(Col("num", v, unk, w, den=x.den * y.den, lim=lim, q=q))
    # division: value = (x.v / x.den) / (y.v / y.den)
    yv = np.asarray(y.v)
    if yv.ndim == 0 and yv.dtype != object:
        c = int(yv)
        if c == 0:
            zero = why.words([why.reason("division by zero")])
            u2, w2 = merge(n, (unk, w), (np.logical_not(unk) if unk is not None else np.True_, zero))
            return Col("num", np.int64(0), u2, w2, den=1, lim=0, q=q)
        # x.v * y.den / (x.den * c)
        sign = -1 if c < 0 else 1
        mult, den = y.den, x.den * abs(c)
        g = math.gcd(mult, den)
        mult, den = mult // g, den // g
        if x.lim is None or x.lim * mult >= _BIG:
            v, lim = _obj(x.v) * (sign * mult), None
        else:
            lim = x.lim * mult
            v = fit(x.v, max(lim, mult))
            v = v * np.asarray(sign * mult, dtype=np.asarray(v).dtype)
        return _reduce(Col("num", v, unk, w, den=den, lim=lim, q=q))
    got = _divide_by_column(x, y, unk, w, q, n, why)
    if got is not None:
        return got
    num = _obj(x.v) * y.den
    dnm = _obj(y.v) * x.den
    zero_rows = np.asarray(dnm == 0, dtype=bool)
    safe = np.where(zero_rows, 1, dnm)
    v = np.frompyfunc(lambda p, r: Fraction(p, r), 2, 1)(num, safe)
    v = np.asarray(v, dtype=object)
    if zero_rows.any():
        zrows = zero_rows if unk is None else (zero_rows & ~unk)
        if zrows.any():
            zero = why.words([why.reason("division by zero")])
            unk, w = merge(n, (unk, w), (zrows, zero))
    return Col("num", v, unk, w, den=1, lim=None, q=q)


def _divide_by_column(x: Col, y: Col, unk: Any, w: Any, q: Any, n: int, why: Why) -> Col | None:
    """x / y in int64 over one common denominator: the lcm L of the distinct divisors, so that
    x/y = x.v * y.den * (L / y.v) / (x.den * L) exactly; None when L or the values are too large."""
    xv, yv = np.asarray(x.v), np.asarray(y.v)
    if x.lim is None or y.lim is None or xv.dtype == object or yv.dtype == object:
        return None
    xv, yv = xv.astype(np.int64, copy=False), yv.astype(np.int64, copy=False)
    ya = np.broadcast_to(yv, (n,))
    known = np.ones(n, dtype=bool) if unk is None else ~np.broadcast_to(np.asarray(unk, dtype=bool), (n,))
    zero = (ya == 0) & known
    divisors = np.unique(np.abs(ya[known & ~zero]))
    if len(divisors) > 64:
        return None
    lcm = math.lcm(*divisors.tolist()) if len(divisors) else 1
    if lcm >= 2**31 or x.lim * y.den * lcm >= _BIG:
        return None
    k = lcm // np.where(ya == 0, 1, ya)
    v = xv * (np.int64(y.den) * k)
    if zero.any():
        unk, w = merge(n, (unk, w), (zero, why.words([why.reason("division by zero")])))
    return Col("num", v, unk, w, den=x.den * lcm, lim=x.lim * y.den * lcm, q=q)


def _reduce(c: Col) -> Col:
    """A num column with a constant value and a den that can be smaller: reduced (keeps dens small)."""
    v = np.asarray(c.v)
    if v.ndim == 0 and c.den != 1 and v.dtype != object:
        f = Fraction(int(v), c.den)
        return c.like(np.int64(f.numerator), c.unk, c.why, den=f.denominator, lim=abs(f.numerator))
    return c


def _mul_unit(op: str, x: Col, y: Col) -> tuple | None:
    """The (dim, unit, factor) of a product or quotient, as operators.q_mul / q_div give it."""
    if op.startswith("num"):
        return None
    sign = 1 if op.endswith("*") else -1
    if x.q is not None and y.q is not None:
        dim = dim_mul(x.q[0], y.q[0], sign)
        return (dim, "", 1) if dim else None
    if x.q is not None:
        return x.q
    if y.q is not None:
        if sign == 1:
            return y.q
        return (dim_mul((), y.q[0], -1), "", 1)
    return None
