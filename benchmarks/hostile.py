"""Time to check books built to be large (measured, never asserted in tests).

    python benchmarks/hostile.py [--repeat N] [--json]

Each case is one generated book that checks clean; the figure is the time to
parse, resolve and check it (`regdsl.api.read_book`, no parse cache), the best
of N runs.  Before issue 11 the checker did quadratic work on these (the whole
file split again for every rule, every item numbered against all the items
before it, every exception matched against every rule of its name);
docs/reliability.md keeps the figures before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HEAD = 'book b "B"\narticle 1 "A"\n  | The text.\n'


def definitions(n: int) -> str:
    """`n` definitions, each with its rule."""
    return HEAD + "".join(f"  define d{i} : number\n  d{i} = {i}\n" for i in range(n))


def items(n: int) -> str:
    """An article with `n` items, each with a condition, and `any of the items`."""
    body = "".join(f"  item {i}\n    | Item {i}.\n    x > {i}\n" for i in range(1, n + 1))
    return HEAD + "  fact x : number\n  outcome y : boolean\n  y if any of the items\n" + body


def exception_chain(n: int) -> str:
    """`n` paragraphs, each an exception to the one before."""
    body = "".join(f"  paragraph {i}\n    | P{i}.\n    y = {i} notwithstanding the preceding paragraph\n"
                   for i in range(2, n + 1))
    return HEAD + "  outcome y : number\n  y = 1\n" + body


def long_sum(n: int) -> str:
    """One rule summing `n` quantities."""
    return HEAD + "  outcome y : yen\n  y = " + " + ".join(["1 yen"] * n) + "\n"


CASES = {
    "7,000 definitions": lambda: definitions(7000),
    "10,000 items": lambda: items(10_000),
    "5,000-paragraph exception chain": lambda: exception_chain(5000),
    "a sum of 20,000 terms": lambda: long_sum(20_000),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    os.environ["REGDSL_NO_CACHE"] = "1"
    from regdsl.api import read_book

    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in CASES.items():
            path = Path(tmp) / "book.reg"
            path.write_text(make(), "utf-8")
            best = float("inf")
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                try:
                    book = read_book(path)
                    status = f"{len(book.errors)} finding(s)"
                except Exception as e:  # an old version may crash on these
                    status = f"{type(e).__name__}"
                best = min(best, time.perf_counter() - t0)
            figures[name] = {"seconds": round(best, 2), "result": status}
    if args.json:
        json.dump(figures, sys.stdout, indent=2)
        print()
        return
    for name, f in figures.items():
        print(f"{name:34} {f['seconds']:7.2f} s  ({f['result']})")


if __name__ == "__main__":
    main()
