"""`evaluate_table`: a table of students in, a table of outcomes out (see output.py for the columns)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import UsageError, did_you_mean
from .cols import Col
from .exprs import Ctx, take
from .inputs import Errors, as_table, convert_table, facts_of_row
from .output import Answers, lists, statuses, values
from .plan import ColumnEvaluator

Refine = Callable[[Any, dict, dt.date, tuple], dict]


def keep(book: Any, facts: dict, as_of: dt.date, outcome_names: tuple) -> dict:
    """The default refinement: every answer of the vectorised pass stands."""
    return {}


class _Outcome:
    """One outcome's pieces while a table is assembled."""

    __slots__ = ("name", "ty", "arrays", "idx", "first", "answers", "eids", "eid_code")

    def __init__(self, name: str, ty: Any):
        self.name, self.ty = name, ty
        self.arrays: list[pa.Array] = []
        self.idx: list[np.ndarray] = []
        # per group, (each row's first winning rule: an index, -1 for none, one shared where it
        # is a 0-d value; the code of each index's eId, -1 last): gathered once, by `provisions`
        self.first: list[tuple[Any, np.ndarray]] = []
        self.answers = Answers()
        self.eids: list[str] = []
        self.eid_code: dict[str, int] = {}

    def eid(self, e: str) -> int:
        found = self.eid_code.get(e)
        if found is None:
            found = self.eid_code[e] = len(self.eids)
            self.eids.append(e)
        return found


def evaluate_table(book: Any, data: Any, as_of: dt.date, names: tuple[str, ...],
                   refine: Refine | None = None, carry: Iterable[str] = (), workers: int | None = None) -> pa.Table:
    """Evaluate every row of `data` (see Book.evaluate_table); a large table in `workers` parts of
    consecutive rows at once (parts.py), each evaluated as a table of its own."""
    from .parts import evaluate_parts, part_count

    refining = refine is not None and refine is not keep
    k = 1 if refining else part_count(data, workers)  # a refinement reasons row by row, in Python
    if k > 1:
        table, mixed, result = evaluate_parts(book, data, as_of, names, k)
        if result is not None:
            for i, c in enumerate(carry):
                arr = _carried(table, c)
                result = result.add_column(i, pa.field(c, arr.type), arr)
            return result
    else:
        table, mixed = as_table(data)
    n = table.num_rows
    outs, errors = evaluate_rows(ColumnEvaluator(book), table, mixed, as_of, names)
    if refining:
        assert refine is not None
        _refine(book, table, mixed, as_of, outs, refine)
    return _assemble(table, outs, _errors(errors, n), carry, n)


def evaluate_rows(cev: ColumnEvaluator, table: pa.Table, mixed: dict, as_of: dt.date,
                  names: tuple[str, ...]) -> tuple[dict[str, "_Outcome"], Errors]:
    """The outcomes of every row of one table, each combined in row order with its input-error
    rows marked, and the input errors of each row."""
    n = table.num_rows
    conv = convert_table(cev.ir, cev.why, table, mixed)
    errors = conv.errors
    needed = cev.needed(names)
    outs = {name: _Outcome(name, cev.ir.names[name].ty) for name in names}
    groups = cev.groups(conv.cols, n, as_of)
    order: list[np.ndarray] = []
    for key, rows in groups:
        plan = cev.plan(key)
        facts = conv.cols if rows is None else {k: take(c, rows, len(rows)) if _rowwise(c) else c
                                                for k, c in conv.cols.items()}
        m = n if rows is None else len(rows)
        ctx = Ctx(m, facts, as_of, cev.why, cev.ir)
        results = plan.run(ctx, needed, outs)
        if rows is None or rows is groups[-1][1]:  # the facts are read by no later group: let them go
            conv.cols, ctx.facts, facts = {}, {}, {}
        for name in outs:
            col, first = results.pop(name)  # let each column go once it is in Arrow
            ctx.values.pop(name, None)
            o = outs[name]
            o.arrays.append(values(col, o.ty, m))
            o.idx.append(o.answers.rows(col, m, cev.why))
            rules = plan.logic[name].rules
            codes = [o.eid(r.provision.eid) for r in rules] + [-1]  # a rule's index to its eId's code
            o.first.append((first, np.array(codes, dtype=np.int32)))
        del ctx, results
        if rows is not None:
            order.append(rows)
    perm = None if len(groups) == 1 else np.argsort(np.concatenate(order), kind="stable")
    error_rows = np.array(sorted(errors), dtype=np.int64)
    for o in outs.values():
        _combine(o, perm, error_rows)
    return outs, errors


def _rowwise(c: Col) -> bool:
    return np.ndim(c.v) > 0 or (c.unk is not None and np.ndim(c.unk) > 0)


def _errors(errors: Errors, n: int) -> pa.Array:
    """The `.error` column (shared by every outcome): each row's input errors, joined."""
    if not errors:
        return pa.nulls(n, pa.string())
    texts: list[str | None] = [None] * n
    for r in sorted(errors):
        texts[r] = "; ".join(f"{code}: {msg}" for code, msg, _ in errors[r])
    return pa.array(texts, pa.string())


