"""Versions in time: a later version of an article says what it drops (E208).

Each version of an article is written whole, so a paragraph, item or rule
the earlier version had and the later one lacks is either an amendment that
removed it or an encoding slip. The book must say which: a later version
that drops paragraph 3 writes `paragraph 3 deleted`, and one that drops item
2 writes `item 2 deleted`; a name the earlier version gave a rule and the
later gives none is reported unless the paragraph or item that gave it is
deleted. Versions are compared with the one before them (by start date).
"""

from __future__ import annotations

import datetime as dt
from ..model.provisions import Provision
from .base import CheckerBase


def _when(p: Provision) -> str:
    start = f" from {p.start.isoformat()}" if p.start else ""
    end = f" until {p.end.isoformat()}" if p.end else ""
    return f"in force{start}{end}"


def _parts(article: Provision) -> dict[tuple[str, ...], Provision]:
    """Every paragraph, item and sub-item of an article, by its numbers (deleted ones too)."""
    out: dict[tuple[str, ...], Provision] = {}
    stack: list[tuple[tuple[str, ...], Provision]] = [((), article)]
    while stack:
        path, p = stack.pop()
        for c in p.children:
            if c.kind in ("paragraph", "item", "subitem"):
                key = path + (f"{c.kind} {c.number}",)
                out[key] = c
                stack.append((key, c))
    return out


def _shown(key: tuple[str, ...]) -> str:
    parts = [k for k in key if k != "paragraph 1"] or list(key)
    return " of ".join(reversed(parts))


class Versions(CheckerBase):
    """The check of an article's versions against each other (part of the Checker)."""

    def check_versions(self) -> None:
        """E208 for each paragraph, item or name a later version drops without saying so."""
        for versions in self.book.by_number.values():
            live = sorted((v for v in versions if not v.deleted), key=lambda v: v.start or dt.date.min)
            for old, new in zip(live, live[1:]):
                self._compare(old, new)

    def _compare(self, old: Provision, new: Provision) -> None:
        was, now = _parts(old), _parts(new)
        gone = []
        for key, p in sorted(was.items(), key=lambda kv: len(kv[0])):
            if p.deleted or key in now or any(key[:i] in gone or (key[:i] in now and now[key[:i]].deleted)
                                              for i in range(1, len(key))):
                continue  # there, deleted, or inside a part already reported or deleted
            gone.append(key)
            what = key[-1]
            self.error(f"Article {new.number} as {_when(new)} has no {_shown(key)}, which the version "
                       f"{_when(old)} has", new.span, "E208",
                       f"if the amendment removed it, write `{what} deleted` in its place in this version")
        deleted_now = {key for key, p in now.items() if p.deleted}
        given_now = self._names_given(new)
        for name, where in sorted(self._names_given(old).items()):
            if name in given_now:
                continue
            key = next((k for k, p in was.items() if p is where), ())
            if key in deleted_now or any(key[:i] in deleted_now for i in range(1, len(key))) or \
                    any(key[:i] in gone for i in range(1, len(key) + 1)):
                continue  # the part that gave it is deleted, or already reported
            self.error(f"Article {new.number} as {_when(new)} gives no rule for `{name}`, which the version "
                       f"{_when(old)} gives in {where.cite or 'its text'}", new.span, "E208",
                       "if the amendment removed the rule, write the paragraph or item that gave it as "
                       "deleted; otherwise give the rule again in this version")

    def _names_given(self, article: Provision) -> dict[str, Provision]:
        """The names a version of an article gives a rule, each with the provision of its first rule."""
        out: dict[str, Provision] = {}
        for name, rules in self.book.rules.items():
            for r in rules:
                if r.provision.article is article:
                    out.setdefault(name, r.provision)
        return out
