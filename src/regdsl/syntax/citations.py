"""References written in words (as opposed to a book's rules, the parser's `ref`): one grammar.

A reference in words is steps joined by commas or `of`: `Article 20`, `Items 1 and 2`,
`Sub-item a`, `the preceding article`, `Supplementary Provisions`.  `STEP` reads one
step wherever it is written (its kind, its list of numbers, or its relative words), and
every reader goes through it:

- `phrase_ref`: the reference a phrase of a regulation's own text makes ("Items 1 and 2
  of the preceding article"; `PHRASE`, made of the same words, finds the phrases, and
  `render` links them);
- `book_form` and `first_unread`: a citation as regdsl prints it ("Article 20,
  Paragraph 2, Item 4"; `regdsl show` takes it), in the book's words;
- `cited_articles`: the articles a finding's message cites (check/suppress.py).

The words are those `printer.cite_step` prints a citation's steps in (the model names
every provision with it), so what regdsl prints is what it reads.  Importing this module
compiles its patterns: the stages that run for every evaluation do not import it.
"""

from __future__ import annotations

import re
from typing import Iterator, NamedTuple

from . import nodes as n
from .printer import PRINTED, describe_ref

# ------------------------------------------------------------------ the words

CITATION_WORDS = tuple(word.lower() for word in PRINTED.values())

_NUM = r"\d+(?:\.\d+)*"  # the number of an article, paragraph or item: 20, 13.2
_LET = r"[a-z]\b"  # the letter of a sub-item
_AND = r"\s+(?:and|or|to)\s+"  # between two numbers: `1 and 2`, `3 to 5`
_SEP = rf"(?:\s*,\s*(?:and\s+|or\s+)?|{_AND})"  # between the numbers of any list: `1, 2, and 3`
_WHOLE = r"(?![\d.]*\d)"  # a number in a phrase is read to its end
_RELATIVE = r"the\s+(?:preceding|previous|following)|this"
_LEVEL = r"article|paragraph|item"

# One step, in any of the forms people write: the tokenizer of every reader below.  A kind may
# start inside a word: whether what comes before it may (`the`, `of`, a comma) is the reader's call.
STEP = re.compile(rf"(?P<word>sub-?items?|articles?|paragraphs?|items?|section)\s+"
                  rf"(?P<first>{_NUM}|{_LET})(?P<more>(?:{_SEP}(?:{_NUM}|{_LET}))*)"
                  rf"|\b(?P<relative>{_RELATIVE})\s+(?P<target>{_LEVEL})\b"
                  rf"|(?P<supplementary>supplementary\s+provisions)\b", re.I)
# The first number of a step as a citation prints it: one word, to a word's end.
_HEAD = re.compile(rf"(?:{_NUM}|{_LET})\b", re.I)

# The phrases of a regulation's text that cite: a singular kind takes `1 and 2` or `3 to 5`,
# a plural one any list, a section one number, sub-items letters; steps are joined by
# commas, groups by `of`, and a relative step ends the phrase.
_SEL = (rf"\b(?:(?i:{_LEVEL})\s+{_NUM}(?:{_AND}{_NUM})*{_WHOLE}"
        rf"|(?i:section)\s+{_NUM}{_WHOLE}"
        rf"|(?i:articles|paragraphs|items)\s+{_NUM}(?:{_SEP}{_NUM})*{_WHOLE}"
        rf"|(?i:sub-?items?)\s+{_LET}(?:{_SEP}{_LET})*)")
_CHAIN = rf"{_SEL}(?:\s*,\s*{_SEL})*"
_REL = rf"\b(?i:(?:{_RELATIVE})\s+(?:{_LEVEL}))\b"
PHRASE = re.compile(rf"(?:{_CHAIN})(?:\s+of\s+(?:{_CHAIN}))*(?:\s+of\s+{_REL})?|{_REL}")
# "... of the School Education Act": a phrase followed by the name of another instrument.
OF_NAME = re.compile(r"\s+of\s+(?:the\s+|these\s+|this\s+)?([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)")

_COMMA = re.compile(r"\s*,\s*")
_OF = re.compile(r"\s+of\s+")
_GAP = re.compile(r"^(?:[\s,]|\bof\b|\bthe\b)*$", re.I)  # what may stand between the steps of a citation
_SKIP = re.compile(r"^(?:[\s,]+|(?:of|the)\b)*", re.I)
_WORD_START = re.compile(r"\b")


