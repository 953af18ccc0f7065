"""The tutorial's commands, run as written, give the output it shows."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import ROOT, run_cli

DOC = (ROOT / "docs" / "tutorial.md").read_text()


def blocks() -> list[tuple[int, int, str]]:
    """Every fenced block of the tutorial: (start, end, text)."""
    return [(m.start(), m.end(), m.group(1))
            for m in re.finditer(r"^```[a-z]*\n(.*?)^```$", DOC, re.S | re.M)]


def block_after(marker: str, skip: int = 0) -> str:
    """The block after the one holding `marker` (or after `marker`, if it is in the prose)."""
    at = DOC.index(marker)
    ends = [end for start, end, _ in blocks() if start <= at < end]
    at = ends[0] if ends else at
    return [text for start, _, text in blocks() if start >= at][skip]


def cli(*args):
    code, out, err = run_cli(*args)
    return code, out + err


@pytest.fixture()
def tut(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out = cli("init", "tut", "--name", "example_university", "--title", "Example University Regulations")
    assert code == 0 and out == block_after('regdsl init tut --name')
    return tmp_path


def test_the_tutorial_runs_as_written(tut):
    assert cli("check", "tut") == (0, "ok: tut\n")
    assert cli("test", "tut") == (0, "2 passed, 0 failed\n")
    code, out = cli("eval", "tut", "tut/examples/student.json", "--as-of", "2026-04-01")
    assert out == block_after("regdsl eval tut tut/examples/student.json --as-of 2026-04-01")

    article2 = re.search(r'```regdsl\n(article 2 .*?)```', DOC, re.S).group(1)
    with open("tut/10-articles.reg", "a") as f:
        f.write("\n" + article2)
    code, out = cli("check", "tut")
    assert code == 1 and out == block_after("Run the check:", skip=1)

    book = (tut / "tut" / "00-book.reg").read_text()
    (tut / "tut" / "00-book.reg").write_text(book.replace(
        '# body President "the President"',
        'body President "the President"\nbody Faculty_Meeting "the Faculty Meeting"'))
    assert cli("check", "tut") == (0, "ok: tut\n")

    cases = re.search(r"Create `tut/tests/graduation.test.yaml`:\n\n```yaml\n(.*?)```", DOC, re.S).group(1)
    (tut / "tut" / "tests" / "graduation.test.yaml").write_text(cases)
    assert cli("test", "tut") == (0, "4 passed, 0 failed\n")

    code, out = cli("fmt", "tut")
    assert code == 0, out
    assert cli("test", "tut") == (0, "4 passed, 0 failed\n")

    (tut / "tut" / "examples" / "almost.json").write_text('{"years_enrolled": 4, "credits_earned": 124}\n')
    code, out = cli("eval", "tut", "tut/examples/almost.json", "--as-of", "2026-04-01",
                    "--outcome", "may_graduate", "--explain")
    assert block_after("regdsl eval tut tut/examples/almost.json") in out

    shutil.copytree(tut / "tut", tut / "tut-before")
    articles = tut / "tut" / "10-articles.reg"
    articles.write_text(articles.read_text().replace("at least 125 credits", "at least 124 credits"))
    assert cli("check", "tut") == (0, "ok: tut\n")
    code, out = cli("diff", "tut-before", "tut", "tut/examples", "tut/tests", "--as-of", "2026-04-01")
    assert code == 1 and out == block_after("regdsl diff tut-before tut")
    code, out = cli("test", "tut")
    assert code == 1 and out == block_after("notice that the words did:", skip=1)
    before = (tut / "tut" / "tests" / "graduation.test.yaml").read_text()
    code, out = cli("test", "tut", "--update")
    assert code == 0 and out == block_after("regdsl test tut --update")
    after = (tut / "tut" / "tests" / "graduation.test.yaml").read_text()
    assert after == before.replace("at least 125 credits", "at least 124 credits").replace(
        "may_graduate: false",
        "may_graduate: {status: discretionary, decided_by: ['the President, upon approval by the Faculty Meeting']}")