def _combine(o: _Outcome, perm: np.ndarray | None, error_rows: np.ndarray) -> None:
    """The pieces of every group in row order, with the rows that had input errors marked."""
    arrays = o.arrays
    if len({a.type for a in arrays}) > 1:
        arrays = _same_type(arrays)
    value = arrays[0] if len(arrays) == 1 else pa.concat_arrays(arrays)
    idx = o.idx[0] if len(o.idx) == 1 else np.concatenate(o.idx)
    if len(o.first) == 1 and perm is None and not len(error_rows):
        o.arrays, o.idx = [value], [idx]
        return
    n = len(value)
    first = np.concatenate([codes(f, lut, len(i)) for (f, lut), i in zip(o.first, o.idx)])
    if perm is not None:
        value = value.take(pa.array(perm))
        idx, first = idx[perm], first[perm]
    if len(error_rows):
        err = o.answers.add(("error", (), (), ()))
        idx = idx.copy()
        idx[error_rows] = err
        first[error_rows] = -1
        mask = np.zeros(n, dtype=bool)
        mask[error_rows] = True
        value = pc.if_else(pa.array(mask), pa.nulls(n, value.type), value)
    o.arrays, o.idx, o.first = [value], [idx], [(first, _identity(o))]


def codes(first: Any, lut: np.ndarray, n: int) -> np.ndarray:
    """The eId code of each row's first winning rule (-1 for none), a fresh int32 array."""
    return lut[np.broadcast_to(np.asarray(first, dtype=np.intp), (n,))]


def _identity(o: _Outcome) -> np.ndarray:
    """The lut of a `first` that holds eId codes already."""
    return np.array(list(range(len(o.eids))) + [-1], dtype=np.int32)


def _same_type(arrays: list[pa.Array]) -> list[pa.Array]:
    real = [a.type for a in arrays if not pa.types.is_null(a.type)]
    if len(set(real)) <= 1:
        return [pa.nulls(len(a), real[0]) if pa.types.is_null(a.type) else a for a in arrays]
    arrays = [pa.nulls(len(a), real[0]) if pa.types.is_null(a.type) else a for a in arrays]
    types = [a.type for a in arrays]
    if all(pa.types.is_decimal(t) or pa.types.is_integer(t) for t in types):
        scale = max((t.scale for t in types if pa.types.is_decimal(t)), default=0)
        return [a.cast(pa.decimal128(38, scale)) for a in arrays]
    if all(pa.types.is_dictionary(t) for t in types):
        return [a.dictionary_decode() for a in arrays]
    return [pa.array([None if x is None else str(x) for x in a.to_pylist()], pa.string()) for a in arrays]


def _refine(book: Any, table: pa.Table, mixed: dict, as_of: dt.date, outs: dict[str, _Outcome],
            refine: Refine) -> None:
    """Ask `refine` about the rows where some outcome is undetermined (or has another status in
    `refine.statuses`, if it says); its answers replace ours."""
    statuses = getattr(refine, "statuses", ("undetermined",))
    per_row: dict[int, list[str]] = {}
    for name, o in outs.items():
        und = np.array([c[0] in statuses for c in o.answers.combos], dtype=bool)
        for r in np.flatnonzero(und[o.idx[0]]).tolist():
            per_row.setdefault(r, []).append(name)
    patches: dict[str, dict[int, Any]] = {}
    for r in sorted(per_row):
        answers = refine(book, facts_of_row(table, book.ir, r, mixed), as_of, tuple(per_row[r])) or {}
        for name, answer in answers.items():
            if name in outs and name in per_row[r]:
                patches.setdefault(name, {})[r] = answer
    for name, rows in patches.items():
        o = outs[name]
        vals = o.arrays[0].to_pylist()
        idx, first = o.idx[0].copy(), codes(*o.first[0], len(o.idx[0]))
        for r, a in rows.items():
            vals[r] = a.value
            idx[r] = o.answers.add((a.status, tuple(a.missing), tuple(a.decided_by), tuple(a.reasons)))
            cites = getattr(a, "citations", ()) if a.status == "determined" else ()
            first[r] = o.eid(cites[0].eid) if cites else -1
        try:
            o.arrays[0] = pa.array(vals, type=o.arrays[0].type)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            o.arrays[0] = pa.array(vals)
        o.idx[0], o.first[0] = idx, (first, _identity(o))


def _carried(table: pa.Table, name: str) -> Any:
    """The input column `name`, copied to the result."""
    if name not in table.column_names:
        raise UsageError(f"carry: the students have no column `{name}`", code="E701", argument="carry",
                         hint=did_you_mean(name, table.column_names))
    return table.column(name)


def _assemble(table: pa.Table, outs: dict[str, _Outcome], error_col: pa.Array, carry: Iterable[str],
              n: int) -> pa.Table:
    from .output import provisions

    cols: list[pa.Array] = []
    fields: list[pa.Field] = []
    for c in carry:
        arr = _carried(table, c)
        cols.append(arr)
        fields.append(pa.field(c, arr.type))
    cache: dict = {}
    for name, o in outs.items():
        value, idx, (first, lut) = o.arrays[0], o.idx[0], o.first[0]
        meta = {"unit": o.ty.unit} if o.ty.kind == "quantity" and o.ty.unit else None
        part = [(name, value, meta), (f"{name}.status", statuses(o.answers, idx, cache), None),
                (f"{name}.missing", lists(o.answers, idx, 1, cache), None),
                (f"{name}.decided_by", lists(o.answers, idx, 2, cache), None),
                (f"{name}.reasons", lists(o.answers, idx, 3, cache), None),
                (f"{name}.provision", provisions(first, lut, o.eids, n), None),
                (f"{name}.error", error_col, None)]
        for fname, arr, md in part:
            cols.append(arr)
            fields.append(pa.field(fname, arr.type, metadata=md))
    return pa.Table.from_arrays(cols, schema=pa.schema(fields))
