"""All bundled books check clean and pass their case tables, as `regdsl` reports it."""

from __future__ import annotations

from conftest import run_cli


def test_regdsl_check_regulations():
    code, out, err = run_cli("check", "regulations")
    assert code == 0, err


def test_regdsl_test_regulations():
    code, out, err = run_cli("test", "regulations")
    assert code == 0, out
    assert out.rstrip().endswith(" passed, 0 failed")
    passed = int(out.rsplit(" passed", 1)[0].rsplit("\n", 1)[-1])
    assert passed >= 120 + 100  # the University's and the Graduate School's tables at the least


def test_books_are_in_canonical_layout():
    code, out, err = run_cli("fmt", "--check", "regulations")
    assert code == 0, out + err
