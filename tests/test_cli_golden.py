"""Golden outputs of the `regdsl` command line: what a user sees, byte for byte.

Each case runs `regdsl ARGS` in-process and keeps its exit code, standard
output and standard error together in one file, tests/golden/cli/<case>.out:

    $ regdsl eval tests/books/mini tests/books/students/ok.json --as-of 2026-04-01
    exit code: 0
    --- stdout
    ...
    --- stderr
    (empty)

The books are small ones made for these tests (tests/books/), not the
University Regulations, so the outputs stay short enough to read in review.
Set REGDSL_UPDATE_GOLDEN=1 to rewrite the files after a deliberate change,
and read the diff before committing it.
"""

from __future__ import annotations

import shlex

import pytest

from conftest import ROOT, golden, run_cli

GOLDEN = ROOT / "tests" / "golden" / "cli"
MINI = "tests/books/mini"
STUDENTS = "tests/books/students"
AMENDED = "tests/books/mini-amended"
DIFF_STUDENTS = "tests/books/diff-students"
AS_OF = ("--as-of", "2026-04-01")


def _case(name: str, *args: str, stdin: str | None = None, exit: int):
    return pytest.param(args, stdin, exit, id=name)


CASES = [
    # ---- regdsl check
    _case("check-clean", "check", MINI, exit=0),
    _case("check-several-errors", "check", "tests/books/broken", exit=1),
    _case("check-two-books", "check", MINI, "tests/books/broken", exit=1),
    # ---- regdsl schema
    _case("schema-text", "schema", MINI, exit=0),
    _case("schema-json", "schema", MINI, "--format", "json", exit=0),
    _case("schema-json-schema", "schema", MINI, "--format", "json-schema", exit=0),
    # ---- regdsl eval
    _case("eval-text", "eval", MINI, f"{STUDENTS}/ok.json", *AS_OF, exit=0),
    _case("eval-json", "eval", MINI, f"{STUDENTS}/ok.json", *AS_OF, "--format", "json", exit=0),
    _case("eval-json-explain", "eval", MINI, f"{STUDENTS}/ok.json", *AS_OF, "--format", "json", "--explain",
          "--outcome", "max_years", exit=0),
    _case("eval-reason", "eval", MINI, f"{STUDENTS}/partial.yaml", *AS_OF, "--reason", exit=0),
    _case("eval-json-reason", "eval", MINI, f"{STUDENTS}/partial.yaml", *AS_OF, "--reason", "--format", "json",
          "--outcome", "may_graduate", exit=0),
    _case("eval-reason-students", "eval", MINI, "--students", f"{STUDENTS}/ok.json", "--reason", *AS_OF,
          "--outcome", "may_graduate", exit=0),
    _case("why-not", "why-not", MINI, f"{STUDENTS}/ok.json", "over_limit", *AS_OF, exit=0),
    _case("why-not-json", "why-not", MINI, f"{STUDENTS}/ok.json", "max_years", "--value", "x", *AS_OF,
          "--format", "json", exit=2),
    _case("eval-json-bad-facts", "eval", MINI, f"{STUDENTS}/bad.json", *AS_OF, "--format", "json", exit=2),
    _case("eval-json-book-with-errors", "eval", "tests/books/broken", f"{STUDENTS}/ok.json", *AS_OF,
          "--format", "json", exit=2),
    _case("eval-facts-directory", "eval", MINI, STUDENTS, *AS_OF, exit=2),
    _case("eval-explain-yaml", "eval", MINI, f"{STUDENTS}/partial.yaml", *AS_OF, "--explain", exit=0),
    _case("eval-outcomes", "eval", MINI, f"{STUDENTS}/ok.json", *AS_OF,
          "--outcome", "course_capacity", "--outcome", "may_graduate", exit=0),
    _case("eval-stdin", "eval", MINI, "-", *AS_OF, "--outcome", "over_limit",
          stdin='{"years_enrolled": "7 years", "entry": "first_year"}', exit=0),
    _case("eval-bad-facts", "eval", MINI, f"{STUDENTS}/bad.json", *AS_OF, exit=2),
    _case("eval-facts-not-json", "eval", MINI, f"{STUDENTS}/not-json.json", *AS_OF, exit=2),
    _case("eval-syntax-error", "eval", "tests/books/syntax-error", f"{STUDENTS}/ok.json", *AS_OF, exit=2),
    _case("eval-book-with-errors", "eval", "tests/books/broken", f"{STUDENTS}/ok.json", *AS_OF, exit=2),
    # ---- regdsl diff: tests/books/mini, and the same book after an amendment
    _case("diff-text", "diff", MINI, AMENDED, DIFF_STUDENTS, *AS_OF, exit=1),
    _case("diff-limit", "diff", MINI, AMENDED, DIFF_STUDENTS, *AS_OF, "--limit", "2", exit=1),
    _case("diff-json", "diff", MINI, AMENDED, DIFF_STUDENTS, *AS_OF, "--format", "json", exit=1),
    _case("diff-no-change", "diff", MINI, MINI, DIFF_STUDENTS, *AS_OF, exit=0),
    _case("args-diff-bad-limit", "diff", MINI, AMENDED, DIFF_STUDENTS, "--limit", "-1", exit=2),
    # ---- regdsl test: cases written for tests/books/mini, run against it after the amendment
    _case("test-after-amendment", "test", "tests/books/mini-tests", exit=1),
    # ---- bad arguments
    _case("args-no-command", exit=2),
    _case("args-unknown-command", "evl", MINI, f"{STUDENTS}/ok.json", exit=2),
    _case("args-missing-argument", "eval", MINI, exit=2),
    _case("args-bad-as-of", "eval", MINI, f"{STUDENTS}/ok.json", "--as-of", "2026-02-30", exit=2),
    _case("args-as-of-not-a-date", "eval", MINI, f"{STUDENTS}/ok.json", "--as-of", "next april", exit=2),
    _case("args-unknown-outcome", "eval", MINI, f"{STUDENTS}/ok.json", *AS_OF,
          "--outcome", "must_be_dismised", exit=2),
    _case("args-json-bad-as-of", "eval", MINI, f"{STUDENTS}/ok.json", "--as-of", "2026-02-30", "--format=json",
          exit=2),
    _case("args-json-missing-argument", "eval", MINI, "--format", "json", exit=2),
    _case("args-bad-format", "eval", MINI, f"{STUDENTS}/ok.json", "--format", "xml", exit=2),
    _case("args-facts-extension", "eval", MINI, f"{STUDENTS}/ok.txt", *AS_OF, exit=2),
    _case("args-missing-book", "eval", "tests/books/no-such-book", f"{STUDENTS}/ok.json", *AS_OF, exit=2),
    _case("args-missing-facts", "eval", MINI, f"{STUDENTS}/no-such-student.json", *AS_OF, exit=2),
    _case("args-check-missing-path", "check", "tests/books/no-such-book", exit=2),
    _case("args-schema-missing-book", "schema", "tests/books/no-such-book", exit=2),
]


