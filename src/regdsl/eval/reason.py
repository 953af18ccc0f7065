"""Answering from what is known: an outcome is determined when every admissible value of the
missing facts gives the same answer.

For an outcome the per-student evaluation left open, `Reasoner.refine` first
evaluates it with every missing fact standing for its domain (abstract.py):
ranges and choices often decide it outright.  Otherwise it splits the cases
on one missing fact at a time — true or false, each value of an enumeration,
a quantity below or above a figure the book compares it with — and
evaluates each case, within a budget (`MAX_CASES` per outcome,
`MAX_EVALUATIONS` per student) so that the time taken stays bounded.  If
every case gives the same value, that is the answer, with the provisions of
every case; if not, the facts on which the cases differ are the ones that
can change the answer, and the cases say what would decide it.

Sound by construction: a case's value is given only when the abstract
evaluation proves it for every value in the case; a case the budget does not
reach stays undetermined, with every fact that might matter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Set as AbstractSet
from typing import Any, Mapping

from .. import ir
from ..core.units import Q
from ..core.values import Unknown
from . import domains as d
from .abstract import AbstractEval, default_domain, reads_of
from .reference import Forests

MAX_CASES = 8  # cases one outcome is split into, at most
MAX_EVALUATIONS = 256  # abstract evaluations for one student, at most (shared by its outcomes)
TRIED = 2  # facts tried at each split, to split first on the one that decides the most


class Leaf:
    """One case: the conditions that say which (as text, and as (fact, case) pairs), its value and
    its evaluation."""

    __slots__ = ("conditions", "cases", "value", "evaluation")

    def __init__(self, conditions: tuple[str, ...], cases: tuple[tuple[str, str], ...], value: Any,
                 evaluation: AbstractEval):
        self.conditions, self.cases, self.value, self.evaluation = conditions, cases, value, evaluation

    @property
    def known(self) -> bool:
        """Whether the case has a value: neither unknown nor a range or choice of values."""
        return type(self.value) is not Unknown and not d.is_abstract(self.value)


class Split:
    """The cases of one fact: (condition, subtree) for each part of its domain."""

    __slots__ = ("fact", "children")

    def __init__(self, fact: str, children: list[tuple[str, Tree]]):
        self.fact, self.children = fact, children


Tree = Leaf | Split  # a case, or the cases of a fact


class Refinement:
    """What reasoning found for one outcome: a value for every case, or what would decide it."""

    provenance: Any = None  # results/reasoned.py's, made once for an outcome decided in every case
    _decided: tuple[tuple[Any, tuple[str, ...]], ...] | None = None

    def __init__(self, name: str, tree: Tree | None, assumed: frozenset[str], book: ir.IRBook):
        self.name = name
        self.tree = tree
        self.leaves = list(_leaves(tree)) if tree is not None else []
        first = self.leaves[0].value if self.leaves else None
        self.determined = bool(self.leaves) and all(x.known for x in self.leaves) and \
            all(d.same(x.value, first) for x in self.leaves)
        self.value = first if self.determined else None
        self.assumed = assumed  # the facts not given whose value made no difference, when determined
        missing: set[str] = set()
        bodies: set[tuple[str, str]] = set()
        reasons: set[str] = set()
        _relevant(self.leaves, book, missing, bodies, reasons)
        self.missing: AbstractSet[str] = missing
        self.bodies: AbstractSet[tuple[str, str]] = bodies
        self.reasons: AbstractSet[str] = reasons

    def conditions(self) -> tuple[tuple[Any, tuple[str, ...]], ...]:
        """(value, the conditions of a case that gives it) for every decided case, in order."""
        if self._decided is not None:
            return self._decided
        return tuple((x.value, x.conditions) for x in self.leaves if x.known)

    def settled(self, shared: dict) -> "Refinement":
        """This refinement as a memo keeps it: an undecided one without its cases' evaluations
        (what an open answer shows needs none of them), its sets one object for every refinement
        that has them (`shared`); a decided one as it is."""
        if self.determined:
            return self
        light = Refinement.__new__(Refinement)
        light.name, light.tree, light.leaves = self.name, None, []
        light.determined, light.value = False, None
        light.assumed = shared.setdefault(self.assumed, self.assumed)
        light.missing = shared.setdefault(frozenset(self.missing), frozenset(self.missing))
        light.bodies = shared.setdefault(frozenset(self.bodies), frozenset(self.bodies))
        light.reasons = shared.setdefault(frozenset(self.reasons), frozenset(self.reasons))
        light._decided = self.conditions()  # values, which equal ones of other types (1, True) must not stand for
        return light


class Reasoner:
    """Reasoning over the missing facts of one student (one per evaluation, shared by its outcomes)."""

    def __init__(self, book: ir.IRBook, evaluator: Any, facts: Mapping[str, Any], as_of: dt.date,
                 memo: "Memo | None" = None):
        self.book, self.evaluator, self.facts, self.as_of = book, evaluator, facts, as_of
        self.memo = memo if memo is not None and memo.as_of == as_of and memo.book is book else None
        domain = self.memo.domain if self.memo is not None else (lambda inp: default_domain(inp, book.units))
        self.domains = {name: dom for name, inp in book.inputs.items() if facts.get(name) is None
                        and (dom := domain(inp)) is not None}
        self.thresholds = thresholds(book, evaluator)
        # The evaluations made, by their assumptions (None: one a refinement taken from the memo
        # made, counted against the budget as it was, and made again here when it is asked for).
        self._evaluations: dict[tuple, AbstractEval | None] = {}
        self._reads = reads_of(book, evaluator)
        # The rules in force, as trees, by version key: shared by a memo's students
        self._forests: Forests = self.memo.forests if self.memo is not None else {}
        self._keys = self.memo.keys if self.memo is not None else None
        self._trace: list[Any] | None = None  # while a refinement is recorded for the memo: its steps
        self._encoded: dict[str, Any] = {}
        # `_cases`, by fact and part of its domain (the same for every student: only a fact not
        # given is split, and its domain is its declaration's)
        self._parts: dict[tuple, list[tuple[str, Any]]] = self.memo.parts if self.memo is not None else {}
        self._interned = self.memo.interned if self.memo is not None else None

    def evaluation(self, assumed: Mapping[str, Any], parent: Mapping[str, Any] | None = None) -> AbstractEval:
        """The abstract evaluation in which `assumed` facts take the given values or parts of domains
        (built on the evaluation of `parent`, the same assumptions but one, when there is one)."""
        key = tuple(sorted((k, _key(v)) for k, v in assumed.items()))
        if self._interned is not None:  # one object for the key in every step a memo keeps
            key = self._interned.setdefault(key, key)
        if self._trace is not None:
            self._trace.append(key)
        found = self._evaluations.get(key)
        if found is None:
            concrete = {k: v for k, v in assumed.items() if not d.is_abstract(v)}
            abstract = dict(self.domains)
            abstract.update((k, v) for k, v in assumed.items() if d.is_abstract(v))
            base = self.evaluation(parent) if parent is not None else None
            changed = frozenset(k for k in assumed if parent is None or _key(assumed[k]) != _key(parent.get(k)))
            found = AbstractEval(self.book, self.facts, self.as_of, abstract, self.evaluator,
                                 base, changed, self._forests, self._reads, concrete, self._keys)
            self._evaluations[key] = found
        return found

    def refine(self, name: str) -> Refinement:
        """What every admissible value of the missing facts gives for `name`."""
        memo = self.memo
        if memo is None:
            return self._refine(name)
        found, key = memo.find(name, self)
        if found is not None:
            return found
        if key is None:  # a name the book's graph does not know: worked out, not kept
            return self._refine(name)
        self._trace = []
        try:
            refinement = self._refine(name)
            memo.keep(name, key, self._trace, refinement)
        finally:
            self._trace = None
        return refinement

    def _refine(self, name: str) -> Refinement:
        budget = [MAX_CASES]
        tree = self._solve(name, {}, (), (), budget)
        used = _facts_read(self.evaluation({}), name)
        assumed = frozenset(f for f in used if self.facts.get(f) is None)
        return Refinement(name, tree, assumed, self.book)

    def _over(self, n: int) -> bool:
        """Whether `n` more evaluations would go past the student's budget (recorded, while
        recording: the memo replays it against the budget another student has left)."""
        over = len(self._evaluations) + n > MAX_EVALUATIONS
        if self._trace is not None:
            self._trace.append(2 * n + over)
        return over

    def encoded(self, fact: str) -> Any:
        """A given fact's value as the memo compares it (type, value and unit; _ABSENT when not given)."""
        found = self._encoded.get(fact)
        if found is None:
            found = _fact_key(self.facts.get(fact, _ABSENT))
            if self._interned is not None:
                found = self._interned.setdefault(found, found)
            self._encoded[fact] = found
        return found

    def _solve(self, name: str, assumed: dict[str, Any], conditions: tuple[str, ...],
               cases: tuple[tuple[str, str], ...], budget: list[int], parent: dict | None = None) -> Tree:
        ev = self.evaluation(assumed, parent)
        value = ev.name(name).value
        leaf = Leaf(conditions, cases, value, ev)
        if leaf.known or budget[0] <= 1:
            return leaf
        unknown = d.degrade(value)
        if type(unknown) is not Unknown:
            return leaf
        for fact in self._order(name, assumed, self._candidates(unknown, assumed)):
            parts = self._cases(fact, assumed)
            if len(parts) < 2 or budget[0] < len(parts) or self._over(len(parts)):
                continue  # a case the budget cannot reach stays as it is: undecided, every fact listed
            budget[0] -= len(parts) - 1
            children = [(cond, self._solve(name, {**assumed, fact: v}, conditions + (cond,),
                                           cases + ((fact, cond),), budget, assumed))
                        for cond, v in parts]
            return Split(fact, children)
        return leaf

    def _order(self, name: str, assumed: Mapping[str, Any], candidates: list[str]) -> list[str]:
        """The candidates, those whose cases decide the most (of the first few tried) first."""
        scored: list[tuple[float, int, str]] = []  # (minus the share of cases decided, rank, fact)
        for i, fact in enumerate(candidates):
            cases = self._cases(fact, assumed)
            if i >= TRIED or not cases or self._over(len(cases)):
                scored.append((0, i, fact))
                continue
            decided = 0
            for _, v in cases:
                value = self.evaluation({**assumed, fact: v}, assumed).name(name).value
                decided += type(value) is not Unknown and not d.is_abstract(value)
            scored.append((-decided / len(cases), i, fact))
        return [fact for _, _, fact in sorted(scored)]

    def _candidates(self, unknown: Unknown, assumed: Mapping[str, Any]) -> list[str]:
        """The facts and decisions to split on, the fewest cases first."""
        names = sorted(set(unknown.missing) | {dec for dec, _ in unknown.bodies})
        return sorted((n for n in names if self.book.inputs.get(n) is not None),
                      key=lambda n: (len(self._cases(n, assumed)) or 99, n))

    def _cases(self, fact: str, assumed: Mapping[str, Any]) -> list[tuple[str, Any]]:
        """(condition, value or part of the domain) for each case of `fact` (worked out once for
        each part of its domain it is asked about)."""
        part = assumed.get(fact, _ABSENT)
        key = (fact, None if part is _ABSENT else _key(part))
        found = self._parts.get(key)
        if found is None:
            found = self._parts[key] = self._split(fact, assumed)
        return found

    def _split(self, fact: str, assumed: Mapping[str, Any]) -> list[tuple[str, Any]]:
        inp = self.book.inputs[fact]
        current = assumed.get(fact, self.domains.get(fact))
        if fact in assumed and not d.is_abstract(current):
            return []
        t = inp.ty
        if t.kind == "boolean" or (inp.kind == "decision" and t.kind in ("boolean", "any")):
            return [(fact, True), (f"not {fact}", False)]
        if type(current) is d.Choice:
            return [(f"{fact} is {v}", v) for v in sorted(current.values, key=str)]
        if type(current) is d.Interval:
            return _interval_cases(fact, current, self.thresholds.get(fact, ()))
        return []


