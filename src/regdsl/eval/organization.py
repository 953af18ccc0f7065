"""What a book says of its bodies, for `title(b)`, `administrator(b)`, `duties(b)` ...

Each function gives (value, provisions it was read from); a value of None
means the book does not say, and the answer is undetermined with a reason.
"""

from __future__ import annotations

from typing import Any, Callable

from ..ir import Organization, Prov

Lookup = Callable[[Organization, str], tuple[Any, tuple[Prov, ...]]]

_ASKS = {
    "title": "the title of {}",
    "administrator": "who administers the {}",
    "parent": "what the {} is part of",
    "administers": "what the {} administers",
    "parts": "the parts of the {}",
    "duties": "the duties of the {}",
}


def asks(func: str, title: str) -> str:
    """The reason an answer is undetermined when the book does not say what `func` asks."""
    return f"the book does not say {_ASKS[func].format(title)}"


def _related(kind: str) -> Lookup:
    def lookup(o: Organization, name: str) -> tuple[Any, tuple[Prov, ...]]:
        target = o.relations.get(name, {}).get(kind)
        where = o.where.get(name, ())
        return (None if target is None else o.titles.get(target, target)), where

    return lookup


def _inverse(kind: str) -> Lookup:
    def lookup(o: Organization, name: str) -> tuple[Any, tuple[Prov, ...]]:
        # Every relation is declared on a body of the book, so the list is complete.
        found = [b for b, rel in o.relations.items() if rel.get(kind) == name]
        provs = tuple(p for b in found for p in o.where.get(b, ())) or o.where.get(name, ())
        return tuple(o.titles[b] for b in found), provs

    return lookup


def _duties(o: Organization, name: str) -> tuple[Any, tuple[Prov, ...]]:
    items = o.duties.get(name)
    if not items:
        return None, o.where.get(name, ())
    return tuple(i.text for i in items), items


BODY_FUNCTIONS: dict[str, Lookup] = {
    "title": lambda o, b: (o.titles.get(b), o.where.get(b, ())),
    "administrator": _related("administered by"),
    "parent": _related("part of"),
    "administers": _inverse("administered by"),
    "parts": _inverse("part of"),
    "duties": _duties,
}
