"""`regdsl eval BOOK --students FILE`: a file of students evaluated in batches, written as a table.

Students are read with pyarrow's readers (CSV and JSON lines with the column
types of the book's schema, Parquet as written) in batches, each batch
evaluated by the column evaluator and written at once, so memory stays
bounded whatever the number of rows.  A CSV or JSON lines file whose values
do not parse as the schema's types is read again as text, so that each bad
value becomes an error of its row instead of failing the file.
"""

from __future__ import annotations

import io
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Iterator, TextIO

import pyarrow as pa
import pyarrow.compute as pc

from ...errors import UsageError
from ...results.outcome import json_value

BATCH_ROWS = 65_536
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".parquet": "parquet",
           ".pq": "parquet"}


def _types(book: Any, json: bool = False) -> dict[str, pa.DataType]:
    """The Arrow type each fact is read as from a text file (numbers as text in CSV, where the
    exact converter reads "2.25" as nine quarters; as numbers in JSON)."""
    out: dict[str, pa.DataType] = {}
    for name, inp in book.ir.inputs.items():
        t = inp.ty
        number = (pa.int64() if t.integer else pa.float64()) if json else pa.string()
        out[name] = {"boolean": pa.bool_(), "date": pa.date32(),
                     "enum": pa.string() if json else pa.dictionary(pa.int32(), pa.string()),
                     "number": number, "quantity": number}.get(t.kind, pa.string())
    return out


def read_batches(book: Any, path: str, stdin: Any = None) -> Iterator[pa.Table]:
    """The students of a file, in tables of at most BATCH_ROWS rows."""
    fmt = "jsonl" if path == "-" else FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise UsageError(f"{path}: a file of students is .csv, .jsonl or .parquet", code="E603")
    if path != "-" and not Path(path).is_file():
        raise UsageError(f"{path}: no such file", code="E603")
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS):
                yield pa.Table.from_batches([batch])
        elif fmt == "csv":
            yield from _csv(book, path)
        else:
            data = (stdin or sys.stdin.buffer).read() if path == "-" else Path(path).read_bytes()
            yield from _jsonl(book, data)
    except (pa.ArrowInvalid, OSError) as e:
        raise UsageError(f"{path}: cannot read the students: {e}", code="E603") from None


def _csv(book: Any, path: str) -> Iterator[pa.Table]:
    import pyarrow.csv as pcsv

    names = _csv_header(path)
    types = {k: v for k, v in _types(book).items() if k in names}
    try:
        reader = pcsv.open_csv(path, read_options=pcsv.ReadOptions(block_size=8 << 20),
                               convert_options=pcsv.ConvertOptions(column_types=types, strings_can_be_null=True))
        batches = list(reader)
    except pa.ArrowInvalid:  # a value that is not of its column's type: read as text, checked row by row
        text = {k: pa.string() for k in names}
        reader = pcsv.open_csv(path, read_options=pcsv.ReadOptions(block_size=8 << 20),
                               convert_options=pcsv.ConvertOptions(column_types=text, strings_can_be_null=True))
        batches = [_typed_where_possible(book, b) for b in reader]
    for b in batches:
        yield pa.Table.from_batches([b])


def _csv_header(path: str) -> list[str]:
    import pyarrow.csv as pcsv

    with open(path, "rb") as f:
        first = f.readline()
    return pcsv.read_csv(io.BytesIO(first + b"\n")).column_names if first.strip() else []


def _typed_where_possible(book: Any, batch: pa.RecordBatch) -> pa.RecordBatch:
    """Text columns of booleans and dates converted where each value parses (others stay text,
    and are errors of their rows)."""
    cols = []
    for name, col in zip(batch.schema.names, batch.columns):
        inp = book.ir.inputs.get(name)
        if inp is not None and inp.ty.kind == "boolean":
            low = pc.utf8_lower(col)
            ok = pc.is_in(low, pa.array(["true", "false", "1", "0"])).fill_null(True)
            if pc.all(ok).as_py():
                col = pc.is_in(low, pa.array(["true", "1"])).cast(pa.bool_())
                col = pc.if_else(low.is_null(), pa.nulls(len(col), pa.bool_()), col)
        cols.append(col)
    return pa.RecordBatch.from_arrays(cols, names=batch.schema.names)


