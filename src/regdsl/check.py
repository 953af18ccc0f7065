"""Type and unit checking, compiling each expression to a closure as it goes.

The second half of checking.  Every expression is checked once and turned
into a Python closure `f(ctx) -> value`; no source text is ever evaluated
with eval/exec.  Names, units, enumerations, table lookups, exceptions and
dependency cycles are all checked here, and every finding is collected (not
raised) so that `regdsl check` can report them all at once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from fractions import Fraction
from typing import Callable

from . import nodes as n
from .adopt import adopted_symbols, build_adoption
from .builtins import BUILTINS, DAYS, MONTHS, outside_calendar
from .cycles import find_cycles
from .errors import CheckError, Span, did_you_mean
from .limits import MAX_CHAIN, MAX_COMPUTED_BITS, chain_group
from .resolve import TOPS, BookModel, Provision, RuleInfo, overlap, describe_ref, resolve_ref
from .types import ANY, BOOLEAN, DATE, NUMBER, SIMPLE_TYPES, TEXT, TIME, Type, quantity
from .units import Q, dim_mul, divide, exact, format_number, make
from .values import Unknown

Fn = Callable[[object], object]

BUILTIN_NAMES = {"as_of": DATE}


def _const(v) -> Fn:
    return lambda ctx: v


def _unknown2(x, y):
    if type(x) is Unknown:
        return x.merge(y) if type(y) is Unknown else x
    return y


class Checker:
    """Checks a BookModel in place and compiles its rules and item conditions."""

    def __init__(self, book: BookModel):
        self.book = book
        self.deps: set[str] | None = None
        self.item_fns: dict[int, tuple[Fn, set[str]]] = {}
        self.enum_members: dict[str, list[str]] = {}
        self.name_deps: dict[str, set[str]] = {}
        self._tables: dict[str, _TableData] = {}
        self.transitions: dict[str, object] = {}

    def error(self, message, span, code, hint=None) -> None:
        self.book.error(message, span, code, hint)

    # ------------------------------------------------------------ driver

    def run(self) -> BookModel:
        b = self.book
        for sym in b.symbols.values():
            decl = sym.decl
            if isinstance(decl, n.Decision):
                sym.type = self.type_of(decl.type) if decl.type is not None else BOOLEAN
                for body in decl.bodies:
                    if body not in b.bodies:
                        self.error(f"unknown body `{body}`", self.word_span(decl.span, body), "E310",
                                   did_you_mean(body, b.bodies) or "declare it: body NAME \"the title\"")
            else:
                sym.type = self.type_of(decl.type)
            if sym.type.kind == "enum":
                for m in sym.type.members:
                    self.enum_members.setdefault(m, []).append(sym.name)
        for p in b.provisions():
            for s in p.statements:
                if isinstance(s, n.Applies):
                    adoption = build_adoption(self, s, p)
                    if adoption is not None:
                        b.adoptions.append(adoption)
        b.adopted = adopted_symbols(b)
        self.check_tables()
        for name, rules in b.rules.items():
            for r in rules:
                self.check_rule(r)
        self.check_exceptions()
        self.check_cycles()
        b.name_deps = self.name_deps
        for sym in b.symbols.values():
            if sym.computed and sym.name not in b.rules:
                self.error(f"no rule gives a value to the {sym.kind} `{sym.name}`", sym.decl.span, "E307",
                           "add a rule `name = ...` (or `name if ...`) in the provision that says it")
        for p in b.provisions():
            for s in p.statements:
                if isinstance(s, n.Refers):
                    for ref in s.refs:
                        self.resolve(ref, p)
                elif isinstance(s, n.Amendment):
                    self.check_amendment(s, p)
            if p.condition is not None and p.kind in ("item", "subitem"):
                self.item_condition(p)
        for t in b.transitions:
            if t.date is None:
                self.error(f"the amendment \"{t.title}\" never takes effect; "
                           "add `takes effect DATE` where the text says when", t.span, "E207")
        return b

    def word_span(self, span: Span | None, word: str) -> Span | None:
        """The place of `word` on the first line of `span` (the span itself if it is not there)."""
        if span is None or span.file not in self.book.sources:
            return span
        lines = self.book.lines(span.file)
        line = lines[span.line - 1] if 0 < span.line <= len(lines) else ""
        m = re.search(rf"\b{re.escape(word)}\b", line[span.column - 1:])
        if m is None:
            return span
        col = span.column + m.start()
        return Span(span.file, span.line, col, span.line, col + len(word))

    def resolve(self, ref: n.Ref, at: Provision, book_name: str | None = None) -> list[Provision]:
        if book_name is not None and ref.book is None:
            ref = n.Ref(ref.groups, book_name, span=ref.span)
        try:
            return resolve_ref(ref, at, self.book)
        except CheckError as e:
            self.book.report(e)
            return []

    # ------------------------------------------------------------ types

    def type_of(self, t) -> Type:
        b = self.book
        if isinstance(t, n.SimpleType):
            if t.name in SIMPLE_TYPES:
                return SIMPLE_TYPES[t.name]
            if t.name == "body":
                return Type("enum", members=tuple(b.bodies))
            u = b.units.get(t.name)
            if u is not None:
                return quantity(u.dim, u.plural)
            self.error(f"unknown type or unit `{t.name}`", t.span, "E404",
                       did_you_mean(t.name, list(SIMPLE_TYPES) + b.units.names()))
            return ANY
        if isinstance(t, n.PerType):
            num, den = b.units.get(t.num), b.units.get(t.den)
            for name, u in ((t.num, num), (t.den, den)):
                if u is None:
                    self.error(f"unknown unit `{name}`", t.span, "E403", did_you_mean(name, b.units.names()))
            if num is None or den is None:
                return ANY
            return quantity(dim_mul(num.dim, den.dim, -1), f"{num.plural} per {den.singular}")
        if isinstance(t, n.EnumType):
            if len(set(t.members)) != len(t.members):
                self.error("an enumeration lists a value twice", t.span, "E302")
            return Type("enum", members=t.members)
        if isinstance(t, n.RangeType):
            return Type("range", inner=self.type_of(t.inner))
        if isinstance(t, n.ListType):
            return Type("list", inner=self.type_of(t.inner))
        return ANY

    def unit_factor(self, unit: str):
        u = self.book.units.get(unit)
        return u.factor if u is not None else 1

    # ------------------------------------------------------------ rules

    def check_rule(self, r: RuleInfo) -> None:
        b = self.book
        sym = b.symbols.get(r.name)
        span = r.node.span if r.node is not None else (r.provision.delegated.span
                                                       if r.provision.delegated else None)
        if sym is None:
            self.error(f"unknown name `{r.name}`", span, "E301",
                       did_you_mean(r.name, b.symbols) or f"declare it: outcome {r.name} : TYPE")
            return
        if not sym.computed:
            self.error(f"`{r.name}` is a {sym.kind}; only outcomes and definitions have rules",
                       span, "E308", f"declare it with `outcome` or `define` instead of `{sym.kind}`")
            return
        if r.kind == "delegated":
            return
        self.deps = set()
        node = r.node
        parts: list[Fn] = []
        for w in node.when:
            parts.append(self.boolean(w, r.provision, "a `when` clause"))
        for u in node.unless:
            f = self.boolean(u, r.provision, "an `unless` clause")
            parts.append(_not(f))
        cond = None
        for p in parts:
            cond = p if cond is None else _and(cond, p)
        if node.kind == "if":
            if sym.type.kind not in ("boolean", "any"):
                self.error(f"`{r.name} if ...` needs a boolean, but `{r.name}` is {sym.type.describe()}",
                           node.span, "E401", f"write `{r.name} = value when condition`")
            value = self.boolean(node.expr, r.provision, "the condition of an `if` rule")
        else:
            t, value = self.expr(node.expr, r.provision, sym.type)
            self.expect(t, sym.type, node.expr, f"the value of `{r.name}`")
            if sym.type.kind == "quantity" and sym.type.unit:
                value = _in_unit(value, sym.type.unit, self.unit_factor(sym.type.unit))
        r.compiled = (cond, value)
        self.name_deps.setdefault(r.name, set()).update(self.deps)
        self.deps = None

    def boolean(self, e, at: Provision, what: str) -> Fn:
        t, f = self.expr(e, at, BOOLEAN)
        self.expect(t, BOOLEAN, e, what)
        return f

    def expect(self, got: Type, want: Type, e, what: str) -> None:
        if got.same(want):
            return
        code = "E402" if got.kind == want.kind == "quantity" else "E401"
        self.error(f"{what} should be {want.describe()}, but this is {got.describe()}",
                   getattr(e, "span", None), code)

    def check_exceptions(self) -> None:
        b = self.book
        for name, rules in b.rules.items():
            under = _rules_under(rules)
            order = {id(o): i for i, o in enumerate(rules)}
            for r in rules:
                node = r.node
                if node is None:
                    continue
                if node.however:
                    para = r.provision
                    while para.kind not in ("paragraph", "duties"):
                        para = para.parent
                    targets = [o for o in under.get(id(para), ()) if o is not r and o.node is not None
                               and not o.node.however]
                    if not targets:
                        self.error(f"`however` qualifies no rule: {para.cite} has no other rule for `{name}`",
                                   node.span, "E504", "write the main rule of the paragraph first")
                    r.overrides.extend(targets)
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
                    have = {id(o) for o in r.overrides}
                    r.overrides.extend(t for t in targets if id(t) not in have)
            self.check_always(name, rules)

            def on_cycle(path: list[RuleInfo], at, t: RuleInfo) -> bool:
                rule = path[-1]
                chain = " -> ".join(_abridged([x.provision.cite for x in path + [t]]))
                self.error(f"exceptions for `{rule.name}` form a cycle: {chain}",
                           rule.node.span if rule.node else None, "E502")
                rule.overrides = [x for x in rule.overrides if x is not t]
                return True

            find_cycles(rules, lambda rule: list(rule.overrides), on_cycle)

    def check_always(self, name: str, rules: list[RuleInfo]) -> None:
        """Two value rules with no condition, neither an exception to the other, in force on
        the same day: every evaluation would find them in conflict (E801), so say so now.
        Each rule is reported once, with the first rule before it that it meets."""
        plain = [r for r in rules if r.node is not None and r.node.kind == "=" and not r.node.when
                 and not r.node.unless and not r.node.however and not r.node.exceptions]
        for j, b in enumerate(plain):
            for a in plain[:j]:
                if a in b.overrides or b in a.overrides or not overlap(a.provision, b.provision):
                    continue
                self.error(f"`{name}` has two rules that always apply: {a.provision.cite} and "
                           f"{b.provision.cite}", b.node.span, "E505",
                           f"add a condition (`when ...`), or say which one overrides the other "
                           f"(`overrides {_short(a.provision, b.provision)}`)")
                break

    def check_cycles(self) -> None:
        """Definitions that depend on themselves (E503), and chains too long to evaluate (E108)."""
        deps = self.name_deps
        reported: set[frozenset] = set()

        def edges(name: str) -> list[str]:
            return sorted(d for d in deps.get(name, ()) if d in deps or self._computed(d))

        def on_cycle(path: list[str], at: int, d: str) -> bool:
            name = path[-1]
            cycle = path[at:] + [d]
            key = frozenset(cycle) if len(cycle) <= _SHOWN else (name, d)
            if key not in reported:
                reported.add(key)
                rules = self.book.rules.get(name) or []
                span = rules[0].node.span if rules and rules[0].node else None
                self.error(f"`{d}` depends on itself: " + " -> ".join(_abridged(cycle)), span, "E503")
            return False

        depth = find_cycles(sorted(deps), edges, on_cycle)
        if not reported:  # the depth of a chain through a cycle means nothing; the cycle comes first
            self.check_chains(depth, edges)

    def _computed(self, name: str) -> bool:
        sym = self.book.symbols.get(name)
        if sym is None:
            adopted = self.book.adopted.get(name)
            sym = adopted[0] if adopted else None
        return sym is not None and sym.computed

    def check_chains(self, depth: dict[str, int], edges) -> None:
        """E108 at the top of each chain of definitions deeper than limits.MAX_CHAIN."""
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
            shown = " -> ".join(_abridged(chain))
            self.error(f"`{top}` is computed through a chain of {depth[top]} definitions, each read by "
                       f"the one before ({shown}); at most {MAX_CHAIN} may nest", span, "E108",
                       "compute some of them directly from facts, or join steps of the chain")

    def check_amendment(self, a: n.Amendment, at: Provision) -> None:
        from .resolve import Transition

        t = self.transitions.get(a.title)
        if t is None:
            t = self.transitions[a.title] = Transition(a.title)
            t.span = a.span
            self.book.transitions.append(t)
        if a.date is not None:
            if t.date is not None:
                self.error(f"the amendment \"{a.title}\" already takes effect on {t.date.isoformat()}",
                           a.span, "E207")
            t.date, t.provision = a.date, at
        for c in a.clauses:
            if isinstance(c, n.NotApplying):
                self.deps = set()
                ty, f = self.expr(c.expr, at, BOOLEAN)
                self.expect(ty, BOOLEAN, c.expr, "the condition of `not applying when`")
                t.sparing.append((f, at))
                self.deps = None
            else:
                for ref in c.refs:
                    for p in self.resolve(ref, at):
                        if t.affected is None:
                            t.affected = set()
                        t.affected.add(p.article.number)

    def item_condition(self, p: Provision) -> tuple[Fn, set[str]] | None:
        if id(p) in self.item_fns:
            return self.item_fns[id(p)]
        if p.condition is None:
            return None
        saved, self.deps = self.deps, set()
        self.item_fns[id(p)] = (_const(Unknown(reasons=frozenset({"cycle"}))), set())
        t, f = self.expr(p.condition.expr, p, BOOLEAN)
        self.expect(t, BOOLEAN, p.condition.expr, f"the condition of {p.cite}")
        result = (f, self.deps)
        self.item_fns[id(p)] = result
        self.deps = saved
        if saved is not None:
            saved.update(result[1])
        return result

    # ------------------------------------------------------------ tables

    def check_tables(self) -> None:
        for name, (table, _) in self.book.tables.items():
            cols = [s for s in table.statements if isinstance(s, n.Column)]
            rows = [s for s in table.statements if isinstance(s, n.Row)]
            if not cols:
                self.error(f"table `{name}` has no columns", table.span, "E408")
                continue
            types = [self.type_of(c.type) for c in cols]
            data = []
            for row in rows:
                if len(row.cells) != len(cols):
                    self.error(f"this row of `{name}` has {len(row.cells)} cells for {len(cols)} columns",
                               row.span, "E408")
                    continue
                values = [self.cell(c, t) for c, t in zip(row.cells, types)]
                if not row.total:
                    data.append(values)
            for row in rows:
                if row.total and len(row.cells) == len(cols):
                    self.check_total(name, cols, types, row, data)
            as_of = [s.date for s in table.statements if isinstance(s, n.AsOf)]
            self._tables[name] = _TableData(cols, types, data, as_of)

    def cell(self, c: n.Cell, t: Type):
        if c.value is None:
            return None
        inner = t.inner if t.kind == "range" else t
        for part in (c.value, c.high):
            if part is not None and not isinstance(part, _LITERALS):
                self.error("a table cell holds a value written out (a number, quantity, text, date, "
                           "time or one of the column's values), not a name or a calculation",
                           part.span, "E408")
                return _BAD_CELL
        if isinstance(c.value, n.Name) and not (inner.kind == "enum" and c.value.name in inner.members):
            self.error(f"`{c.value.name}` is not one of the values of this column"
                       + (f" ({', '.join(inner.members)})" if inner.kind == "enum" else ""),
                       c.value.span, "E408")
            return _BAD_CELL
        vt, f = self.expr(c.value, None, inner)
        if not vt.same(inner):
            self.expect(vt, inner, c.value, "this cell")
            return _BAD_CELL
        v = f(None)
        if t.kind == "range":
            if c.high is None:
                return (v, v)
            ht, hf = self.expr(c.high, None, inner)
            if not ht.same(inner):
                self.expect(ht, inner, c.high, "this cell")
                return _BAD_CELL
            return (v, hf(None))
        if c.high is not None:
            self.error("a range `a to b` is only allowed in a `range of` column", c.span, "E408")
        return v

    def check_total(self, name, cols, types, row: n.Row, data) -> None:
        for i, (col, t) in enumerate(zip(cols, types)):
            cell = row.cells[i]
            if cell.value is None or t.kind not in ("number", "quantity"):
                continue
            stated = self.cell(cell, t)
            parts = [r[i] for r in data if r[i] is not None]
            if any(type(p) is Unknown for p in parts) or type(stated) is Unknown:
                continue  # a cell with an error of its own is reported already
            total = _sum(parts)
            if total is not None and stated is not None and total != stated:
                self.error(f"the total of column `{col.name}` in table `{name}` is {_show(total)}, "
                           f"but the table states {_show(stated)}", cell.span, "E409")

    # ------------------------------------------------------------ expressions

    def expr(self, e, at: Provision | None, expected: Type | None = None) -> tuple[Type, Fn]:
        method = getattr(self, "x_" + type(e).__name__)
        return method(e, at, expected)

    def x_Number(self, e: n.Number, at, expected):
        try:
            v = exact(e.value)
        except ValueError:
            self.error(f"`{e.value}` is not a number", e.span, "E401")
            return ANY, _const(Unknown())
        return NUMBER, _const(v)

    def x_Quantity(self, e: n.Quantity, at, expected):
        b = self.book
        u = b.units.get(e.unit)
        per = b.units.get(e.per) if e.per else None
        bad = e.unit if u is None else (e.per if e.per and per is None else None)
        if bad is not None:
            self.error(f"unknown unit `{bad}`", e.span, "E403", did_you_mean(bad, b.units.names()))
            return ANY, _const(Unknown())
        q = make(exact(e.value), u, per)
        return quantity(q.dim, q.unit), _const(q)

    def x_String(self, e, at, expected):
        return TEXT, _const(e.value)

    def x_DateLit(self, e, at, expected):
        return DATE, _const(e.value)

    def x_TimeLit(self, e, at, expected):
        return TIME, _const(e.value)

    def x_Bool(self, e, at, expected):
        return BOOLEAN, _const(e.value)

    def x_Name(self, e: n.Name, at, expected):
        return self.name(e.name, e.span, expected)

    def name(self, name: str, span, expected: Type | None) -> tuple[Type, Fn]:
        b = self.book
        if expected is not None and expected.kind == "enum" and name in expected.members:
            return expected, _const(name)
        sym = b.symbols.get(name)
        if sym is not None:
            if self.deps is not None:
                self.deps.add(name)
            if sym.computed:
                return sym.type, lambda ctx: ctx.value(name)
            return sym.type, lambda ctx: ctx.fact(name)
        adopted = b.adopted.get(name)
        if adopted is None:
            # A fact or decision of a book applied mutatis mutandis may be read here too.
            for a in b.adoptions:
                other = a.other.symbols.get(a.there(name))
                if other is not None and not other.computed:
                    adopted = b.adopted[name] = (other, a)
                    break
        if adopted is not None:
            other = adopted[0]
            if other.computed:
                if self.deps is not None:
                    self.deps.add(name)
                return other.type, lambda ctx: ctx.value(name)
            return other.type, lambda ctx: ctx.fact(name)
        if name in BUILTIN_NAMES:
            return BUILTIN_NAMES[name], lambda ctx: ctx.as_of
        owners = self.enum_members.get(name, [])
        if len(owners) == 1:
            return b.symbols[owners[0]].type, _const(name)
        if expected is not None and expected.kind == "enum":
            self.error(f"`{name}` is not one of {', '.join(expected.members)}", span, "E405",
                       did_you_mean(name, expected.members))
            return expected, _const(Unknown())
        self.error(f"unknown name `{name}`", span, "E301",
                   did_you_mean(name, list(b.symbols) + list(self.enum_members) + list(BUILTIN_NAMES)))
        return ANY, _const(Unknown())

    def x_Qualified(self, e: n.Qualified, at, expected):
        targets = self.resolve(e.ref, at) if at is not None else []
        sym = self.book.symbols.get(e.name)
        if targets and sym is not None:
            rules = self.book.rules.get(e.name, [])
            here = any(t.contains(r.provision) for t in targets for r in rules) or any(
                sym.provision is not None and t.contains(sym.provision) for t in targets)
            if not here:
                cites = ", ".join(t.cite for t in targets)
                where = sorted({r.provision.cite for r in rules}) or (
                    [sym.provision.cite] if sym.provision else [])
                self.error(f"`{e.name}` is not established in {cites}", e.span, "E306",
                           f"it is established in {', '.join(where)}" if where else None)
        return self.name(e.name, e.span, expected)

    def x_Binary(self, e: n.Binary, at, expected):
        # A chain `a + b - c + ...` (or `x and y and ...`) is a left-leaning spine of any
        # length: walk it in a loop, left to right, and compile it to one closure.
        group = chain_group(e.op)
        spine = []
        node = e
        while isinstance(node, n.Binary) and chain_group(node.op) == group:
            spine.append(node)
            node = node.left
        spine.reverse()
        if group in ("and", "or"):
            fns = [self.boolean(node, at, f"the left side of `{e.op}`")]
            fns += [self.boolean(b.right, at, f"the right side of `{e.op}`") for b in spine]
            return BOOLEAN, _connective(fns, decisive=group == "or")
        t, base = self.expr(node, at)
        steps: list[tuple[Callable, Fn]] = []
        for b in spine:
            rt, rf = self.expr(b.right, at)
            result = _arith_type(b.op, t, rt)
            if isinstance(result, str):
                code = "E402" if t.kind == "quantity" or rt.kind == "quantity" else "E401"
                self.error(result, b.span, code)
                t, base, steps = ANY, _const(Unknown()), []
                continue
            t, op = result
            steps.append((op, rf))
        if not steps:
            return t, base
        if len(steps) == 1:
            return t, _binop(steps[0][0], base, steps[0][1])
        return t, _chain(base, steps)

    def x_Not(self, e: n.Not, at, expected):
        return BOOLEAN, _not(self.boolean(e.expr, at, "the operand of `not`"))

    def x_Neg(self, e: n.Neg, at, expected):
        t, f = self.expr(e.expr, at)
        if t.kind not in ("number", "quantity", "any"):
            self.error(f"cannot negate {t.describe()}", e.span, "E401")
            return ANY, _const(Unknown())

        def neg(ctx):
            v = f(ctx)
            if type(v) is Unknown:
                return v
            return Q(-v.value, v.dim, v.unit, v.factor) if isinstance(v, Q) else -v

        return t, neg

    def x_Compare(self, e: n.Compare, at, expected):
        lt, lf = self.expr(e.left, at)
        rt, rf = self.expr(e.right, at, lt)
        if lt.kind == "any" and rt.kind != "any":
            lt, lf = self.expr(e.left, at, rt)
        if not lt.same(rt):
            code = "E402" if lt.kind == rt.kind == "quantity" else "E401"
            self.error(f"cannot compare {lt.describe()} with {rt.describe()}", e.span, code)
            return BOOLEAN, _const(Unknown())
        if e.op in ("<", "<=", ">", ">=") and lt.kind not in ("number", "quantity", "date", "time", "any"):
            self.error(f"`{e.word or e.op}` compares numbers, quantities, dates or times, "
                       f"not {lt.describe()}", e.span, "E401")
        return BOOLEAN, _compare(e.op, lf, rf)

    def x_OneOf(self, e: n.OneOf, at, expected):
        t, f = self.expr(e.expr, at)
        if t.kind == "enum":
            for name in e.names:
                if name not in t.members:
                    self.error(f"`{name}` is not one of {', '.join(t.members)}", e.span, "E405",
                               did_you_mean(name, t.members))
        elif t.kind != "any":
            self.error(f"`is one of` needs a value from an enumeration, not {t.describe()}", e.span, "E401")
        names = frozenset(e.names)
        negated = e.negated

        def one_of(ctx):
            v = f(ctx)
            if type(v) is Unknown:
                return v
            return (v in names) != negated

        return BOOLEAN, one_of

    def x_IfExpr(self, e: n.IfExpr, at, expected):
        cf = self.boolean(e.cond, at, "the condition of `if`")
        tt, tf = self.expr(e.then, at, expected)
        et, ef = self.expr(e.else_, at, tt)
        if not tt.same(et):
            self.error(f"the two branches give {tt.describe()} and {et.describe()}", e.span, "E401")

        def if_(ctx):
            c = cf(ctx)
            if c is True:
                return tf(ctx)
            if c is False:
                return ef(ctx)
            a, b = tf(ctx), ef(ctx)
            if type(a) is not Unknown and type(b) is not Unknown and a == b:
                return a
            return c.merge(a) if type(a) is Unknown else c

        return tt, if_

    def x_Call(self, e: n.Call, at, expected):
        if e.func in BODY_FUNCTIONS:
            return self.body_call(e, at)
        fn = BUILTINS.get(e.func)
        if fn is None:
            self.error(f"unknown function `{e.func}`", e.span, "E407", did_you_mean(e.func, BUILTINS))
            return ANY, _const(Unknown())
        compiled = [self.expr(a, at) for a in e.args]
        typed = fn.typer([t for t, _ in compiled])
        if isinstance(typed, str):
            self.error(f"{fn.signature} {typed}", e.span, "E406")
            return ANY, _const(Unknown())
        fns = [f for _, f in compiled]
        impl = fn.impl

        def call(ctx):
            args = [f(ctx) for f in fns]
            bad = None
            for a in args:
                if type(a) is Unknown:
                    bad = a if bad is None else bad.merge(a)
            if bad is not None:
                return bad
            return impl(*args)

        return typed, call

    def body_call(self, e: n.Call, at) -> tuple[Type, Fn]:
        """`administrator(b)`, `parent(b)`, `title(b)`, `duties(b)`, `administers(b)`, `parts(b)`."""
        b = self.book
        if len(e.args) != 1:
            self.error(f"{e.func}(body) takes one body", e.span, "E406")
            return ANY, _const(Unknown())
        bodies = Type("enum", members=tuple(b.bodies))
        t, f = self.expr(e.args[0], at, bodies)
        if t.kind != "any" and not (t.kind == "enum" and set(t.members) <= set(b.bodies)):
            self.error(f"{e.func}() takes a body, not {t.describe()}", e.span, "E406")
            return ANY, _const(Unknown())
        info = _organization(b)
        result, lookup = BODY_FUNCTIONS[e.func]
        func = e.func

        def call(ctx):
            name = f(ctx)
            if type(name) is Unknown:
                return name
            value, provisions = lookup(info, name)
            if ctx.frame is not None:
                ctx.frame.cited.extend(provisions)
            if value is None:
                title = info.titles.get(name, name)
                return Unknown(reasons=frozenset({f"the book does not say {_ASKS[func].format(title)}"}))
            return value

        return result, call

    def _items(self, e, at) -> list[tuple[Provision, Fn]]:
        provs = self.resolve(e.ref, at) if at is not None else []
        items: list[Provision] = []
        for p in provs:
            if p.kind in ("item", "subitem"):
                items.append(p)
            else:
                host = p.children[0] if p.kind in TOPS else p
                kids = [c for c in host.children if c.kind in ("item", "subitem")]
                if not kids:
                    self.error(f"{p.cite} has no items", e.span, "E311")
                items.extend(kids)
        out = []
        for p in items:
            compiled = self.item_condition(p)
            if compiled is None:
                self.error(f"{p.cite} has no condition to test", e.span, "E311",
                           "write the item's condition as an expression under its text")
                continue
            if self.deps is not None:
                self.deps.update(compiled[1])
            out.append((p, compiled[0]))
        return out

    def x_AnyOf(self, e: n.AnyOf, at, expected):
        items = self._items(e, at)
        return BOOLEAN, lambda ctx: ctx.any_of(items)

    def x_AllOf(self, e: n.AllOf, at, expected):
        items = self._items(e, at)
        return BOOLEAN, lambda ctx: ctx.all_of(items)

    def x_Lookup(self, e: n.Lookup, at, expected):
        data = self._tables.get(e.table)
        if data is None:
            self.error(f"unknown table `{e.table}`", e.span, "E410", did_you_mean(e.table, self._tables))
            return ANY, _const(Unknown())
        names = [c.name for c in data.columns]
        if e.column not in names:
            self.error(f"table `{e.table}` has no column `{e.column}`", e.span, "E410",
                       did_you_mean(e.column, names))
            return ANY, _const(Unknown())
        key_type = data.types[0]
        kt, kf = self.expr(e.key, at, key_type.inner if key_type.kind == "range" else key_type)
        want = key_type.inner if key_type.kind == "range" else key_type
        self.expect(kt, want, e.key, f"the key of table `{e.table}`")
        col = names.index(e.column)
        table = e.table

        def lookup(ctx):
            k = kf(ctx)
            if type(k) is Unknown:
                return k
            return data.find(k, col, table, ctx)

        return data.types[col], lookup


# ------------------------------------------------------------------ tables


_LITERALS = (n.Number, n.Quantity, n.String, n.DateLit, n.TimeLit, n.Bool, n.Name)
_BAD_CELL = Unknown(reasons=frozenset({"this cell of the table has an error"}))


class _TableData:
    """A checked table: its columns, their types and the rows' values."""

    def __init__(self, columns, types, rows, as_of):
        self.columns = columns
        self.types = types
        self.rows = rows
        self.as_of = as_of[0] if as_of else None

    def find(self, key, col: int, table: str, ctx):
        if self.as_of is not None and ctx is not None and ctx.as_of < self.as_of:
            return Unknown(reasons=frozenset({
                f"the figures of table `{table}` hold as of {self.as_of.isoformat()}"}))
        ranged = self.types[0].kind == "range"
        for row in self.rows:
            k = row[0]
            if k is None:
                continue
            if ranged:
                lo, hi = k
                if _le(lo, key) and _le(key, hi):
                    return row[col] if row[col] is not None else _none(table)
            elif k == key:
                return row[col] if row[col] is not None else _none(table)
        return Unknown(reasons=frozenset({f"E803: {_show(key)} is not in table `{table}`"}))


