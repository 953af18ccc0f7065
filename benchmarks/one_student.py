"""The speed of one student on the whole University Regulations, against another commit.

Issue 12 item 8 asks for the rate of evaluating one student on the University
book (every outcome's value and status; and the same with every citation and
version read) as a multiple of the rate before the redesign, measured in the
same run.  This script measures this checkout and, with `--baseline DIR`, a
checkout of another commit (`git worktree add --detach DIR COMMIT`), each in its
own process, interleaved `--repeat` times, and reports medians and ratios.
The same is measured on the sample students of `examples/university/`
evaluated in turn (each as of its `.as_of` date): they give 14 to 30 facts of
the book's 125, where `student.json` gives 14, and the evaluator takes a name
none of whose facts a student gives from the evaluation of a student who gives
nothing (engine.py), so the samples are the fairer population.

Each checkout evaluates its own `regulations/university` with
`benchmarks/student.json`; where a book renamed a fact the student gives
(`leave_extensions`, a count, became `leave_extension_period`, a period, when
issue 11 fixed Article 38(2)), the fact is given under the name that book
declares, with the same meaning (no extension).

    .venv/bin/python benchmarks/one_student.py --baseline /work/baseline [--repeat 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEASURES = ("values", "citations", "sample_values", "sample_citations")
STUDENT = ROOT / "benchmarks" / "student.json"

# Run in a child whose sys.path starts with the checkout's src/; the rates are bench.py's
# (calls per second of CPU time, the best batch of a quarter second), imported from here.
CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1] + "/src")
import regdsl
sys.path.insert(0, sys.argv[4])
from bench import _rate as rate  # this checkout's method for every checkout measured
book = regdsl.load(sys.argv[1] + "/regulations/university")
facts = json.loads(sys.argv[2])
from pathlib import Path
declared = "".join(p.read_text("utf-8") for p in Path(sys.argv[1], "regulations", "university").glob("*.reg"))
if "leave_extensions" in facts and "fact leave_extensions" not in declared:
    facts.pop("leave_extensions")
    facts["leave_extension_period"] = "0 months"

def values():
    return [(o.value, o.status) for o in book.evaluate(facts, "2026-04-01")]

def citations():
    return [(o.value, o.status, o.citations, o.versions) for o in book.evaluate(facts, "2026-04-01")]

samples = []
for path in sorted(Path(sys.argv[1], "examples", "university").glob("*.json")):
    day = path.with_suffix(".as_of")
    samples.append((json.loads(path.read_text("utf-8")), day.read_text().strip() if day.exists() else "2026-04-01"))

def sample_values():
    return [[(o.value, o.status) for o in book.evaluate(f, d)] for f, d in samples]

def sample_citations():
    return [[(o.value, o.status, o.citations, o.versions) for o in book.evaluate(f, d)] for f, d in samples]

seconds = float(sys.argv[3])
print(json.dumps({"outcomes": len(values()), "values": rate(values, seconds), "citations": rate(citations, seconds),
                  "samples": len(samples), "sample_values": rate(sample_values, seconds) * len(samples),
                  "sample_citations": rate(sample_citations, seconds) * len(samples),
                  "regdsl": regdsl.__file__}))
"""


def measure(checkout: Path, seconds: float) -> dict:
    """One child process's rates for the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")}
    out = subprocess.run([sys.executable, "-c", CHILD, str(checkout), STUDENT.read_text(), str(seconds),
                          str(ROOT / "benchmarks")],
                         capture_output=True, text=True, env=env, cwd=str(checkout), check=True)
    found = json.loads(out.stdout)
    if not found["regdsl"].startswith(str(checkout)):
        raise SystemExit(f"{checkout}: imported regdsl from {found['regdsl']}")
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline", type=Path, help="a checkout of the commit to compare with")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=2.0, help="CPU seconds per measure and process")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    checkouts = {"this": ROOT}
    if args.baseline:
        checkouts["baseline"] = args.baseline.resolve()
    runs: dict[str, list[dict]] = {k: [] for k in checkouts}
    for _ in range(args.repeat):
        for name, path in checkouts.items():
            runs[name].append(measure(path, args.seconds))
    result: dict = {}
    for name, found in runs.items():
        result[name] = {"outcomes": found[0]["outcomes"], "samples": found[0]["samples"],
                        "runs": [{k: r[k] for k in MEASURES} for r in found]}
        for k in MEASURES:
            result[name][f"{k}_per_second"] = statistics.median(r[k] for r in found)
    if args.baseline:
        for what in MEASURES:
            result[f"{what}_ratio"] = (result["this"][f"{what}_per_second"]
                                       / result["baseline"][f"{what}_per_second"])
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    for name in checkouts:
        r = result[name]
        print(f"{name}: {r['outcomes']} outcomes; benchmarks/student.json {r['values_per_second']:.0f} "
              f"students/s (values), {r['citations_per_second']:.0f}/s (every citation and version read); "
              f"the {r['samples']} sample students in turn {r['sample_values_per_second']:.0f}/s and "
              f"{r['sample_citations_per_second']:.0f}/s; medians of {args.repeat}")
    if args.baseline:
        print(f"ratio: values {result['values_ratio']:.2f}x, citations {result['citations_ratio']:.2f}x "
              f"(target >= 4x each); sample students: values {result['sample_values_ratio']:.2f}x, "
              f"citations {result['sample_citations_ratio']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
