"""The cost of reasoning over unknowns (`reason=True`), next to plain evaluation, per student and per column.

Students of the University Regulations, all outcomes:

1. the sample students of `examples/university/` (as of their `.as_of` date, or 2026-04-01);
2. generated partial students: each fact of the book taken from one of the samples that
   gives it, or left out, with probability `--known` of being given (seeded, so that every
   run sees the same students; the first `--students` of them are the first of `--rows`).

Measures, medians of `--repeat` runs after one warm-up run:

a. per student alone: CPU milliseconds per student of `Book.evaluate` without and with
   reasoning, for the samples and the first `--students` generated students, with how many
   answers were open without reasoning and how many reasoning decided;
b. per column: `Book.evaluate_table` on `--rows` generated students (a pyarrow Table with one
   typed column per fact, nulls for the facts not given, as columns.py builds its students),
   plain and with `reason=True`: wall seconds and microseconds per student, the answers left
   open by the columns and how many reasoning decided;
c. per student in one batch: `Book.evaluate_many` on the first `--batch` of those students
   (default: all `--rows`), plain and with `reason=True` (a batch shares a memo of refinements,
   as a table does): wall seconds and microseconds per student.

    .venv/bin/python benchmarks/reasoning.py [--students 300] [--rows 100000] [--batch N] [--known 0.7]
                                             [--repeat 3] [--skip a,b,c] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import regdsl  # noqa: E402

AS_OF = "2026-04-01"


def samples() -> list[tuple[dict, str]]:
    out = []
    for path in sorted((ROOT / "examples" / "university").glob("*.json")):
        as_of = path.with_suffix(".as_of")
        out.append((json.loads(path.read_text("utf-8")), as_of.read_text().strip() if as_of.exists() else AS_OF))
    return out


def generated(n: int, known: float, seed: int = 7) -> list[tuple[dict, str]]:
    rng = random.Random(seed)
    pool: dict[str, list] = {}
    for facts, _ in samples():
        for k, v in facts.items():
            pool.setdefault(k, []).append(v)
    names = sorted(pool)
    return [({k: rng.choice(pool[k]) for k in names if rng.random() < known}, AS_OF) for _ in range(n)]


def measure(book: regdsl.Book, students: list[tuple[dict, str]], repeat: int) -> dict:
    counts = {"open_plain": 0, "decided_by_reasoning": 0}
    for facts, day in students:  # the warm-up run, which also counts
        plain = book.evaluate(facts, day)
        reasoned = book.evaluate(facts, day, reason=True)
        for o in plain:
            if o.status != "determined":
                counts["open_plain"] += 1
                counts["decided_by_reasoning"] += reasoned[o.name].status == "determined"
    out: dict = {"students": len(students), **counts}
    for label, reason in (("plain_ms", False), ("reason_ms", True)):
        runs = []
        for _ in range(repeat):
            t = time.process_time()
            for facts, day in students:
                book.evaluate(facts, day, reason=reason)
            runs.append((time.process_time() - t) / len(students) * 1000)
        out[label] = round(statistics.median(runs), 2)
    out["ratio"] = round(out["reason_ms"] / out["plain_ms"], 1) if out["plain_ms"] else None
    return out


def table_of(book: regdsl.Book, students: list[tuple[dict, str]]):
    """The students as a pyarrow Table of the book's facts: one typed column for each fact some
    student gives (booleans, strings for choices, numbers in the fact's declared unit, dates),
    null where a student does not give it.  Each value is the one `Book.evaluate` reads from
    the facts file: checked by the book's own validation, once for each distinct value."""
    import pyarrow as pa

    from regdsl.core.units import Q
    from regdsl.eval.abstract import quantity_template
    from regdsl.facts import validate

    names = sorted({k for facts, _ in students for k in facts})
    seen: dict[tuple[str, str], object] = {}

    def cell(name: str, raw: object) -> object:
        key = (name, json.dumps(raw))
        if key not in seen:
            v = validate(book._facts, {name: raw})[name]
            if isinstance(v, Q):  # in the unit the fact is declared in, as a column gives it
                factor = quantity_template(book.ir.inputs[name].ty, book.ir.units)[2]
                x = Fraction(v.value) / Fraction(factor)
                v = int(x) if x.denominator == 1 else float(x)
            seen[key] = v
        return seen[key]

    return pa.table({name: pa.array([None if name not in facts else cell(name, facts[name])
                                     for facts, _ in students]) for name in names})


def open_answers(table, names: list[str]) -> tuple[int, int]:
    """How many (student, outcome) answers of an outcome table are not determined, and how many
    students have one."""
    import pyarrow.compute as pc

    answers, rows = 0, None
    for n in names:
        left = pc.not_equal(table.column(f"{n}.status"), "determined")
        answers += pc.sum(left).as_py() or 0
        rows = left if rows is None else pc.or_(rows, left)
    return answers, (pc.sum(rows).as_py() or 0) if rows is not None else 0


def wall(fn, repeat: int) -> tuple[float, object]:
    """The median wall seconds of `repeat` runs of `fn` (after none: each run starts cold), and its
    last result."""
    runs, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs), out


