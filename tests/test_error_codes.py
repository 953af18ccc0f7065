"""Every error code: documented in docs/errors.md and produced by its own example.

tests/errors/ holds one small bad example per code in `regdsl.errors.CODES`:
a book (`E301.reg`), a facts file for the book `facts.reg` (`E602.json`), or
for the command-line codes just the arguments (in EXAMPLES below).  Each is
run through the real command line in-process, and must

- report its code (with `file:line:col:` where there is a place to point at),
- exit with the right code: 1 when `regdsl check` finds problems, 2 for bad
  input, arguments or facts (0 only where the code is part of an answer),
- report nothing else, and never a Python traceback or an internal error,
- print exactly what docs/errors.md says it prints.

tests/errors/bugs/ holds reproductions of the bugs found while writing these
tests; each has a test below marked `xfail(strict=True, reason="BUG: ...")`,
so fixing the bug makes the test pass and the marker must then be removed.
"""

from __future__ import annotations

import re
import shlex
from typing import NamedTuple

import pytest

from conftest import ROOT, run_cli
from regdsl.errors import CODES
from regdsl.syntax.parser import parse

DOCS = ROOT / "docs" / "errors.md"
ERR = "tests/errors"
AS_OF = "2026-04-01"


class Example(NamedTuple):
    args: tuple[str, ...]
    exit: int
    where: str | None  # the file the finding must be placed in, or None: no position

    @property
    def command(self) -> str:
        return shlex.join(("regdsl", *self.args))


def _check(code: str, path: str | None = None) -> Example:
    path = path or f"{ERR}/{code}.reg"
    return Example(("check", path), 1, path)


def _facts(code: str) -> Example:
    path = f"{ERR}/{code}.json"
    return Example(("eval", f"{ERR}/facts.reg", path, "--as-of", AS_OF), 2, path)


EXAMPLES: dict[str, Example] = {
    "E100": _check("E100", f"{ERR}/E100.latin1"),
    **{code: _check(code) for code in CODES if code[1] in "2345" or code in
       ("E101", "E102", "E103", "E104", "E105", "E106", "E107", "E108")},
    **{code: _facts(code) for code in ("E601", "E602", "E603", "E604")},
    "E109": _facts("E109"),
    "E606": Example(("eval", f"{ERR}/facts.reg", f"{ERR}/E606.yaml", "--as-of", AS_OF), 2, f"{ERR}/E606.yaml"),
    "E605": Example(("eval", f"{ERR}/facts.reg", f"{ERR}/facts-ok.json", "--as-of", AS_OF,
                     "--outcome", "years_limit_exceded"), 2, None),
    "E607": Example(("test", f"{ERR}/E607.test.yaml"), 2, f"{ERR}/E607.test.yaml"),
    "E701": Example(("eval", f"{ERR}/facts.reg", f"{ERR}/facts-ok.json", "--as-of", "2026-02-30"), 2, None),
    "E702": Example(("check", f"{ERR}/no-such-book.reg"), 2, None),
    "E703": _check("E703"),
    # A conflict is part of the answer: the outcome is undetermined, and says why.
    "E801": Example(("eval", f"{ERR}/E801.reg", f"{ERR}/E801.json", "--as-of", AS_OF), 0, None),
    "E802": Example(("eval", f"{ERR}/E802.reg", f"{ERR}/no-facts.json", "--as-of", AS_OF), 2, f"{ERR}/E802.reg"),
    "E803": Example(("eval", f"{ERR}/E803.reg", f"{ERR}/E803.json", "--as-of", AS_OF), 0, None),
    # So is a date computed outside the calendar.
    "E804": Example(("eval", f"{ERR}/E804.reg", f"{ERR}/E804.json", "--as-of", AS_OF), 0, None),
}

# Codes whose example does not (yet) give the code, and those whose example also gives other
# findings, each with the bug that is the reason (none at present).
NOT_PRODUCED: dict[str, str] = {}
NOT_ALONE: dict[str, str] = dict(NOT_PRODUCED)


def _marked(codes, reasons: dict[str, str]):
    return [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=reasons[c])) if c in reasons
            else c for c in codes]


def run(example: Example) -> tuple[int, str, str]:
    code, out, err = run_cli(*example.args)
    assert "Traceback" not in out + err
    assert "internal error" not in err, err
    return code, out, err


def reported(text: str) -> list[str]:
    """The codes of the findings in an output, in order."""
    return re.findall(r"(?:^|: )(E\d{3}): ", text, re.M)


# ------------------------------------------------------------------ docs/errors.md


