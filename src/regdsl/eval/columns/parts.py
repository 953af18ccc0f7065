"""A large table evaluated in parts of consecutive rows, one thread each, and put back together.

Rows are independent, so a table of n rows is the same table however it is
cut: each part is converted and evaluated exactly as a table of its own
(`table.evaluate_rows`), and the parts' answers are joined in row order.
NumPy and Arrow release the GIL in their loops over a column, which is
where the time goes, so on a machine of c cores c parts run at once.  Each
part has a `ColumnEvaluator` of its own: one evaluator is built for one
table, and one shared by two tables answered the second wrongly (a fact
absent from the first stayed unknown in the second; tests/test_parts.py).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pyarrow as pa

from .inputs import _Mixed, as_table, is_frame
from .plan import ColumnEvaluator

# Below this many rows a part costs more in Python than its loops save: smaller tables are one part.
MIN_PART_ROWS = 50_000


def cpus() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def part_count(data: Any, workers: int | None) -> int:
    """How many parts to evaluate `data` in: one per worker (default: per core), at least
    MIN_PART_ROWS rows each."""
    w = cpus() if workers is None else workers
    if w <= 1:
        return 1
    n = _length(data)
    return max(1, min(w, n // MIN_PART_ROWS)) if n is not None else 1


def _length(data: Any) -> int | None:
    """The rows of a table, a RecordBatch, a DataFrame or a mapping of columns of one length (None
    when that cannot be told cheaply: `as_table` then sees the table whole, and says what is wrong)."""
    if isinstance(data, (pa.Table, pa.RecordBatch)):
        return data.num_rows
    if is_frame(data):
        return len(data)
    if hasattr(data, "items"):
        try:
            lengths = {len(c) for c in data.values()}
        except TypeError:
            return None
        return lengths.pop() if len(lengths) == 1 else None
    return None


def _sliceable(data: Any) -> bool:
    """A mapping of 1-D NumPy arrays whose Arrow type follows from their dtype alone: each part
    can be made an Arrow table by itself, and the parts' schemas agree."""
    return isinstance(data, Mapping) and all(
        isinstance(c, np.ndarray) and c.ndim == 1 and c.dtype.kind in "biufUSM" for c in data.values())


def evaluate_parts(book: Any, data: Any, as_of: dt.date, names: tuple[str, ...],
                   k: int) -> tuple[pa.Table, dict, pa.Table | None]:
    """(the whole input table, its columns of mixed values, the outcome columns) of `data`
    evaluated in `k` parts at once: the outcome columns have a chunk per part, each made by its
    part's thread.  None for the outcome
    columns where the parts' columns came out of different types (`_joined`): the table is then
    evaluated whole."""
    from .table import _assemble, _errors, evaluate_rows

    if _sliceable(data):  # NumPy columns become Arrow in the parts too
        n = len(next(iter(data.values())))
        pieces: list[tuple[Any, dict]] = [({name: c[a:b] for name, c in data.items()}, {})
                                          for a, b in _bounds(n, k)]
    else:
        whole, given_mixed = as_table(data)
        pieces = [(whole.slice(a, b - a), {name: _Mixed(v[a:b]) for name, v in given_mixed.items()})
                  for a, b in _bounds(whole.num_rows, k)]

    def run(piece: tuple[Any, dict]) -> tuple[pa.Table, dict, pa.Table]:
        part, part_mixed = piece
        table, got_mixed = (part, part_mixed) if isinstance(part, pa.Table) else as_table(part)
        outs, errors = evaluate_rows(ColumnEvaluator(book), table, got_mixed, as_of, names)
        return table, got_mixed, _assemble(table, outs, _errors(errors, table.num_rows), (), table.num_rows)

    with ThreadPoolExecutor(max_workers=k, thread_name_prefix="regdsl-part") as pool:
        done = list(pool.map(run, pieces))
    mixed: dict[str, list] = {}
    for d in done:
        for name, v in d[1].items():
            mixed.setdefault(name, _Mixed()).extend(v)
    return pa.concat_tables([d[0] for d in done]), mixed, _joined([d[2] for d in done])


def _joined(tables: list[pa.Table]) -> pa.Table | None:
    """The parts' outcome columns as one table; None where their schemas differ (a column's type
    can follow from its values: one null in every row of a part is of type null, or of the type
    its rows are held in, as the whole table's would be; only evaluating it whole tells)."""
    schema = tables[0].schema
    if any(t.schema != schema or t.schema.metadata != schema.metadata for t in tables):
        return None
    return pa.concat_tables(tables)


def _bounds(n: int, k: int) -> list[tuple[int, int]]:
    """k runs of consecutive rows, their lengths differing by at most one."""
    return [(i * n // k, (i + 1) * n // k) for i in range(k)]
