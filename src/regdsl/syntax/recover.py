"""Parsing on after a syntax error: one slip gives one error, and the rest of the file is kept.

When a file does not parse, the lines from the error to the next line
indented no deeper than the broken one -- the next article, paragraph, item
or statement beside it -- are set aside (blanked, so every position stays where it is)
and the file is parsed again.  If the next error is only the consequence of
that (a heading left with nothing under it), the lines set aside grow to the
heading instead of reporting a second error.  At most MAX_SYNTAX_ERRORS are
reported per file.

Why blank and parse again rather than resume Lark's parser from its error
(`on_error` and the interactive parser): half the slips are found by the
lexer and the indentation post-lexer (an unclosed quote, a misaligned line),
outside what `on_error` sees, and resuming would need the indenter's stack
and the parser's stack put right for the place resumed at.  A parse of a
book's file takes milliseconds, so one more per slip costs nothing.

What the lines set aside would have declared -- names, rule heads, article,
paragraph and item numbers -- is the file's `Damage`: the checker drops
findings about those (they follow from the syntax error, not from a mistake
of their own) and says how many it dropped.
"""

from __future__ import annotations

import difflib
import re

import attrs

from ..core.limits import MAX_RECOVER_BYTES, MAX_SYNTAX_ERRORS
from ..errors import SyntaxError_, split_lines
from . import nodes as n

MAX_ATTEMPTS = 4 * MAX_SYNTAX_ERRORS  # parses of one file, errors and widenings together
MAX_WIDENINGS = 2  # a region taken in this often is not the cause of the next error after it

_HEADING = re.compile(r"(article|articles|paragraph|item|subitem|part|section|supplementary|book)\b")
_DECLARED = re.compile(r"\s*([A-Za-z]+)\s+([A-Za-z_][A-Za-z0-9_]*)")  # `fact x`, or `fcat x`
_DECLARING = ("fact", "outcome", "define", "decision", "table", "body")
_RULE_HEAD = re.compile(r"\s*(?:however\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?:=|if\b)")
_NUMBERED = re.compile(r"\s*([A-Za-z]+)\s+([0-9][0-9.]*|[a-z])\b")  # `paragraph 3`, or `paragrph 3`


@attrs.define
class Damage:
    """What the parts of a file that did not parse may have declared."""

    names: set[str] = attrs.field(factory=set)
    articles: set[str] = attrs.field(factory=set)  # articles with a part set aside (or all of one)
    numbers: set[tuple[str, str]] = attrs.field(factory=set)  # (paragraph|item, number) headings set aside
    whole: bool = False  # the file was not read at all: anything may be missing

    def merge(self, other: "Damage") -> None:
        self.names |= other.names
        self.articles |= other.articles
        self.numbers |= other.numbers
        self.whole = self.whole or other.whole


@attrs.frozen
class Recovered:
    """A file parsed with recovery: its tree (None if nothing could be kept), its errors, its damage."""

    module: n.Module | None
    errors: list[SyntaxError_]
    damage: Damage


def parse_recovering(text: str, file: str, first: SyntaxError_) -> Recovered:
    """Parse `text`, which has just failed with `first`, setting aside the broken parts."""
    lines = split_lines(text)
    if len(text) > MAX_RECOVER_BYTES:
        return Recovered(None, [first], _damage(lines, [[1, len(lines), 0]]))
    masked: list[list[int]] = []  # [first, last, widenings]: lines (1-based, inclusive) set aside
    errors: list[SyntaxError_] = []
    err: SyntaxError_ | None = first
    attempts = 0
    while err is not None:
        attempts += 1
        line = err.span.line if err.span is not None else 1
        region = _cascade(masked, line, lines)
        if region is not None and not (_layout(err) or _inside(masked, line)):
            # A wrong word just after lines set aside: their consequence only if taking in the
            # heading above them makes it go.
            trial = [list(r) for r in masked]
            widened = trial[masked.index(region)]
            widened[2] += 1
            _widen(widened, lines)
            module, again = _parse(lines, trial, file)
            if again is None or (again.span, again.message) != (err.span, err.message):
                masked, err = trial, again
                if err is None:
                    return Recovered(module, errors, _damage(lines, masked))
                continue
            region = None
        if region is not None:
            region[2] += 1
            _widen(region, lines)
        else:
            if len(errors) == MAX_SYNTAX_ERRORS or attempts > MAX_ATTEMPTS:
                masked.append([line, len(lines), 0])
                break
            errors.append(err)
            masked.append(_region(line, lines) + [0])
        if attempts > MAX_ATTEMPTS or any(r[0] <= 1 and r[1] >= len(lines) for r in masked):
            break
        module, err = _parse(lines, masked, file)
        if err is None:
            return Recovered(module, errors, _damage(lines, masked))
    return Recovered(None, errors or [first], _damage(lines, masked or [[1, len(lines), 0]]))


