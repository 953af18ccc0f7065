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
from collections.abc import Iterator
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

    def __init__(self, name: str, tree: Tree, assumed: frozenset[str], book: ir.IRBook):
        self.name = name
        self.tree = tree
        self.leaves = list(_leaves(tree))
        first = self.leaves[0].value if self.leaves else None
        self.determined = bool(self.leaves) and all(x.known for x in self.leaves) and \
            all(d.same(x.value, first) for x in self.leaves)
        self.value = first if self.determined else None
        self.assumed = assumed  # the facts not given whose value made no difference, when determined
        missing: set[str] = set()
        bodies: set[tuple[str, str]] = set()
        reasons: set[str] = set()
        _relevant(self.leaves, book, missing, bodies, reasons)
        self.missing, self.bodies, self.reasons = missing, bodies, reasons

    def conditions(self) -> tuple[tuple[Any, tuple[str, ...]], ...]:
        """(value, the conditions of a case that gives it) for every decided case, in order."""
        return tuple((x.value, x.conditions) for x in self.leaves if x.known)


class Reasoner:
    """Reasoning over the missing facts of one student (one per evaluation, shared by its outcomes)."""

    def __init__(self, book: ir.IRBook, evaluator: Any, facts: Mapping[str, Any], as_of: dt.date):
        self.book, self.evaluator, self.facts, self.as_of = book, evaluator, facts, as_of
        self.domains = {name: dom for name, inp in book.inputs.items() if facts.get(name) is None
                        and (dom := default_domain(inp, book.units)) is not None}
        self.thresholds = thresholds(book, evaluator)
        self._evaluations: dict[tuple, AbstractEval] = {}
        self._forests: Forests = {}
        self._reads = reads_of(book, evaluator)

    def evaluation(self, assumed: Mapping[str, Any], parent: Mapping[str, Any] | None = None) -> AbstractEval:
        """The abstract evaluation in which `assumed` facts take the given values or parts of domains
        (built on the evaluation of `parent`, the same assumptions but one, when there is one)."""
        key = tuple(sorted((k, _key(v)) for k, v in assumed.items()))
        found = self._evaluations.get(key)
        if found is None:
            concrete = {k: v for k, v in assumed.items() if not d.is_abstract(v)}
            abstract = dict(self.domains)
            abstract.update((k, v) for k, v in assumed.items() if d.is_abstract(v))
            base = self.evaluation(parent) if parent is not None else None
            changed = frozenset(k for k in assumed if parent is None or _key(assumed[k]) != _key(parent.get(k)))
            found = AbstractEval(self.book, self.facts, self.as_of, abstract, self.evaluator,
                                 base, changed, self._forests, self._reads, concrete)
            self._evaluations[key] = found
        return found

    def refine(self, name: str) -> Refinement:
        """What every admissible value of the missing facts gives for `name`."""
        budget = [MAX_CASES]
        tree = self._solve(name, {}, (), (), budget)
        used = _facts_read(self.evaluation({}), name)
        assumed = frozenset(f for f in used if self.facts.get(f) is None)
        return Refinement(name, tree, assumed, self.book)

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
            if len(parts) < 2 or budget[0] < len(parts) or \
                    len(self._evaluations) + len(parts) > MAX_EVALUATIONS:
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
            if i >= TRIED or not cases or len(self._evaluations) + len(cases) > MAX_EVALUATIONS:
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
        """(condition, value or part of the domain) for each case of `fact`."""
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


