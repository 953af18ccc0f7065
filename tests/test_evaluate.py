"""Evaluator semantics, construct by construct, on small books written inline."""

from __future__ import annotations

import textwrap
from decimal import Decimal

import pytest

import regdsl
from regdsl.errors import BookErrors


def book(tmp_path, body: str, in_force: str = "2000-01-01") -> regdsl.Book:
    path = tmp_path / "book.reg"
    path.write_text(f'book t "Test Book"\n  in force from {in_force}\n\nbody President "the President"\n'
                    'body Faculty_Meeting "the Faculty Meeting"\n\n' + textwrap.dedent(body))
    return regdsl.load(path)


def problems(tmp_path, body: str) -> list[str]:
    with pytest.raises(BookErrors) as e:
        book(tmp_path, body)
    return [err.code for err in e.value.errors]


LIMITS = """
article 1 "Limits"
  | The maximum shall be eight years.
  fact entry : one of first, second, third "entry year"
  fact years : years "years enrolled"
  outcome max_years : years "limit"
  outcome exceeded : boolean "over the limit"
  max_years = 8 years
  exceeded if years exceeds max_years

  paragraph 2
    | Notwithstanding the preceding paragraph, second-year entrants: six years.
    max_years = 6 years when entry is second
      notwithstanding the preceding paragraph

  paragraph 3
    | Third-year entrants: four years.
    max_years = 4 years when entry is third
      overrides paragraph 1
"""


class TestExceptions:
    def test_base_rule_when_no_exception_applies(self, tmp_path):
        r = book(tmp_path, LIMITS).evaluate({"entry": "first", "years": 7}, "2026-01-01")
        assert r["max_years"].value == 8 and r["max_years"].unit == "years"
        assert [c.eid for c in r["max_years"].citations] == ["art_1__para_1"]

    def test_exception_overrides_only_where_its_condition_holds(self, tmp_path):
        b = book(tmp_path, LIMITS)
        r = b.evaluate({"entry": "second", "years": 7}, "2026-01-01")
        assert r["max_years"].value == 6
        assert r["exceeded"].value is True
        assert "art_1__para_2" in [c.eid for c in r["max_years"].citations]
        assert "art_1__para_1" not in [c.eid for c in r["max_years"].citations]
        assert b.evaluate({"entry": "third"}, "2026-01-01")["max_years"].value == 4

    def test_unknown_exception_condition_makes_answer_undetermined(self, tmp_path):
        r = book(tmp_path, LIMITS).evaluate({"years": 7}, "2026-01-01")
        assert r["max_years"].status == "undetermined"
        assert r["max_years"].missing == ("entry",)
        assert r["max_years"].value is None

    def test_however_proviso(self, tmp_path):
        b = book(tmp_path, """
        article 1 "Length"
          | The length shall be four years. However, it shall be as follows.
          fact entry : one of first, second "entry"
          outcome length : years "length"
          length = 4 years
          item 1
            | Second-year entrants: 3 years
            however length = 3 years when entry is second
        """)
        assert b.evaluate({"entry": "first"}, "2026-01-01")["length"].value == 4
        r = b.evaluate({"entry": "second"}, "2026-01-01")["length"]
        assert r.value == 3 and r.citations[0].eid == "art_1__item_1"

    def test_unknown_exception_that_would_not_change_the_answer(self, tmp_path):
        b = book(tmp_path, """
        article 1 "A"
          | Base.
          fact a : boolean "a"
          fact flag : boolean "flag"
          outcome x : boolean "x"
          x if a
          paragraph 2
            | Also true when flagged, notwithstanding the preceding paragraph.
            x if flag notwithstanding the preceding paragraph
        """)
        # the exception could only make x true, and x is true anyway
        assert b.evaluate({"a": True}, "2026-01-01")["x"].value is True
        assert b.evaluate({"a": False}, "2026-01-01")["x"].status == "undetermined"

    def test_exception_naming_nothing_is_rejected(self, tmp_path):
        codes = problems(tmp_path, """
        article 1 "A"
          | Text.
          outcome x : years "x"
          outcome y : years "y"
          y = 1 year
          paragraph 2
            | Notwithstanding the preceding paragraph.
            x = 2 years notwithstanding the preceding paragraph
        """)
        assert "E501" in codes

    def test_exception_cycle_is_rejected(self, tmp_path):
        codes = problems(tmp_path, """
        article 1 "A"
          | Text.
          outcome x : years "x"
          x = 1 year overrides paragraph 2
          paragraph 2
            | Text.
            x = 2 years overrides paragraph 1
        """)
        assert "E502" in codes

    def test_conflicting_rules_are_reported_not_guessed(self, tmp_path):
        b = book(tmp_path, """
        article 1 "A"
          | Text.
          fact late : boolean "late"
          outcome x : years "x"
          x = 1 year
          paragraph 2
            | Text.
            x = 2 years when late
        """)
        o = b.evaluate({"late": True}, "2026-01-01")["x"]
        assert o.status == "undetermined"
        assert any("E801" in r for r in o.reasons)
        assert b.evaluate({"late": False}, "2026-01-01")["x"].value == 1

    def test_rules_that_always_conflict_are_a_check_error(self, tmp_path):
        codes = problems(tmp_path, """
        article 1 "A"
          | Text.
          outcome x : years "x"
          x = 1 year
          paragraph 2
            | Text.
            x = 2 years
        """)
        assert codes == ["E505"]