_SHOWN = 12  # names of a cycle or chain shown in full in a message


def _abridged(names: list[str]) -> list[str]:
    """A long cycle or chain as its first and last few names."""
    if len(names) <= _SHOWN:
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


def _short(target: Provision, at: Provision) -> str:
    """How a rule at `at` names `target` in an `overrides` clause."""
    if target.article is at.article and target.kind == "paragraph":
        return f"paragraph {target.number}"
    if target.kind == "paragraph" and not target.transparent:
        return f"article {target.article.number} paragraph {target.number}"
    return f"article {target.article.number}"


def _none(table):
    return Unknown(reasons=frozenset({f"table `{table}` gives no value here"}))


def _le(a, b) -> bool:
    if isinstance(a, Q):
        return a.value <= b.value
    return a <= b


def _sum(parts):
    if not parts:
        return None
    total = parts[0]
    for p in parts[1:]:
        total = Q(total.value + p.value, total.dim, total.unit, total.factor) if isinstance(total, Q) else total + p
    return total


def _show(v) -> str:
    if isinstance(v, Q):
        return str(v)
    if isinstance(v, (int, Fraction)) and not isinstance(v, bool):
        return format_number(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


# ------------------------------------------------------------------ runtime operators


def _not(f: Fn) -> Fn:
    def not_(ctx):
        v = f(ctx)
        return v if type(v) is Unknown else not v

    return not_


def _and(a: Fn, b: Fn) -> Fn:
    def and_(ctx):
        x = a(ctx)
        if x is False:
            return False
        y = b(ctx)
        if y is False:
            return False
        if x is True:
            return y
        if y is True:
            return x
        return x.merge(y)

    return and_


def _or(a: Fn, b: Fn) -> Fn:
    def or_(ctx):
        x = a(ctx)
        if x is True:
            return True
        y = b(ctx)
        if y is True:
            return True
        if x is False:
            return y
        if y is False:
            return x
        return x.merge(y)

    return or_


def _connective(fns: list[Fn], decisive: bool) -> Fn:
    """`a and b and c ...` (decisive False) or `a or b or c ...` (decisive True) as one loop:
    the same answer as the nested `(a and b) and c`, without nesting."""
    if len(fns) == 2:
        return (_or if decisive else _and)(fns[0], fns[1])
    first, rest = fns[0], fns[1:]
    neutral = not decisive

    def connective(ctx):
        x = first(ctx)
        if x is decisive:
            return decisive
        for f in rest:
            y = f(ctx)
            if y is decisive:
                return decisive
            if x is neutral:
                x = y
            elif y is not neutral:
                x = x.merge(y)
        return x

    return connective


def _binop(op, lf: Fn, rf: Fn) -> Fn:
    def binop(ctx):
        x = lf(ctx)
        y = rf(ctx)
        if type(x) is Unknown or type(y) is Unknown:
            return _unknown2(x, y)
        try:
            return op(x, y)
        except ZeroDivisionError:
            return Unknown(reasons=frozenset({"division by zero"}))

    return binop


def _chain(base: Fn, steps: list[tuple[Callable, Fn]]) -> Fn:
    """`a + b - c ...` (or `*`, `/`) as one loop: the same answer as nested `_binop`s."""

    def chain(ctx):
        x = base(ctx)
        for op, f in steps:
            y = f(ctx)
            if type(x) is Unknown or type(y) is Unknown:
                x = _unknown2(x, y)
                continue
            try:
                x = op(x, y)
            except ZeroDivisionError:
                x = Unknown(reasons=frozenset({"division by zero"}))
        return x

    return chain


def _compare(op: str, lf: Fn, rf: Fn) -> Fn:
    import operator

    fn = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
          "is": operator.eq, "isnot": operator.ne}[op]
    ordered = op not in ("is", "isnot")

    def compare(ctx):
        x = lf(ctx)
        y = rf(ctx)
        if type(x) is Unknown or type(y) is Unknown:
            return _unknown2(x, y)
        if ordered and isinstance(x, Q):
            return fn(x.value, y.value)
        return fn(x, y)

    return compare


