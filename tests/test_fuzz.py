"""Fuzzing in the normal suite: a few hundred mutated books, every invariant of tests/fuzzing.py.

The cases are the same on every run (derandomised), so the suite stays reproducible; the long
run, `python -m tools.fuzz --minutes 20`, explores further and saves what it finds
(docs/reliability.md).  Time is measured per case and reported as a warning, never asserted.
"""

from __future__ import annotations

import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzzing

SEEDS = fuzzing.seeds()


@pytest.fixture(scope="module")
def workspace():
    ws = fuzzing.Workspace()
    yield ws
    ws.close()


def _check(outcome: fuzzing.Outcome, case: fuzzing.Case) -> None:
    if outcome.kind == "slow":
        warnings.warn(f"fuzz case took {outcome.seconds:.1f} s: {case.describe()}", stacklevel=2)
        return
    assert outcome.kind in fuzzing.GOOD, f"{case.describe()}: {outcome.report()}\n--- the case:\n{case.text}"


_SETTINGS = dict(deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.function_scoped_fixture])


@settings(max_examples=160, **_SETTINGS)
@given(seed=st.sampled_from([s for s in SEEDS if s.book.startswith("single/")]), rnd=st.randoms())
def test_mutated_files(workspace, seed, rnd):
    case = fuzzing.make_case(seed, rnd, workspace)
    _check(fuzzing.run_case(workspace, case), case)


@settings(max_examples=60, **_SETTINGS)
@given(seed=st.sampled_from([s for s in SEEDS if not s.book.startswith("single/")]), rnd=st.randoms())
def test_mutated_books(workspace, seed, rnd):
    """One file of a whole book mutated: references across files, `uses`, mutatis mutandis."""
    case = fuzzing.make_case(seed, rnd, workspace)
    _check(fuzzing.run_case(workspace, case), case)


def test_the_unmutated_books_are_clean(workspace):
    """The seeds themselves pass every stage (and the clean ones are evaluated)."""
    for seed in SEEDS:
        if seed.book.startswith("single/"):
            continue
        for rel in seed.files[:1]:
            case = fuzzing.Case(seed, rel, workspace.original(rel))
            outcome = fuzzing.run_case(workspace, case)
            assert outcome.kind in ("clean", "findings"), f"{case.describe()}: {outcome.report()}"


def test_minimise_keeps_the_signature(workspace):
    """The minimiser shrinks a case while it still breaks the same way (here: a finding E106)."""
    seed = next(s for s in SEEDS if s.book == "tests/books/mini")
    rel = seed.files[-1]
    text = workspace.original(rel) + "\n  article 99 \"X\"\n" + "9" * 200 + "\n"
    case = fuzzing.Case(seed, rel, text)
    outcome = fuzzing.run_case(workspace, case)
    small = fuzzing.minimise(workspace, case, outcome, seconds=30)
    assert fuzzing.run_case(workspace, small).signature == outcome.signature
    assert len(small.text) < len(text) / 5
