"""Facts about a student: read from JSON, YAML or TOML and checked against the book."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from .errors import BookErrors, FactsError, Span, did_you_mean
from .resolve import BookModel
from .types import Type
from .units import Q, UnitTable, exact, make

FORMATS = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".toml": "toml"}


def read_facts(path: str, stdin_text: str | None = None, fmt: str | None = None) -> tuple[Any, str, str]:
    """Read a facts file (or `-` for stdin): (data, file name, raw text)."""
    if path == "-":
        text = stdin_text if stdin_text is not None else ""
        name = "<stdin>"
        fmt = fmt or _sniff(text)
    else:
        p = Path(path)
        name = str(path)
        try:
            text = p.read_text("utf-8")
        except FileNotFoundError:
            raise FactsError(f"facts file not found: {path}", code="E603") from None
        except (OSError, UnicodeDecodeError) as e:
            raise FactsError(f"cannot read facts file {path}: {e}", code="E603") from None
        fmt = fmt or FORMATS.get(p.suffix.lower())
        if fmt is None:
            raise FactsError(f"{path}: facts files are .json, .yaml, .yml or .toml", code="E603")
    return parse_facts(text, fmt, name), name, text


def _sniff(text: str) -> str:
    s = text.lstrip()
    return "json" if s.startswith(("{", "[")) else "yaml"


def parse_facts(text: str, fmt: str, name: str = "<facts>") -> Any:
    """Parse the text of a facts file in the given format."""
    try:
        if fmt == "json":
            return json.loads(text)
        if fmt == "toml":
            import tomllib

            return tomllib.loads(text)
        from .yamlload import load

        return load(text)
    except json.JSONDecodeError as e:
        raise FactsError(f"not valid JSON: {e.msg}", Span(name, e.lineno, e.colno), code="E603",
                         source_line=_line(text, e.lineno)) from None
    except Exception as e:  # tomllib.TOMLDecodeError, yaml.YAMLError
        mark = getattr(e, "problem_mark", None)
        span = Span(name, mark.line + 1, mark.column + 1) if mark is not None else Span(name, 1, 1)
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise FactsError(f"not valid {fmt.upper()}: {msg}", span, code="E603",
                         source_line=_line(text, span.line)) from None


def _line(text: str, no: int) -> str | None:
    lines = text.splitlines()
    return lines[no - 1] if 0 < no <= len(lines) else None


def locate(text: str | None, file: str, key: str) -> tuple[Span | None, str | None]:
    """Where `key` is written in a facts file's text, for messages."""
    if not text:
        return (Span(file, 1, 1) if file else None), None
    m = re.search(r'(^|[\s{,"\'])(' + re.escape(key) + r')["\']?\s*[:=]', text, re.M)
    if not m:
        return Span(file, 1, 1), None
    start = m.start(2)
    line = text.count("\n", 0, start) + 1
    col = start - (text.rfind("\n", 0, start) + 1) + 1
    return Span(file, line, col, line, col + len(key)), _line(text, line)


def validate(book: BookModel, data: Any, file: str = "<facts>", text: str | None = None) -> dict[str, Any]:
    """The facts as the evaluator needs them, or BookErrors listing every problem."""
    if not isinstance(data, Mapping):
        what = {"list": "a list", "str": "a single text", "int": "a single number",
                "float": "a single number", "NoneType": "nothing"}.get(type(data).__name__, "something else")
        raise BookErrors([FactsError(
            f"the facts file holds {what}; write names and values, e.g. {{\"years_enrolled\": 9}}",
            Span(file, 1, 1), code="E604")])
    errors: list[FactsError] = []
    out: dict[str, Any] = {}
    inputs = _inputs(book)
    seen = book.converted  # a student body repeats values: convert each (name, value) once
    for key, raw in data.items():
        if raw is None:
            if key in inputs:
                continue  # explicitly unknown
        elif type(raw) in _HASHABLE:
            found = seen.get((key, type(raw), raw))
            if found is not None:
                out[key] = found
                continue
        key = str(key)
        sym = inputs.get(key) or book.symbols.get(key)
        if sym is None or sym.computed:
            span, line = locate(text, file, key)
            if sym is not None:
                msg = (f"`{key}` is an {sym.kind} the book computes "
                       f"({sym.provision.cite if sym.provision else 'the book'}); it cannot be given as a fact")
                hint = None
            else:
                msg = f"unknown fact `{key}`"
                hint = did_you_mean(key, inputs) or "run `regdsl schema BOOK` to list the facts"
            errors.append(FactsError(msg, span, code="E601", hint=hint, source_line=line))
            continue
        if raw is None:
            continue  # explicitly unknown
        try:
            value = out[key] = convert(raw, sym.type, book.units)
            if type(raw) in _HASHABLE:
                if len(seen) > 50_000:
                    seen.clear()
                seen[(key, type(raw), raw)] = value
        except ValueError as e:
            span, line = locate(text, file, key)
            errors.append(FactsError(
                f"fact `{key}` should be {describe_input(sym.type)}, but {e}", span, code="E602",
                hint=_enum_hint(raw, sym.type), source_line=line))
    if errors:
        raise BookErrors(errors)
    return out


