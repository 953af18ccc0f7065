"""The checker's output: a book model lowered to an `IRBook`, and every finding.

    ir_book, findings = lower(model, others)

`others` are the IRBooks of the books the model uses (lowered first).  The
rules of a book applied mutatis mutandis are copied in with the readings
applied as renamings, so that an evaluator sees one book.
"""

from __future__ import annotations

from typing import Any

from .. import ir
from ..syntax import nodes as n
from ..core.limits import MAX_CHAIN
from ..errors import CheckError, RegdslError
from ..ir.rename import rename
from ..model.provisions import BookModel, Provision, RuleInfo
from .adoption import Adoption
from .checker import Checker
from .expressions import item_key, provision_key


def lower(model: BookModel, others: dict[str, ir.IRBook] | None = None) -> tuple[ir.IRBook, list[RegdslError]]:
    """Check `model` and lower it to the IR; the findings are (code, span, message)-unique."""
    checker = Checker(model, others).run()
    lowered = _Lowering(checker).book()
    if not any(e.code in ("E108", "E503") for e in checker.findings):
        checker.findings.extend(_long_chains(lowered, model))
    return lowered, checker.findings


def _long_chains(book: ir.IRBook, model: BookModel) -> list[RegdslError]:
    """E802 for a chain of definitions that runs on into a book applied mutatis mutandis past
    MAX_CHAIN (a chain within one book is the checker's E108)."""
    depth: dict[str, int] = {}
    foreign: dict[str, int] = {}
    for key in book.order:  # each after what it reads
        below = [d for d in book.deps.get(key, ())]
        deepest = max(below, key=lambda d: depth.get(d, 0), default=None)
        own = 1 if key in book.names else 0  # an item passes its names through
        depth[key] = own + (depth.get(deepest, 0) if deepest is not None else 0)
        info = book.names.get(key)
        step = 1 if info is not None and info.adoption is not None else 0
        foreign[key] = step + (foreign.get(deepest, 0) if deepest is not None else 0)
    out: list[RegdslError] = []
    read = {d for k in book.order for d in book.deps.get(k, ())}
    for name in book.names:
        if depth.get(name, 0) > MAX_CHAIN and name not in read and book.names[name].adoption is None:
            rules = model.rules.get(name) or []
            span = rules[0].node.span if rules and rules[0].node else None
            out.append(CheckError(
                f"`{name}` is computed through a chain of {depth[name]} definitions, each read by the one "
                f"before, {foreign[name]} of them in a book applied mutatis mutandis; at most {MAX_CHAIN} "
                "may nest", span, code="E802",
                hint="compute some of them directly from facts, or join steps of the chain"))
    return out


def decided_by(titles: list[str]) -> str:
    """"the President, upon approval by the Faculty Meeting"."""
    if not titles:
        return ""
    text = titles[0]
    for t in titles[1:]:
        text += f", upon approval by {t}"
    return text


def _body_titles(book: BookModel, bodies: tuple[str, ...]) -> list[str]:
    out = []
    for b in bodies:
        body = book.bodies.get(b)
        out.append(body[0].title if body else b)
    return out


