"""The evaluator agrees with the reference evaluator, survives pickling, and is safe in threads.

* For random books and random partial students (tests/strategies.py), and for
  every bundled book with every sample student and every case of its case
  tables, each outcome of `Book.evaluate` (its value, status, missing facts,
  deciding bodies, reasons, citations, versions, notes and explanation) is
  exactly what the reference evaluator (regdsl.eval.reference) gives.  Set
  REGDSL_AGREEMENT_EXAMPLES=5000 to try more random books than the ~200 of the
  normal suite (and more random students for the bundled books).
* A pickled book evaluates to the same bytes of JSON, in this process and in
  worker processes.
* Parsing and evaluating from several threads at once gives what one thread gives.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import multiprocessing
import os
import pickle
import sys
import threading
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import regdsl
from regdsl.core.limits import MAX_NESTING
from conftest import EXAMPLES, REGULATIONS, ROOT
from regdsl.errors import BookErrors
from regdsl.eval.reference import reference_outcomes
from regdsl.facts import read_facts
from regdsl.errors import SyntaxError_
from regdsl.syntax.lexer import Indenter
from regdsl.syntax.parser import get_parser, parse, parse_ref
from regdsl.authoring.testing import load_cases
from strategies import GenBook, as_of_dates, books, ir_as_of, ir_students, students

AS_OF = "2026-04-01"  # the date of a sample student without an .as_of file (as tests/test_examples.py)
BOOKS = sorted(p.name for p in REGULATIONS.iterdir() if p.is_dir())
SAMPLES = sorted(p for ext in ("json", "yaml") for p in EXAMPLES.glob(f"*/*.{ext}"))
CASE_FILES = sorted(REGULATIONS.glob("*/tests/*.test.yaml"))
RANDOM_BOOKS = int(os.environ.get("REGDSL_AGREEMENT_EXAMPLES", "200"))


@cache
def bundled(name: str) -> regdsl.Book:
    return regdsl.load(REGULATIONS / name)


def sample(path: Path) -> tuple[Any, str]:
    """A sample student's facts and the date it is evaluated on."""
    side = path.with_suffix(".as_of")
    facts, _, _ = read_facts(str(path))
    return facts, side.read_text().strip() if side.exists() else AS_OF


def samples_of(book: str) -> list[tuple[Any, str]]:
    return [sample(p) for p in SAMPLES if p.parent.name == book]


def differences(fast: dict, ref: dict) -> list[str]:
    """What differs between two outcome dicts, one line per field."""
    out = []
    for key in sorted(set(fast) | set(ref)):
        if fast.get(key) != ref.get(key):
            out.append(f"  {key}:\n    evaluator: {json.dumps(fast.get(key), default=str)}\n"
                       f"    reference: {json.dumps(ref.get(key), default=str)}")
    return out


def assert_agree(book: regdsl.Book, facts: Any, as_of: Any, outcomes: list[str] | None = None,
                 context: str = "") -> None:
    """`Book.evaluate` and the reference give the same dict for every outcome asked for."""
    result = book.evaluate(facts, as_of, outcomes)
    ref = reference_outcomes(book, facts, result.as_of, outcomes)
    assert list(ref) == list(result.keys())
    problems = []
    for name, want in ref.items():
        diff = differences(result[name].to_dict(explain=True), want)
        if diff:
            problems.append(f"{name}:\n" + "\n".join(diff))
    if problems:
        pytest.fail(f"{context}facts: {json.dumps(facts, default=str)}\nas of: {result.as_of}\n\n"
                    + "\n".join(problems), pytrace=False)


# ------------------------------------------------------------------ (a) random books


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("agreement")


def load_text(book: GenBook, folder: Path) -> regdsl.Book:
    path = folder / "generated.reg"
    path.write_text(book.text, "utf-8")
    try:
        return regdsl.load(path)
    except BookErrors as e:  # the generator's promise: every book it draws is valid
        pytest.fail("a generated book does not load:\n" + book.text + "\n"
                    + "\n".join(err.render(e.sources) for err in e.errors), pytrace=False)