def render(args: tuple[str, ...], stdin: str | None, code: int, out: str, err: str) -> str:
    """The one file a golden case is kept in."""
    command = " ".join(["regdsl", *map(shlex.quote, args)])
    if stdin is not None:
        command = f"echo {shlex.quote(stdin)} | {command}"

    def stream(text: str) -> str:
        if not text:
            return "(empty)\n"
        return text if text.endswith("\n") else text + "\n(no newline at the end)\n"

    return f"$ {command}\nexit code: {code}\n--- stdout\n{stream(out)}--- stderr\n{stream(err)}"


@pytest.mark.parametrize(("args", "stdin", "exit"), CASES)
def test_cli_output(request, args, stdin, exit):
    code, out, err = run_cli(*args, stdin=stdin)
    name = request.node.callspec.id
    golden(GOLDEN / f"{name}.out", render(args, stdin, code, out, err))
    assert code == exit, err
    assert "Traceback" not in out + err
    assert "internal error" not in err


def test_every_golden_file_has_a_case():
    """A golden file left behind by a renamed or deleted case is an error, not clutter."""
    names = {p.id for p in CASES}
    stale = sorted(p.name for p in GOLDEN.glob("*.out") if p.stem not in names)
    assert not stale, f"golden files with no case in {__file__}: {stale}"


def test_eval_json_is_byte_identical_on_repeat():
    """Identical inputs give byte-identical JSON (the mission's promise to scripts)."""
    args = ("eval", MINI, f"{STUDENTS}/ok.json", *AS_OF, "--format", "json")
    first, second = run_cli(*args), run_cli(*args)
    assert first == second
    assert first[0] == 0


def test_check_findings_are_sorted_by_position():
    code, _, err = run_cli("check", "tests/books/broken")
    assert code == 1
    import re

    where = [(f, int(line), int(col)) for f, line, col in
             re.findall(r"^(\S+?):(\d+):(\d+): E\d{3}: ", err, re.M)]
    assert len(where) >= 5
    assert where == sorted(where)
    assert err.rstrip().endswith(f"{len(where)} problems")


def test_every_command_has_its_arguments_and_a_runner():
    """The parser and the table of commands name the same commands."""
    import argparse

    from regdsl.cli import COMMANDS, build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == set(COMMANDS)
