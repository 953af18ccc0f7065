"""The checker: a book model in, its IR and every finding out (`check`).

Checking reads the book model (built and resolved by the model stage) and
never writes into it: the types it infers, the IR of every rule and item,
the adoptions and the findings are the checker's own.  `lower.py` assembles
them into an `IRBook`.  The checker's parts are layered: base.py (state,
findings, references, types), expressions.py, tables.py, rules.py, then
the driver here.
"""

from __future__ import annotations

from ..core.types import BOOLEAN
from ..errors import did_you_mean
from ..syntax import nodes as n
from .adoption import adopted_symbols, build_adoption
from .domains import Domains
from .rules import Rules
from .versions import Versions


class Checker(Rules, Domains, Versions):
    """Checks one book model; `run` fills the checker's own tables (types, IR, findings)."""

    # ------------------------------------------------------------ driver

    def run(self) -> "Checker":
        b = self.book
        for sym in b.symbols.values():
            decl = sym.decl
            if isinstance(decl, n.Decision):
                t = self.type_of(decl.type) if decl.type is not None else BOOLEAN
                for body in decl.bodies:
                    if body not in b.bodies:
                        self.error(f"unknown body `{body}`", self.word_span(decl.span, body), "E310",
                                   did_you_mean(body, b.bodies) or "declare it: body NAME \"the title\"")
            else:
                t = self.type_of(decl.type)
            self.types[sym.name] = t
            if t.kind == "enum":
                for m in t.members:
                    self.enum_members.setdefault(m, []).append(sym.name)
        for p in b.provisions():
            for s in p.statements:
                if isinstance(s, n.Applies):
                    adoption = build_adoption(self, s, p)
                    if adoption is not None:
                        self.adoptions.append(adoption)
        self.adopted = adopted_symbols(self)
        self.check_tables()
        for rules in b.rules.values():
            for r in rules:
                self.check_rule(r)
        self.check_exceptions()
        self.check_cycles()
        self.check_domains()
        self.check_versions()
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
        self.check_item_cycles()
        for amendment in self.transitions.values():
            if amendment.date is None:
                self.error(f"the amendment \"{amendment.title}\" never takes effect; "
                           "add `takes effect DATE` where the text says when", amendment.span, "E207")
        return self

