"""From an evaluation's records to typed outcomes, citations, versions and explanations.

Nothing is evaluated here: each name's `Record` says which rules decided it
and what it read (engine.py), and the citations of an outcome are the
provisions of its deciding rules, then of what it read, depth first, each
once.  An explanation is the same walk, kept as a tree with the words of
each provision.
"""

from __future__ import annotations

from typing import Any, Iterable

from .. import ir
from ..eval.compile import DEP, ITEM
from ..eval.engine import Evaluator, State
from ..eval.logic import APPLIES, NOT
from ..core.values import Unknown
from .outcome import Citation, Explanation, Outcome, Version, plain


def citation_of(p: ir.Prov, book: ir.IRBook, cache: dict[Any, Any]
                ) -> tuple[Citation, Version | None]:
    """The citation of a provision as the evaluated book shows it, and its article's version."""
    found = cache.get(id(p))
    if found is None:
        a = book.provisions.get(p.article, p)
        version = None
        if a.kind == "article":
            version = Version(a.home_cite, a.eid, a.start, a.end)
        found = (Citation(p.home_cite, p.eid, p.foreign_book, p.via), version)
        cache[id(p)] = found
    return found


# Citations remembered per book, by provision and by the provisions of an answer, and the
# fields of outcomes by name and value: the same few recur for every student.
_CACHED = 20_000


