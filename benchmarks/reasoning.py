"""The cost of reasoning over unknowns (`reason=True`), next to plain evaluation, per student.

Two sets of students of the University Regulations, all outcomes:

1. the sample students of `examples/university/` (as of their `.as_of` date, or 2026-04-01);
2. `--students N` generated partial students: each fact of the book taken from one
   of the samples that gives it, or left out, with probability `--known` of being given
   (seeded, so that every run sees the same students).

For each set: CPU milliseconds per student without and with reasoning (medians of
`--repeat` runs after one warm-up run), how many answers were open without
reasoning, and how many reasoning decided.

    .venv/bin/python benchmarks/reasoning.py [--students 300] [--known 0.7] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import regdsl  # noqa: E402


def samples() -> list[tuple[dict, str]]:
    out = []
    for path in sorted((ROOT / "examples" / "university").glob("*.json")):
        as_of = path.with_suffix(".as_of")
        out.append((json.loads(path.read_text("utf-8")), as_of.read_text().strip() if as_of.exists() else "2026-04-01"))
    return out


def generated(n: int, known: float, seed: int = 7) -> list[tuple[dict, str]]:
    rng = random.Random(seed)
    pool: dict[str, list] = {}
    for facts, _ in samples():
        for k, v in facts.items():
            pool.setdefault(k, []).append(v)
    names = sorted(pool)
    return [({k: rng.choice(pool[k]) for k in names if rng.random() < known}, "2026-04-01") for _ in range(n)]


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=300)
    ap.add_argument("--known", type=float, default=0.7)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    book = regdsl.load(ROOT / "regulations" / "university")
    figures = {"samples": measure(book, samples(), args.repeat),
               "generated": measure(book, generated(args.students, args.known), args.repeat)}
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for name, f in figures.items():
        print(f"{name}: {f['students']} students, plain {f['plain_ms']} ms/student, with reasoning "
              f"{f['reason_ms']} ms/student ({f['ratio']}x); {f['open_plain']} answers open without "
              f"reasoning, {f['decided_by_reasoning']} of them decided by it")


if __name__ == "__main__":
    main()
