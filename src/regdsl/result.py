"""Typed results of an evaluation: outcomes, citations, versions and explanations."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction
from typing import Any, Iterator

import attrs

from .evaluate import APPLIES, NOT, Computed, Context, Frame
from .resolve import BookModel, Provision
from .units import Q, to_decimal
from .values import Unknown


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


@attrs.frozen
class Outcome:
    """The answer to one question, its status and the provisions behind it.

    `status` is determined, undetermined (see `missing` and `reasons`) or
    discretionary (see `decided_by`).  The provisions behind the answer
    (`citations`, `versions`, `notes`, `explanation`) are worked out the
    first time they are read.
    """

    name: str
    description: str
    value: Any
    unit: str | None
    status: str
    missing: tuple[str, ...] = ()
    decided_by: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    provenance: "Provenance | None" = attrs.field(default=None, eq=False, repr=False)

    @property
    def determined(self) -> bool:
        return self.status == "determined"

    @property
    def citations(self) -> tuple[Citation, ...]:
        """The provisions that decided the answer, the deciding rule first."""
        return self.provenance.citations() if self.provenance else ()

    @property
    def versions(self) -> tuple[Version, ...]:
        """The version of each cited article that was applied."""
        return self.provenance.versions() if self.provenance else ()

    @property
    def notes(self) -> tuple[str, ...]:
        """Remarks on the answer, such as the date a figure is stated as of."""
        return self.provenance.notes() if self.provenance else ()

    @property
    def explanation(self) -> "Explanation | None":
        """The reasoning, as a tree quoting each provision used."""
        return self.provenance.explanation() if self.provenance else None

    def to_dict(self) -> dict:
        expl = self.explanation
        return {
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
            "explanation": expl.to_dict() if expl else None,
        }


class Provenance:
    """Citations, versions and the explanation of one outcome, computed once, on demand."""

    __slots__ = ("builder", "name", "_cites", "_versions", "_expl")

    def __init__(self, builder: "Builder", name: str):
        self.builder = builder
        self.name = name
        self._cites: tuple[Citation, ...] | None = None
        self._versions: tuple[Version, ...] = ()
        self._expl: Explanation | None = None

    def citations(self) -> tuple[Citation, ...]:
        if self._cites is None:
            self._cites, self._versions = self.builder.cite_all(self.name)
        return self._cites

    def versions(self) -> tuple[Version, ...]:
        self.citations()
        return self._versions

    def notes(self) -> tuple[str, ...]:
        winners = self.builder.traced_comp(self.name).frame.winners
        return tuple(f"stated as of {w.node.as_of.isoformat()} ({w.provision.cite})"
                     for w in winners if w.node is not None and w.node.as_of)

    def explanation(self) -> Explanation:
        if self._expl is None:
            self._expl = self.builder.explain(self.name)
        return self._expl


class Result:
    """All outcomes of one evaluation, by name, in the order of the book."""

    def __init__(self, book: BookModel, as_of: dt.date, outcomes: dict[str, Outcome]):
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

    def to_dict(self) -> dict:
        return {"book": self.book.name, "title": self.book.title, "as_of": self.as_of.isoformat(),
                "outcomes": [o.to_dict() for o in self.outcomes.values()]}

    def to_json(self) -> str:
        from .report import to_json

        return to_json(self)

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


# ------------------------------------------------------------------ building outcomes


def cite(p: Provision, home: BookModel) -> Citation:
    """The citation of `p` as seen from the book being evaluated."""
    if p.book is home:
        return Citation(p.cite, p.eid)
    for a in home.adoptions:
        if a.other is p.book:
            return Citation(a.cite(p), p.eid, p.book.name, a.via.eid)
    return Citation(f"{p.book.short_title}, {p.cite}", p.eid, p.book.name)


def quoted(p: Provision, home: BookModel) -> str:
    """The text of `p`, read with the substitutions of the adoption that applies it."""
    if p.book is not home:
        for a in home.adoptions:
            if a.other is p.book:
                return a.read(p.text)
    return p.text


class Builder:
    """Turns a finished evaluation context into typed outcomes."""

    def __init__(self, ctx: Context, home: BookModel):
        self.ctx = ctx  # gives the values; may record nothing (trace off)
        self._traced: Context | None = ctx if ctx.trace else None
        self.home = home
        self._frames: dict[int, list[Provision]] = {}
        # Citations and versions depend only on the provision: cached on the book.
        self._cites = home.citation_cache

    def outcome(self, name: str) -> Outcome:
        """The outcome of `name`, computing it if no other outcome needed it yet."""
        sym = self.home.symbols.get(name) or self.home.adopted[name][0]
        comp = self.ctx.memo.get(name) or self.ctx.compute(name)
        raw = comp.value
        if type(raw) is Unknown:
            unit = (sym.type.unit or None) if sym.type.kind == "quantity" else None
            return Outcome(name, sym.description, None, unit, raw.status, tuple(sorted(raw.missing)),
                           tuple(sorted({b for _, b in raw.bodies})), tuple(sorted(raw.reasons)),
                           Provenance(self, name))
        t = type(raw)
        value, unit = (raw, None) if t is bool or t is str else plain(raw)
        return Outcome(name, sym.description, value, unit, "determined", provenance=Provenance(self, name))

    @property
    def traced(self) -> Context:
        """A context that records provenance: the evaluation itself, or one re-run with the
        same facts the first time provenance is asked for (the values are the same)."""
        if self._traced is None:
            self._traced = Context(self.ctx.engine, self.ctx.facts, self.ctx.as_of, trace=True)
        return self._traced

    def traced_comp(self, name: str) -> Computed:
        t = self.traced
        return t.memo.get(name) or t.compute(name)

    def cite_all(self, name: str) -> tuple[tuple[Citation, ...], tuple[Version, ...]]:
        """The citations of an outcome and the versions of their articles."""
        cites = []
        versions = {}
        for p in self.provisions(self.traced_comp(name)):
            pair = self._citation(p)
            cites.append(pair[0])
            if pair[1] is not None:
                versions[pair[1]] = None
        return tuple(cites), tuple(versions)

    def _citation(self, p: Provision) -> tuple[Citation, Version | None]:
        found = self._cites.get(p)
        if found is None:
            a = p.article
            version = None
            if a.kind == "article":
                version = self._citation(a)[1] if a is not p else Version(
                    cite(a, self.home).cite, a.eid, a.start, a.end)
            found = (cite(p, self.home), version)
            self._cites[p] = found
        return found

    def provisions(self, comp: Computed) -> list[Provision]:
        """The provisions that decided a value, the deciding rule first, without repeats."""
        out = self._frame(comp.frame, comp.value)
        if not out:
            out = _unique(rule.provision for rule, _ in comp.frame.considered)
        return out

    def _frame(self, frame: Frame, value) -> list[Provision]:
        key = id(frame)
        found = self._frames.get(key)
        if found is not None:
            return found
        self._frames[key] = []  # a frame reached again while it is walked adds nothing
        parts: list[Provision] = []
        if type(value) is Unknown:
            for rule, state in frame.considered:
                if state not in (APPLIES, NOT):
                    parts.append(rule.provision)
                    parts.extend(getattr(rule, "extra", ()))
        parts.extend(w.provision for w in frame.winners)
        parts.extend(frame.cited)
        item_memo = self.traced.item_memo
        for prov, v in frame.items:
            parts.append(prov)
            memo = item_memo.get(id(prov))
            if memo is not None:
                parts.extend(self._frame(memo[1], memo[0]))
        memo = self.traced.memo
        for d in frame.deps:
            c = memo.get(d)
            if c is not None:
                parts.extend(self._frame(c.frame, c.value))
        out = _unique(parts)
        self._frames[key] = out
        return out

    # ---- explanation trees
    def explain(self, name: str) -> Explanation:
        return self._definition(name, set())

    def _definition(self, name: str, path: set[str]) -> Explanation:
        ctx = self.traced
        comp = ctx.memo.get(name) or ctx.compute(name)
        value, unit = _shown(comp.value if comp else None)
        status = _status(comp.value if comp else None)
        if comp is None or name in path:
            return Explanation("definition", name, value, unit, status)
        path = path | {name}
        frame = comp.frame
        winners = frame.winners
        main = winners[0] if winners else None
        if main is None and type(comp.value) is Unknown:
            undecided = [r for r, s in frame.considered if s not in (APPLIES, NOT)]
            main = undecided[0] if undecided else None
        citation = cite(main.provision, self.home) if main is not None else None
        text = quoted(main.provision, self.home) if main is not None else ""
        rule = main.source if main is not None else ""
        considered = tuple((cite(r.provision, self.home), _state(s)) for r, s in frame.considered
                           if r not in winners and r is not main)
        because = self._children(frame, path)
        kind = "definition"
        return Explanation(kind, name, value, unit, status, citation, text, rule, because, considered)

    def _children(self, frame: Frame, path: set[str]) -> tuple[Explanation, ...]:
        out: list[Explanation] = []
        seen: set[str] = set()
        for prov, v in frame.items:
            memo = self.traced.item_memo.get(id(prov))
            sub = self._children(memo[1], path) if memo is not None else ()
            value, unit = _shown(v)
            src = prov.condition
            rule = ""
            if src is not None and src.span is not None:
                from .resolve import _source_of

                rule = _source_of(prov.book, src.span)
            c = cite(prov, self.home)
            out.append(Explanation("item", c.cite, value, unit, _status(v), c,
                                   quoted(prov, self.home), rule, sub))
        for f in frame.facts:
            if f in seen:
                continue
            seen.add(f)
            book = self.ctx.book
            sym = book.symbols.get(f) or book.adopted.get(f, (None,))[0]
            given = self.ctx.facts.get(f)
            value, unit = _shown(given)
            kind = "decision" if sym is not None and sym.kind == "decision" else "fact"
            status = "given" if given is not None else "not given"
            out.append(Explanation(kind, f, value, unit, status))
        for d in frame.deps:
            if d in seen:
                continue
            seen.add(d)
            out.append(self._definition(d, path))
        return tuple(out)


def _unique(provisions) -> list[Provision]:
    return list(dict.fromkeys(provisions))  # provisions hash by identity; order is kept


def _shown(v):
    if v is None or type(v) is Unknown:
        return None, None
    return plain(v)


def _status(v) -> str:
    if v is None:
        return "not evaluated"
    if type(v) is Unknown:
        return v.status
    return "determined"


def _state(s: int) -> str:
    return {APPLIES: "applies", NOT: "does not apply"}.get(s, "unknown")