_HASHABLE = (str, int, bool, float)


def _inputs(book: BookModel) -> dict:
    """The names a facts file may give: facts and decisions, this book's and adopted ones."""
    if book.inputs is None:
        found = {name: s for name, s in book.symbols.items() if not s.computed}
        found.update((name, s) for name, (s, _) in book.adopted.items() if not s.computed)
        book.inputs = found
    return book.inputs


def describe_input(t: Type) -> str:
    """How a value of type `t` is written in a facts file."""
    if t.kind == "quantity":
        return f'{t.unit} (a number, or text such as "2 {t.unit}")'
    if t.kind == "date":
        return "a date (YYYY-MM-DD)"
    if t.kind == "time":
        return "a time of day (H:MM)"
    return t.describe()


def _enum_hint(raw, t: Type) -> str | None:
    if t.kind == "enum" and isinstance(raw, str):
        # only a near spelling, not another real value ("fourth_year" is not "first_year")
        return did_you_mean(raw, t.members, cutoff=0.8)
    return None


def _given(raw) -> str:
    text = json.dumps(raw, default=str) if not isinstance(raw, str) else json.dumps(raw)
    return f"{text} was given"


def convert(raw: Any, t: Type, units: UnitTable) -> Any:
    """A raw facts-file value as a value of type `t`; ValueError says what was wrong."""
    k = t.kind
    if k == "boolean":
        if isinstance(raw, bool):
            return raw
        raise ValueError(_given(raw))
    if k == "number":
        if isinstance(raw, bool):
            raise ValueError(_given(raw))
        d = _decimal(raw)
        if d is None or (t.integer and type(d) is not int):
            raise ValueError(_given(raw))
        return d
    if k == "text":
        if isinstance(raw, str):
            return raw
        raise ValueError(_given(raw))
    if k == "enum":
        if isinstance(raw, str) and raw in t.members:
            return raw
        raise ValueError(_given(raw))
    if k == "date":
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        if isinstance(raw, str):
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                pass
        raise ValueError(_given(raw))
    if k == "time":
        if isinstance(raw, dt.time):
            return raw
        if isinstance(raw, str) and re.fullmatch(r"\d{1,2}:\d{2}", raw):
            h, m = raw.split(":")
            try:
                return dt.time(int(h), int(m))
            except ValueError:
                pass
        raise ValueError(_given(raw))
    if k == "quantity":
        return _quantity(raw, t, units)
    if k == "list":
        if isinstance(raw, list):
            return tuple(convert(x, t.inner, units) for x in raw)
        raise ValueError(_given(raw))
    return raw


def _decimal(raw) -> Fraction | None:
    """A number from a facts file, exactly (0.1 is one tenth, not a binary float)."""
    if isinstance(raw, bool):
        return None
    if type(raw) is int:
        return raw
    if isinstance(raw, (int, Fraction)):
        return exact(Fraction(raw))
    if isinstance(raw, (float, Decimal)):
        if not math.isfinite(raw):
            return None  # NaN and infinity are not amounts of anything
        return exact(Fraction(repr(raw) if isinstance(raw, float) else raw))
    if isinstance(raw, str) and _NUMBER.fullmatch(raw.strip()):
        return exact(raw.strip())
    return None


_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")  # ASCII digits only: "٣" is not 3 here
_QUANTITY = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*([A-Za-z_]+)(?:\s+per\s+([A-Za-z_]+))?\s*")


def _quantity(raw, t: Type, units: UnitTable) -> Q:
    if type(raw) is int and t.unit and " per " not in t.unit:  # the common case: 9 (years)
        declared = units.get(t.unit)
        if declared is not None:
            return Q(raw * declared.factor, declared.dim, declared.plural, declared.factor)
    declared = units.get(t.unit.split(" per ")[0]) if t.unit else None
    if isinstance(raw, Mapping) and set(raw) == {"value", "unit"}:
        raw = f"{raw['value']} {raw['unit']}"
    if isinstance(raw, str):
        m = _QUANTITY.fullmatch(raw)
        if m:
            u = units.get(m.group(2))
            per = units.get(m.group(3)) if m.group(3) else None
            if u is not None and (m.group(3) is None or per is not None):
                q = make(exact(m.group(1)), u, per)
                if q.dim == t.dim:
                    return q
                raise ValueError(f"{raw!r} is measured in {m.group(2)}")
            raise ValueError(f"{raw!r} has an unknown unit")
        d = _decimal(raw)
        if d is None:
            raise ValueError(_given(raw))
        raw = d
    d = _decimal(raw)
    if d is None or declared is None:
        raise ValueError(_given(raw))
    if " per " in t.unit:
        num, den = t.unit.split(" per ")
        return make(d, units.get(num), units.get(den))
    return make(d, declared)
