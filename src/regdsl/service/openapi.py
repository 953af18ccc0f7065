"""The OpenAPI 3.1 document of a running service (`GET /openapi.json`), from the books' JSON Schemas.

Each book served gets its own paths (`/books/university_regulations/evaluate`,
...) whose request and response bodies are that book's facts and result
schemas, so a client generator sees every fact with its type.  The schemas
are the ones `GET /books/{book}/schema` returns, with their `$defs` moved
into `components.schemas` (`<book>.facts`, `<book>.result`, `<book>.outcome`
and the common `citation`, `version`, `explanation`, `error`, `errors`).
"""

from __future__ import annotations

import copy
from typing import Any

from .. import __version__
from ..results.json_schema import COMMON
from .body import ARROW_STREAM
from .problems import MEDIA_TYPE, problem_schema

REF = "#/components/schemas/"


def _rebase(schema: Any, mapping: dict[str, str]) -> Any:
    """`schema` with each `$ref` into `#/$defs/` pointed at the component it became."""
    if isinstance(schema, dict):
        out = {}
        for k, v in schema.items():
            if k == "$ref" and isinstance(v, str) and v.startswith("#/$defs/"):
                out[k] = REF + mapping[v[len("#/$defs/"):]]
            else:
                out[k] = _rebase(v, mapping)
        return out
    if isinstance(schema, list):
        return [_rebase(v, mapping) for v in schema]
    return schema


def _problems(*statuses: int) -> dict:
    return {str(s): {"description": _WHY[s], "content": {MEDIA_TYPE: {"schema": {"$ref": REF + "problem"}}}}
            for s in statuses}


_WHY = {400: "a bad parameter (E701) or an unknown outcome (E605)", 404: "no such book or provision",
        406: "an answer in a media type the service does not write",
        413: "the body or the batch is larger than the service takes (E109, E606)",
        415: "a body in a media type the service does not read",
        422: "facts that cannot be used (E6xx) or an evaluation limit passed (E8xx)"}


def _params(*names: str) -> list[dict]:
    known: dict[str, dict] = {
        "as_of": {"name": "as_of", "in": "query", "schema": {"type": "string", "format": "date"},
                  "description": "the date of the question, YYYY-MM-DD (default: the server's today)"},
        "outcomes": {"name": "outcomes", "in": "query", "schema": {"type": "string"}, "explode": True,
                     "description": "outcomes or definitions to answer, comma-separated or repeated "
                                    "(default: every outcome)"},
        "explain": {"name": "explain", "in": "query", "schema": {"type": "boolean", "default": False},
                    "description": "include each outcome's explanation tree"},
        "id": {"name": "id", "in": "query", "schema": {"type": "string"},
               "description": "a column carried through to the answers (default: `id`, when the rows have it)"},
        "book": {"name": "book", "in": "query", "schema": {"type": "string"},
                 "description": "the book a provision belongs to, when it is another book the book applies"},
        "eid": {"name": "eid", "in": "path", "required": True, "schema": {"type": "string"},
                "description": "the provision's eId, as a result's citations give it"},
    }
    return [known[n] for n in names]


def _json(schema: dict, media: str = "application/json") -> dict:
    return {"content": {media: {"schema": schema}}}


