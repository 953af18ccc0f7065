"""Default logic: which rule decides a name, given the rules in force and their exceptions.

A rule's result is (state, value, winners, guess): `state` is APPLIES (its
condition holds and it gives `value`), NOT (its condition does not hold),
UNKNOWN (it is not known whether it holds; `guess` is the value it would give,
so that an exception that would not change the answer does not make it
unknown) or CONFLICT.  `decide_node` resolves a rule and the exceptions
beneath it; `choose` resolves the roots of a name's forest.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from .. import ir
from ..core.values import Unknown, merge_all

APPLIES, NOT, UNKNOWN, CONFLICT = range(4)
Result = tuple[int, Any, Any, Any]  # (state, value, winners (a sequence of rules), guess)
_NOT: Result = (NOT, None, (), None)


class Pseudo:
    """A stand-in rule for an article whose governing version is not encoded."""

    __slots__ = ("provision", "unknown", "extra")
    kind = "pseudo"
    overrides: frozenset[int] = frozenset()
    as_of = None
    source = ""
    name = ""
    rid = -1

    def __init__(self, provision: ir.Prov, unknown: Unknown, extra: tuple[ir.Prov, ...] = ()):
        self.provision = provision
        self.unknown = unknown
        self.extra = extra


class Node:
    """A rule in force and the exceptions (nodes) that override it.

    `apply(state)` gives the rule's own result (set when a plan is built);
    `seen[state]` is the (rule, state) pair recorded in `considered`."""

    __slots__ = ("rule", "children", "apply", "seen")

    def __init__(self, rule: Any):
        self.rule = rule
        self.children: list[Node] = []
        self.apply: Callable[[Any], Result] = lambda st: (UNKNOWN, Unknown(), [], None)
        self.seen = tuple((rule, s) for s in range(4))


def unencoded(article: ir.Prov, day: dt.date) -> Unknown:
    """Why a name is unknown when the version of `article` in force on `day` is not in the book."""
    starts = sorted(s for s, _ in article.versions if s)
    since = f" (the encoded text is in force from {starts[0].isoformat()})" if starts else ""
    return Unknown(reasons=frozenset({
        f"{article.cite} as in force on {day.isoformat()} is not encoded in this book{since}"}))


def delegation(rule: Any) -> Unknown:
    """The answer of a matter left to separate regulations."""
    return Unknown(reasons=frozenset({f"delegated to separate regulations ({rule.provision.cite})"}))


def unstated(node: Node) -> Unknown:
    """The answer when none of the exceptions to a delegated matter applies."""
    cites = sorted({c.rule.provision.cite for c in node.children})
    verb = "does" if len(cites) == 1 else "do"
    return Unknown(reasons=frozenset({
        f"not stated in the regulation: {' and '.join(cites)} {verb} not apply; "
        f"delegated to separate regulations ({node.rule.provision.cite})"}))


def conflict_unknown(winners: list) -> Unknown:
    """The answer when rules that both apply give different values (E801)."""
    cites = sorted({w.provision.cite for w in winners})
    return Unknown(reasons=frozenset({"E801: conflicting rules apply: " + "; ".join(cites)}))


def apply_rule(rule: Any, st: Any, fns: Callable[[Any], tuple[Any, Any]]) -> Result:
    """(state, value, winners, guess) of one rule on its own."""
    if rule.kind == "pseudo":
        return UNKNOWN, rule.unknown, [], None
    if rule.kind == "delegated":
        return UNKNOWN, delegation(rule), [], None
    cond_fn, value_fn = fns(rule)
    stated = rule.as_of
    if stated is not None and st.as_of < stated:
        return UNKNOWN, Unknown(reasons=frozenset({
            f"{rule.provision.cite} states this as of {stated.isoformat()}; it is not known "
            f"for {st.as_of.isoformat()}"})), [], None
    c = cond_fn(st) if cond_fn is not None else True
    if c is False:
        return _NOT
    v = value_fn(st)
    if rule.kind == "if":
        if v is False:
            return _NOT
        if c is True and v is True:
            return APPLIES, True, [rule], None
        return UNKNOWN, merge_all([c, v]), [], True
    if c is True:
        if type(v) is Unknown:
            return UNKNOWN, v, [], None
        return APPLIES, v, [rule], None
    guess = None if type(v) is Unknown else v
    return UNKNOWN, merge_all([c, v]), [], guess


def applier(rule: Any, fns: tuple[Any, Any] | None) -> Callable[[Any], Result]:
    """`apply_rule` for one rule, with its closures bound (the common cases specialised)."""
    if fns is None or rule.as_of is not None or rule.kind not in ("=", "if"):
        if rule.kind in ("pseudo", "delegated"):
            result = apply_rule(rule, None, lambda _: (None, None))
            return lambda st: result
        bound = fns or (None, None)
        return lambda st: apply_rule(rule, st, lambda _: bound)
    cond_fn, value_fn = fns
    win = (rule,)
    if rule.kind == "if":
        yes = (APPLIES, True, win, None)

        def apply_if(st: Any) -> Result:
            c = cond_fn(st) if cond_fn is not None else True
            if c is False:
                return _NOT
            v = value_fn(st)
            if v is False:
                return _NOT
            if c is True and v is True:
                return yes
            return UNKNOWN, _merge(c, v), (), True

        return apply_if

    def apply_eq(st: Any) -> Result:
        c = cond_fn(st) if cond_fn is not None else True
        if c is False:
            return _NOT
        v = value_fn(st)
        if c is True:
            if type(v) is Unknown:
                return UNKNOWN, v, (), None
            return APPLIES, v, win, None
        return UNKNOWN, _merge(c, v), (), (None if type(v) is Unknown else v)

    return apply_eq


def _merge(c: Any, v: Any) -> Unknown:
    if type(c) is Unknown:
        return c.merge(v) if type(v) is Unknown else c
    return v


def decide_node(root: Node, boolean: bool, st: Any, considered: list) -> Result:
    """The result of a rule and the exceptions beneath it (the exceptions first).

    Exceptions may be exceptions to exceptions thousands deep (each paragraph overriding the
    one before): the tree is walked with a work stack, children first and left to right, each
    child once for each parent it has, as a recursive walk would."""
    work: list[tuple[Node, list]] = [(root, [])]
    while True:
        node, sub = work[-1]
        if len(sub) < len(node.children):
            work.append((node.children[len(sub)], []))
            continue
        work.pop()
        if node.children:
            result = _above(node, boolean, sub, st, considered)
        else:
            result = node.apply(st)
            considered.append(node.seen[result[0]])
        if not work:
            return result
        work[-1][1].append(result)


def _above(node: Node, boolean: bool, sub: list, st: Any, considered: list) -> Result:
    """The result of a rule given the results `sub` of its exceptions."""
    for s in sub:
        if s[0] == CONFLICT:
            return s
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
        return UNKNOWN, merge_all(s[1] for s in unknown_sub), [], None
    own = node.apply(st)
    considered.append(node.seen[own[0]])
    if node.rule.kind == "delegated":
        # A matter left to separate regulations, with the book's own provisions as its
        # exceptions: until one is known not to apply it may still decide; when none
        # applies, the regulation states nothing for this student.
        if unknown_sub:
            return UNKNOWN, merge_all(s[1] for s in unknown_sub), [], None
        return UNKNOWN, unstated(node), [], None
    if unknown_sub:
        if own[0] == APPLIES and all(s[3] is not None and s[3] == own[1] for s in unknown_sub):
            return own
        if own[0] == NOT and boolean and all(s[3] is False for s in unknown_sub):
            return own  # a boolean that does not apply is false: an exception to false agrees
        parts = [s[1] for s in unknown_sub] + ([own[1]] if own[0] == UNKNOWN else [])
        return UNKNOWN, merge_all(parts), [], None
    return own


def choose(boolean: bool, roots: list[Node], results: list[Result],
           no_provision: Unknown) -> tuple[Any, list, Any]:
    """(value, winners, conflict) of a name from the results of its root rules."""
    if len(results) == 1:  # one root rule, which did not simply apply
        state, value = results[0][0], results[0][1]
        if state == APPLIES:
            return value, results[0][2], None
        if state == UNKNOWN:
            return value, [], None
        if state == NOT and boolean:
            return False, [roots[0].rule], None
    applied = [r for r in results if r[0] == APPLIES]
    unknowns = [r for r in results if r[0] == UNKNOWN]
    conflicts = [r for r in results if r[0] == CONFLICT]
    if conflicts:
        return conflict_unknown(conflicts[0][2]), [], conflicts[0][2]
    if boolean:
        trues = [r for r in applied if r[1] is True]
        if trues:
            return True, [w for r in trues for w in r[2]], None
        if unknowns:
            return merge_all(u[1] for u in unknowns), [], None
        falses = [r for r in applied if r[1] is False]
        return False, [w for r in falses for w in r[2]] or [n.rule for n in roots], None
    if unknowns:
        if applied and all(u[3] is not None and u[3] == applied[0][1] for u in unknowns) and \
                all(a[1] == applied[0][1] for a in applied):
            return applied[0][1], [w for r in applied for w in r[2]], None
        return merge_all(u[1] for u in unknowns), [], None
    if applied:
        first = applied[0][1]
        winners = [w for r in applied for w in r[2]]
        if all(a[1] == first for a in applied):
            return first, winners, None
        return conflict_unknown(winners), [], winners
    return no_provision, [], None