class Memo:
    """Refinements shared by the students of one batch (one `evaluate_table(reason=True)` call, one
    `evaluate_many` batch): a student's refinement of an outcome is another's when the facts it
    can be worked out from have the same values for both, and the budget left agrees.

    A refinement of an outcome is a function of the date, the facts the outcome reads through
    every name and item it reads (`transitive_reads`, the over-approximation an abstract
    evaluation already relies on to take names from its parent) and the facts that decide which
    amendments spare the student.  Its one other input is how much of the student's
    `MAX_EVALUATIONS` the outcomes reasoned about before it used: a refinement is kept with its
    steps (the evaluations it asked for, the budget checks it made and how they came out) and
    taken for another student only when those checks come out the same there; the evaluations
    it made are then counted there too, and made there if a later outcome asks for one.
    """

    def __init__(self, book: ir.IRBook, as_of: dt.date):
        self.book, self.as_of = book, as_of
        # name -> the values of the facts it reads -> (the steps of a refinement, the refinement)
        self._found: dict[str, dict[tuple, list[tuple[Steps, Refinement]]]] = {}
        self._facts: dict[str, tuple[str, ...] | None] = {}  # the facts a name's key is made of
        self._kept = 0
        self._used: dict[str, int] = {}  # the refinements of each outcome taken from the memo
        self.forests: Forests = {}  # the rules in force as trees, by version key (shared by its students)
        self.keys: dict[tuple, tuple] = {}  # one object for each version key
        self.interned: dict[Any, Any] = {}  # one object for each evaluation's key and fact's value
        self.parts: dict[tuple, list[tuple[str, Any]]] = {}  # Reasoner._cases
        self._domains: dict[str, Any] = {}
        self.hits = self.misses = 0

    def domain(self, inp: ir.Input) -> Any:
        """`default_domain` of an input, made once for the batch."""
        found = self._domains.get(inp.name, _ABSENT)
        if found is _ABSENT:
            found = self._domains[inp.name] = default_domain(inp, self.book.units)
        return found

    def _key(self, name: str, reasoner: Reasoner) -> tuple | None:
        """The values, for `reasoner`'s student, of the facts a refinement of `name` can depend on."""
        facts = self._facts.get(name, ())
        if facts == ():
            found = set(reasoner._reads.get(name, {"*"}))
            for t in self.book.transitions:  # whether an amendment spares the student
                for cond, _ in t.sparing:
                    inputs, names, items = ir.reads(cond)
                    found |= inputs
                    for key in names | items:
                        found |= reasoner._reads.get(key, {"*"})
            facts = self._facts[name] = None if "*" in found else tuple(sorted(found))
        if facts is None:
            return None
        return tuple([reasoner.encoded(f) for f in facts])

    def find(self, name: str, reasoner: Reasoner) -> tuple[Refinement | None, tuple | None]:
        """The refinement of `name` kept for a student like `reasoner`'s if there is one, and the
        key it would be kept under."""
        key = self._key(name, reasoner)
        if key is not None:
            found = self._found.get(name)
            evaluations = reasoner._evaluations
            for steps, refinement in (found.get(key, ()) if found else ()):
                made = _replayed(steps, evaluations)
                if made is not None:
                    for k in made:
                        evaluations[k] = None
                    self.hits += 1
                    self._used[name] = self._used.get(name, 0) + 1
                    return refinement, key
        self.misses += 1
        return None, key

    def keep(self, name: str, key: tuple, steps: list[Any], refinement: Refinement) -> None:
        """Keep `refinement` of `name`, worked out in `steps` for a student whose facts give `key`."""
        mine = self._found.setdefault(name, {})
        if self._kept < MAX_KEPT and (len(mine) < RARE or self._used.get(name, 0) * 16 >= len(mine)):
            shared = self.interned  # students alike take the same steps and find the same facts
            kept = tuple(steps)
            found = shared.get(kept)
            if found is None:
                found = shared[kept] = Steps(kept)
            mine.setdefault(key, []).append((found, refinement.settled(shared)))
            self._kept += 1


