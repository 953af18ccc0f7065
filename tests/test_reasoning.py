"""Reasoning with what is not known (issue 14): an outcome is determined when every admissible
value of the missing facts gives the same answer, and never when one would change it."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import regdsl
from regdsl.eval.reason import MAX_EVALUATIONS

from strategies import _value, as_of_dates, books, students
from test_agreement import load_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("REGDSL_REASONING_EXAMPLES", "60"))
COMPLETIONS = 6


@pytest.fixture(scope="module")
def university() -> regdsl.Book:
    return regdsl.load(ROOT / "regulations" / "university")


GRADUATING = {
    "school": "international_and_area_studies", "entry": "first_year", "years_enrolled": "4 years",
    "total_leave": "0 months", "suspension_period": "0 months", "non_degree_period_counted": "0 years",
    "took_prescribed_courses": True,
    "credits_earned": 130, "media_credits": 6, "credits_at_other_universities": 10,
    "credits_at_foreign_universities": 0, "credits_for_non_university_study": 0,
    "credits_before_enrollment_at_the_university": 0, "credits_before_enrollment_elsewhere": 0,
    "credits_for_prior_non_university_study": 0,
}


def test_nine_counted_years_exceed_every_limit_article_15_can_give(university):
    # Art. 15(1): "may not be enrolled for more than eight years"; 15(4): twice the years left
    # after the non-degree period counted (at most 2 years, Art. 14(2)): never more than eight.
    facts = {"years_enrolled": "9 years", "total_leave": "0 months", "entry": "first_year",
             "still_in_first_year": False}
    plain = university.evaluate(facts, "2024-06-01", ["years_limit_exceeded"])["years_limit_exceeded"]
    assert plain.status == "undetermined" and "non_degree_period_counted" in plain.missing
    o = university.evaluate(facts, "2024-06-01", ["years_limit_exceeded"], reason=True)["years_limit_exceeded"]
    assert (o.value, o.status, o.missing) == (True, "determined", ())
    assert {"Article 15, Paragraph 1", "Article 15, Paragraph 4"} <= {c.cite for c in o.citations}
    assert any("whatever non_degree_period_counted" in n for n in o.notes)


def test_a_pending_recognition_does_not_stop_125_credits(university):
    # Art. 44(1): "acquired at least 125 credits"; 130 of the student's own, whatever the
    # President decides on the 10 from another university (Art. 33).
    plain = university.evaluate(GRADUATING, "2026-03-20", ["meets_graduation_requirements"])
    assert plain["meets_graduation_requirements"].status == "discretionary"
    o = university.evaluate(GRADUATING, "2026-03-20", ["meets_graduation_requirements"],
                            reason=True)["meets_graduation_requirements"]
    assert (o.value, o.status, o.decided_by) == (True, "determined", ())


def test_what_would_decide_an_open_answer_is_said(university):
    facts = {**GRADUATING, "credits_earned": 120}
    o = university.evaluate(facts, "2026-03-20", ["meets_graduation_requirements"],
                            reason=True)["meets_graduation_requirements"]
    assert o.status == "discretionary" and o.decided_when
    assert {v for v, _, _ in o.decided_when} == {True, False}
    assert all(when for _, _, when in o.decided_when)


def test_without_reason_nothing_changes(university):
    facts = {"years_enrolled": "9 years", "total_leave": "0 months", "entry": "first_year"}
    a = university.evaluate(facts, "2024-06-01").to_dict()
    b = university.evaluate(facts, "2024-06-01", reason=False).to_dict()
    assert a == b


# ------------------------------------------------------------------ soundness on random books


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("reasoning")


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_a_reasoned_answer_holds_for_every_completion(scratch, data):
    """Whatever the reasoning determines, each random completion of the missing facts (within
    their domains) gives the same answer when evaluated with every fact known."""
    gen = data.draw(books(), label="book")
    book = load_text(gen, scratch)
    facts = data.draw(students(gen), label="facts")
    as_of = data.draw(as_of_dates(gen), label="as_of")
    plain = book.evaluate(facts, as_of)
    reasoned = book.evaluate(facts, as_of, reason=True)
    for o in reasoned:
        p = plain[o.name]
        if p.status == "determined":
            assert o.to_dict() == p.to_dict()  # reasoning never touches what the facts decide
            continue
        assert all(facts.get(f) is None for f in o.missing)
        if o.status != "determined":
            continue
        open_inputs = sorted(n for n in gen.inputs if facts.get(n) is None)
        for _ in range(COMPLETIONS):
            filled = dict(facts)
            for n in open_inputs:
                filled[n] = data.draw(_value(gen, *gen.inputs[n]), label=n)  # within the domains
            got = book.evaluate(filled, as_of, [o.name])[o.name]
            assert (got.value, got.status) == (o.value, "determined"), \
                f"{o.name}: reasoned {o.value!r}, but {got.value!r} ({got.status}) with {filled}"


def test_the_budget_is_bounded():
    assert MAX_EVALUATIONS <= 1024


# ------------------------------------------------------------------ the bundled books

BUNDLED = ["university", "graduate", "organization"]


@pytest.fixture(scope="module")
def bundled():
    return {name: regdsl.load(ROOT / "regulations" / name) for name in BUNDLED}


@pytest.mark.parametrize("name", BUNDLED)
def test_every_sample_student_can_be_reasoned_about(bundled, name):
    import json

    book = bundled[name]
    for path in sorted((ROOT / "examples" / name).glob("*.json")):
        facts = json.loads(path.read_text("utf-8"))
        as_of_file = path.with_suffix(".as_of")
        as_of = as_of_file.read_text().strip() if as_of_file.exists() else "2025-06-01"
        plain = book.evaluate(facts, as_of)
        for o in book.evaluate(facts, as_of, reason=True):
            if plain[o.name].status == "determined":
                assert o.to_dict() == plain[o.name].to_dict(), (path.name, o.name)
            else:
                # a fact can matter in one case only (read once another is assumed): not given, always
                assert all(facts.get(f) is None for f in o.missing), (path.name, o.name)


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_books_reason_soundly_about_partial_students(bundled, name):
    from strategies import ir_as_of, ir_students

    book = bundled[name]

    @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
    @given(facts=ir_students(book.ir), more=st.lists(ir_students(book.ir), min_size=2, max_size=2),
           as_of=ir_as_of(book.ir))
    def check(facts, more, as_of):
        reasoned = book.evaluate(facts, as_of, reason=True)
        for other in more:
            filled = {**other, **{k: v for k, v in facts.items() if v is not None}}
            result = book.evaluate(filled, as_of)
            for o in reasoned:
                got = result[o.name]
                if o.status == "determined" and got.status == "determined":
                    assert got.value == o.value, (name, o.name, facts, filled)

    check()


# ------------------------------------------------------------------ why not: what would change an answer


def test_why_not_finds_the_credits_missing_for_graduation(university):
    # Art. 44(1): "have earned at least 125 credits"; with 120, five more credits are what it takes.
    facts = {**GRADUATING, "credits_earned": 120, "credits_at_other_universities": 0}
    w = university.why_not(facts, "meets_graduation_requirements", "2026-03-20")
    assert w.outcome.value is False and w.wanted == "yes"
    first, after = w.changes[0]
    assert [(name, str(old), str(new)) for name, old, new in first.facts] == \
        [("credits_earned", "120 credits", "125 credits")]
    assert after.value is True and after.citations[0].cite == "Article 44, Paragraph 1"
    assert "with credits_earned 125 credits instead of 120 credits (5 credits more)" in w.text()
    data = w.to_dict()
    assert data["changes"][0]["facts"] == [{"name": "credits_earned", "from": 120, "to": 125, "unit": "credits"}]


def test_why_not_puts_the_smallest_change_first(university):
    facts = {"years_enrolled": "9 years", "total_leave": "0 months", "entry": "first_year",
             "still_in_first_year": False, "non_degree_period_counted": "0 years"}
    w = university.why_not(facts, "years_limit_exceeded", "2024-06-01")
    changed = [c.facts[0][0] for c, _ in w.changes]
    assert changed[0] == "years_enrolled" and "total_leave" in changed  # 1 year less, or 12 months of leave
    assert [c.cost for c, _ in w.changes] == sorted(c.cost for c, _ in w.changes)
    for change, after in w.changes:  # every change proposed is checked by evaluating it
        again = university.evaluate({**facts, **{n: str(new) for n, _, new in change.facts}}, "2024-06-01",
                                    ["years_limit_exceeded"])["years_limit_exceeded"]
        assert (again.value, again.status) == (False, "determined")


def test_why_not_of_an_open_answer_or_a_bad_value(university):
    from regdsl.errors import UsageError

    w = university.why_not({}, "meets_graduation_requirements", "2026-03-20")
    assert w.outcome.status != "determined" and w.changes == [] and "--reason" in w.text()
    with pytest.raises(UsageError) as e:
        university.why_not({}, "meets_graduation_requirements", "2026-03-20", value="maybe")
    assert e.value.code == "E701" and e.value.message.startswith("value")


def test_why_not_with_a_value_wanted_of_a_choice(tmp_path):
    from test_evaluate import book

    b = book(tmp_path, """
