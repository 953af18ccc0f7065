"""Hostile and broken books (issue 11, B1-B9): each reproducer gets a positioned finding or an
answer, never a crash, a hang or a blow-up of memory.

The reproducers are one-liners, written out here from the fuzzing report.  Nothing is timed
(benchmarks/hostile.py measures); a quadratic or exponential regression shows up as a suite
that takes minutes, and the work counts asserted below.
"""

from __future__ import annotations

import json
import re
import sys
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction

import pytest

import regdsl
from conftest import run_cli
from regdsl import errors as errors_module
from regdsl.errors import split_lines
from regdsl.core.limits import MAX_CHAIN, MAX_DIGITS, MAX_NESTING, MAX_RUN
from regdsl.syntax.parser import parse
from regdsl.results.report import dumps
from regdsl.core.units import format_number, to_decimal

HEAD = 'book b "B"\narticle 1 "A"\n  | The text.\n'


def book(tmp_path, text: str, name: str = "book.reg") -> str:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return str(path)


def check(tmp_path, text: str) -> tuple[int, str]:
    code, out, err = run_cli("check", book(tmp_path, text))
    assert "internal error" not in err and "Traceback" not in err, err
    return code, err


def evaluate(tmp_path, text: str, facts: dict | None = None, fmt: str = "text") -> tuple[int, str, str]:
    path = book(tmp_path, text)
    facts_path = tmp_path / "facts.json"
    facts_path.write_text(json.dumps(facts or {}), "utf-8")
    code, out, err = run_cli("eval", path, str(facts_path), "--as-of", "2025-04-01", "--format", fmt)
    assert "internal error" not in err and "Traceback" not in err, err
    return code, out, err


def findings(err: str) -> list[tuple[int, int, str]]:
    """(line, column, code) of each finding printed."""
    return [(int(a), int(b), c) for a, b, c in re.findall(r"^\S+?:(\d+):(\d+): (E\d{3}): ", err, re.M)]


# ------------------------------------------------------------------ B1


def test_b1_a_relative_reference_cannot_name_another_book(tmp_path):
    (tmp_path / "o.reg").write_text('book o "O"\narticle 1 "A"\n  | x\n  outcome y : number\n  y = 1\n')
    text = ('book b "B"\n  uses o from "o.reg"\narticle 1 "A"\n  | x\n  outcome y : number\n  y = 1\n'
            'article 2 "B"\n  | x\n  y = 2 notwithstanding the preceding article of o\n')
    code, err = check(tmp_path, text)
    assert code == 1 and findings(err) == [(9, 25, "E305")], err
    assert "counts from where it is written" in err


def test_b1_also_in_the_exceptions_of_a_book_applied_mutatis_mutandis(tmp_path):
    (tmp_path / "o.reg").write_text('book o "O"\narticle 1 "A"\n  | x\n  outcome y : number\n  y = 1\n')
    text = ('book b "B"\n  uses o from "o.reg"\narticle 1 "A"\n  | x\n'
            '  applies o mutatis mutandis\n    except this article\n')
    code, err = check(tmp_path, text)
    assert [c for _, _, c in findings(err)] == ["E305"], err


def test_b1_the_supplementary_provisions_of_another_book_are_not_relative(tmp_path):
    (tmp_path / "o.reg").write_text('book o "O"\narticle 1 "A"\n  | x\nsupplementary provisions\n  | s\n')
    text = 'book b "B"\n  uses o from "o.reg"\narticle 1 "A"\n  | x\n  refers to the supplementary provisions of o\n'
    code, err = check(tmp_path, text)
    assert code == 0 and findings(err) == [], err


# ------------------------------------------------------------------ B2


BIG = "9" * 5000


