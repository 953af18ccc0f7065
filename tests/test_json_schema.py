"""The JSON Schema of each book (`regdsl schema BOOK --format json-schema`, `Book.json_schema()`).

Checked with the `jsonschema` library: the schemas are valid draft 2020-12;
every sample student of examples/ and every case of the books' case tables
validates against its book's facts schema; every JSON output of `regdsl
eval` (the examples' expected outputs, the CLI goldens, every case's result
with and without explanations) validates against `#/$defs/result`; the error
documents against `#/$defs/errors`.  And the schema never admits what the
facts reader refuses (a property test over generated values).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is installed with the test extras")

import regdsl  # noqa: E402
from conftest import EXAMPLES, REGULATIONS, ROOT, run_cli  # noqa: E402
from regdsl.authoring.testing import find_test_files, load_cases  # noqa: E402
from regdsl.facts import parse_facts  # noqa: E402

BOOKS = {p.name: p for p in sorted(REGULATIONS.iterdir()) if p.is_dir()}
MINI = ROOT / "tests" / "books" / "mini"
FACTS = sorted(p for ext in ("json", "yaml", "toml") for p in EXAMPLES.glob(f"*/*.{ext}"))


@lru_cache(maxsize=None)
def book(path: Path) -> regdsl.Book:
    return regdsl.load(path)


@lru_cache(maxsize=None)
def validators(path: Path) -> tuple:
    """(facts validator, result validator, errors validator) of the book at `path`."""
    schema = book(path).json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    sub = [jsonschema.Draft202012Validator({**{k: schema[k] for k in ("$schema", "$defs")},
                                            "$ref": f"#/$defs/{name}"},
                                           format_checker=jsonschema.FormatChecker())
           for name in ("result", "errors")]
    return (jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()), *sub)


def as_json(data):
    """Facts as a JSON file writes them (YAML and TOML read dates as dates)."""
    return json.loads(json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v)))


def assert_valid(validator, data, where) -> None:
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, f"{where}: " + "; ".join(f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors[:5])


@pytest.mark.parametrize("path", [*BOOKS.values(), MINI], ids=lambda p: p.name)
def test_the_schema_is_valid_draft_2020_12_and_names_every_fact(path):
    schema = book(path).json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    ir = book(path).ir
    assert set(schema["properties"]) == set(ir.inputs)
    for name, prop in schema["properties"].items():
        note = prop["x-regdsl"]
        assert note["kind"] == ir.inputs[name].kind
        assert prop.get("description", "") == ir.inputs[name].description
    assert set(schema["$defs"]["outcome"]["properties"]["name"]["enum"]) >= set(ir.outcomes)


@pytest.mark.parametrize("facts", FACTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_sample_student_validates(facts):
    data = parse_facts(facts.read_text("utf-8"), {"json": "json", "toml": "toml"}.get(facts.suffix[1:], "yaml"))
    assert_valid(validators(REGULATIONS / facts.parent.name)[0], as_json(data), facts.name)


@pytest.mark.parametrize("output", sorted(EXAMPLES.glob("*/expected/*.json")),
                         ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_every_example_output_validates(output):
    assert_valid(validators(REGULATIONS / output.parent.parent.name)[1], json.loads(output.read_text()), output.name)


def _cases():
    for table in find_test_files([REGULATIONS]):
        for case in load_cases(table):
            yield pytest.param(case, id=f"{table.stem}:{case.line}")


@pytest.mark.parametrize("case", list(_cases()))
def test_every_case_validates_and_so_does_its_result(case):
    path = Path(case.book)
    facts, result, _ = validators(path)
    assert_valid(facts, as_json(case.facts), f"{case.file}:{case.line}")
    answer = book(path).evaluate(case.facts, case.as_of)
    assert_valid(result, answer.to_dict(), f"result of {case.file}:{case.line}")
    assert_valid(result, answer.to_dict(explain=True), f"explained result of {case.file}:{case.line}")


def _golden_stdout(name: str) -> str:
    text = (ROOT / "tests" / "golden" / "cli" / f"{name}.out").read_text()
    return text.split("--- stdout\n", 1)[1].split("--- stderr\n", 1)[0]


def _golden_stderr(name: str) -> str:
    return (ROOT / "tests" / "golden" / "cli" / f"{name}.out").read_text().split("--- stderr\n", 1)[1]


@pytest.mark.parametrize("name", ["eval-json", "eval-json-explain", "eval-json-reason"])
def test_the_cli_json_goldens_validate(name):
    assert_valid(validators(MINI)[1], json.loads(_golden_stdout(name)), name)


@pytest.mark.parametrize("name", ["eval-json-bad-facts", "eval-json-book-with-errors", "args-json-bad-as-of",
                                  "args-json-missing-argument"])
def test_the_cli_json_errors_validate(name):
    assert_valid(validators(MINI)[2], json.loads(_golden_stderr(name)), name)


def test_the_result_schema_knows_each_outcomes_type():
    _, result, _ = validators(MINI)
    good = json.loads(_golden_stdout("eval-json"))
    assert result.is_valid(good)
    for outcome, value in (("max_years", "four"), ("over_limit", 1), ("max_years", True)):
        bad = json.loads(json.dumps(good))
        next(o for o in bad["outcomes"] if o["name"] == outcome)["value"] = value
        assert not result.is_valid(bad), (outcome, value)
    bad = json.loads(json.dumps(good))
    bad["outcomes"][0]["missing"] = ["no_such_fact"]
    assert not result.is_valid(bad)


QUANTITY_FORMS = [4, 2.5, "4 years", "18 months", " 3years ", "4", {"value": 4, "unit": "years"},
                  {"value": "1.5", "unit": "year"}, None]
NOT_QUANTITIES = [-1, "-1 years", "4 credits", "4 parsecs", {"value": 4}, {"value": 4, "unit": "credits"},
                  {"value": -1, "unit": "years"}, True, [4], "four years"]


@pytest.mark.parametrize("value", QUANTITY_FORMS, ids=repr)
def test_a_quantity_is_a_number_text_or_value_and_unit(value):
    facts, _, _ = validators(MINI)
    assert facts.is_valid({"years_enrolled": value})
    book(MINI).evaluate({"years_enrolled": value}, "2026-04-01")  # and regdsl reads it


@pytest.mark.parametrize("value", NOT_QUANTITIES, ids=repr)
def test_what_is_not_a_number_of_years_is_refused(value):
    facts, _, _ = validators(MINI)
    assert not facts.is_valid({"years_enrolled": value})


def test_unknown_names_wrong_types_and_values_not_listed_are_refused():
    facts, _, _ = validators(MINI)
    assert facts.is_valid({"entry": "third_year", "tuition_unpaid": False, "graduation_approved": None})
    for bad in ({"years_enroled": 4}, {"entry": "fourth_year"}, {"tuition_unpaid": "no"}, {"max_years": 4}, []):
        assert not facts.is_valid(bad), bad


def test_each_fact_says_where_it_is_declared_and_which_provisions_use_it():
    props = book(MINI).json_schema()["properties"]
    assert props["entry"]["x-regdsl"]["declared_in"] == {"cite": "Article 1, Paragraph 1", "eid": "art_1__para_1"}
    assert props["entry"]["x-regdsl"]["used_in"] == [{"cite": "Article 1, Paragraph 2", "eid": "art_1__para_2"}]
    approved = props["graduation_approved"]["x-regdsl"]
    assert approved["kind"] == "decision" and "President" in approved["decided_by"]
    assert [p["eid"] for p in approved["used_in"]] == ["art_5__para_1"]


def test_the_graduate_schema_names_the_facts_it_takes_from_the_university_regulations():
    props = book(BOOKS["graduate"]).json_schema()["properties"]
    via = [p["x-regdsl"]["via"] for p in props.values() if "via" in p["x-regdsl"]]
    assert via and all(v["book"] == "university_regulations" for v in via)


def test_a_rate_is_written_in_units_per_unit():
    facts, _, _ = validators(BOOKS["university"])
    rate = next(n for n, p in book(BOOKS["university"]).json_schema()["properties"].items()
                if " per " in p["x-regdsl"].get("unit", ""))
    assert facts.is_valid({rate: "2 hours per week"}) and facts.is_valid({rate: 2})
    assert facts.is_valid({rate: {"value": 90, "unit": "minutes per week"}})
    assert not facts.is_valid({rate: "2 hours"})


def test_the_cli_prints_the_schema():
    code, out, err = run_cli("schema", str(MINI.relative_to(ROOT)), "--format", "json-schema")
    assert code == 0, err
    assert json.loads(out) == book(MINI).json_schema()


# ---- the schema admits nothing the facts reader refuses

# (no NaN or infinity: a JSON document cannot hold them, though a Python float passes "number")
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**6),
                     st.floats(allow_nan=False, allow_infinity=False, width=32),
                     st.text(max_size=12), st.from_regex(r"\A-?[0-9]{1,4}(\.[0-9]{1,2})?\s?[a-z]{0,8}\Z"),
                     st.sampled_from(["8 years", "6 months", "2 hours per week", "3 credits", "2025-04-01",
                                      "2025-02-30", "8:30", "first_year", "third_year"]))
_VALUES = st.one_of(_SCALARS, st.fixed_dictionaries({"value": _SCALARS, "unit": _SCALARS}),
                    st.lists(_SCALARS, max_size=3))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["university", "graduate"]), st.data())
def test_whatever_the_schema_admits_regdsl_reads(name, data):
    path = BOOKS[name]
    facts, _, _ = validators(path)
    fact = data.draw(st.sampled_from(sorted(book(path).ir.inputs)))
    value = data.draw(_VALUES)
    ty = book(path).ir.inputs[fact].ty
    if ty.kind == "number" and ty.integer and isinstance(value, float):
        # JSON Schema's integer is any whole number, 2.0 too; regdsl wants an integer written as one
        # (docs/service.md: the one thing the schema admits that regdsl refuses)
        return
    if facts.is_valid({fact: value}):
        book(path).evaluate({fact: value}, "2026-04-01")  # raises BookErrors if regdsl refuses it


def test_an_integer_written_with_a_point_is_a_json_schema_integer_but_not_regdsls():
    path = BOOKS["graduate"]
    facts, _, _ = validators(path)
    name = next(n for n, i in book(path).ir.inputs.items() if i.ty.kind == "number" and i.ty.integer)
    assert facts.is_valid({name: 2}) and facts.is_valid({name: 2.0}) and not facts.is_valid({name: 2.5})
    with pytest.raises(regdsl.BookErrors):
        book(path).evaluate({name: 2.0}, "2026-04-01")


def test_a_date_must_be_a_real_day():
    path = BOOKS["university"]
    facts, _, _ = validators(path)
    day = next(n for n, p in book(path).json_schema()["properties"].items() if p["x-regdsl"]["type"] == "date")
    assert facts.is_valid({day: "2025-04-01"})
    assert not facts.is_valid({day: "2025-02-30"}) and not facts.is_valid({day: "20250401"})
    assert re.fullmatch(book(path).json_schema()["properties"][day]["pattern"].strip("^$"), "2025-04-01")
