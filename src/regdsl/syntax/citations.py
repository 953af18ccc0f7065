"""Citation phrases: how people write references in words, as opposed to how a book's rules
write them (the parser's `ref`).

Two readers, one module: `phrase_ref` finds the reference a phrase of the regulation's
own text makes ("Items 1 and 2 of the preceding article", "Article 20, Paragraph 2";
`render` links them), and `book_form` reads a citation as regdsl prints it
("Article 43, Item 1", "Supplementary Provisions, Paragraph 2"; `regdsl show` takes it).
"""

from __future__ import annotations

import re

from . import nodes as n


# ------------------------------------------------------------------ phrases of the regulation's words

_NUM = r"\d+(?:\.\d+)*"
_SING = rf"{_NUM}(?:\s+(?:and|or|to)\s+{_NUM})*"
_PLUR = rf"{_NUM}(?:(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|to)\s+){_NUM})*"
_LET = r"[a-z]\b"
_LETS = rf"{_LET}(?:(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|to)\s+){_LET})*"
_SEL = (rf"\b(?:(?i:article|paragraph|item)\s+{_SING}(?![\d.]*\d)"
        rf"|(?i:section)\s+{_NUM}(?![\d.]*\d)"
        rf"|(?i:articles|paragraphs|items)\s+{_PLUR}(?![\d.]*\d)"
        rf"|(?i:sub-?items?)\s+{_LETS})")
_CHAIN = rf"{_SEL}(?:\s*,\s*{_SEL})*"
_REL = (r"\b(?i:the\s+(?:preceding|previous|following)\s+(?:article|paragraph|item)"
        r"|this\s+(?:article|paragraph|item))\b")
PHRASE = re.compile(rf"(?:{_CHAIN})(?:\s+of\s+(?:{_CHAIN}))*(?:\s+of\s+{_REL})?|{_REL}")
_SEL_ONE = re.compile(r"(?i:(?P<kw>sub-?items?|articles?|paragraphs?|items?|section))\s+(?P<list>.+?)"
                      r"(?=\s*,\s*(?i:sub-?items?|articles?|paragraphs?|items?|section)\s|$)")
_REL_ONE = re.compile(r"(?i:(?P<rel>the\s+preceding|the\s+previous|the\s+following|this)"
                      r"\s+(?P<target>article|paragraph|item))$")
# "... of the School Education Act": a phrase followed by the name of another instrument.
OF_NAME = re.compile(r"\s+of\s+(?:the\s+|these\s+|this\s+)?([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)")


def _numbers(kind: str, text: str) -> tuple[tuple[str, ...], str | None] | None:
    """`1 and 2` -> (1, 2); `3 to 5` -> (3,) through 5; None when it cannot be said."""
    parts = [p for p in re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", text.strip()) if p]
    if len(parts) == 1 and " to " in f" {parts[0]} ":
        a, b = re.split(r"\s+to\s+", parts[0])
        return (a,), b
    out: list[str] = []
    for p in parts:
        if re.search(r"\s+to\s+", p):
            a, b = re.split(r"\s+to\s+", p)
            if kind == "article" or not (a.isdigit() and b.isdigit()) or int(a) > int(b):
                return None
            out += [str(i) for i in range(int(a), int(b) + 1)]
        else:
            out.append(p)
    return tuple(out), None


def phrase_ref(phrase: str) -> n.Ref | None:
    """The reference a phrase of regulation text makes, as a Ref node (or None)."""
    groups: list[tuple[n.Selector, ...]] = []
    for g in re.split(r"\s+of\s+", " ".join(phrase.split())):
        rel = _REL_ONE.match(g)
        if rel:
            word = rel.group("rel").lower().split()[-1]
            kind = {"previous": "preceding"}.get(word, word)
            groups.append((n.Selector(kind, target=rel.group("target").lower()),))
            continue
        sels = []
        for m in _SEL_ONE.finditer(g):
            kw = m.group("kw").lower().replace("-", "")
            kind = kw.rstrip("s") if kw != "subitems" else "subitem"
            nums = _numbers(kind, m.group("list"))
            if nums is None:
                return None
            sels.append(n.Selector(kind, nums[0], through=nums[1]))
        if not sels:
            return None
        groups.append(tuple(sels))
    return n.Ref(tuple(groups)) if groups else None


# ------------------------------------------------------------------ citations as regdsl prints them

# One step of a printed citation, and the book's word for it.
_STEP = re.compile(r"(?P<kind>article|section|paragraph|item|sub-?item)\s+(?P<num>\d+(?:\.\d+)*|[a-z])\b"
                   r"|(?P<suppl>supplementary\s+provisions)\b", re.I)
_GAP = re.compile(r"^(?:[\s,]|\bof\b|\bthe\b)*$", re.I)
_SKIP = re.compile(r"^(?:[\s,]+|(?:of|the)\b)*", re.I)
CITATION_WORDS = ("article", "section", "paragraph", "item", "sub-item", "supplementary provisions")


def book_form(text: str) -> str | None:
    """A printed citation (`Article 20, Paragraph 2, Item 4`) in the book's words, or None."""
    steps, at = [], 0
    for mt in _STEP.finditer(text):
        if text[at:mt.start()].strip(" ,"):
            return None
        at = mt.end()
        if mt.group("suppl"):
            steps.append("the supplementary provisions")
        else:
            kind = mt.group("kind").lower().replace("-", "")
            steps.append(f"{kind} {mt.group('num')}")
    if not steps or text[at:].strip(" ,"):
        return None
    if steps[0] == "the supplementary provisions" and len(steps) > 1:
        return " ".join(steps[1:]) + " of the supplementary provisions"
    return " ".join(steps)


def first_unread(text: str) -> tuple[int, str]:
    """The column and word where `text` stops reading as a printed citation."""
    at = 0
    for mt in _STEP.finditer(text):
        if not _GAP.match(text[at:mt.start()]):
            break
        at = mt.end()
    rest = text[at:]
    stripped = _SKIP.sub("", rest)
    col = at + len(rest) - len(stripped) + 1
    word = stripped.split()[0].rstrip(",") if stripped.split() else ""
    return col, word