def per_column(book: regdsl.Book, students: list[tuple[dict, str]], repeat: int) -> dict:
    table = table_of(book, students)
    names = list(book.outcome_names)
    n = table.num_rows
    book.evaluate_table(table.slice(0, 200), AS_OF, reason=True)  # warm up (imports, plans)
    plain_s, plain = wall(lambda: book.evaluate_table(table, AS_OF), repeat)
    reason_s, reasoned = wall(lambda: book.evaluate_table(table, AS_OF, reason=True), repeat)
    open_plain, rows_open = open_answers(plain, names)
    return {"students": n, "facts": table.num_columns, "open_plain": open_plain, "rows_left_open": rows_open,
            "decided_by_reasoning": open_plain - open_answers(reasoned, names)[0],
            "plain_s": round(plain_s, 2), "plain_us": round(plain_s / n * 1e6, 1),
            "reason_s": round(reason_s, 2), "reason_us": round(reason_s / n * 1e6, 1),
            "ratio": round(reason_s / plain_s, 1)}


def per_student_batch(book: regdsl.Book, students: list[tuple[dict, str]], repeat: int) -> dict:
    rows = [facts for facts, _ in students]
    n = len(rows)
    plain_s, _ = wall(lambda: sum(1 for _ in book.evaluate_many(rows, AS_OF)), repeat)
    reason_s, _ = wall(lambda: sum(1 for _ in book.evaluate_many(rows, AS_OF, reason=True)), repeat)
    return {"students": n, "plain_s": round(plain_s, 2), "plain_us": round(plain_s / n * 1e6, 1),
            "reason_s": round(reason_s, 2), "reason_us": round(reason_s / n * 1e6, 1),
            "ratio": round(reason_s / plain_s, 1)}


def note(figures: dict) -> None:
    """The figures so far, on stderr (a long run can be read before it ends)."""
    print(json.dumps(figures), file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=300)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=None, help="students of (c) (default: --rows)")
    ap.add_argument("--known", type=float, default=0.7)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip", default="", help="comma-separated parts to skip (a,b,c)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    skip = set(args.skip.split(","))
    book = regdsl.load(ROOT / "regulations" / "university")
    many = generated(max(args.rows, args.students, args.batch or 0), args.known)
    figures: dict = {}
    if "a" not in skip:
        figures["samples"] = measure(book, samples(), args.repeat)
        figures["generated"] = measure(book, many[:args.students], args.repeat)
        note(figures)
    if "b" not in skip:
        figures["columns"] = per_column(book, many[:args.rows], args.repeat)
        note(figures)
    if "c" not in skip:
        figures["batch"] = per_student_batch(book, many[:args.batch or args.rows], args.repeat)
        note(figures)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for name in ("samples", "generated"):
        if name in figures:
            f = figures[name]
            print(f"{name}: {f['students']} students one by one, plain {f['plain_ms']} ms/student, with "
                  f"reasoning {f['reason_ms']} ms/student ({f['ratio']}x); {f['open_plain']} answers open "
                  f"without reasoning, {f['decided_by_reasoning']} of them decided by it")
    if "columns" in figures:
        f = figures["columns"]
        print(f"columns: {f['students']} students in one table, plain {f['plain_s']} s ({f['plain_us']} us/student), "
              f"with reasoning {f['reason_s']} s ({f['reason_us']} us/student, {f['ratio']}x); "
              f"{f['open_plain']} answers open without reasoning (in {f['rows_left_open']} rows), "
              f"{f['decided_by_reasoning']} decided by it")
    if "batch" in figures:
        f = figures["batch"]
        print(f"batch: {f['students']} students by evaluate_many, plain {f['plain_s']} s ({f['plain_us']} us/student), "
              f"with reasoning {f['reason_s']} s ({f['reason_us']} us/student, {f['ratio']}x)")


if __name__ == "__main__":
    main()
