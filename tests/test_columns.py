"""The column evaluator agrees with `Book.evaluate`, row by row, outcome by outcome.

For random books (tests/strategies.py) and random partial populations (nulls,
the values either side of every constant, every enum member, the days around
every effective date and cohort boundary), and for every bundled book with
all its sample students in one table, each row's value, status, missing
facts, deciding bodies, reasons and deciding provision are exactly what the
per-student evaluator gives that student alone; a row the per-student path
rejects is an `error` row.  Set REGDSL_COLUMN_EXAMPLES to try more books.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")
np = pytest.importorskip("numpy")

import regdsl  # noqa: E402
from conftest import EXAMPLES, REGULATIONS  # noqa: E402
from regdsl.errors import BookErrors  # noqa: E402
from regdsl.facts import read_facts  # noqa: E402
from strategies import as_of_dates, books, ir_as_of, ir_students, students  # noqa: E402

AS_OF = "2026-04-01"
EXAMPLES_N = int(os.environ.get("REGDSL_COLUMN_EXAMPLES", "60"))


def columns_of(rows: list[dict]) -> dict[str, list]:
    names = sorted({k for r in rows for k in r})
    cols = {k: [r.get(k) for r in rows] for k in names}
    cols["_row"] = list(range(len(rows)))  # not a fact: keeps the length when no row has one
    return cols


def _plain(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return tuple(_plain(x) for x in v)
    if isinstance(v, int) and not isinstance(v, bool):
        return Decimal(v)
    return v


def scalar_row(book: regdsl.Book, facts: dict, as_of: Any, outcomes: list[str]) -> dict[str, tuple] | None:
    """What the per-student evaluator says of one student (None: it rejects the facts)."""
    try:
        result = book.evaluate(facts, as_of, outcomes)
    except BookErrors:
        return None
    out = {}
    for o in result:
        cites = o.citations
        eid = cites[0].eid if o.determined and cites else None
        out[o.name] = (_plain(o.value), o.status, o.missing, o.decided_by, o.reasons, eid)
    return out


def column_row(table: Any, i: int, name: str) -> tuple:
    get = lambda suffix: table.column(name + suffix)[i].as_py()  # noqa: E731
    return (_plain(get("")), get(".status"), tuple(get(".missing")), tuple(get(".decided_by")),
            tuple(get(".reasons")), get(".provision"))


def assert_agree(book: regdsl.Book, rows: list[dict], as_of: Any, outcomes: list[str] | None = None,
                 context: str = "") -> None:
    names = outcomes or list(book.outcome_names)
    cols = columns_of(rows)
    if not cols and book.ir.inputs:  # students who know nothing: a mapping of no columns has no rows
        cols = {next(iter(book.ir.inputs)): [None] * len(rows)}
    table = book.evaluate_table(cols, as_of, names)
    assert table.num_rows == len(rows)
    for i, facts in enumerate(rows):
        want = scalar_row(book, facts, as_of, names)
        for name in names:
            got = column_row(table, i, name)
            if want is None:
                assert got[1] == "error" and table.column(name + ".error")[i].as_py(), (context, i, name, got)
                continue
            assert got == want[name], (f"{context} row {i} `{name}`\n  facts: {facts}\n  as of {as_of}\n"
                                       f"  columns: {got}\n  student: {want[name]}")


@cache
def _load_text(text: str) -> regdsl.Book:
    import tempfile
    from pathlib import Path

    d = Path(tempfile.mkdtemp(prefix="regdsl-columns-"))
    (d / "book.reg").write_text(text)
    return regdsl.load(d / "book.reg")


@settings(max_examples=EXAMPLES_N, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_random_books_agree(data):
    gen = data.draw(books())
    book = _load_text(gen.text)
    rows = data.draw(st.lists(students(gen), min_size=1, max_size=12))
    as_of = data.draw(as_of_dates(gen))
    assert_agree(book, rows, as_of, context=gen.text)


AS_OF_WITH_EXCEPTIONS = """book gen "Generated Regulations"
  | A generated book.
  established 2019-04-01
  in force from 2020-04-01

body President "the President"

article 1 "Article 1"
  | The text.
  fact f0 : boolean "Fact f0."
  decision d0 : boolean by President "Decision d0."
  outcome n0 : number "The answer n0."
  n0 = 1 as of 2027-01-01

article 2 "Article 2"
  | The text.
  n0 = 2 when f0 overrides article 1

article 3 "Article 3"
  | The text.
  n0 = 3 when d0 overrides article 1
"""


def test_a_rule_stated_as_of_a_later_date_is_not_asked_where_an_exception_applies():
    """Found by test_random_books_agree: where one exception applies and another waits on a
    decision, the rule itself is never asked, so its `as of` reason is not among the answer's."""
    book = _load_text(AS_OF_WITH_EXCEPTIONS)
    rows = [{k: v for k, v in (("f0", f), ("d0", d)) if v is not None}
            for f in (True, False, None) for d in (True, False, None)]
    assert_agree(book, rows, "2026-04-01", context="as of with exceptions")


TIME_BRANCHES = """book gen "Generated Regulations"
  | A generated book.
  established 2019-04-01
  in force from 2020-04-01

article 1 "Article 1"
  | The text.
  fact f0 : boolean "Fact f0."
  fact f3 : boolean "Fact f3."
  fact f5 : boolean "Fact f5."
  outcome n1 : time "The answer n1."
  n1 = if f0 then (if f3 then 8:30 else 8:30) else (if f5 then 8:30 else 8:30)
"""


def test_branches_of_a_generic_type_that_agree_where_the_condition_is_unknown():
    """Found by test_random_books_agree: two equal times under a condition no row gives were
    chosen as a one-row column in a table of two."""
    rows = [{"f0": True, "f5": True}, {"f5": False}]
    assert_agree(_load_text(TIME_BRANCHES), rows, "2026-04-01", context="time branches")


@cache
def bundled(name: str) -> regdsl.Book:
    return regdsl.load(REGULATIONS / name)


BOOKS = sorted(p.name for p in REGULATIONS.iterdir() if p.is_dir())


def samples(book: str) -> list[tuple[dict, str]]:
    out = []
    for p in sorted(p for ext in ("json", "yaml") for p in (EXAMPLES / book).glob(f"*.{ext}")):
        facts, _, _ = read_facts(str(p))
        side = p.with_suffix(".as_of")
        out.append((facts, side.read_text().strip() if side.exists() else AS_OF))
    return out


@pytest.mark.parametrize("name", BOOKS)
def test_bundled_books_with_every_sample_student(name):
    book = bundled(name)
    students_ = samples(name)
    assert students_
    for as_of in sorted({a for _, a in students_}):
        assert_agree(book, [f for f, _ in students_], as_of, context=f"{name} as of {as_of}")


@pytest.mark.parametrize("name", BOOKS)
def test_bundled_books_with_random_partial_students(name):
    book = bundled(name)

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(rows=st.lists(ir_students(book.ir), min_size=1, max_size=25), as_of=ir_as_of(book.ir))
    def check(rows, as_of):
        assert_agree(book, rows, as_of, context=name)

    check()
