"""What the formatter reads besides the tree: the source text, statement blocks, spellings."""

from __future__ import annotations

import re

import attrs

from ...syntax import nodes as n
from ...syntax.printer import quote

WIDTH = 100
STEP = "  "

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TIME = re.compile(r"\d{1,2}:\d{2}\Z")
_LEX = re.compile(r'(?P<s>"(?:[^"\\\n]|\\.)*")|(?P<c>#[^\n]*)|(?P<w>[A-Za-z_][A-Za-z0-9_]*)')
# Words a statement may start with: a condition printed without its parentheses
# must not begin with one.
_STMT_WORDS = {
    "fact", "outcome", "define", "decision", "body", "unit", "table", "delegated", "refers",
    "applies", "amendment", "however", "subitem", "item", "paragraph", "article", "articles",
    "section", "part", "book", "supplementary",
}
# Words that cannot be a bare reading (`reading X as Y`).
_READING_WORDS = {
    "article", "articles", "paragraph", "paragraphs", "item", "items", "subitem", "the", "this",
    "as", "of", "reading", "except",
}

_BLOCK_OWNERS = (n.Article, n.Paragraph, n.Item, n.SubItem, n.Supplementary, n.Section)
_DECLS = (n.Fact, n.Outcome, n.Define, n.Decision, n.Body, n.Unit)


def _children(node) -> tuple:
    """The statements of a node's indented block (empty for a one-line statement)."""
    if isinstance(node, n.Module):
        return node.items
    if isinstance(node, _BLOCK_OWNERS):
        return node.body
    if isinstance(node, (n.BookHeader, n.Body, n.Table)):
        return node.statements
    if isinstance(node, n.Duties):
        return node.items
    if isinstance(node, n.Applies):
        return node.adaptations
    if isinstance(node, n.Amendment):
        return node.clauses
    return ()


def _line(node) -> int:
    span = getattr(node, "span", None)
    return span.line if span is not None else 0


def _end_line(node) -> int:
    span = getattr(node, "span", None)
    if span is None:
        return 0
    return span.end_line or span.line


@attrs.define
class _Sub:
    """One printed line of a statement: its indentation (in columns), text and source anchor.

    The anchor is the source line of the construct the line starts with; comments
    written inside a statement are put back by it.
    """

    col: int
    text: str
    anchor: int | None


class _Source:
    """The source text, for what the tree does not keep (blank lines, how a thing was written)."""

    def __init__(self, text: str):
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.text = text
        self.lines = text.split("\n")
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def line(self, no: int) -> str:
        """Line `no` (1-based), empty past the end."""
        return self.lines[no - 1] if 1 <= no <= len(self.lines) else ""

    def blank(self, no: int) -> bool:
        """Whether line `no` is blank."""
        return 1 <= no <= len(self.lines) and not self.lines[no - 1].strip()

    def slice(self, span) -> tuple[str, int] | None:
        """The text a span covers, and the line it starts on."""
        if span is None or not span.end_line or span.line > len(self.lines):
            return None
        if span.end_line > len(self.lines):
            return None
        a = self.starts[span.line - 1] + span.column - 1
        b = self.starts[span.end_line - 1] + span.end_column - 1
        if not 0 <= a <= b <= len(self.text):
            return None
        return self.text[a:b], span.line

    def tokens(self, span) -> list[tuple[str, str, int]]:
        """(kind, text, line) of the strings (s), words (w) and comments (c) in a span."""
        got = self.slice(span)
        if got is None:
            return []
        text, first = got
        out = []
        for m in _LEX.finditer(text):
            kind = m.lastgroup or ""  # every alternative of _LEX is a named group
            out.append((kind, m.group(), first + text.count("\n", 0, m.start())))
        return out


def _col(level: int) -> int:
    return len(STEP) * level


def _parens(lines: list[_Sub]) -> list[_Sub]:
    """The lines of an expression wrapped in parentheses (the first already one column in)."""
    first = lines[0]
    lines = list(lines)
    lines[0] = _Sub(first.col - 1, "(" + first.text, first.anchor)
    lines[-1] = _Sub(lines[-1].col, lines[-1].text + ")", lines[-1].anchor) if len(lines) > 1 else \
        _Sub(first.col - 1, "(" + first.text + ")", first.anchor)
    return lines


def _prefixed(prefix: str, lines: list[_Sub]) -> list[_Sub]:
    first = lines[0]
    return [_Sub(first.col - len(prefix), prefix + first.text, first.anchor)] + lines[1:]


def _wrap(text: str, room: int) -> list[str]:
    """Split a description piece at spaces so that each quoted part fits in `room` columns."""
    if len(quote(text)) <= room:
        return [text]
    parts: list[str] = []
    cur: str | None = None
    for word in text.split(" "):
        cand = word if cur is None else f"{cur} {word}"
        if cur is not None and len(quote(cand)) > room:
            parts.append(cur)
            cur = word
        else:
            cur = cand
    parts.append(cur if cur is not None else "")
    return parts
