"""The long fuzzing run: mutated books and facts for a budget of minutes or cases.

    python -m tools.fuzz [--minutes 20] [--cases N] [--seed 1] [--out fuzz-findings]
                         [--books-only | --files-only] [--time-bound 5] [--json]

Every case checks the invariants of tests/fuzzing.py.  The run prints the counts of each
outcome, and for each new kind of failure (its signature: outcome, stage, and for a crash
the innermost frame in regdsl) minimises the case and saves it to the output folder as
`<signature>.reg` with a `.txt` saying what broke, the seeds to replay it, and the traceback.
A case is replayed exactly from `--seed` and its number: `--replay N`.
Exit code: 0 when no invariant broke, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

import fuzzing  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.fuzz", description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=None, help="stop after this long (default 20)")
    ap.add_argument("--cases", type=int, default=None, help="stop after this many cases")
    ap.add_argument("--seed", type=int, default=1, help="seed of the whole run (default 1)")
    ap.add_argument("--out", default="fuzz-findings", help="folder for minimised reproducers")
    ap.add_argument("--time-bound", type=float, default=fuzzing.TIME_BOUND,
                    help=f"seconds a case may take per {fuzzing.TIME_PER:,} characters of its file")
    ap.add_argument("--replay", type=int, default=None, metavar="N", help="run only case number N of --seed")
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--books-only", action="store_true", help="mutate files inside whole books only")
    group.add_argument("--files-only", action="store_true", help="mutate single files only")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = ap.parse_args(argv)
    minutes = args.minutes if args.minutes is not None or args.cases is not None else 20.0
    corpus = fuzzing.seeds(single_files=not args.books_only, books=not args.files_only)
    ws = fuzzing.Workspace()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the workspace is removed
    out = Path(args.out)
    counts: Counter = Counter()
    found: dict[tuple, dict] = {}
    slowest: list[tuple[float, str]] = []
    start = time.monotonic()
    run = Random(args.seed)
    number = 0
    try:
        ws.warm()
        start = time.monotonic()
        while True:
            if args.cases is not None and number >= args.cases:
                break
            if minutes is not None and time.monotonic() - start > minutes * 60:
                break
            case_seed = run.getrandbits(64)
            number += 1
            if args.replay is not None and number != args.replay:
                continue
            rnd = Random(case_seed)
            books = [s for s in corpus if not s.book.startswith("single/")] or corpus
            singles = [s for s in corpus if s.book.startswith("single/")] or corpus
            # half the cases in whole books, where more mutants check clean and are evaluated
            case = fuzzing.make_case(rnd.choice(books if rnd.randrange(2) else singles), rnd, ws)
            outcome = fuzzing.run_case(ws, case, args.time_bound)
            counts[outcome.kind] += 1
            slowest = sorted(slowest + [(outcome.seconds, case.describe())], reverse=True)[:5]
            if outcome.kind not in fuzzing.GOOD and outcome.signature not in found:
                small = fuzzing.minimise(ws, case, outcome)
                path = fuzzing.save(out, small, outcome, seed=case_seed)
                found[outcome.signature] = {"case": number, "kind": outcome.kind, "stage": outcome.stage,
                                            "where": outcome.where, "reproducer": str(path),
                                            "detail": outcome.detail.splitlines()[0] if outcome.detail else ""}
                print(f"[{number}] {outcome.kind} in {outcome.stage}: {found[outcome.signature]['detail']}"
                      f" -> {path}", file=sys.stderr, flush=True)
            if number % 250 == 0:
                print(f"{number} cases, {(time.monotonic() - start) / 60:.1f} min: "
                      + ", ".join(f"{k} {v}" for k, v in counts.most_common()), file=sys.stderr, flush=True)
            if args.replay is not None:
                print(outcome.report())
                break
    finally:
        ws.close()
    summary = {"seed": args.seed, "cases": number, "minutes": round((time.monotonic() - start) / 60, 1),
               "outcomes": dict(counts.most_common()), "failures": list(found.values()),
               "slowest": [{"seconds": round(s, 2), "case": c} for s, c in slowest]}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{summary['cases']} cases in {summary['minutes']} minutes (seed {args.seed})")
        for kind, count in counts.most_common():
            print(f"  {kind:14} {count}")
        for f in found.values():
            print(f"  FAILED: {f['kind']} in {f['stage']} ({f['where']}): {f['detail']} -> {f['reproducer']}")
        print("  slowest: " + "; ".join(f"{s:.2f} s {c}" for s, c in slowest))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