def _jsonl(book: Any, data: bytes) -> Iterator[pa.Table]:
    import pyarrow.json as pjson

    if not data.strip():
        return
    try:
        table = pjson.read_json(io.BytesIO(data), parse_options=pjson.ParseOptions(
            explicit_schema=pa.schema([pa.field(k, v) for k, v in _types(book, json=True).items()]),
            unexpected_field_behavior="infer"))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        rows = []
        for i, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise UsageError(f"line {i}: not JSON ({e.msg})", code="E603") from None
        if any(not isinstance(r, dict) for r in rows):
            raise UsageError("each line of a JSON lines file is one student's facts (an object)", code="E604")
        names = sorted({k for r in rows for k in r})
        from .inputs import as_table

        table, mixed = as_table({k: [r.get(k) for r in rows] for k in names})
        yield _WithMixed(table, mixed)
        return
    for start in range(0, table.num_rows, BATCH_ROWS):
        yield table.slice(start, BATCH_ROWS)


class _WithMixed(dict):
    """A mapping of columns, some of Python values of mixed types (passed as such)."""

    def __init__(self, table: pa.Table, mixed: dict):
        super().__init__({k: mixed.get(k, table.column(k)) for k in table.column_names})
        self.num_rows = table.num_rows


def run(book: Any, students: str, output: str | None, as_of: Any, outcomes: Any, id_column: str | None,
        out: TextIO, err: TextIO, reason: bool = False) -> int:
    """Evaluate a file of students and write the results; the exit code (1 if a row had an error)."""
    names = book._names(outcomes) or tuple(book.outcome_names)
    fmt = None
    if output is not None:
        fmt = FORMATS.get(Path(output).suffix.lower())
        if fmt is None:
            raise UsageError(f"{output}: results are written as .parquet, .csv or .jsonl", code="E701")
    writer = _Writer(output, fmt, out)
    summary: dict[str, Counter[tuple]] = {name: Counter() for name in names}
    bad: list[tuple[int, Any, str]] = []
    progress = _progress(err)
    seen = 0
    warned = False
    try:
        for table in read_batches(book, students):
            cols = list(table.keys()) if isinstance(table, dict) else table.column_names
            if not warned:
                warned = True
                _warn_columns(book, cols, id_column, err)
            carry_id = id_column if id_column is not None else ("id" if "id" in cols else None)
            if carry_id is not None and carry_id not in cols:
                raise UsageError(f"--id {carry_id}: the students have no column `{carry_id}`", code="E701")
            result = book.evaluate_table(table, as_of, names, carry=(carry_id,) if carry_id else (),
                                         reason=reason)
            n = result.num_rows
            for name in names:
                summary[name].update(_counts(result, name))
            errors = result.column(f"{names[0]}.error") if names else None
            if errors is not None and errors.null_count < n:
                ids = result.column(carry_id).to_pylist() if carry_id else [None] * n
                for i, e in enumerate(errors.to_pylist()):
                    if e is not None:
                        bad.append((seen + i + 1, ids[i], e))
            writer.write(result)
            seen += n
            if progress is not None:
                progress.update(n)
    finally:
        if progress is not None:
            progress.close()
        writer.close()
    _summary(summary, seen, err)
    for row, ident, e in bad[:100]:
        print(f"row {row}" + (f" (id {ident})" if ident is not None else "") + f": {e}", file=err)
    if len(bad) > 100:
        print(f"... and {len(bad) - 100} more rows with errors", file=err)
    if bad:
        print(f"{len(bad)} of {seen} rows had input errors", file=err)
    return 1 if bad else 0


def _counts(result: pa.Table, name: str) -> dict[tuple, int]:
    """{(value, status): rows} of one outcome, counted by Arrow (groups in order of first row)."""
    value, status = result.column(name), result.column(f"{name}.status")
    if pa.types.is_dictionary(value.type):
        value = value.cast(value.type.value_type)
    try:
        groups = pa.table({"v": value, "s": status.cast(pa.string())}).group_by(
            ["v", "s"], use_threads=False).aggregate([([], "count_all")])
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid, pa.ArrowTypeError):  # lists, say
        return Counter(zip(value.to_pylist(), status.to_pylist()))
    return dict(zip(zip(groups.column("v").to_pylist(), groups.column("s").to_pylist()),
                    groups.column("count_all").to_pylist()))


