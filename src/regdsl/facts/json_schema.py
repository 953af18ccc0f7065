"""A JSON Schema (draft 2020-12) of the facts a book takes, from its IR.

Each fact and decision is a property: its description, the JSON a facts
file writes it as (a quantity as a number in the declared unit, as text such
as "8 years", or as `{"value": 8, "unit": "years"}`: the three forms
`facts.validate` reads), `null` for "not known", and an `x-regdsl`
annotation with its kind, type, unit, the provision declaring it and the
provisions that use it.  The bounds of a fact's values come from one place,
`bounds`, so that declared domains (a field `Input.domain`) reach the schema
through it alone.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import attrs

from .. import ir
from ..core.types import Type
from ..core.units import Q, UnitTable
from ..ir.expr import reads

DRAFT = "https://json-schema.org/draft/2020-12/schema"
NUMBER_TEXT = r"[0-9]+(\.[0-9]+)?"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
TIME_PATTERN = r"^[0-9]{1,2}:[0-9]{2}$"


@attrs.frozen
class Bounds:
    """The values a number may take, in the fact's declared unit (None: no bound)."""

    minimum: int | Fraction | None = None
    maximum: int | Fraction | None = None
    integer: bool = False  # a whole number (of the declared unit, for a quantity)
    after: dt.date | None = None  # for a date: later than this day
    before: dt.date | None = None  # for a date: earlier than this day

    @property
    def signed(self) -> bool:
        """Whether a value may be negative (a minus sign in the text forms)."""
        return self.minimum is None or self.minimum < 0


def bounds(inp: ir.Input, units: UnitTable) -> Bounds:
    """The bounds of a fact's values: its declared domain (`ir.Domain`, both ends included) and
    the defaults of docs/language.md: a quantity is never negative; an integer is whole."""
    t = inp.ty
    domain = inp.domain
    integer = t.kind == "number" and t.integer
    floor = 0 if t.kind == "quantity" else None
    if domain is None:
        return Bounds(minimum=floor, integer=integer)
    low = _in_unit(domain.at_least, t, units)
    return Bounds(minimum=floor if low is None else low, maximum=_in_unit(domain.at_most, t, units),
                  integer=integer or domain.whole, after=domain.after, before=domain.before)


def _in_unit(v: Any, t: Type, units: UnitTable) -> int | Fraction | None:
    """A bound as a number in the declared unit of `t` (a quantity bound is in base units)."""
    if v is None or isinstance(v, (dt.date, bool)):
        return None
    if isinstance(v, Q):
        declared = units.get(t.unit.split(" per ")[0]) if t.unit else None
        return Fraction(v.value) / Fraction(v.factor if declared is None else declared.factor)
    return Fraction(v)


def _number(b: Bounds, factor: int | Fraction = 1) -> dict:
    """The keywords bounding a JSON number (given in a unit `factor` times the declared one's size)."""
    out: dict[str, Any] = {"type": "integer" if b.integer else "number"}
    for key, value in (("minimum", b.minimum), ("maximum", b.maximum)):
        if value is not None:
            out[key] = _json_number(Fraction(value) / Fraction(factor))
    return out


def _json_number(x: Fraction) -> int | float:
    return x.numerator if x.denominator == 1 else float(x)


def _alternatives(names: list[str]) -> str:
    return "(" + "|".join(sorted(set(names), key=lambda s: (-len(s), s))) + ")"


def unit_names(t: Type, units: UnitTable) -> tuple[list[str], dict[str, int | Fraction]]:
    """The unit names a quantity of type `t` may be written in, and each one's size in declared units."""
    declared = t.unit.split(" per ")
    num = units.get(declared[0])
    den = units.get(declared[1]) if len(declared) == 2 else None
    if num is None:
        return [], {}
    sizes: dict[str, int | Fraction] = {}
    for name, u in units.by_name.items():
        if den is None and u.dim == t.dim:
            sizes[name] = Fraction(u.factor) / Fraction(num.factor)
        elif den is not None and u.dim == num.dim:
            for per_name, per in units.by_name.items():
                if per.dim == den.dim:
                    sizes[f"{name} per {per_name}"] = (Fraction(u.factor) / per.factor) / (
                        Fraction(num.factor) / den.factor)
    return sorted(sizes), sizes


