"""The interface scripts rely on: JSON without explanations unless asked, errors as JSON, the API's own words.

(The outputs themselves are goldens: tests/golden/cli/eval-json*.out, args-json-*.out.)
"""

from __future__ import annotations

import json

import pytest

import regdsl
from conftest import ROOT, run_cli

MINI = ROOT / "tests" / "books" / "mini"
STUDENT = {"entry": "third_year", "years_enrolled": 5}


@pytest.fixture(scope="module")
def mini():
    return regdsl.load(MINI)


def test_results_leave_explanations_out_unless_asked(mini):
    result = mini.evaluate(STUDENT, "2026-04-01")
    assert all("explanation" not in o for o in result.to_dict()["outcomes"])
    assert all(o["explanation"]["kind"] == "definition" for o in result.to_dict(explain=True)["outcomes"])
    assert json.loads(result.to_json()) == result.to_dict()
    assert json.loads(result.to_json(explain=True)) == result.to_dict(explain=True)
    assert all(o["citations"] for o in result.to_dict()["outcomes"] if o["status"] == "determined")


def test_the_cli_explains_in_json_only_with_explain():
    args = ("eval", "tests/books/mini", "tests/books/students/ok.json", "--as-of", "2026-04-01", "--format", "json")
    plain = json.loads(run_cli(*args)[1])
    explained = json.loads(run_cli(*args, "--explain")[1])
    assert all("explanation" not in o for o in plain["outcomes"])
    assert [{k: v for k, v in o.items() if k != "explanation"} for o in explained["outcomes"]] == plain["outcomes"]


def test_the_api_names_its_own_arguments(mini):
    with pytest.raises(regdsl.UsageError) as e:
        mini.evaluate({}, as_of="2026-02-30")
    assert e.value.message == "as_of '2026-02-30' is not a date (YYYY-MM-DD)" and "--" not in str(e.value)
    with pytest.raises(regdsl.BookErrors) as e:
        mini.evaluate({}, "2026-04-01", outcomes=["zzzzzzzzzz"])
    assert e.value.errors[0].hint == "book.schema() lists the outcomes and definitions"
    with pytest.raises(regdsl.BookErrors) as e:
        mini.evaluate({"zzzzzzzzzz": 1}, "2026-04-01")
    assert e.value.errors[0].hint == "book.schema() lists the facts the book takes"
    with pytest.raises(regdsl.BookErrors) as e:
        mini.evaluate([{"entry": "third_year"}], "2026-04-01")
    assert e.value.errors[0].message.startswith("facts holds a list; write names and values")


def test_the_cli_says_the_same_errors_with_its_flags():
    code, _, err = run_cli("eval", "tests/books/mini", "tests/books/students/ok.json", "--as-of", "2026-04-01",
                           "--outcome", "zzzzzzzzzz")
    assert code == 2 and "hint: run `regdsl schema BOOK` to list the outcomes" in err
    code, _, err = run_cli("eval", "tests/books/mini", "-", "--as-of", "2026-04-01", stdin='{"zzzzzzzzzz": 1}')
    assert code == 2 and "hint: run `regdsl schema BOOK` to list the facts" in err


@pytest.mark.parametrize("fmt", ["json", "json-schema"])
def test_errors_are_one_json_document_with_the_same_exit_code(fmt):
    code, out, err = run_cli("schema", "tests/books/no-such-book", "--format", fmt)
    assert code == 2 and out == ""
    errors = json.loads(err)["errors"]
    assert [e["code"] for e in errors] == ["E702"]
    assert set(errors[0]) == {"code", "message", "file", "line", "column", "end_line", "end_column", "hint"}


def test_an_internal_error_is_json_too(monkeypatch):
    def broken(self):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(regdsl.Book, "json_schema", broken)
    monkeypatch.delenv("REGDSL_DEBUG", raising=False)
    code, _, err = run_cli("schema", "tests/books/mini", "--format", "json-schema")
    assert code == 2
    (error,) = json.loads(err)["errors"]
    assert error["code"] == "E000" and "internal error (ZeroDivisionError: a bug)" in error["message"]


def test_an_unreadable_facts_file_is_placed(tmp_path, monkeypatch):
    facts = tmp_path / "locked.json"
    facts.write_text("{}")

    def refused(path, *args, **kwargs):  # what open() says for a file of mode 000 (root may read any)
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("regdsl.facts.read.read_bytes", refused)
    code, _, err = run_cli("eval", "tests/books/mini", str(facts))
    assert code == 2 and err.startswith(f"{facts}:1:1: E603: cannot read this facts file: Permission denied")


def test_a_directory_or_a_missing_file_as_facts_is_placed(tmp_path):
    folder = tmp_path / "students.json"
    folder.mkdir()
    for path, message in ((folder, "this is a directory, not a facts file"),
                          (tmp_path / "nobody.json", "facts file not found")):
        code, _, err = run_cli("eval", "tests/books/mini", str(path), "--format", "json")
        (error,) = json.loads(err)["errors"]
        assert code == 2
        assert (error["code"], error["file"], error["line"], error["column"], error["message"]) == \
               ("E603", str(path), 1, 1, message)


def test_the_core_install_imports_no_web_framework():
    """`regdsl eval`, `schema` and the API never import the service's packages (the [serve] extra)."""
    import subprocess
    import sys

    code = ("import sys, regdsl, regdsl.cli; b = regdsl.load('tests/books/mini'); b.json_schema(); "
            "regdsl.cli.main(['schema', 'tests/books/mini', '--format', 'json-schema']); "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'httpx', 'jsonschema', 'anyio') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_serve_without_the_extra_says_how_to_install_it(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if it were not installed
    code, _, err = run_cli("serve", "tests/books/mini")
    assert code == 2 and "pip install 'regdsl[serve]'" in err and "E701" in err
