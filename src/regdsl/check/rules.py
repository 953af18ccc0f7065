"""Checking rules, item conditions, exceptions, cycles and amendments."""

from __future__ import annotations

from typing import Any

from .. import ir
from ..syntax import nodes as n
from ..model.resolve import Provision, RuleInfo, describe_ref, overlap
from ..core.types import BOOLEAN
from .tables import Tables



MAX_CHAIN = 200  # definitions computed one from the next (docs/language.md, Limits)


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
                    targets = [o for o in rules if o is not r and o.node is not None and not o.node.however
                               and para.contains(o.provision)]
                    if not targets:
                        self.error(f"`however` qualifies no rule: {para.cite} has no other rule for `{name}`",
                                   node.span, "E504", "write the main rule of the paragraph first")
                    overrides.extend(targets)
                for clause in node.exceptions:
                    provs = self.resolve(clause.ref, r.provision)
                    if not provs:
                        continue
                    targets = [o for o in rules if o is not r
                               and any(p.contains(o.provision) for p in provs)]
                    if not targets:
                        cites = ", ".join(p.cite for p in provs)
                        self.error(f"`{clause.kind} {describe_ref(clause.ref)}` names {cites}, "
                                   f"which has no rule for `{name}`", clause.span, "E501")
                    overrides.extend(t for t in targets if t not in overrides)
            self.check_always(name, rules)
            self._exception_cycles(rules)

    def _exception_cycles(self, rules: list[RuleInfo]) -> None:
        """Exceptions of one name that override each other in a circle (E502), without recursion.

        A rule whose exception closes a circle loses that exception and is left as it
        was when the circle was found (as a depth-first visit that returns there)."""
        state: dict[int, int] = {}
        for start in rules:
            if state.get(id(start)):
                continue
            state[id(start)] = 1
            stack: list[tuple[RuleInfo, list[RuleInfo], int]] = [(start, [], 0)]
            while stack:
                rule, path, i = stack[-1]
                overrides = self.overrides.get(id(rule), [])
                if i >= len(overrides):
                    state[id(rule)] = 2
                    stack.pop()
                    continue
                stack[-1] = (rule, path, i + 1)
                t = overrides[i]
                if state.get(id(t)) == 1:
                    chain = " -> ".join(x.provision.cite for x in path + [rule, t])
                    self.error(f"exceptions for `{rule.name}` form a cycle: {chain}",
                               rule.node.span if rule.node else None, "E502")
                    self.overrides[id(rule)] = [x for x in overrides if x is not t]
                    stack.pop()
                elif not state.get(id(t)):
                    state[id(t)] = 1
                    stack.append((t, path + [rule], 0))

    def check_always(self, name: str, rules: list[RuleInfo]) -> None:
        """Two value rules with no condition, neither an exception to the other, in force on
        the same day: every evaluation would find them in conflict (E801), so say so now."""
        plain = [r for r in rules if r.node is not None and r.node.kind == "=" and not r.node.when
                 and not r.node.unless and not r.node.however and not r.node.exceptions]
        for i, a in enumerate(plain):
            for b in plain[i + 1:]:
                if a in self.overrides.get(id(b), ()) or b in self.overrides.get(id(a), ()) \
                        or not overlap(a.provision, b.provision):
                    continue
                self.error(f"`{name}` has two rules that always apply: {a.provision.cite} and "
                           f"{b.provision.cite}", b.node.span, "E505",  # type: ignore[union-attr]
                           f"add a condition (`when ...`), or say which one overrides the other "
                           f"(`overrides {_short(a.provision, b.provision)}`)")

    def check_cycles(self) -> None:
        """Definitions that depend on themselves (E503), found without recursion."""
        state: dict[str, int] = {}
        reported: set[frozenset] = set()
        for root in sorted(self.name_deps):
            if state.get(root):
                continue
            state[root] = 1
            stack: list[tuple[str, list[str], list[str], int]] = [
                (root, [], sorted(self.name_deps.get(root, ())), 0)]
            while stack:
                name, path, deps, i = stack.pop()
                if i == len(deps):
                    state[name] = 2
                    continue
                stack.append((name, path, deps, i + 1))
                d = deps[i]
                if state.get(d) == 1:
                    cycle = path[path.index(d):] + [name, d] if d in path else [name, d]
                    key = frozenset(cycle)
                    if key not in reported:
                        reported.add(key)
                        rules = self.book.rules.get(name) or []
                        span = rules[0].node.span if rules and rules[0].node else None
                        self.error(f"`{d}` depends on itself: " + " -> ".join(cycle), span, "E503")
                elif not state.get(d):
                    state[d] = 1
                    stack.append((d, path + [name], sorted(self.name_deps.get(d, ())), 0))

    def check_chains(self) -> None:
        """A definition computed through a chain of more than MAX_CHAIN definitions (E802).

        Evaluation does not recurse along a chain, but an explanation is a tree as deep as
        the chain; real regulations need a handful of steps."""
        computed = {k for k, s in self.book.symbols.items() if s.computed}
        depth: dict[str, int] = {}
        for root in sorted(computed):
            if root in depth:
                continue
            stack = [(root, 0)]
            on_path = {root}
            while stack:
                name, i = stack[-1]
                deps = sorted(d for d in self.name_deps.get(name, ()) if d in computed)
                if i < len(deps):
                    stack[-1] = (name, i + 1)
                    d = deps[i]
                    if d not in depth and d not in on_path:  # a cycle is E503's
                        on_path.add(d)
                        stack.append((d, 0))
                    continue
                stack.pop()
                on_path.discard(name)
                depth[name] = 1 + max((depth.get(d, 0) for d in deps), default=0)
        read_by: dict[str, list[str]] = {}
        for reader in computed:
            for d in self.name_deps.get(reader, ()):
                read_by.setdefault(d, []).append(reader)
        for name in sorted(computed, key=lambda k: -depth.get(k, 0)):
            if depth.get(name, 0) <= MAX_CHAIN:
                break
            if any(depth.get(reader, 0) > depth[name] for reader in read_by.get(name, ())):
                continue  # reported where the chain starts
            rules = self.book.rules.get(name) or []
            span = rules[0].node.span if rules and rules[0].node else None
            self.error(f"`{name}` is computed through a chain of {depth[name]} definitions, each computed "
                       f"from the next; at most {MAX_CHAIN} are allowed", span, "E802",
                       "compute long chains in fewer steps, for example directly from facts")

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
