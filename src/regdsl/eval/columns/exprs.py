"""IR expressions to column functions `f(ctx) -> Col`, chosen by each node's type.

The semantics are the per-student evaluator's (eval/compile.py), row by row:
Kleene's three-valued logic over masks, unknowns that carry what would decide
them, exact numbers.  Booleans, numbers and quantities, dates and
enumerations are computed with a handful of NumPy operations per node;
anything else (text, times, lists, a quantity whose unit differs from row to
row, a value too large for int64) takes the generic path: the per-student
operator applied row by row (lift.elementwise), so it is exact by
construction.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction
from typing import Any, Callable

import numpy as np

from ... import ir
from ...core.arith import step_type
from ...core.builtins import BUILTINS, MONTHS
from ...core.types import BOOLEAN as _BOOL
from ...core.units import Q
from ...core.values import Unknown
from ..compile import find
from ..operators import ARITH, COMPARE
from . import dates
from .cols import U64, Col, Why, blend, either, fit, merge, select, unknown_col
from .lift import elementwise, lift, lower
from .numbers import _obj, num_arith, scaled

CFn = Callable[["Ctx"], Col]
_BIG = 2**62


class Ctx:
    """One group of rows being evaluated: its facts, the names computed so far, the date."""

    __slots__ = ("n", "facts", "values", "as_of", "why", "book", "rules", "winners")

    def __init__(self, n: int, facts: dict[str, Col], as_of: dt.date, why: Why, book: ir.IRBook):
        self.n = n
        self.facts = facts
        self.values: dict[str, Col] = {}
        self.as_of = as_of
        self.why = why
        self.book = book
        self.rules: dict[int, tuple[Any, Col]] = {}  # the operands of the rules of the name being decided
        self.winners = True  # whether the first winning rule of the name being decided is asked for


def q_of(ty: Any, units: Any) -> tuple | None:
    """The (dim, unit, factor) a value of a quantity type is shown in (None for other types)."""
    if ty.kind != "quantity":
        return None
    name = ty.unit or ""
    num, _, per = name.partition(" per ")
    u, p = units.get(num), units.get(per) if per else None
    if u is None or (per and p is None):
        return (ty.dim, name, 1)
    factor = u.factor if p is None else Fraction(u.factor) / Fraction(p.factor)
    if type(factor) is Fraction and factor.denominator == 1:
        factor = factor.numerator
    return (ty.dim, name if p is not None else u.plural, factor)


def ty_kind(ty: Any) -> str:
    return {"boolean": "bool", "number": "num", "quantity": "num", "date": "date", "enum": "enum"}.get(
        ty.kind, "obj")


class ColumnCompiler:
    """Turns the expressions of one IRBook into column functions."""

    def __init__(self, book: ir.IRBook, why: Why):
        self.book = book
        self.why = why
        self._facts_why = {name: why.words([why.bit[name]]) for name in book.inputs}

    def compile(self, e: ir.Expr) -> CFn:
        return getattr(self, "c_" + type(e).__name__)(e)

    # ---- leaves
    def c_Const(self, e: ir.Const) -> CFn:
        v = e.value
        if type(v) is Unknown:
            col = unknown_col(ty_kind(e.ty), self.why.of_unknown(v), members=tuple(e.ty.members))
            return lambda ctx: col
        col = const(v, e.ty)
        return lambda ctx: col

    def c_Fact(self, e: ir.Fact) -> CFn:
        name = e.name
        w = self._facts_why.get(name, np.zeros(1, dtype=U64))
        absent = unknown_col(ty_kind(e.ty), w, members=tuple(e.ty.members), q=q_of(e.ty, self.book.units))

        def fact(ctx: Ctx) -> Col:
            c = ctx.facts.get(name)
            if c is None:
                return absent
            if c.unk is not None and c.why is not w:
                c.why = w
            return c

        return fact

    def c_Ref(self, e: ir.Ref) -> CFn:
        name = e.name
        return lambda ctx: ctx.values[name]

    def c_Today(self, e: ir.Today) -> CFn:
        return lambda ctx: Col("date", np.datetime64(ctx.as_of, "D"))

    # ---- logic
    def c_Not(self, e: ir.Not) -> CFn:
        f = self.compile(e.arg)

        def not_(ctx: Ctx) -> Col:
            c = f(ctx)
            return Col("bool", ~np.asarray(c.v, dtype=bool), c.unk, c.why)

        return not_

    def c_And(self, e: ir.And) -> CFn:
        return self._junction([self.compile(a) for a in e.args], False)

    def c_Or(self, e: ir.Or) -> CFn:
        return self._junction([self.compile(a) for a in e.args], True)

    def c_Items(self, e: ir.Items) -> CFn:
        keys = e.items
        fns = [(lambda k: (lambda ctx: ctx.values[k]))(k) for k in keys]
        return self._junction(fns, e.mode == "any")

    def _junction(self, fns: list[CFn], decisive: bool) -> CFn:
        """`and` (decisive False) or `or` (decisive True): decided where any operand is decisive,
        else unknown where any is unknown (their whys united), else the other value."""

        def junction(ctx: Ctx) -> Col:
            cols = [f(ctx) for f in fns]
            return junction_of(ctx.n, cols, decisive)

        return junction

    # ---- arithmetic
    def c_Arith(self, e: ir.Arith) -> CFn:
        lf, rf = self.compile(e.left), self.compile(e.right)
        step = self._arith_step(e.op, e.right.ty, e.ty)
        return lambda ctx: step(ctx, lf(ctx), rf(ctx))

    def c_Fold(self, e: ir.Fold) -> CFn:
        first = self.compile(e.first)
        steps = []
        ty = e.first.ty
        for op, x in zip(e.ops, e.rest):
            ty = step_type(op, ty, x.ty)
            steps.append((self._arith_step(op, x.ty, ty), self.compile(x)))

        def fold(ctx: Ctx) -> Col:
            col = first(ctx)
            for step, f in steps:
                col = step(ctx, col, f(ctx))
            return col

        return fold

    def _arith_step(self, op: str, right_ty: Any, ty: Any) -> Callable[[Ctx, Col, Col], Col]:
        """One step `x op y` of an arithmetic chain, given the columns of its operands."""
        generic = ARITH[op]
        why = self.why
        if op.startswith("date"):
            months = right_ty.dim == MONTHS

            def date_arith(ctx: Ctx, x: Col, y: Col) -> Col:
                if x.kind != "date" or (op != "date-date" and y.kind != "num") or \
                        (op == "date-date" and y.kind != "date"):
                    return elementwise(generic, [x, y], ty, ctx.n, why)
                got = dates.arith(op, x, y, months, ctx.n)
                return got if got is not None else elementwise(generic, [x, y], ty, ctx.n, why)

            return date_arith

        def arith(ctx: Ctx, x: Col, y: Col) -> Col:
            if x.kind != "num" or y.kind != "num" or op.startswith("any"):
                return elementwise(generic, [x, y], ty, ctx.n, why)
            return num_arith(op, x, y, ctx.n, why)

        return arith

    def c_Neg(self, e: ir.Neg) -> CFn:
        f = self.compile(e.arg)

        def neg(ctx: Ctx) -> Col:
            c = f(ctx)
            if c.kind != "num":
                from ..operators import negate
                return elementwise(negate, [c], e.ty, ctx.n, self.why)
            return c.like(-np.asarray(c.v), c.unk, c.why)

        return neg

    def c_Compare(self, e: ir.Compare) -> CFn:
        lf, rf = self.compile(e.left), self.compile(e.right)
        op = e.op
        scalar = COMPARE[op]
        ordered = op in ("<", "<=", ">", ">=")

        def generic(x: Any, y: Any) -> bool:
            if ordered and isinstance(x, Q):
                return scalar(x.value, y.value)
            return scalar(x, y)

        def compare(ctx: Ctx) -> Col:
            x, y = lf(ctx), rf(ctx)
            unk, w = merge(ctx.n, (x.unk, x.why), (y.unk, y.why))
            v = compare_values(op, x, y)
            if v is None:
                return elementwise(generic, [x, y], _BOOL, ctx.n, self.why)
            return Col("bool", v, unk, w)

        return compare

    def c_OneOf(self, e: ir.OneOf) -> CFn:
        f = self.compile(e.arg)
        names, negated = e.names, e.negated

        def one_of(ctx: Ctx) -> Col:
            c = f(ctx)
            if c.kind == "enum":
                lut = np.array([(m in names) != negated for m in c.members] + [negated], dtype=bool)
                return Col("bool", lut[np.asarray(c.v)], c.unk, c.why)
            return elementwise(lambda v: (v in names) != negated, [c], _BOOL, ctx.n, self.why)

        return one_of

    def c_If(self, e: ir.If) -> CFn:
        cf, tf, ef = self.compile(e.cond), self.compile(e.then), self.compile(e.else_)
        ty = e.ty

        def if_(ctx: Ctx) -> Col:
            c, a, b = cf(ctx), tf(ctx), ef(ctx)
            n = ctx.n
            if c.unk is None:
                return choose_col(n, np.asarray(c.v, dtype=bool), a, b, ty, self.why)
            cv = np.asarray(c.v, dtype=bool)
            out = choose_col(n, cv, a, b, ty, self.why)
            # Where the condition is unknown: the common value if both branches give the same
            # known value, else the condition's unknown (with the `then` branch's, if unknown).
            same = equal_values(a, b)
            both = _and_known(a, b)
            agree = both & same
            cu = np.asarray(c.unk, dtype=bool)
            keep = cu & agree
            take = choose_col(n, ~cu | keep, out, a, ty, self.why)
            unk_then = merge(n, (c.unk, c.why), (a.unk, a.why))
            u_if = cu & ~keep
            uu, ww = select(n, cu, (u_if if unk_then[0] is None else (u_if & unk_then[0]), unk_then[1]),
                            (out.unk, out.why))
            take.unk, take.why = _tidy(uu, ww)
            return take

        return if_

    def c_Shown(self, e: ir.Shown) -> CFn:
        f = self.compile(e.arg)
        unit, factor = e.unit, e.factor

        def shown(ctx: Ctx) -> Col:
            c = f(ctx)
            if c.kind == "num" and c.q is not None and c.q[1] != unit:
                return c.like(c.v, c.unk, c.why, q=(c.q[0], unit, factor))
            if c.kind == "obj":
                return elementwise(lambda v: Q(v.value, v.dim, unit, factor) if isinstance(v, Q) and
                                   v.unit != unit else v, [c], e.ty, ctx.n, self.why)
            return c

        return shown

    # ---- functions, bodies, tables
    def c_Call(self, e: ir.Call) -> CFn:
        fns = [self.compile(a) for a in e.args]
        impl = BUILTINS[e.func].impl
        func, ty = e.func, e.ty

        def call(ctx: Ctx) -> Col:
            args = [f(ctx) for f in fns]
            got = dates.call(func, args, ctx.n) if all(a.kind != "obj" for a in args) else None
            if got is None:
                return elementwise(impl, args, ty, ctx.n, self.why)
            unk, w = merge(ctx.n, *[(a.unk, a.why) for a in args])
            got.unk, got.why = unk, w
            return got

        return call

    def c_BodyCall(self, e: ir.BodyCall) -> CFn:
        from ..organization import BODY_FUNCTIONS, asks

        f = self.compile(e.arg)
        org = self.book.organizations[e.book]
        lookup = BODY_FUNCTIONS[e.func]
        func = e.func

        def one(name: Any) -> Any:
            value, _ = lookup(org, name)
            if value is None:
                return Unknown(reasons=frozenset({asks(func, org.titles.get(name, name))}))
            return value

        return lambda ctx: by_distinct(one, f(ctx), e.ty, ctx.n, self.why)

    def c_Lookup(self, e: ir.Lookup) -> CFn:
        kf = self.compile(e.key)
        table = self.book.tables[e.table]
        column = e.column

        def lookup(ctx: Ctx) -> Col:
            as_of = ctx.as_of
            return by_distinct(lambda k: find(table, k, column, as_of), kf(ctx), e.ty, ctx.n, self.why)

        return lookup


def _tidy(unk: Any, why: Any) -> tuple[Any, Any]:
    if unk is None:
        return None, None
    if not np.any(unk):
        return None, None
    return unk, why


def _and_known(a: Col, b: Col) -> Any:
    if a.unk is None and b.unk is None:
        return True
    ka = True if a.unk is None else ~a.unk
    kb = True if b.unk is None else ~b.unk
    return np.logical_and(ka, kb)


def junction_of(n: int, cols: list[Col], decisive: bool) -> Col:
    """and / or over columns (see ColumnCompiler._junction)."""
    hit: Any = None
    for c in cols:
        v = np.asarray(c.v, dtype=bool)
        d = v if decisive else ~v
        if c.unk is not None:
            d = d & ~c.unk
        hit = d if hit is None else (hit | d)
    result = hit if decisive else ~hit
    unk, w = merge(n, *[(c.unk, c.why) for c in cols])
    if unk is not None:
        unk = unk & ~hit
        if w is not None and w.ndim == 2:
            w = np.where(np.broadcast_to(unk, (n,))[:, None], w, U64(0))
        unk, w = _tidy(unk, w)
    return Col("bool", result, unk, w)


def const(v: Any, ty: Any) -> Col:
    """A column holding one value in every row."""
    if isinstance(v, bool):
        return Col("bool", np.bool_(v))
    if isinstance(v, Q) or (type(v) in (int, Fraction) and ty.kind in ("number", "quantity")):
        raw = v.value if isinstance(v, Q) else v
        q = (v.dim, v.unit, v.factor) if isinstance(v, Q) else None
        f = Fraction(raw)
        if abs(f.numerator) < _BIG and f.denominator < _BIG:
            return Col("num", np.int64(f.numerator), den=f.denominator, lim=abs(f.numerator), q=q)
        return Col("num", np.array(f, dtype=object), den=1, lim=None, q=q)
    if isinstance(v, dt.date) and ty.kind == "date":
        return Col("date", np.datetime64(v, "D"))
    if ty.kind == "enum" and isinstance(v, str) and v in ty.members:
        return Col("enum", np.int16(ty.members.index(v)), members=tuple(ty.members))
    arr = np.empty((), dtype=object)
    arr[()] = v
    return Col("obj", arr)


def compare_values(op: str, x: Col, y: Col) -> Any:
    """x op y row by row for typed columns (None when the generic path must decide)."""
    if x.kind != y.kind or x.kind == "obj":
        return None
    if x.kind == "num":
        den = math.lcm(x.den, y.den)
        a, la = scaled(x, den)
        b, lb = scaled(y, den)
        if la is None or lb is None:
            a, b = _obj(a), _obj(b)
        else:  # one dtype for both (a narrow column against an int64 constant stays narrow)
            a, b = fit(a, max(la, lb)), fit(b, max(la, lb))
        r = _OPS[op](a, b)
        return np.asarray(r, dtype=bool) if np.asarray(r).dtype == object else r
    if x.kind == "enum":
        if x.members != y.members:
            remap = np.array([x.members.index(m) if m in x.members else -1 for m in y.members], dtype=np.int16)
            yv = remap[np.asarray(y.v)]
        else:
            yv = y.v
        if op not in ("is", "isnot"):
            return None
        return _OPS[op](np.asarray(x.v), np.asarray(yv))
    return _OPS[op](np.asarray(x.v), np.asarray(y.v))


_OPS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
        "is": np.equal, "isnot": np.not_equal}


def equal_values(a: Col, b: Col) -> Any:
    """Whether two columns hold the same value, row by row (where both are known)."""
    if a.kind == b.kind and a.kind == "num" and a.q is not None and b.q is not None and a.q[0] != b.q[0]:
        return False
    r = compare_values("is", a, b)
    if r is not None:
        return r
    la, lb = lower(a, len_of(a, b)), lower(b, len_of(a, b))
    return np.fromiter((x == y for x, y in zip(la, lb)), dtype=bool, count=len(la))


def len_of(*cols: Col) -> int:
    for c in cols:
        v = np.asarray(c.v)
        if v.ndim:
            return v.shape[0]
        if c.unk is not None and np.asarray(c.unk).ndim:
            return np.asarray(c.unk).shape[0]
    return 1


def choose_col(n: int, mask: Any, a: Col, b: Col, ty: Any, why: Why) -> Col:
    """Values (and unknowns) from `a` where `mask` holds, from `b` elsewhere."""
    if _all_unknown(a) and b.kind != "obj":
        a = b.like(b.v, a.unk, a.why)  # its values are never read: take the other's form
    elif _all_unknown(b) and a.kind != "obj":
        b = a.like(a.v, b.unk, b.why)
    if np.ndim(mask) == 0 and a.kind == b.kind and a.kind in ("bool", "date", "enum") and a.members == b.members:
        return a if mask else b  # one side for every row (a num goes on: its den and bound are both sides')
    unk, w = select(n, mask, (a.unk, a.why), (b.unk, b.why))
    unk, w = _tidy(unk, w)
    if a.kind == b.kind == "bool":
        return Col("bool", either(mask, a.v, b.v), unk, w)
    if a.kind == b.kind == "date":
        return Col("date", np.where(mask, a.v, b.v), unk, w)
    if a.kind == b.kind == "enum" and a.members == b.members:
        return Col("enum", blend(mask, a.v, b.v, len(a.members)), unk, w, members=a.members)
    if a.kind == b.kind == "num" and (a.q == b.q or a.q is None and b.q is None):
        den = math.lcm(a.den, b.den)
        x, lx = scaled(a, den)
        y, ly = scaled(b, den)
        if lx is None or ly is None:
            return Col("num", np.where(mask, _obj(x), _obj(y)), unk, w, den=den, lim=None, q=a.q)
        lim = max(lx, ly)
        return Col("num", blend(mask, x, y, lim), unk, w, den=den, lim=lim, q=a.q)
    if a.kind == b.kind == "obj":  # both hold the per-student evaluator's own values
        m = np.broadcast_to(np.asarray(mask, dtype=bool), (n,)) if np.ndim(mask) else mask  # (1,): every row
        return Col("obj", np.where(m, a.v, b.v), unk, w)
    m = np.broadcast_to(np.asarray(mask, dtype=bool), (n,))
    la, lb = lower(a, n), lower(b, n)
    values = [x if t else y for t, x, y in zip(m.tolist(), la, lb)]
    col = lift(values, ty, n)
    col.unk, col.why = unk, w
    return col


def _all_unknown(c: Col) -> bool:
    return c.unk is not None and np.ndim(c.unk) == 0 and bool(c.unk)


def by_distinct(fn: Callable[[Any], Any], key: Col, ty: Any, n: int, why: Why) -> Col:
    """fn(key) for each distinct key (an enum's members, else the distinct values), gathered."""
    if key.kind == "enum":
        values = [fn(m) for m in key.members]
        idx = np.broadcast_to(np.asarray(key.v, dtype=np.int64), (n,))
    else:
        keys = lower(key, n)
        seen: dict[Any, int] = {}
        values, codes = [], np.zeros(n, dtype=np.int64)
        for r, k in enumerate(keys.tolist()):
            if k is None:
                continue
            h = (type(k), k) if not isinstance(k, Q) else (Q, k.value, k.dim, k.unit)
            i = seen.get(h)
            if i is None:
                i = seen[h] = len(values)
                values.append(fn(k))
            codes[r] = i
        idx = codes
    table = lift(values, ty, len(values), why) if values else None
    if table is None:  # no row has a key: each is unknown for its key's reasons
        col = unknown_col(ty_kind(ty), np.zeros(1, dtype=U64), members=tuple(ty.members))
        col.unk, col.why = (key.unk, key.why) if key.unk is not None else (np.True_, col.why)
        return col
    col = take(table, idx, n)
    u, w = merge(n, (key.unk, key.why), (col.unk, col.why))
    if key.unk is not None and col.unk is not None:
        # rows whose key is unknown have the key's why only (no lookup was made)
        ku = np.broadcast_to(np.asarray(key.unk), (n,))
        u, w = select(n, ku, (np.True_, key.why), (col.unk, col.why))
        u, w = _tidy(u, w)
    col.unk, col.why = u, w
    return col


def take(c: Col, idx: np.ndarray, n: int) -> Col:
    """The rows `idx` of a column (a gather)."""
    v = np.asarray(c.v)
    v = v[idx] if v.ndim else v
    unk = None if c.unk is None else np.broadcast_to(np.asarray(c.unk), (len(c.v) if np.asarray(c.v).ndim else 1,))
    if unk is not None:
        unk = unk[idx] if unk.shape[0] > 1 or np.asarray(c.v).ndim else np.broadcast_to(unk, (n,))
    why = c.why
    if why is not None and why.ndim == 2:
        why = why[idx]
    out = c.like(v, unk, why)
    out.unk, out.why = _tidy(out.unk, out.why)
    return out
