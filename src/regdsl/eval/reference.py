"""A reference evaluator: the specification the per-student fast path is checked against.

    reference_outcomes(book, facts, as_of) -> {name: the same dict as Outcome.to_dict()}

It is written to be read, not to be fast, and shares as little as it can
with the evaluator it checks (engine.py, compile.py, results/provenance.py):

* it interprets the IR directly, one `eval` over the expression nodes, with
  no closures from compile.py;
* it computes a name (or an item) lazily, the first time it is read, and
  remembers it, as the evaluator before the IR did; the fast path computes
  every name eagerly in dependency order;
* it decides a name with the generic default logic only (`logic.apply_rule`,
  `decide_node`, `choose`), never the specialised deciders (`_plain`,
  `decide_flat`, `applier`);
* it records, for each name and item, a full frame in reading order (the
  rules that won, the rules considered and how, the facts, names and items
  it read, the provisions body functions cited) and builds citations,
  versions, notes and explanations by walking those frames, where the fast
  path slices one shared read log.

What is shared, because it is the definition rather than an implementation
of it: the runtime operators (operators.py, builtins, organization.py, the
table lookup `compile.find`), the default logic, and which rules are in
force for a student (`Evaluator.version_key`, `Evaluator.forest`,
`Evaluator.governing_date`).

The reference recurses along chains of definitions, so a book near the
chain limit (E802) may exceed Python's recursion limit; it is a test oracle
for books well within the limits, not a second evaluator for users.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Iterable, Mapping

from .. import ir
from ..core.builtins import BUILTINS
from ..facts import validate
from ..results.outcome import Citation, Explanation, Version, json_value, plain
from ..core.units import Q
from ..core.values import Unknown
from .compile import find
from .engine import Evaluator, State
from .logic import APPLIES, NOT, Node, apply_rule, choose, decide_node
from .operators import ARITH, COMPARE, ORDERED, negate
from .organization import BODY_FUNCTIONS, asks


class Frame:
    """What one name or item read while it was computed, and (for a name) which rules decided it."""

    __slots__ = ("key", "value", "winners", "considered", "facts", "names", "items", "cited")

    def __init__(self, key: str):
        self.key = key
        self.value: Any = None
        self.winners: tuple[Any, ...] = ()
        self.considered: tuple[tuple[Any, int], ...] = ()
        self.facts: list[str] = []  # facts and decisions, each time one is read
        self.names: list[str] = []  # computed names, each time one is read
        self.items: list[tuple[str, Any]] = []  # items an `any of` / `all of` consulted, with their values
        self.cited: list[ir.Prov] = []  # provisions body functions read


_COMPUTING = Frame("")  # the mark of a name being computed (a cycle would find it)

# (name, id of a version key) -> (that key, the trees of the name's rules in force for it)
Forests = dict[tuple[str, int], tuple[tuple, list[Node]]]


class Reference:
    """One student's evaluation by the reference semantics: names computed when first read."""

    def __init__(self, book: ir.IRBook, facts: Mapping[str, Any], as_of: dt.date,
                 evaluator: Evaluator | None = None, key: tuple | None = None,
                 forests: Forests | None = None):
        self.book = book
        self.facts = facts
        self.as_of = as_of
        self.evaluator = evaluator or Evaluator(book)  # for which rules are in force, nothing else
        self.key = key if key is not None else self.evaluator.version_key(State(dict(facts), as_of))
        # The forests of a version key, with their rules' appliers, shared by evaluations with that
        # key (the appliers evaluate through the state they are given, never through one evaluation).
        self._forests = forests if forests is not None else {}
        self.names: dict[str, Frame] = {}
        self.items: dict[str, Frame] = {}
        self.frame = Frame("")  # the frame reads are recorded in
        self._walked: dict[int, list[ir.Prov]] = {}
        self._cited: dict[int, tuple[Citation, Version | None]] = {}
        self._explained: dict[str, Explanation] = {}

    # ------------------------------------------------------------ names and items
    def name(self, name: str) -> Frame:
        """The frame of a computed name (computing it on first use)."""
        return self._computed(self.names, name, self._decide)

    def item(self, key: str) -> Frame:
        """The frame of an item's condition (computing it on first use)."""
        return self._computed(self.items, key, self._test)

    def _computed(self, memo: dict[str, Frame], key: str, compute: Callable[[Frame], None]) -> Frame:
        found = memo.get(key)
        if found is _COMPUTING:
            raise RuntimeError(f"`{key}` depends on itself (the checker should have said so)")
        if found is not None:
            return found
        memo[key] = _COMPUTING
        frame, outer = Frame(key), self.frame
        self.frame = frame  # what it reads is recorded in its own frame
        compute(frame)
        self.frame = outer
        memo[key] = frame
        return frame

    def _decide(self, frame: Frame) -> None:
        """A name's value by default logic over the rules in force for this student."""
        info = self.book.names[frame.key]
        forest_key = (frame.key, id(self.key))
        found = self._forests.get(forest_key)
        if found is None or found[0] is not self.key:
            roots = self.evaluator.forest(info, self.key)
            todo = list(roots)
            while todo:
                node = todo.pop()
                node.apply = _applier(node.rule)
                todo.extend(node.children)
            found = self._forests[forest_key] = (self.key, roots)
        roots = found[1]
        considered: list[tuple[Any, int]] = []
        results = [decide_node(root, info.boolean, self, considered) for root in roots]
        none = Unknown(reasons=frozenset({f"no provision gives `{frame.key}` for this student"}))
        value, winners, _ = choose(info.boolean, roots, results, none)
        frame.value, frame.winners, frame.considered = value, tuple(winners), tuple(considered)

    def _test(self, frame: Frame) -> None:
        frame.value = self.eval(self.book.items[frame.key].cond)

    # ------------------------------------------------------------ expressions
    def eval(self, e: ir.Expr) -> Any:
        """The value of an expression for this student (Kleene logic over unknowns)."""
        return getattr(self, "_" + type(e).__name__)(e)

    def _Const(self, e: ir.Const) -> Any:
        return e.value

    def _Fact(self, e: ir.Fact) -> Any:
        self.frame.facts.append(e.name)
        v = self.facts.get(e.name)
        if v is not None:
            return v
        inp = self.book.inputs.get(e.name)
        if inp is not None and inp.kind == "decision":
            return Unknown(bodies=frozenset({(e.name, inp.decided_by)}))
        return Unknown(missing=frozenset({e.name}))

    def _Ref(self, e: ir.Ref) -> Any:
        value = self.name(e.name).value
        self.frame.names.append(e.name)
        return value

    def _Today(self, e: ir.Today) -> Any:
        return self.as_of

    def _Not(self, e: ir.Not) -> Any:
        v = self.eval(e.arg)
        return v if type(v) is Unknown else not v

    def _And(self, e: ir.And) -> Any:
        return self._kleene(e.args, False)

    def _Or(self, e: ir.Or) -> Any:
        return self._kleene(e.args, True)

    def _kleene(self, args: Iterable[ir.Expr], decisive: bool) -> Any:
        """`and` (decisive False) or `or` (decisive True), left to right, stopping at the decisive value."""
        unknown = None
        for a in args:
            v = self.eval(a)
            if v is decisive:
                return decisive
            if type(v) is Unknown:
                unknown = _union(unknown, v)
        return unknown if unknown is not None else not decisive

    def _Arith(self, e: ir.Arith) -> Any:
        return self._arith(e.op, self.eval(e.left), self.eval(e.right))

    def _Fold(self, e: ir.Fold) -> Any:
        x = self.eval(e.first)
        for op, rest in zip(e.ops, e.rest):
            x = self._arith(op, x, self.eval(rest))
        return x

    def _arith(self, op: str, x: Any, y: Any) -> Any:
        bad = _unknowns((x, y))
        if bad is not None:
            return bad
        try:
            return ARITH[op](x, y)
        except ZeroDivisionError:
            return Unknown(reasons=frozenset({"division by zero"}))

    def _Neg(self, e: ir.Neg) -> Any:
        v = self.eval(e.arg)
        return v if type(v) is Unknown else negate(v)

    def _Compare(self, e: ir.Compare) -> Any:
        x, y = self.eval(e.left), self.eval(e.right)
        bad = _unknowns((x, y))
        if bad is not None:
            return bad
        if e.op in ORDERED and isinstance(x, Q):
            return COMPARE[e.op](x.value, y.value)
        return COMPARE[e.op](x, y)

    def _OneOf(self, e: ir.OneOf) -> Any:
        v = self.eval(e.arg)
        return v if type(v) is Unknown else (v in e.names) != e.negated

    def _If(self, e: ir.If) -> Any:
        c = self.eval(e.cond)
        if c is True:
            return self.eval(e.then)
        if c is False:
            return self.eval(e.else_)
        # Unknown which branch: both are read; the answer is known only if they agree.  Only the
        # `then` branch's unknowns join the condition's (as the evaluator has always done).
        a, b = self.eval(e.then), self.eval(e.else_)
        if type(a) is not Unknown and type(b) is not Unknown and a == b:
            return a
        return _union(c, a) if type(a) is Unknown else c

    def _Shown(self, e: ir.Shown) -> Any:
        v = self.eval(e.arg)
        if isinstance(v, Q) and v.unit != e.unit:
            return Q(v.value, v.dim, e.unit, e.factor)
        return v

    def _Call(self, e: ir.Call) -> Any:
        args = [self.eval(a) for a in e.args]
        bad = _unknowns(args)
        return bad if bad is not None else BUILTINS[e.func].impl(*args)

    def _BodyCall(self, e: ir.BodyCall) -> Any:
        body = self.eval(e.arg)
        if type(body) is Unknown:
            return body
        org = self.book.organizations[e.book]
        value, provisions = BODY_FUNCTIONS[e.func](org, body)
        self.frame.cited.extend(provisions)
        if value is None:
            return Unknown(reasons=frozenset({asks(e.func, org.titles.get(body, body))}))
        return value

    def _Items(self, e: ir.Items) -> Any:
        decisive = e.mode == "any"
        seen: list[tuple[str, Any]] = []
        for key in e.items:
            v = self.item(key).value
            if v is decisive:
                self.frame.items.append((key, v))  # the item that decides is the one cited
                return decisive
            seen.append((key, v))
        unknown = _unknowns(v for _, v in seen)
        if unknown is not None:  # the items that could still decide it
            self.frame.items.extend((k, v) for k, v in seen if type(v) is Unknown)
            return unknown
        self.frame.items.extend(seen)  # every item, none decisive
        return not decisive

    def _Lookup(self, e: ir.Lookup) -> Any:
        k = self.eval(e.key)
        if type(k) is Unknown:
            return k
        return find(self.book.tables[e.table], k, e.column, self.as_of)

    # ------------------------------------------------------------ what an answer rests on
    def provisions(self, name: str) -> list[ir.Prov]:
        """The provisions behind a name's value, the deciding rules first, each once."""
        frame = self.name(name)
        return self._walk(frame) or _unique(rule.provision for rule, _ in frame.considered)

    def _walk(self, frame: Frame) -> list[ir.Prov]:
        """Deciding rules, undecided rules (when unknown), cited provisions, items, then names read."""
        found = self._walked.get(id(frame))
        if found is not None:
            return found
        parts: list[ir.Prov] = [w.provision for w in frame.winners]
        if type(frame.value) is Unknown:
            for rule, state in frame.considered:
                if state not in (APPLIES, NOT):
                    parts.append(rule.provision)
                    parts.extend(getattr(rule, "extra", ()))
        parts.extend(frame.cited)
        for key, _ in frame.items:
            parts.append(self.book.items[key].provision)
            parts.extend(self._walk(self.item(key)))
        for name in frame.names:
            parts.extend(self._walk(self.name(name)))
        found = self._walked[id(frame)] = _unique(parts)
        return found

    def citation(self, p: ir.Prov) -> tuple[Citation, Version | None]:
        """A provision as the evaluated book cites it, and the version of its article applied."""
        found = self._cited.get(id(p))
        if found is None:
            article = self.book.provisions.get(p.article, p)
            version = Version(article.home_cite, article.eid, article.start, article.end) \
                if article.kind == "article" else None
            found = self._cited[id(p)] = (Citation(p.home_cite, p.eid, p.foreign_book, p.via), version)
        return found

    def explain(self, name: str, path: frozenset[str] = frozenset()) -> Explanation:
        """The explanation tree of a name: its deciding rule, then what it read.

        `path` holds the names being explained above it; the checker rejects cycles, so a tree
        depends on its name alone and is built once."""
        found = self._explained.get(name)
        if found is None:
            found = self._explained[name] = self._explain(name, path)
        return found

    def _explain(self, name: str, path: frozenset[str]) -> Explanation:
        frame = self.name(name)
        value, unit = _shown(frame.value)
        status = _status(frame.value)
        if name in path:
            return Explanation("definition", name, value, unit, status)
        path = path | {name}
        main = frame.winners[0] if frame.winners else None
        if main is None and type(frame.value) is Unknown:
            main = next((r for r, s in frame.considered if s not in (APPLIES, NOT)), None)
        others = tuple((self.citation(r.provision)[0], _STATES.get(s, "unknown")) for r, s in frame.considered
                       if r not in frame.winners and r is not main)
        if main is None:
            return Explanation("definition", name, value, unit, status, None, "", "",
                               self._because(frame, path), others)
        return Explanation("definition", name, value, unit, status, self.citation(main.provision)[0],
                           main.provision.text, main.source, self._because(frame, path), others)

    def _because(self, frame: Frame, path: frozenset[str]) -> tuple[Explanation, ...]:
        out = []
        for key, v in frame.items:
            item = self.book.items[key]
            c = self.citation(item.provision)[0]
            value, unit = _shown(v)
            out.append(Explanation("item", c.cite, value, unit, _status(v), c, item.provision.text, item.source,
                                   self._because(self.item(key), path)))
        for f in dict.fromkeys(frame.facts):
            given = self.facts.get(f)
            value, unit = _shown(given)
            inp = self.book.inputs.get(f)
            kind = "decision" if inp is not None and inp.kind == "decision" else "fact"
            out.append(Explanation(kind, f, value, unit, "given" if given is not None else "not given"))
        for name in dict.fromkeys(n for n in frame.names if n not in frame.facts):
            out.append(self.explain(name, path))
        return tuple(out)

    def outcome(self, name: str) -> dict:
        """The answer for `name` in the shape of `Outcome.to_dict()`."""
        info = self.book.names[name]
        raw = self.name(name).value
        missing: list[str] = []
        bodies: list[str] = []
        reasons: list[str] = []
        if type(raw) is Unknown:
            value, status = None, raw.status
            unit = (info.ty.unit or None) if info.ty.kind == "quantity" else None
            missing, bodies, reasons = sorted(raw.missing), sorted({b for _, b in raw.bodies}), sorted(raw.reasons)
        elif type(raw) is bool or type(raw) is str:
            value, unit, status = raw, None, "determined"
        else:
            (value, unit), status = plain(raw), "determined"
        citations, versions = [], []
        for p in self.provisions(name):
            c, v = self.citation(p)
            citations.append(c.to_dict())
            if v is not None and v not in versions:
                versions.append(v)
        notes = [f"stated as of {w.as_of.isoformat()} ({w.provision.cite})"
                 for w in self.name(name).winners if getattr(w, "as_of", None)]
        return {"name": name, "description": info.description, "value": json_value(value), "unit": unit,
                "status": status, "citations": citations, "missing": missing, "decided_by": bodies,
                "reasons": reasons, "versions": [v.to_dict() for v in versions], "notes": notes,
                "explanation": self.explain(name).to_dict()}


