"""Checking an expression and lowering it to the IR in the same walk.

Each `x_<Node>` method checks one kind of syntax node (names, units,
enumerations, built-ins, items, tables) and returns (its type, its IR
expression).  A finding is recorded, never raised, and the expression is
lowered to a constant unknown so that checking goes on and every problem of
a book is reported at once.
"""

from __future__ import annotations

from typing import Any

from .. import ir
from ..syntax import nodes as n
from ..core.builtins import BUILTINS, DAYS, MONTHS
from ..errors import did_you_mean
from ..core.types import ANY, BOOLEAN, DATE, NUMBER, TEXT, TIME, Type, quantity
from ..core.units import dim_mul, exact, make
from ..core.limits import chain_group
from ..core.arith import arith_type
from ..core.values import Unknown
from ..model.provisions import TOPS, Provision
from .base import CheckerBase


BUILTIN_NAMES = {"as_of": DATE}
BODY_RESULTS = {"title": TEXT, "administrator": TEXT, "parent": TEXT,
                "administers": Type("list", inner=TEXT), "parts": Type("list", inner=TEXT),
                "duties": Type("list", inner=TEXT)}
_BAD = ir.Const(ANY, value=Unknown())

Lowered = tuple[Type, ir.Expr]


def bad() -> Lowered:
    """What an expression with an error lowers to (the book is not evaluated)."""
    return ANY, _BAD