class Builder:
    """Turns a finished evaluation state into outcomes, citations and explanations."""

    def __init__(self, evaluator: Evaluator, state: State, cache: dict[Any, Any]):
        self.ev = evaluator
        self.book = evaluator.book
        self.st = state
        self._cache = cache
        self._frames: dict[str, dict[ir.Prov, None]] = {}
        self._index: dict[str, tuple[int, int, tuple, int, int]] | None = None
        self._cites: dict[str, tuple[tuple[Citation, ...], tuple[Version, ...]]] = {}
        self._explained: dict[str, Explanation] = {}

    def cached_citations(self, name: str) -> tuple[tuple[Citation, ...], tuple[Version, ...]]:
        """`citations(name)`, worked out once."""
        found = self._cites.get(name)
        if found is None:
            found = self._cites[name] = self.citations(name)
        return found

    def cached_explanation(self, name: str) -> Explanation:
        """`explain(name)`, worked out once."""
        found = self._explained.get(name)
        if found is None:
            found = self._explained[name] = self.explain(name)
        return found

    def record(self, key: str) -> tuple[int, int, tuple, int, int] | None:
        """(start, end, result, read_start, read_end) of a name or item: what it read is
        `log[start:end]`, the facts it read `reads[read_start:read_end]`."""
        if self._index is None:
            recs = self.st.records
            ends = [(r[1], r[3]) for r in recs[1:]] + [(len(self.st.log), len(self.st.reads))]
            self._index = {key: (start, end, r, read_start, read_end)
                           for (key, start, r, read_start), (end, read_end) in zip(recs, ends)}
        return self._index.get(key)

    def outcome(self, name: str) -> Outcome:
        """The outcome of `name`."""
        raw = self.st.values[name]
        cache = self._cache
        key: tuple | None = ("outcome", name, raw)  # a name's values are of one type (or unknown, by identity)
        try:
            fields = cache.get(key)
        except TypeError:  # an unhashable value (a list)
            key, fields = None, None
        if fields is None:
            fields = self._fields(name, raw)
            if key is not None:
                if len(cache) > _CACHED:
                    cache.clear()
                cache[key] = fields
        return Outcome.of(fields, self)

    def _fields(self, name: str, raw: Any) -> tuple:
        description, unit = self.ev.shown_name(name)
        t = type(raw)
        if t is Unknown:
            missing, bodies, reasons = raw.shown()
            return (name, description, None, unit, raw.status, missing, bodies, reasons)
        if t is bool or t is str:
            return (name, description, raw, None, "determined", (), (), ())
        value, shown_unit = plain(raw)
        return (name, description, value, shown_unit, "determined", (), (), ())

    # ---- citations
    def citations(self, name: str) -> tuple[tuple[Citation, ...], tuple[Version, ...]]:
        """The citations of an outcome (the deciding rule first) and the versions they applied."""
        provisions = tuple(self.provisions(name))
        cache = self._cache
        found = cache.get(provisions)  # the same provisions decide many students' answers
        if found is not None:
            return found
        cites = []
        versions: dict[Version, None] = {}
        for p in provisions:
            c, v = citation_of(p, self.book, cache)
            cites.append(c)
            if v is not None:
                versions[v] = None
        found = (tuple(cites), tuple(versions))
        if len(cache) > _CACHED:
            cache.clear()
        cache[provisions] = found
        return found

    def provisions(self, name: str) -> Iterable[ir.Prov]:
        """The provisions that decided a value, the deciding rule first, without repeats."""
        out = self._frame(name)
        if not out:
            rec = self.record(name)
            return _unique(rule.provision for rule, _ in (rec[2][2] if rec else ()))
        return out

    def _frame(self, key: str) -> dict[ir.Prov, None]:
        """The provisions behind a name or item, in order, as the keys of a dict: its deciding
        rules, the provisions it read, then those of the items and names it read, each once."""
        found = self._frames.get(key)
        if found is not None:
            return found
        self._frames[key] = {}  # a record reached again while it is walked adds nothing
        start, end, r = self.record(key)[:3]  # type: ignore[index]
        out: dict[ir.Prov, None] = {}
        if len(r) > 1:  # a name: the rules that decided it (or left it open)
            value, winners, considered = r[0], r[1], r[2]
            if type(value) is Unknown:
                for rule, state in considered:
                    if state not in (APPLIES, NOT):
                        out[rule.provision] = None
                        for extra in getattr(rule, "extra", ()):
                            out[extra] = None
            for w in winners:
                out[w.provision] = None
        items: list[str] = []
        deps: list[str] = []
        log = self.st.log
        for i in range(start, end):
            e = log[i]
            t = type(e)
            if t is ir.Prov:
                out[e] = None
            elif t is tuple:
                if e[0] == DEP:
                    deps.append(e[1])
                elif e[0] == ITEM:
                    items.append(e[1])
        if items:
            book_items = self.book.items
            for k in items:
                out[book_items[k].provision] = None
                out.update(self._frame(k))
        for k in deps:
            out.update(self._frame(k))
        self._frames[key] = out
        return out

    def notes(self, name: str) -> tuple[str, ...]:
        """Remarks on an answer, such as the date a figure is stated as of."""
        rec = self.record(name)
        winners = rec[2][1] if rec is not None else ()
        return tuple(f"stated as of {w.as_of.isoformat()} ({w.provision.cite})"
                     for w in winners if getattr(w, "as_of", None))

    # ---- explanation trees
    def explain(self, name: str) -> Explanation:
        """The reasoning behind a name, as a tree quoting each provision used."""
        return self._definition(name, set())

    def _definition(self, name: str, path: set[str]) -> Explanation:
        rec = self.record(name)
        value, unit = _shown(rec[2][0] if rec else None)
        status = _status(rec[2][0] if rec else None)
        if rec is None or name in path:
            return Explanation("definition", name, value, unit, status)
        path = path | {name}
        v, winners, considered = rec[2][0], rec[2][1], rec[2][2]
        main = winners[0] if winners else None
        if main is None and type(v) is Unknown:
            undecided = [r for r, s in considered if s not in (APPLIES, NOT)]
            main = undecided[0] if undecided else None
        citation = citation_of(main.provision, self.book, self._cache)[0] if main is not None else None
        text = main.provision.text if main is not None else ""
        rule = main.source if main is not None else ""
        shown_considered = tuple((citation_of(r.provision, self.book, self._cache)[0], _state(s))
                                 for r, s in considered if r not in winners and r is not main)
        because = self._children(rec, path)
        return Explanation("definition", name, value, unit, status, citation, text, rule, because,
                           shown_considered)

    def _children(self, rec: tuple[int, int, tuple, int, int], path: set[str]) -> tuple[Explanation, ...]:
        st, book = self.st, self.book
        out: list[Explanation] = []
        seen: set[str] = set()
        log = st.log[rec[0]:rec[1]]
        for e in log:
            if type(e) is not tuple or e[0] != ITEM:
                continue
            key, v = e[1], e[2]
            item = book.items[key]
            sub_rec = self.record(key)
            sub = self._children(sub_rec, path) if sub_rec is not None else ()
            value, unit = _shown(v)
            c = citation_of(item.provision, book, self._cache)[0]
            out.append(Explanation("item", c.cite, value, unit, _status(v), c, item.provision.text, item.source,
                                   sub))
        for f in st.reads[rec[3]:rec[4]]:
            if f in seen:
                continue
            seen.add(f)
            inp = book.inputs.get(f)
            given = st.facts.get(f)
            value, unit = _shown(given)
            kind = "decision" if inp is not None and inp.kind == "decision" else "fact"
            status = "given" if given is not None else "not given"
            out.append(Explanation(kind, f, value, unit, status))
        for e in log:
            if type(e) is not tuple or e[0] != DEP or e[1] in seen:
                continue
            seen.add(e[1])
            out.append(self._definition(e[1], path))
        return tuple(out)


def _unique(provisions: Any) -> list[ir.Prov]:
    return list(dict.fromkeys(provisions))  # provisions hash by identity; order is kept


def _shown(v: Any) -> tuple[Any, str | None]:
    if v is None or type(v) is Unknown:
        return None, None
    return plain(v)


def _status(v: Any) -> str:
    if v is None:
        return "not evaluated"
    if type(v) is Unknown:
        return v.status
    return "determined"


def _state(s: int) -> str:
    return {APPLIES: "applies", NOT: "does not apply"}.get(s, "unknown")
