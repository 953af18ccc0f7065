"""Hypothesis strategies: small random but valid books, as .reg text, and partial students for them.

    @given(data=st.data())
    def test_x(data):
        book = data.draw(books())            # a GenBook: .text, .inputs, .dates, ...
        facts = data.draw(students(book))    # each input absent, null or a value of its type
        as_of = data.draw(as_of_dates(book))

A book is valid by construction (tests/test_agreement.py checks that every one
loads): names are computed from facts and from names generated before them,
and item conditions from names before the first name that tests them, so the
dependency graph has no cycle; an exception names only provisions earlier in
the book that hold a rule for its name, and `however` qualifies only the
rules of its own paragraph, so exceptions form no cycle; a name has at most
one unconditional rule in force on any day (E505).  The language used is the
one of docs/language.md: headings, articles with paragraphs and items, deleted
articles; facts of every kind (booleans, integers and decimals, years, months,
credits and a unit of the book's own, enumerations, dates, texts, times),
decisions of bodies (boolean or one of several values), a body with relations;
`=` and `if` rules with `when`/`unless`, `however` (in the paragraph or in its
items), `notwithstanding` and `overrides`, `any of`/`all of` items (the
paragraph's own and other provisions'), names cited `of article N`;
comparisons in words and symbols, arithmetic with units, min/max, rounding,
date and calendar functions, if-expressions, `is one of`, lookups in a table
and in a table of ranges; delegated matters, an article in two dated versions,
paragraphs in force from a date, an amendment sparing some students, and
figures stated `as of` a date.  `ir_students` draws partial students for any
lowered book (the bundled ones), around its own constants and dates.

Students are drawn around what the book compares against: every constant of
a fact's kind and one either side of it, every member of an enumeration, the
days around every date the book names (effective dates included).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import attrs
from hypothesis import strategies as st

Draw = Callable[[st.SearchStrategy[Any]], Any]

SCALARS = ("bool", "int", "dur", "cred", "date")
OTHERS = ("text", "time")  # compared with `is` (text) or in order (time), never computed with
COMPARISONS = ("<", "<=", ">", ">=", "is", "is not", "is at least", "is at most", "is more than",
               "is less than", "exceeds")
DAY = dt.timedelta(days=1)


@attrs.define
class GenBook:
    """A generated book: its text and what students and dates for it are drawn from."""

    text: str
    inputs: dict[str, tuple[str, str]]  # fact or decision -> (family, unit: years/months for `dur`)
    enums: dict[str, tuple[str, ...]]  # enum family -> its members
    numbers: dict[str, set[int]]  # family -> constants (`dur` in months)
    dates: set[dt.date]  # every date the book names
    start: dt.date  # the header's `in force from`
    outcomes: list[str]
    names: list[str]  # every computed name, outcomes and definitions


@attrs.define
class _Para:
    """A paragraph being generated: where it is, its items and its statements."""

    article: str  # the article's number
    version: int  # 0 for an article with one version, else 1 or 2
    number: int
    kind: str  # plain, conditions (items with conditions) or rules (items holding `however` rules)
    valid_from: dt.date | None = None
    level: int = 0  # item conditions read names before this one; names from it on may test them
    items: list[str] = attrs.Factory(list)  # item conditions (kind `conditions`) or rule lines
    lines: list[str] = attrs.Factory(list)  # declarations, tables and rules, in order
    rules: dict[str, int] = attrs.Factory(dict)  # name -> how many rules it has here
    mains: dict[str, int] = attrs.Factory(dict)  # name -> how many rules `however` can qualify

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.article, self.version, self.number)


@attrs.define
class _Ctx:
    """Where an expression is written: for the name with this index (it reads names before it)."""

    index: int
    para: _Para
    items: bool = True  # whether it may test items (an item's own condition may not)


@attrs.define
class _Rule:
    name: str
    para: _Para
    kind: str  # main, however, delegated
    in_item: bool = False


class _Builder:
    """Draws one book."""

    def __init__(self, draw: Draw):
        self.draw = draw
        self.inputs: dict[str, tuple[str, str]] = {}
        self.facts_of: dict[str, list[str]] = {f: [] for f in SCALARS + OTHERS}
        self.enums: dict[str, tuple[str, ...]] = {}
        self.numbers: dict[str, set[int]] = {"int": set(), "dur": set(), "cred": set()}
        self.dates: set[dt.date] = set()
        self.names: list[tuple[str, str]] = []  # (name, family), in dependency order
        self.paras: list[_Para] = []
        self.table: tuple[str, str] | None = None  # (table, enum family of its key)
        self.bands: str | None = None  # the enum family a table of credit bands gives

    # ---------------------------------------------------------------- helpers
    def pick(self, seq: Any) -> Any:
        return self.draw(st.sampled_from(list(seq)))

    def chance(self, p: float) -> bool:
        return self.draw(st.integers(0, 99)) < p * 100

    def date(self) -> dt.date:
        d = self.draw(st.dates(dt.date(2020, 1, 1), dt.date(2027, 12, 31)))
        self.dates.add(d)
        return d

    # ---------------------------------------------------------------- the book
    def build(self) -> GenBook:
        self.start = self.draw(st.sampled_from([dt.date(2020, 4, 1), dt.date(2022, 12, 20)]))
        self.dates.add(self.start)
        self._inputs()
        self._layout()
        n_names = self.draw(st.integers(1, 6))
        families = [self.pick(SCALARS + tuple(self.enums)) for _ in range(n_names)]
        if self.chance(0.15):
            families[self.draw(st.integers(0, n_names - 1))] = self.pick(OTHERS)
        self.names = [(f"n{i}", fam) for i, fam in enumerate(families)]
        outcomes = {name for name, _ in self.names if self.chance(0.6)} | {self.names[-1][0]}
        rules = self._place_rules()
        index = {name: i for i, (name, _) in enumerate(self.names)}
        for p in self.paras:  # the names with rules here may test the items here
            if p.kind == "conditions":
                p.level = self.draw(st.integers(0, min((index[n] for n in p.rules), default=n_names)))
        self._declare_names(rules, outcomes)
        self._table()
        for p in self.paras:  # book order: an exception can only name what came before
            if p.kind == "conditions":
                self._item_conditions(p)
            for r in [r for r in rules if r.para is p]:
                self._emit(r)
        text = self._header() + "".join(self._article_text(a) for a in self._articles())
        last = int(self.paras[-1].article)
        text += self.pick(["", f"article {last + 1} deleted\n\n", f"articles {last + 1} to {last + 3} deleted\n\n"])
        text += self._supplementary()
        return GenBook(text, self.inputs, self.enums, self.numbers, self.dates, self.start,
                       [n for n, _ in self.names if n in outcomes], [n for n, _ in self.names])

    def _inputs(self) -> None:
        for e in range(self.draw(st.integers(0, 2))):
            self.enums[f"enum{e}"] = tuple(f"m{e}_{k}" for k in range(self.draw(st.integers(2, 4))))
        kinds = ["bool"] + [self.pick(SCALARS + tuple(self.enums) + OTHERS)
                            for _ in range(self.draw(st.integers(1, 6)))]
        for i, family in enumerate(kinds):
            unit = ""
            if family == "dur":
                unit = self.pick(["years", "months", "semesters"])
            elif family == "int":
                unit = self.pick(["integer", "integer", "number"])  # a number may be a decimal
            self.inputs[f"f{i}"] = (family, unit)
            self.facts_of.setdefault(family, []).append(f"f{i}")
        for i in range(self.draw(st.integers(0, 2))):  # a decision is a boolean, or one of several
            family = self.pick(["bool", "bool"] + list(self.enums))
            self.inputs[f"d{i}"] = ("decision", family)
            self.facts_of.setdefault(family, []).append(f"d{i}")

    def _layout(self) -> None:
        n = self.draw(st.integers(1, 4))
        self.versioned = self.draw(st.integers(2, n)) if n >= 2 and self.chance(0.3) else None
        if self.versioned is not None:
            self.switch = self.draw(st.dates(self.start + 30 * DAY, dt.date(2027, 4, 1)))
            self.dates.update({self.switch, self.switch - DAY})
        for a in range(1, n + 1):
            for version in ((1, 2) if a == self.versioned else (0,)):
                for number in range(1, self.draw(st.integers(1, 3)) + 1):
                    kind = self.draw(st.sampled_from(["plain", "plain", "conditions", "rules"]))
                    valid = self.date() if number > 1 and version == 0 and self.chance(0.15) else None
                    self.paras.append(_Para(str(a), version, number, kind, valid))

    def _articles(self) -> list[list[_Para]]:
        out: list[list[_Para]] = []
        for p in self.paras:
            if p.number == 1:
                out.append([])
            out[-1].append(p)
        return out

    # ---------------------------------------------------------------- rules
    def _place_rules(self) -> list[_Rule]:
        """Where each rule goes, and which are provisos (`however`) or delegations."""
        rules: list[_Rule] = []
        for name, family in self.names:
            for k in range(self.draw(st.integers(1, 3))):
                p = self.pick(self.paras)
                kind = "main"
                if k and p.mains.get(name) and self.chance(0.5):
                    kind = "however"
                elif k and family != "text" and self.chance(0.1):
                    kind = "delegated"
                p.rules[name] = p.rules.get(name, 0) + 1
                if kind == "main":
                    p.mains[name] = p.mains.get(name, 0) + 1
                rules.append(_Rule(name, p, kind, in_item=kind == "however" and p.kind == "rules"))
        order = {id(p): i for i, p in enumerate(self.paras)}
        rules.sort(key=lambda r: (order[id(r.para)], r.kind == "however"))  # stable: names stay in order
        return rules

    def _declare_names(self, rules: list[_Rule], outcomes: set[str]) -> None:
        first: dict[str, _Para] = {}
        for r in rules:
            first.setdefault(r.name, r.para)
        for name, family in self.names:
            kind = "outcome" if name in outcomes else "define"
            first[name].lines.append(f'{kind} {name} : {self._type(family, "")} "The answer {name}."')
        self.plain_periods: dict[str, set[int]] = {}

    def _type(self, family: str, unit: str) -> str:
        if family in self.enums:
            return "one of " + ", ".join(self.enums[family])
        return {"bool": "boolean", "int": unit or "integer", "dur": unit or self.pick(["years", "months"]),
                "cred": "credits", "date": "date", "text": "text", "time": "time"}[family]

    def _emit(self, r: _Rule) -> None:
        p = r.para
        index = next(i for i, (n, _) in enumerate(self.names) if n == r.name)
        family = self.names[index][1]
        if r.kind == "delegated":
            p.lines.append(f"delegated {r.name}")
            return
        ctx = _Ctx(index, p)
        conditions: list[str] = []
        own = p.kind == "conditions" and p.level <= index and self.chance(0.6)
        if own and family == "bool":  # Article 43: `must_be_expelled if any of the items`
            head = f"{r.name} if {self.pick(['any of', 'all of'])} the items"
        elif family == "bool" and self.chance(0.6):
            head = f"{r.name} if {self.expr('bool', 2, ctx)}"
        else:
            head = f"{r.name} = {self.expr(family, 2, ctx, top=True)}"
        if own and family != "bool":
            conditions.append(f"when {self.pick(['any of', 'all of'])} the items")
        for _ in range(self.draw(st.integers(0, 2))):
            conditions.append(f"when {self.expr('bool', 1, ctx)}")
        if self.chance(0.25):
            conditions.append(f"unless {self.expr('bool', 1, ctx)}")
        if r.kind == "main":
            conditions.extend(self._exceptions(r))
        if r.kind == "main" and " = " in head and not conditions:
            period = {1: 1, 2: 2}.get(p.version, 0)
            taken = self.plain_periods.setdefault(r.name, set())
            if taken & ({0, 1, 2} if period == 0 else {0, period}):  # E505: two rules always applying
                conditions.append(f"when {self.expr('bool', 1, ctx)}")
            else:
                taken.add(period)
        clauses = conditions + ([f"as of {self.date().isoformat()}"] if self.chance(0.08) else [])
        line = ("however " if r.kind == "however" else "") + head
        if clauses and self.chance(0.5):
            line += "\n" + "\n".join("  " + c for c in clauses)
        elif clauses:
            line += " " + " ".join(clauses)
        (p.items if r.in_item else p.lines).append(line)

    def _exceptions(self, r: _Rule) -> list[str]:
        """`notwithstanding` / `overrides` clauses naming earlier provisions with a rule for the name."""
        p = r.para
        refs = []
        for q in self.paras:
            if q is p:
                break
            if not q.rules.get(r.name):
                continue
            if q.article == p.article and q.version == p.version:
                refs.append("the preceding paragraph" if q.number == p.number - 1 else f"paragraph {q.number}")
            elif q.version == 0 and q.article != p.article:
                refs.append("the preceding article" if int(q.article) == int(p.article) - 1
                            else f"article {q.article}")
        out = []
        for ref in dict.fromkeys(refs):
            if self.chance(0.45):
                out.append(f"{self.pick(['notwithstanding', 'overrides'])} {ref}")
        return out

    # ---------------------------------------------------------------- expressions
    def expr(self, family: str, depth: int, ctx: "_Ctx", top: bool = False, typed: bool = True) -> str:
        """An expression of `family` for `ctx`; compound parts are parenthesised.

        `typed` is False where the checker cannot know the type expected (the left side of a
        comparison): a bare member of an enumeration is not understood there."""
        text = self._expr(family, depth, ctx, typed)
        if top or " " not in text or (text.startswith("(") and text.endswith(")") and _balanced(text[1:-1])):
            return text
        return f"({text})"

    def _expr(self, family: str, depth: int, ctx: "_Ctx", typed: bool) -> str:
        leaves = self._leaves(family, ctx, typed)
        if depth <= 0 or self.chance(0.35):
            return self.pick(leaves)
        sub = depth - 1
        e = self.expr
        if family == "bool":
            return self._boolean(sub, ctx) or self.pick(leaves)
        if family == "text" and self.chance(0.5):
            return self.pick(["title(President)", "administrator(President)", "administrator(Office)",
                              "parent(Office)", "title(Office)"])
        if family == self.bands and self.chance(0.5):
            return f"lookup grade in t1 for {e('cred', sub, ctx)}"
        if family in self.enums or family in OTHERS or self.chance(0.15):
            return f"if {e('bool', sub, ctx)} then {e(family, sub, ctx, typed=typed)} else {e(family, sub, ctx)}"
        if family == "date":
            choice = self.pick(["months", "days", "func", "minmax"])
            if choice == "months":
                return f"{e('date', sub, ctx)} {self.pick('+-')} {e('dur', sub, ctx)}"
            if choice == "days":
                return f"{e('date', sub, ctx)} {self.pick('+-')} {self.draw(st.integers(1, 40))} days"
            if choice == "func":
                fn = self.pick(["month_end", "month_start", "next_month_start", "previous_month_end"])
                return f"{fn}({e('date', sub, ctx)})"
            return f"{self.pick(['min', 'max'])}({e('date', sub, ctx)}, {e('date', sub, ctx)})"
        choice = self.pick(["+", "-", "*", "/", "minmax", "special", "special"])
        if choice in "+-":
            return f"{e(family, sub, ctx)} {choice} {e(family, sub, ctx)}"
        if choice == "*":
            if family == "int":
                return f"{e('int', sub, ctx)} * {e('int', sub, ctx)}"
            return f"{self.draw(st.integers(0, 3))} * {e(family, sub, ctx)}"
        if choice == "/":
            return f"{e(family, sub, ctx)} / {self.pick(['2', '3', e('int', sub, ctx)])}"
        if choice == "minmax":
            return f"{self.pick(['min', 'max'])}({e(family, sub, ctx)}, {e(family, sub, ctx)})"
        choice = self.pick(["neg", "round", family, family])
        if choice == "neg":
            return f"-{e(family, sub, ctx)}"
        if choice == "round":
            return f"{self.pick(['floor', 'ceil'])}({e(family, sub, ctx)})"
        if family == "dur":
            fn = self.pick(["months_between", "years_between", "age", "calendar_months"])
            return f"{fn}({e('date', sub, ctx)}, {e('date', sub, ctx)})"
        if family == "cred" and self.table is not None:
            table, key = self.table
            return f"lookup cap in {table} for {self.pick(self._leaves(key, ctx, True))}"
        if family == "int":
            return f"day_of_month({e('date', sub, ctx)})"
        return f"{e(family, sub, ctx)} * 1"

    def _boolean(self, sub: int, ctx: "_Ctx") -> str | None:
        e = self.expr
        choice = self.pick(["cmp", "cmp", "enum", "and", "or", "not", "if", "items", "items", "date", "other"])
        if choice == "cmp":
            fam = self.pick(["int", "dur", "cred", "date"])
            subjects = self._leaves(fam, ctx, True)[:-1]  # facts and names, not the literal
            if subjects and self.chance(0.5):  # the regulations' own form: `credits_earned is at least 124 credits`
                return f"{self.pick(subjects)} {self.pick(COMPARISONS)} {self._literal(fam)}"
            return f"{e(fam, sub, ctx)} {self.pick(COMPARISONS)} {e(fam, sub, ctx)}"
        if choice == "other":
            fam = self.pick(OTHERS)
            ops = ["is", "is not"] if fam == "text" else COMPARISONS
            if self.chance(0.5):
                return f"days_between({e('date', sub, ctx)}, {e('date', sub, ctx)}) {self.pick(COMPARISONS)} " \
                       f"{self.draw(st.integers(0, 400))} days"
            return f"{e(fam, sub, ctx)} {self.pick(ops)} {e(fam, sub, ctx)}"
        subjects = [f for f in self.enums if self._leaves(f, ctx, False)]
        if choice == "enum" and subjects:
            fam = self.pick(subjects)
            members = self.enums[fam]
            subject = e(fam, sub, ctx, typed=False)
            if self.chance(0.5):
                chosen = self.draw(st.lists(st.sampled_from(members), min_size=1, max_size=3, unique=True))
                return f"{subject} {self.pick(['is one of', 'is not one of'])} ({', '.join(chosen)})"
            return f"{subject} {self.pick(['is', 'is not'])} {e(fam, sub, ctx)}"
        if choice in ("and", "or"):
            return f" {choice} ".join(e("bool", sub, ctx) for _ in range(self.draw(st.integers(2, 3))))
        if choice == "not":
            return f"not {e('bool', sub, ctx)}"
        if choice == "if":
            return f"if {e('bool', sub, ctx)} then {e('bool', sub, ctx)} else {e('bool', sub, ctx)}"
        if choice == "items":
            return self._items_ref(ctx)
        if choice == "date":
            fn = self.pick(["is_weekend", "is_first_of_month", "is_national_holiday"])
            return f"{fn}({e('date', sub, ctx)})"
        return None

    def _leaves(self, family: str, ctx: "_Ctx", typed: bool) -> list[str]:
        out = list(self.facts_of.get(family, []))
        for name, fam in self.names[:ctx.index]:
            if fam == family:
                out.append(self._qualified(name) if self.chance(0.2) else name)
        if family == "date" and self.chance(0.3):
            out.append("as_of")
        if (family in self.enums and not typed) or (family == "bool" and out and self.chance(0.7)):
            return out
        return out + [self._literal(family)]

    def _qualified(self, name: str) -> str:
        """`name of article N`, naming an article (of one version) that holds one of its rules."""
        where = sorted({p.article for p in self.paras if p.rules.get(name) and p.version == 0})
        return f"{name} of article {self.pick(where)}" if where else name

    def _literal(self, family: str) -> str:
        if family == "bool":
            return self.pick(["true", "false"])
        if family in self.enums:
            return self.pick(self.enums[family])
        if family == "date":
            return self.date().isoformat()
        if family == "text":
            return self.pick(['"a text"', '"the President"', '"another text"'])
        if family == "time":
            return self.pick(["8:30", "12:00", "13:10", "18:00"])
        if family == "int":
            if self.chance(0.1):
                return self.pick(["0.5", "2.5"])
            n = self.draw(st.integers(0, 12))
            self.numbers["int"].add(n)
            return str(n)
        if family == "cred":
            n = self.draw(st.sampled_from([0, 4, 10, 30, 60, 124]))
            self.numbers["cred"].add(n)
            return f"{n} credits"
        n, unit = self.draw(st.sampled_from([(0, "years"), (1, "years"), (2, "years"), (4, "years"),
                                             (8, "years"), (6, "months"), (18, "months"), (3, "semesters")]))
        self.numbers["dur"].add(n * {"years": 12, "months": 1, "semesters": 6}[unit])
        return f"{n} {unit}"

    def _items_ref(self, ctx: "_Ctx") -> str | None:
        """`any of` / `all of` the items of this paragraph or another, if some may be tested here."""
        if not ctx.items:
            return None
        here, index = ctx.para, ctx.index
        mode = self.pick(["any of", "all of"])
        if here.kind == "conditions" and here.level <= index and self.chance(0.6):
            return f"{mode} the items"
        options = []
        for q in self.paras:
            if q.kind != "conditions" or q.level > index:
                continue
            if q.article == here.article and q.version == here.version:
                if q is not here:
                    options.append(f"paragraph {q.number}" if q.number > 1 else "this article")
            elif q.version == 0:
                options.append(f"article {q.article}" + (f" paragraph {q.number}" if q.number > 1 else ""))
        if not options:
            return None
        ref = self.pick(options)
        if self.chance(0.3):
            ref = f"items 1 and 2 of {ref}"
        elif self.chance(0.2):
            ref = f"item 1 of {ref}"
        return f"{mode} {ref}"

    def _item_conditions(self, p: _Para) -> None:
        # two items at least, so that `items 1 and 2 of ...` always names items that exist; an
        # item's condition tests no items (item conditions in a circle are E503)
        ctx = _Ctx(p.level, p, items=False)
        for _ in range(self.draw(st.integers(2, 3))):
            cond = self.expr("bool", 2, ctx, top=True)
            p.items.append(cond if not cond.startswith(("if ", "not ")) else f"({cond})")

    def _table(self) -> None:
        if self.enums and self.chance(0.3):  # a range key: the grade scale
            self.bands = self.pick(self.enums)
            members = self.enums[self.bands]
            lines = ['table t1 "Bands"', '  column band : range of credits "Band"',
                     f'  column grade : {self._type(self.bands, "")} "Grade"']
            bounds = [0, 30, 60, 100][: len(members) + 1]
            for lo, hi, m in zip(bounds, bounds[1:], members):
                lines.append(f"  row {lo} credits to {hi - 1} credits, {m}")  # 100 and more: in no row
            self.numbers["cred"].update(bounds)
            self.pick([p for p in self.paras if p.version == 0] or self.paras).lines.extend(lines)
        if not self.enums or not self.chance(0.4):
            return
        key = self.pick(self.enums)
        rows = [m for m in self.enums[key] if self.chance(0.8)]
        lines = [f'table t0 "Caps"', f'  column kind : {self._type(key, "")} "Kind"',
                 '  column cap : credits "Cap"']
        for m in rows:
            cell = self.pick(["none", "10 credits", "30 credits", "60 credits"])
            lines.append(f"  row {m}, {cell}")
        if self.chance(0.3):
            lines.append(f"  as of {self.date().isoformat()}")
        if not rows:
            return
        self.pick([p for p in self.paras if p.version == 0] or self.paras).lines.extend(lines)
        self.table = ("t0", key)
        self.numbers["cred"].update({10, 30, 60})

    # ---------------------------------------------------------------- text
    def _header(self) -> str:
        bodies = ('unit semester, semesters = 6 months\n\n'
                  'body President "the President"\nbody Faculty_Meeting "the Faculty Meeting"\n'
                  'body Office "the Office"\n  | The Office handles the affairs of students.\n'
                  '  administered by President\n')
        head = (f'book gen "Generated Regulations"\n  | A generated book.\n  established 2019-04-01\n'
                f"  in force from {self.start.isoformat()}\n\n{bodies}\n")
        if self.chance(0.3):
            head += 'section 1 "General Provisions"\npart 1 "Students"\n\n'
        decls = []
        for name, (family, unit) in self.inputs.items():
            if family == "decision":
                upon = " upon approval by Faculty_Meeting" if self.chance(0.5) else ""
                typed = f" : {self._type(unit, '')}" if unit != "bool" else ""
                decls.append(f'decision {name}{typed} by President{upon} "Decision {name}."')
            else:
                decls.append(f'fact {name} : {self._type(family, unit)} "Fact {name}."')
        self.paras[0].lines[:0] = decls
        if self.chance(0.3):
            self.pick(self.paras[1:] or self.paras).lines.append("refers to article 1")
        return head

    def _article_text(self, paras: list[_Para]) -> str:
        first = paras[0]
        validity = ""
        if first.version == 1:
            validity = f" in force until {(self.switch - DAY).isoformat()}" if self.chance(0.5) else \
                f" in force from {self.start.isoformat()} until {(self.switch - DAY).isoformat()}"
        elif first.version == 2:
            validity = f" in force from {self.switch.isoformat()}"
        out = [f'article {first.article} "Article {first.article}"{validity}']
        # A later version says what it drops (E208): the paragraphs and items of the version
        # before it that it lacks are written as deleted, and a name it no longer gives a rule
        # is left to separate regulations.
        before = [q for q in self.paras if q.article == first.article and q.version == 1] \
            if first.version == 2 else []
        items_before = {q.number: len(q.items) for q in before}
        dropped = sorted({n for q in before for n, c in q.rules.items() if c}
                         - {n for q in paras for n, c in q.rules.items() if c})
        for p in paras:
            indent = "  "
            if p.number > 1:
                since = f" in force from {p.valid_from.isoformat()}" if p.valid_from else ""
                out.append(f"\n  paragraph {p.number}{since}")
                indent = "    "
            out.append(f"{indent}| The text of paragraph {p.number} of article {p.article}.")
            lines = p.lines + ([f"delegated {n}" for n in dropped] if p is paras[-1] else [])
            out.extend(_indented(lines, indent))
            for i, item in enumerate(p.items, 1):
                out.append(f"\n{indent}item {i}\n{indent}  | The text of item {i}.")
                out.extend(_indented([item], indent + "  "))
            for i in range(len(p.items) + 1, items_before.get(p.number, 0) + 1):
                out.append(f"\n{indent}item {i} deleted")
        for number in range(len(paras) + 1, len(before) + 1):
            out.append(f"\n  paragraph {number} deleted")
        return "\n".join(out) + "\n\n"

    def _supplementary(self) -> str:
        if not self.chance(0.3):
            return ""
        when = self.switch if self.versioned is not None and self.chance(0.7) else \
            self.draw(st.dates(self.start + DAY, dt.date(2027, 12, 31)))
        self.dates.update({when, when - DAY})
        facts = {f: fam for f, (fam, _) in self.inputs.items() if fam != "decision"}
        cond = self._sparing(facts)
        affects = ""
        if self.chance(0.5):
            affects = f"\n      affects article {self.pick(sorted({p.article for p in self.paras}))}"
        return (f'supplementary provisions\n  | The amendment takes effect on {when.isoformat()}.\n'
                f'  amendment "Amendment A" takes effect {when.isoformat()}\n\n'
                f'  paragraph 2\n    | It does not apply to some students.\n'
                f'    amendment "Amendment A"\n      not applying when {cond}{affects}\n')

    def _sparing(self, facts: dict[str, str]) -> str:
        """A condition over facts only (whom an amendment spares is said with facts, E206)."""
        dates = [f for f, fam in facts.items() if fam == "date"]
        parts = [self.pick([f for f, fam in facts.items() if fam == "bool"])]
        if dates:
            parts.append(f"{self.pick(dates)} is at most {self.date().isoformat()}")
        return " and ".join(self.draw(st.lists(st.sampled_from(parts), min_size=1, max_size=2, unique=True)))


def _indented(lines: list[str], indent: str) -> list[str]:
    return [indent + line.replace("\n", "\n" + indent) for line in lines]


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


@st.composite
def books(draw: Draw) -> GenBook:
    """A small random book that `regdsl.load` accepts."""
    return _Builder(draw).build()


@st.composite
def students(draw: Draw, book: GenBook) -> dict[str, Any]:
    """A partial student for `book`: each fact and decision absent, null, or a value of its type.

    Some students are complete and some know little, so that determined, undetermined and
    discretionary answers all occur."""
    known = draw(st.sampled_from([100, 90, 70, 40]))
    out: dict[str, Any] = {}
    for name, (family, unit) in book.inputs.items():
        roll = draw(st.integers(0, 99))
        if roll < known:
            out[name] = draw(_value(book, family, unit))
        elif roll % 2:
            out[name] = None  # given as unknown (null)
    return out


def _value(book: GenBook, family: str, unit: str) -> st.SearchStrategy[Any]:
    if family == "decision":  # a decision's `unit` is the family of its values
        family, unit = unit, ""
    if family == "bool":
        return st.booleans()
    if family == "text":
        return st.sampled_from(["a text", "the President", "another text", "something else"])
    if family == "time":
        return st.sampled_from(["8:30", "8:29", "12:00", "12:01", "13:10", "18:00", "0:00"])
    if family in book.enums:
        return st.sampled_from(book.enums[family])
    if family == "date":
        near = sorted({d + k * DAY for d in book.dates for k in (-1, 0, 1)})
        return st.one_of(st.sampled_from(near), st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31))) \
            .map(dt.date.isoformat)
    around = sorted({n + k for n in book.numbers.get(family, set()) | {0, 1, 3} for k in (-1, 0, 1)})
    amounts = [n for n in around if n >= 0]  # a quantity is never negative (docs/language.md)
    if family == "dur":  # constants are in months; a fact is given in its own unit, or with one
        return st.sampled_from(amounts).map(lambda m: _duration(m, unit))
    if family == "cred":
        return st.one_of(st.sampled_from(amounts), st.sampled_from(amounts).map(lambda n: f"{n} credits"))
    if unit == "number":  # a decimal: halves between the constants too
        return st.sampled_from(around).flatmap(lambda n: st.sampled_from([n, n + 0.5, f"{n}.25"]))
    return st.sampled_from(around)


def _duration(months: int, unit: str) -> Any:
    size = {"years": 12, "months": 1, "semesters": 6}[unit]
    return months // size if months % size == 0 else f"{months} months"


@st.composite
def as_of_dates(draw: Draw, book: GenBook) -> dt.date:
    """A date to evaluate on: around the book's dates (effective dates included), or any day in force;
    now and then the day before the book is in force (answered "not encoded")."""
    near = sorted(d for d in {d + k * DAY for d in book.dates for k in (-1, 0, 1)} if d >= book.start)
    when, close, anyday = draw(st.tuples(st.sampled_from(_WHEN), st.sampled_from(near or [book.start]),
                                         st.dates(book.start, dt.date(2030, 12, 31))))
    return book.start - DAY if when == "before" else close if when == "near" else anyday


_WHEN = ["near"] * 9 + ["any"] * 10 + ["before"]


# ------------------------------------------------------------------ students for any lowered book


def ir_students(book: Any) -> st.SearchStrategy[dict[str, Any]]:
    """A partial student for a lowered book (`regdsl.Book.ir`), drawn around its constants and dates."""
    from regdsl import ir

    numbers: set[Any] = set()
    quantities: dict[tuple, set[Any]] = {}
    dates = _ir_dates(book)
    for name in book.names.values():
        for rule in name.rules:
            for e in (rule.cond, rule.value):
                for node in ir.walk(e) if e is not None else ():
                    if type(node) is ir.Const:
                        _constant(node.value, numbers, quantities, dates)
    for table in book.tables.values():
        for row in table.rows:
            for cell in row:
                for v in (cell if isinstance(cell, tuple) else (cell,)):
                    _constant(v, numbers, quantities, dates)
    choices = {}
    for name, inp in book.inputs.items():
        value = _ir_value(inp.ty, numbers, quantities, dates, book.units)
        if value is not None:
            choices[name] = value.filter(lambda raw, inp=inp: _admitted(raw, inp, book.units))
    return st.builds(_partial, st.sampled_from([100, 98, 90, 60]),
                     st.fixed_dictionaries({k: st.tuples(st.integers(0, 99), v) for k, v in choices.items()}))


def _admitted(raw: Any, inp: Any, units: Any) -> bool:
    """Whether a drawn value lies in its fact's domain (a value outside it is rejected, E602)."""
    from regdsl.facts.validate import convert, outside

    try:
        return outside(convert(raw, inp.ty, units), inp.ty, inp.domain, units) is None
    except ValueError:
        return True  # not a value of the type: the validator says so, as the test expects