class TestUnknowns:
    EXPEL = """
    article 43 "Expulsion"
      | The President shall expel students to whom any of the following apply.
      fact over_limit : boolean "over the limit"
      fact unpaid : boolean "unpaid"
      outcome must_be_expelled : boolean "expel"
      outcome degree : text "degree"
      must_be_expelled if any of the items
      degree = "Bachelor"
      item 1
        | The limit has been exceeded
        over_limit
      item 2
        | Tuition unpaid
        unpaid
    """

    def test_one_true_item_decides_despite_unknown_others(self, tmp_path):
        o = book(tmp_path, self.EXPEL).evaluate({"over_limit": True}, "2026-01-01")["must_be_expelled"]
        assert o.value is True and o.status == "determined"
        assert [c.cite for c in o.citations] == ["Article 43", "Article 43, Item 1"]

    def test_unknown_fact_is_never_false(self, tmp_path):
        o = book(tmp_path, self.EXPEL).evaluate({"over_limit": False}, "2026-01-01")["must_be_expelled"]
        assert o.status == "undetermined" and o.value is None
        assert o.missing == ("unpaid",)

    def test_all_false_is_false_and_cites_every_item(self, tmp_path):
        o = book(tmp_path, self.EXPEL).evaluate({"over_limit": False, "unpaid": False},
                                               "2026-01-01")["must_be_expelled"]
        assert o.value is False and o.status == "determined"
        assert {c.eid for c in o.citations} >= {"art_43__item_1", "art_43__item_2"}

    def test_outcomes_not_depending_on_unknowns_are_answered(self, tmp_path):
        r = book(tmp_path, self.EXPEL).evaluate({}, "2026-01-01")
        assert r["degree"].value == "Bachelor" and r["degree"].status == "determined"
        assert r["must_be_expelled"].status == "undetermined"

    def test_explicit_null_is_unknown(self, tmp_path):
        o = book(tmp_path, self.EXPEL).evaluate({"over_limit": None, "unpaid": False},
                                               "2026-01-01")["must_be_expelled"]
        assert o.missing == ("over_limit",)


class TestDiscretion:
    GRAD = """
    article 44 "Graduation"
      | Students who have earned at least 125 credits shall be approved by the President to
      | graduate upon approval by the Faculty Meeting.
      fact credits : credits "credits"
      decision approved by President upon approval by Faculty_Meeting "graduation approved"
      outcome may_graduate : boolean "graduate"
      may_graduate if credits is at least 125 credits and approved
    """

    def test_requirements_met_is_discretionary_naming_the_body(self, tmp_path):
        o = book(tmp_path, self.GRAD).evaluate({"credits": 125}, "2026-01-01")["may_graduate"]
        assert o.status == "discretionary"
        assert o.decided_by == ("the President, upon approval by the Faculty Meeting",)
        assert o.missing == ()

    def test_requirements_not_met_is_determined_false(self, tmp_path):
        o = book(tmp_path, self.GRAD).evaluate({"credits": 124}, "2026-01-01")["may_graduate"]
        assert o.status == "determined" and o.value is False

    def test_decision_given_as_fact_determines(self, tmp_path):
        b = book(tmp_path, self.GRAD)
        assert b.evaluate({"credits": 130, "approved": True}, "2026-01-01")["may_graduate"].value is True
        assert b.evaluate({"credits": 130, "approved": False}, "2026-01-01")["may_graduate"].value is False

    def test_unknown_requirements_and_pending_decision(self, tmp_path):
        o = book(tmp_path, self.GRAD).evaluate({}, "2026-01-01")["may_graduate"]
        assert o.status == "undetermined"
        assert o.missing == ("credits",)
        assert o.decided_by == ("the President, upon approval by the Faculty Meeting",)


