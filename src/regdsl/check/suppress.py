"""Findings that only follow from a syntax error are dropped, and counted.

A part of a file that did not parse declares nothing, so the rest of the
book meets unknown names, articles that do not exist, paragraphs that skip
a number.  Those are not mistakes of their own: given the damage
(syntax/recover.py) they are left out, and `regdsl check` says how many.
"""

from __future__ import annotations

import re

from ..errors import RegdslError
from ..syntax.recover import Damage

_NAME = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)`")
_NUMBERING = re.compile(r"expected (paragraph|item) ([0-9a-z]+)\b")
# Findings about names and references: a part of the book that is missing explains them all.
_FOLLOWING = {"E301", "E303", "E304", "E305", "E306", "E307", "E311", "E501", "E504"}


def follows_from(e: RegdslError, damage: Damage) -> bool:
    """Whether finding `e` may be only a consequence of the parts of the book that did not parse."""
    if e.code.startswith("E1"):
        return False
    if damage.whole and e.code in _FOLLOWING:
        return True
    text = e.message
    if any(name in damage.names for name in _NAME.findall(e.message)):
        return True
    if e.code in _FOLLOWING and damage.articles:
        from ..syntax.citations import cited_articles  # its patterns are compiled only for a damaged book

        if any(a in damage.articles for a in cited_articles(text)):
            return True
    m = _NUMBERING.search(e.message)
    if m and e.code in ("E201", "E202") and (m.group(1), m.group(2)) in damage.numbers:
        return True
    return False


def suppress(findings: list[RegdslError], damage: Damage) -> tuple[list[RegdslError], int]:
    """The findings that stand on their own, and how many were dropped."""
    if not (damage.names or damage.articles or damage.numbers or damage.whole):
        return findings, 0
    kept = [e for e in findings if not follows_from(e, damage)]
    return kept, len(findings) - len(kept)