def quantity(t: Type, b: Bounds, units: UnitTable) -> dict:
    """A quantity in its three forms: a number in the declared unit, text, or `{value, unit}`."""
    names, sizes = unit_names(t, units)
    number_text = NUMBER_TEXT
    if b.integer:  # a whole number of the declared unit: written in it, without a fraction
        names = [n for n in names if sizes[n] == 1]
        number_text = "[0-9]+"
    sign = "-?" if b.signed else ""
    if " per " in t.unit:
        nums = _alternatives([n.split(" per ")[0] for n in names])
        pers = _alternatives([n.split(" per ")[1] for n in names])
        unit_text = rf"{nums}\s+per\s+{pers}"
    else:
        unit_text = _alternatives(names)
    text = {"type": "string", "pattern": rf"^\s*{sign}{number_text}(\s*{unit_text})?\s*$",
            "examples": [f"2 {t.unit}"]}
    value_text = {"type": "string", "pattern": rf"^\s*{sign}{number_text}\s*$"}
    structured: dict[str, Any] = {"type": "object", "required": ["value", "unit"], "additionalProperties": False,
                                  "properties": {"value": {"anyOf": [_number(b), value_text]},
                                                 "unit": {"enum": names}}}
    if b.minimum not in (None, 0) or b.maximum is not None:  # each unit scales the bounds
        structured["oneOf"] = [{"properties": {"value": {"anyOf": [_number(b, sizes[n]), value_text]},
                                               "unit": {"const": n}}} for n in names]
        structured["properties"]["value"] = {}
    return {"anyOf": [_number(b), text, structured]}


def value_schema(t: Type, b: Bounds, units: UnitTable) -> dict:
    """The JSON of a value of type `t` as a facts file writes it (without `null`)."""
    k = t.kind
    if k == "boolean":
        return {"type": "boolean"}
    if k == "number":
        return _number(b)
    if k == "text":
        return {"type": "string"}
    if k == "enum":
        return {"enum": list(t.members)}
    if k == "date":
        out: dict[str, Any] = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
        if b.after is not None:
            out["x-regdsl-after"] = b.after.isoformat()
        if b.before is not None:
            out["x-regdsl-before"] = b.before.isoformat()
        return out
    if k == "time":
        return {"type": "string", "pattern": TIME_PATTERN, "examples": ["8:30"]}
    if k == "quantity":
        return quantity(t, b, units)
    if k == "list" and t.inner is not None:
        return {"type": "array", "items": value_schema(t.inner, Bounds(), units)}
    return {}


def nullable(schema: dict) -> dict:
    """`schema`, or null (a fact not known)."""
    if set(schema) <= {"type", "format", "pattern", "examples"} and isinstance(schema.get("type"), str):
        return {**schema, "type": [schema["type"], "null"]}
    if set(schema) == {"enum"}:
        return {"enum": [*schema["enum"], None]}
    if "anyOf" in schema and len(schema) == 1:
        return {"anyOf": [*schema["anyOf"], {"type": "null"}]}
    return {"anyOf": [schema, {"type": "null"}]} if schema else {}


def users(book: ir.IRBook) -> dict[str, list[ir.Prov]]:
    """For each fact and decision, the provisions whose rules or conditions read it, in book order."""
    found: dict[str, dict[str, ir.Prov]] = {}

    def note(expr, prov: ir.Prov) -> None:
        if expr is not None:
            for name in reads(expr)[0]:
                found.setdefault(name, {}).setdefault(prov.key, prov)

    for name in book.order:
        if name in book.names:
            for r in book.names[name].rules:
                note(r.cond, r.provision)
                note(r.value, r.provision)
        elif name in book.items:
            note(book.items[name].cond, book.items[name].provision)
    for tr in book.transitions:
        for cond, prov in tr.sparing:
            note(cond, prov)
    rank = {key: i for i, key in enumerate(book.provisions)}
    return {name: sorted(provs.values(), key=lambda p: rank.get(p.key, len(rank)))
            for name, provs in found.items()}


def cite(p: ir.Prov) -> dict:
    """A provision as the schema names it: how the book cites it and its eId."""
    return {"cite": p.home_cite, "eid": p.eid}


def facts_schema(book: ir.IRBook) -> dict:
    """The JSON Schema of a facts file for `book` (without `$schema`, `$id` and `$defs`)."""
    used = users(book)
    props: dict[str, dict] = {}
    for name, inp in book.inputs.items():
        t = inp.ty
        b = bounds(inp, book.units)
        prop: dict[str, Any] = {"title": name}
        if inp.description:
            prop["description"] = inp.description
        prop.update(nullable(value_schema(t, b, book.units)))
        note: dict[str, Any] = {"kind": inp.kind, "type": "integer" if t.kind == "number" and t.integer else t.kind}
        if t.kind == "quantity":
            note["unit"] = t.unit
            note["units"] = unit_names(t, book.units)[0]
        if t.kind == "list" and t.inner is not None:
            note["of"] = t.inner.kind
        if inp.kind == "decision":
            note["decided_by"] = inp.decided_by
        if inp.provision is not None:
            note["declared_in"] = cite(inp.provision)
        note["used_in"] = [cite(p) for p in used.get(name, ())]
        if inp.adoption is not None:
            a = book.adoptions[inp.adoption]
            note["via"] = {**cite(a.via), "book": a.book}
        prop["x-regdsl"] = note
        props[name] = prop
    return {"title": f"Facts about a student for {book.title}",
            "description": ("A student's facts and decisions; a name left out, or null, is not known. "
                            "Quantities are a number in the declared unit, text such as \"8 years\", "
                            "or {\"value\": 8, \"unit\": \"years\"}."),
            "type": "object", "properties": props, "additionalProperties": False}