class TestUnits:
    def test_years_plus_credits_is_an_error(self, tmp_path):
        codes = problems(tmp_path, """
        article 1 "A"
          | Text.
          fact y : years "y"
          fact c : credits "c"
          outcome x : years "x"
          x = y + c
        """)
        assert codes == ["E402"]

    def test_years_and_months_convert(self, tmp_path):
        b = book(tmp_path, """
        article 1 "A"
          | Text.
          fact y : years "y"
          fact leave : months "leave"
          outcome counted : years "counted"
          outcome over : boolean "over"
          counted = y - leave
          over if counted exceeds 8 years
        """)
        r = b.evaluate({"y": 9, "leave": "18 months"}, "2026-01-01")
        assert r["counted"].value == Decimal("7.5") and r["counted"].unit == "years"
        assert r["over"].value is False
        assert b.evaluate({"y": "110 months", "leave": 0}, "2026-01-01")["over"].value is True

    def test_rates_multiply_out(self, tmp_path):
        b = book(tmp_path, """
        article 30 "Calculating Credits"
          | Lectures given one hour a week over 15 weeks shall be one credit.
          fact weekly : hours per week "hours a week"
          fact weeks : weeks "weeks"
          outcome credits : credits "credits"
          credits = weekly * weeks / (1 hour per week * 15 weeks) * 1 credit
        """)
        assert b.evaluate({"weekly": 2, "weeks": 15}, "2026-01-01")["credits"].value == 2

    def test_comparing_dates_with_years_is_an_error(self, tmp_path):
        codes = problems(tmp_path, """
        article 1 "A"
          | Text.
          fact d : date "d"
          outcome x : boolean "x"
          x if d > 3 years
        """)
        assert codes == ["E401"]


class TestDates:
    def test_age_boundary(self, tmp_path):
        b = book(tmp_path, """
        article 20 "Admission"
          | Those who are 18 years of age or older.
          fact born : date "birth date"
          fact admitted : date "admission date"
          outcome adult : boolean "18 or older"
          adult if age(born, admitted) is at least 18 years
        """)
        assert b.evaluate({"born": "2008-04-01", "admitted": "2026-04-01"}, "2026-04-01")["adult"].value
        assert not b.evaluate({"born": "2008-04-02", "admitted": "2026-04-01"}, "2026-04-01")["adult"].value

    def test_month_arithmetic_and_calendar(self, tmp_path):
        b = book(tmp_path, """
        article 54 "Tuition During a Leave"
          | Exempted from the month after taking leave to the month before reenrolling. However,
          | from the month when the leave begins if it begins at the beginning of the month.
          fact leave_start : date "leave"
          fact back : date "reenrollment"
          outcome exempt_months : months "months"
          exempt_months = calendar_months(next_month_start(leave_start), previous_month_end(back))
          however exempt_months = calendar_months(leave_start, previous_month_end(back))
            when is_first_of_month(leave_start)
        """)
        assert b.evaluate({"leave_start": "2025-05-15", "back": "2025-10-01"},
                          "2026-01-01")["exempt_months"].value == 4
        assert b.evaluate({"leave_start": "2025-05-01", "back": "2025-10-01"},
                          "2026-01-01")["exempt_months"].value == 5

    def test_holidays_and_weekends(self, tmp_path):
        b = book(tmp_path, """
        article 18 "Vacations"
          | Classes shall not be held on Saturdays, Sundays and national holidays.
          fact day : date "day"
          outcome no_classes : boolean "no classes"
          no_classes if is_weekend(day) or is_national_holiday(day)
        """)
        ev = lambda d: b.evaluate({"day": d}, "2026-01-01")["no_classes"].value  # noqa: E731
        assert ev("2025-11-03") is True   # Culture Day (a Monday)
        assert ev("2025-11-08") is True   # Saturday
        assert ev("2025-11-04") is False  # a Tuesday


