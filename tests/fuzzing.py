"""Fuzzing regdsl: mutate real books and facts, and check what must hold for any input.

The seeds are the bundled books in regulations/ and the test books in tests/ (whole books,
and every .reg file on its own).  A case is one seed file after a few random mutations
(lines dropped, moved or repeated, words and characters changed, expressions nested, runs
and numbers blown up, dates pushed to the ends of the calendar), checked, formatted and, when
it checks clean, evaluated for a few generated students.  What must hold, whatever the input:

- nothing raises but regdsl's own errors (RegdslError), in any stage;
- every finding has a position inside its file (a line of the file, a column of the line);
- `fmt` formats whatever parses, keeps the syntax tree (so every word of the text) and every
  comment, and formatting its output changes nothing;
- a formatted book gives the same answers (the same JSON) as the book as written;
- no case takes longer than a time bound (measured here; reported, never asserted in tests).

Used by tests/test_fuzz.py (a few hundred cases in the normal suite) and by
`python -m tools.fuzz` (a long run that counts outcomes and saves minimised reproducers).
The mutations and students are in tests/fuzz_mutations.py, drawn from a `random.Random`:
hypothesis passes its own (so it can shrink a failing case), the long run a seeded one (so
a case can be replayed from its seed).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

import attrs

from regdsl.api import Book
from regdsl.read import read as read_book  # model, IR and every finding
from regdsl.errors import RegdslError, split_lines
from regdsl.authoring.fmt import format_module
from regdsl.syntax.parser import parse_cached
from regdsl.authoring.render import render
from regdsl.results.report import result_text, to_json

from fuzz_mutations import mutate, students

ROOT = Path(__file__).resolve().parents[1]
BOOKS = ["regulations/university", "regulations/graduate", "regulations/organization",
         "tests/books/mini", "tests/books/render", "tests/books/broken"]
# Seconds a case may take, all its stages together, for each 50,000 characters of the mutated
# file (5 s at the least): parsing is linear, so only work that grows faster than the file
# (a quadratic, a blow-up) goes past it.
TIME_BOUND = 5.0
TIME_PER = 50_000
HANG = 120.0  # seconds after which a case is stopped and counted as a hang

# Outcomes that keep every invariant; anything else is a finding of the fuzzer.
GOOD = ("clean", "findings", "syntax")
BAD = ("crash", "hang", "unpositioned", "fmt-refused", "fmt-lost", "fmt-unstable", "fmt-answers")


# ---------------------------------------------------------------------- the corpus


@dataclass(frozen=True)
class Seed:
    """A book to mutate: its path in the workspace (a directory or one file) and its files."""

    book: str  # relative to the workspace root
    files: tuple[str, ...]  # the .reg files a case may mutate, relative to the root


def seeds(single_files: bool = True, books: bool = True) -> list[Seed]:
    """Whole books (one file of which is mutated) and every .reg file as a book of its own."""
    out = []
    if books:
        for b in BOOKS:
            files = tuple(sorted(str(p.relative_to(ROOT)) for p in (ROOT / b).glob("*.reg")))
            out.append(Seed(b, files))
    if single_files:
        for p in sorted((ROOT / "regulations").rglob("*.reg")) + sorted((ROOT / "tests").rglob("*.reg")):
            rel = str(p.relative_to(ROOT))
            out.append(Seed("single/" + rel.replace("/", "__"), (rel,)))
    return out


class Workspace:
    """A private copy of regulations/ and tests/ where cases are written, and a parse cache of
    its own that holds the unmutated files only (each case's parsed mutants are removed after
    it, so they neither fill the disk nor push the unmutated files out of the cache)."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="regdsl-fuzz-"))
        for top in ("regulations", "tests"):
            shutil.copytree(ROOT / top, self.root / top,
                            ignore=shutil.ignore_patterns("__pycache__", "*.py", "golden"))
        (self.root / "single").mkdir()
        self.cache = self.root / ".cache"
        self._user_cache = os.environ.get("REGDSL_CACHE_DIR")
        os.environ["REGDSL_CACHE_DIR"] = str(self.cache)
        self._kept: set[Path] | None = None  # the cache entries of the unmutated files, once warm

    def warm(self) -> None:
        """Read every whole book once, so that the parse cache holds its files: a case then
        parses only the file it mutated, and its time is the time of that case."""
        for seed in seeds(single_files=False):
            read_book(self.root / seed.book)
        self._kept = set((self.cache / "ast").glob("*.pickle"))

    def forget_mutants(self) -> None:
        """Remove from the parse cache what the last case added (once the cache is warm)."""
        if self._kept is None:
            return
        for entry in (self.cache / "ast").glob("*.pickle"):
            if entry not in self._kept:
                entry.unlink(missing_ok=True)

    def original(self, rel: str) -> str:
        return (ROOT / rel).read_text("utf-8")

    def place(self, seed: Seed, rel: str, text: str) -> tuple[Path, Path]:
        """Write `text` as file `rel` of `seed`; (the book's path, the file's path)."""
        if seed.book.startswith("single/"):
            path = self.root / seed.book
            path.write_text(text, "utf-8", newline="")
            return path, path
        path = self.root / rel
        path.write_text(text, "utf-8", newline="")
        return self.root / seed.book, path

    def restore(self, seed: Seed, rel: str) -> None:
        if not seed.book.startswith("single/"):
            (self.root / rel).write_text(self.original(rel), "utf-8", newline="")

    def close(self) -> None:
        if self._user_cache is None:
            os.environ.pop("REGDSL_CACHE_DIR", None)
        else:
            os.environ["REGDSL_CACHE_DIR"] = self._user_cache
        shutil.rmtree(self.root, ignore_errors=True)