def _parse(lines: list[str], masked: list[list[int]], file: str) -> tuple[n.Module | None, SyntaxError_ | None]:
    from .parser import parse

    try:
        return parse(_blank(lines, masked), file), None
    except SyntaxError_ as e:
        return None, e


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _content(text: str) -> str:
    """A line without its indentation, or "" if it is blank or a comment."""
    s = text.strip()
    return "" if not s or s.startswith("#") else s


def _region(line: int, lines: list[str]) -> list[int]:
    """From the broken line to the line before the next one indented no deeper: the broken
    statement (an article, a paragraph, an item, a rule or a declaration) and what is under it."""
    start = max(1, min(line, len(lines)))
    while start > 1 and not _content(lines[start - 1]):  # an error reported on a blank line: the one above
        start -= 1
    depth = _indent(lines[start - 1]) if start <= len(lines) else 0
    end = start
    for no in range(start + 1, len(lines) + 1):
        text = lines[no - 1]
        body = _content(text)
        if body and _indent(text) <= depth:
            break  # the next statement beside the broken one (an article, a paragraph, a rule), or out
        end = no
    return [start, end]


def _layout(err: SyntaxError_) -> bool:
    """An error about the shape of the file (a heading left with no block under it), which
    lines set aside can cause, as opposed to a word that is wrong where it stands."""
    return err.code == "E105" or err.message.startswith(("unexpected indentation", "unexpected end of"))


def _inside(masked: list[list[int]], line: int) -> bool:
    return any(a <= line <= b for a, b, _ in masked)


def _cascade(masked: list[list[int]], line: int, lines: list[str]) -> list[int] | None:
    """The region set aside that an error at `line` follows from: inside it, or at the first line
    with content after it (a heading before the region left with no body)."""
    for region in masked:
        if region[0] <= line <= region[1]:
            return region
        if region[2] >= MAX_WIDENINGS:
            continue
        after = region[1] + 1
        while after <= len(lines) and not _content(lines[after - 1]):
            after += 1
        if line == after or (after > len(lines) and line >= region[1]):
            return region
    return None


def _widen(region: list[int], lines: list[str]) -> None:
    """Take in the heading that holds the region (its article, paragraph or item)."""
    depth = _indent(lines[region[0] - 1]) if region[0] <= len(lines) else 0
    for no in range(region[0] - 1, 0, -1):
        text = lines[no - 1]
        if _content(text) and _indent(text) < depth and _HEADING.match(_content(text)):
            region[0] = no
            return
    region[0] = 1


def _blank(lines: list[str], masked: list[list[int]]) -> str:
    out = list(lines)
    for a, b, _ in masked:
        for no in range(a, min(b, len(out)) + 1):
            out[no - 1] = ""
    return "\n".join(out) + "\n"


def _damage(lines: list[str], masked: list[list[int]]) -> Damage:
    """Why blank and parse again rather than resume Lark's parser from its error
(`on_error` and the interactive parser): half the slips are found by the
lexer and the indentation post-lexer (an unclosed quote, a misaligned line),
outside what `on_error` sees, and resuming would need the indenter's stack
and the parser's stack put right for the place resumed at.  A parse of a
book's file takes milliseconds, so one more per slip costs nothing.

What the lines set aside would have declared, and the articles they belong to."""
    d = Damage()
    for a, b, _ in masked:
        article = _article_above(lines, a)
        if article is not None:
            d.articles.add(article)
        for no in range(a, min(b, len(lines)) + 1):
            text = lines[no - 1]
            if text.lstrip().startswith("|"):
                continue
            m = _DECLARED.match(text)
            if m and _close(m.group(1), _DECLARING):
                d.names.add(m.group(2))
            m = _RULE_HEAD.match(text)
            if m:
                d.names.add(m.group(1))
            m = _NUMBERED.match(text)
            if m:
                kind = _close(m.group(1), ("article", "paragraph", "item"))
                if kind == "article":
                    d.articles.add(m.group(2))
                elif kind:
                    d.numbers.add((kind, m.group(2)))
    return d


def _close(word: str, keywords: tuple[str, ...]) -> str | None:
    """The keyword `word` is, or is a slip for."""
    found = difflib.get_close_matches(word, keywords, n=1, cutoff=0.75)
    return found[0] if found else None


def _article_above(lines: list[str], line: int) -> str | None:
    for no in range(min(line, len(lines)), 0, -1):
        m = re.match(r"article\s+([0-9][0-9.]*)\b", lines[no - 1])
        if m:
            return m.group(1)
    return None