@pytest.mark.parametrize("where", [
    f"  outcome y : years\n  y = {BIG} years\n",  # a quantity
    f"  table t\n    column a : number\n    row {BIG}\n",  # a table cell
    f"  item {BIG}\n    | i\n",  # an item number
    f"  unit seat = {BIG} persons\n",  # a unit's size
    f"  outcome y : number\n  y = 0.{BIG}\n",  # decimal places
])
def test_b2_a_number_over_the_digit_limit_is_refused_where_it_is(tmp_path, where):
    code, err = check(tmp_path, HEAD + where)
    line = 4 + where.count("\n", 0, where.index("9"))
    assert code == 1 and [(ln, c) for ln, _, c in findings(err)] == [(line, "E106")], err
    assert re.search(r"this number has 5,00[01] digits; a number has at most 100", err)


def test_b2_an_article_number_over_the_limit(tmp_path):
    code, err = check(tmp_path, f'book b "B"\narticle {BIG} "A"\n  | x\n')
    assert findings(err) == [(2, 9, "E106")], err


def test_b2_a_number_at_the_limit_is_read(tmp_path):
    n = "9" * MAX_DIGITS
    code, out, err = evaluate(tmp_path, HEAD + f"  outcome y : number\n  y = {n}\n")
    assert code == 0 and f"y = {n}" in out


# ------------------------------------------------------------------ B3


@pytest.mark.parametrize(("text", "line"), [
    (HEAD + "articles 2 to 300000000 deleted\n", 4),
    (HEAD + "  refers to articles 1 to 300000000\n", 4),
    (HEAD + "  outcome y : boolean\n  y if any of items 1 to 300000000\n  item 1\n    | i\n    true\n", 5),
])
def test_b3_a_huge_run_is_refused_before_it_is_written_out(tmp_path, text, line):
    code, err = check(tmp_path, text)
    assert code == 1 and [(ln, c) for ln, _, c in findings(err)] == [(line, "E107")], err
    assert f"a run covers at most {MAX_RUN:,}" in err


def test_b3_runs_of_deleted_articles_are_limited_together(tmp_path):
    runs = "".join(f"articles {2 + i * 1000} to {1001 + i * 1000} deleted\n" for i in range(11))
    code, err = check(tmp_path, HEAD + runs)
    assert [c for _, _, c in findings(err)] == ["E107"] and "more than 10,000 articles" in err, err


def test_b3_a_run_at_the_limit_is_fine(tmp_path):
    code, err = check(tmp_path, HEAD + f"articles 2 to {MAX_RUN + 1} deleted\n")
    assert code == 0 and findings(err) == [], err


# ------------------------------------------------------------------ B4 and B9: nesting


def _deep(op: str, depth: int) -> str:
    return HEAD + "  outcome y : boolean\n  y = " + "not " * depth + "true\n" if op == "not" else \
        HEAD + "  outcome y : number\n  y = " + "-" * depth + "1\n"


@pytest.mark.parametrize("op", ["not", "-"])
def test_b4_b9_thousands_of_prefix_operators_are_one_finding_for_check_and_fmt(tmp_path, op):
    text = _deep(op, 3000)
    code, err = check(tmp_path, text)
    assert [(ln, c) for ln, _, c in findings(err)] == [(5, "E108")], err
    code, out, fmt_err = run_cli("fmt", "--check", book(tmp_path, text))
    assert code == 2 and findings(fmt_err) == findings(err), fmt_err  # the same limit, the same place


