"""Mutatis mutandis: applying another book where this one is silent.

`applies OTHER mutatis mutandis` in a provision (graduate Article 52) makes
the other book's rules answer any matter this book has no rule for.  The
same matter is the same name, after the readings: `reading program_length
as standard_program_length` makes the other book's `program_length` mean
this book's `standard_program_length` wherever the other book's rules use it.
This book's own rules for a name always win over the other book's.

The checker works out what is adopted; lower.py copies the adopted rules
into this book's IR with the readings applied as renamings.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .. import ir
from ..syntax import nodes as n
from ..errors import did_you_mean
from ..model.provisions import BookModel, Provision, Symbol
from ..core.types import Type

if TYPE_CHECKING:
    from .checker import Checker


class Adoption:
    """Another book applied mutatis mutandis, with its readings and exclusions."""

    def __init__(self, other: BookModel, other_ir: ir.IRBook, via: Provision):
        self.other = other
        self.other_ir = other_ir
        self.via = via
        self.names: dict[str, str] = {}  # other book's name -> this book's name
        self.reverse: dict[str, str] = {}  # this book's name -> other book's name
        self.texts: list[tuple[str, str]] = []  # word substitutions, in order
        self.articles: dict[str, str] = {}  # other article number -> this article number
        self.excluded: list[Provision] = []
        self._described: dict[str, str] = {}
        self.types: dict[str, Type] = {k: v.ty for k, v in other_ir.inputs.items()}
        self.types.update((k, v.ty) for k, v in other_ir.names.items())

    @property
    def key(self) -> str:
        return f"{self.via.eid}:{self.other.name}"

    def here(self, other_name: str) -> str:
        """The name, in this book, of a name of the other book."""
        return self.names.get(other_name, other_name)

    def there(self, name: str) -> str:
        """The name, in the other book, of a name of this book."""
        return self.reverse.get(name, name)

    def applies_to(self, provision: Any) -> bool:
        return not any(x.contains(provision) for x in self.excluded)

    def read(self, text: str) -> str:
        """The other book's words as read for this book.

        All readings apply at once, the longest first, so a reading of "Faculty
        Meeting" (even as itself) keeps "Faculty" -> "Graduate School" off it.
        """
        table = dict(self.texts)
        table.update((f"Article {old}", f"Article {new}") for old, new in self.articles.items())
        if not table:
            return text
        pattern = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
        return re.sub(r"\b(?:" + pattern + r")\b", lambda m: table[m.group(0)], text)

    def described(self, sym: Symbol) -> str:
        """The other book's description of a name, read for this book like its text."""
        found = self._described.get(sym.name)
        if found is None:
            found = self._described[sym.name] = self.read(sym.description)
        return found

    def cite(self, provision: Provision) -> str:
        """`Article 52 → University Regulations, Article 58`."""
        return f"{self.via.cite} → {self.other.short_title}, {provision.cite}"


def build_adoption(checker: "Checker", s: n.Applies, at: Provision) -> Adoption | None:
    """Check an `applies` statement and return what it adopts."""
    book: BookModel = checker.book
    other = book.others.get(s.book)
    other_ir = checker.others.get(s.book)
    if other is None or other_ir is None:
        checker.error(f"unknown book `{s.book}`", s.span, "E309",
                      did_you_mean(s.book, book.others) or 'declare it in the header: uses NAME from "path"')
        return None
    a = Adoption(other, other_ir, at)
    for item in s.adaptations:
        if isinstance(item, n.ExceptRefs):
            for ref in item.refs:
                a.excluded.extend(checker.resolve(ref, at, s.book))
        elif isinstance(item.old, str) and isinstance(item.new, str):
            old, new = item.old, item.new
            if old in other.symbols or new in book.symbols:
                _name_reading(checker, a, old, new, item)
            elif old[:1].isupper() or " " in old or new[:1].isupper() or " " in new:
                a.texts.append((old, new))
            else:
                _name_reading(checker, a, old, new, item)
        elif isinstance(item.old, n.Ref) and isinstance(item.new, n.Ref):
            theirs = checker.resolve(item.old, at, s.book)
            ours = checker.resolve(item.new, at)
            if len(theirs) == 1 and len(ours) == 1:
                a.articles[theirs[0].article.number] = ours[0].article.number
            elif theirs and ours:
                checker.error("a reading maps one article to one article", item.span, "E204")
        else:
            checker.error("a reading maps words to words, a name to a name, or an article to an article",
                          item.span, "E401")
    return a


def _name_reading(checker: "Checker", a: Adoption, old: str, new: str, item: Any) -> None:
    book, other = checker.book, a.other
    if old not in other.symbols:
        checker.error(f"`{old}` is not a name in {other.short_title}", item.span, "E301",
                      did_you_mean(old, other.symbols))
        return
    if new not in book.symbols:
        checker.error(f"`{new}` is not a name in this book", item.span, "E301",
                      did_you_mean(new, book.symbols))
        return
    a.names[old] = new
    a.reverse[new] = old


def adopted_symbols(checker: "Checker") -> dict[str, tuple[Symbol, Adoption]]:
    """Names this book answers through other books: this book's name -> (symbol, adoption).

    A computed name is adopted when this book has no rule for it and the other
    book has a rule not excluded; a fact or decision when this book does not
    declare it and an adopted rule reads it.  The first `applies` statement that
    supplies a name wins.
    """
    book = checker.book
    out: dict[str, tuple[Symbol, Adoption]] = {}
    for a in checker.adoptions:
        computed = []
        for name, sym in a.other.symbols.items():
            here = a.here(name)
            if not sym.computed or here in out:
                continue
            mine = book.symbols.get(here)
            if here in book.rules or (mine is not None and not mine.computed):
                continue
            if any(a.applies_to(r.provision) for r in a.other.rules.get(name, [])):
                out[here] = (sym, a)
                computed.append(name)
        # The facts and decisions those rules read, and only those: what a rule applied here
        # reads, following only names this book answers through the other book (a name this
        # book answers itself is computed by this book's rules, which read only its own names),
        # and only the rules not excluded.
        seen, todo = set(computed), list(computed)
        graph = a.other_ir
        while todo:
            name = todo.pop()
            info = graph.names.get(name)
            lowered = info.rules if info is not None else ()
            for r, lr in zip(a.other.rules.get(name, ()), lowered):
                if not a.applies_to(r.provision):
                    continue
                for dep in sorted(rule_reads(graph, lr)):
                    here = a.here(dep)
                    if dep in seen or (here in book.symbols and here not in out):
                        continue
                    seen.add(dep)
                    todo.append(dep)
        for name in sorted(seen):
            found = a.other.symbols.get(name)
            here = a.here(name)
            if found is not None and not found.computed and here not in out and here not in book.symbols:
                out[here] = (found, a)
    return out


def rule_reads(book: ir.IRBook, rule: ir.Rule) -> set[str]:
    """The names, facts and decisions a lowered rule reads (through the items it tests, too)."""
    out: set[str] = set()
    items: list[str] = []
    for x in (rule.cond, rule.value):
        if x is None:
            continue
        inputs, names, keys = ir.reads(x)
        out |= inputs | names
        items.extend(keys)
    seen: set[str] = set()
    while items:
        key = items.pop()
        if key in seen:
            continue
        seen.add(key)
        for d in book.deps.get(key, ()):
            if d in book.items:
                items.append(d)
            else:
                out.add(d)
        out.update(book.facts_read.get(key, ()))
    return out