def doc_sections() -> dict[str, tuple[str, str]]:
    """code -> (title, body) of each `## EXXX title` section of docs/errors.md."""
    text = DOCS.read_text("utf-8")
    parts = re.split(r"^## (E\d{3}) (.+)$", text, flags=re.M)
    return {parts[i]: (parts[i + 1].strip(), parts[i + 2]) for i in range(1, len(parts), 3)}


def test_every_code_is_documented():
    missing = sorted(set(CODES) - set(doc_sections()))
    assert not missing, f"docs/errors.md has no `## CODE title` entry for {missing}"


def test_every_documented_code_exists():
    extra = sorted(set(doc_sections()) - set(CODES))
    assert not extra, f"docs/errors.md documents codes that errors.CODES does not have: {extra}"


def test_doc_headings_use_the_meaning_in_codes():
    wrong = {c: t for c, (t, _) in doc_sections().items() if c in CODES and t != CODES[c]}
    assert not wrong, f"headings differ from errors.CODES: {wrong}"


def test_docs_list_codes_in_order():
    codes = list(doc_sections())
    assert codes == sorted(codes)


def test_every_code_has_an_example():
    assert sorted(EXAMPLES) == sorted(CODES)


@pytest.mark.parametrize("code", sorted(CODES))
def test_docs_example_files_are_the_real_files(code):
    """Each file the docs quote (`tests/errors/...`: then a code block) is quoted whole."""
    _, body = doc_sections()[code]
    quoted = re.findall(r"`(tests/errors/[^`\s]+)`:\n\n```\w*\n(.*?)```", body, re.S)
    own = [a for a in EXAMPLES[code].args if a.startswith(ERR) and code in a]
    abridged = re.findall(r"`(tests/errors/[^`\s]+)` \(abridged\):\n\n```\w*\n(.*?)```", body, re.S)
    assert {p for p, _ in quoted + abridged} >= set(own), f"the entry for {code} does not quote {own}"
    for path, text in abridged:
        real = (ROOT / path).read_text("utf-8").splitlines()
        missing = [line for line in text.splitlines() if line.strip() != "..." and line not in real]
        assert not missing, f"lines quoted from {path} that it does not have: {missing}"
    for path, text in quoted:
        data = (ROOT / path).read_bytes()
        real = data.decode("latin-1" if path.endswith(".latin1") else "utf-8")
        assert text == real.replace("\t", "<TAB>").rstrip("\n") + "\n", f"{path} differs from docs/errors.md"


@pytest.mark.parametrize("code", sorted(CODES))
def test_docs_show_the_real_command_and_message(code):
    """`regdsl ...` in the entry is the example's command; its ```text block is what it prints."""
    _, body = doc_sections()[code]
    example = EXAMPLES[code]
    m = re.search(r"\*\*What regdsl prints\*\* for `([^`]+)`.*?\n```text\n(.*?)```", body, re.S)
    assert m, f"the entry for {code} has no **What regdsl prints** for `regdsl ...` and ```text block"
    assert m.group(1) == example.command
    assert f"exit code {example.exit}" in body
    _, out, err = run_cli(*example.args)
    assert m.group(2) in out + err, (
        f"docs/errors.md shows for {code}:\n{m.group(2)}\nbut `{example.command}` now prints:\n{out}{err}")


# ------------------------------------------------------------------ the examples


@pytest.mark.parametrize("code", _marked(sorted(CODES), NOT_PRODUCED))
def test_example_reports_its_code(code):
    example = EXAMPLES[code]
    exit_code, out, err = run(example)
    stream = out if example.exit == 0 else err
    assert code in reported(stream), f"{example.command} did not report {code}:\n{out}{err}"
    assert exit_code == example.exit, err
    if example.where is not None:
        place = rf"^{re.escape(example.where)}:\d+:\d+: {code}: "
        assert re.search(place, err, re.M), f"{code} is not reported at a file:line:col:\n{err}"
        if example.where.endswith(".reg"):
            line = re.search(place + r".*\n(.*)\n(.*)\n", err, re.M)
            assert line and line.group(2).strip().startswith("^"), "no source line and caret"
    if example.exit:
        assert not out, "problems go to standard error; standard output stays empty"


@pytest.mark.parametrize("code", _marked(sorted(CODES), NOT_ALONE))
def test_example_reports_only_its_code(code):
    example = EXAMPLES[code]
    _, out, err = run(example)
    assert reported(out + err) == [code], out + err