def _book_paths(name: str, title: str) -> dict:
    facts, result = {"$ref": f"{REF}{name}.facts"}, {"$ref": f"{REF}{name}.result"}
    base = f"/books/{name}"
    rows = {"type": "string", "description": "JSON Lines: one facts object a line"}
    return {
        base: {"get": {"summary": f"About {title}", "operationId": f"{name}.book", "tags": [name],
                       "responses": {"200": {"description": "the book", **_json({"$ref": REF + "book"})},
                                     **_problems(404)}}},
        f"{base}/schema": {"get": {
            "summary": "The JSON Schema of its facts (and, in $defs, of its results)", "tags": [name],
            "operationId": f"{name}.schema",
            "responses": {"200": {"description": "a JSON Schema, draft 2020-12",
                                  **_json({"type": "object"}, "application/schema+json")}}}},
        f"{base}/evaluate": {"post": {
            "summary": "Evaluate one student, or a list of students", "tags": [name],
            "operationId": f"{name}.evaluate", "parameters": _params("as_of", "outcomes", "explain"),
            "requestBody": {"required": True, **_json({"oneOf": [facts, {"type": "array", "items": facts}]})},
            "responses": {"200": {"description": "a result (or a list of results, in the order of the students)",
                                  **_json({"oneOf": [result, {"type": "array", "items": result}]})},
                          **_problems(400, 404, 413, 415, 422)}}},
        f"{base}/evaluate-table": {"post": {
            "summary": "Evaluate a batch of students as a table (JSON Lines or Arrow)", "tags": [name],
            "operationId": f"{name}.evaluate_table", "parameters": _params("as_of", "outcomes", "id"),
            "requestBody": {"required": True, "content": {
                "application/jsonl": {"schema": rows}, ARROW_STREAM: {"schema": {"type": "string",
                                                                                  "format": "binary"}}}},
            "responses": {"200": {"description": "one record a row: each outcome's value, status, missing, "
                                                 "decided_by, provision and error",
                                  "content": {"application/jsonl": {"schema": rows},
                                              ARROW_STREAM: {"schema": {"type": "string", "format": "binary"}}}},
                          **_problems(400, 404, 406, 413, 415, 422)}}},
        f"{base}/provisions/{{eid}}": {"get": {
            "summary": "One provision: its citation, text and parts", "tags": [name],
            "operationId": f"{name}.provision", "parameters": _params("eid", "book"),
            "responses": {"200": {"description": "the provision (as HTML when asked for text/html)",
                                  "content": {"application/json": {"schema": {"$ref": REF + "provision"}},
                                              "text/html": {"schema": {"type": "string"}}}},
                          **_problems(404)}}},
    }


def openapi(service: Any) -> dict:
    """The OpenAPI 3.1 document of `service` (a `Service`)."""
    schemas: dict[str, Any] = {}
    common = {k: k for k in COMMON}
    for k, v in COMMON.items():
        schemas[k] = _rebase(copy.deepcopy(v), common)
    schemas["problem_error"] = copy.deepcopy(schemas["error"])
    schemas["problem_error"]["properties"]["pointer"] = {
        "type": "string", "description": "a JSON Pointer to the value in the request body"}
    schemas["problem"] = problem_schema()
    schemas["book"] = {"type": "object", "required": ["name", "title"], "properties": {
        "name": {"type": "string"}, "title": {"type": "string"}, "short_title": {"type": "string"},
        "in_force": {"type": ["string", "null"], "format": "date"}, "digest": {"type": "string"},
        "outcomes": {"type": "array", "items": {"type": "string"}}, "links": {"type": "object"}}}
    schemas["provision"] = {"type": "object", "required": ["book", "eid", "cite", "text"], "properties": {
        k: {"type": ["string", "null"]} for k in ("book", "eid", "cite", "home_cite", "kind", "number", "title",
                                                  "text", "in_force_from", "in_force_until", "via")}}
    schemas["provision"]["properties"].update(deleted={"type": "boolean"},
                                              article={"type": ["object", "null"]},
                                              parts={"type": "array", "items": {"type": "object"}})
    paths: dict[str, Any] = {
        "/health": {"get": {"summary": "Whether the service is up, and the books it serves",
                            "operationId": "health",
                            "responses": {"200": {"description": "up", **_json({"type": "object"})}}}},
        "/books": {"get": {"summary": "The books served", "operationId": "books",
                           "responses": {"200": {"description": "every book",
                                                 **_json({"type": "array", "items": {"$ref": REF + "book"}})}}}},
    }
    for name, book in service.books.items():
        doc = service.schemas[name]
        mapping = {**common, "result": f"{name}.result", "outcome": f"{name}.outcome"}
        facts = {k: v for k, v in doc.items() if k not in ("$schema", "$id", "$defs")}
        schemas[f"{name}.facts"] = copy.deepcopy(facts)
        for key in ("result", "outcome"):
            schemas[mapping[key]] = _rebase(copy.deepcopy(doc["$defs"][key]), mapping)
        paths.update(_book_paths(name, book.title))
    return {
        "openapi": "3.1.0",
        "info": {"title": "regdsl", "version": __version__,
                 "description": "University regulations as code: the books served, their facts' JSON Schemas, "
                                "evaluation of students, and the provisions behind each answer. Errors are "
                                "RFC 9457 problem details (application/problem+json) with regdsl's error codes."},
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": paths,
        "components": {"schemas": schemas},
    }
