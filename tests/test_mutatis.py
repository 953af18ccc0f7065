"""Mutatis mutandis: a book applying another where it is silent."""

from __future__ import annotations

import textwrap

import pytest

import regdsl
from regdsl.errors import BookErrors

UNDERGRAD = """
book univ "University Regulations"
  cited as "University Regulations"
  in force from 2000-01-01

body President "the President"

article 14 "Degree Program Length"
  | The length of the Faculty's degree programs shall be four years.
  outcome program_length : years "program length"
  program_length = 4 years

article 15 "Limit on Years Enrolled"
  | The maximum number of years shall be twice the degree program length of Article 14.
  fact years_enrolled : years "years enrolled"
  outcome max_years : years "limit"
  outcome over_limit : boolean "over the limit"
  max_years = 2 * program_length of article 14
  over_limit if years_enrolled exceeds max_years

article 58 "Extension Courses"
  | Extension courses may be held in order to improve the education of working adults.
  decision extension_courses_held by President "extension courses are held"
  outcome extension_courses : boolean "whether extension courses are held"
  extension_courses if extension_courses_held
"""

GRAD = """
book grad "Graduate School Regulations"
  uses univ from "../univ"
  in force from 2000-01-01

article 8 "Program Length"
  | The standard length of the master's degree program shall be two years.
  outcome standard_program_length : years "standard length"
  standard_program_length = 2 years

article 9 "Limit"
  | Students in the master's degree program may not be enrolled for more than four years.
  outcome over_limit : boolean "over the graduate limit"
  over_limit if years_enrolled exceeds 4 years

article 52 "Mutatis Mutandis Application"
  | In addition to the provisions in these Graduate School Regulations, the University
  | Regulations shall be applied mutatis mutandis to necessary matters pertaining to the
  | Graduate School.
  applies univ mutatis mutandis
    reading "Faculty" as "Graduate School"
    reading program_length as standard_program_length
    reading article 14 as article 8
"""


@pytest.fixture()
def grad(tmp_path):
    (tmp_path / "univ").mkdir()
    (tmp_path / "grad").mkdir()
    (tmp_path / "univ" / "book.reg").write_text(textwrap.dedent(UNDERGRAD))
    (tmp_path / "grad" / "book.reg").write_text(textwrap.dedent(GRAD))
    return tmp_path


def test_matter_only_the_other_book_settles_uses_it_with_the_path(grad):
    book = regdsl.load(grad / "grad")
    o = book.evaluate({"extension_courses_held": True}, "2026-01-01")["extension_courses"]
    assert o.value is True
    c = o.citations[0]
    assert c.cite == "Article 52 → University Regulations, Article 58"
    assert (c.eid, c.book, c.via) == ("art_58", "univ", "art_52")


def test_own_provision_wins_over_the_other_book(grad):
    book = regdsl.load(grad / "grad")
    o = book.evaluate({"years_enrolled": 5}, "2026-01-01")["over_limit"]
    assert o.value is True                      # graduate Article 9: more than four years
    assert [c.eid for c in o.citations] == ["art_9"]


def test_readings_carry_into_the_other_books_rules(grad):
    book = regdsl.load(grad / "grad")
    o = book.evaluate({}, "2026-01-01", ["max_years"])["max_years"]
    # University Article 15 read with program_length as the graduate standard length
    assert o.value == 4
    cites = [c.cite for c in o.citations]
    assert cites == ["Article 52 → University Regulations, Article 15", "Article 8"]
    assert "Graduate School" not in o.explanation.text  # Article 15's text has no "Faculty"


def test_decision_of_the_other_book_names_its_body(grad):
    o = regdsl.load(grad / "grad").evaluate({}, "2026-01-01")["extension_courses"]
    assert o.status == "discretionary" and o.decided_by == ("the President",)


def test_reference_into_the_other_book_that_does_not_exist(grad):
    text = (grad / "grad" / "book.reg").read_text() + "    except article 99\n"
    (grad / "grad" / "book.reg").write_text(text)
    with pytest.raises(BookErrors) as e:
        regdsl.load(grad / "grad")
    assert [err.code for err in e.value.errors] == ["E303"]
    assert "Article 99" in e.value.errors[0].message


def test_excluded_provision_is_not_applied(grad):
    text = (grad / "grad" / "book.reg").read_text() + "    except article 58\n"
    (grad / "grad" / "book.reg").write_text(text)
    book = regdsl.load(grad / "grad")
    assert "extension_courses" not in book.evaluate({}, "2026-01-01")


def test_schema_marks_adopted_names(grad):
    schema = regdsl.load(grad / "grad").schema()
    adopted = {o["name"]: o for o in schema["outcomes"] if "via" in o}
    assert adopted["extension_courses"]["via"]["cite"] == "Article 52"
    assert adopted["extension_courses"]["provisions"][0]["cite"].startswith("Article 52 →")


def test_only_facts_an_applied_rule_reads_are_taken(grad):
    univ = (grad / "univ" / "book.reg").read_text() + textwrap.dedent("""
    article 59 "Credits"
      | The limit shall be 60 credits.
      fact entry : one of first, second "the year of entry"
      outcome credit_cap : credits "the limit"
      credit_cap = 60 credits

      paragraph 2
        | For second-year entrants it shall be 30 credits.
        credit_cap = 30 credits when entry is second overrides paragraph 1
    """)
    (grad / "univ" / "book.reg").write_text(univ)
    text = (grad / "grad" / "book.reg").read_text() + "    except article 59 paragraph 2\n"
    (grad / "grad" / "book.reg").write_text(text)
    book = regdsl.load(grad / "grad")
    schema = book.schema()
    assert "credit_cap" in {o["name"] for o in schema["outcomes"]}
    # `entry` is read only by the excepted paragraph: the graduate book cannot use it.
    assert "entry" not in {f["name"] for f in schema["facts"]}
    assert book.evaluate({}, "2026-01-01", ["credit_cap"])["credit_cap"].value == 60
    with pytest.raises(BookErrors) as e:
        book.evaluate({"entry": "second"}, "2026-01-01")
    assert [err.code for err in e.value.errors] == ["E601"]


def test_a_description_of_the_other_book_is_read_like_its_text(tmp_path, grad):
    text = (grad / "univ" / "book.reg").read_text().replace(
        'outcome max_years : years "limit"', 'outcome max_years : years "twice the length of Article 14"')
    (grad / "univ" / "book.reg").write_text(text)
    book = regdsl.load(grad / "grad")
    o = book.evaluate({}, "2026-01-01", ["max_years"])["max_years"]
    assert o.description == "twice the length of Article 8"
    assert {x["name"]: x for x in book.schema()["outcomes"]}["max_years"]["description"] == o.description
    univ = regdsl.load(grad / "univ")
    assert univ.evaluate({}, "2026-01-01", ["max_years"])["max_years"].description == \
        "twice the length of Article 14"