article 1 "Grades"
  | A score of 80 or more is an A, of 60 or more a B, and otherwise a C.
  fact score : number "the score"
  outcome grade : one of a, b, c "the grade"
  grade = c

  item 1
    | B: 60 or more.
    however grade = b when score is at least 60

  item 2
    | A: 80 or more.
    however grade = a when score is at least 80
      overrides item 1
""")
    w = b.why_not({"score": 55}, "grade", "2025-01-01", value="a")
    assert [(n, old, new) for c, _ in w.changes for n, old, new in c.facts] == [("score", 55, 80)]


def test_the_column_evaluator_reasons_as_the_per_student_one(university):
    """evaluate_table(reason=True) gives each row the answers of evaluate(reason=True)."""
    pytest.importorskip("pyarrow")
    rows = [
        {"years_enrolled": "9 years", "total_leave": "0 months", "entry": "first_year", "still_in_first_year": False},
        {**GRADUATING, "credits_earned": 130, "credits_at_other_universities": 10},
        {**GRADUATING, "credits_earned": 120, "credits_at_other_universities": 10},
        {"entry": "second_year"},
    ]
    names = ["years_limit_exceeded", "meets_graduation_requirements", "program_length"]
    columns = {k: [r.get(k) for r in rows] for k in sorted({k for r in rows for k in r})}
    table = university.evaluate_table(columns, "2026-03-20", names, reason=True).to_pylist()
    for row, facts in zip(table, rows):
        want = university.evaluate(facts, "2026-03-20", names, reason=True)
        for name in names:
            o = want[name]
            assert (row[f"{name}.status"], row[f"{name}.missing"], row[f"{name}.decided_by"]) == \
                (o.status, list(o.missing), list(o.decided_by)), (facts, name)
            if o.status == "determined":
                assert row[name] == o.value
    assert table[0]["years_limit_exceeded"] is True and table[1]["meets_graduation_requirements"] is True


@pytest.mark.parametrize("name", ["university", "graduate"])
def test_both_evaluators_reason_alike_on_partial_students(bundled, name):
    """The agreement of the two evaluators, with reasoning: random partial students of a bundled
    book, as a table (evaluate_table(reason=True)) and one by one (evaluate(reason=True))."""
    pytest.importorskip("pyarrow")
    from strategies import ir_as_of, ir_students

    book = bundled[name]
    names = list(book.outcome_names)[:12]

    @settings(max_examples=int(os.environ.get("REGDSL_REASONING_TABLES", "8")), deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(rows=st.lists(ir_students(book.ir), min_size=1, max_size=4), as_of=ir_as_of(book.ir))
    def check(rows, as_of):
        keys = sorted({k for r in rows for k in r}) or list(book.ir.inputs)[:1]
        table = book.evaluate_table({k: [r.get(k) for r in rows] for k in keys}, as_of, names,
                                    reason=True).to_pylist()
        for got, facts in zip(table, rows):
            want = book.evaluate({k: v for k, v in facts.items() if v is not None}, as_of, names, reason=True)
            for n in names:
                o = want[n]
                assert (got[f"{n}.status"], got[f"{n}.missing"], got[f"{n}.decided_by"]) == \
                    (o.status, list(o.missing), list(o.decided_by)), (name, n, facts, as_of)

    check()


# ------------------------------------------------------------------ the memo a batch shares


def _partial_students(n: int, seed: int) -> list[dict]:
    """Partial University students as benchmarks/reasoning.py makes them: each fact taken from a
    sample that gives it, or left out (seeded); every one twice, shuffled, so that some rows repeat."""
    import json
    import random

    rng = random.Random(seed)
    pool: dict[str, list] = {}
    for path in sorted((ROOT / "examples" / "university").glob("*.json")):
        for k, v in json.loads(path.read_text("utf-8")).items():
            pool.setdefault(k, []).append(v)
    rows = [{k: rng.choice(pool[k]) for k in sorted(pool) if rng.random() < 0.7} for _ in range(n)]
    rows = rows + [dict(r) for r in rows]
    rng.shuffle(rows)
    return rows


@pytest.mark.parametrize("budget", [MAX_EVALUATIONS, 24])
def test_the_memo_gives_the_answers_of_reasoning_row_by_row(university, monkeypatch, budget):
    """evaluate_table(reason=True) and evaluate_many(reason=True) share refinements between rows
    alike in what an outcome reads; their answers are exactly those of each row reasoned about
    alone (the un-memoised `reason_about_row`, `evaluate(reason=True)`), also when a small budget
    makes a refinement depend on what the outcomes before it used."""
    pytest.importorskip("pyarrow")
    from regdsl.api import reason_about_row
    from regdsl.eval import reason

    monkeypatch.setattr(reason, "MAX_EVALUATIONS", budget)
    rows = _partial_students(16, seed=budget)
    day = "2026-04-01"
    columns = {k: [r.get(k) for r in rows] for k in sorted({k for r in rows for k in r})}
    memoised = university.evaluate_table(columns, day, reason=True).to_pylist()
    alone = university.evaluate_table(columns, day, refine=reason_about_row).to_pylist()
    assert memoised == alone
    many = [r.to_dict(explain=True) for r in university.evaluate_many(rows, day, reason=True)]
    assert many == [university.evaluate(r, day, reason=True).to_dict(explain=True) for r in rows]
    assert any("whatever" in " ".join(o["notes"]) for r in many for o in r["outcomes"])  # some decided
