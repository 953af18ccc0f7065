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


# ------------------------------------------------------------------ a later version says what it drops

EARLIER = '''
article 1 "Limits" in force from 2000-01-01 until 2025-03-31
  | The limit is eight years.
  fact years : years "years enrolled"
  outcome over : boolean "over the limit"
  outcome waived : boolean "the limit waived"
  over if years exceeds 8 years

  paragraph 2
    | Students on leave: six years.
    over if years exceeds 6 years

  paragraph 3
    | The President may waive it:
    item 1
      | for illness;
      fact ill : boolean "ill"
      waived if ill
    item 2
      | for a disaster.
      fact disaster : boolean "struck by a disaster"
      waived if disaster
'''


LATER_HEAD = '''
article 1 "Limits" in force from 2025-04-01
  | The limit is seven years.
  over if years exceeds 7 years
'''


def _codes_and_messages(tmp_path, later: str) -> list[tuple[str, str]]:
    from regdsl.errors import BookErrors

    try:
        book(tmp_path, EARLIER + later)
    except BookErrors as e:
        return [(err.code, err.message) for err in e.errors]
    return []


def test_a_later_version_that_drops_a_paragraph_or_item_says_so(tmp_path):
    found = _codes_and_messages(tmp_path, LATER_HEAD + '''
  paragraph 2
    | Students on leave: five years.
    over if years exceeds 5 years

  paragraph 3
    | The President may waive it:
    item 1
      | for illness.
      waived if ill
''')
    assert found == [("E208", "Article 1 as in force from 2025-04-01 has no item 2 of paragraph 3, which the "
                              "version in force from 2000-01-01 until 2025-03-31 has")]


def test_a_dropped_paragraph_is_reported_once_not_again_for_the_rules_it_held(tmp_path):
    found = _codes_and_messages(tmp_path, LATER_HEAD + '''
  paragraph 2
    | Students on leave: five years.
    fact waived_by_rule : boolean "waived"
''')
    assert [c for c, _ in found] == ["E208"] and "has no paragraph 3" in found[0][1]


def test_deleted_parts_are_accepted_rendered_and_formatted(tmp_path):
    from regdsl.authoring.fmt import format_text
    from regdsl.authoring.render import render
    from regdsl.read import read_book

    later = LATER_HEAD + '''
  paragraph 2 deleted

  paragraph 3
    | The President may waive it:

    item 1
      | for illness.
      waived if ill

    item 2 deleted
'''
    b = book(tmp_path, EARLIER + later)
    assert b.evaluate({"years": 7}, "2026-01-01")["over"].value is False
    assert b.evaluate({"years": 7}, "2024-01-01")["over"].value is True  # the earlier Paragraph 2
    path = tmp_path / "book.reg"
    once = format_text(path.read_text(), str(path))
    assert format_text(once, str(path)) == once
    assert "\n  paragraph 2 deleted\n" in once and "\n    item 2 deleted\n" in once
    shown = render(read_book(path), "text")
    assert "2. Deleted" in shown and "2) Deleted" in shown


def test_a_deleted_paragraph_cannot_be_cited(tmp_path):
    found = _codes_and_messages(tmp_path, LATER_HEAD + '''
  paragraph 2 deleted

  paragraph 3
    | The President may waive it, as paragraph 2 said:
    refers to paragraph 2
    item 1
      | for illness.
      waived if ill

    item 2 deleted
''')
    assert [c for c, _ in found] == ["E304"]
