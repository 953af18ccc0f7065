"""Errors over HTTP: RFC 9457 problem details carrying regdsl's codes and positions.

Every error the service returns is `application/problem+json`:

    {"type": "urn:regdsl:problem:bad-facts", "title": "The facts cannot be used",
     "status": 422, "detail": "unknown fact `years_enroled`", "instance": "/books/mini/evaluate",
     "errors": [{"code": "E601", "message": ..., "file": "<request>", "line": 2, "column": 4,
                 "end_line": 2, "end_column": 17, "hint": ..., "pointer": "/years_enroled"}]}

`errors` holds what `regdsl --format json` writes on standard error (the same
codes, messages and positions; a position is in the request body, named
`<request>`), each with a JSON Pointer into the body where one is known.
"""

from __future__ import annotations

from typing import Any, Iterable

from ..errors import HINT_FACTS, HINT_OUTCOMES, RegdslError, restate

MEDIA_TYPE = "application/problem+json"
BODY = "<request>"  # the file name positions in a request body are given in

# (type, title, HTTP status) of each kind of problem.
KINDS: dict[str, tuple[str, int]] = {
    "bad-facts": ("The facts cannot be used", 422),
    "bad-request": ("The request is not one the service can answer", 400),
    "not-found": ("No such resource", 404),
    "method-not-allowed": ("This resource does not take that method", 405),
    "not-acceptable": ("The service cannot answer in the media type asked for", 406),
    "too-large": ("The request is larger than the service takes", 413),
    "unsupported-media-type": ("The request body is not in a media type the service reads", 415),
    "evaluation-limit": ("The evaluation passed a limit", 422),
    "internal": ("The service failed; this is a bug in regdsl", 500),
}


def kind_of(code: str) -> str:
    """The kind of problem an error code is, over HTTP."""
    if code == "E109":
        return "too-large"
    if code.startswith("E6") and code != "E605":  # an unknown outcome is a bad parameter
        return "bad-facts"
    if code.startswith("E8"):
        return "evaluation-limit"
    if code in ("E702", "E303"):
        return "not-found"
    return "bad-request"


class Problem(Exception):
    """A problem to answer with: its kind, a detail, and the regdsl errors behind it."""

    def __init__(self, kind: str, detail: str, errors: Iterable[RegdslError] = (),
                 pointers: dict[int, str] | None = None, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        # every problem carries a regdsl error, so that a client reads `errors[0].code` always
        self.errors = list(errors) or [RegdslError(detail, code="E701")]
        self.pointers = pointers or {}
        self.headers = headers or {}

    @classmethod
    def of(cls, errors: list[RegdslError], book: str | None = None,
           pointers: dict[int, str] | None = None) -> "Problem":
        """The problem for regdsl errors, said in the service's terms."""
        where = f"GET /books/{book or '{book}'}/schema"
        restate(errors, {"facts": "the request body"}, {HINT_FACTS: f"{where} lists the facts the book takes",
                             HINT_OUTCOMES: f"{where} lists the outcomes and definitions"})
        kind = kind_of(errors[0].code) if errors else "bad-request"
        detail = errors[0].message if len(errors) == 1 else (
            f"{len(errors)} problems, the first: {errors[0].message}")
        return cls(kind, detail, errors, pointers)

    def to_dict(self, instance: str) -> dict[str, Any]:
        title, status = KINDS[self.kind]
        errors = []
        for i, e in enumerate(self.errors):
            d = e.to_dict()
            if i in self.pointers:
                d["pointer"] = self.pointers[i]
            errors.append(d)
        return {"type": f"urn:regdsl:problem:{self.kind}", "title": title, "status": status,
                "detail": self.detail, "instance": instance, "errors": errors}

    @property
    def status(self) -> int:
        return KINDS[self.kind][1]


def problem_schema() -> dict:
    """The JSON Schema of a problem document (for the OpenAPI document)."""
    return {
        "type": "object", "required": ["type", "title", "status", "detail", "errors"],
        "description": "RFC 9457 problem details; `errors` are regdsl's errors, as `regdsl --format json` "
                       "writes them, each with a JSON Pointer into the request body where one is known.",
        "properties": {
            "type": {"type": "string", "enum": [f"urn:regdsl:problem:{k}" for k in KINDS]},
            "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"},
            "instance": {"type": "string"},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/problem_error"}},
        },
    }