class _Lowering:
    def __init__(self, checker: Checker):
        self.c = checker
        self.model = checker.book
        self.provs: dict[str, ir.Prov] = {}
        self.by_model: dict[int, ir.Prov] = {}
        self.rid = 0
        self.names: dict[str, ir.Name] = {}
        self.items: dict[str, ir.Item] = {}
        self.tables: dict[str, ir.Table] = {}
        self.organizations: dict[str, ir.Organization] = {}
        self.adoptions: dict[str, ir.Adoption] = {}

    # ---- provisions
    def _views(self) -> None:
        m = self.model
        for p in m.provisions():
            self._prov(p, None)
        viewed: set[str] = set()
        for a in self.c.adoptions:
            if a.other.name in viewed:
                continue
            viewed.add(a.other.name)
            for p in a.other.provisions():
                self._prov(p, a)
        for name, other in m.others.items():
            if name not in viewed:
                for p in other.provisions():
                    self._prov(p, None)

    def _prov(self, p: Provision, a: Adoption | None) -> ir.Prov:
        found = self.by_model.get(id(p))
        if found is not None:
            return found
        home = p.book is self.model
        article = p.article
        if article.kind == "article":
            versions = tuple((v.start, v.end) for v in p.book.by_number.get(article.number, [article]))
        else:
            versions = ((article.start, article.end),)
        if home:
            home_cite, text, foreign, via = p.cite, p.text, None, None
        elif a is not None:
            home_cite, text, foreign, via = a.cite(p), a.read(p.text), p.book.name, a.via.eid
        else:
            home_cite, text, foreign, via = f"{p.book.short_title}, {p.cite}", p.text, p.book.name, None
        key = provision_key(p)
        prov = ir.Prov(key, p.eid, p.kind, p.number, p.cite, home_cite, text, p.book.name, foreign, via,
                       p.start, p.end, provision_key(article), home,
                       versions if p is article else (), p.deleted)
        self.by_model[id(p)] = prov
        self.provs.setdefault(key, prov)
        return prov

    def prov(self, p: Provision) -> ir.Prov:
        return self.by_model[id(p)]

    # ---- the book
    def book(self) -> ir.IRBook:
        c, m = self.c, self.model
        self._views()
        for p_id, compiled in c.item_ir.items():
            p = c.items[p_id]
            if compiled is not None:
                src = p.condition.span if p.condition is not None else None
                self.items[item_key(p)] = ir.Item(item_key(p), self.prov(p), compiled[0], _source(m, src))
        self.tables = {t.key: t.lowered() for t in c.tables.values()}
        self.organizations[m.name] = self._organization(m)
        rids: dict[int, int] = {}
        own: dict[str, list[tuple[RuleInfo, ir.Rule]]] = {}
        for name, rules in m.rules.items():
            sym = m.symbols.get(name)
            if sym is None or not sym.computed:
                continue
            for r in rules:
                rids[id(r)] = self._next()
        for name, rules in m.rules.items():
            sym = m.symbols.get(name)
            if sym is None or not sym.computed:
                continue
            own[name] = [(r, self._rule(r, rids)) for r in rules]
        for name, sym in m.symbols.items():
            if sym.computed:
                self.names[name] = ir.Name(name, sym.kind, c.types[name], sym.description,
                                           tuple(rule for _, rule in own.get(name, [])),
                                           self._declared(sym))
        inputs: dict[str, ir.Input] = {}
        for name, sym in m.symbols.items():
            if not sym.computed:
                inputs[name] = ir.Input(name, sym.kind, c.types[name], sym.description,
                                        decided_by(_body_titles(m, sym.bodies)), sym.bodies, self._declared(sym),
                                        domain=c.domains.get(name))
        for name, (sym, a) in c.adopted.items():
            self._adoption(a)
            if sym.computed:
                continue
            there = a.there(name)
            inputs[name] = ir.Input(name, sym.kind, a.types[there], a.described(sym),
                                    decided_by(_body_titles(a.other, sym.bodies)), sym.bodies,
                                    self._declared(sym), a.key, getattr(a.other_ir.inputs.get(there), "domain", None))
        for name, (sym, a) in c.adopted.items():
            if sym.computed:
                self._adopt_name(name, sym, a)
        self._dangling(inputs)
        transitions = tuple(
            ir.Transition(t.title, t.date, frozenset(t.affected) if t.affected is not None else None,
                          tuple((x, self.prov(p)) for x, p in t.sparing))
            for t in c.transitions.values() if t.date is not None)
        deps, facts = self._graph(transitions)
        outcomes = tuple(n for n, info in self.names.items() if info.kind == "outcome"
                         and (n in m.symbols or n in c.adopted))
        return ir.IRBook(m.name, m.title, m.short_title, m.in_force, self.provs, inputs, self.names, outcomes,
                         self.items, self.tables, self.organizations, transitions, self.adoptions,
                         deps, facts, _order(self.names, self.items, deps), m.units)

    def _next(self) -> int:
        self.rid += 1
        return self.rid

    def _declared(self, sym: Any) -> ir.Prov | None:
        return self.by_model.get(id(sym.provision)) if sym.provision is not None else None

    def _rule(self, r: RuleInfo, rids: dict[int, int]) -> ir.Rule:
        cond, value = self.c.rule_ir.get(id(r), (None, None))
        overrides = frozenset(rids[id(o)] for o in self.c.overrides.get(id(r), []) if id(o) in rids)
        return ir.Rule(rids[id(r)], r.name, r.kind, self.prov(r.provision), cond, value, overrides, r.as_of,
                       r.source)

    def _organization(self, m: BookModel) -> ir.Organization:
        titles: dict[str, str] = {}
        where: dict[str, tuple[ir.Prov, ...]] = {}
        relations: dict[str, dict[str, str]] = {}
        duties: dict[str, tuple[ir.Prov, ...]] = {}
        for name, (body, prov) in m.bodies.items():
            titles[name] = body.title
            where[name] = (self.by_model[id(prov)],) if prov is not None and id(prov) in self.by_model else ()
            rel = relations.setdefault(name, {})
            for st in body.statements:
                if isinstance(st, n.Relation):
                    rel[st.kind] = st.target
        for p in m.provisions():
            if p.kind == "duties":
                duties[p.number] = tuple(self.by_model[id(c)] for c in p.children if c.kind == "item")
        return ir.Organization(titles, where, relations, duties)

    # ---- mutatis mutandis
    def _adoption(self, a: Adoption) -> ir.Adoption:
        found = self.adoptions.get(a.key)
        if found is None:
            found = self.adoptions[a.key] = ir.Adoption(a.key, a.other.name, a.other.short_title,
                                                        self.prov(a.via), self.prov(a.via.article))
            other = a.other_ir
            for key, item in other.items.items():
                self.items.setdefault(key, ir.Item(key, self._view(item.provision), rename(item.cond, a.here),
                                                   item.source))
            for key, table in other.tables.items():
                self.tables.setdefault(key, table)
            for key, org in other.organizations.items():
                self.organizations.setdefault(key, ir.Organization(
                    org.titles, {k: tuple(self._view(p) for p in v) for k, v in org.where.items()},
                    org.relations, {k: tuple(self._view(p) for p in v) for k, v in org.duties.items()}))
        return found

    def _view(self, p: ir.Prov) -> ir.Prov:
        """The provision of another book's IR as this book shows it."""
        return self.provs.get(p.key, p)

    def _adopt_name(self, name: str, sym: Any, a: Adoption) -> None:
        there = a.there(name)
        other = a.other_ir.names[there]
        model_rules = a.other.rules.get(there, [])
        kept = [(r, mr) for r, mr in zip(other.rules, model_rules) if a.applies_to(mr.provision)]
        rids = {r.rid: self._next() for r, _ in kept}
        rules = []
        for r, _ in kept:
            rules.append(ir.Rule(
                rids[r.rid], name, r.kind, self._view(r.provision),
                rename(r.cond, a.here) if r.cond is not None else None,
                rename(r.value, a.here) if r.value is not None else None,
                frozenset(rids[o] for o in r.overrides if o in rids), r.as_of, r.source))
        self.names[name] = ir.Name(name, sym.kind, other.ty, a.described(sym), tuple(rules),
                                   self._declared(sym), a.key)

    def _dangling(self, inputs: dict[str, ir.Input]) -> None:
        """Names read by adopted rules that neither book answers: they get no rules
        ("no provision gives `x` for this student")."""
        for info in list(self.names.values()):
            for r in info.rules:
                for e in (r.cond, r.value):
                    if e is None:
                        continue
                    for node in ir.walk(e):
                        if type(node) is ir.Ref and node.name not in self.names:
                            self.names[node.name] = ir.Name(node.name, "undeclared", node.ty)

    # ---- dependencies
    def _graph(self, transitions: tuple[ir.Transition, ...]) -> tuple[dict, dict]:
        deps: dict[str, tuple[str, ...]] = {}
        facts: dict[str, tuple[str, ...]] = {}
        for name, info in self.names.items():
            d: dict[str, None] = {}
            f: dict[str, None] = {}
            for r in info.rules:
                for e in (r.cond, r.value):
                    if e is not None:
                        _collect(e, d, f)
            deps[name], facts[name] = tuple(d), tuple(f)
        for key, item in self.items.items():
            d, f = {}, {}
            _collect(item.cond, d, f)
            deps[key], facts[key] = tuple(d), tuple(f)
        return deps, facts


