"""Checking rules, item conditions, exceptions, cycles and amendments."""

from __future__ import annotations

from typing import Any

from .. import ir
from ..syntax import nodes as n
from ..model.provisions import Provision, RuleInfo, overlap
from ..syntax.printer import describe_ref
from ..core.types import BOOLEAN
from ..core.limits import MAX_CHAIN
from .cycles import find_cycles
from .tables import Tables



SHOWN = 12  # names of a cycle or chain shown in full in a message


def abridged(names: list[str]) -> list[str]:
    """A long cycle or chain as its first and last few names."""
    if len(names) <= SHOWN:
        return names
    return names[:5] + ["..."] + names[-5:]


def _rules_under(rules: list[RuleInfo]) -> dict[int, list[RuleInfo]]:
    """id(provision) -> the rules (of one name) in it or in its items, in their order."""
    under: dict[int, list[RuleInfo]] = {}
    for r in rules:
        p: Provision | None = r.provision
        while p is not None:
            under.setdefault(id(p), []).append(r)
            p = p.parent
    return under


class TransitionInfo:
    """An amendment being checked: its date, what it affects, whom it spares."""

    def __init__(self, title: str, span: Any):
        self.title = title
        self.span = span
        self.date: Any = None
        self.provision: Provision | None = None
        self.affected: set[str] | None = None
        self.sparing: list[tuple[ir.Expr, Provision]] = []


