"""Request bodies: read within the size limit, decoded, parsed with the facts reader's limits.

The size is checked on the `Content-Length` header before a byte is read,
and again while the body streams in (a chunked body, or one that lies about
its length, is cut off at the limit).  The number of students is checked
before any of them is validated: for JSON Lines and Arrow, before a line or
a batch is parsed; for a JSON array, once the array is read (its size is
bounded by the size limit).
"""

from __future__ import annotations

from typing import Any

import attrs

from ..errors import FactsError, RegdslError, Span
from ..core.files import not_utf8, utf8_error_at
from ..facts import parse_facts
from ..facts.read import MAX_FACTS
from .problems import BODY, Problem

JSON_TYPES = ("application/json", "text/json")
JSONL_TYPES = ("application/jsonl", "application/x-ndjson", "application/x-jsonlines", "application/json-seq")
ARROW_STREAM = "application/vnd.apache.arrow.stream"


@attrs.frozen
class Limits:
    """What one request may hold (documented in docs/service.md; `regdsl serve --max-body --max-batch`)."""

    max_body: int = 10 * 1024 * 1024
    max_batch: int = 10_000


def media_type(header: str | None) -> str:
    """The media type of a Content-Type or Accept entry, without parameters, lower case."""
    return (header or "").split(";", 1)[0].strip().lower()


async def read_body(request: Any, limits: Limits) -> bytes:
    """The body of `request`, at most `limits.max_body` bytes (413 beyond, before reading more)."""
    length = request.headers.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise Problem("bad-request", "Content-Length is not a number of bytes")
        if int(length) > limits.max_body:
            await _drain(request.stream(), 0)
            raise _too_large(limits)
    chunks, size = [], 0
    stream = request.stream()
    async for chunk in stream:
        size += len(chunk)
        if size > limits.max_body:
            await _drain(stream, size)
            raise _too_large(limits)
        chunks.append(chunk)
    return b"".join(chunks)


DRAIN = 64 * 1024 * 1024  # bytes of a refused body read and dropped, so that the client reads the answer


async def _drain(stream: Any, size: int) -> None:
    """Read and drop the rest of a refused body, up to DRAIN bytes: a client that is still sending
    when the connection closes may lose the answer (a TCP reset discards it)."""
    async for chunk in stream:
        size += len(chunk)
        if size > DRAIN:
            break


def _too_large(limits: Limits) -> Problem:
    error = FactsError(f"the request body is larger than this service takes ({limits.max_body:,} bytes)",
                       code="E109", hint="send fewer students per request")
    return Problem("too-large", error.message, [error], headers={"Connection": "close"})


def too_many(count: int, limits: Limits) -> Problem:
    """The problem for a batch over the limit."""
    error = FactsError(f"the request holds {count:,} students; this service takes at most "
                       f"{limits.max_batch:,} in one request", code="E606", hint="split the batch")
    return Problem("too-large", error.message, [error])


def text_of(data: bytes) -> str:
    """The body as text (E603 at the first byte that is not UTF-8)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line, col = utf8_error_at(data, e)
        raise Problem.of([FactsError(not_utf8(data, e), Span(BODY, line, col), code="E603")]) from None


def json_students(text: str, limits: Limits) -> tuple[list[Any], bool]:
    """The students of a JSON body: one facts object, or an array of them; (students, batch?)."""
    if not text.strip():
        raise Problem.of([FactsError("the request body is empty; send a student's facts as a JSON object",
                                     Span(BODY, 1, 1), code="E604")])
    try:
        data = parse_facts(text, "json", BODY)
    except RegdslError as e:
        raise Problem.of([e]) from None
    if isinstance(data, list):
        if len(data) > limits.max_batch:
            raise too_many(len(data), limits)
        for i, student in enumerate(data):  # each student is held to the limits of a facts file
            if isinstance(student, dict) and len(student) > MAX_FACTS:
                raise Problem.of([FactsError(f"student {i} gives {len(student):,} names; at most {MAX_FACTS:,} "
                                             "are read", code="E606")], pointers={0: f"/{i}"})
        return data, True
    return [data], False


def jsonl_students(text: str, limits: Limits) -> list[Any]:
    """The students of a JSON Lines body, one object per line (blank lines are skipped)."""
    lines = [(no, line) for no, line in enumerate(text.split("\n"), 1) if line.strip()]
    if len(lines) > limits.max_batch:
        raise too_many(len(lines), limits)
    students = []
    for no, line in lines:
        try:
            students.append(parse_facts(line, "json", BODY))
        except RegdslError as e:
            if e.span is not None:
                e.span = attrs.evolve(e.span, line=no, end_line=no if e.span.end_line else 0)
            e.source_line = None
            raise Problem.of([e]) from None
    return students


def arrow_students(data: bytes, limits: Limits) -> list[dict]:
    """The rows of an Arrow IPC stream, as facts (a null is a fact not known)."""
    pa = arrow()
    try:
        reader = pa.ipc.open_stream(data)
        batches, rows = [], 0
        for batch in reader:
            rows += batch.num_rows
            if rows > limits.max_batch:
                raise too_many(rows, limits)
            batches.append(batch)
        table = pa.Table.from_batches(batches, schema=reader.schema)
    except pa.ArrowException as e:
        raise Problem.of([FactsError(f"not a valid Arrow IPC stream: {e}", Span(BODY, 1, 1),
                                     code="E603")]) from None
    return table.to_pylist()


def arrow():
    """pyarrow, or the problem that says the server has none."""
    try:
        import pyarrow
        import pyarrow.ipc  # noqa: F401
    except ImportError:
        raise Problem("unsupported-media-type", "this server reads and writes Arrow only with pyarrow "
                      "installed; send JSON Lines (application/jsonl)") from None
    return pyarrow
