"""Evaluator invariants, checked on random students (hypothesis).

The book is the fixed snapshot in benchmarks/slice (Articles 14, 15, 37,
38, 43, 44 and 45 of the University Regulations), so that these properties
do not depend on a book being edited.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import regdsl
from conftest import ROOT

BOOK = regdsl.load(ROOT / "benchmarks" / "slice")
INPUTS = dict(BOOK.ir.inputs)  # facts and decisions, with the types the checker gave them


def value_for(inp):
    t = inp.ty
    if t.kind == "boolean":
        return st.booleans()
    if t.kind == "enum":
        return st.sampled_from(t.members)
    if t.kind == "number":
        return st.integers(0, 12)
    if t.kind == "quantity":
        unit = t.unit
        return st.one_of(st.integers(0, 160), st.decimals(0, 20, places=1).map(str)).map(
            lambda v, u=unit: f"{v} {u}" if isinstance(v, str) else v)
    if t.kind == "date":
        return st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat)
    return st.text(max_size=5)


FACTS = st.fixed_dictionaries({}, optional={name: value_for(s) for name, s in INPUTS.items()})
AS_OF = st.dates(dt.date(2023, 1, 1), dt.date(2030, 12, 31))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(facts=FACTS, extra=FACTS, as_of=AS_OF)
def test_more_facts_never_change_a_determined_answer(facts, extra, as_of):
    """Monotonicity: an unknown is never treated as false or zero, so learning more
    can decide an undetermined answer but never overturn a determined one."""
    more = {**extra, **facts}
    before = BOOK.evaluate(facts, as_of)
    after = BOOK.evaluate(more, as_of)
    for o in before:
        if o.determined:
            assert after[o.name].determined, o.name
            assert after[o.name].value == o.value, o.name


@SETTINGS
@given(facts=FACTS, as_of=AS_OF)
def test_status_matches_what_is_reported(facts, as_of):
    for o in BOOK.evaluate(facts, as_of):
        if o.status == "determined":
            assert o.value is not None and not o.missing and not o.reasons
        elif o.status == "undetermined":
            assert o.value is None and (o.missing or o.reasons)
            assert set(o.missing) <= set(INPUTS) and not set(o.missing) & set(facts)
        else:
            assert o.status == "discretionary" and o.decided_by and not o.missing
        assert o.citations, o.name


@SETTINGS
@given(facts=FACTS, as_of=AS_OF, seed=st.randoms())
def test_json_is_deterministic_and_independent_of_fact_order(facts, as_of, seed):
    items = list(facts.items())
    seed.shuffle(items)
    one = BOOK.evaluate(facts, as_of).to_json()
    two = BOOK.evaluate(dict(items), as_of).to_json()
    assert one == two
    json.loads(one)


@SETTINGS
@given(facts=FACTS, as_of=AS_OF, data=st.data())
def test_giving_the_missing_facts_removes_them(facts, as_of, data):
    """Every missing fact reported is one the answer really waits for: once given,
    it is no longer missing."""
    result = BOOK.evaluate(facts, as_of)
    for o in result:
        if not o.missing:
            continue
        filled = dict(facts)
        for name in o.missing:
            filled[name] = data.draw(value_for(INPUTS[name]), label=name)
        assert not set(o.missing) & set(BOOK.evaluate(filled, as_of, [o.name])[o.name].missing)


@pytest.mark.parametrize("decision", [True, False])
def test_giving_a_decision_determines_a_discretionary_answer(decision):
    facts = {"entry": "first_year", "years_enrolled": 4, "total_leave": 0, "non_degree_period_counted": 0,
             "took_prescribed_courses": True, "credits_earned": 130, "media_credits": 0}
    assert BOOK.evaluate(facts, "2026-04-01")["may_graduate"].status == "discretionary"
    o = BOOK.evaluate({**facts, "graduation_approved": decision}, "2026-04-01")["may_graduate"]
    assert o.determined and o.value is decision


def test_quantities_are_exact():
    o = BOOK.evaluate({"years_enrolled": "100 months", "total_leave": "10 months"}, "2026-04-01",
                      ["years_counted_toward_limit"])["years_counted_toward_limit"]
    assert o.value == Decimal("7.5") and o.unit == "years"