def _in_unit(f: Fn, unit: str, factor) -> Fn:
    """Show a rule's quantity in the unit its outcome is declared in."""

    def shown(ctx):
        v = f(ctx)
        if isinstance(v, Q) and (v.unit != unit):
            return Q(v.value, v.dim, unit, factor)
        return v

    return shown


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return d.replace(year=year, month=month, day=min(d.day, calendar.monthrange(year, month)[1]))


def _date_plus(sign: int):
    def op(d: dt.date, q: Q) -> dt.date | Unknown:
        whole = int(q.value)  # whole months or days; a fraction of one is dropped
        try:
            if q.dim == MONTHS:
                return _add_months(d, sign * whole)
            return d + dt.timedelta(days=sign * whole)
        except (OverflowError, ValueError):  # past 9999-12-31 or before 0001-01-01
            return outside_calendar(f"{d.isoformat()} {'+' if sign > 0 else '-'} {q}")

    return op


def _q_add(sign: int):
    def op(x: Q, y: Q) -> Q:
        return Q(x.value + sign * y.value, x.dim, x.unit, x.factor)

    return op


def _q_mul(x, y):
    if isinstance(x, Q) and isinstance(y, Q):
        dim = dim_mul(x.dim, y.dim)
        return Q(x.value * y.value, dim, "", 1) if dim else x.value * y.value
    if isinstance(x, Q):
        return Q(x.value * y, x.dim, x.unit, x.factor)
    return Q(x * y.value, y.dim, y.unit, y.factor)