# ---------------------------------------------------------------------- one case


@dataclass
class Case:
    """One mutated file of one seed, with the students and date to evaluate it for."""

    seed: Seed
    file: str
    text: str
    students: int = 3
    facts_seed: int = 0
    as_of: str = "2026-04-01"

    def describe(self) -> str:
        return f"{self.file} of {self.seed.book}"


@dataclass
class Outcome:
    """What a case came to: a kind (GOOD or BAD), the stage, a detail and the time taken."""

    kind: str
    stage: str = ""
    detail: str = ""
    seconds: float = 0.0
    where: str = ""  # for a crash: the innermost frame in regdsl
    counts: dict = field(default_factory=dict)

    @property
    def signature(self) -> tuple[str, str, str]:
        """Cases with one signature are one finding (minimising keeps it)."""
        first = self.detail.split(":")[0] if self.kind == "crash" else ""
        return (self.kind, self.stage, self.where or first)

    def report(self) -> str:
        return f"{self.kind} in {self.stage} ({self.seconds:.2f} s): {self.detail}"


def make_case(seed: Seed, rnd: Random, ws: Workspace) -> Case:
    """A case: one file of `seed` mutated, with another seed file as a donor of lines."""
    rel = rnd.choice(seed.files)
    text = ws.original(rel)
    donor_rel = rnd.choice(seeds(books=False)).files[0]
    donor = ws.original(donor_rel) if rnd.randrange(3) == 0 else ""
    as_of = rnd.choice(["2026-04-01", "2026-04-01", "0001-01-01", "9999-12-31", "2000-04-01"])
    return Case(seed, rel, mutate(text, rnd, donor), facts_seed=rnd.randrange(2 ** 32), as_of=as_of)


class _Hang(BaseException):
    """Raised in a case that runs past HANG seconds."""


def _stop(signum, frame):
    raise _Hang()


def run_case(ws: Workspace, case: Case, time_bound: float = TIME_BOUND) -> Outcome:
    """Run every stage on a case and say which invariant, if any, it breaks."""
    start = time.perf_counter()
    timer = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if timer:
        previous = signal.signal(signal.SIGALRM, _stop)
        signal.setitimer(signal.ITIMER_REAL, HANG)
    try:
        outcome = _run(ws, case)
    except _Hang:
        outcome = Outcome("hang", "", f"stopped after {HANG:.0f} s")
    finally:
        if timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        ws.restore(case.seed, case.file)
        ws.forget_mutants()
    outcome.seconds = time.perf_counter() - start
    if outcome.kind in GOOD and outcome.seconds > time_bound * max(1.0, len(case.text) / TIME_PER):
        outcome = Outcome("slow", outcome.stage, f"{outcome.seconds:.1f} s ({outcome.kind})", outcome.seconds)
    return outcome