MAX_KEPT = 200_000  # refinements a memo keeps, at most
RARE = 2_000  # an outcome with this many students' facts kept, and reused by fewer than 1 in 16, keeps no more
_ABSENT = object()


class Steps:
    """What a refinement did that another student's budget may see otherwise: the evaluations it
    asked for (by their assumptions) and the budget checks it made, in order."""

    __slots__ = ("steps", "keys", "need")

    def __init__(self, steps: tuple):
        self.steps = steps
        self.keys = frozenset(s for s in steps if type(s) is not int)
        checks = [s for s in steps if type(s) is int]
        # When every check passed, they all pass again wherever `need` more evaluations fit in the
        # budget: a check sees at most every key the steps make beyond those there, and its own need
        self.need = None if any(c & 1 for c in checks) else len(self.keys) + max((c >> 1 for c in checks), default=0)


def _replayed(kept: Steps, evaluations: Mapping[tuple, Any]) -> Iterable[tuple] | None:
    """The evaluations a kept refinement's steps make beyond `evaluations`, or None when one of its
    budget checks would come out otherwise with those made so far."""
    if kept.need is not None and len(evaluations) + kept.need <= MAX_EVALUATIONS:
        return kept.keys.difference(evaluations)
    count, made = len(evaluations), set()
    for step in kept.steps:
        if type(step) is int:
            if (count + (step >> 1) > MAX_EVALUATIONS) != bool(step & 1):
                return None
        elif step not in made and step not in evaluations:
            made.add(step)
            count += 1
    return made