class Expressions(CheckerBase):
    """Checking and lowering expressions, and the item conditions `any of` / `all of` test."""

    def expr(self, e: Any, at: Any, expected: Type | None = None) -> Lowered:
        """Check `e`, written in provision `at`, and lower it; `expected` helps enumerations."""
        method = getattr(self, "x_" + type(e).__name__)
        return method(e, at, expected)

    def boolean(self, e: Any, at: Any, what: str) -> ir.Expr:
        t, x = self.expr(e, at, BOOLEAN)
        self.expect(t, BOOLEAN, e, what)
        return x

    def expect(self, got: Type, want: Type, e: Any, what: str) -> None:
        if got.same(want):
            return
        code = "E402" if got.kind == want.kind == "quantity" else "E401"
        self.error(f"{what} should be {want.describe()}, but this is {got.describe()}",
                   getattr(e, "span", None), code)

    # ---- literals
    def x_Number(self, e: n.Number, at: Any, expected: Type | None) -> Lowered:
        try:
            v = exact(e.value)
        except ValueError:
            self.error(f"`{e.value}` is not a number", e.span, "E401")
            return bad()
        return NUMBER, ir.Const(NUMBER, span=e.span, value=v)

    def x_Quantity(self, e: n.Quantity, at: Any, expected: Type | None) -> Lowered:
        units = self.book.units
        u = units.get(e.unit)
        per = units.get(e.per) if e.per else None
        wrong = e.unit if u is None else (e.per if e.per and per is None else None)
        if wrong is not None:
            self.error(f"unknown unit `{wrong}`", e.span, "E403", did_you_mean(wrong, units.names()))
            return bad()
        q = make(exact(e.value), u, per)  # type: ignore[arg-type]
        t = quantity(q.dim, q.unit)
        return t, ir.Const(t, span=e.span, value=q)

    def x_String(self, e: n.String, at: Any, expected: Type | None) -> Lowered:
        return TEXT, ir.Const(TEXT, span=e.span, value=e.value)

    def x_DateLit(self, e: n.DateLit, at: Any, expected: Type | None) -> Lowered:
        return DATE, ir.Const(DATE, span=e.span, value=e.value)

    def x_TimeLit(self, e: n.TimeLit, at: Any, expected: Type | None) -> Lowered:
        return TIME, ir.Const(TIME, span=e.span, value=e.value)

    def x_Bool(self, e: n.Bool, at: Any, expected: Type | None) -> Lowered:
        return BOOLEAN, ir.Const(BOOLEAN, span=e.span, value=e.value)

    # ---- names
    def x_Name(self, e: n.Name, at: Any, expected: Type | None) -> Lowered:
        return self.name(e.name, e.span, expected)

    def name(self, name: str, span: Any, expected: Type | None) -> Lowered:
        b = self.book
        if expected is not None and expected.kind == "enum" and name in expected.members:
            return expected, ir.Const(expected, span=span, value=name)
        sym = b.symbols.get(name)
        if sym is not None:
            t = self.types[name]
            if self.deps is not None:
                self.deps.add(name)
            if sym.computed:
                return t, ir.Ref(t, span=span, name=name)
            return t, ir.Fact(t, span=span, name=name)
        adopted = self.adopted.get(name)
        if adopted is None:
            # A fact or decision of a book applied mutatis mutandis may be read here too.
            for a in self.adoptions:
                other = a.other.symbols.get(a.there(name))
                if other is not None and not other.computed:
                    adopted = self.adopted[name] = (other, a)
                    break
        if adopted is not None:
            other, a = adopted
            t = a.types[a.there(name)]
            if other.computed:
                if self.deps is not None:
                    self.deps.add(name)
                return t, ir.Ref(t, span=span, name=name)
            return t, ir.Fact(t, span=span, name=name)
        if name in BUILTIN_NAMES:
            return BUILTIN_NAMES[name], ir.Today(BUILTIN_NAMES[name], span=span)
        owners = self.enum_members.get(name, [])
        if len(owners) == 1:
            t = self.types[owners[0]]
            return t, ir.Const(t, span=span, value=name)
        if expected is not None and expected.kind == "enum":
            self.error(f"`{name}` is not one of {', '.join(expected.members)}", span, "E405",
                       did_you_mean(name, expected.members))
            return expected, _BAD
        self.error(f"unknown name `{name}`", span, "E301",
                   did_you_mean(name, list(b.symbols) + list(self.enum_members) + list(BUILTIN_NAMES)))
        return bad()

    def x_Qualified(self, e: n.Qualified, at: Any, expected: Type | None) -> Lowered:
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

    # ---- operators
    def x_Binary(self, e: n.Binary, at: Any, expected: Type | None) -> Lowered:
        if e.op in ("and", "or"):
            args = [self.boolean(x, at, f"the {side} side of `{e.op}`") for x, side in _chain(e)]
            flat: list[ir.Expr] = []
            cls = ir.And if e.op == "and" else ir.Or
            for a in args:
                flat.extend(a.args if type(a) is cls else (a,))
            return BOOLEAN, cls(BOOLEAN, span=e.span, args=tuple(flat))
        # `a + b - c + ...` (or `*`, `/`) is a left-leaning spine of any length: walked in a
        # loop, left to right, and lowered to one Fold.
        group = chain_group(e.op)
        spine = []
        node: Any = e
        while isinstance(node, n.Binary) and chain_group(node.op) == group:
            spine.append(node)
            node = node.left
        spine.reverse()
        t, first = self.expr(node, at)
        ops: list[str] = []
        rest: list[ir.Expr] = []
        for b in spine:
            rt, rx = self.expr(b.right, at)
            result = arith_type(b.op, t, rt)
            if isinstance(result, str):
                code = "E402" if t.kind == "quantity" or rt.kind == "quantity" else "E401"
                self.error(result, b.span, code)
                t, first, ops, rest = bad()[0], bad()[1], [], []
                continue
            t, op = result
            ops.append(op)
            rest.append(rx)
        if not ops:
            return t, first
        if len(ops) == 1:
            return t, ir.Arith(t, span=e.span, op=ops[0], left=first, right=rest[0])
        return t, ir.Fold(t, span=e.span, first=first, ops=tuple(ops), rest=tuple(rest))

    def x_Not(self, e: n.Not, at: Any, expected: Type | None) -> Lowered:
        return BOOLEAN, ir.Not(BOOLEAN, span=e.span, arg=self.boolean(e.expr, at, "the operand of `not`"))

    def x_Neg(self, e: n.Neg, at: Any, expected: Type | None) -> Lowered:
        t, x = self.expr(e.expr, at)
        if t.kind not in ("number", "quantity", "any"):
            self.error(f"cannot negate {t.describe()}", e.span, "E401")
            return bad()
        return t, ir.Neg(t, span=e.span, arg=x)

    def x_Compare(self, e: n.Compare, at: Any, expected: Type | None) -> Lowered:
        lt, lx = self.expr(e.left, at)
        rt, rx = self.expr(e.right, at, lt)
        if lt.kind == "any" and rt.kind != "any":
            lt, lx = self.expr(e.left, at, rt)
        if not lt.same(rt):
            code = "E402" if lt.kind == rt.kind == "quantity" else "E401"
            self.error(f"cannot compare {lt.describe()} with {rt.describe()}", e.span, code)
            return BOOLEAN, ir.Const(BOOLEAN, span=e.span, value=Unknown())
        if e.op in ("<", "<=", ">", ">=") and lt.kind not in ("number", "quantity", "date", "time", "any"):
            self.error(f"`{e.word or e.op}` compares numbers, quantities, dates or times, "
                       f"not {lt.describe()}", e.span, "E401")
        return BOOLEAN, ir.Compare(BOOLEAN, span=e.span, op=e.op, left=lx, right=rx)

    def x_OneOf(self, e: n.OneOf, at: Any, expected: Type | None) -> Lowered:
        t, x = self.expr(e.expr, at)
        if t.kind == "enum":
            for name in e.names:
                if name not in t.members:
                    self.error(f"`{name}` is not one of {', '.join(t.members)}", e.span, "E405",
                               did_you_mean(name, t.members))
        elif t.kind != "any":
            self.error(f"`is one of` needs a value from an enumeration, not {t.describe()}", e.span, "E401")
        return BOOLEAN, ir.OneOf(BOOLEAN, span=e.span, arg=x, names=frozenset(e.names), negated=e.negated)

    def x_IfExpr(self, e: n.IfExpr, at: Any, expected: Type | None) -> Lowered:
        cx = self.boolean(e.cond, at, "the condition of `if`")
        tt, tx = self.expr(e.then, at, expected)
        et, ex = self.expr(e.else_, at, tt)
        if not tt.same(et):
            self.error(f"the two branches give {tt.describe()} and {et.describe()}", e.span, "E401")
        return tt, ir.If(tt, span=e.span, cond=cx, then=tx, else_=ex)

    # ---- functions
    def x_Call(self, e: n.Call, at: Any, expected: Type | None) -> Lowered:
        if e.func in BODY_RESULTS:
            return self.body_call(e, at)
        fn = BUILTINS.get(e.func)
        if fn is None:
            self.error(f"unknown function `{e.func}`", e.span, "E407", did_you_mean(e.func, BUILTINS))
            return bad()
        lowered = [self.expr(a, at) for a in e.args]
        typed = fn.typer([t for t, _ in lowered])
        if isinstance(typed, str):
            self.error(f"{fn.signature} {typed}", e.span, "E406")
            return bad()
        return typed, ir.Call(typed, span=e.span, func=e.func, args=tuple(x for _, x in lowered))

    def body_call(self, e: n.Call, at: Any) -> Lowered:
        """`administrator(b)`, `parent(b)`, `title(b)`, `duties(b)`, `administers(b)`, `parts(b)`."""
        b = self.book
        if len(e.args) != 1:
            self.error(f"{e.func}(body) takes one body", e.span, "E406")
            return bad()
        bodies = Type("enum", members=tuple(b.bodies))
        t, x = self.expr(e.args[0], at, bodies)
        if t.kind != "any" and not (t.kind == "enum" and set(t.members) <= set(b.bodies)):
            self.error(f"{e.func}() takes a body, not {t.describe()}", e.span, "E406")
            return bad()
        result = BODY_RESULTS[e.func]
        return result, ir.BodyCall(result, span=e.span, func=e.func, arg=x, book=b.name)

    # ---- items and tables
    def x_AnyOf(self, e: n.AnyOf, at: Any, expected: Type | None) -> Lowered:
        return BOOLEAN, ir.Items(BOOLEAN, span=e.span, mode="any", items=self.items_of(e, at))

    def x_AllOf(self, e: n.AllOf, at: Any, expected: Type | None) -> Lowered:
        return BOOLEAN, ir.Items(BOOLEAN, span=e.span, mode="all", items=self.items_of(e, at))

    def x_Lookup(self, e: n.Lookup, at: Any, expected: Type | None) -> Lowered:
        data = self.tables.get(e.table)
        if data is None:
            self.error(f"unknown table `{e.table}`", e.span, "E410", did_you_mean(e.table, self.tables))
            return bad()
        names = [c.name for c in data.columns]
        if e.column not in names:
            self.error(f"table `{e.table}` has no column `{e.column}`", e.span, "E410",
                       did_you_mean(e.column, names))
            return bad()
        key_type = data.types[0]
        want = key_type.inner if key_type.kind == "range" else key_type
        kt, kx = self.expr(e.key, at, want)
        self.expect(kt, want, e.key, f"the key of table `{e.table}`")  # type: ignore[arg-type]
        col = names.index(e.column)
        t = data.types[col]
        return t, ir.Lookup(t, span=e.span, table=data.key, column=col, key=kx)

    # ------------------------------------------------------------ items

    def item_condition(self, p: Provision) -> tuple[ir.Expr, set[str]] | None:
        """The lowered condition of an item and the names it reads (None if it has none)."""
        if id(p) in self.item_ir:
            return self.item_ir[id(p)]
        if p.condition is None:
            return None
        saved, self.deps = self.deps, set()
        saved_refs = self._reading_item
        self._reading_item = p
        self.item_ir[id(p)] = (ir.Const(BOOLEAN, value=Unknown()), set())  # while it is checked
        self.items[id(p)] = p
        t, x = self.expr(p.condition.expr, p, BOOLEAN)
        self.expect(t, BOOLEAN, p.condition.expr, f"the condition of {p.cite}")
        result = (x, self.deps)
        self.item_ir[id(p)] = result
        self.deps = saved
        self._reading_item = saved_refs
        if saved is not None:
            saved.update(result[1])
        return result

    def items_of(self, e: Any, at: Provision | None) -> tuple[str, ...]:
        """The keys of the items `any of` / `all of` tests, each checked to have a condition."""
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
        keys = []
        reader = self._reading_item
        for p in items:
            compiled = self.item_condition(p)
            if compiled is None:
                self.error(f"{p.cite} has no condition to test", e.span, "E311",
                           "write the item's condition as an expression under its text")
                continue
            if reader is not None:
                self.item_refs.setdefault(id(reader), set()).add(id(p))
            if self.deps is not None:
                self.deps.update(compiled[1])
            keys.append(item_key(p))
        return tuple(keys)

    def check_item_cycles(self) -> None:
        """Item conditions that test each other in a circle (E503), found without recursion."""
        state: dict[int, int] = {}
        for root in sorted(self.item_refs, key=lambda i: _order(self.items[i])):
            if state.get(root):
                continue
            state[root] = 1
            stack = [(root, [root], sorted(self.item_refs.get(root, ()), key=lambda i: _order(self.items[i])), 0)]
            while stack:
                node, path, refs, i = stack.pop()
                if i == len(refs):
                    state[node] = 2
                    continue
                stack.append((node, path, refs, i + 1))
                d = refs[i]
                if state.get(d) == 1:
                    cycle = path[path.index(d):] + [d] if d in path else [node, d]
                    p = self.items[node]
                    self.error("the conditions of these items test each other in a circle: "
                               + " -> ".join(self.items[c].cite for c in cycle),
                               p.condition.span if p.condition is not None else p.span, "E503",
                               "an item's condition cannot depend on its own answer")
                elif not state.get(d):
                    state[d] = 1
                    stack.append((d, path + [d], sorted(self.item_refs.get(d, ()),
                                                        key=lambda i: _order(self.items[i])), 0))