def _crash(stage: str, exc: BaseException) -> Outcome:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/regdsl/" in f.filename]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].name}" if frames else ""
    if isinstance(exc, RecursionError):  # where the stack runs out moves as the case shrinks
        where = "RecursionError"
    detail = f"{type(exc).__name__}: {str(exc)[:300]}\n" + "".join(traceback.format_exception(exc)[-12:])
    return Outcome("crash", stage, detail, where=where)


def _run(ws: Workspace, case: Case) -> Outcome:
    book_path, file_path = ws.place(case.seed, case.file, case.text)
    try:
        tree = parse_cached(case.text, str(file_path))  # read_book then finds it in the cache
    except RegdslError:
        tree = None
    except Exception as e:  # noqa: BLE001 - the fuzzer reports what it catches
        return _crash("parse", e)
    try:
        model = read_book(book_path)
    except RegdslError:
        return Outcome("syntax", "check")
    except Exception as e:  # noqa: BLE001
        return _crash("check", e)
    bad = _unpositioned(model)
    if bad:
        return Outcome("unpositioned", "check", bad)
    formatted = None
    if tree is not None:
        formatted, broken = _check_fmt(case.text, str(file_path), tree)
        if broken is not None:
            return broken
    if model.errors:
        return Outcome("syntax" if tree is None else "findings", "check")
    answers = _answers(model, case)
    if isinstance(answers, Outcome):
        return answers
    if formatted is not None and formatted != case.text:
        ws.place(case.seed, case.file, formatted)
        try:
            again = read_book(book_path)
        except Exception as e:  # noqa: BLE001
            return _crash("check of the formatted book", e)
        if again.errors:
            return Outcome("fmt-answers", "check of the formatted book", again.errors[0].render(again.sources))
        other = _answers(again, case, render_too=False)
        if isinstance(other, Outcome):
            return other
        if other != answers:
            return Outcome("fmt-answers", "eval of the formatted book", _first_difference(answers, other))
    return Outcome("clean", "eval")


def _unpositioned(model) -> str:
    """The first finding without a position inside its file, described; '' if none."""
    for e in model.errors:
        s = e.span
        if s is None:
            return f"no position: {e.code}: {e.message}"
        if s.file not in model.sources:
            return f"position in a file the book did not read: {s}: {e.code}: {e.message}"
        lines = split_lines(model.sources[s.file])
        if not (1 <= s.line <= max(1, len(lines))):
            return f"line {s.line} of a file of {len(lines)} lines: {e.code}: {e.message}"
        width = len(lines[s.line - 1]) if lines else 0
        if not (1 <= s.column <= width + 1):
            return f"column {s.column} of a line of {width} characters: {s}: {e.code}: {e.message}"
    return ""


def _check_fmt(text: str, name: str, tree) -> tuple[str | None, Outcome | None]:
    try:
        formatted = format_module(tree, text)
    except RegdslError as e:
        return None, Outcome("fmt-refused", "fmt", e.render({name: text}))
    except Exception as e:  # noqa: BLE001
        return None, _crash("fmt", e)
    try:
        again = parse_cached(formatted, name)
        twice = format_module(again, formatted)
    except RegdslError as e:
        return None, Outcome("fmt-lost", "fmt", "the formatted text does not parse: " + e.render({name: formatted}))
    except Exception as e:  # noqa: BLE001
        return None, _crash("fmt of the formatted text", e)
    if not same_tree(tree, again):
        return None, Outcome("fmt-lost", "fmt", "the formatted text parses to a different tree")
    if sorted(c.text.rstrip() for c in tree.comments) != sorted(c.text.rstrip() for c in again.comments):
        return None, Outcome("fmt-lost", "fmt", "a comment was lost or changed")
    if twice != formatted:
        return None, Outcome("fmt-unstable", "fmt", "formatting the formatted text changes it")
    return formatted, None


def _answers(model, case: Case, render_too: bool = True):
    """The JSON (or the error) of each student, or an Outcome when a stage crashes."""
    try:
        book = Book(model.ir, model.model)
        people = students(book, Random(case.facts_seed), case.students)
    except Exception as e:  # noqa: BLE001
        return _crash("schema", e)
    out = []
    for facts in people:
        try:
            result = book.evaluate(facts, case.as_of)
        except RegdslError as e:
            out.append(f"{e.code}: {e.message}")
            continue
        except Exception as e:  # noqa: BLE001
            return _crash("eval", e)
        try:
            out.append(to_json(result, explain=False))
            result_text(result, explain=True)
        except Exception as e:  # noqa: BLE001
            return _crash("report", e)
    if render_too:
        try:
            render(model.model, "html")
            render(model.model, "text")
        except Exception as e:  # noqa: BLE001
            return _crash("render", e)
    return out