def _collect(e: ir.Expr, deps: dict[str, None], facts: dict[str, None]) -> None:
    for node in ir.walk(e):
        t = type(node)
        if t is ir.Ref:
            deps[node.name] = None  # type: ignore[attr-defined]
        elif t is ir.Items:
            for k in node.items:  # type: ignore[attr-defined]
                deps[k] = None
        elif t is ir.Fact:
            facts[node.name] = None  # type: ignore[attr-defined]


def _order(names: dict[str, ir.Name], items: dict[str, ir.Item], deps: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Names and items, each after everything it reads (depth first, without recursion)."""
    done: set[str] = set()
    out: list[str] = []
    for root in list(names) + list(items):
        if root in done:
            continue
        stack = [(root, 0)]
        on_path = {root}
        while stack:
            node, i = stack[-1]
            ds = deps.get(node, ())
            if i < len(ds):
                stack[-1] = (node, i + 1)
                d = ds[i]
                if d not in done and d not in on_path and (d in names or d in items):
                    on_path.add(d)
                    stack.append((d, 0))
                continue
            stack.pop()
            on_path.discard(node)
            done.add(node)
            out.append(node)
    return tuple(out)


def _source(book: BookModel, span: Any) -> str:
    from ..model.provisions import source_of

    return source_of(book, span) if span is not None else ""

