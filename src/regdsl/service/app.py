"""The HTTP service: books loaded once, read-only, answered over a Starlette (ASGI) application.

Nothing here reads a file after start-up but the playground's own three
files (package data): the books are loaded and checked once, and every
request is answered from them in memory.  Evaluation runs in Starlette's
thread pool, so one slow evaluation does not hold up the others' I/O.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import Any, Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from .. import __version__
from ..errors import BookErrors, FactsError, RegdslError, UsageError, did_you_mean, restate
from ..api import Book, _as_date
from . import body as bodies, table
from .body import Limits, media_type
from .problems import MEDIA_TYPE, Problem
from .provisions import provision_html, provision_json

PLAYGROUND = {"": ("index.html", "text/html; charset=utf-8"),
              "playground.js": ("playground.js", "text/javascript; charset=utf-8"),
              "playground.css": ("playground.css", "text/css; charset=utf-8")}


class JSON(Response):
    """A JSON response, compact, UTF-8."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Service:
    """The books a server answers for, their schemas worked out once, and the limits on requests."""

    def __init__(self, books: list[Book], limits: Limits = Limits()):
        self.books: dict[str, Book] = {}
        for b in books:
            if b.name in self.books:
                raise UsageError(f"two books are named `{b.name}`; a server answers for each name once",
                                 code="E701")
            self.books[b.name] = b
        self.limits = limits
        self.schemas = {name: b.json_schema() for name, b in self.books.items()}
        self.assets = {path: (resources.files(__package__).joinpath("playground", name).read_bytes(), kind)
                       for path, (name, kind) in PLAYGROUND.items()}
        from .openapi import openapi

        self.openapi = openapi(self)

    def book(self, name: str) -> Book:
        found = self.books.get(name)
        if found is None:
            raise Problem.of([UsageError(f"no book named `{name}` is served here", code="E702",
                                         hint=did_you_mean(name, self.books) or "GET /books lists the books")])
        return found

    def summary(self, b: Book) -> dict:
        """What `GET /books` says of one book."""
        ir = b.ir
        return {"name": ir.name, "title": ir.title, "short_title": ir.short_title,
                "in_force": ir.in_force.isoformat() if ir.in_force else None, "digest": ir.digest,
                "outcomes": list(ir.outcomes),
                "links": {"schema": f"books/{ir.name}/schema", "evaluate": f"books/{ir.name}/evaluate",
                          "evaluate_table": f"books/{ir.name}/evaluate-table"}}


# ---- parameters


def _flag(request: Request, name: str) -> bool:
    """A true-or-false query parameter (absent: false)."""
    raw = request.query_params.get(name)
    if raw is None or raw.lower() in ("false", "0", "no"):
        return False
    if raw.lower() in ("true", "1", "yes", ""):
        return True
    raise Problem.of([UsageError(f"{name} {raw!r} is not true or false", code="E701", argument=name)])


def _params(request: Request, b: Book) -> tuple[dt.date, tuple[str, ...] | None, bool]:
    """`as_of`, `outcomes` and `explain`, checked before the body is read."""
    try:
        day = _as_date(request.query_params.get("as_of") or None)
        wanted = [n.strip() for v in request.query_params.getlist("outcomes") for n in v.split(",") if n.strip()]
        names = b._names(wanted) if wanted else None
    except BookErrors as e:
        raise Problem.of(e.errors, b.name) from None
    except RegdslError as e:
        raise Problem.of([e], b.name) from None
    return day, names, _flag(request, "explain")


# ---- endpoints


async def health(request: Request) -> Response:
    service: Service = request.app.state.service
    return JSON({"status": "ok", "version": __version__, "books": sorted(service.books)})


async def list_books(request: Request) -> Response:
    service: Service = request.app.state.service
    return JSON([service.summary(b) for b in service.books.values()])


async def one_book(request: Request) -> Response:
    service: Service = request.app.state.service
    return JSON(service.summary(service.book(request.path_params["book"])))


async def schema(request: Request) -> Response:
    service: Service = request.app.state.service
    b = service.book(request.path_params["book"])
    return JSON(service.schemas[b.name], media_type="application/schema+json")


async def evaluate(request: Request) -> Response:
    service: Service = request.app.state.service
    b = service.book(request.path_params["book"])
    day, names, explain = _params(request, b)
    kind = media_type(request.headers.get("content-type"))
    if kind and kind not in bodies.JSON_TYPES:
        raise Problem("unsupported-media-type", f"send the facts as application/json, not {kind}")
    text = bodies.text_of(await bodies.read_body(request, service.limits))
    students, batch = bodies.json_students(text, service.limits)

    def run() -> Any:
        results: list[Any] = []
        errors: list[Any] = []
        pointers: dict[Any, Any] = {}
        for i, facts in enumerate(students):
            try:
                r = b.evaluate(facts, day, names, _file=bodies.BODY, _text=None if batch else text)
            except BookErrors as e:
                if batch:
                    restate(e.errors, {"facts": f"student {i}"}, {})
                for err in e.errors:
                    if batch:  # a position is in the body only for one student; a pointer says where
                        err.span = None
                    key = _key_of(err)
                    if key is not None or batch:
                        pointers[len(errors)] = "/" + "/".join(
                            ([str(i)] if batch else []) + ([_escape(key)] if key is not None else []))
                    errors.append(err)
                continue
            results.append(r.to_dict(explain))
        if errors:
            raise Problem.of(errors, b.name, pointers)
        return results if batch else results[0]

    return JSON(await run_in_threadpool(run))


