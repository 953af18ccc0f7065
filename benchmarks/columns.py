"""Speed of the column evaluator beside OpenFisca and hand-written NumPy, in one run (never in tests).

    PEERS_VENV/bin/python benchmarks/columns.py --peers ../shared/peers [--rows 1000000] [--repeat 5]

Run it with a Python that has regdsl[batch,dask] and the peers' packages (openfisca-core)
installed: a throwaway venv outside the repository (benchmarks/README.md). The peers' students
(seeded, every fact present) are mapped onto the University book's facts; facts the peers do not
model get neutral values (no credits, no months, false); decisions are given as not taken.
Measures, medians of --repeat runs:
  a. the 8 peer outcomes: regdsl evaluate_table given the columns of the facts those outcomes
     read (as OpenFisca is given its 9 inputs), OpenFisca (build + set inputs + calculate),
     hand-written NumPy;
  b. every outcome of the University book, given a column for every fact and decision;
  c. peak memory of (b), in a fresh process (and its peak before evaluating: the input columns);
  d. `regdsl eval --students` on a 100,000-row CSV, end to end;
  e. regdsl.dask on the students as a Parquet dataset of 8 partitions, 2 worker processes,
     the 8 peer outcomes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-04-01"
PEER_OUTCOMES = ["program_length", "max_years_enrolled", "years_counted_toward_limit", "years_limit_exceeded",
                 "leave_period_exceeded", "must_be_expelled", "credits_counted_for_graduation",
                 "meets_graduation_requirements"]


def peer_columns(n: int, seed: int = 0) -> dict:
    """The peers' bench.py students (same generator, same seed)."""
    rng = np.random.default_rng(seed)
    years_on_books = rng.integers(0, 49, size=n) / 4
    leave = np.where(rng.random(n) < 0.3, rng.integers(1, 19, size=n) / 4, 0.0)
    credits = rng.integers(0, 181, size=n)
    return {
        "entry_type": rng.choice(np.array(["regular", "second_year", "third_year"]), size=n, p=[0.8, 0.1, 0.1]),
        "nondegree_years_counted": rng.choice(np.array([0, 1, 2]), size=n, p=[0.9, 0.05, 0.05]),
        "years_on_books": years_on_books,
        "leave_years_total": np.minimum(leave, years_on_books),
        "tuition_unpaid_after_demand": rng.random(n) < 0.02,
        "admission_fee_default": rng.random(n) < 0.01,
        "prescribed_courses_taken": rng.random(n) < 0.7,
        "credits_earned": credits,
        "media_credits": np.minimum(rng.integers(0, 91, size=n), credits),
    }


def book_columns(book, peer: dict) -> dict:
    """The peers' students as the University book's facts, neutral values for the rest."""
    n = len(peer["entry_type"])
    entry = np.where(peer["entry_type"] == "regular", "first_year", peer["entry_type"])
    cols = {"entry": entry, "non_degree_period_counted": peer["nondegree_years_counted"],
            "years_enrolled": peer["years_on_books"], "total_leave": peer["leave_years_total"] * 12,
            "tuition_unpaid_after_demand": peer["tuition_unpaid_after_demand"],
            "admission_fee_denied_unpaid": peer["admission_fee_default"],
            "took_prescribed_courses": peer["prescribed_courses_taken"],
            "credits_earned": peer["credits_earned"], "media_credits": peer["media_credits"]}
    zero, false = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    for name, inp in book.ir.inputs.items():
        if name in cols:
            continue
        k = inp.ty.kind
        if k == "boolean":
            cols[name] = false
        elif k == "quantity" or k == "number":
            cols[name] = zero
        elif k == "enum":
            cols[name] = np.full(n, inp.ty.members[0])
        elif k == "date":
            cols[name] = np.full(n, np.datetime64("2022-04-01", "D"))
    return cols