def _partial(known: int, drawn: dict[str, tuple[int, Any]]) -> dict[str, Any]:
    return {k: (v if roll < known else None) for k, (roll, v) in drawn.items() if roll < known or roll % 2}


def _constant(v: Any, numbers: set[Any], quantities: dict[tuple, set[Any]], dates: set[dt.date]) -> None:
    from regdsl.core.units import Q

    if isinstance(v, Q):
        quantities.setdefault(v.dim, set()).update({v.value - 1, v.value, v.value + 1})
    elif isinstance(v, dt.date):
        dates.update({v - DAY, v, v + DAY})
    elif isinstance(v, (int, float)) and not isinstance(v, bool) or type(v).__name__ == "Fraction":
        numbers.update({v - 1, v, v + 1})


def _ir_dates(book: Any) -> set[dt.date]:
    days = {d for p in book.provisions.values() for d in (p.start, p.end) if d is not None}
    days |= {t.date for t in book.transitions} | {r.as_of for n in book.names.values() for r in n.rules if r.as_of}
    days |= {t.as_of for t in book.tables.values() if t.as_of}
    return {d + k * DAY for d in days for k in (-1, 0, 1)}


def _ir_value(ty: Any, numbers: set[Any], quantities: dict[tuple, set[Any]], dates: set[dt.date],
              units: Any) -> st.SearchStrategy[Any] | None:
    if ty.kind == "boolean":
        return st.booleans()
    if ty.kind == "enum":
        return st.sampled_from(ty.members)
    if ty.kind == "date":
        return st.one_of(st.sampled_from(sorted(dates) or [dt.date(2025, 4, 1)]),
                         st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31))).map(dt.date.isoformat)
    if ty.kind == "number":
        whole = sorted(int(n) for n in numbers | {0, 1, 2} if int(n) == n)
        return st.sampled_from(whole) if ty.integer else st.one_of(st.sampled_from(whole), st.sampled_from(
            [0.5, 1.5, 2.5]))
    if ty.kind == "quantity" and len(ty.dim) == 1 and ty.dim[0][1] == 1:
        base = units.get(ty.dim[0][0])  # constants are in base units: say so
        around = sorted(int(v) for v in quantities.get(ty.dim, set()) | {0, 1, 12} if int(v) == v)
        return st.one_of(st.sampled_from(around).map(lambda v: f"{v} {base.plural}"),
                         st.integers(0, 20))
    if ty.kind == "quantity":
        return st.integers(0, 20)
    return None  # text, times, lists: not given


def ir_as_of(book: Any) -> st.SearchStrategy[dt.date]:
    """A date to evaluate a lowered book on: around its effective dates, or any day of this decade."""
    near = sorted(_ir_dates(book) | {dt.date(2026, 4, 1)})
    return st.one_of(st.sampled_from(near), st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)))
