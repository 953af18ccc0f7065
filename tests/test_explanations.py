"""Every explanation of every sample student quotes the book and cites what exists.

A guard for the next amendment: for each student in examples/ (evaluated as
tests/test_examples.py does), every outcome's citations and versions, and
every step of its explanation tree -- the provision it names, the exceptions
it considered, the text it quotes and the rule it shows -- must come from the
book (or, through Article 52, from the book it applies):

* a cited provision exists, under that citation and eId, in the book the
  citation names, and a citation through another provision names a provision
  that applies that book;
* a quoted text is the cited provision's own text (read with the adoption's
  readings, for another book), and each line of that text is one of the
  book's `|` lines, which are read here straight from the .reg files;
* every line of a rule shown is a line of the book's source.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

import regdsl
from conftest import EXAMPLES, REGULATIONS
from regdsl.facts import read_facts
from test_examples import FACTS, _as_of

SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return SPACE.sub(" ", text).strip()


@lru_cache(maxsize=None)
def _load(path: str) -> regdsl.Book:
    return regdsl.load(path)


@lru_cache(maxsize=None)
def _source(path: str) -> tuple[frozenset[str], frozenset[str]]:
    """A book's `|` lines (their words) and all its stripped lines, read from its .reg files."""
    text, lines = set(), set()
    for f in sorted(Path(path).glob("*.reg")):
        for line in f.read_text("utf-8").splitlines():
            stripped = line.strip()
            lines.add(stripped)
            if stripped.startswith("|"):
                text.add(_norm(stripped[1:]))
    return frozenset(text), frozenset(lines)


def _adoptions(book: regdsl.Book) -> list:
    """The checker's view of the books this one applies mutatis mutandis (their readings)."""
    from regdsl.check.checker import Checker as BookChecker

    others = {name: regdsl.load(_book_dir(other)).ir for name, other in book.model.others.items()}
    return BookChecker(book.model, others).run().adoptions


def _book_dir(model) -> str:
    return str(Path(next(iter(model.sources))).parent)


class Checker:
    """Checks the provenance of one evaluation against the book it came from."""

    def __init__(self, book: regdsl.Book, where: str):
        self.model = book.model
        self.where = where
        self.books = {self.model.name: (self.model, None)}
        for a in _adoptions(book):
            self.books[a.other.name] = (a.other, a)

    def provisions(self, citation) -> list:
        """The provisions a citation names (every encoded version), checked to exist."""
        key = citation.book or self.model.name
        assert key in self.books, f"{self.where}: {citation.cite} names an unknown book {key}"
        model, adoption = self.books[key]
        found = [p for p in model.provisions() if p.eid == citation.eid]
        assert found, f"{self.where}: {citation.cite} ({citation.eid}) does not exist in {key}"
        cites = {adoption.cite(p) if adoption else p.cite for p in found}
        assert citation.cite in cites, f"{self.where}: {citation.eid} is cited as {citation.cite!r}, not {cites}"
        if citation.via is not None:
            assert adoption is not None and adoption.via.eid == citation.via, \
                f"{self.where}: {citation.cite} is cited through {citation.via}, which does not apply {key}"
        return found

    def quote(self, citation, text: str) -> None:
        found = self.provisions(citation)
        model, adoption = self.books[citation.book or self.model.name]
        source, _ = _source(_book_dir(model))
        own = [p for p in found if (adoption.read(p.text) if adoption else p.text) == text]
        assert own, f"{self.where}: the text quoted for {citation.cite} is not its text: {text[:80]!r}"
        assert any(all(_norm(t) in source for t in p.texts) for p in own), \
            f"{self.where}: the text of {citation.cite} is not in the book's `|` lines: {text[:80]!r}"

    def rule(self, citation, rule: str) -> None:
        model, _ = self.books[citation.book or self.model.name]
        _, lines = _source(_book_dir(model))
        for line in rule.splitlines():
            assert line.strip() in lines, f"{self.where}: rule line not in the book: {line!r}"

    def explanation(self, e) -> None:
        if e.citation is not None:
            self.provisions(e.citation)
            if e.text:
                self.quote(e.citation, e.text)
            if e.rule:
                self.rule(e.citation, e.rule)
        else:
            assert not e.text and not e.rule, f"{self.where}: {e.name} quotes text with no citation"
        for c, _ in e.considered:
            self.provisions(c)
        for child in e.because:
            self.explanation(child)


@pytest.mark.parametrize("facts", FACTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_explanations_quote_the_book_and_cite_what_exists(facts):
    book = _load(str(REGULATIONS / facts.parent.name))
    data, name, text = read_facts(str(facts))
    result = book.evaluate(data, _as_of(facts), _file=name, _text=text)
    quoted = 0
    for o in result:
        check = Checker(book, f"{facts.relative_to(EXAMPLES)}: {o.name}")
        assert o.citations, f"{check.where}: no provision cited"
        for c in o.citations:
            check.provisions(c)
        for v in o.versions:
            assert any(p.eid == v.eid for m, _ in check.books.values() for p in m.provisions()), \
                f"{check.where}: version of {v.cite} ({v.eid}) does not exist"
        check.explanation(o.explanation)
        quoted += bool(o.explanation.text)
    # Only a student no encoded text governs (the 2024 doctoral cohort) is quoted nothing.
    assert quoted or not any(o.determined for o in result), f"{facts}: no explanation quotes anything"


def test_the_check_catches_a_quote_that_is_not_in_the_book():
    """The guard itself: a quote altered by one word, or a citation of a provision that does not
    exist, fails."""
    import attrs

    book = _load(str(REGULATIONS / "university"))
    o = book.evaluate({"entry": "first_year", "years_enrolled": 9, "total_leave": 0,
                       "non_degree_period_counted": 0}, "2026-04-01",
                      ["max_years_enrolled"])["max_years_enrolled"]
    check = Checker(book, "altered")
    check.explanation(o.explanation)
    e = o.explanation
    assert "shall be eight" in e.text
    with pytest.raises(AssertionError, match="not its text"):
        check.explanation(attrs.evolve(e, text=e.text.replace("eight", "nine")))
    with pytest.raises(AssertionError, match="does not exist"):
        check.explanation(attrs.evolve(e, citation=attrs.evolve(e.citation, eid="art_99")))
    with pytest.raises(AssertionError, match="rule line not in the book"):
        check.explanation(attrs.evolve(e, rule=e.rule + "\n  when entry is first_year"))
