"""Evaluation: default logic over the checked rules, with unknowns and discretion.

For each name the rules in force form a forest: a rule's children are the
exceptions that override it.  An exception that applies wins over the rule
it names; where it does not apply the rule itself decides; where whether it
applies is unknown the answer is unknown, unless it would give the same
value anyway.  Every definition is computed once per evaluation; a frame
records what it read, so that citations and explanations can be given
afterwards without computing anything twice.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import OrderedDict
from typing import Any

from .adopt import View
from .builtins import outside_calendar
from .errors import EvaluationError
from .resolve import BookModel, Provision, RuleInfo
from .values import Unknown
from .values import merge_all as _merge

MAX_DEPTH = 200
# Each nested definition costs a handful of Python frames; leave room for MAX_DEPTH of them.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 8000))
_MISSING = object()

APPLIES, NOT, UNKNOWN, CONFLICT = range(4)


class Frame:
    """What one definition (or item) read while it was computed."""

    __slots__ = ("name", "provision", "deps", "facts", "items", "winners", "considered", "cited")

    def __init__(self, name: str, provision: Provision | None = None):
        self.name = name
        self.provision = provision
        self.deps: list[str] = []
        self.facts: list[str] = []
        self.items: list[tuple[Provision, Any]] = []
        self.cited: list[Provision] = []  # provisions consulted (bodies, duty lists)
        self.winners: list[RuleInfo] = []
        self.considered: list[tuple[RuleInfo, int]] = []


class Computed:
    """The value of a definition and the frame that explains it."""

    __slots__ = ("value", "frame", "conflict")

    def __init__(self, value, frame: Frame, conflict: list | None = None):
        self.value = value
        self.frame = frame
        self.conflict = conflict


class _Node:
    __slots__ = ("rule", "children")

    def __init__(self, rule: RuleInfo):
        self.rule = rule
        self.children: list[_Node] = []


class _Pseudo:
    """A stand-in rule for an article whose governing version is not encoded."""

    compiled = None
    as_of = None

    def __init__(self, provision: Provision, unknown: Unknown, extra=()):
        self.provision = provision
        self.unknown = unknown
        self.extra = [p for p in extra if p is not None]
        self.kind = "pseudo"
        self.overrides: list = []
        self.node = None
        self.name = ""
        self.source = ""


class Engine:
    """Evaluates one checked book; shared by all evaluations of that book."""

    def __init__(self, book: BookModel):
        self.book = book
        self.unknown_fact: dict[str, Unknown] = {}
        for sym in book.symbols.values():
            if sym.kind == "decision":
                who = decided_by(book, sym.bodies)
                self.unknown_fact[sym.name] = Unknown(bodies=frozenset({(sym.name, who)}))
            else:
                self.unknown_fact[sym.name] = Unknown(missing=frozenset({sym.name}))
        self.booleans = {name for name, s in book.symbols.items()
                         if s.type is not None and s.type.kind == "boolean"}
        self.others: dict[int, Engine] = {}
        for name, (sym, adoption) in book.adopted.items():
            if id(adoption) not in self.others:
                self.others[id(adoption)] = Engine(adoption.other)
            if sym.kind == "decision":
                who = decided_by(adoption.other, sym.bodies)
                self.unknown_fact[name] = Unknown(bodies=frozenset({(name, who)}))
            elif not sym.computed:
                self.unknown_fact[name] = Unknown(missing=frozenset({name}))
            if sym.type is not None and sym.type.kind == "boolean":
                self.booleans.add(name)
        self._forests: OrderedDict = OrderedDict()
        self.own = frozenset(book.rules)  # names this book's own rules answer
        self._no_provision: dict[str, Unknown] = {}

    # ---- which rules are in force
    def no_provision(self, name: str) -> Unknown:
        """The answer for a name no rule gives a value to, for this student."""
        found = self._no_provision.get(name)
        if found is None:
            found = self._no_provision[name] = Unknown(
                reasons=frozenset({f"no provision gives `{name}` for this student"}))
        return found

    def forests(self, key) -> dict[str, list[_Node]]:
        """The memo of rule forests for one version key (shared by evaluations with that key)."""
        found = self._forests.get(key)
        if found is None:
            found = self._forests[key] = {}
            if len(self._forests) > 256:
                self._forests.popitem(last=False)
        return found

    def forest(self, name: str, key, adoption=None) -> list[_Node]:
        """The rules for `name` in force for this key, as trees of exceptions."""
        memo = self.forests(key)
        found = memo.get(name)
        if found is not None:
            return found
        as_of, spared, pending = key
        if adoption is None:
            rules = self.book.rules.get(name, [])
        else:
            # The other book applies only through the provision that adopts it, in the
            # version that governs this student.
            via = adoption.via.article
            day, why, prov = self.governing_date(via, as_of, spared, pending)
            versions = self.book.by_number.get(via.number, [via]) if via.kind == "article" else [via]
            if why is None and not any(v.in_force(day) for v in versions):
                why = _unencoded(via, day, self.book)
            if why is not None:
                roots = [_Node(_Pseudo(via, why, [prov]))]
                memo[name] = roots
                return roots
            rules = [r for r in adoption.other.rules.get(adoption.there(name), [])
                     if adoption.applies_to(r.provision)]
        active: list = []
        by_article: dict[str, list[RuleInfo]] = {}
        for r in rules:
            by_article.setdefault(_article_id(r.provision), []).append(r)
        for rs in by_article.values():
            article = rs[0].provision.article
            day, why, prov = self.governing_date(article, as_of, spared, pending)
            if why is not None:
                active.append(_Pseudo(article, why, [prov]))
                continue
            live = [r for r in rs if r.provision.in_force(day)]
            versions = article.book.by_number.get(article.number, [article]) \
                if article.kind == "article" else [article]
            if not any(v.in_force(day) for v in versions):
                active.append(_Pseudo(article, _unencoded(article, day, article.book)))
            active.extend(live)
        nodes = {id(r): _Node(r) for r in active}
        roots = []
        for r in active:
            parents = [o for o in r.overrides if id(o) in nodes]
            for o in parents:
                nodes[id(o)].children.append(nodes[id(r)])
            if not parents:
                roots.append(nodes[id(r)])
        memo[name] = roots
        return roots

    def governing_date(self, article: Provision, as_of: dt.date, spared, pending):
        """The date whose version of `article` governs this student, or why it is unknown."""
        day = as_of
        if article.book is not self.book:
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
                versions = self.book.by_number.get(article.number, [article])
                if not any(v.in_force(day) for v in versions):
                    return day, Unknown(reasons=frozenset({
                        f"{prov.cite} keeps the text before the amendment of "
                        f"{t.date.isoformat()} for this student, and {article.cite} as in "
                        f"force on {day.isoformat()} is not encoded in this book"})), prov
        return day, None, None


def _article_id(p: Provision) -> str:
    return p.article.eid


def _affects(t, article: Provision) -> bool:
    if t.affected is None:
        return article.kind == "article"
    return article.number in t.affected


def _unencoded(article: Provision, day: dt.date, book: BookModel) -> Unknown:
    versions = book.by_number.get(article.number, [article])
    starts = sorted(v.start for v in versions if v.start)
    since = f" (the encoded text is in force from {starts[0].isoformat()})" if starts else ""
    return Unknown(reasons=frozenset({
        f"{article.cite} as in force on {day.isoformat()} is not encoded in this book{since}"}))


def decided_by(book: BookModel, bodies: tuple[str, ...]) -> str:
    """"the President, upon approval by the Faculty Meeting"."""
    titles = []
    for b in bodies:
        body = book.bodies.get(b)
        titles.append(body[0].title if body else b)
    if not titles:
        return ""
    text = titles[0]
    for t in titles[1:]:
        text += f", upon approval by {t}"
    return text


class Context:
    """One evaluation: the facts, the date, and what has been computed so far.

    With `trace` on, each definition and item records in a Frame what it read
    and which rules decided it (for citations and explanations); off, nothing
    is recorded and evaluation is faster.  The two give the same values.
    """

    __slots__ = ("engine", "book", "facts", "as_of", "memo", "frame", "depth", "key",
                 "item_memo", "forests", "trace")

    def __init__(self, engine: Engine, facts: dict[str, Any], as_of: dt.date, trace: bool = True):
        self.engine = engine
        self.book = engine.book
        self.facts = facts
        self.as_of = as_of
        self.trace = trace
        self.memo: dict[str, Computed] = {}
        self.item_memo: dict[int, tuple[Any, Frame | None]] = {}
        self.frame: Frame | None = None
        self.depth = 0
        self.key = self._version_key()
        self.forests = engine.forests(self.key)

    def _version_key(self):
        """Which amendments this student is spared, or for whom that is unknown."""
        transitions = self.book.transitions
        if not transitions:
            return (self.as_of, (), ())
        spared, pending = [], []
        for t in transitions:
            if t.date is None or self.as_of < t.date:
                continue
            for fn, prov in t.sparing:
                v = fn(self)
                if v is True:
                    spared.append((t, prov))
                elif type(v) is Unknown:
                    why = Unknown(v.missing, v.bodies, v.reasons | {
                        f"whether {prov.cite} keeps the text before the amendment of "
                        f"{t.date.isoformat()} for this student"})
                    pending.append((t, prov, why))
        return (self.as_of, tuple(spared), tuple(pending))

    # ---- called by compiled expressions
    def fact(self, name: str):
        frame = self.frame
        if frame is not None:
            frame.facts.append(name)
        v = self.facts.get(name, _MISSING)
        if v is _MISSING or v is None:
            return self.engine.unknown_fact[name]
        return v

    def value(self, name: str):
        c = self.memo.get(name)
        if c is None:
            c = self.compute(name)
        if self.frame is not None:
            self.frame.deps.append(name)
        return c.value

    def any_of(self, items):
        return self._items(items, True, self)

    def all_of(self, items):
        return self._items(items, False, self)

    def _items(self, items, any_: bool, scope):
        decisive = True if any_ else False
        unknown = None
        seen = []
        frame = self.frame
        for prov, fn in items:
            v = self.item(prov, fn, scope)
            seen.append((prov, v))
            if v is decisive:
                if frame is not None:
                    frame.items.append((prov, v))
                return decisive
            if type(v) is Unknown:
                unknown = v if unknown is None else unknown.merge(v)
        if unknown is not None:
            if frame is not None:
                frame.items.extend((p, v) for p, v in seen if type(v) is Unknown)
            return unknown
        if frame is not None:
            frame.items.extend(seen)
        return not decisive

    def item(self, prov: Provision, fn, scope=None):
        memo = self.item_memo.get(id(prov))
        if memo is not None:
            return memo[0]
        outer = self.frame
        frame = Frame("", prov) if self.trace else None
        self.frame = frame
        try:
            v = fn(scope if scope is not None else self)
        finally:
            self.frame = outer
        self.item_memo[id(prov)] = (v, frame)
        return v

    # ---- definitions
    def compute(self, name: str) -> Computed:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise EvaluationError(f"evaluation of `{name}` nests deeper than {MAX_DEPTH} definitions",
                                  code="E802")
        if not self.trace and name in self.engine.own:
            return self._compute_fast(name)
        outer = self.frame
        frame = Frame(name) if self.trace else None
        self.frame = frame
        try:
            adopted = None if name in self.engine.own else self.book.adopted.get(name)
            if adopted is None:
                roots = self.forests.get(name)
                if roots is None:
                    roots = self.engine.forest(name, self.key)
                scope = self
            else:
                adoption = adopted[1]
                roots = self.engine.forest(name, self.key, adoption)
                scope = View(self, adoption)
            if len(roots) == 1 and not roots[0].children:  # the common case: one plain rule
                result = self._rule(roots[0].rule, frame, scope)
                if result[0] == APPLIES:
                    if frame is not None:
                        frame.winners = result[2]
                    value, conflict = result[1], None
                else:
                    value, conflict = self._decide(name, roots, [result], frame)
            else:
                value, conflict = self._decide(
                    name, roots, [self._node(r, name, frame, scope) for r in roots], frame)
        finally:
            self.frame = outer
            self.depth -= 1
        c = Computed(value, frame, conflict)
        self.memo[name] = c
        return c

    def _compute_fast(self, name: str) -> Computed:
        """`compute` with nothing recorded, for this book's own rules (an error ends the
        whole evaluation, so there is no frame or depth to restore on the way out)."""
        roots = self.forests.get(name)
        if roots is None:
            roots = self.engine.forest(name, self.key)
        if len(roots) == 1 and not roots[0].children and roots[0].rule.compiled is not None \
                and roots[0].rule.as_of is None:
            # One plain rule: _apply and _choose, inlined (this is most of every evaluation).
            rule = roots[0].rule
            cond_fn, value_fn = rule.compiled
            cond = cond_fn(self) if cond_fn is not None else True
            if cond is False:
                value = False if name in self.engine.booleans else self.engine.no_provision(name)
            else:
                v = value_fn(self)
                if rule.kind == "if" and v is False:
                    value = False
                elif cond is True:
                    value = v
                else:
                    value = _merge([cond, v])
            c = Computed(value, None)
        elif len(roots) == 1 and not roots[0].children:
            result = self._apply(roots[0].rule, self)
            if result[0] == APPLIES:
                c = Computed(result[1], None)
            else:
                c = Computed(self._choose(name, roots, [result])[0], None)
        else:
            value, _, conflict = self._choose(name, roots, [self._node(r, name, None, self) for r in roots])
            c = Computed(value, None, conflict)
        self.depth -= 1
        self.memo[name] = c
        return c

    def _decide(self, name: str, roots: list[_Node], results: list, frame: Frame | None):
        """The value of a name from the results of its root rules (and who decided it)."""
        value, winners, conflict = self._choose(name, roots, results)
        if frame is not None:
            frame.winners = winners
        return value, conflict

    def _choose(self, name: str, roots: list[_Node], results: list):
        if len(results) == 1:  # one root rule, which did not simply apply
            state, value = results[0][0], results[0][1]
            if state == UNKNOWN:
                return value, [], None
            if state == NOT and name in self.engine.booleans:
                return False, [roots[0].rule], None
        applied = [r for r in results if r[0] == APPLIES]
        unknowns = [r for r in results if r[0] == UNKNOWN]
        conflicts = [r for r in results if r[0] == CONFLICT]
        if conflicts:
            return _conflict_unknown(conflicts[0][2]), [], conflicts[0][2]
        if name in self.engine.booleans:
            trues = [r for r in applied if r[1] is True]
            if trues:
                return True, [w for r in trues for w in r[2]], None
            if unknowns:
                return _merge(u[1] for u in unknowns), [], None
            falses = [r for r in applied if r[1] is False]
            return False, [w for r in falses for w in r[2]] or [n.rule for n in roots], None
        if unknowns:
            if applied and all(u[3] is not None and u[3] == applied[0][1] for u in unknowns) and \
                    all(a[1] == applied[0][1] for a in applied):
                return applied[0][1], [w for r in applied for w in r[2]], None
            return _merge(u[1] for u in unknowns), [], None
        if applied:
            first = applied[0][1]
            winners = [w for r in applied for w in r[2]]
            if all(a[1] == first for a in applied):
                return first, winners, None
            return _conflict_unknown(winners), [], winners
        return self.engine.no_provision(name), [], None

    def _node(self, root: _Node, name: str, frame: Frame | None, scope):
        """(state, value, winners, guess) of a rule and the exceptions beneath it.

        Exceptions may be exceptions to exceptions thousands deep (each paragraph overriding
        the one before): the tree is walked with a work stack, children first and left to
        right, each child once for each parent it has, as a recursive walk would."""
        work: list[tuple[_Node, list]] = [(root, [])]
        while True:
            node, sub = work[-1]
            if len(sub) < len(node.children):
                work.append((node.children[len(sub)], []))
                continue
            work.pop()
            result = self._above(node, name, sub, frame, scope) if node.children else \
                self._rule(node.rule, frame, scope)
            if not work:
                return result
            work[-1][1].append(result)

    def _above(self, node: _Node, name: str, sub: list, frame: Frame | None, scope):
        """The result of a rule given the results `sub` of its exceptions."""
        conflicts = [s for s in sub if s[0] == CONFLICT]
        if conflicts:
            return conflicts[0]
        applied = [s for s in sub if s[0] == APPLIES]
        unknown_sub = [s for s in sub if s[0] == UNKNOWN]
        if applied:
            first = applied[0][1]
            winners = [w for s in applied for w in s[2]]
            if any(s[1] != first for s in applied):
                return CONFLICT, None, winners, None
            # A sibling exception that may also apply decides nothing only if it would agree.
            if all(s[3] is not None and s[3] == first for s in unknown_sub):
                return APPLIES, first, winners, None
            return UNKNOWN, _merge(s[1] for s in unknown_sub), [], None
        own = self._rule(node.rule, frame, scope)
        if unknown_sub:
            if own[0] == APPLIES and all(s[3] is not None and s[3] == own[1] for s in unknown_sub):
                return own
            if own[0] == NOT and name in self.engine.booleans and \
                    all(s[3] is False for s in unknown_sub):
                return own  # a boolean that does not apply is false: an exception to false agrees
            parts = [s[1] for s in unknown_sub] + ([own[1]] if own[0] == UNKNOWN else [])
            return UNKNOWN, _merge(parts), [], None
        return own

    def _rule(self, rule, frame: Frame | None, scope):
        result = self._apply(rule, scope)
        if frame is not None:
            frame.considered.append((rule, result[0]))
        return result

    def _apply(self, rule, scope):
        """(state, value, winners, guess) of one rule on its own."""
        compiled = rule.compiled
        if compiled is None:  # a stand-in for an unencoded version, or a delegated matter
            return UNKNOWN, rule.unknown if rule.kind == "pseudo" else _delegation(rule), [], None
        cond_fn, value_fn = compiled
        stated = rule.as_of
        if stated is not None and self.as_of < stated:
            return UNKNOWN, Unknown(reasons=frozenset({
                f"{rule.provision.cite} states this as of {stated.isoformat()}; it is not known "
                f"for {self.as_of.isoformat()}"})), [], None
        c = cond_fn(scope) if cond_fn is not None else True
        if c is False:
            return _NOT
        v = value_fn(scope)
        if rule.kind == "if":
            if v is False:
                return _NOT
            if c is True and v is True:
                return APPLIES, True, [rule], None
            return UNKNOWN, _merge([c, v]), [], True
        if c is True:
            if type(v) is Unknown:
                return UNKNOWN, v, [], None
            return APPLIES, v, [rule], None
        guess = None if type(v) is Unknown else v
        return UNKNOWN, _merge([c, v]), [], guess


_NOT = (NOT, None, [], None)


def _delegation(rule) -> Unknown:
    return Unknown(reasons=frozenset({f"delegated to separate regulations ({rule.provision.cite})"}))


def _conflict_unknown(winners) -> Unknown:
    cites = sorted({w.provision.cite for w in winners})
    return Unknown(reasons=frozenset({"E801: conflicting rules apply: " + "; ".join(cites)}))