async def evaluate_table(request: Request) -> Response:
    service: Service = request.app.state.service
    b = service.book(request.path_params["book"])
    day, names, explain = _params(request, b)
    if explain:
        raise Problem.of([UsageError("explain is not given for a table; POST /books/{book}/evaluate explains "
                                     "each student", code="E701", argument="explain")])
    kind = media_type(request.headers.get("content-type")) or "application/jsonl"
    accepted = {media_type(a) for a in (request.headers.get("accept") or "*/*").split(",")}
    jsonl_ok = bool(accepted & {"*/*", "application/*", "application/jsonl", "application/x-ndjson"})
    answer_arrow = bodies.ARROW_STREAM in accepted or (kind == bodies.ARROW_STREAM and "*/*" in accepted)
    if not (answer_arrow or jsonl_ok):
        raise Problem("not-acceptable", f"answers are application/jsonl or {bodies.ARROW_STREAM}, not "
                                        f"{', '.join(sorted(accepted))}")
    pa = bodies.arrow() if answer_arrow or kind == bodies.ARROW_STREAM else None
    data = await bodies.read_body(request, service.limits)
    if kind == bodies.ARROW_STREAM:
        rows = bodies.arrow_students(data, service.limits)
    elif kind in bodies.JSONL_TYPES or kind in bodies.JSON_TYPES:
        rows = bodies.jsonl_students(bodies.text_of(data), service.limits)
    else:
        raise Problem("unsupported-media-type", f"send the students as application/jsonl (one JSON object a "
                                                 f"line) or {bodies.ARROW_STREAM}, not {kind}")
    id_param = request.query_params.get("id")
    id_column = id_param or ("id" if "id" not in b.ir.inputs and any(
        isinstance(r, dict) and "id" in r for r in rows) else None)
    outcome_names = names or tuple(b.outcome_names)

    def run() -> Response:
        records = table.answer_rows(b, rows, day, outcome_names, id_column)
        if answer_arrow:
            return Response(table.to_arrow(pa, b, records, outcome_names, id_column), media_type=bodies.ARROW_STREAM)
        return Response(table.to_jsonl(records), media_type="application/jsonl")

    return await run_in_threadpool(run)


async def provision(request: Request) -> Response:
    service: Service = request.app.state.service
    b = service.book(request.path_params["book"])
    found = provision_json(b, request.path_params["eid"], request.query_params.get("book"))
    accept = request.headers.get("accept", "")
    if "text/html" in accept and "application/json" not in accept:
        return HTMLResponse(provision_html(found), headers=PAGE_HEADERS)
    return JSON(found)


async def openapi_document(request: Request) -> Response:
    return JSON(request.app.state.service.openapi, media_type="application/vnd.oai.openapi+json")


# The pages load nothing but their own files and call nothing but this service.
PAGE_HEADERS = {"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
                "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-cache"}


def _asset(path: str) -> Callable:
    async def serve(request: Request) -> Response:
        data, kind = request.app.state.service.assets[path]
        return Response(data, media_type=kind, headers=PAGE_HEADERS)

    return serve


# ---- errors


def _key_of(err: RegdslError) -> str | None:
    """The fact an E60x error is about (its message names it between backquotes)."""
    if isinstance(err, FactsError) and "`" in err.message:
        return err.message.split("`", 2)[1]
    return None


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _problem_response(request: Request, problem: Problem) -> Response:
    return JSON(problem.to_dict(request.url.path), status_code=problem.status, media_type=MEDIA_TYPE,
                headers=problem.headers)


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return _problem_response(request, exc)


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        p = Problem.of([UsageError(f"nothing is served at {request.url.path}", code="E702",
                                   hint="GET /openapi.json lists the endpoints")])
    elif exc.status_code == 405:
        message = f"{request.method} is not taken by {request.url.path}"
        p = Problem("method-not-allowed", message, [UsageError(message, code="E701")],
                    headers=dict(exc.headers or {}))
    else:
        p = Problem("bad-request", str(exc.detail))
    return _problem_response(request, p)


async def _on_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, RegdslError):
        return _problem_response(request, Problem.of([exc]))
    error = RegdslError(f"internal error ({type(exc).__name__}); this is a bug in regdsl, please report it",
                        code="E000")
    return _problem_response(request, Problem("internal", error.message, [error]))


def create_app(books: list[Book], limits: Limits = Limits()) -> Starlette:
    """The ASGI application serving `books` (each loaded and checked already)."""
    routes = [
        Route("/", _asset(""), methods=["GET"]),
        Route("/playground", _asset(""), methods=["GET"]),
        Route("/playground.js", _asset("playground.js"), methods=["GET"]),
        Route("/playground.css", _asset("playground.css"), methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/openapi.json", openapi_document, methods=["GET"]),
        Route("/books", list_books, methods=["GET"]),
        Route("/books/{book}", one_book, methods=["GET"]),
        Route("/books/{book}/schema", schema, methods=["GET"]),
        Route("/books/{book}/evaluate", evaluate, methods=["POST"]),
        Route("/books/{book}/evaluate-table", evaluate_table, methods=["POST"]),
        Route("/books/{book}/provisions/{eid}", provision, methods=["GET"]),
    ]
    app = Starlette(routes=routes, exception_handlers={Problem: _on_problem, HTTPException: _on_http,
                                                       Exception: _on_error})
    app.state.service = Service(books, limits)
    return app
