"""`regdsl diff`: the outcomes an amendment changes, summarised, with the amended provisions.

The full text and JSON reports of a small amendment are goldens (tests/golden/cli/diff-*.out);
these tests check the parts one by one, on the benchmark slice of the University Regulations.
"""

from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, run_cli
from regdsl.authoring.amended import word_diff, wrap_code

SLICE = ROOT / "benchmarks" / "slice"
STUDENT = {"entry": "first_year", "years_enrolled": 4, "total_leave": 0, "non_degree_period_counted": 0,
           "took_prescribed_courses": True, "credits_earned": 124, "media_credits": 0}
AS_OF = ("--as-of", "2026-04-01")


def amended(tmp_path, name="new"):
    """The slice with the 125-credit requirement of Article 44 lowered to 124, in its text and its rule."""
    new = tmp_path / name
    shutil.copytree(SLICE, new)
    f = new / "27-part7-graduation.reg"
    text = f.read_text()
    assert "earned at least 125\n" in text and "is at least 125 credits" in text
    f.write_text(text.replace("earned at least 125\n", "earned at least 124\n")
                 .replace("is at least 125 credits", "is at least 124 credits"))
    return new


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Short relative paths in the reports (students are listed by path)."""
    monkeypatch.chdir(tmp_path)


def students(tmp_path, *facts):
    d = tmp_path / "students"
    d.mkdir(exist_ok=True)
    for i, f in enumerate(facts):
        (d / f"s{i:02}.json").write_text(json.dumps(f))
    return "students"


def sections(out: str) -> list[str]:
    """The headings of a text report, in order."""
    return [line for line in out.splitlines() if line and not line.startswith(" ")]


def test_the_report_reads_summary_provisions_students(tmp_path):
    people = students(tmp_path, STUDENT, {**STUDENT, "credits_earned": 130}, {**STUDENT, "credits_earned": 124})
    code, out, err = run_cli("diff", str(SLICE), str(amended(tmp_path)), str(people), *AS_OF)
    assert code == 1, err
    assert sections(out) == [
        "2 of 3 students have changed answers.",
        "Changed outcomes:",
        "Amended provisions:",
        "Students, by outcome:",
        "3 student(s) compared, 2 with changed outcomes, 6 outcome(s) changed",
    ]
    summary = out[out.index("Changed outcomes:"):out.index("Amended provisions:")]
    assert "  may_graduate: 2 students\n    2  no -> discretionary (the President, upon approval by the Faculty " \
           "Meeting)\n" in summary
    assert "  meets_graduation_requirements: 2 students\n    2  no -> yes\n" in summary
    assert "s01.json" not in out  # 130 credits: nothing changes


def test_amended_provisions_show_changed_words_and_rules(tmp_path):
    people = students(tmp_path, STUDENT)
    _, out, _ = run_cli("diff", str(SLICE), str(amended(tmp_path)), str(people), *AS_OF)
    part = out[out.index("Amended provisions:"):out.index("Students, by outcome:")].splitlines()
    assert part[2].startswith("  Article 44, Paragraph 1 (art_44__para_1),")
    text = " ".join(line[6:] for line in part if line.startswith("    | "))
    assert "have earned at least [-125-]{+124+} credits shall be approved" in text
    removed = " ".join(line[6:] for line in part if line.startswith("    - "))
    added = " ".join(line[6:] for line in part if line.startswith("    + "))
    assert "least 125 credits" in removed and "least 124 credits" in added
    # The rule is shown whole, its unchanged lines too, so that a reader sees which rule changed.
    assert sum(line.startswith("    - meets_graduation_requirements if") for line in part) == 1


def test_a_change_of_layout_is_not_an_amendment(tmp_path):
    """Statements are compared as syntax trees: `regdsl fmt` of the old book changes nothing."""
    old = tmp_path / "old"
    shutil.copytree(SLICE, old)
    f = old / "27-part7-graduation.reg"
    f.write_text(f.read_text().replace("is at least 125 credits", "is   at least   125 credits"))
    people = students(tmp_path, STUDENT)
    code, out, _ = run_cli("diff", str(SLICE), str(old), str(people), *AS_OF)
    assert code == 0
    assert "No provision was amended." in out


def test_a_new_version_of_an_article_is_an_added_provision(tmp_path):
    """Article 45 amended from 2027-04-01, keeping the old version: the old one's dates change and
    the new one is added (an article with one paragraph is one provision, not two)."""
    new = tmp_path / "new"
    shutil.copytree(SLICE, new)
    f = new / "27-part7-graduation.reg"
    f.write_text(f.read_text().replace(
        'article 45 "Academic Degrees"\n', 'article 45 "Academic Degrees" in force from 2022-12-20 until 2027-03-31\n')
        + '\narticle 45 "Academic Degrees" in force from 2027-04-01\n'
          "  | The degree awarded by the Faculty shall be the bachelor's degree (Global Studies).\n"
          "  degree_awarded = \"Bachelor's degree (Global Studies)\"\n")
    assert run_cli("check", str(new))[0] == 0
    code, out, _ = run_cli("diff", str(SLICE), str(new), students(tmp_path, STUDENT), "--as-of", "2027-04-01")
    assert code == 1
    part = out[out.index("Amended provisions:"):out.index("Students, by outcome")]
    assert part.splitlines()[1:] == [
        "",
        "  Article 45 (art_45), new/27-part7-graduation.reg:42",
        "    in force: 2022-12-20 to now -> 2022-12-20 to 2027-03-31",
        "",
        "  Article 45 (art_45), added, new/27-part7-graduation.reg:48",
        "    Academic Degrees, in force 2027-04-01 to now",
        "    | The degree awarded by the Faculty shall be the bachelor's degree (Global",
        "    | Studies).",
        "    + degree_awarded = \"Bachelor's degree (Global Studies)\"",
        "",
    ]


def _replace_paragraph_3_of_article_15(tmp_path, by: str):
    new = tmp_path / "new"
    shutil.copytree(SLICE, new)
    f = new / "22-part2-program-length.reg"
    text = f.read_text()
    start = text.index("  paragraph 3\n    | Individuals permitted")
    end = text.find("\narticle", start)
    f.write_text(text[:start] + by + (text[end:] if end >= 0 else ""))
    assert run_cli("check", str(new))[0] == 0, run_cli("check", str(new))[2]
    return new


def test_a_rewritten_paragraph_shows_old_and_new(tmp_path):
    new = _replace_paragraph_3_of_article_15(tmp_path, "  paragraph 3\n    | A paragraph of text only.\n")
    _, out, _ = run_cli("diff", str(SLICE), str(new), students(tmp_path, STUDENT), *AS_OF)
    part = out[out.index("Amended provisions:"):]
    assert "  Article 15, Paragraph 3 (art_15__para_3), new/22-part2-program-length.reg:" in part
    assert "    | [-Individuals permitted to enter midway" in part
    assert "    - max_years_enrolled = 2 * program_length of items 1 and 2 of the preceding" in part


def test_a_removed_paragraph(tmp_path):
    new = _replace_paragraph_3_of_article_15(tmp_path, "")
    _, out, _ = run_cli("diff", str(SLICE), str(new), students(tmp_path, STUDENT), *AS_OF)
    part = out[out.index("Amended provisions:"):]
    assert f"  Article 15, Paragraph 3 (art_15__para_3), removed, {SLICE}/22-part2-program-length.reg:" \
        in part.replace("\n      ", " ")
    assert "    | Individuals permitted to enter midway" in part


def test_limit_lists_the_first_students_by_outcome(tmp_path):
    people = students(tmp_path, *[STUDENT] * 5)
    code, out, _ = run_cli("diff", str(SLICE), str(amended(tmp_path)), str(people), *AS_OF, "--limit", "2")
    assert code == 1
    assert "Students, by outcome (the first 2 of 5):" in out
    assert "s01.json" in out and "s02.json" not in out
    assert "  ... and 3 more students (--limit 0 lists all)" in out
    _, every, _ = run_cli("diff", str(SLICE), str(amended(tmp_path, "again")), str(people), *AS_OF, "--limit", "0")
    assert "s04.json" in every and "more students" not in every


def test_students_are_ordered_by_their_most_common_changed_outcome():
    from regdsl.authoring.diff import Change, Comparison, text_report
    from regdsl.results.outcome import Outcome

    def o(name, value):
        return Outcome(name, "", value, None, "determined")

    changes = (Change("a.json", "rare", o("rare", False), o("rare", True)),
               Change("b.json", "common", o("common", False), o("common", True)),
               Change("c.json", "rare", o("rare", False), o("rare", True)),
               Change("c.json", "common", o("common", False), o("common", True)),
               Change("d.json", "common", o("common", False), o("common", True)))
    out = text_report(Comparison(changes, 4, (), {}), [], 0)
    listed = [line.strip() for line in out.splitlines() if line.strip().endswith(".json")]
    assert listed == ["b.json", "c.json", "d.json", "a.json"]
    assert "  common: 3 students\n    3  no -> yes\n\n  rare: 2 students\n    2  no -> yes\n" in out
    # within a student, the most common outcome first
    assert out.index("    common: no -> yes", out.index("c.json")) < out.index("    rare: no -> yes", out.index("c.json"))


def test_json_before_and_after_are_data(tmp_path):
    people = students(tmp_path, STUDENT)
    code, out, _ = run_cli("diff", str(SLICE), str(amended(tmp_path)), str(people), *AS_OF, "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert (data["students"], data["changed_students"]) == (1, 1)
    change = next(c for c in data["changes"] if c["outcome"] == "may_graduate")
    assert change["before"] == {"value": False, "unit": None, "status": "determined", "missing": [],
                                "decided_by": [], "reasons": [], "citations": change["before"]["citations"]}
    assert change["after"]["status"] == "discretionary" and change["after"]["value"] is None
    assert change["after"]["decided_by"] == ["the President, upon approval by the Faculty Meeting"]
    assert {"cite": "Article 44, Paragraph 1", "eid": "art_44__para_1"} in change["after"]["citations"]
    (prov,) = data["provisions"]
    assert prov["eid"] == "art_44__para_1" and prov["change"] == "amended"
    assert "125 credits" in prov["before"]["text"] and "124 credits" in prov["after"]["text"]
    assert any("124 credits" in line for line in prov["after"]["statements"])
    top = data["summary"][0]
    assert top["transitions"][0]["before"] == {"value": False, "unit": None, "status": "determined"}


def test_json_is_byte_identical_on_repeat(tmp_path):
    people = students(tmp_path, STUDENT, {**STUDENT, "years_enrolled": 3})
    args = ("diff", str(SLICE), str(amended(tmp_path)), str(people), *AS_OF, "--format", "json")
    assert run_cli(*args) == run_cli(*args)


def test_no_change_exits_zero(tmp_path):
    people = students(tmp_path, {**STUDENT, "credits_earned": 130})
    code, out, _ = run_cli("diff", str(SLICE), str(amended(tmp_path)), str(people), *AS_OF, "--format", "json")
    assert code == 0
    assert json.loads(out)["changes"] == []


def test_facts_no_book_declares_are_warned_about(tmp_path):
    people = students(tmp_path, {**STUDENT, "credit_earned": 3}, {**STUDENT, "credit_earned": 4},
                      {**STUDENT, "not_a_fact": 1})
    code, _, err = run_cli("diff", str(SLICE), str(amended(tmp_path)), str(people), *AS_OF)
    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith("students/s00.json:1:")
    assert lines[0].endswith(": warning: `credit_earned` is a fact neither book declares; it is ignored "
                             "(and by 1 other student); did you mean `credits_earned`?")
    assert lines[1].endswith("warning: `not_a_fact` is a fact neither book declares; it is ignored")


def test_a_fact_only_one_book_declares_is_not_warned_about(tmp_path):
    """An amendment may rename a fact: given to the old book, it is no typo."""
    new = amended(tmp_path)
    f = new / "27-part7-graduation.reg"
    f.write_text(f.read_text().replace("media_credits", "media_credits_earned"))
    assert run_cli("check", str(new))[0] == 0
    code, _, err = run_cli("diff", str(SLICE), str(new), students(tmp_path, STUDENT), *AS_OF)
    assert code == 1 and "warning" not in err


def test_case_tables_are_students_too(tmp_path):
    tests = tmp_path / "t.test.yaml"
    tests.write_text("book: .\nas_of: 2026-04-01\ncases:\n  - name: one credit short\n    facts:\n"
                     + "".join(f"      {k}: {json.dumps(v)}\n" for k, v in STUDENT.items()))
    code, out, _ = run_cli("diff", str(SLICE), str(amended(tmp_path)), "t.test.yaml")
    assert code == 1 and "t.test.yaml:4 one credit short" in out


def test_every_line_fits_in_80_columns(tmp_path):
    people = students(tmp_path, STUDENT, {**STUDENT, "took_prescribed_courses": None})
    _, out, _ = run_cli("diff", str(SLICE), str(amended(tmp_path)), str(people), *AS_OF)
    assert max(len(line) for line in out.splitlines()) <= 80


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from("the a 125 124 credits shall be approved by President".split()), max_size=12),
       st.lists(st.sampled_from("the a 125 124 credits shall be approved by President".split()), max_size=12))
def test_word_diff_keeps_both_texts(a, b):
    """Dropping the added words gives the old text; dropping the removed ones gives the new."""
    import re

    marked = word_diff(" ".join(a), " ".join(b))
    old = re.sub(r"\{\+.*?\+\}", " ", marked).replace("[-", "").replace("-]", "")
    new = re.sub(r"\[-.*?-\]", " ", marked).replace("{+", "").replace("+}", "")
    assert old.split() == a and new.split() == b


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab _", max_size=200))
def test_wrapped_code_keeps_every_word(line):
    lines = wrap_code(line, "    - ")
    assert " ".join(x[6:] for x in lines).split() == line.split()
    assert all(len(x) <= 80 or " " not in x[6:].strip() for x in lines)


def test_the_example_in_the_docs_is_what_diff_prints(monkeypatch):
    import re

    monkeypatch.chdir(ROOT)
    doc = (ROOT / "docs" / "cli.md").read_text()
    m = re.search(r"```\n\$ (regdsl diff [^\n]*)\n(.*?)```\n\nand on standard error:\n\n```\n(.*?)```", doc, re.S)
    assert m, "docs/cli.md has no diff example"
    args = m.group(1).split()[1:]
    code, out, err = run_cli(*args)
    assert (out, err) == (m.group(2), m.group(3))


def test_diff_books_gives_the_reports_the_command_prints(tmp_path):
    from regdsl.authoring.diff import diff_books
    from regdsl.authoring.testing import shown_path

    people = students(tmp_path, STUDENT, {**STUDENT, "credits_earnd": 1})
    new = str(amended(tmp_path))
    report = diff_books(str(SLICE), new, [people], "2026-04-01")
    assert (report.comparison.students, report.comparison.changed_students) == (2, 2)
    assert [w["fact"] for w in report.warnings] == ["credits_earnd"]
    assert [a.to_dict()["eid"] for a in report.provisions]
    _, out, _ = run_cli("diff", str(SLICE), new, people, *AS_OF)
    assert report.text(shown=shown_path) == out
    _, out, _ = run_cli("diff", str(SLICE), new, people, *AS_OF, "--format", "json")
    assert report.json() == out and json.loads(out)["old"] == str(SLICE)