class Rules(Tables):
    """Checking rules, exceptions, cycles, chains and amendments."""

    def check_rule(self, r: RuleInfo) -> None:
        b = self.book
        sym = b.symbols.get(r.name)
        span = r.node.span if r.node is not None else (r.provision.delegated.span
                                                       if r.provision.delegated else None)
        if sym is None:
            self.error(f"unknown name `{r.name}`", span, "E301",
                       _near(r.name, b.symbols) or f"declare it: outcome {r.name} : TYPE")
            return
        if not sym.computed:
            self.error(f"`{r.name}` is a {sym.kind}; only outcomes and definitions have rules",
                       span, "E308", f"declare it with `outcome` or `define` instead of `{sym.kind}`")
            return
        if r.kind == "delegated":
            return
        node = r.node
        assert node is not None
        self.deps = set()
        parts: list[ir.Expr] = [self.boolean(w, r.provision, "a `when` clause") for w in node.when]
        for u in node.unless:
            parts.append(ir.Not(BOOLEAN, span=u.span, arg=self.boolean(u, r.provision, "an `unless` clause")))
        cond: ir.Expr | None = None
        if len(parts) == 1:
            cond = parts[0]
        elif parts:
            cond = ir.And(BOOLEAN, args=tuple(parts))
        t = self.types[r.name]
        if node.kind == "if":
            if t.kind not in ("boolean", "any"):
                self.error(f"`{r.name} if ...` needs a boolean, but `{r.name}` is {t.describe()}",
                           node.span, "E401", f"write `{r.name} = value when condition`")
            value = self.boolean(node.expr, r.provision, "the condition of an `if` rule")
        else:
            vt, value = self.expr(node.expr, r.provision, t)
            self.expect(vt, t, node.expr, f"the value of `{r.name}`")
            if t.kind == "quantity" and t.unit:
                value = ir.Shown(t, span=value.span, arg=value, unit=t.unit, factor=self.unit_factor(t.unit))
        self.rule_ir[id(r)] = (cond, value)
        self.name_deps.setdefault(r.name, set()).update(self.deps)
        self.deps = None

    def check_exceptions(self) -> None:
        b = self.book
        for name, rules in b.rules.items():
            under = _rules_under(rules)
            order = {id(o): i for i, o in enumerate(rules)}
            for r in rules:
                node = r.node
                targets: list[RuleInfo]
                overrides = self.overrides.setdefault(id(r), [])
                if node is None:
                    continue
                if node.however:
                    para = r.provision
                    while para.kind not in ("paragraph", "duties"):
                        para = para.parent  # type: ignore[assignment]
                    targets = [o for o in under.get(id(para), ()) if o is not r and o.node is not None
                               and not o.node.however]
                    if not targets:
                        self.error(f"`however` qualifies no rule: {para.cite} has no other rule for `{name}`",
                                   node.span, "E504", "write the main rule of the paragraph first")
                    overrides.extend(targets)
                for clause in node.exceptions:
                    provs = self.resolve(clause.ref, r.provision)
                    if not provs:
                        continue
                    found = {id(o): o for p in provs for o in under.get(id(p), ()) if o is not r}
                    targets = sorted(found.values(), key=lambda o: order[id(o)])
                    if not targets:
                        cites = ", ".join(p.cite for p in provs)
                        self.error(f"`{clause.kind} {describe_ref(clause.ref)}` names {cites}, "
                                   f"which has no rule for `{name}`", clause.span, "E501")
                    have = {id(o) for o in overrides}
                    overrides.extend(t for t in targets if id(t) not in have)
            self.check_always(name, rules)
            self._exception_cycles(rules)

    def _exception_cycles(self, rules: list[RuleInfo]) -> None:
        """Exceptions of one name that override each other in a circle (E502), without recursion.

        A rule whose exception closes a circle loses that exception and is left as it was
        when the circle was found (as a depth-first visit that returns there)."""

        def on_cycle(path: list[RuleInfo], at: int | None, t: RuleInfo) -> bool:
            rule = path[-1]
            chain = " -> ".join(abridged([x.provision.cite for x in path + [t]]))
            self.error(f"exceptions for `{rule.name}` form a cycle: {chain}",
                       rule.node.span if rule.node else None, "E502")
            self.overrides[id(rule)] = [x for x in self.overrides.get(id(rule), []) if x is not t]
            return True

        find_cycles(rules, lambda rule: list(self.overrides.get(id(rule), [])), on_cycle)

    def check_always(self, name: str, rules: list[RuleInfo]) -> None:
        """Two value rules with no condition, neither an exception to the other, in force on
        the same day: every evaluation would find them in conflict (E801), so say so now."""
        plain = [r for r in rules if r.node is not None and r.node.kind == "=" and not r.node.when
                 and not r.node.unless and not r.node.however and not r.node.exceptions]
        for j, b in enumerate(plain):
            for a in plain[:j]:
                if a in self.overrides.get(id(b), ()) or b in self.overrides.get(id(a), ()) \
                        or not overlap(a.provision, b.provision):
                    continue
                self.error(f"`{name}` has two rules that always apply: {a.provision.cite} and "
                           f"{b.provision.cite}", b.node.span, "E505",  # type: ignore[union-attr]
                           f"add a condition (`when ...`), or say which one overrides the other "
                           f"(`overrides {_short(a.provision, b.provision)}`)")
                break

    def check_cycles(self) -> None:
        """Definitions that depend on themselves (E503), and chains too long to evaluate (E108)."""
        deps = self.name_deps
        reported: set[frozenset] = set()

        def edges(name: str) -> list[str]:
            return sorted(d for d in deps.get(name, ()) if d in deps or self._computed(d))

        def on_cycle(path: list[str], at: int | None, d: str) -> bool:
            name = path[-1]
            cycle = path[at:] + [d] if at is not None else [name, d]
            key = frozenset(cycle) if len(cycle) <= SHOWN else frozenset((name, d))
            if key not in reported:
                reported.add(key)
                rules = self.book.rules.get(name) or []
                span = rules[0].node.span if rules and rules[0].node else None
                self.error(f"`{d}` depends on itself: " + " -> ".join(abridged(cycle)), span, "E503")
            return False

        depth = find_cycles(sorted(deps), edges, on_cycle)
        if not reported:  # the depth of a chain through a cycle means nothing; the cycle comes first
            self.check_chains(depth, edges)

    def _computed(self, name: str) -> bool:
        sym = self.book.symbols.get(name)
        if sym is None:
            adopted = self.adopted.get(name)
            sym = adopted[0] if adopted else None
        return sym is not None and sym.computed

    def check_chains(self, depth: dict[str, int], edges: Any) -> None:
        """E108 at the top of each chain of definitions deeper than MAX_CHAIN.

        Evaluation does not recurse along a chain, but an explanation is a tree as deep as
        the chain; real regulations need a handful of steps."""
        deep = {name for name, d in depth.items() if d > MAX_CHAIN}
        read = {d for name in deep for d in edges(name)}
        for top in sorted(deep - read):
            chain = [top]
            while True:
                below = [d for d in edges(chain[-1]) if depth.get(d, 0) == depth[chain[-1]] - 1]
                if not below:
                    break
                chain.append(below[0])
            rules = self.book.rules.get(top) or []
            span = rules[0].node.span if rules and rules[0].node else None
            shown = " -> ".join(abridged(chain))
            self.error(f"`{top}` is computed through a chain of {depth[top]} definitions, each read by "
                       f"the one before ({shown}); at most {MAX_CHAIN} may nest", span, "E108",
                       "compute some of them directly from facts, or join steps of the chain")

    def check_amendment(self, a: n.Amendment, at: Provision) -> None:
        t = self.transitions.get(a.title)
        if t is None:
            t = self.transitions[a.title] = TransitionInfo(a.title, a.span)
        if a.date is not None:
            if t.date is not None:
                self.error(f"the amendment \"{a.title}\" already takes effect on {t.date.isoformat()}",
                           a.span, "E207")
            t.date, t.provision = a.date, at
        for c in a.clauses:
            if isinstance(c, n.NotApplying):
                self.deps = set()
                ty, x = self.expr(c.expr, at, BOOLEAN)
                self.expect(ty, BOOLEAN, c.expr, "the condition of `not applying when`")
                computed = sorted(d for d in self.deps if d in self.book.symbols and self.book.symbols[d].computed)
                if computed:
                    self.error(f"the condition of `not applying when` reads `{computed[0]}`, which the book "
                               "computes; whom an amendment spares is said with facts", c.span, "E206",
                               "write the condition over the facts it is computed from")
                t.sparing.append((x, at))
                self.deps = None
            else:
                for ref in c.refs:
                    for p in self.resolve(ref, at):
                        if t.affected is None:
                            t.affected = set()
                        t.affected.add(p.article.number)

def _near(name: str, candidates: Any) -> str | None:
    from ..errors import did_you_mean

    return did_you_mean(name, candidates)


def _short(target: Provision, at: Provision) -> str:
    """How a rule at `at` names `target` in an `overrides` clause."""
    if target.article is at.article and target.kind == "paragraph":
        return f"paragraph {target.number}"
    if target.kind == "paragraph" and not target.transparent:
        return f"article {target.article.number} paragraph {target.number}"
    return f"article {target.article.number}"
