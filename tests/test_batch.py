"""Batches: the CLI's --students, the Dask helper, evaluate_many's errors, the refinement hook."""

from __future__ import annotations

import json
import pickle

import pytest

pa = pytest.importorskip("pyarrow")
np = pytest.importorskip("numpy")

import regdsl  # noqa: E402
from conftest import REGULATIONS  # noqa: E402
from regdsl.cli import main  # noqa: E402

AS_OF = "2026-04-01"
OUTS = ["must_be_expelled", "max_years_enrolled", "meets_graduation_requirements"]


@pytest.fixture(scope="module")
def book():
    return regdsl.load(REGULATIONS / "university")


def population(n: int, seed: int = 7) -> dict:
    rng = np.random.default_rng(seed)
    years = rng.integers(0, 49, size=n) / 4
    cols = {
        "id": np.array([f"s{i}" for i in range(n)]),
        "entry": rng.choice(np.array(["first_year", "second_year", "third_year"]), size=n),
        "years_enrolled": years,
        "total_leave": rng.integers(0, 40, size=n),
        "credits_earned": rng.integers(0, 181, size=n),
        "media_credits": rng.integers(0, 91, size=n),
        "took_prescribed_courses": rng.random(n) < 0.7,
        "tuition_unpaid_after_demand": rng.random(n) < 0.05,
    }
    cols["non_degree_period_counted"] = [None if i % 5 == 0 else int(i % 3) for i in range(n)]
    return cols


def test_csv_jsonl_parquet_from_the_cli(book, tmp_path, capsys):
    cols = population(50)
    table = pa.table({k: pa.array(v) for k, v in cols.items()})
    csv = tmp_path / "s.csv"
    import pyarrow.csv as pcsv

    pcsv.write_csv(table, csv)
    out = tmp_path / "r.parquet"
    code = main(["eval", str(REGULATIONS / "university"), "--students", str(csv), "--as-of", AS_OF,
                 *sum((["--outcome", o] for o in OUTS), []), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "50 students" in err and "must_be_expelled:" in err
    import pyarrow.parquet as pq

    got = pq.read_table(out)
    want = book.evaluate_table(table, AS_OF, OUTS, carry=["id"])
    assert got.column("id").to_pylist() == cols["id"].tolist()
    for o in OUTS:
        assert got.column(o).to_pylist() == want.column(o).to_pylist()
        assert got.column(f"{o}.missing").to_pylist() == want.column(f"{o}.missing").to_pylist()
    jsonl = tmp_path / "r.jsonl"
    assert main(["eval", str(REGULATIONS / "university"), "--students", str(csv), "--as-of", AS_OF,
                 "--outcome", "must_be_expelled", "-o", str(jsonl)]) == 0
    rows = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert len(rows) == 50 and rows[0]["id"] == "s0"


def test_bad_rows_are_listed_and_exit_1(tmp_path, capsys):
    csv = tmp_path / "s.csv"
    csv.write_text("id,entry,credits_earned\nx1,first_year,10\nx2,fourth_year,abc\n")
    code = main(["eval", str(REGULATIONS / "university"), "--students", str(csv), "--as-of", AS_OF,
                 "--outcome", "must_be_expelled"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "row 2 (id x2): E602: fact `entry`" in err and "1 of 2 rows had input errors" in err
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[1]["must_be_expelled.status"] == "error" and rows[0]["must_be_expelled.status"] != "error"


def _cell(x):
    """A cell as text, a null as None (pandas' ArrowDtype gives pd.NA where NumPy gives None)."""
    import pandas as pd

    return None if x is None or x is pd.NA else str(x)


def test_dask_partitions_equal_the_single_process_run(book, tmp_path):
    dd = pytest.importorskip("dask.dataframe")
    import dask
    import pyarrow.parquet as pq

    cols = population(400)
    table = pa.table({k: pa.array(v) for k, v in cols.items()})
    folder = tmp_path / "register"
    folder.mkdir()
    for i in range(4):
        pq.write_table(table.slice(i * 100, 100), folder / f"part-{i}.parquet")
    from regdsl.dask import evaluate_dataframe

    ddf = dd.read_parquet(str(folder))
    assert ddf.npartitions >= 2
    with dask.config.set(scheduler="synchronous"):
        got = evaluate_dataframe(pickle.loads(pickle.dumps(book)), ddf, AS_OF, OUTS, carry=["id"]).compute()
    want = book.evaluate_table(table, AS_OF, OUTS, carry=["id"]).to_pandas()
    assert list(got["id"]) == list(want["id"])
    for o in OUTS:
        assert [_cell(x) for x in got[o]] == [_cell(x) for x in want[o]]
        assert list(got[f"{o}.status"].astype(str)) == list(want[f"{o}.status"].astype(str))


def test_refine_is_asked_about_undetermined_rows_only(book):
    cols = population(30)
    base = book.evaluate_table(cols, AS_OF, OUTS)
    asked = []

    class Answer:
        value, status, missing, decided_by, reasons, citations = True, "determined", (), (), (), ()

    def refine(b, facts, as_of, names):
        asked.append((facts.get("credits_earned"), names))
        return {name: Answer() for name in names if name == "must_be_expelled"}

    got = book.evaluate_table(cols, AS_OF, OUTS, refine=refine)
    und = [i for i in range(30) if any(base.column(f"{o}.status")[i].as_py() == "undetermined" for o in OUTS)]
    assert len(asked) == len(und) and und
    for i in range(30):
        before = base.column("must_be_expelled.status")[i].as_py()
        after = got.column("must_be_expelled.status")[i].as_py()
        if before == "undetermined":
            assert after == "determined" and got.column("must_be_expelled")[i].as_py() is True
        else:
            assert after == before and got.column("must_be_expelled")[i].as_py() == \
                base.column("must_be_expelled")[i].as_py()
    assert got.column("max_years_enrolled").to_pylist() == base.column("max_years_enrolled").to_pylist()


def test_evaluate_many_reports_and_collects_bad_students(book):
    students = [{"entry": "first_year"}, {"entry": "nope"}, {"years_enrolled": 3}]
    with pytest.raises(regdsl.BookErrors) as e:
        list(book.evaluate_many(students, AS_OF, ["max_years_enrolled"]))
    assert "student 1" in e.value.errors[0].message
    got = list(book.evaluate_many(students, AS_OF, ["max_years_enrolled"], errors="collect"))
    assert [r.ok for r in got] == [True, False, True]
    assert got[1].index == 1 and got[1].errors[0].code == "E602"
    assert got[2]["max_years_enrolled"].status == "undetermined"
