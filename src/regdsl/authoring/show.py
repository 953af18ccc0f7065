"""`regdsl show BOOK REF`: one provision's text, rules and parts, or that it is deleted.

REF may be written in any of the forms the tool itself prints or reads:

- a citation as regdsl prints it: `Article 43, Item 1`, `Article 20, Paragraph 2, Item 4`,
  `Supplementary Provisions, Paragraph 2`, `Section 3, duties of ...`;
- an eId: `art_43__item_1`, `art_13-2`, `suppl__para_2`;
- a reference as a book writes it: `article 43 item 1`, `item 1 of article 43`,
  `articles 33 to 35`.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from ..syntax import nodes as n
from ..syntax.citations import CITATION_WORDS, book_form, first_unread
from ..errors import CheckError, RegdslError, Span, SyntaxError_, did_you_mean, split_lines
from ..syntax.parser import parse_ref
from ..model.provisions import Provision
from ..model.references import resolve_ref

WIDTH = 80
REF_FILE = "<reference>"
_EID = re.compile(r"^(art|suppl|sec)(_[0-9-]+)?(__[a-z]+_[0-9a-z-]+)*$")
FORMS = ('write it as regdsl prints it ("Article 20, Paragraph 2, Item 4"), as a book writes it '
         '("article 20 paragraph 2 item 4") or as an eId ("art_20__para_2__item_4")')



def find(book: Any, text: str) -> list[Provision]:
    """The provisions a reference, a printed citation or an eId names; raises a positioned error."""
    try:
        return _find(book.model, text.strip())
    except RegdslError as e:
        if e.span is not None and e.span.file == REF_FILE and e.source_line is None:
            e.source_line = text.strip()
        raise


def _find(m, text: str) -> list[Provision]:
    if _EID.match(text):
        p = m.find(text)
        if p is None:
            raise CheckError(f"no provision has the eId `{text}`", Span(REF_FILE, 1, 1, 1, len(text) + 1),
                             code="E303", hint=did_you_mean(text, (q.eid for q in m.provisions())))
        return [p]
    cited = _by_citation(m, text)
    if cited:
        return cited
    form = book_form(text)
    if form is None:
        return _resolve(m, _parse(text), text)
    try:
        return _resolve(m, parse_ref(form, REF_FILE), text)
    except RegdslError as e:  # say it in the words the user wrote
        e.message = e.message.replace(f"`{form}`", f"`{text}`")
        e.span = Span(REF_FILE, 1, 1, 1, len(text) + 1)
        e.args = (e.message,)
        raise


def _resolve(m, ref: n.Ref, text: str) -> list[Provision]:
    first = ref.groups[-1][0] if ref.groups else None
    if first is not None and first.kind in ("preceding", "following", "this", "items_here"):
        raise CheckError(f"`{text}` is relative; name the article, e.g. \"article 15 paragraph 2\"",
                         Span(REF_FILE, 1, 1, 1, len(text) + 1), code="E305")
    if (len(ref.groups) == 1 and len(ref.groups[0]) == 1 and first is not None and first.kind == "article"
            and not first.through):
        found = [m.article(num) for num in first.numbers]
        if all(a is not None and a.deleted for a in found):
            return found
    anchor = m.articles[0] if m.articles else (m.sections[0] if m.sections else m.supplementary)
    return resolve_ref(ref, anchor.children[0], m)


def _key(text: str) -> str:
    return " ".join(text.replace(",", " ").split()).lower()


def _by_citation(m, text: str) -> list[Provision]:
    """The provisions whose printed citation is `text` (commas, spaces and case aside)."""
    key = _key(text)
    found = [p for p in m.provisions() if _key(p.cite) == key]
    # A sole first paragraph is cited as its article: show the article.
    return [p for p in found if not (p.transparent and p.parent in found)]


def _parse(text: str) -> n.Ref:
    """A reference in the book's words; a syntax error points at the first word not understood."""
    try:
        return parse_ref(text, REF_FILE)
    except SyntaxError_:
        pass
    col, word = first_unread(text)
    hint = did_you_mean(word.lower(), CITATION_WORDS) if word else None
    forms = FORMS[0].upper() + FORMS[1:]
    if not text:
        message = "the reference is empty"
    elif not word:
        message = f"`{text}` is not a reference: it ends too early"
    else:
        message = f"`{text}` is not a reference" + (f": `{word}` is not understood here" if word else "")
    raise SyntaxError_(message, Span(REF_FILE, 1, col, 1, col + max(1, len(word))), code="E101",
                       hint=f"{hint} {forms}" if hint else forms)


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
                from ..model.provisions import source_of

                lines += ["  > " + line for line in split_lines(source_of(b.book, s.span))]
            elif isinstance(s, n.Delegated):
                lines.append("  (delegated to separate regulations)")
        for c in b.children:
            lines.append(f"  {c.cite.split(', ')[-1]}: {textwrap.shorten(c.text, WIDTH - 12) or '(no text)'}")
    for c in p.children[1:] if p.kind in ("article", "section", "supplementary") else []:
        lines.append(f"  {c.cite.split(', ')[-1]}: {textwrap.shorten(c.text, WIDTH - 16) or '(no text)'}")
    return lines


def show(book: Any, text: str) -> str:
    """What `regdsl show` prints: each provision `text` names (see `find`), followed by a blank line."""
    out: list[str] = []
    for p in find(book, text):
        out += describe(p) + [""]
    return "\n".join(out)