def _warn_columns(book: Any, cols: list[str], id_column: str | None, err: TextIO) -> None:
    from ...errors import did_you_mean

    for c in cols:
        if c in book.ir.inputs or c == id_column or c == "id":
            continue
        hint = did_you_mean(c, list(book.ir.inputs))
        print(f"warning: column `{c}` is not a fact of the book; it is not read" +
              (f" ({hint})" if hint else ""), file=err)


def _progress(err: TextIO) -> Any:
    """A progress bar on a terminal (tqdm, on standard error); none when it is not one."""
    if not getattr(err, "isatty", lambda: False)():
        return None
    from tqdm import tqdm

    return tqdm(unit=" students", file=err, unit_scale=True)


def _summary(summary: dict[str, Counter[tuple]], rows: int, err: TextIO) -> None:
    print(f"{rows:,} students", file=err)
    for name, counts in summary.items():
        by_status: Counter = Counter()
        values: Counter = Counter()
        for (value, status), k in counts.items():
            by_status[status] += k
            if status == "determined":
                values[json.dumps(json_value(value), ensure_ascii=False)] += k
        parts = [f"{v} {k:,}" for v, k in values.most_common(5)]
        if len(values) > 5:
            parts.append(f"{len(values) - 5} other values {sum(k for _, k in values.most_common()[5:]):,}")
        parts += [f"{s} {k:,}" for s, k in sorted(by_status.items()) if s != "determined"]
        print(f"  {name}: " + ", ".join(parts), file=err)


class _Writer:
    """Writes result tables as Parquet, CSV or JSON lines (stdout when there is no file)."""

    def __init__(self, path: str | None, fmt: str | None, out: TextIO):
        self.path, self.fmt, self.out = path, fmt or "jsonl", out
        self.sink: Any = None

    def write(self, table: pa.Table) -> None:
        if self.fmt == "jsonl":
            f = self.sink if self.sink is not None else (open(self.path, "w", encoding="utf-8")
                                                       if self.path else self.out)
            self.sink = f
            for row in plain_lists(table).to_pylist():
                f.write(json.dumps({k: json_value(v) if not isinstance(v, list) else v for k, v in row.items()},
                                   ensure_ascii=False) + "\n")
            return
        table = plain_lists(table)
        if self.fmt == "csv":
            table = _csv_ready(table)
        if self.sink is None:
            if self.fmt == "parquet":
                import pyarrow.parquet as pq

                self.sink = pq.ParquetWriter(self.path, table.schema)
            else:
                import pyarrow.csv as pcsv

                self.sink = pcsv.CSVWriter(self.path, table.schema)
        self.sink.write_table(table.cast(self.sink.schema) if self.fmt == "parquet" else table)

    def close(self) -> None:
        if self.sink is not None and self.sink is not self.out:
            self.sink.close()


def plain_lists(table: pa.Table) -> pa.Table:
    """The table with list_view columns as plain lists (for writers and readers that want them)."""
    cols = [pa.chunked_array([view_to_list(a) for a in c.chunks], pa.list_(pa.string()))
            if pa.types.is_list_view(c.type) else c for c in table.columns]
    return pa.Table.from_arrays(cols, names=table.column_names)


def view_to_list(lv: pa.Array) -> pa.Array:
    """A list_view array as a list array (each row's values copied into place)."""
    import numpy as np

    off = lv.offsets.to_numpy().astype(np.int64)
    size = lv.sizes.to_numpy().astype(np.int64)
    ends = np.cumsum(size)
    starts = ends - size
    idx = np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(starts, size) + np.repeat(off, size)
    new_off = np.concatenate([[0], ends]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(new_off), lv.values.take(pa.array(idx)))


def _csv_ready(table: pa.Table) -> pa.Table:
    """Lists joined with `; `, dictionaries decoded: what a CSV cell holds."""
    cols = []
    for c in table.columns:
        if pa.types.is_list(c.type):
            c = pc.binary_join(c, "; ")
        elif pa.types.is_dictionary(c.type):
            c = c.cast(c.type.value_type)
        cols.append(c)
    return pa.Table.from_arrays(cols, names=table.column_names)