# ------------------------------------------------------------------ reading the steps


class Step(NamedTuple):
    """One step of a reference as written, read by STEP."""

    selector: n.Selector | None  # None: a run such as `3 to 5` among other numbers, not counted out
    word: str  # its kind as written: `Items`, `the previous`, `Supplementary Provisions`
    start: int
    end: int
    head: int | None  # where it ends as one step of a printed citation (its kind and first number), if it does

    @property
    def printed(self) -> bool:
        """Whether the whole step is written as a citation prints one (`Article 20`, not `Articles 20 and 21`)."""
        return self.head == self.end


def steps(text: str) -> Iterator[Step]:
    """The steps written in `text`, in order (whatever stands between them is for the reader to judge)."""
    for m in STEP.finditer(text):
        if m["supplementary"]:
            yield Step(n.Selector("supplementary"), m["supplementary"], m.start(), m.end(), m.end())
        elif m["relative"]:
            word = m["relative"].lower().split()[-1]
            kind = "preceding" if word == "previous" else word
            yield Step(n.Selector(kind, target=m["target"].lower()), m["relative"], m.start(), m.end(), None)
        else:
            word = m["word"].lower().replace("-", "")
            kind = word.rstrip("s")
            numbers = _numbers(kind, m["first"] + m["more"])
            head = _HEAD.match(text, m.start("first")) if word == kind else None
            yield Step(n.Selector(kind, numbers[0], through=numbers[1]) if numbers else None, m["word"],
                       m.start(), m.end(), head.end() if head else None)


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


# ------------------------------------------------------------------ phrases of the regulation's words


def phrase_ref(phrase: str) -> n.Ref | None:
    """The reference a phrase of regulation text (a `PHRASE`) makes, as a Ref node (or None)."""
    text = " ".join(phrase.split())
    groups: list[tuple[n.Selector, ...]] = []
    group: list[n.Selector] = []
    at = 0
    for step in steps(text):
        gap = text[at:step.start]
        if not group:  # the first step
            if gap:
                return None
        elif _OF.fullmatch(gap):  # the next group
            groups.append(tuple(group))
            group = []
        elif not _COMMA.fullmatch(gap):
            return None
        if step.selector is None:
            return None
        group.append(step.selector)
        at = step.end
    if not group or at != len(text):
        return None
    return n.Ref((*groups, tuple(group)))


# ------------------------------------------------------------------ citations as regdsl prints them


def _printed(text: str) -> list[n.Selector] | None:
    """The steps of a printed citation (`Article 20, Paragraph 2`), or None if that is not what `text` is."""
    found, at = [], 0
    for step in steps(text):
        if text[at:step.start].strip(" ,") or not step.printed or step.selector is None:
            return None
        found.append(step.selector)
        at = step.end
    return found if found and not text[at:].strip(" ,") else None


def book_form(text: str) -> str | None:
    """A printed citation (`Article 20, Paragraph 2, Item 4`) in the book's words, or None."""
    found = _printed(text)
    if found is None:
        return None
    if found[0].kind == "supplementary" and len(found) > 1:  # "paragraph 2 of the supplementary provisions"
        return describe_ref(n.Ref((tuple(found[1:]), (found[0],))))
    return describe_ref(n.Ref((tuple(found),)))


def first_unread(text: str) -> tuple[int, str]:
    """The column and word where `text` stops reading as a printed citation."""
    at = 0
    for step in steps(text):
        if not _GAP.match(text[at:step.start]):
            break
        if not step.printed:
            at = step.head if step.head is not None else at  # `Article 3 and 4` reads as far as `Article 3`
            break
        at = step.end
    rest = text[at:]
    stripped = _SKIP.sub("", rest)
    col = at + len(rest) - len(stripped) + 1
    word = stripped.split()[0].rstrip(",") if stripped.split() else ""
    return col, word


def cited_articles(text: str) -> list[str]:
    """The numbers of the articles `text` cites as regdsl prints citations (`Article 14, Paragraph 1`: 14)."""
    return [text[s.start:s.head].split()[-1] for s in steps(text)
            if s.head is not None and s.word == PRINTED["article"] and _WORD_START.match(text, s.start)]
