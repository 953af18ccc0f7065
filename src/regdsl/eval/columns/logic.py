"""Default logic over columns: eval/logic.py's `apply_rule`, `decide_node` and `choose`, row by row.

A rule's result (`RR`) is, per row, its state (APPLIES, NOT, UNKNOWN,
CONFLICT), its value (where it applies; where it is unknown but its value is
known, the guess), the why of the unknown rows, the first winning rule (an
index into the name's rules, -1 for none) and, where rules could conflict,
the set of winners as a bitset (for the E801 reason, which names them).
Each branch of the per-student code becomes a mask, and the cases are
chosen in the same order, so the winner of every row is the same rule.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import ir
from ...core.values import Unknown
from ..logic import APPLIES, CONFLICT, NOT, UNKNOWN, Node, conflict_unknown, delegation, unstated
from .cols import _ZERO, U64, Col, PerRow, Why, merge, restrict, unknown_col
from .exprs import CFn, Ctx, choose_col, equal_values, q_of, ty_kind
from .known import decide_known, operands

I8 = np.int8


class RR:
    """The result of a rule (and its exceptions) for every row of a group."""

    __slots__ = ("st", "val", "uw", "first", "wins")

    def __init__(self, st: Any, val: Col, uw: np.ndarray | None, first: Any, wins: Any):
        self.st = st
        self.val = val
        self.uw = uw  # the why of the UNKNOWN rows (zero elsewhere when it is per row)
        self.first = first
        self.wins = wins


class NameLogic:
    """The decider of one name for one version key: its forest, compiled for columns."""

    def __init__(self, info: ir.Name, roots: list[Node], compile_rule: Any, why: Why, track: bool):
        self.info = info
        self.boolean = info.boolean
        self.kind = ty_kind(info.ty)
        self.roots = roots
        self.why = why
        self.q = q_of(info.ty, why.book.units)
        self.rules: list[Any] = []  # every rule of the forest, in order of first visit
        self._index: dict[int, int] = {}
        todo = list(reversed(roots))
        while todo:
            node = todo.pop()
            if id(node.rule) not in self._index:
                self._index[id(node.rule)] = len(self.rules)
                self.rules.append(node.rule)
            todo.extend(reversed(node.children))
        self.fns = {id(r): compile_rule(r) for r in self.rules if type(r) is ir.Rule}
        self.track = track and len(self.rules) <= 64
        self.none_why = why.words([why.reason(f"no provision gives `{info.name}` for this student")])
        self.static: dict[int, np.ndarray] = {}
        for r in self.rules:
            if type(r) is not ir.Rule:
                self.static[id(r)] = why.of_unknown(r.unknown)
            elif r.kind == "delegated":
                self.static[id(r)] = why.of_unknown(delegation(r))
        self.unstated = {id(nd): why.of_unknown(unstated(nd)) for nd in _all(roots)
                         if nd.children and nd.rule.kind == "delegated"}

    # ---- one rule
    def apply(self, node: Node, ctx: Ctx) -> RR:
        rule = node.rule
        n = ctx.n
        i = self._index[id(rule)]
        proto = self._proto()
        if id(rule) in self.static:
            return RR(I8(UNKNOWN), _unknown_val(proto), self.static[id(rule)], np.int16(-1), self._no_wins())
        if rule.as_of is not None and ctx.as_of < rule.as_of:
            later = self.why.words([self.why.reason(
                f"{rule.provision.cite} states this as of {rule.as_of.isoformat()}; it is not known "
                f"for {ctx.as_of.isoformat()}")])
            return RR(I8(UNKNOWN), _unknown_val(proto), later, np.int16(-1), self._no_wins())
        c, v = operands(rule, self.fns[id(rule)], ctx)
        c_known = True if c is None or c.unk is None else ~c.unk
        c_true = True if c is None else (np.asarray(c.v, dtype=bool) & c_known)
        c_false = False if c is None else (~np.asarray(c.v, dtype=bool) & c_known)
        v_known = True if v.unk is None else ~v.unk
        cu = (None, None) if c is None else (c.unk, c.why)
        unk, w = merge(n, cu, (v.unk, v.why))
        if rule.kind == "if":
            vv = np.asarray(v.v, dtype=bool)
            v_false = ~vv & v_known
            v_true = vv & v_known
            st = np.where(c_false | v_false, I8(NOT), np.where(c_true & v_true, I8(APPLIES), I8(UNKNOWN)))
            val = Col("bool", np.True_)
        else:
            st = np.where(c_false, I8(NOT), np.where(c_true & v_known, I8(APPLIES), I8(UNKNOWN)))
            val = v
        st = np.asarray(st, dtype=I8)
        applies = st == APPLIES
        first = np.where(applies, np.int16(i), np.int16(-1))
        wins = np.where(applies, U64(1) << U64(i), U64(0)) if self.track else None
        uw = restrict(st == UNKNOWN, w, n) if w is not None else None
        return RR(st, val, uw, first, wins)

    def index_of(self, rule: Any) -> int:
        """The index of a rule of the forest in `rules`."""
        return self._index[id(rule)]

    def _proto(self) -> Col:
        t = self.info.ty
        return Col(self.kind, np.zeros((), dtype=_ZERO.get(self.kind, object)), members=tuple(t.members),
                   lim=0, q=self.q)

    def _no_wins(self) -> Any:
        return U64(0) if self.track else None

    # ---- a rule and its exceptions
    def decide(self, node: Node, ctx: Ctx) -> RR:
        if not node.children:
            return self.apply(node, ctx)
        n = ctx.n
        ty = self.info.ty
        subs = [self.decide(c, ctx) for c in node.children]
        own = self.apply(node, ctx)
        conflict = [s.st == CONFLICT for s in subs]
        applied = [s.st == APPLIES for s in subs]
        unknown = [s.st == UNKNOWN for s in subs]
        any_conf = _any(conflict)
        any_applied = _any(applied)
        any_unknown = _any(unknown)
        # the first applied sub's value, the winners of all applied subs, whether they disagree
        first_val = subs[-1].val
        for s, a in zip(reversed(subs), reversed(applied)):
            first_val = choose_col(n, a, s.val, first_val, ty, self.why)
        first, wins = self._concat(subs, applied)
        disagree = _any([a & ~np.asarray(equal_values(s.val, first_val), dtype=bool)
                         for s, a in zip(subs, applied)])
        guess_ok = _all_of([~u | (_known(s.val) & np.asarray(equal_values(s.val, first_val), dtype=bool))
                            for s, u in zip(subs, unknown)])
        sub_uw = merge(n, *[(u, s.uw) for s, u in zip(subs, unknown)])
        # the first conflicting sub, as the per-student code returns it
        c_first: PerRow = np.int16(-1)
        c_wins = self._no_wins()
        for s, c in zip(reversed(subs), reversed(conflict)):
            c_first = np.where(c, s.first, c_first)
            if self.track:
                c_wins = np.where(c, s.wins, c_wins)
        # own rule, where no sub applied
        own_applies = own.st == APPLIES
        if node.rule.kind == "delegated":
            un = self.unstated[id(node)]
            o_st: PerRow = I8(UNKNOWN)
            o_uw = _pick(n, any_unknown, sub_uw, (np.True_, un))
            o_first: PerRow = np.int16(-1)
            o_val, o_wins = _unknown_val(own.val), self._no_wins()
        else:
            ok_applies = own_applies & _all_of([~u | (_known(s.val) & np.asarray(equal_values(s.val, own.val),
                                                                                   dtype=bool))
                                                for s, u in zip(subs, unknown)])
            ok_not = (own.st == NOT) & self.boolean & _all_of(
                [~u | (_known(s.val) & ~np.asarray(s.val.v, dtype=bool)) for s, u in zip(subs, unknown)]) \
                if self.boolean else np.False_
            keep_own = ~any_unknown | ok_applies | ok_not
            o_st = np.where(keep_own, own.st, I8(UNKNOWN))
            own_unk = (own.st == UNKNOWN, own.uw)
            mixed = merge(n, sub_uw, own_unk)
            o_uw = _pick(n, keep_own, (own.st == UNKNOWN, own.uw), mixed)
            o_val = own.val if np.all(keep_own) else choose_col(n, keep_own, own.val, _unknown_val(own.val), ty,
                                                                  self.why)
            o_first = np.where(keep_own, own.first, np.int16(-1))
            o_wins = np.where(keep_own, own.wins, U64(0)) if self.track else None
        # choose, row by row, in the order of the per-student code
        a_st = np.where(disagree, I8(CONFLICT), np.where(guess_ok, I8(APPLIES), I8(UNKNOWN)))
        a_uw = _pick(n, guess_ok & ~disagree, (None, None), sub_uw)
        st = np.where(any_conf, I8(CONFLICT), np.where(any_applied, a_st, o_st)).astype(I8)
        val = choose_col(n, any_applied & ~any_conf, first_val, o_val, ty, self.why)
        first_out = np.where(any_conf, c_first, np.where(any_applied, first, o_first))
        wins_out = np.where(any_conf, c_wins, np.where(any_applied, wins, o_wins)) if self.track else None
        unk_rows = st == UNKNOWN
        # a per-row why may be set where its branch was not taken (the own rule of a row where an
        # exception applied is never asked, as in _above): keep each only on its branch's rows
        m_applied = any_applied & ~any_conf & (a_st == UNKNOWN)
        m_own = ~any_applied & ~any_conf & (o_st == UNKNOWN)
        uw = merge(n, (m_applied, restrict(m_applied, a_uw[1], n)), (m_own, restrict(m_own, o_uw[1], n)))[1]
        uw = restrict(unk_rows, uw, n) if uw is not None else None
        # where the result is a conflict or unknown with no guess, the value is no guess
        if node.rule.kind != "delegated":
            no_guess = (any_applied & (a_st == UNKNOWN)) | (~any_applied & ~keep_own) | any_conf
        else:
            no_guess = ~any_applied | any_conf | (a_st == UNKNOWN)
        if np.any(no_guess):
            val = choose_col(n, no_guess, _unknown_val(val), val, ty, self.why)
        first_out = np.where(st == APPLIES, first_out, np.where(st == CONFLICT, first_out, np.int16(-1)))
        return RR(st, val, uw, first_out, wins_out)

    def _concat(self, subs: list[RR], applied: list[Any]) -> tuple[Any, Any]:
        """The first winner and the winners of the applied subs, in their order."""
        first: Any = np.int16(-1)
        for s, a in zip(reversed(subs), reversed(applied)):
            first = np.where(a, s.first, first)
        wins: Any = None
        if self.track:
            wins = U64(0)
            for s, a in zip(subs, applied):
                wins = wins | np.where(a, s.wins, U64(0))
        return first, wins

    # ---- the name
    def evaluate(self, ctx: Ctx, winners: bool = True) -> tuple[Col, Any]:
        """(the name's column, the index of each row's first winning rule; -1 everywhere when
        `winners` is false: the fast path does not track them for a name no outcome shows)."""
        ctx.rules, ctx.winners = {}, winners
        got = decide_known(self, ctx)
        if got is None:
            got = self.general(ctx)
        ctx.rules, ctx.winners = {}, True
        return got

    def general(self, ctx: Ctx) -> tuple[Col, Any]:
        """`evaluate` by the general code: every state of every rule, for every row."""
        n = ctx.n
        ty = self.info.ty
        results = [self.decide(r, ctx) for r in self.roots]
        none = unknown_col(self.kind, self.none_why, self._proto())
        if not results:
            if self.boolean:
                return Col("bool", np.False_), np.int16(-1)
            return none, np.int16(-1)
        if len(results) == 1:
            r = results[0]
            st = r.st
            unk_col = r.val.like(np.asarray(r.val.v), st == UNKNOWN, _uwhy(r.uw))
            if self.boolean:
                if np.all(st != CONFLICT):
                    # APPLIES: its value; UNKNOWN: its why; NOT: false, decided by the rule
                    v = np.where(st == APPLIES, np.asarray(r.val.v, dtype=bool), False)
                    unk = st == UNKNOWN
                    col = Col("bool", v, unk if np.any(unk) else None, _uwhy(r.uw) if np.any(unk) else None)
                    first = np.where(st == NOT, np.int16(self._index[id(self.roots[0].rule)]), r.first)
                    return col, np.where(unk, np.int16(-1), first)
            elif np.all(st != CONFLICT):
                applies = st == APPLIES
                col = choose_col(n, applies, r.val, choose_col(n, st == UNKNOWN, unk_col, none, ty, self.why),
                                 ty, self.why)
                return col, np.where(applies, r.first, np.int16(-1))
        return self._choose(results, none, ctx)

    def _choose(self, results: list[RR], none: Col, ctx: Ctx) -> tuple[Col, Any]:
        n = ctx.n
        ty = self.info.ty
        conflict = [r.st == CONFLICT for r in results]
        applied = [r.st == APPLIES for r in results]
        unknown = [r.st == UNKNOWN for r in results]
        any_conf, any_applied, any_unknown = _any(conflict), _any(applied), _any(unknown)
        unk_all = merge(n, *[(u, r.uw) for r, u in zip(results, unknown)])
        unknown_result = self._proto().like(np.zeros((), dtype=_ZERO.get(self.kind, object)), np.True_,
                                            _uwhy(unk_all[1])) if unk_all[0] is not None else none
        # the first conflict's winners name the rules in the E801 reason
        conf_col = none
        if np.any(any_conf) and self.track:
            c_wins: PerRow = U64(0)
            for r, c in zip(reversed(results), reversed(conflict)):
                c_wins = np.where(c, r.wins, c_wins)
            conf_col = self._conflict_col(np.where(any_conf, c_wins, U64(0)), n)
        if self.boolean:
            trues = [a & np.asarray(r.val.v, dtype=bool) for r, a in zip(results, applied)]
            falses = [a & ~np.asarray(r.val.v, dtype=bool) for r, a in zip(results, applied)]
            any_true = _any(trues)
            t_first, _ = self._concat(results, trues)
            f_first, _ = self._concat(results, falses)
            f_first = np.where(_any(falses), f_first, np.int16(self._index[id(self.roots[0].rule)]))
            value = np.asarray(any_true, dtype=bool)
            col = Col("bool", value)
            unk_mask = ~any_true & any_unknown
            col = choose_col(n, unk_mask, unknown_result, col, ty, self.why)
            col = choose_col(n, any_conf, conf_col, col, ty, self.why)
            first = np.where(any_true, t_first, f_first)
            first = np.where(unk_mask | any_conf, np.int16(-1), first)
            return col, first
        a_first, _ = self._concat(results, applied)
        first_val = results[-1].val
        for r, a in zip(reversed(results), reversed(applied)):
            first_val = choose_col(n, a, r.val, first_val, ty, self.why)
        same = _all_of([~a | np.asarray(equal_values(r.val, first_val), dtype=bool)
                        for r, a in zip(results, applied)])
        guess_ok = _all_of([~u | (_known(r.val) & np.asarray(equal_values(r.val, first_val), dtype=bool))
                            for r, u in zip(results, unknown)])
        decided = any_applied & same & (~any_unknown | guess_ok) & ~any_conf
        col = choose_col(n, any_unknown & ~decided, unknown_result, none, ty, self.why)
        col = choose_col(n, decided, first_val, col, ty, self.why)
        disagree = any_applied & ~same & ~any_unknown & ~any_conf
        if np.any(disagree) and self.track:
            wins: PerRow = U64(0)
            for r, a in zip(results, applied):
                wins = wins | np.where(a, r.wins, U64(0))
            col = choose_col(n, disagree, self._conflict_col(np.where(disagree, wins, U64(0)), n), col, ty,
                             self.why)
        col = choose_col(n, any_conf, conf_col, col, ty, self.why)
        return col, np.where(decided, a_first, np.int16(-1))

    def _conflict_col(self, wins: Any, n: int) -> Col:
        """Unknown where `wins` is set, with the E801 reason naming those rules."""
        wins = np.broadcast_to(np.asarray(wins, dtype=U64), (n,))
        rows = wins != 0
        why = np.zeros((n, self.why.width), dtype=U64)
        for value in np.unique(wins[rows]).tolist():
            winners = [r for i, r in enumerate(self.rules) if value >> i & 1]
            text = conflict_unknown(winners).reasons
            words = self.why.of_unknown(Unknown(reasons=text))
            if words.shape[0] > why.shape[1]:
                why = np.pad(why, [(0, 0), (0, words.shape[0] - why.shape[1])])
            why[wins == value, :words.shape[0]] = words
        return self._proto().like(np.zeros((), dtype=_ZERO.get(self.kind, object)), rows, why)


def _uwhy(uw: Any) -> np.ndarray:
    return uw if uw is not None else np.zeros(1, dtype=U64)


def _unknown_val(proto: Col) -> Col:
    return proto.like(np.asarray(proto.v), np.True_, np.zeros(1, dtype=U64))


def _known(c: Col) -> Any:
    return np.True_ if c.unk is None else ~c.unk


def _pick(n: int, mask: Any, a: tuple, b: tuple) -> tuple:
    from .cols import select

    return select(n, mask, a, b)


def _any(masks: list[Any]) -> Any:
    out: Any = np.False_
    for m in masks:
        out = out | m
    return out


def _all_of(masks: list[Any]) -> Any:
    out: Any = np.True_
    for m in masks:
        out = out & m
    return out


def _all(roots: list[Node]) -> list[Node]:
    out, todo = [], list(roots)
    while todo:
        nd = todo.pop()
        out.append(nd)
        todo.extend(nd.children)
    return out


__all__ = ["NameLogic", "RR", "CFn"]
