"""`regdsl init`: a new book that checks, tests and evaluates straight away."""

from __future__ import annotations

import json

import pytest

import regdsl
from regdsl.authoring.scaffold import PLACEHOLDER_DATE

from conftest import run_cli

FILES = ["00-book.reg", "10-articles.reg", "tests/limits.test.yaml", "examples/student.json", "README.md"]


@pytest.fixture()
def new_book(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("init", "my-book")
    assert (code, err) == (0, ""), err
    return tmp_path / "my-book", out


def test_writes_the_files(new_book):
    root, out = new_book
    for rel in FILES:
        assert (root / rel).is_file(), rel
        assert f"created my-book/{rel}" in out
    assert "next: regdsl check my-book && regdsl test my-book && regdsl eval my-book" in out


def test_the_book_checks(new_book):
    code, _, err = run_cli("check", "my-book")
    assert code == 0, err
    assert err == "ok: my-book\n"


def test_the_cases_pass(new_book):
    code, out, err = run_cli("test", "my-book", "--coverage")
    assert code == 0, out + err
    assert out.splitlines() == ["2 passed, 0 failed",
                                "coverage: 1 of 1 provisions with rules exercised (100%) in my-book"]


def test_the_example_student_evaluates(new_book):
    code, out, err = run_cli("eval", "my-book", "my-book/examples/student.json", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    (o,) = data["outcomes"]
    assert (o["name"], o["value"], o["status"]) == ("years_limit_exceeded", True, "determined")
    assert o["citations"] == [{"cite": "Article 1", "eid": "art_1"}]


def test_the_book_renders(new_book):
    code, out, err = run_cli("render", "my-book", "--format", "text")
    assert code == 0, err
    assert "Article 1 Limit on Years Enrolled" in out


def test_one_article_fact_outcome_and_dates(new_book):
    root, _ = new_book
    book = regdsl.load(root)
    assert book.name == "my_regulations" and book.title == "My University Regulations"
    assert [a.cite for a in book.model.articles] == ["Article 1"]
    kinds = sorted(s.kind for s in book.model.symbols.values())
    assert kinds == ["fact", "outcome"]
    assert book.model.established.isoformat() == PLACEHOLDER_DATE
    assert book.model.in_force.isoformat() == PLACEHOLDER_DATE
    header = (root / "00-book.reg").read_text()
    assert "Replace the placeholder date" in header
    readme = (root / "README.md").read_text()
    assert "regdsl test my-book" in readme and "regdsl eval my-book my-book/examples/student.json" in readme


def test_name_and_title(tmp_path):
    target = tmp_path / "tus"
    code, _, err = run_cli("init", str(target), "--name", "tus_regulations",
                           "--title", 'Regulations of "Sample" University')
    assert code == 0, err
    book = regdsl.load(target)
    assert book.name == "tus_regulations"
    assert book.title == 'Regulations of "Sample" University'
    assert run_cli("test", str(target))[0] == 0


def test_an_empty_directory_is_fine(tmp_path):
    target = tmp_path / "empty"
    target.mkdir()
    code, _, err = run_cli("init", str(target))
    assert code == 0, err
    assert run_cli("check", str(target))[0] == 0


def test_refuses_a_directory_that_is_not_empty(tmp_path):
    target = tmp_path / "used"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    code, out, err = run_cli("init", str(target))
    assert code == 2 and out == ""
    assert err.startswith("E701: ") and "not empty" in err
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]


def test_refuses_a_file(tmp_path):
    target = tmp_path / "file.reg"
    target.write_text("")
    code, _, err = run_cli("init", str(target))
    assert code == 2 and "E701" in err and "not a directory" in err


@pytest.mark.parametrize("name", ["9lives", "my-book", "article", ""])
def test_refuses_a_bad_name(tmp_path, name):
    code, _, err = run_cli("init", str(tmp_path / "b"), "--name", name)
    assert code == 2 and "E701" in err and "--name" in err
    assert not (tmp_path / "b").exists()


def test_refuses_a_bad_title(tmp_path):
    code, _, err = run_cli("init", str(tmp_path / "b"), "--title", "two\nlines")
    assert code == 2 and "E701" in err and "--title" in err


def test_the_book_is_already_formatted(new_book):
    pytest.importorskip("regdsl.authoring.fmt")
    code, out, err = run_cli("fmt", "--check", "my-book")
    assert code == 0, out + err


def test_next_commands_quote_what_a_shell_would_split():
    from regdsl.authoring.scaffold import next_commands

    assert next_commands("my book") == ("regdsl check 'my book' && regdsl test 'my book' && "
                                        "regdsl eval 'my book' 'my book/examples/student.json'")
