"""A national register on Dask: each partition of a dask DataFrame evaluated by the column evaluator.

    import dask.dataframe as dd, regdsl
    from regdsl.dask import evaluate_dataframe

    book = regdsl.load("regulations/university")
    students = dd.read_parquet("register/")            # one row per student
    results = evaluate_dataframe(book, students, as_of="2026-04-01", carry=["id"])
    results.to_parquet("results/")

The book travels to the workers by pickle (its IR only); each worker builds its
own column plans.  Needs the `dask` extra: `pip install 'regdsl[dask]'`.
"""

from __future__ import annotations

from typing import Any, Iterable


def _partition(frame: Any, book: Any, as_of: Any, outcomes: tuple[str, ...] | None, carry: tuple[str, ...]) -> Any:
    """One partition (a pandas DataFrame) in, its outcomes (a pandas DataFrame) out."""
    import pyarrow as pa

    from .eval.columns.batch import plain_lists

    import pandas as pd

    table = pa.Table.from_pandas(frame, preserve_index=False)
    # one thread a partition: Dask runs partitions at once already
    result = plain_lists(book.evaluate_table(table, as_of, outcomes, carry=carry, workers=1))
    # Lists and decimals stay in Arrow memory (pandas' ArrowDtype): a partition goes back to the
    # scheduler as buffers, where an object column pickles a Python object per cell (a NumPy array
    # per list: longer than evaluating the partition).
    out = result.to_pandas(types_mapper=lambda t: pd.ArrowDtype(t) if pa.types.is_list(t)
                           or pa.types.is_decimal(t) else None)
    out.index = frame.index
    return out


def evaluate_dataframe(book: Any, ddf: Any, as_of: Any = None, outcomes: Iterable[str] | None = None,
                       carry: Iterable[str] = ()) -> Any:
    """The outcomes of every student of a dask DataFrame, as a dask DataFrame (same partitions)."""
    import pandas as pd

    from .api import _as_date

    day = _as_date(as_of)
    names = tuple(outcomes) if outcomes is not None else None
    keep = tuple(carry)
    meta = _partition(pd.DataFrame({c: pd.Series([], dtype=t) for c, t in ddf.dtypes.items()}), book, day,
                      names, keep)
    return ddf.map_partitions(_partition, book, day, names, keep, meta=meta)
