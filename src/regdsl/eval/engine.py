"""The per-student evaluator: default logic over a lowered book, with unknowns and discretion.

For each name, the rules in force for the student form a forest: a rule's
children are the exceptions that override it.  An exception that applies
wins over the rule it names; where it does not apply the rule itself
decides; where whether it applies is unknown the answer is unknown, unless
it would give the same value anyway (logic.py).

Which rules are in force depends on the date asked and on the amendments
whose transitional provisions spare the student (the version key); a `Plan`
holds the forests of one version key and is shared by every student with
that key.  A name or item depends only on its key and on the facts it reads,
directly or through what it reads: the plan evaluates once, for a student who
gives no fact, everything the outcomes need, and a student who gives none of
the facts a name depends on takes that name's result (and what it read) from
there; most students give a small part of a book's facts.  A student is evaluated eagerly, in the book's dependency order
(`IRBook.order`): every name and item is computed once, after everything it
reads, so no evaluation ever recurses from one definition into another and
a chain of definitions of any length needs no deeper Python stack.  While a
name is computed its closures append what they read (names, facts, items,
provisions of bodies) to the state's log; with the rules that won, kept in
its record, that is all citations and explanations need, without
evaluating the student again.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import Any, Callable, Iterable, Mapping

from .. import ir
from ..core.builtins import outside_calendar
from ..core.values import Unknown
from .compile import Compiled, Compiler, Fn
from .logic import APPLIES, NOT, UNKNOWN, Node, Pseudo, applier, choose, decide_node, not_in_force, unencoded

_PLANS = 64  # version keys remembered per book


class State:
    """One evaluation: the facts given, the date, the values computed and what each read.

    `records` lists, in evaluation order, (key, start, result, read_start) for every
    name and item computed: `result` is (value, winners, considered, conflict) for a
    name and (value,) for an item; what it read is `log[start:]` up to the next
    record's start, and the facts it read `reads[read_start:]` up to the next record's
    (see compile.py for the entries).
    """

    __slots__ = ("facts", "as_of", "values", "records", "log", "reads", "plan")

    def __init__(self, facts: Mapping[str, Any], as_of: dt.date):
        self.facts = facts
        self.as_of = as_of
        self.values: dict[str, Any] = {}
        self.records: list[tuple[str, int, tuple, int]] = []
        self.log: list[Any] = []
        self.reads: list[str] = []
        self.plan: Plan | None = None


Decider = Callable[[State], tuple[Any, tuple, tuple, Any]]
# (key, function, is an item, facts it depends on or None, result, log and reads with none given)
Step = tuple[str, Any, bool, "frozenset[str] | None", tuple[tuple, tuple, tuple]]
_ORDERS = 256  # sets of outcomes whose steps a plan remembers
_INPUTS = 64  # facts a name may depend on and still be taken from the none-given evaluation


class Plan:
    """The rules in force for one version key, as a decider per name, in dependency order."""

    def __init__(self, evaluator: "Evaluator", key: tuple):
        self.key = key
        self.evaluator = evaluator
        book = evaluator.book
        self.deciders: dict[str, Decider] = {}
        for name, info in book.names.items():
            self.deciders[name] = evaluator.decider(info, evaluator.forest(info, key))
        self._orders: dict[tuple[str, ...] | None, list[Step]] = {}
        self._lock = threading.Lock()
        # Names and items that read no fact are the same for every student of this key:
        # computed once here, and copied into each student's state.
        st = State({}, key[0])
        for k in book.order:
            if k in evaluator.constant:
                fn = evaluator.item_fn(k) if k in book.items else self.deciders[k]
                start, read_start = len(st.log), len(st.reads)
                r = (fn(st),) if k in book.items else fn(st)
                st.values[k] = r[0]
                st.records.append((k, start, r, read_start))
        self.constants = (st.values, st.records, st.log, st.reads)

    def steps(self, outcomes: tuple[str, ...] | None) -> list[Step]:
        """What the outcomes need, in order: (key, its function, is an item, the facts it
        depends on, its result for a student who gives none of them)."""
        found = self._orders.get(outcomes)
        if found is not None:
            return found
        ev = self.evaluator
        book = ev.book
        needed: set[str] = set()
        todo = list(book.outcomes if outcomes is None else outcomes)
        while todo:
            k = todo.pop()
            if k not in needed:
                needed.add(k)
                todo.extend(book.deps.get(k, ()))
        # A name or item depends only on the facts it reads, directly or through what it
        # reads, and on this key: for a student who gives none of them it is what it is for
        # a student who gives nothing, computed here once, with what it read.
        values, records, log, reads = self.constants
        blank = State({}, self.key[0])
        blank.values, blank.log, blank.reads = dict(values), list(log), list(reads)
        steps: list[Step] = []
        for k in book.order:
            if k not in needed or k in ev.constant:
                continue
            is_item = k in book.items
            fn = ev.item_fn(k) if is_item else self.deciders[k]
            start, read_start = len(blank.log), len(blank.reads)
            r = (fn(blank),) if is_item else fn(blank)
            blank.values[k] = r[0]
            steps.append((k, fn, is_item, ev.inputs_of.get(k),
                          (r, tuple(blank.log[start:]), tuple(blank.reads[read_start:]))))
        with self._lock:
            if len(self._orders) >= _ORDERS:  # callers choosing their own sets of outcomes
                self._orders.clear()
            self._orders[outcomes] = steps
        return steps


class Evaluator:
    """Evaluates students against one IRBook; shared by all evaluations (and threads).

    Compiled closures and plans are built on first use and kept in this
    process only: they are not part of the book's pickled state.
    """

    def __init__(self, book: ir.IRBook):
        self.book = book
        self.unknown_fact: dict[str, Unknown] = {}
        for name, inp in book.inputs.items():
            if inp.kind == "decision":
                self.unknown_fact[name] = Unknown(bodies=frozenset({(name, inp.decided_by)}))
            else:
                self.unknown_fact[name] = Unknown(missing=frozenset({name}))
        self.compiler = Compiler(book, self.unknown_fact)
        self._compiled = Compiled(self.compiler, book.items)
        self._plans: OrderedDict[tuple, Plan] = OrderedDict()
        self._no_provision: dict[str, Unknown] = {}
        self._shown: dict[str, tuple[str, str | None]] = {}
        self._lock = threading.Lock()
        self._sparing = [[(self.compiler.compile(cond), prov) for cond, prov in t.sparing]
                         for t in book.transitions]
        self.constant: set[str] = set()
        for k in book.order:
            if not book.facts_read.get(k) and all(d in self.constant for d in book.deps.get(k, ())):
                self.constant.add(k)
        # Only what some outcome needs is computed (a definition nothing reads is never evaluated).
        self.needed = _closure(book, book.outcomes)
        self.constant &= self.needed
        # The facts each name and item depends on, directly or through what it reads (None
        # past _INPUTS: such a name is always computed, and no set grows with a long chain).
        self.inputs_of: dict[str, frozenset[str] | None] = {}
        for k in book.order:
            found: set[str] | None = set(book.facts_read.get(k, ()))
            for d in book.deps.get(k, ()):
                sub = self.inputs_of.get(d, frozenset())
                if sub is None or found is None:
                    found = None
                    break
                found |= sub
            self.inputs_of[k] = frozenset(found) if found is not None and len(found) <= _INPUTS else None
        # The items the transitional provisions test, in dependency order: computed before the
        # version key (the checker lets them read facts only).
        sparing_items = _closure(book, [k for t in book.transitions for cond, _ in t.sparing
                                        for node in ir.walk(cond) if type(node) is ir.Items
                                        for k in node.items])
        self._sparing_items = [(k, self.item_fn(k)) for k in book.order if k in sparing_items]

    def shown_name(self, name: str) -> tuple[str, str | None]:
        """(description, the unit an unknown quantity is shown in) of a computed name."""
        found = self._shown.get(name)
        if found is None:
            info = self.book.names[name]
            found = self._shown[name] = (info.description,
                                         (info.ty.unit or None) if info.ty.kind == "quantity" else None)
        return found

    # ---- compiled pieces
    def rule_fns(self, rule: ir.Rule) -> tuple[Fn | None, Fn | None]:
        """The compiled condition and value of a rule (None for a part the rule does not have)."""
        return self._compiled.rule_fns(rule)

    def item_fn(self, key: str) -> Fn:
        """The compiled condition of an item."""
        return self._compiled.item_fn(key)

    def no_provision(self, name: str) -> Unknown:
        """The answer for a name no rule gives a value to, for this student."""
        found = self._no_provision.get(name)
        if found is None:
            found = self._no_provision[name] = Unknown(
                reasons=frozenset({f"no provision gives `{name}` for this student"}))
        return found

    # ---- versions
    def version_key(self, st: State) -> tuple:
        """The date, the amendments the student is spared, and those for whom that is unknown."""
        book = self.book
        if not book.transitions:
            return (st.as_of, (), ())
        spared, pending = [], []
        for k, fn in self._sparing_items:
            st.values[k] = fn(st)
        for t, sparing in zip(book.transitions, self._sparing):
            if st.as_of < t.date:
                continue
            for fn, prov in sparing:
                v = fn(st)
                if v is True:
                    spared.append((t, prov))
                elif type(v) is Unknown:
                    why = Unknown(v.missing, v.bodies, v.reasons | {
                        f"whether {prov.cite} keeps the text before the amendment of "
                        f"{t.date.isoformat()} for this student"})
                    pending.append((t, prov, why))
        del st.log[:]  # what the version key read is no name's reading
        del st.reads[:]
        for k, _ in self._sparing_items:
            del st.values[k]
        return (st.as_of, tuple(spared), tuple(pending))

    def plan(self, key: tuple) -> Plan:
        """The plan of a version key (built once, shared by every student with that key)."""
        cache_key = (key[0], key[1], tuple((t, p, u.missing, u.bodies, u.reasons) for t, p, u in key[2]))
        found = self._plans.get(cache_key)
        if found is not None:
            return found
        plan = Plan(self, key)
        with self._lock:
            self._plans[cache_key] = plan
            while len(self._plans) > _PLANS:
                self._plans.popitem(last=False)
        return plan

    def governing_date(self, article: ir.Prov, key: tuple) -> tuple[dt.date, Unknown | None, ir.Prov | None]:
        """The date whose version of `article` governs this student, or why it is unknown."""
        as_of, spared, pending = key
        day = as_of
        if not article.own_book:
            return day, None, None
        for t, prov, unknown in pending:
            if _affects(t, article):
                return day, unknown, prov
        for t, prov in spared:
            if _affects(t, article):
                if t.date == dt.date.min:
                    return day, outside_calendar(f"the day before the amendment of {t.date.isoformat()} "
                                                 f"({prov.cite})"), prov
                day = min(day, t.date - dt.timedelta(days=1))
                if not article.any_version_in_force(day):
                    return day, Unknown(reasons=frozenset({
                        f"{prov.cite} keeps the text before the amendment of "
                        f"{t.date.isoformat()} for this student, and {article.cite} as in "
                        f"force on {day.isoformat()} is not encoded in this book"})), prov
        return day, None, None

    def forest(self, info: ir.Name, key: tuple) -> list[Node]:
        """The rules for a name in force for this key, as trees of exceptions."""
        book = self.book
        rules: Iterable[Any] = info.rules
        if info.adoption is not None:
            # The other book applies only through the provision that adopts it, in the
            # version that governs this student.
            via = book.adoptions[info.adoption].via_article
            day, why, prov = self.governing_date(via, key)
            if why is None and not via.any_version_in_force(day):
                why = unencoded(via, day)
            if why is not None:
                return [Node(Pseudo(via, why, (prov,) if prov is not None else ()))]
        active: list[Any] = []
        days: set[dt.date] = set()
        by_article: dict[tuple[str, str], list[ir.Rule]] = {}
        for r in rules:  # the versions of an article are one group, as they are one article
            a = book.provisions[r.provision.article]
            by_article.setdefault((a.book, a.eid), []).append(r)
        for rs in by_article.values():
            article = book.provisions[rs[0].provision.article]
            day, why, prov = self.governing_date(article, key)
            if why is not None:
                active.append(Pseudo(article, why, (prov,) if prov is not None else ()))
                continue
            live = [r for r in rs if r.provision.in_force(day)]
            if not article.any_version_in_force(day):
                active.append(Pseudo(article, unencoded(article, day)))
            active.extend(live)
            days.add(day)
        if rules and not active:
            # Every rule for the name is in a provision not in force that day: the book does
            # not say what the answer was then, which is not "no".
            provs = list(dict.fromkeys(r.provision for r in rules))
            active.append(Pseudo(provs[0], not_in_force(info.name, min(days), provs), tuple(provs[1:])))
        nodes = {id(r): Node(r) for r in active}
        by_rid = {r.rid: nodes[id(r)] for r in active if type(r) is ir.Rule}
        roots = []
        for r in active:
            parents = [by_rid[o] for o in r.overrides if o in by_rid]
            for parent in parents:
                parent.children.append(nodes[id(r)])
            if not parents:
                roots.append(nodes[id(r)])
        return roots

    def decider(self, info: ir.Name, roots: list[Node]) -> Decider:
        """A function computing the name for a student: (value, winners, considered, conflict)."""
        name = info.name
        boolean = info.boolean
        if len(roots) == 1 and not roots[0].children and type(roots[0].rule) is ir.Rule \
                and roots[0].rule.as_of is None and roots[0].rule.kind != "delegated":
            return self._plain(roots[0].rule, boolean)
        for node in _nodes(roots):
            node.apply = applier(node.rule, self.rule_fns(node.rule) if type(node.rule) is ir.Rule else None)
        none = self.no_provision(name)
        if not any(r.children for r in roots):  # rules with no exceptions, the common case
            def decide_flat(st: State) -> tuple[Any, tuple, tuple, Any]:
                considered = []
                results = []
                for node in roots:
                    r = node.apply(st)
                    considered.append(node.seen[r[0]])
                    results.append(r)
                value, winners, conflict = choose(boolean, roots, results, none)
                return value, tuple(winners), tuple(considered), conflict

            return decide_flat

        def decide(st: State) -> tuple[Any, tuple, tuple, Any]:
            considered: list = []
            results = [decide_node(r, boolean, st, considered) for r in roots]
            value, winners, conflict = choose(boolean, roots, results, none)
            return value, tuple(winners), tuple(considered), conflict

        return decide

    def _plain(self, rule: ir.Rule, boolean: bool) -> Decider:
        """The decider of a name with one plain rule: `_apply` and `choose`, specialised."""
        cond_fn, value_fn = self.rule_fns(rule)
        win = (rule,)
        not_ = ((rule, NOT),)
        applies = ((rule, APPLIES),)
        unknown = ((rule, UNKNOWN),)
        none = (False, win, not_, None) if boolean else (self.no_provision(rule.name), (), not_, None)
        yes = (True, win, applies, None)
        is_if = rule.kind == "if"

        def plain(st: State) -> tuple[Any, tuple, tuple, Any]:
            c = cond_fn(st) if cond_fn is not None else True
            if c is False:
                return none
            v = value_fn(st)  # type: ignore[misc]
            if is_if:
                if v is False:
                    return none
                if c is True and v is True:
                    return yes
                return _merge(c, v), (), unknown, None
            if c is True:
                if type(v) is Unknown:
                    return v, (), unknown, None
                if v is True:
                    return yes
                return v, win, applies, None
            return _merge(c, v), (), unknown, None

        return plain

    # ---- evaluating
    def evaluate(self, facts: Mapping[str, Any], as_of: dt.date, outcomes: tuple[str, ...] | None = None) -> State:
        """Compute the outcomes (all when None) and everything they need for one student."""
        st = State(facts, as_of)
        plan = st.plan = self.plan(self.version_key(st))
        values, records, log, reads = plan.constants
        st.values, st.records, st.log, st.reads = dict(values), list(records), list(log), list(reads)
        values, log, reads = st.values, st.log, st.reads
        given = {k for k, v in facts.items() if v is not None}
        add = st.records.append
        for key, fn, is_item, inputs, blank in plan.steps(outcomes):
            start, read_start = len(log), len(reads)
            if inputs is not None and inputs.isdisjoint(given):
                r = blank[0]
                log.extend(blank[1])
                reads.extend(blank[2])
            elif is_item:
                r = (fn(st),)
            else:
                r = fn(st)
            values[key] = r[0]
            add((key, start, r, read_start))
        return st


def _closure(book: ir.IRBook, keys: Any) -> set[str]:
    """The names and items `keys` read, directly or through one another, and `keys` themselves."""
    found: set[str] = set()
    todo = list(keys)
    while todo:
        k = todo.pop()
        if k not in found:
            found.add(k)
            todo.extend(book.deps.get(k, ()))
    return found


def _merge(c: Any, v: Any) -> Unknown:
    if type(c) is Unknown:
        return c.merge(v) if type(v) is Unknown else c
    return v


def _affects(t: ir.Transition, article: ir.Prov) -> bool:
    if t.affected is None:
        return article.kind == "article"
    return article.number in t.affected


def _nodes(roots: list[Node]) -> list[Node]:
    out, todo = [], list(roots)
    while todo:
        node = todo.pop()
        out.append(node)
        todo.extend(node.children)
    return out