@contextmanager
def python_default_stack():
    """Python's own recursion limit (regdsl must not need a raised one)."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


NESTED = {
    "not": ("boolean", lambda e: f"not {e}", "b"),
    "neg": ("number", lambda e: f"-{e}", "x"),
    "parentheses": ("number", lambda e: f"1 + ({e})", "x"),
    "if": ("number", lambda e: f"if b then 1 else {e}", "x"),
    "call": ("number", lambda e: f"max(1, {e})", "x"),
    "and": ("boolean", lambda e: f"b and ({e})", "b"),
    "compare": ("boolean", lambda e: f"({e}) is b", "b"),
}


@pytest.mark.parametrize("kind", sorted(NESTED))
def test_b4_b9_every_stage_handles_the_deepest_nesting_allowed_on_pythons_own_stack(tmp_path, kind):
    type_, wrap, leaf = NESTED[kind]
    expr = leaf
    for _ in range(MAX_NESTING):
        expr = wrap(expr)
    text = (f'book t "T"\narticle 1 "A"\n  | x\n  fact b : boolean\n  fact x : number\n'
            f'  outcome y : {type_}\n  y = {expr}\n')
    path = book(tmp_path, text)
    from regdsl.authoring.fmt import format_text
    from regdsl.authoring.render import render

    with python_default_stack():
        model = regdsl.api.read_book(path)
        assert model.errors == []
        result = regdsl.load(path).evaluate({"b": True, "x": 2}, "2025-04-01")
        assert result["y"].status == "determined"
        formatted = format_text(text)
        assert parse(formatted) == parse(text)
        render(model, "html")
    deeper = text.replace(f"y = {expr}", f"y = {wrap(expr)}")
    assert [c for _, _, c in findings(check(tmp_path, deeper)[1])] == ["E108"]


@pytest.mark.parametrize("op", ["+", "-", "*", "and", "or"])
def test_a_chain_of_one_operator_is_one_level_however_long(tmp_path, op):
    type_, leaf = {"+": ("yen", "1 yen"), "-": ("number", "x"), "*": ("number", "1")}.get(op, ("boolean", "b"))
    text = (f'book t "T"\narticle 1 "A"\n  | x\n  fact b : boolean\n  fact x : number\n'
            f'  outcome y : {type_}\n  y = ' + f" {op} ".join([leaf] * 2000) + "\n")
    path = book(tmp_path, text)
    from regdsl.authoring.fmt import format_text
    from regdsl.authoring.render import render

    with python_default_stack():
        model = regdsl.api.read_book(path)
        assert model.errors == []
        result = regdsl.load(path).evaluate({"b": True, "x": 2}, "2025-04-01")
        assert result["y"].value == {"+": Decimal(2000), "-": Decimal(2 - 2 * 1999), "*": Decimal(1)}.get(op, True)
        format_text(text)
        render(model, "html")


def test_a_long_chain_gives_what_the_nested_form_gives(tmp_path):
    """`a and b and c` with unknowns, as a loop, is `(a and b) and c`."""
    text = (HEAD + "  fact p : boolean\n  fact q : boolean\n  fact r : boolean\n"
            "  outcome all3 : boolean\n  outcome any3 : boolean\n  outcome sum3 : number\n"
            "  fact u : number\n  fact v : number\n"
            "  all3 = p and q and r\n  any3 = p or q or r\n  sum3 = u + v / 0 - u\n")
    path = book(tmp_path, text)
    b = regdsl.load(path)
    for facts in ({}, {"p": True}, {"p": True, "q": True, "r": False}, {"q": False}, {"p": False, "r": True}):
        res = b.evaluate(facts, "2025-04-01")
        nested = regdsl.load(book(tmp_path, text.replace("p and q and r", "(p and q) and r")
                                  .replace("p or q or r", "(p or q) or r"), "nested.reg")).evaluate(facts, "2025-04-01")
        for name in ("all3", "any3"):
            assert (res[name].value, res[name].missing) == (nested[name].value, nested[name].missing)
    res = b.evaluate({"u": 1, "v": 1}, "2025-04-01")
    assert res["sum3"].status == "undetermined" and "division by zero" in res["sum3"].reasons


def test_b4_a_long_cycle_of_definitions_is_one_finding(tmp_path):
    """(A cycle of 8,000 definitions used to end in RecursionError; 2,500 is past Python's own stack.)"""
    defs = "".join(f"  define d{i} : number\n  d{i} = d{(i + 1) % 2500} + 1\n" for i in range(2500))
    with python_default_stack():
        code, err = check(tmp_path, HEAD + defs)
    assert [c for _, _, c in findings(err)] == ["E503"], err[:500]
    assert "d0 -> d1 -> d2 -> d3 -> d4 -> ... -> d2496 -> d2497 -> d2498 -> d2499 -> d0" in err


def test_b4_a_long_chain_of_definitions_is_too_deep(tmp_path):
    defs = "".join(f"  define d{i} : number\n  d{i} = d{i + 1} + 1\n" for i in range(2499))
    with python_default_stack():
        code, err = check(tmp_path, HEAD + defs + "  define d2499 : number\n  d2499 = 1\n")
    assert [(ln, c) for ln, _, c in findings(err)] == [(5, "E108")], err[:500]
    assert "a chain of 2500 definitions" in err


def test_a_chain_at_the_limit_is_evaluated(tmp_path):
    defs = "".join(f"  define d{i} : number\n  d{i} = d{i + 1} + 1\n" for i in range(1, MAX_CHAIN))
    text = HEAD + "  outcome d0 : number\n  d0 = d1 + 1\n" + defs + f"  define d{MAX_CHAIN} : number\n"
    code, out, err = evaluate(tmp_path, text.replace(f"  define d{MAX_CHAIN} : number\n", "")
                              .replace(f"d{MAX_CHAIN - 1} = d{MAX_CHAIN} + 1", f"d{MAX_CHAIN - 1} = 1"))
    assert code == 0 and f"d0 = {MAX_CHAIN}" in out, err


def test_many_cycles_through_one_name_give_short_messages(tmp_path):
    """Every step of a long chain also reads the first: thousands of cycles, each shown in a line."""
    defs = "".join(f"  define d{i} : number\n  d{i} = d{i + 1} + d0\n" for i in range(2000))
    code, err = check(tmp_path, HEAD + defs + "  define d2000 : number\n  d2000 = 1\n")
    assert code == 1 and max(len(line) for line in err.splitlines()) < 300


# ------------------------------------------------------------------ B5


RULE = HEAD + "  fact d : date\n  outcome y : date\n  y = {}\n"


@pytest.mark.parametrize(("expr", "facts", "what"), [
    ("9999-12-31 + 1 days", {}, "9999-12-31 + 1 days"),
    ("2020-01-01 + 1000000000000000000000000000000 years", {}, "2020-01-01 + 1000000000000000000000000000000 years"),
    ("2020-01-01 - 1000000000000000000000000000000 days", {}, "2020-01-01 - 1000000000000000000000000000000 days"),
    ("next_month_start(9999-12-31)", {}, "next_month_start(9999-12-31)"),
    ("previous_month_end(0001-01-01)", {}, "previous_month_end(0001-01-01)"),
    ("d + 1 months", {"d": "9999-12-31"}, "9999-12-31 + 1 months"),
    ("d - 1 days", {"d": "0001-01-01"}, "0001-01-01 - 1 days"),
    ("next_month_start(d)", {"d": "9999-12-01"}, "next_month_start(9999-12-01)"),
])
def test_b5_a_date_outside_the_calendar_is_an_undetermined_answer(tmp_path, expr, facts, what):
    code, out, err = evaluate(tmp_path, RULE.format(expr), facts)
    assert code == 0 and "[undetermined]" in out, out + err
    assert f"E804: {what} falls outside the calendar" in " ".join(out.split())


def test_b5_the_other_answers_are_still_given(tmp_path):
    text = RULE.format("d + 1 days") + "  outcome z : boolean\n  z = true\n"
    code, out, err = evaluate(tmp_path, text, {"d": "9999-12-31"}, "json")
    outcomes = {o["name"]: o for o in json.loads(out)["outcomes"]}
    assert outcomes["z"]["value"] is True and outcomes["y"]["status"] == "undetermined"


def test_b5_the_last_day_of_the_calendar_itself_is_fine(tmp_path):
    code, out, err = evaluate(tmp_path, RULE.format("month_end(d)"), {"d": "9999-12-01"})
    assert "y = 9999-12-31" in out


def test_b5_an_amendment_on_the_first_day_of_the_calendar(tmp_path):
    text = (HEAD + "  outcome y : number\n  y = 1\n"
            '  amendment "Revision" takes effect 0001-01-01\n    not applying when true\n')
    code, out, err = evaluate(tmp_path, text)
    assert code == 0 and "E804: the day before the amendment of 0001-01-01" in " ".join(out.split()), out + err


# ------------------------------------------------------------------ B6


E99 = "1" + "0" * 99  # 10**99, a number of 100 digits


def test_b6_big_exact_values_print_in_text_and_json(tmp_path):
    text = (HEAD + "  outcome a : yen\n  outcome b : number\n"
            f"  a = {E99} yen * {E99} * {E99} * 100000000000 / 3\n"  # 10**308 / 3 yen
            f"  b = {E99} * {E99} * {E99} * {E99} * {E99} / 1024\n")  # 10**495 / 2**10, exact
    code, out, err = evaluate(tmp_path, text)
    assert code == 0 and "a = " + "3" * 308 + ".333333 yen" in out and "b = 9765625" in out, err
    code, out, err = evaluate(tmp_path, text, fmt="json")
    assert "Infinity" not in out and '"value": ' + "3" * 308 + ".333333," in out
    data = json.loads(out, parse_float=Decimal)
    b = data["outcomes"][1]["value"]
    assert b == Decimal(10) ** 495 / 1024


def test_b6_numbers_the_rules_would_make_too_large_are_not_computed(tmp_path):
    """Squaring a definition in a chain doubles its digits each time: stopped, not computed."""
    defs = "".join(f"  define d{i} : number\n  d{i} = d{i - 1} * d{i - 1}\n" for i in range(1, 41))
    text = HEAD + f"  define d0 : number\n  d0 = {'9' * 99}\n" + defs + "  outcome y : number\n  y = d40\n"
    code, out, err = evaluate(tmp_path, text)
    assert code == 0 and "E106: a number computed by the rules would have more than 1,000 digits" in \
        " ".join(out.split()), out


@pytest.mark.parametrize("value", [
    Fraction(1, 3) + 10 ** 5000,  # 5,000 digits and a fraction with no decimal form
    Fraction(1, 2 ** 4300),  # 4,300 decimal places, exactly
    Fraction((10 ** 4000 - 1) ** 2),  # the product of two 4,000-digit numbers
    Fraction(10 ** 308 + 1, 2),
])
def test_b6_any_exact_value_can_be_shown(value):
    shown = format_number(value)
    assert Decimal(shown) == to_decimal(value)
    if value.denominator & (value.denominator - 1) == 0:  # a power of two: exact
        assert Fraction(Decimal(shown)) == value
    assert json.loads(dumps({"value": to_decimal(value)}), parse_float=Decimal, parse_int=Decimal) \
        == {"value": to_decimal(value)}


def test_b6_dumps_lays_out_as_json_does():
    data = {"a": [], "b": {}, "c": [1, {"x": None, "y": "é"}], "d": 1.5, "e": True}
    assert dumps(dict(data, f=Decimal("0.1234567890123456789"))) == \
        json.dumps(dict(data, f=0.5), ensure_ascii=False, indent=2).replace("0.5", "0.1234567890123456789")


# ------------------------------------------------------------------ B7

BREAKS = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("ch", BREAKS, ids=[f"U+{ord(c):04X}" for c in BREAKS])
@pytest.mark.parametrize(("tail", "code"), [
    ("  outcome y : number\n  y = zz\n", "E301"),  # a checker finding
    ("  outcome y : number\n  y = = 2\n", "E101"),  # a syntax error
    ("  outcome y : date\n  y = 2025-02-30\n", "E101"),  # a bad literal
    ("  outcome y : boolean\n  y = " + "not " * 101 + "true\n", "E108"),  # nesting
])
def test_b7_the_quoted_line_is_the_line_of_the_finding(tmp_path, ch, tail, code):
    text = HEAD.replace("The text.", f"The{ch}text.") + tail
    _, err = check(tmp_path, text)
    first = err.splitlines()
    assert re.match(rf".*:5:\d+: {code}: ", first[0]), err
    assert first[1].strip().startswith("y ="), err


@pytest.mark.parametrize("ch", BREAKS + ["\r", "\r\n"], ids=lambda c: f"U+{ord(c[0]):04X}{len(c)}")
def test_b7_split_lines_counts_lines_as_the_parser_does(ch):
    """`\\r` and `\\r\\n` end a line (the parser reads them as `\\n`); the others do not."""
    text = f'book b "B"\narticle 1 "A"\n  | a{ch}  | b\n  outcome y : number\n  y = 1\n'
    rule = parse(text).items[1].body[-1]
    assert split_lines(text)[rule.span.line - 1] == "  y = 1"
    assert rule.span.line == (6 if ch.startswith("\r") else 5)


# ------------------------------------------------------------------ B8


def test_b8_each_file_is_split_into_lines_once(tmp_path, monkeypatch):
    """(The whole file used to be split again for every rule: 7,000 definitions took 9-16 s.)"""
    calls = []
    real = errors_module.split_lines
    monkeypatch.setattr("regdsl.model.provisions.split_lines", lambda t: calls.append(1) or real(t))
    defs = "".join(f"  define d{i} : number\n  d{i} = {i}\n" for i in range(3000))
    decisions = "".join(f"  decision k{i} by nobody{i}\n" for i in range(300))
    code, err = check(tmp_path, HEAD + defs + decisions)
    assert [c for _, _, c in findings(err)] == ["E310"] * 300
    assert len(calls) == 1


def test_b8_a_long_exception_chain_is_resolved(tmp_path):
    paras = "".join(f"  paragraph {i}\n    | P{i}.\n    y = {i} notwithstanding the preceding paragraph\n"
                    for i in range(2, 2001))
    with python_default_stack():
        code, out, err = evaluate(tmp_path, HEAD + "  outcome y : number\n  y = 1\n" + paras)
    assert code == 0 and "y = 2000" in out, err


def test_b8_thousands_of_items(tmp_path):
    items = "".join(f"  item {i}\n    | t\n    x > {i}\n" for i in range(1, 4001))
    text = HEAD + "  fact x : number\n  outcome y : boolean\n  y if any of the items\n" + items
    code, out, err = evaluate(tmp_path, text.replace("fact x : number", "define x : number\n  x = 3000"))
    assert code == 0 and "y = yes" in out, err


def test_b8_many_rules_that_always_apply_are_reported_once_each(tmp_path):
    rules = "".join(f"  paragraph {i}\n    | P.\n    y = {i}\n" for i in range(2, 501))
    code, err = check(tmp_path, HEAD + "  outcome y : number\n  y = 1\n" + rules)
    assert [c for _, _, c in findings(err)] == ["E505"] * 499


def test_a_type_nested_too_deeply(tmp_path):
    deep = "list of " * (MAX_NESTING + 1) + "number"
    code, err = check(tmp_path, HEAD + f"  fact x : {deep}\n")
    assert [(ln, c) for ln, _, c in findings(err)] == [(4, "E108")] and "this type is nested" in err, err
    code, err = check(tmp_path, HEAD + f"  fact x : {'list of ' * MAX_NESTING}number\n")
    assert findings(err) == [], err


def test_a_unit_of_size_zero_is_refused(tmp_path):
    """(Found while fuzzing: showing 5 seats of a zero-size seat divided by zero.)"""
    text = HEAD + "  unit seat = 0 persons\n  unit term, terms = 0.0 months\n"
    code, err = check(tmp_path, text)
    assert [(ln, c) for ln, _, c in findings(err)] == [(4, "E403"), (5, "E403")], err
    assert "the size of a unit must be more than zero; `seat` is declared as 0 persons" in err


def test_a_rule_citing_thousands_of_provisions_renders(tmp_path):
    """(Found while fuzzing: each highlighted token looked through every link of its block.)"""
    from regdsl.authoring.render import render

    items = "".join(f"  item {i}\n    | i\n    true\n" for i in (1, 2))
    rule = "  y = " + " or ".join(["any of items 1 and 2"] * 2000) + "\n"
    path = book(tmp_path, HEAD + "  outcome y : boolean\n" + rule + items)
    html = render(regdsl.api.read_book(path), "html")
    assert html.count('href="#art_1__item_1"') >= 2000