_STATES = {APPLIES: "applies", NOT: "does not apply"}


def _applier(rule: Any) -> Callable[[Any], Any]:
    """A rule's result, evaluating its condition and value in the evaluation it is applied in."""
    def fns(r: Any) -> tuple[Any, Any]:
        return _thunk(r.cond), _thunk(r.value)

    return lambda st: apply_rule(rule, st, fns)


def _thunk(e: ir.Expr | None) -> Callable[[Any], Any] | None:
    return None if e is None else (lambda st: st.eval(e))


def reference_outcomes(book: Any, facts: Mapping[str, Any], as_of: dt.date | str,
                       outcomes: Iterable[str] | None = None) -> dict[str, dict]:
    """Every outcome of a `regdsl.Book` (or those named) for one student, by the reference semantics.

    The facts are validated as `Book.evaluate` validates them (BookErrors if they are bad).
    """
    day = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
    given = validate(book._facts, facts)  # the book's own view of its inputs
    ref = Reference(book.ir, given, day)
    names = book.ir.outcomes if outcomes is None else tuple(outcomes)
    return {name: ref.outcome(name) for name in names}


def _union(a: Unknown | None, b: Unknown) -> Unknown:
    if a is None:
        return b
    return Unknown(a.missing | b.missing, a.bodies | b.bodies, a.reasons | b.reasons)


def _unknowns(values: Iterable[Any]) -> Unknown | None:
    """The union of the unknowns among `values` (None when every value is known)."""
    out = None
    for v in values:
        if type(v) is Unknown:
            out = _union(out, v)
    return out


def _unique(provisions: Iterable[ir.Prov]) -> list[ir.Prov]:
    return list(dict.fromkeys(provisions))  # provisions hash by identity; the first place is kept


def _shown(v: Any) -> tuple[Any, str | None]:
    if v is None or type(v) is Unknown:
        return None, None
    return plain(v)


def _status(v: Any) -> str:
    if type(v) is Unknown:
        return v.status
    return "determined"
