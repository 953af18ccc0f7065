"""The Graduate School Regulations (regulations/graduate): case tables, checks and versions.

The case tables in regulations/graduate/tests are the main tests of the book; this file runs
them and adds what a case table cannot say: that the checker verifies the printed totals of
Article 7's table and rejects a reference into the University Regulations that does not
exist, that evaluation reports the version of each article it applied (and picks an older
version when one is added), the class-hour table's times of day, and that every case cites a
sentence of the book.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil

import pytest

import regdsl
from regdsl.errors import BookErrors
from regdsl.authoring.testing import load_cases, find_test_files, run

from conftest import REGULATIONS, run_cli

GRADUATE = REGULATIONS / "graduate"
CASES = GRADUATE / "tests"


@pytest.fixture(scope="module")
def graduate():
    return regdsl.load(GRADUATE)


@pytest.fixture()
def copy(tmp_path):
    """A copy of the graduate book (with the University Regulations beside it) to edit."""
    for name in ("graduate", "university"):
        shutil.copytree(REGULATIONS / name, tmp_path / name, ignore=shutil.ignore_patterns("tests"))
    return tmp_path / "graduate"


def _edit(book_dir, file_glob: str, old: str, new: str, count: int = 1) -> None:
    path = next(book_dir.glob(file_glob))
    text = path.read_text("utf-8")
    assert text.count(old) >= 1, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), "utf-8")


def _codes(book_dir) -> list[str]:
    with pytest.raises(BookErrors) as e:
        regdsl.load(book_dir)
    return [err.code for err in e.value.errors]


# ---------------------------------------------------------------- the case tables


def test_case_tables_pass_and_are_enough():
    report = run([CASES])
    assert not report.failures, "\n".join(f.render() for f in report.failures)
    assert report.cases >= 100


def test_every_case_cites_a_sentence_of_the_book(graduate):
    model = graduate.model
    words = [model.title, *model.preamble]
    for p in model.provisions():
        words += p.texts
    text = re.sub(r"\s+", " ", " ".join(words))
    unquoted = []
    for f in find_test_files([CASES]):
        for case in load_cases(f):
            sentence = re.sub(r"\s+", " ", case.sentence).strip()
            if not sentence or sentence not in text:
                unquoted.append(f"{f.name}:{case.line}: {case.name}: {case.sentence!r}")
    assert not unquoted, "cases whose sentence is not in the book:\n" + "\n".join(unquoted)


def test_the_book_checks_clean():
    code, out, err = run_cli("check", str(GRADUATE))
    assert code == 0, err


# ---------------------------------------------------------------- Article 7: the printed totals


def test_article_7_totals_are_verified(copy):
    regdsl.load(copy)  # the printed totals add up
    _edit(copy, "02-*.reg", "total none, \"Total\", 148 persons", "total none, \"Total\", 149 persons")
    with pytest.raises(BookErrors) as e:
        regdsl.load(copy)
    (err,) = e.value.errors
    assert err.code == "E409"
    assert "masters_admission_limit" in err.message and "148" in err.message and "149" in err.message


def test_a_wrong_row_is_caught_by_the_totals(copy):
    _edit(copy, "02-*.reg", "row jdpsr, \"Joint Doctoral Program for Sustainability Research (JDPSR)\", none, none, 3 persons, 9 persons",
          "row jdpsr, \"Joint Doctoral Program for Sustainability Research (JDPSR)\", none, none, 3 persons, 8 persons")
    assert _codes(copy) == ["E409"]


# ---------------------------------------------------------------- references into the other book


def test_reference_into_the_university_regulations_that_does_not_exist(copy):
    # Article 1 cites "Article 14, Paragraph 4 of the University Regulations", which the
    # encoded University Regulations do not have; written as a reference it is an error
    # naming both ends.
    _edit(copy, "01-*.reg", "article 2 deleted",
          "  refers to article 14 paragraph 4 of university_regulations\n\narticle 2 deleted")
    with pytest.raises(BookErrors) as e:
        regdsl.load(copy)
    (err,) = e.value.errors
    assert err.code == "E303"
    assert "Article 14, Paragraph 4" in err.message and "01-section1-general.reg" in err.span.file


def test_an_exception_naming_a_missing_article_is_an_error(copy):
    _edit(copy, "12-*.reg", "    except article 13.2,", "    except article 99, article 13.2,")
    with pytest.raises(BookErrors) as e:
        regdsl.load(copy)
    assert [err.code for err in e.value.errors] == ["E303"]
    assert "Article 99" in e.value.errors[0].message
    assert "University Regulations" in e.value.errors[0].message


def test_a_reading_of_a_missing_name_is_an_error(copy):
    _edit(copy, "12-*.reg", "reading program_length as standard_program_length",
          "reading program_lenght as standard_program_length")
    assert _codes(copy) == ["E301"]


# ---------------------------------------------------------------- versions


MASTERS = {"program": "masters", "course_of_study": "japan_studies_course", "admission_date": "2024-04-01",
           "years_enrolled": 3, "total_leave": 0}


def test_eval_reports_the_version_of_each_article_applied():
    code, out, err = run_cli("eval", str(GRADUATE), "-", "--as-of", "2026-04-01", "--format", "json",
                             "--outcome", "years_limit_exceeded", "--outcome", "max_consecutive_leave",
                             stdin=json.dumps({**MASTERS, "leave_extension_period": 0}))
    assert code == 0, err
    outcomes = {o["name"]: o for o in json.loads(out)["outcomes"]}
    versions = {v["cite"]: v for v in outcomes["years_limit_exceeded"]["versions"]}
    assert versions["Article 9"] == {"cite": "Article 9", "eid": "art_9", "in_force_from": "2025-04-01",
                                     "in_force_until": None}
    assert versions["Article 20"]["in_force_from"] == "2025-04-01"
    # An article of the University Regulations applied through Article 52: its own version.
    (adopted,) = outcomes["max_consecutive_leave"]["versions"]
    assert adopted["cite"] == "Article 52 → University Regulations, Article 38"
    assert adopted["in_force_from"] == "2022-12-20"


OLD_ARTICLE_9 = '''# A test-only earlier version, added before the current one without deleting it.
article 9 "Limit on Years Enrolled" in force from 1992-04-30 until 2025-03-31
  | (An earlier text of Article 9.)
  max_years_enrolled = 4 years when program is masters
  years_limit_exceeded if program is masters and years_counted_toward_limit exceeds max_years_enrolled

  paragraph 2
    | (Its second paragraph.)

  paragraph 3
    | (Its third paragraph.)
    max_years_enrolled = 6 years when program is doctoral
    years_limit_exceeded if program is doctoral and years_counted_toward_limit exceeds max_years_enrolled

'''


def test_an_older_version_added_beside_the_current_one_governs_the_2024_doctoral_cohort(copy):
    # The amendment is recorded as a new dated version: the current text gets its start date,
    # the earlier text goes before it with its end date, and nothing is deleted.
    _edit(copy, "03-*.reg", 'article 9 "Limit on Years Enrolled"\n',
          OLD_ARTICLE_9 + 'article 9 "Limit on Years Enrolled" in force from 2025-04-01\n')
    book = regdsl.load(copy)
    cohort_2024 = {"program": "doctoral", "admission_date": "2024-04-01"}
    o = book.evaluate(cohort_2024, "2026-04-01", ["max_years_enrolled"])["max_years_enrolled"]
    assert (o.value, o.status) == (6, "determined")
    (version,) = o.versions
    assert (version.in_force_from, version.in_force_until) == (dt.date(1992, 4, 30), dt.date(2025, 3, 31))
    # The 2025 cohort still gets the current version ...
    o = book.evaluate({**cohort_2024, "admission_date": "2025-04-01"}, "2026-04-01",
                      ["max_years_enrolled"])["max_years_enrolled"]
    assert o.value == 6 and o.versions[0].in_force_until is None
    # ... and an article with no earlier version stays undetermined for the 2024 cohort.
    o = book.evaluate(cohort_2024, "2026-04-01", ["max_total_leave"])["max_total_leave"]
    assert o.status == "undetermined" and "suppl__para_2" in [c.eid for c in o.citations]
    # The text output names the version applied.
    facts = copy.parent / "d.json"
    facts.write_text(json.dumps(cohort_2024))
    code, out, err = run_cli("eval", str(copy), str(facts), "--as-of", "2026-04-01",
                             "--outcome", "max_years_enrolled")
    assert code == 0, err
    assert "Versions: Article 9 as in force from 1992-04-30 to 2025-03-31" in out


def test_as_of_picks_the_version_in_force_on_that_date(graduate):
    before = graduate.evaluate(MASTERS, "2025-03-31", ["max_years_enrolled"])["max_years_enrolled"]
    assert before.status == "undetermined"
    assert "Article 9 as in force on 2025-03-31 is not encoded" in before.reasons[0]
    after = graduate.evaluate(MASTERS, "2025-04-01", ["max_years_enrolled"])["max_years_enrolled"]
    assert (after.value, after.status) == (4, "determined")


# ---------------------------------------------------------------- tables of times and grades


@pytest.mark.parametrize("period, starts, ends", [
    (1, dt.time(8, 30), dt.time(10, 0)),
    (2, dt.time(10, 10), dt.time(11, 40)),
    (3, dt.time(12, 40), dt.time(14, 10)),
    (4, dt.time(14, 20), dt.time(15, 50)),
    (5, dt.time(16, 0), dt.time(17, 30)),
    (6, dt.time(17, 40), dt.time(19, 10)),
    (7, dt.time(19, 20), dt.time(20, 50)),
])
def test_class_hours_are_times_of_day(graduate, period, starts, ends):
    r = graduate.evaluate({"program": "masters", "class_period": period}, "2026-04-01",
                          ["class_period_starts", "class_period_ends"])
    assert (r["class_period_starts"].value, r["class_period_ends"].value) == (starts, ends)
    assert [c.eid for c in r["class_period_starts"].citations] == ["art_31-2__para_1"]


def test_there_is_no_eighth_period(graduate):
    o = graduate.evaluate({"program": "masters", "class_period": 8}, "2026-04-01",
                          ["class_period_starts"])["class_period_starts"]
    assert o.status == "undetermined" and "not in table `class_periods`" in o.reasons[0]


def test_the_grade_table_uses_latin_letters(graduate):
    letters = {graduate.evaluate({"program": "masters", "mark": m}, "2026-04-01", ["grade"])["grade"].value
               for m in (95, 75, 65, 30)}
    assert letters == {"A", "B", "C", "D"}  # Latin, though the seed prints В and С


# ---------------------------------------------------------------- mutatis mutandis


def test_the_university_regulations_text_is_read_for_the_graduate_school(graduate):
    facts = {"program": "masters", "course_of_study": "japan_studies_course", "admission_date": "2024-04-01",
             "years_enrolled": 2, "total_leave": 0, "suspension_period": 0, "took_prescribed_courses": True,
             "credits_earned_at_graduate_school": 30, "credits_earned_abroad": 0,
             "credits_at_other_graduate_schools": 0, "credits_at_foreign_graduate_schools": 0,
             "prior_credits_earned_at_graduate_school": 0, "prior_credits_earned_elsewhere": 0,
             "received_research_instruction": True, "thesis_review_result": "pass", "passed_final_exam": True,
             "completion_approved": True}
    o = graduate.evaluate(facts, "2026-04-01", ["receives_diploma"])["receives_diploma"]
    assert o.value is True
    first = o.citations[0]
    assert (first.cite, first.book, first.via) == (
        "Article 52 → University Regulations, Article 44, Paragraph 4", "university_regulations", "art_52")
    assert "students completing the program" in o.explanation.text
    assert "approved for graduation" not in o.explanation.text


# The outcomes Article 52 takes from the University Regulations.  If this changes -- the
# University Regulations gained an outcome, or renamed one the graduate book reuses -- decide
# whether the graduate book regulates that matter itself (reuse the name, or add a reading),
# whether it is the Faculty's own (add it to `except`), or whether it applies as it is.
ADOPTED_OUTCOMES = {
    "max_consecutive_leave",            # Art. 38(1): a single leave within one year
    "consecutive_leave_exceeded",       # Art. 38(1): the current leave is over that limit
    "prior_approval_required",          # Art. 40: enrolling elsewhere or in another field
    "application_elsewhere_permitted",  # Art. 40
    "study_abroad_counted",             # Art. 41(2)
    "may_graduate",                     # Art. 44(1): completion approved, read for completion
    "receives_diploma",                 # Art. 44(4), read for completion
    "may_enroll_in_different_field",    # Art. 24.2: separate regulations
}


def test_schema_lists_what_article_52_adopts(graduate):
    schema = graduate.schema()
    adopted = {o["name"] for o in schema["outcomes"] if "via" in o}
    assert adopted == ADOPTED_OUTCOMES
    for o in schema["outcomes"]:
        if "via" in o:
            assert o["via"]["cite"] == "Article 52"
            assert all(p["cite"].startswith("Article 52 → University Regulations, ") for p in o["provisions"])
    # The same matter under this book's name is not adopted.
    for own in ("max_years_enrolled", "must_be_expelled", "degree_awarded",
                "meets_graduation_requirements", "program_length", "credits_counted_for_graduation",
                "eligible_for_third_year_admission", "recognition_limit_exceeded"):
        assert own not in adopted


# Facts only the excepted University provisions (or the matters this book answers itself)
# read: the graduate book cannot use them, so its schema does not list them and a facts file
# that gives one is told so.
NOT_USABLE = {"entry", "school", "credits_at_other_universities", "credits_at_foreign_universities",
              "credits_before_enrollment_at_the_university", "credits_before_enrollment_elsewhere",
              "credits_for_non_university_study", "credits_for_prior_non_university_study",
              "credits_recognised_for_mid_program_entry", "credits_earned", "media_credits",
              "non_degree_period_counted"}


def test_schema_lists_only_the_facts_the_book_can_use(graduate):
    schema = graduate.schema()
    facts = {f["name"] for f in schema["facts"]}
    decisions = {d["name"] for d in schema["decisions"]}
    assert not (facts | decisions) & NOT_USABLE
    assert not {"graduation_approved", "other_university_credits_beneficial",
                "prior_credits_beneficial"} & decisions
    # what the adopted rules read is listed, with the path
    adopted = {f["name"]: f for f in schema["facts"] if "via" in f}
    assert {"current_leave", "leave_extension_period", "application_elsewhere"} <= set(adopted)
    with pytest.raises(BookErrors) as e:
        graduate.evaluate({"program": "masters", "entry": "first_year"}, "2026-04-01")
    assert [err.code for err in e.value.errors] == ["E601"]


def test_descriptions_reached_through_article_52_are_read_like_the_text(graduate):
    r = graduate.evaluate({"program": "masters", "study_abroad_period": 6}, "2026-04-01",
                          ["study_abroad_counted", "may_graduate"])
    counted = r["study_abroad_counted"].description
    assert "(Article 8)" in counted and "(Article 9)" in counted
    assert "Article 14" not in counted and "Article 15" not in counted
    assert r["may_graduate"].description == "Whether the student is approved to complete the program."
    schema = {o["name"]: o for o in graduate.schema()["outcomes"]}
    assert schema["study_abroad_counted"]["description"] == counted