def _chain(e: n.Binary) -> list[tuple[Any, str]]:
    """The operands of a chain of one logical operator (`a and b and c`), left to right,
    each with the side of the operator it is on (for messages); without recursion."""
    out: list[tuple[Any, str]] = []
    stack: list[tuple[Any, str]] = [(e, "")]
    while stack:
        node, side = stack.pop()
        if isinstance(node, n.Binary) and node.op == e.op and (node is e or side == "left"):
            stack.append((node.right, "right"))
            stack.append((node.left, "left"))
        else:
            out.append((node, side))
    return out


def item_key(p: Provision) -> str:
    """The key of an item in IRBook.items (see `provision_key`)."""
    return provision_key(p)


def provision_key(p: Provision) -> str:
    """A provision's key in the IR: `book:eid`, `/1` for the sole paragraph of an article (cited
    as the article, it shares its eId), and `@N` for the N-th later version of its article (the
    versions of an article share their eIds)."""
    article = p.article
    versions = p.book.by_number.get(article.number, [article]) if article.kind == "article" else [article]
    i = next((i for i, v in enumerate(versions) if v is article), 0)
    sole = "/1" if p.kind == "paragraph" and p.transparent else ""
    return f"{p.book.name}:{p.eid}{sole}" + (f"@{i}" if i else "")


def _order(p: Provision) -> tuple:
    s = p.span
    return (s.file, s.line, s.column) if s is not None else ("", 0, 0)
