"""Versions in time: a name with no rule in force on a date is 'not encoded', never 'no'."""

from __future__ import annotations

import pytest

from regdsl.eval.reference import reference_outcomes

from test_evaluate import book

LATER = """
article 1 "Scholarships"
  | Students may apply for a scholarship.
  fact applied : boolean "applied for a scholarship"
  outcome eligible : boolean "eligible for a scholarship"
  outcome amount : number "the amount"

  paragraph 2 in force from 2025-04-01
    | From April 1, 2025, a student who applied is eligible, for an amount of 3.
    eligible if applied
    amount = 3
"""

ENDED = """
article 1 "Fees"
  | Fees are due.
  fact enrolled : boolean "enrolled"
  outcome exempt : boolean "exempt from fees"

  paragraph 2 in force until 2021-03-31
    | Until March 31, 2021, enrolled students were exempt.
    exempt if enrolled
"""


@pytest.mark.parametrize("name", ["eligible", "amount"])
def test_before_the_only_rule_is_in_force_the_answer_is_not_encoded(tmp_path, name):
    b = book(tmp_path, LATER)
    o = b.evaluate({"applied": True}, "2024-06-01")[name]
    assert o.status == "undetermined" and o.value is None
    assert o.reasons == (f"`{name}` is not encoded as of 2024-06-01: no provision that gives it is in "
                         "force that day (Article 1, Paragraph 2 is in force from 2025-04-01)",)
    assert [c.cite for c in o.citations] == ["Article 1, Paragraph 2"]


def test_once_in_force_the_rule_answers(tmp_path):
    r = book(tmp_path, LATER).evaluate({"applied": False}, "2025-04-01")
    assert (r["eligible"].value, r["eligible"].status) == (False, "determined")
    assert r["amount"].value == 3


def test_after_the_rule_ended_the_answer_is_not_encoded(tmp_path):
    o = book(tmp_path, ENDED).evaluate({"enrolled": True}, "2022-01-01")["exempt"]
    assert o.status == "undetermined"
    assert "Article 1, Paragraph 2 is in force from 2000-01-01 until 2021-03-31" in o.reasons[0]
    assert book(tmp_path, ENDED).evaluate({"enrolled": True}, "2021-03-31")["exempt"].value is True


def test_a_rule_in_force_elsewhere_still_makes_no_the_default(tmp_path):
    b = book(tmp_path, LATER + """
article 2 "Earlier Scholarships"
  | Scholarships under this Article.
  eligible if applied and not applied
""")
    o = b.evaluate({"applied": True}, "2024-06-01")["eligible"]
    assert (o.value, o.status) == (False, "determined")


@pytest.mark.parametrize("day", ["2024-06-01", "2025-06-01"])
def test_the_reference_evaluator_agrees(tmp_path, day):
    b = book(tmp_path, LATER)
    facts = {"applied": True}
    result = b.evaluate(facts, day)
    ref = reference_outcomes(b, facts, result.as_of)
    for name, want in ref.items():
        got = result[name].to_dict()
        assert (got["status"], got["reasons"]) == (want["status"], want["reasons"])


def test_the_column_evaluator_agrees(tmp_path):
    pytest.importorskip("pyarrow")
    b = book(tmp_path, LATER)
    table = b.evaluate_table({"applied": [True, False, None]}, "2024-06-01").to_pylist()
    assert {row["eligible.status"] for row in table} == {"undetermined"}
    assert all("not encoded as of 2024-06-01" in row["eligible.reasons"][0] for row in table)