def read_by(book, outcomes: list[str]) -> set[str]:
    """The facts and decisions the outcomes read (on any branch), as `Book.evaluate_table` needs
    them: the columns a system that asks for these outcomes would send."""
    from regdsl.ir.expr import reads

    ir, seen, todo = book.ir, set(), list(outcomes)
    while todo:
        k = todo.pop()
        if k not in seen:
            seen.add(k)
            todo.extend(ir.deps.get(k, ()))
    facts = {f for k in seen for f in ir.facts_read.get(k, ())}
    for t in ir.transitions:  # the conditions that spare a student an amendment
        for cond, _ in t.sparing:
            facts |= reads(cond)[0]
    return facts


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peak_rss() -> float:
    """This process's peak resident memory in MiB: VmHWM on Linux (ru_maxrss there also counts
    the parent's memory before exec, when the parent was larger), else ru_maxrss."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_memory(rows: int) -> tuple[float, float]:
    """(peak RSS in MiB of a fresh process evaluating every outcome for `rows` students, and its
    peak before the evaluation: the interpreter, regdsl, NumPy, pyarrow and the input columns)."""
    code = ("import sys; sys.path.insert(0, %r); import columns, regdsl, pyarrow; "
            "peak = columns.peak_rss; "
            "b = regdsl.load(%r); c = columns.book_columns(b, columns.peer_columns(%d)); "
            "before = peak(); t = b.evaluate_table(c, %r); "
            "print(peak(), before)") % (
        str(Path(__file__).parent), str(ROOT / "regulations" / "university"), rows, AS_OF)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    peak, before = out.stdout.strip().splitlines()[-1].split()
    return float(peak), float(before)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--peers", default=str(ROOT.parent / "shared" / "peers"))
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--skip", default="", help="comma-separated parts to skip (a,b,c,d,e)")
    args = p.parse_args()
    skip = set(args.skip.split(","))
    import regdsl

    book = regdsl.load(ROOT / "regulations" / "university")
    peer = peer_columns(args.rows)
    cols = book_columns(book, peer)
    figures: dict = {"rows": args.rows, "repeat": args.repeat}
    book.evaluate_table({k: v[:1000] for k, v in cols.items()}, AS_OF, PEER_OUTCOMES)  # warm up
    figures["facts_all"] = len(cols)
    if "a" not in skip:
        used = read_by(book, PEER_OUTCOMES)
        cols8 = {k: v for k, v in cols.items() if k in used}
        figures["facts_8"] = len(cols8)
        figures["regdsl_8_s"] = median_time(lambda: book.evaluate_table(cols8, AS_OF, PEER_OUTCOMES), args.repeat)
        sys.path.insert(0, args.peers)
        try:
            from handwritten import evaluate_columns

            figures["numpy_8_s"] = median_time(lambda: evaluate_columns(peer), args.repeat)
            import openfisca_tufs
            from bench import run_openfisca

            tbs = openfisca_tufs.CountryTaxBenefitSystem()
            figures["openfisca_8_s"] = median_time(lambda: run_openfisca(tbs, peer, "year:2024-04"), args.repeat)
        except ImportError as e:
            figures["peers"] = f"not measured: {e}"
    note(figures)
    if "b" not in skip:
        figures["regdsl_all_s"] = median_time(lambda: book.evaluate_table(cols, AS_OF), max(1, args.repeat // 2))
        figures["outcomes"] = len(book.outcome_names)
    note(figures)
    if "c" not in skip:
        figures["peak_mib_all"], figures["peak_mib_before_evaluating"] = peak_memory(args.rows)
    note(figures)
    if "d" not in skip:
        import pyarrow as pa
        import pyarrow.csv as pcsv

        with tempfile.TemporaryDirectory() as d:
            small = {k: v[:100_000] for k, v in cols.items()}
            small["id"] = np.arange(100_000)
            pcsv.write_csv(pa.table(small), f"{d}/s.csv")
            regdsl_bin = str(Path(sys.executable).parent / "regdsl")
            run = lambda: subprocess.run([regdsl_bin, "eval", str(ROOT / "regulations" / "university"),  # noqa
                                          "--students", f"{d}/s.csv", "--as-of", AS_OF, "-o", f"{d}/r.parquet"],
                                         check=False, capture_output=True)
            figures["cli_100k_csv_s"] = median_time(run, max(1, args.repeat // 2))
    note(figures)
    if "e" not in skip:
        import dask
        import dask.dataframe as dd
        import pandas as pd

        from regdsl.dask import evaluate_dataframe

        import pyarrow as pa
        import pyarrow.parquet as pq

        with tempfile.TemporaryDirectory() as d:  # a register on disk, in 8 partitions
            table = pa.table(cols)
            step = -(-args.rows // 8)
            for i in range(8):
                pq.write_table(table.slice(i * step, step), f"{d}/part-{i}.parquet")
            del table
            ddf = dd.read_parquet(d)
            with dask.config.set(scheduler="processes", num_workers=2):
                figures["dask_8_s"] = median_time(
                    lambda: evaluate_dataframe(book, ddf, AS_OF, PEER_OUTCOMES).compute(), max(1, args.repeat // 2))
    print(json.dumps(figures, indent=2))
    return 0


def note(figures: dict) -> None:
    """The figures so far, on stderr (a long run can be read before it ends)."""
    print(json.dumps(figures), file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
