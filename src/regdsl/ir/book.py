"""A lowered book: everything an evaluator and a result need, as frozen data.

`IRBook` is what the checker produces (`check.lower`) and what every
evaluator and every result reads; nothing after the checker sees the syntax
tree or the book model.  Provisions are `Prov` records carrying their
citation as the evaluated book shows it, so that a provision of the
University Regulations applied by graduate Article 52 reads
"Article 52 → University Regulations, Article 38" with the graduate readings
already applied to its text.  Rules of a book applied mutatis mutandis are
lowered into the applying book with their names renamed, so an evaluator
never has to know that an adoption happened, except to check that the
adopting article's version governs the student.

Everything here is frozen and holds only data (no closures), so an IRBook
pickles with the standard library and evaluates the same in another process.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from ..core.types import Type
from ..core.units import UnitTable
from .expr import Expr


@attrs.frozen(slots=True, eq=False)
class Prov:
    """A provision (article, paragraph, item, ...) as citations and explanations show it.

    `cite` is its citation in its own book ("Article 38, Paragraph 1"), used in
    reasons; `home_cite` is how the evaluated book cites it ("Article 52 →
    University Regulations, Article 38, Paragraph 1"); `text` is its words as the
    evaluated book reads them.  `article` is the key of its article (or section,
    or the Supplementary Provisions); `versions` lists, for an article, the
    validity of every version of that number in its book.
    """

    key: str
    eid: str
    kind: str
    number: str
    cite: str
    home_cite: str
    text: str = ""
    book: str = ""
    foreign_book: str | None = None  # the book's name, when it is not the evaluated book
    via: str | None = None  # eId of the provision applying it mutatis mutandis
    start: dt.date | None = None
    end: dt.date | None = None
    article: str = ""
    own_book: bool = True  # whether it is a provision of the evaluated book itself
    versions: tuple[tuple[dt.date | None, dt.date | None], ...] = ()
    deleted: bool = False

    def in_force(self, day: dt.date) -> bool:
        """Whether the provision holds on `day` (both ends inclusive)."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def any_version_in_force(self, day: dt.date) -> bool:
        """For an article: whether some version of its number holds on `day`."""
        return any((s is None or s <= day) and (e is None or day <= e) for s, e in self.versions)


@attrs.frozen(slots=True, eq=False)
class Rule:
    """One rule for a name, in the provision whose sentence it encodes.

    `kind` is `=` (a value, under `cond`), `if` (a boolean that holds when
    `value` holds) or `delegated` (the matter is left to separate regulations).
    `overrides` are the `rid`s of the rules this one is an exception to.
    """

    rid: int
    name: str
    kind: str
    provision: Prov
    cond: Expr | None = None
    value: Expr | None = None
    overrides: frozenset[int] = frozenset()
    as_of: dt.date | None = None  # a figure stated as of a date
    source: str = ""  # the rule as written, for explanations


@attrs.frozen(slots=True, eq=False)
class Item:
    """An item or sub-item with a condition (`any of` / `all of` test these)."""

    key: str
    provision: Prov
    cond: Expr
    source: str = ""


@attrs.frozen(slots=True, eq=False)
class Table:
    """A checked table: the key column first; a `range of` key is matched by range."""

    key: str
    name: str
    types: tuple[Type, ...]
    rows: tuple[tuple[Any, ...], ...]
    as_of: dt.date | None = None

    @property
    def ranged(self) -> bool:
        return self.types[0].kind == "range"


@attrs.frozen(slots=True, eq=False)
class Organization:
    """What a book says of its bodies: titles, relations, duty lists, where each is said."""

    titles: dict[str, str]
    where: dict[str, tuple[Prov, ...]]
    relations: dict[str, dict[str, str]]
    duties: dict[str, tuple[Prov, ...]]


@attrs.frozen(slots=True, eq=False)
class Transition:
    """An amendment taking effect on `date`, and the students it does not apply to.

    `affected` are the article numbers it changes (None: every article);
    `sparing` are (condition, provision): a student for whom a condition holds
    keeps the text in force the day before `date`.
    """

    title: str
    date: dt.date
    affected: frozenset[str] | None
    sparing: tuple[tuple[Expr, Prov], ...] = ()


@attrs.frozen(slots=True, eq=False)
class Adoption:
    """Another book applied mutatis mutandis through `via` (graduate Article 52)."""

    key: str
    book: str  # the other book's name
    title: str  # its short title
    via: Prov  # the provision that applies it
    via_article: Prov  # its article, whose governing version decides whether it applies


@attrs.frozen(slots=True)
class Domain:
    """The values a fact may take, as its declaration bounds them (None: no bound of that kind).

    Bounds are values as the evaluator holds them (a quantity `Q`, an int or
    Fraction, a date); `after` and `before` exclude the date itself.  What a
    declaration leaves unsaid follows the defaults of docs/language.md ("The
    values a fact may take"): a quantity is never negative, a date lies in
    0001-01-01..9999-12-31.
    """

    at_least: Any = None
    at_most: Any = None
    whole: bool = False  # a whole number of the fact's unit
    after: dt.date | None = None
    before: dt.date | None = None


@attrs.frozen(slots=True, eq=False)
class Input:
    """A fact or a decision: a value given about the student (unknown when not given)."""

    name: str
    kind: str  # fact or decision
    ty: Type
    description: str = ""
    decided_by: str = ""  # for a decision: "the President, upon approval by the Faculty Meeting"
    bodies: tuple[str, ...] = ()
    provision: Prov | None = None  # where it is declared
    adoption: str | None = None  # key of IRBook.adoptions, when it comes from another book
    domain: Domain | None = None  # the bounds its declaration gives (a fact's only)


@attrs.frozen(slots=True, eq=False)
class Name:
    """A computed name (an outcome or a definition) with its rules in book order."""

    name: str
    kind: str  # outcome or define
    ty: Type
    description: str = ""
    rules: tuple[Rule, ...] = ()
    provision: Prov | None = None  # where it is declared
    adoption: str | None = None

    @property
    def boolean(self) -> bool:
        return self.ty.kind == "boolean"


@attrs.frozen(eq=False)
class IRBook:
    """A checked book, lowered: the input of every evaluator and of every result.

    `deps` maps each computed name and each item (by key) to the names and
    items its rules or condition read, on any branch, and `facts_read` to the
    facts and decisions they read; `order` lists names and items so that each
    comes after everything it reads (the checker rejects cycles).
    """

    name: str
    title: str
    short_title: str
    in_force: dt.date | None
    provisions: dict[str, Prov]
    inputs: dict[str, Input]
    names: dict[str, Name]
    outcomes: tuple[str, ...]
    items: dict[str, Item]
    tables: dict[str, Table]
    organizations: dict[str, Organization]
    transitions: tuple[Transition, ...]
    adoptions: dict[str, Adoption]
    deps: dict[str, tuple[str, ...]]
    facts_read: dict[str, tuple[str, ...]]
    order: tuple[str, ...]
    units: UnitTable
    digest: str = ""  # sha256 of the sources it was lowered from

    def provision(self, key: str) -> Prov:
        """The provision with this key (`book:eid`)."""
        return self.provisions[key]

    def article_of(self, p: Prov) -> Prov:
        """The article (section, Supplementary Provisions) a provision belongs to."""
        return self.provisions[p.article]