def _q_div(x, y):
    if isinstance(x, Q) and isinstance(y, Q):
        dim = dim_mul(x.dim, y.dim, -1)
        v = divide(x.value, y.value)
        return Q(v, dim, "", 1) if dim else v
    if isinstance(x, Q):
        return Q(divide(x.value, y), x.dim, x.unit, x.factor)
    return Q(divide(x, y.value), dim_mul((), y.dim, -1), "", 1)


def _arith_type(op: str, lt: Type, rt: Type):
    """The result type and runtime operator of `lt op rt`, or an error message."""
    result = _arith(op, lt, rt)
    if isinstance(result, str) or result[0].kind not in ("number", "quantity", "any"):
        return result
    return result[0], _sized(result[1])


_TOO_BIG = Unknown(reasons=frozenset({
    f"E106: a number computed by the rules would have more than {int(MAX_COMPUTED_BITS * 0.30103):,} digits"}))


def _sized(op):
    """`op`, giving an undetermined answer (E106) rather than a number too large to compute."""

    def sized(x, y):
        v = op(x, y)
        w = v.value if type(v) is Q else v
        if type(w) is int:
            if w.bit_length() <= MAX_COMPUTED_BITS:
                return v
        elif type(w) is not Fraction or (w.numerator.bit_length() <= MAX_COMPUTED_BITS
                                         and w.denominator.bit_length() <= MAX_COMPUTED_BITS):
            return v
        return _TOO_BIG

    return sized