@settings(max_examples=RANDOM_BOOKS, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_random_books_agree_with_the_reference(scratch, data):
    gen = data.draw(books(), label="book")
    book = load_text(gen, scratch)
    for _ in range(data.draw(st.integers(1, 4), label="students")):
        facts = data.draw(students(gen), label="facts")
        as_of = data.draw(as_of_dates(gen), label="as_of")
        outcomes = None
        if data.draw(st.booleans(), label="only some"):  # a subset, definitions included
            outcomes = data.draw(st.lists(st.sampled_from(gen.names), min_size=1, unique=True), label="outcomes")
        assert_agree(book, facts, as_of, outcomes, context=f"book:\n{gen.text}\n")


def test_the_generator_draws_every_feature():
    """The random books really use the constructs the agreement test is meant to cover."""
    seen: set[str] = set()
    words = ["however", "notwithstanding", "overrides", "any of the items", "all of", "delegated", "in force until",
             "not applying when", "affects article", "lookup cap", "lookup grade", "as of 20", "decision",
             "is one of", "is not one of", " then ", "min(", "max(", "as_of", "s_between(", "days_between(",
             " exceeds ", " is at least ", "paragraph 2 in force from", "item 1 of", "items 1 and 2 of",
             "of article", "title(", "administrator(", "floor(", "ceil(", ": time", ": number", ": text",
             "semesters", ": one of m0_0, m0_1", "deleted", "refers to", "section 1", "8:30", "2.5"]

    @settings(max_examples=200, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(books())
    def draw(book):
        seen.update(w for w in words if w in book.text)

    draw()
    assert seen == set(words), f"never drawn: {sorted(set(words) - seen)}"


# ------------------------------------------------------------------ (b) bundled books


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_sample_students_agree_with_the_reference(path):
    facts, as_of = sample(path)
    assert_agree(bundled(path.parent.name), facts, as_of, context=f"{path}\n")


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_case_tables_agree_with_the_reference(path):
    cases = load_cases(path)
    assert cases
    for case in cases:
        book = bundled(Path(case.book).name)
        as_of = case.as_of if case.as_of is not None else AS_OF
        assert_agree(book, case.facts, as_of, context=f"{case.file}:{case.line}: {case.name}\n")



@pytest.mark.parametrize("name", BOOKS)
def test_bundled_books_agree_with_the_reference_for_random_students(name):
    book = bundled(name)

    @settings(max_examples=max(25, RANDOM_BOOKS // 8), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(facts=ir_students(book.ir), as_of=ir_as_of(book.ir))
    def agree(facts, as_of):
        assert_agree(book, facts, as_of, context=f"{name}\n")

    agree()


# ------------------------------------------------------------------ (c) pickling


def evaluate_json(book: regdsl.Book, facts: Any, as_of: str) -> str:
    """One student's result as JSON (run in worker processes, so it is a module-level function)."""
    return book.evaluate(facts, as_of).to_json()


@pytest.mark.parametrize("name", BOOKS)
def test_a_pickled_book_gives_the_same_json(name):
    book = bundled(name)
    copy = pickle.loads(pickle.dumps(book))
    assert copy is not book and copy.name == book.name
    for facts, as_of in samples_of(name):
        assert evaluate_json(copy, facts, as_of) == evaluate_json(book, facts, as_of)


def test_worker_processes_give_the_same_json():
    """The University book sent to two fresh interpreters (spawned, as a Dask or Spark worker is)."""
    book = bundled("university")
    students = samples_of("university") * 2
    want = [evaluate_json(book, facts, as_of) for facts, as_of in students]
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        got = list(pool.map(evaluate_json, [book] * len(students), *zip(*students)))
    assert got == want


# ------------------------------------------------------------------ (d) threads

THREADS = 4
ROUNDS = 2  # each thread evaluates every student this many times


def in_threads(work, n: int = THREADS) -> list[Any]:
    """`work(i)` in n threads released together; their results, or the first error raised."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as e:  # noqa: BLE001 - reported in the test's thread
            errors.append(e)

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads far more often than the default 5 ms
    try:
        threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    if errors:
        raise errors[0]
    return results


def parsed(name: str, text: str) -> Any:
    """What parsing a file gives, as plain data: its tree (spans and comments included), or its error."""
    try:
        return attrs.asdict(parse(text, name))
    except SyntaxError_ as e:
        return ("error", e.code, str(e), e.span, e.hint)


def parse_inputs() -> list[tuple[str, str]]:
    """Every bundled book's files, the syntax errors of tests/errors, and the books with comments
    moved about (own-line, at line ends, inside continuations and parentheses)."""
    books = [(str(p), p.read_text("utf-8")) for p in sorted(REGULATIONS.glob("*/*.reg"))]
    errors = [(str(p), p.read_text("utf-8")) for p in sorted(ROOT.glob("tests/errors/**/E1*.reg"))]
    errors += [(str(p), p.read_text("utf-8")) for p in sorted(ROOT.glob("tests/books/syntax-error/*.reg"))]
    commented = [(f"{name}#comments", text.replace("\n", "  # a comment\n", 40).replace("\n\n", "\n  # own\n\n"))
                 for name, text in books]
    return books + errors + commented


def test_parsing_from_several_threads_gives_what_one_thread_gives():
    texts = parse_inputs()
    refs = ["article 20 paragraph 2", "items 1 and 2 of the preceding article", "not a reference"]
    assert any(isinstance(p, tuple) for p in (parsed(name, text) for name, text in texts))  # errors too
    want = [parsed(name, text) for name, text in texts]
    want_refs = [parsed_ref(r) for r in refs]
    get_parser.cache_clear()  # the threads also race to build the parser

    def work(i: int) -> list[Any]:
        order = texts[i:] + texts[:i]  # each thread starts with another file
        got = {name: parsed(name, text) for name, text in order}
        return [got[name] for name, _ in texts] + [parsed_ref(r) for r in refs]

    for got in in_threads(work, 8):
        assert got == want + want_refs


def parsed_ref(text: str) -> Any:
    try:
        return attrs.asdict(parse_ref(text))
    except SyntaxError_ as e:
        return ("error", str(e))


def test_a_parse_does_not_wait_for_another():
    """One thread is held in the middle of lexing a file; another parses a whole book meanwhile."""
    [(name, text)] = [(str(p), p.read_text("utf-8")) for p in sorted(REGULATIONS.glob("university/*.reg"))][:1]
    want = parsed(name, text)
    other = sorted(REGULATIONS.glob("graduate/*.reg"))[0]
    want_other = parsed(str(other), other.read_text("utf-8"))
    held, go = threading.Event(), threading.Event()
    newline = Indenter._newline.__code__
    got: dict[str, Any] = {}

    def hold(frame, event, arg):  # the first time the post-lexer starts a line, wait
        if event == "call" and frame.f_code is newline and not held.is_set():
            held.set()
            go.wait(60)
        return None

    def first() -> None:
        sys.settrace(hold)
        try:
            got["first"] = parsed(name, text)
        finally:
            sys.settrace(None)

    def second() -> None:
        got["second"] = parsed(str(other), other.read_text("utf-8"))

    t1 = threading.Thread(target=first)
    t1.start()
    try:
        assert held.wait(30)
        t2 = threading.Thread(target=second)
        t2.start()
        t2.join(20)
        assert not t2.is_alive() and "first" not in got  # done while the first parse was held
    finally:
        go.set()
        t1.join(30)
    assert got == {"first": want, "second": want_other}


def test_the_parser_keeps_no_state_at_module_level():
    """The syntax modules hold code, constants and caches of what never changes: nothing a parse writes."""
    import __future__
    import re
    import types

    from regdsl.syntax import lexer, parser

    for module in (lexer, parser):
        for name, value in vars(module).items():
            if name.startswith("__") or callable(value) or isinstance(value, types.ModuleType):
                continue  # functions (lru_cache'd ones too), classes, modules
            if isinstance(value, (str, int, float, tuple, frozenset, re.Pattern, __future__._Feature)) or value is None:
                continue
            assert type(value).__module__ == module.__name__ and not vars(value), (
                f"{module.__name__}.{name} is {value!r}: state shared by every parse")


def test_evaluating_from_several_threads_gives_what_one_thread_gives():
    students = [(name, facts, as_of) for name in BOOKS for facts, as_of in samples_of(name)]
    students += [(name, facts, "2025-03-31") for name, facts, _ in list(students)]  # more version keys
    want = [evaluate_json(bundled(name), facts, as_of) for name, facts, as_of in students]
    shared = {name: pickle.loads(pickle.dumps(bundled(name))) for name in BOOKS}  # nothing built yet

    def work(i: int) -> list[list[str]]:
        rounds = []
        for _ in range(ROUNDS):
            got = [""] * len(students)
            for k in list(range(i, len(students))) + list(range(i)):  # each thread starts elsewhere
                name, facts, as_of = students[k]
                got[k] = evaluate_json(shared[name], facts, as_of)
            rounds.append(got)
        return rounds

    for rounds in in_threads(work):
        for got in rounds:
            assert got == want



def test_plans_dropped_while_other_threads_use_them():
    """More version keys than an evaluator keeps plans for (engine._PLANS), from four threads."""
    from regdsl.eval.engine import _PLANS

    days = [(dt.date(2024, 1, 1) + dt.timedelta(days=9 * k)).isoformat() for k in range(_PLANS + 16)]
    students = [(facts, day) for facts, _ in samples_of("graduate")[:2] for day in days]
    outcomes = ["max_years_enrolled", "standard_program_length"]
    book = bundled("graduate")
    want = [book.evaluate(facts, day, outcomes).to_json() for facts, day in students]
    shared = pickle.loads(pickle.dumps(book))

    def work(i: int) -> list[str]:
        order = list(range(i, len(students))) + list(range(i))
        got = {k: shared.evaluate(students[k][0], students[k][1], outcomes).to_json() for k in order}
        return [got[k] for k in range(len(students))]

    for got in in_threads(work):
        assert got == want


# ------------------------------------------------------------------ what these tests found
# Bugs the agreement tests found, each fixed: the book that showed it.

HEADER = '''\
book gen "G"
  | A.
  in force from 2020-04-01

'''

AMENDMENT = '''\
supplementary provisions
  | The amendment takes effect on 2024-04-01.
  amendment "A" takes effect 2024-04-01

  paragraph 2
    | It does not apply to some students.
    amendment "A"
'''  # followed by its `not applying when` and `affects`

SPARING_BY_ITEMS = HEADER + '''\
article 1 "One"
  | One.
  fact f : integer "f."
  item 1
    | Item one.
    f > 3

article 2 "Two" in force until 2024-03-31
  | Old.
  outcome limit : credits "The limit."
  limit = 1 credits

article 2 "Two" in force from 2024-04-01
  | New.
  limit = 2 credits

''' + AMENDMENT + '''\
      not applying when any of article 1
      affects article 2
'''

UNUSED_CONSTANT = HEADER + '''\
article 1 "One"
  | One.
  fact f : boolean "f."
  outcome answer : boolean "The answer."
  define far : date "A date no outcome reads."
  answer if f
  far = 9999-12-31 + 1 days
'''

LATE_DATE = HEADER + '''\
article 1 "One"
  | One.
  fact admitted : date "Admission."
  outcome deadline : date "The deadline."
  deadline = admitted + 2 years
'''


def _load(tmp_path: Path, text: str) -> regdsl.Book:
    path = tmp_path / "book.reg"
    path.write_text(text, "utf-8")
    return regdsl.load(path)


def test_an_amendment_may_spare_students_by_items(tmp_path):
    book = _load(tmp_path, SPARING_BY_ITEMS)
    assert_agree(book, {"f": 5}, "2025-01-01")
    assert book.evaluate({"f": 5}, "2025-01-01")["limit"].value == 1  # spared: the old text


def test_a_definition_no_outcome_reads_is_not_computed(tmp_path):
    book = _load(tmp_path, UNUSED_CONSTANT)
    assert_agree(book, {"f": True}, "2025-01-01")


def test_a_date_past_the_calendar_is_undetermined(tmp_path):
    book = _load(tmp_path, LATE_DATE)
    o = book.evaluate({"admitted": "9999-06-01"}, "2025-01-01")["deadline"]
    assert o.status == "undetermined" and o.reasons


def test_a_deeply_nested_book_pickles(tmp_path):
    nested = "f"  # as deep as the parser allows (core.limits.MAX_NESTING levels)
    for i in range(MAX_NESTING - 1):
        nested = f"(if g then {nested} else {i})"
    text = HEADER + f'''\
article 1 "One"
  | One.
  fact f : integer "f."
  fact g : boolean "g."
  outcome x : integer "x."
  x = {nested}
'''
    book = _load(tmp_path, text)
    assert book.evaluate({"f": 1, "g": True}, "2025-01-01")["x"].value == 1
    copy = pickle.loads(pickle.dumps(book))
    assert evaluate_json(copy, {"f": 1, "g": True}, "2025-01-01") == evaluate_json(book, {"f": 1, "g": True},
                                                                                   "2025-01-01")


TWO_VERSIONS = HEADER + '''\
article 1 "One" in force from 2020-04-01 until 2024-03-31
  | Old.
  fact f : boolean "f."
  outcome limit : credits "The limit."
  limit = 1 credits

article 1 "One" in force from 2024-04-01
  | New.
  limit = 2 credits

''' + AMENDMENT + '''\
      not applying when f
      affects article 1
'''


@pytest.mark.parametrize(("facts", "as_of", "cited"), [
    ({}, "2020-03-01", ["Article 1"]),  # before every version
    ({}, "2025-01-01", ["Article 1", "Supplementary Provisions, Paragraph 2"]),  # whether spared is unknown
])
def test_an_article_in_two_versions_is_cited_once(tmp_path, facts, as_of, cited):
    o = _load(tmp_path, TWO_VERSIONS).evaluate(facts, as_of)["limit"]
    assert o.status == "undetermined"
    assert [c.cite for c in o.citations] == cited
    assert [(v.in_force_from, v.in_force_until) for v in o.versions] == [(dt.date(2020, 4, 1), dt.date(2024, 3, 31))]
    assert "exceptions_considered" not in o.explanation.to_dict()