def _fact_key(v: Any) -> Any:
    """A fact's value as the memo compares it: its type and value, and a quantity's unit (with the
    types of its numbers: equal values of two types are two keys)."""
    if v is _ABSENT:
        return ("absent",)
    t = type(v)
    if t is Q:
        return (t, type(v.value), v.value, v.dim, v.unit, type(v.factor), v.factor)
    try:
        hash(v)
    except TypeError:
        return (t, repr(v))
    return (t, v)


def _interval_cases(fact: str, v: d.Interval, points: tuple[tuple[Any, str], ...]) -> list[tuple[str, Any]]:
    """Two cases of an interval, on each side of the first figure the book compares the fact with."""
    for c, op in points:
        above_lo = v.lo is None or c > v.lo or (c == v.lo and not v.lo_open and op in (">", "<="))
        below_hi = v.hi is None or c < v.hi
        if not (above_lo and below_hi):
            continue
        shown = _shown(c, v.q)
        if op in (">", "<="):  # the book asks "more than c": at most c, or more
            low = d.Interval(v.lo, c, v.q, v.facts, v.lo_open, False, v.whole)
            high = d.Interval(c, v.hi, v.q, v.facts, True, v.hi_open, v.whole)
            return [(f"{fact} is at most {shown}", low), (f"{fact} is more than {shown}", high)]
        low = d.Interval(v.lo, c, v.q, v.facts, v.lo_open, True, v.whole)
        high = d.Interval(c, v.hi, v.q, v.facts, False, v.hi_open, v.whole)
        return [(f"{fact} is less than {shown}", low), (f"{fact} is at least {shown}", high)]
    return []