def _arith(op: str, lt: Type, rt: Type):
    kinds = (lt.kind, rt.kind)
    if "any" in kinds:
        other = rt if lt.kind == "any" else lt
        return other, _loose(op)
    if op in ("+", "-"):
        sign = 1 if op == "+" else -1
        if kinds == ("number", "number"):
            return NUMBER, (lambda x, y: x + y) if sign > 0 else (lambda x, y: x - y)
        if kinds == ("quantity", "quantity"):
            if lt.dim != rt.dim:
                return f"cannot {'add' if sign > 0 else 'subtract'} {rt.describe()} " \
                       f"{'to' if sign > 0 else 'from'} {lt.describe()}"
            return lt, _q_add(sign)
        if kinds == ("date", "quantity") and rt.dim in (MONTHS, DAYS):
            return DATE, _date_plus(sign)
        if kinds == ("date", "date") and op == "-":
            return quantity(DAYS, "days"), lambda x, y: Q((x - y).days, DAYS, "days")
        return f"cannot {'add' if sign > 0 else 'subtract'} {rt.describe()} " \
               f"{'to' if sign > 0 else 'from'} {lt.describe()}"
    if op == "*":
        if kinds == ("number", "number"):
            return NUMBER, lambda x, y: x * y
        if "number" in kinds and "quantity" in kinds:
            return (lt if lt.kind == "quantity" else rt), _q_mul
        if kinds == ("quantity", "quantity"):
            return quantity(dim_mul(lt.dim, rt.dim)), _q_mul
        return f"cannot multiply {lt.describe()} by {rt.describe()}"
    if op == "/":
        if kinds == ("number", "number"):
            return NUMBER, divide
        if kinds == ("quantity", "number"):
            return lt, _q_div
        if kinds == ("quantity", "quantity") or kinds == ("number", "quantity"):
            dim = dim_mul(lt.dim if lt.kind == "quantity" else (), rt.dim, -1)
            return quantity(dim), _q_div
        return f"cannot divide {lt.describe()} by {rt.describe()}"
    return f"unknown operator {op}"


