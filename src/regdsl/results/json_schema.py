"""JSON Schemas (draft 2020-12) of what regdsl writes: a result, an outcome, an error document.

The result schema is the book's own: each outcome's `value` has the type the
book declares for that name (a quantity is a number in `unit`), `missing`
names only the book's facts and decisions.  The pieces that do not depend on
a book (citations, versions, explanations, errors) are `COMMON`.
"""

from __future__ import annotations

from typing import Any

from .. import ir
from ..core.types import Type
from ..facts.json_schema import TIME_PATTERN, DATE_PATTERN

STATUSES = ["determined", "undetermined", "discretionary"]
_STRINGS = {"type": "array", "items": {"type": "string"}}
_DATE = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
_NULLABLE_INT = {"type": ["integer", "null"], "minimum": 1}
_NULLABLE_TEXT = {"type": ["string", "null"]}

COMMON: dict[str, dict] = {
    "citation": {
        "type": "object", "required": ["cite", "eid"], "additionalProperties": False,
        "description": "A provision: `cite` for people, `eid` (Akoma Ntoso style) for machines; a provision "
                       "of another book applied mutatis mutandis also has `book` and `via` (the eId applying it).",
        "properties": {"cite": {"type": "string"}, "eid": {"type": "string"}, "book": {"type": "string"},
                       "via": {"type": "string"}},
    },
    "version": {
        "type": "object", "required": ["cite", "eid", "in_force_from", "in_force_until"],
        "additionalProperties": False, "description": "The version of a cited article that was applied.",
        "properties": {"cite": {"type": "string"}, "eid": {"type": "string"},
                       "in_force_from": {"anyOf": [_DATE, {"type": "null"}]},
                       "in_force_until": {"anyOf": [_DATE, {"type": "null"}]}},
    },
    "explanation": {
        "type": "object", "required": ["kind", "name", "value", "status"], "additionalProperties": False,
        "description": "One step of the reasoning; `because` holds the steps it depended on.",
        "properties": {
            "kind": {"enum": ["definition", "item", "fact", "decision"]},
            "name": {"type": "string"}, "value": {}, "status": {"type": "string"}, "unit": {"type": "string"},
            "citation": {"$ref": "#/$defs/citation"}, "text": {"type": "string"}, "rule": {"type": "string"},
            "exceptions_considered": {"type": "array", "items": {
                "type": "object", "required": ["citation", "result"], "additionalProperties": False,
                "properties": {"citation": {"$ref": "#/$defs/citation"}, "result": {"type": "string"}}}},
            "because": {"type": "array", "items": {"$ref": "#/$defs/explanation"}},
        },
    },
    "error": {
        "type": "object", "additionalProperties": False,
        "required": ["code", "message", "file", "line", "column", "end_line", "end_column", "hint"],
        "description": "A problem, as `regdsl` prints it: a stable code (docs/errors.md), a message, "
                       "its position (null where there is none; end exclusive) and a hint.",
        "properties": {"code": {"type": "string", "pattern": "^E[0-9]{3}$"}, "message": {"type": "string"},
                       "file": _NULLABLE_TEXT, "line": _NULLABLE_INT, "column": _NULLABLE_INT,
                       "end_line": _NULLABLE_INT, "end_column": _NULLABLE_INT, "hint": _NULLABLE_TEXT},
    },
    "errors": {
        "type": "object", "required": ["errors"], "additionalProperties": False,
        "description": "What `regdsl --format json` writes on standard error when it cannot answer.",
        "properties": {"errors": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/error"}}},
    },
}


def answer_schema(t: Type) -> dict:
    """The JSON of a computed value of type `t` (without null): as `results.outcome.json_value` writes it."""
    k = t.kind
    if k == "boolean":
        return {"type": "boolean"}
    if k == "number":
        return {"type": "integer" if t.integer else "number"}
    if k == "quantity":
        return {"type": "number"}
    if k == "text":
        return {"type": "string"}
    if k == "enum":
        return {"enum": list(t.members)}
    if k == "date":
        return dict(_DATE)
    if k == "time":
        return {"type": "string", "pattern": TIME_PATTERN}
    if k == "list":
        return {"type": "array", "items": answer_schema(t.inner) if t.inner is not None else {}}
    return {}


def computed(book: ir.IRBook) -> dict[str, ir.Name]:
    """The names an evaluation may report: the outcomes and the definitions."""
    return {k: v for k, v in book.names.items() if v.kind != "undeclared"}


def result_defs(book: ir.IRBook) -> dict[str, dict]:
    """`$defs` for a result of `book`: `result`, `outcome`, and the common pieces."""
    names = computed(book)
    inputs = sorted(book.inputs)
    typed = []
    for name, info in names.items():
        value = answer_schema(info.ty)
        unit: dict[str, Any] = {"type": "string"} if info.ty.kind == "quantity" else {"type": "null"}
        then = {"properties": {"value": {"anyOf": [value, {"type": "null"}]} if value else {},
                               "unit": {"anyOf": [unit, {"type": "null"}]}}}
        typed.append({"if": {"properties": {"name": {"const": name}}}, "then": then})
    outcome = {
        "type": "object", "additionalProperties": False,
        "required": ["name", "description", "value", "unit", "status", "citations", "missing", "decided_by",
                     "reasons", "versions", "notes"],
        "description": "The answer to one question, its status and the provisions behind it; `explanation` "
                       "only when asked for (`--explain`, `explain=True`).",
        "properties": {
            "name": {"enum": list(names)}, "description": {"type": "string"}, "value": {},
            "unit": {"type": ["string", "null"]}, "status": {"enum": STATUSES},
            "citations": {"type": "array", "items": {"$ref": "#/$defs/citation"}},
            "missing": {"type": "array", "items": {"enum": inputs}, "uniqueItems": True},
            "decided_by": _STRINGS, "reasons": _STRINGS,
            "versions": {"type": "array", "items": {"$ref": "#/$defs/version"}},
            "notes": _STRINGS,
            "explanation": {"anyOf": [{"$ref": "#/$defs/explanation"}, {"type": "null"}]},
            "decided_when": {
                "type": "array", "description": "With reasoning (`--reason`, `reason=True`), for an answer "
                "left open: the cases of the missing facts that decide it, and what each gives.",
                "items": {"type": "object", "required": ["value", "unit", "when"], "additionalProperties": False,
                          "properties": {"value": {}, "unit": {"type": ["string", "null"]}, "when": _STRINGS}}},
        },
        "allOf": typed,
    }
    result = {
        "type": "object", "required": ["book", "title", "as_of", "outcomes"], "additionalProperties": False,
        "title": f"A result of {book.title}",
        "description": "What `regdsl eval --format json` prints and `Result.to_dict()` gives: every outcome "
                       "asked for, in book order.",
        "properties": {"book": {"const": book.name}, "title": {"const": book.title}, "as_of": dict(_DATE),
                       "outcomes": {"type": "array", "items": {"$ref": "#/$defs/outcome"}}},
    }
    return {"result": result, "outcome": outcome, **COMMON}
