"""Between columns and the per-student evaluator's values: `lift` builds a column from values,
`lower` gives a column's values back (the generic path, for rare types and operations)."""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction
from typing import Any

import numpy as np

from ...core.units import Q, exact
from ...core.values import Unknown
from .cols import Col, Why, merge

_BIG = 2**62


def lift(values: list[Any], ty: Any, n: int, why: Why | None = None) -> Col:
    """A column of type `ty` from one value per row (None or an Unknown: unknown)."""
    unk = np.fromiter((v is None or type(v) is Unknown for v in values), dtype=bool, count=n)
    u = unk if unk.any() else None
    w: np.ndarray | None = None
    if u is not None and why is not None:
        w = np.zeros((n, why.width), dtype=np.uint64)
        rows: dict[int, np.ndarray] = {}
        for r in np.flatnonzero(unk).tolist():
            v = values[r]
            if type(v) is Unknown:
                found = rows.get(id(v))
                if found is None:
                    found = rows[id(v)] = why.of_unknown(v)
                if found.shape[0] > w.shape[1]:
                    w = np.pad(w, [(0, 0), (0, found.shape[0] - w.shape[1])])
                w[r, :found.shape[0]] = found
    elif u is not None:
        w = np.zeros(1, dtype=np.uint64)
    known = [v for v in values if v is not None and type(v) is not Unknown]
    kind = ty.kind
    if kind == "boolean":
        return Col("bool", np.fromiter((v is True for v in values), dtype=bool, count=n), u, w)
    if kind == "date":
        v = np.array([x if isinstance(x, dt.date) else dt.date(1970, 1, 1) for x in
                      (v if (v is not None and type(v) is not Unknown) else None for v in values)],
                     dtype="datetime64[D]").reshape(n)
        return Col("date", v, u, w)
    if kind == "enum":
        code = {m: i for i, m in enumerate(ty.members)}
        if all(isinstance(x, str) and x in code for x in known):
            v = np.fromiter((code.get(x, 0) if isinstance(x, str) else 0 for x in values), dtype=np.int16,
                            count=n)
            return Col("enum", v, u, w, members=tuple(ty.members))
    if kind in ("number", "quantity") and known:
        col = _numbers(values, known, n, u, w)
        if col is not None:
            return col
    if kind in ("number", "quantity") and not known:
        q = (ty.dim, ty.unit, 1) if kind == "quantity" else None
        return Col("num", np.zeros(n, dtype=np.int64), u, w, lim=0, q=q)
    return Col("obj", _objects(values, n), u, w)


def _objects(values: list[Any], n: int) -> np.ndarray:
    out = np.empty(n, dtype=object)
    for i, v in enumerate(values):
        out[i] = None if type(v) is Unknown else v
    return out


def _numbers(values: list[Any], known: list[Any], n: int, u: Any, w: Any) -> Col | None:
    """Numbers, or quantities all shown in one unit, as a num column; None otherwise."""
    first = known[0]
    if isinstance(first, Q):
        shape = (first.dim, first.unit, first.factor)
        if not all(isinstance(x, Q) and (x.dim, x.unit, x.factor) == shape for x in known):
            return None
        raw = [x.value if isinstance(x, Q) else 0 for x in values]
        q: tuple | None = shape
    else:
        if not all(type(x) in (int, Fraction) for x in known):
            return None
        raw = [x if type(x) in (int, Fraction) else 0 for x in values]
        q = None
    if all(type(x) is int and -_BIG < x < _BIG for x in raw):
        v = np.array(raw, dtype=np.int64).reshape(n)
        return Col("num", v, u, w, lim=int(np.abs(v).max(initial=0)), q=q)
    exact_only = all(type(x) in (int, Fraction) for x in raw)
    den = math.lcm(*{x.denominator for x in raw if type(x) is Fraction}) if exact_only else 0
    if 0 < den < 2**31:  # one common denominator
        scaled = [x * den for x in raw]
        if all(-_BIG < x < _BIG for x in scaled):
            v = np.array([int(x) for x in scaled], dtype=np.int64).reshape(n)
            return Col("num", v, u, w, den=den, lim=int(np.abs(v).max(initial=0)), q=q)
    return Col("num", _objects(raw, n), u, w, lim=None, q=q)


def lower(c: Col, n: int) -> np.ndarray:
    """The values of a column as the per-student evaluator holds them (unknown rows: None)."""
    kind = c.kind
    v = np.broadcast_to(np.asarray(c.v), (n,))
    if kind == "bool":
        out = v.astype(object)
    elif kind == "date":
        out = v.astype("datetime64[D]").astype(object)
    elif kind == "enum":
        out = np.array(list(c.members) + [None], dtype=object)[np.where(v < 0, len(c.members), v)]
    elif kind == "num":
        if c.den == 1:
            vals = v.astype(object)
        else:
            den = c.den
            vals = np.frompyfunc(lambda a: exact(Fraction(a, den)) if type(a) is int else exact(a / den), 1, 1)(
                v.astype(object))
        if c.q is not None:
            dim, unit, factor = c.q
            out = np.frompyfunc(lambda a: Q(a, dim, unit, factor), 1, 1)(vals)
        else:
            out = np.frompyfunc(exact, 1, 1)(vals) if vals.size else vals
        out = np.asarray(out, dtype=object)
    else:
        out = np.array(v, dtype=object, copy=True)
    if c.unk is not None:
        out = np.array(out, dtype=object, copy=True)
        out[np.broadcast_to(np.asarray(c.unk), (n,))] = None
    return out


def elementwise(fn: Any, cols: list[Col], ty: Any, n: int, why: Why) -> Col:
    """A node computed row by row with the per-student evaluator's own operator `fn`.

    Rows where an operand is unknown are unknown with the operands' whys united;
    `fn` may return an Unknown (a table that has no such row) or raise
    ZeroDivisionError (division by zero), as it does for one student.
    """
    unk, w = merge(n, *[(c.unk, c.why) for c in cols])
    args = [lower(c, n) for c in cols]
    skip = np.zeros(n, dtype=bool) if unk is None else np.broadcast_to(np.asarray(unk), (n,))
    out: list[Any] = [None] * n
    zero = None
    for r in np.flatnonzero(~skip).tolist():
        try:
            out[r] = fn(*[a[r] for a in args])
        except ZeroDivisionError:
            if zero is None:
                zero = Unknown(reasons=frozenset({"division by zero"}))
            out[r] = zero
    col = lift(out, ty, n, why)
    if unk is None:
        return col
    u2, w2 = merge(n, (unk, w), (col.unk, col.why))
    col.unk, col.why = u2, w2
    return col
