"""Default logic over columns where rows are known: the fast path of `NameLogic.evaluate`.

Where no rule of a name's forest is a stand-in or stated as of a later date,
and every condition and value a rule reads is known, the per-student logic
(eval/logic.py) has two states, APPLIES and NOT: a rule and its exceptions
give the first applying exception's value, else the rule's own.  That costs a
few NumPy operations per rule: no state arrays, why-bitsets or winner sets.
The rows outside it (an operand unknown, two applying rules that disagree)
are decided again, alone, by the general code in logic.py, and patched in;
when they are most of the rows, the general code decides them all.  Every
answer is a function of its row alone, so both give each row the same one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import ir
from .cols import Col, blend, select
from .exprs import Ctx, choose_col, equal_values

I16 = np.int16
Known = tuple[Any, Col, Any]  # (applies: a bool mask, the value, the first winning rule (int16), the
# last two read only where the first holds)


def operands(rule: Any, fns: tuple[Any, Any], ctx: Ctx) -> tuple[Col | None, Col]:
    """The condition and value columns of a rule, computed once per name and group."""
    found = ctx.rules.get(id(rule))
    if found is None:
        cond_fn, value_fn = fns
        c = cond_fn(ctx) if cond_fn is not None else None
        found = ctx.rules[id(rule)] = (c, value_fn(ctx))
    return found


def decide_known(logic: Any, ctx: Ctx) -> tuple[Col, Any] | None:
    """(the name's column, each row's first winning rule), or None where the general code must
    decide every row (see the module docstring)."""
    if not logic.roots or len(logic.rules) > _RULES or \
            any(r.as_of is not None and ctx.as_of < r.as_of for r in logic.rules):
        return None
    root = logic.roots[0]
    delegated = len(logic.roots) == 1 and root.rule.kind == "delegated" and bool(root.children)
    if logic.static and not (delegated and list(logic.static) == [id(root.rule)]):
        return None
    bad: list[Any] = []  # masks of the rows the general code must decide
    if delegated:
        col, first = _delegated(logic, root, ctx, bad)
    else:
        col, first = _choose(logic, [_decide(logic, r, ctx, bad) for r in logic.roots], ctx, bad)
    rows = np.flatnonzero(np.broadcast_to(np.asarray(_any(bad), dtype=bool), (ctx.n,)))
    if not len(rows):
        return col, first
    if 2 * len(rows) > ctx.n:
        return None
    sub = Ctx(len(rows), Rows(ctx.facts, rows), ctx.as_of, ctx.why, ctx.book)
    sub.values = Rows(ctx.values, rows)
    s_col, s_first = logic.general(sub)
    return _patch(ctx.n, rows, col, first, s_col, s_first, logic)


def _choose(logic: Any, results: list[Known], ctx: Ctx, bad: list[Any]) -> tuple[Col, Any]:
    """The name from the results of its root rules (logic.choose, where every row is known)."""
    n, ty = ctx.n, logic.info.ty
    if logic.boolean:
        root_first = I16(logic.index_of(logic.roots[0].rule))
        if len(results) == 1:
            app, val, first = results[0]
            return Col("bool", np.asarray(val.v, dtype=bool) & app), pick(app, first, root_first, ctx.winners)
        trues = [a & np.asarray(v.v, dtype=bool) for a, v, _ in results]
        falses = [a & ~np.asarray(v.v, dtype=bool) for a, v, _ in results]
        any_true = _any(trues)
        t_first = _first_of(trues, [f for _, _, f in results], on=ctx.winners)
        f_first = _first_of(falses, [f for _, _, f in results], root_first, ctx.winners)
        return Col("bool", np.asarray(any_true, dtype=bool)), pick(any_true, t_first, f_first, ctx.winners)
    apps = [a for a, _, _ in results]
    val = _first_value(results, n, ty, logic.why, bad)
    any_app = _any(apps)
    first = _first_of(apps, [f for _, _, f in results], on=ctx.winners)
    if not np.all(any_app):  # no provision gives the name in these rows
        val = val.like(val.v, ~np.broadcast_to(np.asarray(any_app, dtype=bool), (n,)), logic.none_why)
    return val, pick(any_app, first, I16(-1), ctx.winners)


def _delegated(logic: Any, root: Any, ctx: Ctx, bad: list[Any]) -> tuple[Col, Any]:
    """A matter left to separate regulations with the book's own provisions as its exceptions
    (logic._above): the first that applies decides; where none does, the regulation states
    nothing for the student (unknown, a boolean too)."""
    n = ctx.n
    subs = [_decide(logic, c, ctx, bad) for c in root.children]
    val = _first_value(subs, n, logic.info.ty, logic.why, bad)
    apps = [a for a, _, _ in subs]
    any_app = np.broadcast_to(np.asarray(_any(apps), dtype=bool), (n,))
    first = _first_of(apps, [f for _, _, f in subs], on=ctx.winners)
    if not any_app.all():
        val = val.like(val.v, ~any_app, logic.unstated[id(root)])
    return val, pick(any_app, first, I16(-1), ctx.winners)


def _first_value(results: list[Known], n: int, ty: Any, why: Any, bad: list[Any]) -> Col:
    """The value of the first applying result; rows where two that apply disagree are `bad`
    (a conflict, E801, names the rules: the general code says so)."""
    val = results[-1][1]
    for a, v, _ in reversed(results[:-1]):
        val = choose_col(n, a, v, val, ty, why)
    if len(results) > 1:
        bad.extend(_disagree(results, val, n))
    return val


def _disagree(results: list[Known], val: Col, n: int) -> list[Any]:
    """Masks of the rows where a result that applies has another value than `val`, the first
    applying one's: compared only on the rows where two or more apply (elsewhere the one that
    applies gives `val`)."""
    results = [r for r in results if np.ndim(r[0]) or r[0]]  # a rule that applies nowhere agrees
    if len(results) < 2:
        return []
    apps = [a for a, _, _ in results]
    if all(np.ndim(a) == 0 for a in apps):
        return [a & ~np.asarray(equal_values(v, val), dtype=bool) for a, v, _ in results]
    count: np.ndarray | None = None
    if len(apps) > 2:
        count = np.zeros(n, dtype=np.uint8 if len(apps) < 255 else np.int32)
    if count is None:
        both = np.broadcast_to(np.asarray(apps[0] & apps[1], dtype=bool), (n,))
    else:
        for a in apps:
            count += np.asarray(a, dtype=bool)
        both = count >= 2
    rows = np.flatnonzero(both)
    if not len(rows):
        return []
    sub_val = take_rows(val, rows)
    out = np.zeros(n, dtype=bool)
    for a, v, _ in results:
        a_rows = np.broadcast_to(np.asarray(a, dtype=bool), (n,))[rows]
        out[rows] |= a_rows & ~np.asarray(equal_values(take_rows(v, rows), sub_val), dtype=bool)
    return [out]


def _decide(logic: Any, root: Any, ctx: Ctx, bad: list[Any]) -> Known:
    """A rule and its exceptions, children first, without recursion."""
    n, ty = ctx.n, logic.info.ty
    work: list[tuple[Any, list]] = [(root, [])]
    while True:
        node, sub = work[-1]
        if len(sub) < len(node.children):
            work.append((node.children[len(sub)], []))
            continue
        work.pop()
        own = _apply(logic, node.rule, ctx, bad)
        if sub:
            apps = [a for a, _, _ in sub]
            val = _first_value(sub, n, ty, logic.why, bad)
            any_app = _any(apps)
            first = _first_of(apps, [f for _, _, f in sub], on=ctx.winners)
            o_app, o_val, o_first = own
            own = (any_app | o_app, choose_col(n, any_app, val, o_val, ty, logic.why),
                   pick(any_app, first, o_first, ctx.winners))
        if not work:
            return own
        work[-1][1].append(own)


def _apply(logic: Any, rule: Any, ctx: Ctx, bad: list[Any]) -> Known:
    """One rule on its own: where it applies, its value, and its index where it applies; the
    rows where an operand is unknown are `bad`."""
    c, v = operands(rule, logic.fns[id(rule)], ctx)  # (the value is computed where no row asks it: its
    # den and bound are part of the name's, and so of the type of the outcome's column)
    for x in (c, v):
        if x is not None and x.unk is not None:
            bad.append(x.unk)
    app: Any = np.True_ if c is None else np.asarray(c.v, dtype=bool)
    if rule.kind == "if":
        app = app & np.asarray(v.v, dtype=bool)
        v = Col("bool", np.True_)
    return _collapse(app), v, I16(logic.index_of(rule))  # a first winner is only read where its rule applies


def _collapse(mask: Any) -> Any:
    """A mask that holds in every row or in none as one shared value (what follows costs
    nothing per row then)."""
    if np.ndim(mask) == 0:
        return mask
    if not mask.any():
        return np.False_
    return np.True_ if mask.all() else mask


class Rows(dict):
    """The columns of a mapping restricted to some rows, each taken when first read."""

    def __init__(self, base: dict, rows: np.ndarray):
        super().__init__()
        self.base, self.rows = base, rows

    def __missing__(self, key: str) -> Col:
        got = self[key] = take_rows(self.base[key], self.rows)
        return got

    def get(self, key: str, default: Any = None) -> Any:
        if key in self or key in self.base:
            return self[key]
        return default


def take_rows(c: Col, rows: np.ndarray) -> Col:
    """The rows `rows` of a column (shared values stay shared)."""
    v = c.v[rows] if np.ndim(c.v) else c.v
    unk = c.unk
    if unk is not None:
        unk = unk[rows] if np.ndim(unk) else unk
    why = c.why
    if why is not None and why.ndim == 2:
        why = why[rows]
    if unk is not None and not np.any(unk):
        unk = why = None
    return c.like(v, unk, why)


def _patch(n: int, rows: np.ndarray, col: Col, first: Any, s_col: Col, s_first: Any, logic: Any) -> tuple[Col, Any]:
    """The fast path's column with the rows `rows` replaced by the general code's answers."""
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    sv = np.asarray(s_col.v)
    v = np.zeros(n, dtype=sv.dtype) if sv.dtype != object else np.full(n, None, dtype=object)
    v[rows] = sv
    out = choose_col(n, mask, s_col.like(v), col.like(col.v), logic.info.ty, logic.why)
    s_unk, s_why = _compact(s_col.unk, s_col.why)
    unk = why = None
    if s_unk is not None:
        unk = np.zeros(n, dtype=bool)
        unk[rows] = s_unk
        why = s_why
        if why.ndim == 2:
            why = np.zeros((n, s_why.shape[1]), dtype=s_why.dtype)
            why[rows] = s_why
    if col.unk is not None:  # rows no provision gives, outside `rows`
        unk, why = select(n, mask, (unk, why), (col.unk & ~mask, col.why))
    out.unk, out.why = unk, why
    f = np.broadcast_to(np.asarray(first, dtype=I16), (n,)).copy()
    f[rows] = s_first
    return out, f


def _compact(unk: Any, why: Any) -> tuple[Any, Any]:
    """(unk, why) with a per-row why that is the same in every unknown row made one shared row."""
    if unk is None or why is None or why.ndim == 1:
        return unk, why
    mask = np.broadcast_to(np.asarray(unk, dtype=bool), (why.shape[0],))
    if not mask.any():
        return None, None
    some = why[mask]
    if (some == some[0]).all():
        return unk, some[0].copy()
    return unk, why


def _any(masks: list[Any]) -> Any:
    if len(masks) == 1:
        return masks[0]
    out: Any = np.False_
    for m in masks:
        out = out | m
    return out


def _first_of(masks: list[Any], firsts: list[Any], default: Any = I16(-1), on: bool = True) -> Any:
    """Per row, the `firsts` entry of the first mask that holds (else `default`); one shared
    value where every entry is the same (a rule index is one of at most 2**14), and not
    computed at all when the winners are not asked for (`on` false: a name no outcome shows)."""
    if not on or all(np.ndim(f) == 0 and f == default for f in firsts):
        return default
    out = default
    for m, f in zip(reversed(masks), reversed(firsts)):
        out = pick(m, f, out)
    return out


def pick(mask: Any, a: Any, b: Any, on: bool = True) -> Any:
    """np.where(mask, a, b) for rule indexes (int16, -1 for none), as `blend` computes it; `b`
    when the winners are not asked for (`on` false)."""
    if not on or np.ndim(a) == 0 and np.ndim(b) == 0 and a == b:
        return b
    return blend(mask, a, b, _RULES)


_RULES = 2**14 - 1  # a bound on rule indexes (int16); a name with more rules takes the general code


__all__ = ["decide_known", "operands", "ir"]