class TestAsOf:
    VERSIONS = """
    article 9 "Limit" in force from 2020-04-01 until 2025-03-31
      | Old text: three years.
      outcome limit : years "limit"
      limit = 3 years

    article 9 "Limit" in force from 2025-04-01
      | New text: four years.
      limit = 4 years
    """

    def test_version_in_force_on_the_date_is_used(self, tmp_path):
        b = book(tmp_path, self.VERSIONS)
        assert b.evaluate({}, "2025-03-31")["limit"].value == 3
        o = b.evaluate({}, "2025-04-01")["limit"]
        assert o.value == 4
        assert o.versions[0].in_force_from.isoformat() == "2025-04-01"

    def test_unencoded_version_is_undetermined_not_current(self, tmp_path):
        o = book(tmp_path, self.VERSIONS).evaluate({}, "2019-01-01")["limit"]
        assert o.status == "undetermined"
        assert "not encoded" in o.reasons[0]

    def test_overlapping_versions_are_rejected(self, tmp_path):
        codes = problems(tmp_path, """
        article 9 "Limit" in force from 2020-04-01
          | Old.
          outcome limit : years "limit"
          limit = 3 years
        article 9 "Limit" in force from 2025-04-01
          | New.
          limit = 4 years
        """)
        assert "E205" in codes


class TestDelegation:
    def test_delegated_matter_is_undetermined_with_reason_and_citation(self, tmp_path):
        b = book(tmp_path, """
        article 17 "Terms"
          | The academic year is divided into quarters.
          outcome quarter_dates : text "the dates of the quarters"
          paragraph 2
            | The dates of each quarter shall be determined separately.
            delegated quarter_dates
        """)
        o = b.evaluate({}, "2026-01-01")["quarter_dates"]
        assert o.status == "undetermined"
        assert o.reasons == ("delegated to separate regulations (Article 17, Paragraph 2)",)
        assert o.citations[0].eid == "art_17__para_2"

    CREDITS = """
    article 29 "Credits"
      | Numbers of credits shall be stipulated separately.
      outcome credits : credits "the credits of a class"
      outcome approved : boolean "whether the credits are approved"
      delegated credits, approved
    article 30 "Calculating Credits"
      | Lectures given one hour a week over 15 weeks shall be one credit.
      fact hours : hours per week "weekly hours"
      fact weeks : weeks "weeks"
      credits = 1 credit * (hours / 1 hour per week) when weeks is 15 weeks overrides article 29
      approved if weeks is 15 weeks overrides article 29
    """

    def test_own_rule_overriding_a_delegation_answers_where_it_applies(self, tmp_path):
        o = book(tmp_path, self.CREDITS).evaluate({"hours": 2, "weeks": 15}, "2026-01-01")["credits"]
        assert (o.value, o.status) == (2, "determined")
        assert [c.eid for c in o.citations] == ["art_30"]

    def test_where_no_own_rule_applies_the_regulation_states_nothing(self, tmp_path):
        r = book(tmp_path, self.CREDITS).evaluate({"hours": 1, "weeks": 8}, "2026-01-01")
        for name in ("credits", "approved"):  # a boolean is not taken as false either
            o = r[name]
            assert o.status == "undetermined" and o.value is None and not o.missing
            assert o.reasons == ("not stated in the regulation: Article 30 does not apply; "
                                 "delegated to separate regulations (Article 29)",)
            assert o.citations[0].eid == "art_29"

    def test_while_it_is_unknown_whether_one_applies_only_its_facts_are_asked(self, tmp_path):
        o = book(tmp_path, self.CREDITS).evaluate({"hours": 1}, "2026-01-01")["credits"]
        assert o.status == "undetermined"
        assert (o.missing, o.reasons) == (("weeks",), ())


