"""IR expressions to Python closures `f(state) -> value`, once per process.

A closure reads what it needs from the evaluation state (`State` in
engine.py): the facts given, the date, the values of the names and items
already computed, and appends what it read to the state's log, from which
citations and explanations are built.  The log holds `(DEP, name)` entries
(built once, when the closure is), `(ITEM, key, value)` for each item an
`any of` / `all of` consulted, and the provisions a body function read; the
names of the facts read go to a list of their own (`reads`), which only
explanations walk, so that citations scan only the log.  Unknown values (`Unknown`) propagate
as in Kleene's three-valued logic: `false and ?` is false, `true and ?` is
unknown, and an unknown carries the facts, decisions and reasons that would
decide it.  No source text is ever evaluated: the closures are built from
the IR's data.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any, Callable

from .. import ir
from ..core.builtins import BUILTINS
from ..core.units import Q, format_number
from ..core.values import Unknown
from .operators import ARITH, COMPARE, ORDERED, le, negate

Fn = Callable[[Any], Any]

_UNKNOWN = Unknown()
DEP, ITEM = 0, 2


def _merge2(x: Any, y: Any) -> Any:
    """The unknown among x, y (merged when both are), for an operator with an unknown operand."""
    if type(x) is Unknown:
        return x.merge(y) if type(y) is Unknown else x
    return y


def _pair(a: Fn, b: Fn, decisive: bool) -> Fn:
    """`a and b` (decisive False) or `a or b` (decisive True), the common case."""
    neutral = not decisive

    def pair(st: Any) -> Any:
        x = a(st)
        if x is decisive:
            return decisive
        y = b(st)
        if y is decisive:
            return decisive
        if x is neutral:
            return y
        if y is neutral:
            return x
        return x.merge(y)

    return pair


class Compiled:
    """Each rule's condition and value and each item's condition, compiled once, on first use,
    by `compiler` (the per-student Compiler or the ColumnCompiler)."""

    def __init__(self, compiler: Any, items: Any):
        self.compiler, self.items = compiler, items
        self._rules: dict[int, tuple[Any, Any]] = {}
        self._items: dict[str, Any] = {}

    def rule_fns(self, rule: ir.Rule) -> tuple[Any, Any]:
        """(condition, value) of a rule, each None where the rule has none."""
        found = self._rules.get(rule.rid)
        if found is None:
            cond = self.compiler.compile(rule.cond) if rule.cond is not None else None
            value = self.compiler.compile(rule.value) if rule.value is not None else None
            found = self._rules[rule.rid] = (cond, value)
        return found

    def item_fn(self, key: str) -> Any:
        """The condition of an item."""
        found = self._items.get(key)
        if found is None:
            found = self._items[key] = self.compiler.compile(self.items[key].cond)
        return found


class Compiler:
    """Turns the expressions of one IRBook into closures (memoised by node)."""

    def __init__(self, book: ir.IRBook, unknown_fact: dict[str, Unknown]):
        self.book = book
        self.unknown_fact = unknown_fact

    def compile(self, e: ir.Expr) -> Fn:
        """The closure of `e`."""
        return getattr(self, "c_" + type(e).__name__)(e)

    # ---- leaves
    def c_Const(self, e: ir.Const) -> Fn:
        v = e.value
        return lambda st: v

    def c_Fact(self, e: ir.Fact) -> Fn:
        name = e.name
        unknown = self.unknown_fact.get(name, _UNKNOWN)

        def fact(st: Any) -> Any:
            st.reads.append(name)
            v = st.facts.get(name)
            return unknown if v is None else v

        return fact

    def c_Ref(self, e: ir.Ref) -> Fn:
        name = e.name
        entry = (DEP, name)

        def ref(st: Any) -> Any:
            st.log.append(entry)
            return st.values[name]

        return ref

    def c_Today(self, e: ir.Today) -> Fn:
        return lambda st: st.as_of

    # ---- logic
    def c_Not(self, e: ir.Not) -> Fn:
        f = self.compile(e.arg)

        def not_(st: Any) -> Any:
            v = f(st)
            return v if type(v) is Unknown else not v

        return not_

    def c_And(self, e: ir.And) -> Fn:
        return self._connective(e.args, False)

    def c_Or(self, e: ir.Or) -> Fn:
        return self._connective(e.args, True)

    def _connective(self, args: tuple[ir.Expr, ...], decisive: bool) -> Fn:
        """`and` (decisive False) or `or` (decisive True) of any operands, left to right; the
        facts among them read in place rather than through a closure each."""
        neutral = not decisive
        if len(args) == 2 and not any(type(a) is ir.Fact for a in args):
            return _pair(self.compile(args[0]), self.compile(args[1]), decisive)
        parts = [(a.name, self.unknown_fact.get(a.name, _UNKNOWN), None) if type(a) is ir.Fact
                 else ("", _UNKNOWN, self.compile(a)) for a in args]

        def connective(st: Any) -> Any:
            facts, reads = st.facts, st.reads
            out: Any = neutral
            for name, unknown, f in parts:
                if f is None:
                    reads.append(name)
                    v = facts.get(name)
                    if v is None:
                        v = unknown
                else:
                    v = f(st)
                if v is decisive:
                    return decisive
                if v is not neutral:
                    out = v if out is neutral else out.merge(v)
            return out

        return connective

    # ---- arithmetic and comparison
    def c_Arith(self, e: ir.Arith) -> Fn:
        op = ARITH[e.op]
        lf, rf = self.compile(e.left), self.compile(e.right)

        def arith(st: Any) -> Any:
            x = lf(st)
            y = rf(st)
            if type(x) is Unknown or type(y) is Unknown:
                return _merge2(x, y)
            try:
                return op(x, y)
            except ZeroDivisionError:
                return Unknown(reasons=frozenset({"division by zero"}))

        return arith

    def c_Fold(self, e: ir.Fold) -> Fn:
        first = self.compile(e.first)
        steps = [(ARITH[op], self.compile(x)) for op, x in zip(e.ops, e.rest)]

        def fold(st: Any) -> Any:
            x = first(st)
            for op, f in steps:
                y = f(st)
                if type(x) is Unknown or type(y) is Unknown:
                    x = _merge2(x, y)
                    continue
                try:
                    x = op(x, y)
                except ZeroDivisionError:
                    x = Unknown(reasons=frozenset({"division by zero"}))
            return x

        return fold

    def c_Neg(self, e: ir.Neg) -> Fn:
        f = self.compile(e.arg)

        def neg(st: Any) -> Any:
            v = f(st)
            return v if type(v) is Unknown else negate(v)

        return neg

    def c_Compare(self, e: ir.Compare) -> Fn:
        fn = COMPARE[e.op]
        ordered = e.op in ORDERED
        lf = self.compile(e.left)
        if type(e.right) is ir.Const and type(e.right.value) is not Unknown \
                and e.left.ty.kind == e.right.ty.kind and e.left.ty.kind in ("quantity", "number", "date", "enum"):
            # the common case, `fact is at least 124 credits`: the constant's type is the fact's
            c = e.right.value
            if type(e.left) is ir.Fact:
                return self._compare_fact(e.left.name, fn, c.value if isinstance(c, Q) else c, isinstance(c, Q))
            if isinstance(c, Q):
                c = c.value

                def compare_q(st: Any) -> Any:
                    x = lf(st)
                    if type(x) is Unknown:
                        return x
                    return fn(x.value, c)

                return compare_q

            def compare_c(st: Any) -> Any:
                x = lf(st)
                if type(x) is Unknown:
                    return x
                return fn(x, c)

            return compare_c
        rf = self.compile(e.right)

        def compare(st: Any) -> Any:
            x = lf(st)
            y = rf(st)
            if type(x) is Unknown or type(y) is Unknown:
                return _merge2(x, y)
            if ordered and isinstance(x, Q):
                return fn(x.value, y.value)
            return fn(x, y)

        return compare

    def _compare_fact(self, name: str, fn: Any, c: Any, quantity: bool) -> Fn:
        """`fact OP constant`, the fact read in place."""
        unknown = self.unknown_fact.get(name, _UNKNOWN)
        if quantity:
            def compare_fact_q(st: Any) -> Any:
                st.reads.append(name)
                x = st.facts.get(name)
                if x is None:
                    return unknown
                return fn(x.value, c)

            return compare_fact_q

        def compare_fact(st: Any) -> Any:
            st.reads.append(name)
            x = st.facts.get(name)
            if x is None:
                return unknown
            return fn(x, c)

        return compare_fact

    def c_OneOf(self, e: ir.OneOf) -> Fn:
        f = self.compile(e.arg)
        names, negated = e.names, e.negated

        def one_of(st: Any) -> Any:
            v = f(st)
            if type(v) is Unknown:
                return v
            return (v in names) != negated

        return one_of

    def c_If(self, e: ir.If) -> Fn:
        cf, tf, ef = self.compile(e.cond), self.compile(e.then), self.compile(e.else_)

        def if_(st: Any) -> Any:
            c = cf(st)
            if c is True:
                return tf(st)
            if c is False:
                return ef(st)
            a, b = tf(st), ef(st)
            if type(a) is not Unknown and type(b) is not Unknown and a == b:
                return a
            return c.merge(a) if type(a) is Unknown else c

        return if_

    def c_Shown(self, e: ir.Shown) -> Fn:
        f = self.compile(e.arg)
        unit, factor = e.unit, e.factor

        def shown(st: Any) -> Any:
            v = f(st)
            if isinstance(v, Q) and v.unit != unit:
                return Q(v.value, v.dim, unit, factor)
            return v

        return shown

    # ---- functions, bodies, items, tables
    def c_Call(self, e: ir.Call) -> Fn:
        fns = [self.compile(a) for a in e.args]
        impl = BUILTINS[e.func].impl

        def call(st: Any) -> Any:
            args = [f(st) for f in fns]
            bad = None
            for a in args:
                if type(a) is Unknown:
                    bad = a if bad is None else bad.merge(a)
            if bad is not None:
                return bad
            return impl(*args)

        return call

    def c_BodyCall(self, e: ir.BodyCall) -> Fn:
        from .organization import BODY_FUNCTIONS, asks

        f = self.compile(e.arg)
        org = self.book.organizations[e.book]
        lookup = BODY_FUNCTIONS[e.func]
        func = e.func

        def body_call(st: Any) -> Any:
            name = f(st)
            if type(name) is Unknown:
                return name
            value, provisions = lookup(org, name)
            st.log.extend(provisions)
            if value is None:
                return Unknown(reasons=frozenset({asks(func, str(org.titles.get(name, name)))}))
            return value

        return body_call

    def c_Items(self, e: ir.Items) -> Fn:
        keys = e.items
        decisive = e.mode == "any"
        outcome = not decisive

        def items(st: Any) -> Any:
            values = st.values
            unknown = None
            seen = []
            for key in keys:
                v = values[key]
                seen.append((ITEM, key, v))
                if v is decisive:
                    st.log.append(seen[-1])
                    return decisive
                if type(v) is Unknown:
                    unknown = v if unknown is None else unknown.merge(v)
            if unknown is not None:
                st.log.extend(e for e in seen if type(e[2]) is Unknown)
                return unknown
            st.log.extend(seen)
            return outcome

        return items

    def c_Lookup(self, e: ir.Lookup) -> Fn:
        kf = self.compile(e.key)
        table = self.book.tables[e.table]
        col = e.column

        def lookup(st: Any) -> Any:
            k = kf(st)
            if type(k) is Unknown:
                return k
            return find(table, k, col, st.as_of)

        return lookup


def find(table: ir.Table, key: Any, col: int, as_of: Any) -> Any:
    """The cell in column `col` of the row matching `key`, or why there is none."""
    if table.as_of is not None and as_of is not None and as_of < table.as_of:
        return Unknown(reasons=frozenset({
            f"the figures of table `{table.name}` hold as of {table.as_of.isoformat()}"}))
    ranged = table.ranged
    for row in table.rows:
        k = row[0]
        if k is None:
            continue
        if ranged:
            lo, hi = k
            if le(lo, key) and le(key, hi):
                return row[col] if row[col] is not None else _none(table.name)
        elif k == key:
            return row[col] if row[col] is not None else _none(table.name)
    return Unknown(reasons=frozenset({f"E803: {show(key)} is not in table `{table.name}`"}))


def show(v: Any) -> str:
    """A value as a message shows it: `8 years`, `2.5`, `2025-04-01`."""
    if isinstance(v, Q):
        return str(v)
    if isinstance(v, (int, Fraction)) and not isinstance(v, bool):
        return format_number(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _none(table: str) -> Unknown:
    return Unknown(reasons=frozenset({f"table `{table}` gives no value here"}))
