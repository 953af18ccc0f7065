"""Typed results of an evaluation: outcomes, citations, versions and explanations."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Iterator

import attrs

from ..core.units import Q, to_decimal

if TYPE_CHECKING:
    from .provenance import Builder

_set = object.__setattr__


@attrs.frozen(cache_hash=True)
class Citation:
    """A provision, for people (`cite`) and for machines (`eid`).

    A provision of another book applied mutatis mutandis carries that book's
    name and the eId of the provision that applies it (`via`).
    """

    cite: str
    eid: str
    book: str | None = None
    via: str | None = None

    def to_dict(self) -> dict:
        d = {"cite": self.cite, "eid": self.eid}
        if self.book:
            d["book"] = self.book
        if self.via:
            d["via"] = self.via
        return d


@attrs.frozen(cache_hash=True)
class Version:
    """The version of an article an evaluation applied."""

    cite: str
    eid: str
    in_force_from: dt.date | None
    in_force_until: dt.date | None

    def to_dict(self) -> dict:
        return {"cite": self.cite, "eid": self.eid,
                "in_force_from": _iso(self.in_force_from), "in_force_until": _iso(self.in_force_until)}


@attrs.frozen
class Explanation:
    """One step of the reasoning: a definition, an item, a fact or a decision."""

    kind: str  # definition, item, fact, decision
    name: str
    value: Any
    unit: str | None
    status: str
    citation: Citation | None = None
    text: str = ""
    rule: str = ""
    because: tuple["Explanation", ...] = ()
    considered: tuple[tuple[Citation, str], ...] = ()

    def to_dict(self) -> dict:
        d: dict[str, Any] = {"kind": self.kind, "name": self.name, "value": json_value(self.value),
                             "status": self.status}
        if self.unit:
            d["unit"] = self.unit
        if self.citation is not None:
            d["citation"] = self.citation.to_dict()
        if self.text:
            d["text"] = self.text
        if self.rule:
            d["rule"] = self.rule
        if self.considered:
            d["exceptions_considered"] = [{"citation": c.to_dict(), "result": r} for c, r in self.considered]
        if self.because:
            d["because"] = [b.to_dict() for b in self.because]
        return d


_FIELDS = ("name", "description", "value", "unit", "status", "missing", "decided_by", "reasons")


class Outcome:
    """The answer to one question, its status and the provisions behind it.

    `status` is determined, undetermined (see `missing` and `reasons`) or
    discretionary (see `decided_by`).  The provisions behind the answer
    (`citations`, `versions`, `notes`, `explanation`) are worked out the
    first time they are read.  Outcomes are immutable and compare by their
    fields (not by their provenance).
    """

    __slots__ = ("_f", "provenance", "decided_when")
    _f: tuple[Any, ...]
    provenance: "Builder | None"
    decided_when: tuple[tuple[Any, str | None, tuple[str, ...]], ...]

    def __init__(self, name: str, description: str, value: Any, unit: str | None, status: str,
                 missing: tuple[str, ...] = (), decided_by: tuple[str, ...] = (), reasons: tuple[str, ...] = (),
                 provenance: "Builder | None" = None,
                 decided_when: tuple[tuple[Any, str | None, tuple[str, ...]], ...] = ()):
        _set(self, "_f", (name, description, value, unit, status, missing, decided_by, reasons))
        _set(self, "provenance", provenance)
        _set(self, "decided_when", decided_when)  # (value, unit, conditions) of the cases that decide it

    @classmethod
    def of(cls, fields: tuple, provenance: "Builder | None") -> "Outcome":
        """An outcome from its fields in the order of `_FIELDS` (as Builder remembers them)."""
        o = object.__new__(cls)
        _set(o, "_f", fields)
        _set(o, "provenance", provenance)
        _set(o, "decided_when", ())
        return o

    name: str = property(lambda self: self._f[0])  # type: ignore[assignment]
    description: str = property(lambda self: self._f[1])  # type: ignore[assignment]
    value: Any = property(lambda self: self._f[2])
    unit: str | None = property(lambda self: self._f[3])  # type: ignore[assignment]
    status: str = property(lambda self: self._f[4])  # type: ignore[assignment]
    missing: tuple[str, ...] = property(lambda self: self._f[5])  # type: ignore[assignment]
    decided_by: tuple[str, ...] = property(lambda self: self._f[6])  # type: ignore[assignment]
    reasons: tuple[str, ...] = property(lambda self: self._f[7])  # type: ignore[assignment]

    def __setattr__(self, name: str, value: Any) -> None:
        raise attrs.exceptions.FrozenInstanceError()

    def __eq__(self, other: object) -> bool:
        return type(other) is Outcome and self._f == other._f

    def __hash__(self) -> int:
        return hash(self._f)

    def __repr__(self) -> str:
        return "Outcome(" + ", ".join(f"{k}={v!r}" for k, v in zip(_FIELDS, self._f)) + ")"

    def __getstate__(self) -> tuple:
        return self._f

    def __setstate__(self, state: tuple) -> None:
        _set(self, "_f", state)
        _set(self, "provenance", None)
        _set(self, "decided_when", ())

    @property
    def determined(self) -> bool:
        return self.status == "determined"

    @property
    def citations(self) -> tuple[Citation, ...]:
        """The provisions that decided the answer, the deciding rule first."""
        return self.provenance.cached_citations(self.name)[0] if self.provenance else ()

    @property
    def versions(self) -> tuple[Version, ...]:
        """The version of each cited article that was applied."""
        return self.provenance.cached_citations(self.name)[1] if self.provenance else ()

    @property
    def notes(self) -> tuple[str, ...]:
        """Remarks on the answer, such as the date a figure is stated as of."""
        return self.provenance.notes(self.name) if self.provenance else ()

    @property
    def explanation(self) -> "Explanation | None":
        """The reasoning, as a tree quoting each provision used."""
        return self.provenance.cached_explanation(self.name) if self.provenance else None

    def to_dict(self, explain: bool = False) -> dict:
        """The outcome as JSON data; the explanation tree only with `explain`."""
        out = {
            "name": self.name,
            "description": self.description,
            "value": json_value(self.value),
            "unit": self.unit,
            "status": self.status,
            "citations": [c.to_dict() for c in self.citations],
            "missing": list(self.missing),
            "decided_by": list(self.decided_by),
            "reasons": list(self.reasons),
            "versions": [v.to_dict() for v in self.versions],
            "notes": list(self.notes),
        }
        if self.decided_when:
            out["decided_when"] = [{"value": json_value(v), "unit": u, "when": list(when)}
                                   for v, u, when in self.decided_when]
        if explain:
            expl = self.explanation
            out["explanation"] = expl.to_dict() if expl else None
        return out


class Result:
    """All outcomes of one evaluation, by name, in the order of the book."""

    ok = True  # a student evaluate_many(errors="collect") could evaluate (api.Rejected: not)

    def __init__(self, book: Any, as_of: dt.date, outcomes: dict[str, Outcome]):
        self.book = book
        self.as_of = as_of
        self.outcomes = outcomes

    def __getitem__(self, name: str) -> Outcome:
        return self.outcomes[name]

    def __contains__(self, name: object) -> bool:
        return name in self.outcomes

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self.outcomes.values())

    def __len__(self) -> int:
        return len(self.outcomes)

    def keys(self):
        return self.outcomes.keys()

    def to_dict(self, explain: bool = False) -> dict:
        """The result as JSON data (`regdsl eval --format json`); explanations only with `explain`."""
        return {"book": self.book.name, "title": self.book.title, "as_of": self.as_of.isoformat(),
                "outcomes": [o.to_dict(explain) for o in self.outcomes.values()]}

    def to_json(self, explain: bool = False) -> str:
        """Byte-identical JSON for identical inputs; citations always, explanations only with `explain`."""
        from .report import to_json

        return to_json(self, explain)

    def explain(self, name: str | None = None) -> str:
        """The reasoning behind one outcome (or all), as indented text."""
        from .report import explain_text

        names = [name] if name else list(self.outcomes)
        return "\n\n".join(explain_text(self.outcomes[n]) for n in names)


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def json_value(v: Any) -> Any:
    """A value as JSON: numbers as numbers, dates as ISO text.

    A number is an int when whole, a float when the float has the same decimal digits,
    and otherwise stays a Decimal (report.dumps writes it exactly)."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, Decimal):
        if v == v.to_integral_value():
            return int(v)
        f = float(v)
        return f if math.isfinite(f) and Decimal(repr(f)) == v else v
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat(timespec="minutes") if isinstance(v, dt.time) else v.isoformat()
    if isinstance(v, tuple):
        return [json_value(x) for x in v]
    return str(v)


def plain(v: Any) -> tuple[Any, str | None]:
    """A computed value as (value, unit) for people and programs; numbers as Decimal."""
    if isinstance(v, Q):
        return to_decimal(v.shown()), (v.unit or None)
    if type(v) is int or type(v) is Fraction:
        return to_decimal(v), None
    return v, None


