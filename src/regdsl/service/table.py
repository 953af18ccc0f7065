"""`POST /books/{book}/evaluate-table`: a batch of students in, a table of answers out.

The columns are those of the column evaluator (`Book.evaluate_table`): for
each outcome `<outcome>` (its value: a quantity as a number in its unit, a
date as YYYY-MM-DD), `<outcome>.status`, `<outcome>.missing` (the facts that
would decide it), `<outcome>.decided_by`, `<outcome>.provision` (the eId of
the provision that decided a determined answer) and `<outcome>.error` (the
code and message of a row whose facts cannot be used; its other columns are
null and the rest of the table is evaluated).  An id column, if the rows
have one, is carried through first.

This branch evaluates the rows one by one with `Book.evaluate`, which gives
the same answers; the column evaluator replaces `answer_rows` where it exists.
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
    records = []
    for row in rows:
        rec: dict[str, Any] = {}
        facts = dict(row) if isinstance(row, dict) else row
        if id_column:
            rec[id_column] = facts.pop(id_column, None) if isinstance(facts, dict) else None
        try:
            result = book.evaluate(facts, as_of, names)
        except RegdslError as e:
            first = e.errors[0] if isinstance(e, BookErrors) and e.errors else e
            error = f"{first.code}: {first.message}"
            for name in names:
                rec.update({name: None, f"{name}.status": None, f"{name}.missing": None,
                            f"{name}.decided_by": None, f"{name}.provision": None, f"{name}.error": error})
            records.append(rec)
            continue
        for o in result:
            cites = o.citations if o.status == "determined" else ()
            rec.update({o.name: json_value(o.value), f"{o.name}.status": o.status,
                        f"{o.name}.missing": list(o.missing), f"{o.name}.decided_by": list(o.decided_by),
                        f"{o.name}.provision": cites[0].eid if cites else None, f"{o.name}.error": None})
        records.append(rec)
    return records


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