def _shown(c: Any, q: d.Kind | None) -> str:
    return str(Q(c, q[0], q[1], q[2])) if q else str(c)


def thresholds(book: ir.IRBook, evaluator: Any) -> dict[str, tuple[tuple[Any, str], ...]]:
    """For each fact, the figures the book compares it with directly, and how (`fact >= 124 credits`)."""
    found = getattr(evaluator, "_thresholds", None)
    if found is not None:
        return found
    out: dict[str, dict[tuple[Any, str], None]] = {}
    exprs: list[ir.Expr] = [x for n in book.names.values() for r in n.rules for x in (r.cond, r.value) if x]
    exprs += [i.cond for i in book.items.values()]
    for root in exprs:
        for node in ir.walk(root):
            if type(node) is not ir.Compare or node.op in ("is", "isnot"):
                continue
            left, right = _bare(node.left), _bare(node.right)
            op = node.op
            if type(right) is ir.Fact and type(left) is ir.Const:
                left, right, op = right, left, {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
            if type(left) is ir.Fact and type(right) is ir.Const:
                c = right.value.value if isinstance(right.value, Q) else right.value
                if isinstance(c, (int,)) or type(c).__name__ == "Fraction":
                    out.setdefault(left.name, {})[(c, op)] = None
    result = {k: tuple(sorted(v, key=lambda p: p[0])) for k, v in out.items()}
    try:
        evaluator._thresholds = result
    except AttributeError:
        pass
    return result


def _bare(e: ir.Expr) -> ir.Expr:
    while type(e) is ir.Shown:
        e = e.arg
    return e


def _leaves(tree: Tree) -> Iterator[Leaf]:
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Leaf):
            yield node
        else:
            stack.extend(child for _, child in reversed(node.children))