def _loose(op: str):
    def f(x, y):
        if isinstance(x, Q) or isinstance(y, Q):
            if op == "*":
                return _q_mul(x, y)
            if op == "/":
                return _q_div(x, y)
            return _q_add(1 if op == "+" else -1)(x, y)
        return {"+": lambda: x + y, "-": lambda: x - y, "*": lambda: x * y, "/": lambda: divide(x, y)}[op]()

    return f


class _Organization:
    """Bodies, their relations and duty lists, indexed for the body functions."""

    def __init__(self, book: BookModel):
        self.titles: dict[str, str] = {}
        self.where: dict[str, list[Provision]] = {}
        self.relations: dict[str, dict[str, str]] = {}
        self.duties: dict[str, list[Provision]] = {}
        for name, (body, prov) in book.bodies.items():
            self.titles[name] = body.title
            self.where[name] = [prov] if prov is not None else []
            rel = self.relations.setdefault(name, {})
            for st in body.statements:
                if isinstance(st, n.Relation):
                    rel[st.kind] = st.target
        for p in book.provisions():
            if p.kind == "duties":
                self.duties[p.number] = [c for c in p.children if c.kind == "item"]

    def related(self, name: str, kind: str):
        target = self.relations.get(name, {}).get(kind)
        if target is None:
            return None, self.where.get(name, [])
        return self.titles.get(target, target), self.where.get(name, [])

    def inverse(self, name: str, kind: str):
        # Every relation is declared on a body of the book, so the list is complete.
        found = [b for b, rel in self.relations.items() if rel.get(kind) == name]
        provs = [p for b in found for p in self.where.get(b, [])] or self.where.get(name, [])
        return tuple(self.titles[b] for b in found), provs

    def duty_list(self, name: str):
        items = self.duties.get(name)
        if not items:
            return None, self.where.get(name, [])
        return tuple(i.text for i in items), items


def _organization(book: BookModel) -> _Organization:
    if book.organization is None:
        book.organization = _Organization(book)
    return book.organization


_TEXTS = Type("list", inner=TEXT)
_ASKS = {
    "title": "the title of {}",
    "administrator": "who administers the {}",
    "parent": "what the {} is part of",
    "administers": "what the {} administers",
    "parts": "the parts of the {}",
    "duties": "the duties of the {}",
}
BODY_FUNCTIONS = {
    "title": (TEXT, lambda o, b: (o.titles.get(b), o.where.get(b, []))),
    "administrator": (TEXT, lambda o, b: o.related(b, "administered by")),
    "parent": (TEXT, lambda o, b: o.related(b, "part of")),
    "administers": (_TEXTS, lambda o, b: o.inverse(b, "administered by")),
    "parts": (_TEXTS, lambda o, b: o.inverse(b, "part of")),
    "duties": (_TEXTS, lambda o, b: o.duty_list(b)),
}


def check(book: BookModel) -> BookModel:
    """Type-check and compile `book` in place; findings go to `book.errors`."""
    checker = Checker(book)
    checker.run()
    return book