def test_examples_are_listed_in_the_error_directory():
    """Every file in tests/errors/ is used by an example (or is a bug reproduction)."""
    used = {a for e in EXAMPLES.values() for a in e.args if a.startswith(ERR)}
    files = {str(p.relative_to(ROOT)) for p in (ROOT / ERR).iterdir() if p.is_file()}
    assert not files - used, f"unused files in {ERR}: {sorted(files - used)}"


# ------------------------------------------------------------------ bugs found on the way

BUGS = f"{ERR}/bugs"


def test_tab_is_reported_on_its_own_line():
    _, _, err = run(EXAMPLES["E103"])
    assert re.search(r"^tests/errors/E103\.reg:5:1: E103: ", err, re.M), err


def test_amendment_without_date_is_reported_on_its_line():
    _, _, err = run(EXAMPLES["E207"])
    assert re.search(r"^tests/errors/E207\.reg:10:3: E207: ", err, re.M), err


@pytest.mark.parametrize("name", ["established", "amended", "in-force", "article-validity",
                                  "paragraph-validity", "table-as-of", "takes-effect", "rule-as-of"])
def test_impossible_dates_are_syntax_errors(name):
    """(An impossible date outside an expression used to end in an internal error.)"""
    path = f"{BUGS}/bad-date-{name}.reg"
    code, out, err = run_cli("check", path)
    assert "internal error" not in err, err
    assert re.search(rf"^{re.escape(path)}:\d+:\d+: E10\d: .*not a valid date", err, re.M), err
    assert code == 1


def test_each_finding_is_reported_once():
    """(An unknown name on the left of a comparison used to be reported twice.)"""
    _, _, err = run(Example(("check", f"{BUGS}/duplicate-finding.reg"), 1, None))
    assert reported(err) == ["E301"], err


def test_books_using_each_other_report_the_cycle():
    _, _, err = run(Example(("check", f"{BUGS}/books-cycle/main.reg"), 1, None))
    assert "E503" in reported(err), err


def test_a_deep_expression_is_reported_not_crashed():
    """(An expression nested 10000 deep used to end in RecursionError.)"""
    path = f"{BUGS}/deep-expression.reg"
    code, out, err = run(Example(("check", path), 1, path))
    assert code == 1
    assert re.search(rf"^{re.escape(path)}:\d+:\d+: E108: .*nested more than 100 levels deep", err, re.M), err


def test_a_deep_expression_is_reported_on_its_line():
    path = f"{BUGS}/deep-expression.reg"
    _, _, err = run(Example(("check", path), 1, path))
    assert re.search(rf"^{re.escape(path)}:8:\d+: E108: ", err, re.M), err


def test_a_long_sum_is_checked():
    """(A sum of 1000 terms used to end in RecursionError.)"""
    text = 'book mini "M"\narticle 1 "A"\n  | x\n  outcome fee : yen\n  fee = ' + " + ".join(["1 yen"] * 1000)
    rule = parse(text).items[1].body[2]
    assert rule.name == "fee"


def test_a_chain_of_199_definitions_is_evaluated():
    """(199 nested definitions, within evaluate.MAX_DEPTH=200, used to end in RecursionError.)"""
    code, out, err = run(Example(("eval", f"{BUGS}/chain-199.reg", f"{ERR}/no-facts.json",
                                  "--as-of", AS_OF), 0, None))
    assert code == 0 and "step_0 = 200 years" in out, err


@pytest.mark.parametrize(("name", "code"), [("bad-cell", "E401"), ("unknown-unit", "E403")])
def test_a_bad_cell_in_a_table_with_a_total_is_reported(name, code):
    path = f"{BUGS}/table-total-{name}.reg"
    exit_code, out, err = run(Example(("check", path), 1, path))
    assert code in reported(err), err
    assert exit_code == 1


def test_a_table_cell_naming_a_fact_is_reported():
    path = f"{BUGS}/table-cell-names-a-fact.reg"
    exit_code, out, err = run(Example(("check", path), 1, path))
    assert re.search(rf"^{re.escape(path)}:11:\d+: E4\d\d: ", err, re.M), err


def test_several_findings_render_where_one_would():
    """BookErrors.render takes what RegdslError.render takes (it once refused `lines_of`), so
    findings that hold a BookErrors render it as its own findings, each with its line."""
    from regdsl.errors import BookErrors, CheckError, Span

    sources = {"a.reg": "book a\n  x = y\n"}
    inner = BookErrors([CheckError("unknown name `y`", Span("a.reg", 2, 7))])
    outer = BookErrors([inner], sources)
    assert outer.render() == inner.render(sources, {}) == (
        "a.reg:2:7: E301: unknown name `y`\n      x = y\n          ^")
