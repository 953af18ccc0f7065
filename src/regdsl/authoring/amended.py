"""The provisions an amendment changed: two versions of a book compared provision by provision.

Provisions are paired by eId and the start of the version in force (a new
version of an article is a provision of its own).  A provision is amended
when its words, its title, its dates or its statements (rules, item
conditions, declarations, tables) differ.  Statements are compared as syntax
trees, so a change of layout alone (`regdsl fmt`) is not an amendment; the
text is compared word by word, white space aside.
"""

from __future__ import annotations

import difflib
import textwrap
from collections.abc import Callable
from typing import Any

import attrs

from ..model.provisions import BookModel, Provision, source_of

WIDTH = 80


@attrs.frozen
class Amended:
    """One provision as it was and as it is (`before` or `after` is None when it was added or removed)."""

    eid: str
    cite: str
    where: str  # FILE:LINE of the provision in the new book (or the old one, when removed)
    before: "Version | None"
    after: "Version | None"

    @property
    def change(self) -> str:
        """What happened to the provision: added, removed or amended."""
        return "added" if self.before is None else "removed" if self.after is None else "amended"

    def to_dict(self) -> dict[str, Any]:
        """The change as JSON data: the provision and both versions (null for the one there is not)."""
        return {"eid": self.eid, "cite": self.cite, "where": self.where, "change": self.change,
                "before": self.before.to_dict() if self.before else None,
                "after": self.after.to_dict() if self.after else None}


@attrs.frozen
class Version:
    """What is compared of one provision: its words, title, dates and the source of its statements."""

    title: str
    in_force: str
    deleted: bool
    text: str
    statements: tuple  # syntax trees (compared without positions)
    source: tuple[str, ...] = attrs.field(eq=False)  # the statements as written, one string each

    def to_dict(self) -> dict[str, Any]:
        """The version as JSON data, its statements as source lines."""
        return {"title": self.title, "in_force": self.in_force, "deleted": self.deleted, "text": self.text,
                "statements": [line for s in self.source for line in s.splitlines()]}


def _version(p: Provision) -> Version:
    start, end = (p.start, p.end) if p.kind == "article" else (None, None)
    in_force = "" if not (start or end) else f"{start or '...'} to {end or 'now'}"
    # An article with one paragraph is cited as the article: compared as one provision.
    parts = [p] + [c for c in p.children if c.transparent]
    statements = tuple(s for q in parts for s in q.statements)
    source = tuple(source_of(p.book, getattr(s, "span", None)) for s in statements)
    text = " ".join(" ".join(q.text.split()) for q in parts if q.text)
    return Version(p.title, in_force, p.deleted, text, statements, source)


def _key(p: Provision) -> tuple[str, str, object]:
    """A provision's kind, eId and the start of its article's version (versions share eIds, and a
    sole first paragraph shares its article's)."""
    top = p
    while top.parent is not None:
        top = top.parent
    return (p.kind, p.eid, top.start)


def _where(p: Provision) -> str:
    return f"{p.span.file}:{p.span.line}" if p.span is not None else ""


def amended(old_model: BookModel, new_model: BookModel) -> list[Amended]:
    """The provisions that differ between two versions of a book, in the order of the new book."""
    old = {_key(p): p for p in old_model.provisions() if not p.transparent}
    new = {_key(p): p for p in new_model.provisions() if not p.transparent}
    out = []
    for key, p in new.items():
        q = old.get(key)
        after = _version(p)
        before = _version(q) if q is not None else None
        if before != after:
            out.append(Amended(p.eid, p.cite, _where(p), before, after))
    for key, q in old.items():
        if key not in new:
            out.append(Amended(q.eid, q.cite, _where(q), _version(q), None))
    return out


def word_diff(before: str, after: str) -> str:
    """The words of `after`, with `[-removed-]` and `{+added+}` words marked (as git --word-diff)."""
    a, b = before.split(), after.split()
    out: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out += b[j1:j2]
            continue
        gone = "[-" + " ".join(a[i1:i2]) + "-]" if i2 > i1 else ""
        came = "{+" + " ".join(b[j1:j2]) + "+}" if j2 > j1 else ""
        out.append(gone + came)
    return " ".join(out)


def statement_diff(before: tuple[str, ...], after: tuple[str, ...]) -> list[tuple[str, str]]:
    """The lines of the statements removed (`-`) and added (`+`), a changed statement whole;
    unchanged statements are left out."""
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag != "equal":
            out += [("-", line) for s in before[i1:i2] for line in s.splitlines()]
            out += [("+", line) for s in after[j1:j2] for line in s.splitlines()]
    return out


def render(a: Amended, shown: Callable[[str], str] = str, indent: str = "  ") -> list[str]:
    """The lines for one amended provision: a heading, the text with changed words marked, the changed
    rules; 80 columns."""
    where = a.where.rsplit(":", 1)
    place = f"{shown(where[0])}:{where[1]}" if len(where) == 2 else a.where
    head = f"{a.cite} ({a.eid})" + (f", {a.change}" if a.change != "amended" else "")
    lines = _wrap(f"{head}, {place}", indent, indent + "    ")
    b, c = a.before, a.after
    pad = indent + "  "
    if b is None or c is None:  # added or removed: what it says (or said)
        v = c or b
        assert v is not None, "an Amended has a version before or after (amended() makes no other)"
        about = ", ".join(x for x in (v.title, f"in force {v.in_force}" if v.in_force else "",
                                      "deleted" if v.deleted else "") if x)
        lines += _wrap(about, pad, pad) if about else []
    else:
        for label, old, new in (("title", b.title, c.title), ("in force", b.in_force, c.in_force)):
            if old != new:
                lines += _wrap(f"{label}: {old or '(none)'} -> {new or '(none)'}", pad, pad + "  ")
        if b.deleted != c.deleted:
            lines.append(f"{pad}{'now deleted' if c.deleted else 'no longer deleted'}")
    old_text, new_text = (b.text if b else ""), (c.text if c else "")
    if old_text != new_text:
        shown_text = word_diff(old_text, new_text) if b and c else (new_text or old_text)
        lines += _wrap(shown_text, pad + "| ", pad + "| ")
    for sign, line in statement_diff(b.source if b else (), c.source if c else ()):
        lines += wrap_code(line, f"{pad}{sign} ")
    return lines


def wrap_code(line: str, prefix: str) -> list[str]:
    """A line of a book's source after `prefix`, broken at spaces to fit 80 columns; the rest of a
    broken line is indented four more than the line (its own spaces are kept)."""
    indent = line[:len(line) - len(line.lstrip())]
    more = prefix + indent + "    "
    out, lead = [], prefix
    while len(lead) + len(line) > WIDTH:
        room = WIDTH - len(lead)
        cut = line.rfind(" ", len(indent) + 1, room + 1)
        if cut <= len(indent):
            break  # one long word: let it run over rather than split it
        out.append(lead + line[:cut].rstrip())
        line, lead, indent = line[cut:].lstrip(), more, ""
    return out + [lead + line]


def _wrap(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False) or [first.rstrip()]