class TestTables:
    def test_range_lookup_and_checked_totals(self, tmp_path):
        b = book(tmp_path, """
        article 31 "Grading"
          | Grades shall be A, B, C and D.
          table grades "grade scale"
            column marks : range of marks "Mark"
            column grade : text "Grade"
            column pass : boolean "Pass"
            row 80 marks to 100 marks, "A", true
            row 70 marks to 79 marks, "B", true
            row 60 marks to 69 marks, "C", true
            row 0 marks to 59 marks, "D", false
          fact mark : marks "mark"
          outcome grade : text "grade"
          outcome passed : boolean "passed"
          grade = lookup grade in grades for mark
          passed = lookup pass in grades for mark
        """)
        assert b.evaluate({"mark": 60}, "2026-01-01")["grade"].value == "C"
        assert b.evaluate({"mark": 59}, "2026-01-01")["passed"].value is False
        assert b.evaluate({"mark": 120}, "2026-01-01")["grade"].status == "undetermined"

    def test_wrong_total_is_a_check_error(self, tmp_path):
        codes = problems(tmp_path, """
        article 13.2 "Limits"
          | As stated in the following table.
          table limits "limits"
            column school : text "School"
            column admission : persons "Admission limit"
            row "A", 335 persons
            row "B", 75 persons
            total "Total", 400 persons
        """)
        assert codes == ["E409"]


def test_identical_inputs_give_identical_json(tmp_path):
    b = book(tmp_path, LIMITS)
    one = b.evaluate({"entry": "second", "years": 7}, "2026-01-01").to_json()
    two = b.evaluate({"entry": "second", "years": 7}, "2026-01-01").to_json()
    assert one == two


def test_definition_cycle_is_rejected(tmp_path):
    codes = problems(tmp_path, """
    article 1 "A"
      | Text.
      outcome a : years "a"
      outcome b : years "b"
      a = b
      b = a + 1 year
    """)
    assert "E503" in codes


class TestTransitional:
    BOOK = """
    article 9 "Limit on Years Enrolled"
      | Students in the doctoral degree program may not be enrolled for more than six years.
      fact program : one of masters, doctoral "program"
      fact enrolled_on : date "enrollment date"
      outcome limit : years "limit"
      limit = 6 years

    article 10 "Unchanged"
      | Text.
      outcome other : years "other"
      other = 1 year

    supplementary provisions
      | The amendments will take effect on April 1, 2025.
      amendment "2025 amendment" takes effect 2025-04-01
      paragraph 2
        | The amendments will not apply to doctoral students enrolled up to March 31, 2025.
        amendment "2025 amendment"
          not applying when program is doctoral and enrolled_on is at most 2025-03-31
          affects article 9
    """

    def test_spared_cohort_gets_undetermined_with_the_supplementary_provision(self, tmp_path):
        b = book(tmp_path, self.BOOK, in_force="2025-04-01")
        o = b.evaluate({"program": "doctoral", "enrolled_on": "2024-04-01"}, "2026-01-01")["limit"]
        assert o.status == "undetermined"
        assert "not encoded" in o.reasons[0]
        assert "suppl__para_2" in [c.eid for c in o.citations]
        # an article the amendment does not affect is still answered
        assert b.evaluate({"program": "doctoral", "enrolled_on": "2024-04-01"},
                          "2026-01-01")["other"].value == 1

    def test_both_sides_of_the_cut_off(self, tmp_path):
        b = book(tmp_path, self.BOOK)
        later = b.evaluate({"program": "doctoral", "enrolled_on": "2025-04-01"}, "2026-01-01")["limit"]
        assert later.value == 6 and later.status == "determined"
        masters = b.evaluate({"program": "masters", "enrolled_on": "2024-04-01"}, "2026-01-01")["limit"]
        assert masters.value == 6

    def test_spared_cohort_reads_the_older_encoded_version(self, tmp_path):
        o = book(tmp_path, self.BOOK).evaluate({"program": "doctoral", "enrolled_on": "2024-04-01"},
                                              "2026-01-01")["limit"]
        assert o.value == 6 and o.status == "determined"

    def test_unknown_cohort_is_undetermined(self, tmp_path):
        o = book(tmp_path, self.BOOK).evaluate({"program": "doctoral"}, "2026-01-01")["limit"]
        assert o.status == "undetermined" and o.missing == ("enrolled_on",)