def _first_difference(a: list[str], b: list[str]) -> str:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            xs, ys = x.splitlines(), y.splitlines()
            for j, (p, q) in enumerate(zip(xs, ys)):
                if p != q:
                    return f"student {i}, line {j + 1}: {p.strip()} != {q.strip()}"
            return f"student {i}: {len(xs)} lines != {len(ys)} lines"
    return "a different number of answers"


def same_tree(a, b) -> bool:
    """Syntax trees equal but for positions (attrs' == recurses, and a chain may be long)."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if type(x) is not type(y):
            return False
        if attrs.has(type(x)):
            stack.extend((getattr(x, f.name), getattr(y, f.name)) for f in attrs.fields(type(x)) if f.eq)
        elif isinstance(x, (tuple, list)):
            if len(x) != len(y):
                return False
            stack.extend(zip(x, y))
        elif x != y:
            return False
    return True


# ---------------------------------------------------------------------- minimising


def minimise(ws: Workspace, case: Case, outcome: Outcome, seconds: float = 60.0) -> Case:
    """A smaller case with the same signature: whole lines dropped, then words (ddmin)."""
    deadline = time.monotonic() + seconds
    want = outcome.signature

    def same(text: str) -> bool:
        if time.monotonic() > deadline:
            return False
        trial = Case(case.seed, case.file, text, case.students, case.facts_seed, case.as_of)
        return run_case(ws, trial, time_bound=float("inf") if outcome.kind != "slow" else TIME_BOUND) \
            .signature == want

    text = _fewer_repeats(case.text, same)
    lines = text.split("\n")
    lines = _ddmin(lines, lambda ls: same("\n".join(ls)), deadline)
    words = re.split(r"( +)", "\n".join(lines))
    words = _ddmin(words, lambda ws_: same("".join(ws_)), deadline)
    return Case(case.seed, case.file, "".join(words), case.students, case.facts_seed, case.as_of)


_REPEAT = re.compile(r"(.{1,16}?)\1{7,}", re.S)


def _fewer_repeats(text: str, keeps) -> str:
    """Shorten every long run of a repeated piece at once (`not (` a thousand times and its `)`s),
    by half while the case still breaks the same way, then by less: nesting shrinks without
    unbalancing."""
    for keep in (0.5, 0.75, 0.9):
        while True:
            shorter = _REPEAT.sub(lambda m: m.group(1) * int(len(m.group(0)) // len(m.group(1)) * keep), text)
            if shorter == text or not keeps(shorter):
                break
            text = shorter
    return text


def _ddmin(parts: list[str], keeps, deadline: float) -> list[str]:
    chunks = 2
    while len(parts) >= 2 and time.monotonic() < deadline:
        size = max(1, len(parts) // chunks)
        for i in range(0, len(parts), size):
            if time.monotonic() > deadline:
                return parts
            trial = parts[:i] + parts[i + size:]
            if trial and keeps(trial):
                parts = trial
                chunks = max(chunks - 1, 2)
                break
        else:
            if size == 1:
                break
            chunks = min(len(parts), chunks * 2)
    return parts


def save(folder: Path, case: Case, outcome: Outcome, seed: int | None = None) -> Path:
    """Write a reproducer: the mutated file as .reg, and a .txt saying what it broke."""
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w-]+", "_", "-".join(x for x in outcome.signature if x))[:80]
    path = folder / f"{name}.reg"
    path.write_text(case.text, "utf-8", newline="")
    info = {"outcome": outcome.kind, "stage": outcome.stage, "where": outcome.where,
            "seconds": round(outcome.seconds, 2), "seed_book": case.seed.book, "file": case.file,
            "as_of": case.as_of, "facts_seed": case.facts_seed, "case_seed": seed}
    (folder / f"{name}.txt").write_text(json.dumps(info, indent=2) + "\n\n" + outcome.detail + "\n", "utf-8")
    return path
