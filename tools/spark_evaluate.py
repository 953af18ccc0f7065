"""Evaluate generated students with Spark's mapInArrow in local mode and check the single-process run.

Not part of the test suite: it needs a Java runtime and `pip install pyspark`.

    .venv/bin/python tools/spark_evaluate.py [--rows 100000] [--book regulations/university]
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def students(n: int):
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(1)
    return pa.table({
        "id": pa.array([f"s{i}" for i in range(n)]),
        "entry": rng.choice(np.array(["first_year", "second_year", "third_year"]), size=n),
        "years_enrolled": rng.integers(0, 49, size=n) / 4,
        "total_leave": rng.integers(0, 40, size=n),
        "credits_earned": rng.integers(0, 181, size=n),
        "media_credits": rng.integers(0, 91, size=n),
        "took_prescribed_courses": rng.random(n) < 0.7,
    })


def for_spark(table):
    """Lists as plain lists and dictionary columns (status, provision) decoded to strings:
    Spark's Arrow reader takes neither list views nor dictionaries."""
    import pyarrow as pa

    from regdsl.eval.columns.batch import plain_lists

    table = plain_lists(table)
    cols = [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table.columns]
    return pa.Table.from_arrays(cols, names=table.column_names)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--book", default=str(ROOT / "regulations" / "university"))
    p.add_argument("--as-of", default="2026-04-01")
    args = p.parse_args()
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        print("pyspark is not installed: pip install pyspark (and a Java runtime)", file=sys.stderr)
        return 2
    import pyarrow as pa

    import regdsl
    book = regdsl.load(args.book)
    outcomes = ["must_be_expelled", "max_years_enrolled", "meets_graduation_requirements"]
    table = students(args.rows)
    schema = for_spark(book.evaluate_table(table.slice(0, 0), args.as_of, outcomes, carry=["id"])).schema
    book_bytes = pickle.dumps(book)
    as_of = args.as_of

    def evaluate(batches):
        import pickle as pk

        b = pk.loads(book_bytes)
        for batch in batches:
            out = for_spark(b.evaluate_table(pa.Table.from_batches([batch]), as_of, outcomes, carry=["id"]))
            yield from out.cast(schema).to_batches()

    # Spark starts its Python workers with `python3` from PATH unless told: use this interpreter,
    # which has regdsl and pyarrow.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = SparkSession.builder.master("local[2]").appName("regdsl").getOrCreate()
    from pyspark.sql.pandas.types import from_arrow_schema

    frame = spark.createDataFrame(table.to_pandas())
    t0 = time.perf_counter()
    got = frame.mapInArrow(evaluate, from_arrow_schema(schema)).toArrow()
    took = time.perf_counter() - t0
    want = for_spark(book.evaluate_table(table, as_of, outcomes, carry=["id"]))
    got = got.sort_by("id")
    want = want.sort_by("id")
    same = all(got.column(o).to_pylist() == want.column(o).to_pylist() for o in outcomes)
    print(f"{args.rows:,} students on Spark local[2] in {took:.2f} s; equal to the single-process run: {same}")
    spark.stop()
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
