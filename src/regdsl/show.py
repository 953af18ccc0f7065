"""`regdsl show BOOK REF`: one provision's text, rules and parts, or that it is deleted."""

from __future__ import annotations

import re
import sys
import textwrap

from . import nodes as n
from .api import load
from .errors import CheckError, split_lines
from .parser import parse_ref
from .resolve import Provision, resolve_ref

WIDTH = 80
_EID = re.compile(r"^(art|suppl|sec)(_[0-9-]+)?(__[a-z]+_[0-9a-z]+)*$")


def find(book, text: str) -> list[Provision]:
    """The provisions a reference (or an eId) names; raises CheckError."""
    m = book.model
    text = text.strip()
    if _EID.match(text):
        p = m.find(text)
        if p is None:
            raise CheckError(f"no provision has the eId `{text}`", code="E303")
        return [p]
    ref = parse_ref(text)
    first = ref.groups[-1][0] if ref.groups else None
    if first is not None and first.kind in ("preceding", "following", "this", "items_here"):
        raise CheckError(f"`{text}` is relative; name the article, e.g. \"article 15 paragraph 2\"",
                         code="E305")
    if len(ref.groups) == 1 and len(ref.groups[0]) == 1 and first.kind == "article" and not first.through:
        found = [m.article(num) for num in first.numbers]
        if all(a is not None and a.deleted for a in found):
            return found
    anchor = m.articles[0] if m.articles else (m.sections[0] if m.sections else m.supplementary)
    return resolve_ref(ref, anchor.children[0], m)


def describe(p: Provision) -> list[str]:
    """The lines `regdsl show` prints for one provision."""
    if p.deleted:
        return [f"{p.cite}  ({p.eid})", "  Deleted."]
    head = f"{p.cite}  ({p.eid})"
    lines = [head]
    if p.kind in ("article", "section") and p.title:
        lines.append(f"  {p.title}")
    if p.kind == "article" and (p.start or p.end):
        lines.append(f"  in force {p.start or '...'} to {p.end or 'now'}")
    body = [p] if p.kind not in ("article", "section", "supplementary") else p.children[:1]
    for b in body:
        if b.text:
            lines += textwrap.wrap(b.text, WIDTH, initial_indent="  | ", subsequent_indent="  | ")
        for s in b.statements:
            if isinstance(s, n.Rule):
                for info in b.book.rules.get(s.name, []):
                    if info.node is s:
                        lines += ["  > " + line for line in split_lines(info.source)]
            elif isinstance(s, n.Condition) and s.span is not None:
                from .resolve import _source_of

                lines += ["  > " + line for line in split_lines(_source_of(b.book, s.span))]
            elif isinstance(s, n.Delegated):
                lines.append("  (delegated to separate regulations)")
        for c in b.children:
            lines.append(f"  {c.cite.split(', ')[-1]}: {textwrap.shorten(c.text, WIDTH - 12) or '(no text)'}")
    for c in p.children[1:] if p.kind in ("article", "section", "supplementary") else []:
        lines.append(f"  {c.cite.split(', ')[-1]}: {textwrap.shorten(c.text, WIDTH - 16) or '(no text)'}")
    return lines


def main(args) -> int:
    book = load(args.book)
    provisions = find(book, args.ref)
    out = []
    for p in provisions:
        out += describe(p) + [""]
    sys.stdout.write("\n".join(out))
    return 0