def _relevant(leaves: list[Leaf], book: ir.IRBook, missing: set[str], bodies: set[tuple[str, str]],
              reasons: set[str]) -> None:
    """The facts (and decisions) whose value can change the answer, and why cases stay undecided.

    A fact split on is relevant when two cases that differ in it alone (every other fact both
    assume, assumed alike) give different answers, or one of them is undecided; an undecided
    case adds every fact and decision it still depends on."""
    for leaf in leaves:
        if not leaf.known:
            u = d.degrade(leaf.value)
            if type(u) is Unknown:
                missing |= set(u.missing)
                bodies |= set(u.bodies)
                reasons |= set(u.reasons)
    for i, a in enumerate(leaves):
        mine = dict(a.cases)
        for b in leaves[i + 1:]:
            theirs = dict(b.cases)
            differ = [f for f in mine.keys() & theirs.keys() if mine[f] != theirs[f]]
            if len(differ) != 1:
                continue
            if a.known and b.known and d.same(a.value, b.value):
                continue
            fact = differ[0]
            inp = book.inputs[fact]
            if inp.kind == "decision":
                bodies.add((fact, inp.decided_by))
            else:
                missing.add(fact)


def _facts_read(ev: AbstractEval, name: str) -> set[str]:
    """Every fact and decision the evaluation of `name` read, through the names and items it read."""
    out: set[str] = set()
    seen: set[int] = set()  # the frames' ids
    todo = [ev.name(name)]
    while todo:
        frame = todo.pop()
        if id(frame) in seen:
            continue
        seen.add(id(frame))
        out.update(frame.facts)
        todo.extend(ev.name(n) for n in frame.names)
        todo.extend(ev.item(k) for k, _ in frame.items)
    return out


def _key(v: Any) -> Any:
    if type(v) is d.Interval:
        return ("I", v.lo, v.hi, v.lo_open, v.hi_open)
    if type(v) is d.Choice:
        return ("C", tuple(sorted(map(repr, v.values))))
    if type(v) is d.Dates:
        return ("D", v.lo, v.hi)
    return ("V", repr(v))


