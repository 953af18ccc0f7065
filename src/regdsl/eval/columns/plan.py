"""Version keys for a table, and the plan of each key: the names in dependency order.

The rules in force are those of the per-student evaluator: `Evaluator.forest`
for the version key of each row, so amendments and their sparing conditions
decide the same way.  The sparing conditions are evaluated as columns; the
rows are grouped by key (the date, the amendments they are spared, those for
which that is unknown and why) and each group is evaluated with its plan.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from ... import ir
from ...core.values import Unknown
from ..compile import Compiled
from .cols import U64, Col, Why, full, widen
from .exprs import ColumnCompiler, Ctx
from .logic import NameLogic


class ColumnPlan:
    """The deciders of every name for one version key, in the book's dependency order."""

    def __init__(self, cev: "ColumnEvaluator", key: tuple):
        self.key = key
        self.logic = _Logic(cev, key)
        self.cev = cev

    def run(self, ctx: Ctx, needed: list[str], keep: Any = None) -> dict[str, tuple[Col, Any]]:
        """Every needed name and item, computed in order: {name: (column, first winner)} for the
        names in `keep` (every name when None).  A column is let go after the last name that
        reads it, so a million rows hold only the columns still to be read."""
        out: dict[str, tuple[Col, Any]] = {}
        book = self.cev.ir
        last = {d: i for i, k in enumerate(needed) for d in book.deps.get(k, ())}
        for i, k in enumerate(needed):
            if k in book.items:
                ctx.values[k] = self.cev.item_fn(k)(ctx)
            else:
                col, first = self.logic[k].evaluate(ctx, keep is None or k in keep)
                ctx.values[k] = col
                if keep is None or k in keep:
                    out[k] = (col, first)
            for d in book.deps.get(k, ()):
                if last.get(d) == i:
                    ctx.values.pop(d, None)
        return out


class _Logic(dict):
    """The NameLogic of each name, built when first asked for (a plan reads only the names its
    outcomes need)."""

    def __init__(self, cev: "ColumnEvaluator", key: tuple):
        super().__init__()
        self.cev, self.key = cev, key

    def __missing__(self, name: str) -> NameLogic:
        cev = self.cev
        info = cev.ir.names[name]
        roots = cev.ev.forest(info, self.key)
        got = self[name] = NameLogic(info, roots, cev.rule_fns, cev.why, _may_conflict(roots))
        return got


def _may_conflict(roots: list[Any]) -> bool:
    if len(roots) > 1:
        return True
    todo = list(roots)
    while todo:
        node = todo.pop()
        if len(node.children) > 1:
            return True
        todo.extend(node.children)
    return False


class ColumnEvaluator:
    """Evaluates tables of students against one book (built per call; nothing is kept)."""

    def __init__(self, book: Any):
        self.book = book
        self.ir: ir.IRBook = book.ir
        self.ev = book.evaluator
        self.why = Why(self.ir)
        self.compiler = ColumnCompiler(self.ir, self.why)
        self._compiled = Compiled(self.compiler, self.ir.items)
        self._plans: dict[tuple, ColumnPlan] = {}
        self._sparing = [[(self.compiler.compile(cond), prov) for cond, prov in t.sparing]
                         for t in self.ir.transitions]

    def rule_fns(self, rule: ir.Rule) -> tuple[Any, Any]:
        return self._compiled.rule_fns(rule)

    def item_fn(self, key: str) -> Any:
        return self._compiled.item_fn(key)

    def needed(self, outcomes: tuple[str, ...]) -> list[str]:
        """The names and items the outcomes read, in dependency order."""
        book = self.ir
        seen: set[str] = set()
        todo = list(outcomes)
        while todo:
            k = todo.pop()
            if k not in seen:
                seen.add(k)
                todo.extend(book.deps.get(k, ()))
        return [k for k in book.order if k in seen]

    def plan(self, key: tuple) -> ColumnPlan:
        ck = (key[1], tuple((t, p, u.missing, u.bodies, u.reasons) for t, p, u in key[2]))
        found = self._plans.get(ck)
        if found is None:
            found = self._plans[ck] = ColumnPlan(self, key)
        return found

    def groups(self, facts: dict[str, Col], n: int, as_of: dt.date) -> list[tuple[tuple, np.ndarray | None]]:
        """(version key, the rows that have it) for each key met; None: every row."""
        book = self.ir
        conds = []
        ctx = Ctx(n, facts, as_of, self.why, book)
        for t, sparing in zip(book.transitions, self._sparing):
            if as_of < t.date:
                continue
            for fn, prov in sparing:
                conds.append((t, prov, fn(ctx)))
        if not conds:
            return [((as_of, (), ()), None)]
        width = self.why.width
        parts = []
        for _, _, c in conds:
            state = np.broadcast_to(np.where(np.asarray(c.v, dtype=bool), 1, 0).astype(U64), (n,)).copy()
            if c.unk is not None:
                assert c.why is not None, "a column with unknown rows has their why"
                state[np.broadcast_to(c.unk, (n,))] = 2
                w = widen(full(c.unk, c.why, n), width)
            else:
                w = np.zeros((n, width), dtype=U64)
            parts.append(state[:, None])
            parts.append(w)
        keys = np.concatenate(parts, axis=1)
        uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        out = []
        for gi, row in enumerate(uniq):
            spared, pending = [], []
            pos = 0
            for t, prov, _ in conds:
                code = int(row[pos])
                words = row[pos + 1:pos + 1 + width]
                pos += 1 + width
                if code == 1:
                    spared.append((t, prov))
                elif code == 2:
                    missing, bodies, reasons = self._unknown_of(words)
                    pending.append((t, prov, Unknown(missing, bodies, reasons | {
                        f"whether {prov.cite} keeps the text before the amendment of "
                        f"{t.date.isoformat()} for this student"})))
            rows = None if len(uniq) == 1 else np.flatnonzero(inverse == gi)
            out.append(((as_of, tuple(spared), tuple(pending)), rows))
        return out

    def _unknown_of(self, words: np.ndarray) -> tuple[frozenset, frozenset, frozenset]:
        """The parts of a per-student Unknown from a why-bitset."""
        missing, bodies, reasons = self.why.parts(words)
        return frozenset(missing), frozenset(bodies), frozenset(reasons)
