"""Syntax trees to and from JSON, for the parse cache: data only, nothing that can run code.

A node is written `{"@": "Article", "a": [its fields in order], "s": [line,
column, end line, end column]}`; a tuple is a JSON list; a date or a time of
day is `{"D": "2025-04-01"}` or `{"T": "08:30:00"}`.  Spans are written
without their file name: every span of a parsed file is in that file, so the
name is given back when the tree is read.  Reading checks the shape as it
builds (an unknown class, a wrong number of fields or a bad date raises
ValueError), but it is the cache's hash, not this module, that says whether
a file is the one that was written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import lru_cache
from typing import Any

import attrs

from . import nodes as n
from ..errors import Span


@lru_cache(maxsize=1)
def _classes() -> dict[str, tuple[type[Any], tuple[str, ...], bool]]:
    """Node class name -> (class, its positional fields, whether it has a span)."""
    out = {}
    for cls in n.CLASSES:
        fields = attrs.fields(cls)
        out[cls.__name__] = (cls, tuple(f.name for f in fields if not f.kw_only),
                             any(f.name == "span" and f.kw_only for f in fields))
    return out


@lru_cache(maxsize=1)
def schema() -> str:
    """A fingerprint of the node classes' shapes: a cache entry is read only by the same shape."""
    text = ";".join(f"{name}({','.join(fields)}{',*span' if spanned else ''})"
                    for name, (_, fields, spanned) in sorted(_classes().items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def dumps(module: n.Module) -> str:
    """The JSON text of a parsed file; ValueError if it holds something this format cannot write."""
    classes = _classes()
    file = module.file

    def default(obj: Any) -> Any:
        name = type(obj).__name__
        entry = classes.get(name)
        if entry is not None and type(obj) is entry[0]:
            out: dict[str, Any] = {"@": name, "a": [getattr(obj, f) for f in entry[1]]}
            span: Span | None = obj.span if entry[2] else None
            if span is not None:
                if span.file != file:
                    raise ValueError("a span in another file")
                out["s"] = [span.line, span.column, span.end_line, span.end_column]
            return out
        if type(obj) is dt.date:
            return {"D": obj.isoformat()}
        if type(obj) is dt.time:
            return {"T": obj.isoformat()}
        raise ValueError(f"cannot write a {type(obj).__name__}")

    return json.dumps(module, default=default, ensure_ascii=False, separators=(",", ":"),
                      check_circular=False)


def loads(text: str, file: str) -> n.Module:
    """The parsed file a `dumps` text describes; ValueError (or TypeError) if it is malformed."""
    classes = _classes()

    def value(x: Any) -> Any:
        return tuple(value(y) for y in x) if type(x) is list else x

    def hook(d: dict) -> Any:
        name = d.get("@")
        if name is None:
            if "D" in d:
                return dt.date.fromisoformat(d["D"])
            if "T" in d:
                return dt.time.fromisoformat(d["T"])
            raise ValueError("an object that is not a node")
        cls, fields, spanned = classes[name]
        args = d["a"]
        if type(args) is not list or len(args) != len(fields):
            raise ValueError(f"{name} with the wrong fields")
        s = d.get("s")
        if s is None:
            return cls(*map(value, args))
        if not spanned or type(s) is not list or len(s) != 4 or not all(type(i) is int for i in s):
            raise ValueError(f"{name} with a bad span")
        return cls(*map(value, args), span=Span(file, *s))

    try:
        module = json.loads(text, object_hook=hook)
    except KeyError as e:
        raise ValueError(f"unknown node {e}") from None
    if type(module) is not n.Module or module.file != file:
        raise ValueError("not a parsed file")
    return module
