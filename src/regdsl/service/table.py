"""`POST /books/{book}/evaluate-table`: a batch of students in, a table of answers out.

The columns are those of the column evaluator (`Book.evaluate_table`): for
each outcome `<outcome>` (its value: a quantity as a number in its unit, a
date as YYYY-MM-DD), `<outcome>.status`, `<outcome>.missing` (the facts that
would decide it), `<outcome>.decided_by`, `<outcome>.provision` (the eId of
the provision that decided a determined answer) and `<outcome>.error` (the
code and message of a row whose facts cannot be used; its other columns are
null and the rest of the table is evaluated).  An id column, if the rows
have one, is carried through first.

The rows are evaluated together by the column evaluator when numpy and
pyarrow are installed (the `[batch]` extra), and one by one with
`Book.evaluate` otherwise; both give the same answers.  A row that is not a
JSON object, or that names a fact the book does not declare, is answered
one by one, so that its error is the one `/evaluate` gives.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Iterable

from ..errors import BookErrors, RegdslError
from ..results.outcome import json_value

SUFFIXES = ("status", "missing", "decided_by", "provision", "error")


def columns(names: Iterable[str], id_column: str | None) -> list[str]:
    """The columns of the table for these outcomes, in order."""
    out = [id_column] if id_column else []
    for name in names:
        out += [name] + [f"{name}.{s}" for s in SUFFIXES]
    return out


def answer_rows(book: Any, rows: list[dict], as_of: dt.date, names: tuple[str, ...],
                id_column: str | None) -> list[dict]:
    """One record per row: the id, then every outcome's columns."""
    try:
        import numpy  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        return [_one_row(book, row, as_of, names, id_column) for row in rows]
    records: list[dict | None] = [None] * len(rows)
    ids: list[Any] = []
    batch: list[dict] = []
    inputs = book.ir.inputs
    for i, row in enumerate(rows):
        facts = dict(row) if isinstance(row, dict) else None
        if facts is not None and id_column:
            facts.pop(id_column, None)
        if facts is None or any(k not in inputs for k in facts):
            records[i] = _one_row(book, row, as_of, names, id_column)
            continue
        ids.append((i, row.get(id_column) if id_column else None))
        batch.append(facts)
    if batch:
        for (i, ident), rec in zip(ids, _by_columns(book, batch, as_of, names)):
            records[i] = {id_column: ident, **rec} if id_column else rec
    return [r for r in records if r is not None]


def _by_columns(book: Any, batch: list[dict], as_of: dt.date, names: tuple[str, ...]) -> list[dict]:
    """The records of rows of facts, evaluated at once by the column evaluator."""
    used = sorted({k for facts in batch for k in facts}) or list(book.ir.inputs)[:1]
    columns = {k: [facts.get(k) for facts in batch] for k in used}
    answers = book.evaluate_table(columns, as_of, names)
    cols = {name: answers.column(name).to_pylist() for name in answers.column_names
            if not name.endswith(".reasons")}
    out = []
    for r in range(len(batch)):
        rec: dict[str, Any] = {}
        for name in names:
            error = cols[f"{name}.error"][r]
            if error is not None:
                rec.update(_error_columns(name, error))
                continue
            status = cols[f"{name}.status"][r]
            rec.update({name: _value(cols[name][r]), f"{name}.status": status,
                        f"{name}.missing": list(cols[f"{name}.missing"][r] or ()),
                        f"{name}.decided_by": list(cols[f"{name}.decided_by"][r] or ()),
                        f"{name}.provision": cols[f"{name}.provision"][r] if status == "determined" else None,
                        f"{name}.error": None})
        out.append(rec)
    return out


def _value(v: Any) -> Any:
    """A value of an outcome column as `/evaluate` writes it."""
    if type(v) is int:
        return v
    if isinstance(v, list):
        return [_value(x) for x in v]
    return json_value(v)


def _error_columns(name: str, error: str) -> dict[str, Any]:
    """An outcome's columns for a row whose facts cannot be used: null, and the error."""
    return {name: None, **{f"{name}.{s}": None for s in SUFFIXES}, f"{name}.error": error}


def _one_row(book: Any, row: Any, as_of: dt.date, names: tuple[str, ...], id_column: str | None) -> dict:
    """The record of one row, evaluated by itself."""
    rec: dict[str, Any] = {}
    facts = dict(row) if isinstance(row, dict) else row
    if id_column:
        rec[id_column] = facts.pop(id_column, None) if isinstance(facts, dict) else None
    try:
        result = book.evaluate(facts, as_of, names)
    except RegdslError as e:
        first = e.errors[0] if isinstance(e, BookErrors) and e.errors else e
        hint = f" ({first.hint})" if getattr(first, "hint", None) else ""  # as the column evaluator says it
        for name in names:
            rec.update(_error_columns(name, f"{first.code}: {first.message}{hint}"))
        return rec
    for o in result:
        cites = o.citations if o.status == "determined" else ()
        rec.update({o.name: json_value(o.value), f"{o.name}.status": o.status,
                    f"{o.name}.missing": list(o.missing), f"{o.name}.decided_by": list(o.decided_by),
                    f"{o.name}.provision": cites[0].eid if cites else None, f"{o.name}.error": None})
    return rec


def to_jsonl(records: list[dict]) -> bytes:
    """The records as JSON Lines."""
    return "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records).encode()


def arrow_type(pa: Any, ty: Any) -> Any:
    """The Arrow type of an outcome's value column."""
    k = ty.kind
    if k == "boolean":
        return pa.bool_()
    if k == "number" and ty.integer:
        return pa.int64()
    if k in ("number", "quantity"):
        return pa.float64()
    if k == "date":
        return pa.date32()
    if k == "list":
        return pa.list_(pa.string())
    return pa.string()


def to_arrow(pa: Any, book: Any, records: list[dict], names: tuple[str, ...], id_column: str | None) -> bytes:
    """The records as an Arrow IPC stream, with a column type for each outcome's values."""
    fields = [pa.field(id_column, pa.string())] if id_column else []
    strings = pa.list_(pa.string())
    for name in names:
        fields += [pa.field(name, arrow_type(pa, book.ir.names[name].ty)), pa.field(f"{name}.status", pa.string()),
                   pa.field(f"{name}.missing", strings), pa.field(f"{name}.decided_by", strings),
                   pa.field(f"{name}.provision", pa.string()), pa.field(f"{name}.error", pa.string())]
    schema = pa.schema(fields)
    data: dict[str, list] = {f.name: [] for f in fields}
    for rec in records:
        for f in fields:
            v = rec.get(f.name)
            if f.type == pa.date32() and isinstance(v, str):
                v = dt.date.fromisoformat(v)
            elif f.type == pa.string() and v is not None and not isinstance(v, str):
                v = json.dumps(v) if f.name == id_column and not isinstance(v, (int, float)) else str(v)
            data[f.name].append(v)
    table = pa.Table.from_pydict(data, schema=schema)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()
