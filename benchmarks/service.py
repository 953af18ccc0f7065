"""A bounded load test of `regdsl serve` on the loopback interface (never part of the test suite).

    python benchmarks/service.py [--runs N] [--requests N] [--clients N] [--batch N] [--json]

Starts `regdsl serve regulations/university` on a free port of 127.0.0.1,
then measures, for each of N runs:
  1. latency of one student (every outcome, no explanation): p50 and p99 over
     --requests sequential requests on one kept-alive connection;
  2. the same with `explain=true`;
  3. requests per second with --clients concurrent clients (threads, each
     with its own connection) sending --requests requests in all;
  4. students per second for one batch of --batch students, through
     `POST /evaluate` (a JSON list) and `POST /evaluate-table` (JSON Lines).
Every loop is bounded by its count and by a time limit, and the server is
stopped at the end.  Only 127.0.0.1 is ever sent to.
"""

from __future__ import annotations

import argparse
import json
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "regulations" / "university"
STUDENT = json.loads((ROOT / "examples" / "university" / "over-years-limit.json").read_text())
EVALUATE = "/books/university_regulations/evaluate"
AS_OF = {"as_of": "2026-04-01"}
TIME_LIMIT = 120.0  # seconds any one measurement may take


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "regdsl", "serve", str(BOOK), "--port", str(port),
                             "--max-batch", "100000", "--max-body", str(256 * 1024 * 1024)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).raise_for_status()
            return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def latency(base: str, requests: int, explain: bool) -> dict:
    params = {**AS_OF, "explain": "true"} if explain else AS_OF
    times: list[float] = []
    with httpx.Client(base_url=base, timeout=60) as c:
        c.post(EVALUATE, params=params, json=STUDENT).raise_for_status()  # warm the connection
        stop = time.monotonic() + TIME_LIMIT
        for _ in range(requests):
            t0 = time.perf_counter()
            c.post(EVALUATE, params=params, json=STUDENT).raise_for_status()
            times.append(time.perf_counter() - t0)
            if time.monotonic() > stop:
                break
    return {"p50_ms": 1000 * percentile(times, 50), "p99_ms": 1000 * percentile(times, 99), "n": len(times)}


def throughput(base: str, requests: int, clients: int) -> dict:
    per_client = max(1, requests // clients)
    done = [0] * clients
    stop = time.monotonic() + TIME_LIMIT

    def work(i: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as c:
            for _ in range(per_client):
                c.post(EVALUATE, params=AS_OF, json=STUDENT).raise_for_status()
                done[i] += 1
                if time.monotonic() > stop:
                    return

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    return {"requests_per_s": sum(done) / elapsed, "n": sum(done), "clients": clients}


def batch(base: str, size: int) -> dict:
    students = [dict(STUDENT, years_enrolled=i % 12, credits_earned=100 + i % 40) for i in range(size)]
    lines = "".join(json.dumps(s) + "\n" for s in students)
    with httpx.Client(base_url=base, timeout=TIME_LIMIT) as c:
        t0 = time.perf_counter()
        r = c.post(EVALUATE, params=AS_OF, json=students)
        r.raise_for_status()
        as_list = time.perf_counter() - t0
        assert len(r.json()) == size
        t0 = time.perf_counter()
        r = c.post("/books/university_regulations/evaluate-table", params=AS_OF, content=lines,
                   headers={"content-type": "application/jsonl"})
        r.raise_for_status()
        as_table = time.perf_counter() - t0
        assert r.text.count("\n") == size
    return {"evaluate_students_per_s": size / as_list, "table_students_per_s": size / as_table, "n": size}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(port)
    runs = []
    try:
        for _ in range(args.runs):
            runs.append({"one_student": latency(base, args.requests, False),
                         "one_student_explained": latency(base, max(1, args.requests // 5), True),
                         "concurrent": throughput(base, args.requests, args.clients),
                         "batch": batch(base, args.batch)})
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    def med(*path: str) -> float:
        values = []
        for r in runs:
            v = r
            for p in path:
                v = v[p]
            values.append(v)
        return statistics.median(values)

    summary = {
        "machine": f"{platform.processor() or platform.machine()}, Python {platform.python_version()}",
        "runs": runs,
        "median": {"p50_ms": med("one_student", "p50_ms"), "p99_ms": med("one_student", "p99_ms"),
                   "explained_p50_ms": med("one_student_explained", "p50_ms"),
                   "explained_p99_ms": med("one_student_explained", "p99_ms"),
                   "requests_per_s": med("concurrent", "requests_per_s"),
                   "evaluate_students_per_s": med("batch", "evaluate_students_per_s"),
                   "table_students_per_s": med("batch", "table_students_per_s")},
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    m = summary["median"]
    print(f"regdsl serve regulations/university on 127.0.0.1, median of {args.runs} runs ({summary['machine']})")
    print(f"  one student, every outcome:        p50 {m['p50_ms']:.1f} ms, p99 {m['p99_ms']:.1f} ms")
    print(f"  ... with explanations:             p50 {m['explained_p50_ms']:.1f} ms, "
          f"p99 {m['explained_p99_ms']:.1f} ms")
    print(f"  {args.clients} concurrent clients:             {m['requests_per_s']:.0f} requests/s")
    print(f"  a batch of {args.batch} (POST /evaluate):    {m['evaluate_students_per_s']:.0f} students/s")
    print(f"  a batch of {args.batch} (evaluate-table):    {m['table_students_per_s']:.0f} students/s")


if __name__ == "__main__":
    main()
