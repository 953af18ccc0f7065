"""Facts about a student: read from JSON, YAML or TOML and checked against the book."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Iterator, Protocol

from ..errors import HINT_FACTS, BookErrors, FactsError, Span, did_you_mean
from .read import MAX_DIGITS, Locator, WrittenFloat, LongNumber, too_many_digits
from .read import locate, parse_facts, read_facts, read_stdin  # noqa: F401 - used from here
from ..core.types import Type
from ..core.units import Q, UnitTable, exact, format_number, format_quantity, make

class FactsSchema(Protocol):
    """What validation reads of a book (api.Book's view of its IR): the names a facts file may
    give, every name (with `kind`, `type`, `computed`, `provision`), the units, and a cache of
    converted values that the caller owns."""

    inputs: Mapping[str, Any]
    symbols: Mapping[str, Any]
    units: UnitTable
    converted: dict


def validate(book: FactsSchema, data: Any, file: str = "<facts>", text: str | None = None) -> dict[str, Any]:
    """The facts as the evaluator needs them, or BookErrors listing every problem."""
    if not isinstance(data, Mapping):
        what = {"list": "a list", "str": "a single text", "int": "a single number",
                "float": "a single number", "NoneType": "nothing"}.get(type(data).__name__, "something else")
        raise BookErrors([FactsError(
            f"facts holds {what}; write names and values, e.g. {{\"years_enrolled\": 9}}",
            Span(file, 1, 1), code="E604", argument="facts")])
    errors: list[FactsError] = []
    out: dict[str, Any] = {}
    inputs = book.inputs
    seen = book.converted  # a student body repeats values: convert each (name, value) once
    where = Locator(text, file)
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
            span, line = where(key)
            if sym is not None:
                msg = (f"`{key}` is an {sym.kind} the book computes "
                       f"({sym.provision.cite if sym.provision else 'the book'}); it cannot be given as a fact")
                hint = None
            else:
                msg = f"unknown fact `{key}`"
                hint = did_you_mean(key, inputs) or HINT_FACTS
            errors.append(FactsError(msg, span, code="E601", hint=hint, source_line=line))
            continue
        if raw is None:
            continue  # explicitly unknown
        try:
            value = out[key] = convert(raw, sym.type, book.units)
            why = outside_message(key, value, sym.type, getattr(sym, "domain", None), sym.provision, book.units)
            if why is not None:
                raise OutsideDomain(why)
            if type(raw) in _HASHABLE:
                if len(seen) > 50_000:
                    seen.clear()
                seen[(key, type(raw), raw)] = value
        except OutsideDomain as e:
            del out[key]
            span, line = where(key)
            errors.append(FactsError(str(e), value_span(span, line), code="E602", source_line=line))
        except TooManyDigits as e:
            span, line = where(key)
            errors.append(FactsError(f"fact `{key}` has {e}", span, code="E606", source_line=line))
        except ValueError as e:
            span, line = where(key)
            errors.append(FactsError(
                f"fact `{key}` should be {describe_input(sym.type)}, but {e}", span, code="E602",
                hint=_enum_hint(raw, sym.type), source_line=line))
    if errors:
        raise BookErrors(errors)
    return out


_HASHABLE = (str, int, bool, float)


class OutsideDomain(ValueError):
    """A value of the right type that its fact's declaration does not admit (E602)."""


NEVER_NEGATIVE = "a quantity is never negative unless its declaration says `at least` a negative amount"


def outside(value: Any, t: Type, domain: Any, units: UnitTable) -> str | None:
    """Why a converted value lies outside its fact's domain ("it must be at least 0 credits"), or None.

    The domain is the fact's declared bounds (`ir.Domain`, or None) and the
    defaults of docs/language.md: a quantity is never negative.
    """
    if domain is None:  # the common case: only the default
        return "it cannot be negative: " + NEVER_NEGATIVE if type(value) is Q and value.value < 0 else None
    if t.kind == "quantity" and type(value) is Q:
        if domain.at_least is None and value.value < 0:
            return "it cannot be negative: " + NEVER_NEGATIVE
        return _outside_order(value.value, domain, lambda q: q.value, lambda: _unit_factor(t, units), t.unit)
    if t.kind == "number" and isinstance(value, (int, Fraction)) and not isinstance(value, bool):
        return _outside_order(value, domain, lambda x: x, lambda: 1, "")
    if t.kind == "date" and isinstance(value, dt.date) and domain is not None:
        if domain.after is not None and value <= domain.after:
            return f"it must be after {domain.after.isoformat()}"
        if domain.before is not None and value >= domain.before:
            return f"it must be before {domain.before.isoformat()}"
    return None


def _outside_order(v: Any, domain: Any, plain: Any, factor_of: Any, unit: str) -> str | None:
    if domain.at_least is not None and v < plain(domain.at_least):
        return f"it must be at least {_value_text(domain.at_least)}"
    if domain.at_most is not None and v > plain(domain.at_most):
        return f"it must be at most {_value_text(domain.at_most)}"
    if domain.whole and (Fraction(v) / factor_of()).denominator != 1:
        return "it must be a whole number" + (f" of {unit}" if unit else "")
    return None


def bounds_text(domain: Any) -> list[str]:
    """A fact's declared bounds as the book writes them: ["at least 0 credits", "whole"]."""
    if domain is None:
        return []
    out = ["whole"] if domain.whole else []
    out += [f"{word} {_value_text(v)}" for word, v in (("at least", domain.at_least), ("at most", domain.at_most))
            if v is not None]
    return out + [f"{word} {v.isoformat()}" for word, v in (("after", domain.after), ("before", domain.before))
                  if v is not None]


def _unit_factor(t: Type, units: UnitTable) -> Any:
    u = units.get(t.unit) if t.unit and " per " not in t.unit else None
    return u.factor if u is not None else 1


def _value_text(v: Any) -> str:
    if isinstance(v, Q):
        return format_quantity(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return format_number(v)


def outside_message(name: str, value: Any, t: Type, domain: Any, provision: Any, units: UnitTable) -> str | None:
    """What E602 says of a value outside its fact's domain (None if the value is admitted)."""
    why = outside(value, t, domain, units)
    if why is None:
        return None
    where = getattr(provision, "cite", None) if not why.endswith(NEVER_NEGATIVE) else None
    return f"fact `{name}` is {_value_text(value)}; {why}" + (f" (as {where} declares it)" if where else "")


_VALUE = re.compile(r"""["']?[ \t]*[:=][ \t]*("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^,}\]#\n]*[^,}\]#\s])""")


def value_span(span: Span | None, line: str | None) -> Span | None:
    """The place of the value written after the name at `span` on its line (the name's, if not there)."""
    if span is None or line is None or span.end_line != span.line:
        return span
    m = _VALUE.match(line, span.end_column - 1)
    if m is None or m.group(1)[0] in "{[":  # a value written as a mapping or a list: point at its name
        return span
    return Span(span.file, span.line, m.start(1) + 1, span.line, m.end(1) + 1)


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
    return f"{shown(raw)} was given"


def shown(raw: Any, width: int = 60) -> str:
    """A facts value as it was written, JSON-like, cut at about `width` characters.

    Written out piece by piece and stopped when long enough, so a value that
    is huge once expanded (YAML aliases, a structure that contains itself)
    costs no more than its first `width` characters.
    """
    out: list[str] = []
    size = 0
    for piece in _pieces(raw):
        out.append(piece)
        size += len(piece)
        if size > width:
            return "".join(out)[: width - 3] + "..."
    return "".join(out)


class _Lit(str):
    """Punctuation written between the parts of a value."""


_END = object()


def _pieces(raw: Any) -> Iterator[str]:
    stack: list[Iterator[Any]] = [iter((raw,))]
    while stack:
        v = next(stack[-1], _END)
        if v is _END:
            stack.pop()
        elif type(v) is _Lit:
            yield v
        elif isinstance(v, Mapping):
            stack.append(_parts(v.items(), "{", "}"))
        elif isinstance(v, (list, tuple)):
            stack.append(_parts(v, "[", "]"))
        elif isinstance(v, WrittenFloat):
            yield v.text
        elif isinstance(v, int) and not isinstance(v, bool):
            yield _int_text(v)
        elif isinstance(v, (str, bool, float)) or v is None:
            yield json.dumps(v)
        else:
            yield json.dumps(str(v))


def _parts(items, start: str, end: str) -> Iterator[Any]:
    yield _Lit(start)
    for i, item in enumerate(items):
        if i:
            yield _Lit(", ")
        if start == "{":
            yield _Lit(json.dumps(str(item[0])) + ": ")
            item = item[1]
        yield item
    yield _Lit(end)


def _int_text(n: int) -> str:
    if n.bit_length() > 3 * MAX_DIGITS + 32:  # too long to write out, or to convert at all
        return f"a number of about {int(n.bit_length() * 0.30103):,} digits"
    return str(n)


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
        if t.integer and isinstance(raw, (float, Decimal)):
            raise ValueError(_given(raw))  # 1e3 and 2.0 are not written as integers
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
        if isinstance(raw, str) and DATE.fullmatch(raw):
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
            inner = t.inner
            assert inner is not None, "the checker gives every list type the type of its elements"
            return tuple(convert(x, inner, units) for x in raw)
        raise ValueError(_given(raw))
    return raw


class TooManyDigits(ValueError):
    """A number with more than MAX_DIGITS digits, before and after its decimal point together (E606)."""


_BIG = 10**MAX_DIGITS


def _decimal(raw) -> Fraction | None:
    """A number from a facts file, exactly (0.1 is one tenth, not a binary float)."""
    if isinstance(raw, bool):
        return None
    if type(raw) is int:
        return _small(raw)
    if isinstance(raw, (int, Fraction)):
        return _small(exact(Fraction(raw)))
    if isinstance(raw, (float, Decimal)):
        if not math.isfinite(raw):
            return None  # NaN and infinity are not amounts of anything
        if isinstance(raw, Decimal) and abs(raw.adjusted()) > MAX_DIGITS:
            raise TooManyDigits(too_many_digits())
        text = raw.text if isinstance(raw, WrittenFloat) else repr(raw) if isinstance(raw, float) else raw
        return _small(exact(Fraction(text)))
    if isinstance(raw, str) and _NUMBER.fullmatch(raw.strip()):
        return _small(exact(_digits(raw.strip())))
    if isinstance(raw, LongNumber):
        raise TooManyDigits(too_many_digits())
    return None


def _number_text(x) -> str:
    """A number (already checked by _decimal) as it was written."""
    return x.text if isinstance(x, WrittenFloat) else repr(x) if isinstance(x, float) else str(x)


def _small(x):
    """`x`, if written out in full it has at most MAX_DIGITS digits; else TooManyDigits."""
    if type(x) is int:
        if -_BIG < x < _BIG:
            return x
    elif -_BIG < x < _BIG and x.denominator < _BIG:
        whole = abs(x.numerator) // x.denominator
        if len(str(whole)) + _places(x.denominator) <= MAX_DIGITS:
            return x
    raise TooManyDigits(too_many_digits())


def _places(denominator: int) -> int:
    """The decimal places of a fraction with this denominator (its digits, if it never ends)."""
    twos = (denominator & -denominator).bit_length() - 1
    rest, fives = denominator >> twos, 0
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    return max(twos, fives) if rest == 1 else len(str(denominator))


def _digits(text: str) -> str:
    """The text of a number, if it has at most MAX_DIGITS digits as written (TooManyDigits otherwise)."""
    if len(text.lstrip("-")) - text.count(".") > MAX_DIGITS:
        raise TooManyDigits(too_many_digits())
    return text


DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # YYYY-MM-DD only: not 20250401, not 2025-W14
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")  # ASCII digits only: "٣" is not 3 here
_QUANTITY = re.compile(r"\s*(-?[0-9]+(?:\.[0-9]+)?)\s*([A-Za-z_]+)(?:\s+per\s+([A-Za-z_]+))?\s*")


def _quantity(raw, t: Type, units: UnitTable) -> Q:
    if type(raw) is int and t.unit and " per " not in t.unit and -_BIG < raw < _BIG:  # 9 (years)
        declared = units.get(t.unit)
        if declared is not None:
            return Q(raw * declared.factor, declared.dim, declared.plural, declared.factor)
    declared = units.get(t.unit.split(" per ")[0]) if t.unit else None
    if isinstance(raw, Mapping) and set(raw) == {"value", "unit"}:
        value, unit = raw["value"], raw["unit"]
        if not isinstance(unit, str) or (not isinstance(value, str) and _decimal(value) is None):
            raise ValueError(_given(raw))
        raw = f"{value if isinstance(value, str) else _number_text(value)} {unit}"
    if isinstance(raw, str):
        m = _QUANTITY.fullmatch(raw)
        if m:
            u = units.get(m.group(2))
            per = units.get(m.group(3)) if m.group(3) else None
            if u is not None and (m.group(3) is None or per is not None):
                q = make(_small(exact(_digits(m.group(1)))), u, per)
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
        per = units.get(t.unit.split(" per ")[1])
        assert per is not None, "the checker makes a `U per V` type only when both units are declared"
        return make(d, declared, per)
    return make(d, declared)
