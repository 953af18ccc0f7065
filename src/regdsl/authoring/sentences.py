"""The words of a book, for finding the sentence a test case quotes.

A case table's `sentence:` quotes the regulation word for word.  `BookText`
holds every run of `|` lines of a book (and of the books it applies
mutatis mutandis), with the headings, as *passages*: the words, white space
collapsed as the book itself joins its lines, each word with the file and
line it is written on.  `find` says whether a sentence is there; when it is
not — an amendment changed the words — `nearest` finds the passage that
reads most like it and says which words differ, and where.
"""

from __future__ import annotations

import difflib
import re

import attrs

from ..syntax import nodes as n

# A sentence this much like a passage (difflib's ratio over words) is taken
# to be that passage, amended; below it, the sentence is not in the book.
CLOSE = 0.6
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """White space (line breaks, runs of spaces) collapsed to single spaces, as a book joins its lines."""
    return _SPACE.sub(" ", text).strip()


@attrs.frozen
class Passage:
    """A run of text lines: its words, the line of each word, and the provision it belongs to."""

    file: str
    cite: str
    words: tuple[str, ...]
    lines: tuple[int, ...]

    @property
    def text(self) -> str:
        return " ".join(self.words)


@attrs.frozen
class Near:
    """The passage a missing sentence reads most like, and how the two differ."""

    passage: Passage
    ratio: float
    words: tuple[str, ...]  # the passage's words that stand where the sentence does
    line: int  # the line of the first word that differs
    changes: tuple[tuple[str, str], ...]  # (the case's words, the book's words); either may be ""

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def describe(self, shown=str) -> str:
        """`FILE:LINE (CITATION) now reads "now" where the case quotes "then"; ...`
        (`shown` turns the file's path into the one to print)."""
        said = []
        for old, new in self.changes[:3]:
            if old and new:
                said.append(f'"{new}" where the case quotes "{old}"')
            elif new:
                said.append(f'"{new}", which the case does not quote')
            else:
                said.append(f'no "{old}", which the case quotes')
        more = f" (and {len(self.changes) - 3} more changes)" if len(self.changes) > 3 else ""
        cite = f" ({self.passage.cite})" if self.passage.cite else ""
        return f"{shown(self.passage.file)}:{self.line}{cite} now reads " + "; ".join(said) + more


def _text_runs(modules) -> list[list[tuple[str, int, str]]]:
    """Every run of consecutive `|` lines, and every printed title of a body, table or duty list,
    as (text, line, file) triples; the syntax trees are walked without recursion."""
    runs: list[list[tuple[str, int, str]]] = []

    def at(node) -> tuple[int, str]:
        return (node.span.line, node.span.file) if node.span is not None else (0, "")

    stack: list = [list(modules)]
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            run: list[tuple[str, int, str]] = []
            for x in node:
                if isinstance(x, n.Text):
                    run.append((x.text, *at(x)))
                    continue
                if run:
                    runs.append(run)
                    run = []
                stack.append(x)
            if run:
                runs.append(run)
        elif attrs.has(type(node)) and not isinstance(node, (n.Comment, n.Rule, n.Condition)):
            if isinstance(node, (n.Duties, n.Body, n.Table)) and node.title:
                runs.append([(node.title, *at(node))])
            stack.extend(getattr(node, f.name) for f in attrs.fields(type(node)) if f.name != "span")
    return runs


class BookText:
    """Every passage of a book's text, to look a quoted sentence up in."""

    def __init__(self, model):
        self.passages: list[Passage] = []
        seen: set[int] = set()
        todo = [model]
        while todo:
            m = todo.pop(0)
            if id(m) in seen:
                continue
            seen.add(id(m))
            self._add_book(m)
            todo.extend(m.others.values())
        self._texts = [p.text for p in self.passages]
        self._all = " ".join(self._texts)
        self._vocab = [set(p.words) for p in self.passages]

    def _add_book(self, m) -> None:
        starts: dict[str, list[tuple[int, str]]] = {}
        for p in m.provisions():
            if p.span is not None:
                starts.setdefault(p.span.file, []).append((p.span.line, p.cite))
                if p.title:
                    self._add(p.span.file, p.cite, [(f"{p.cite} {p.title}", p.span.line)])
        for v in starts.values():
            v.sort()
        for run in _text_runs(m.modules):
            _, line, file = run[0]
            cite = ""
            for start, c in starts.get(file, ()):
                if start > line:
                    break
                cite = c
            self._add(file, cite, [(text, ln) for text, ln, _ in run])

    def _add(self, file: str, cite: str, texts: list[tuple[str, int]]) -> None:
        words: list[str] = []
        lines: list[int] = []
        for text, line in texts:
            w = text.split()
            words += w
            lines += [line] * len(w)
        if words:
            self.passages.append(Passage(file, cite, tuple(words), tuple(lines)))

    def find(self, sentence: str) -> bool:
        """Whether the sentence is in the book's text, word for word (white space aside)."""
        s = normalise(sentence)
        return any(s in t for t in self._texts) or s in self._all

    def nearest(self, sentence: str) -> Near | None:
        """The passage the sentence reads most like (None when none is close)."""
        words = normalise(sentence).split()
        if not words:
            return None
        want = set(words)
        # Only the passages that share the most words are compared word by word.
        shared = sorted(range(len(self.passages)), key=lambda i: -len(want & self._vocab[i]))[:8]
        best: Near | None = None
        for i in shared:
            near = _align(words, self.passages[i])
            if near is not None and (best is None or near.ratio > best.ratio):
                best = near
        return best if best is not None and best.ratio >= CLOSE else None


def _align(words: list[str], p: Passage) -> Near | None:
    """The stretch of passage `p` that stands where `words` do, and the differences."""
    sm = difflib.SequenceMatcher(None, words, p.words, autojunk=False)
    ops = sm.get_opcodes()
    # Passage words before the first and after the last word of the sentence are not part of it.
    while ops and ops[0][0] == "insert":
        ops.pop(0)
    while ops and ops[-1][0] == "insert":
        ops.pop()
    if not ops or not any(tag == "equal" for tag, *_ in ops):
        return None
    ops = [_trim(op, first=(k == 0), last=(k == len(ops) - 1)) for k, op in enumerate(ops)]
    start, end = ops[0][3], ops[-1][4]
    changes = [(" ".join(words[i1:i2]), " ".join(p.words[j1:j2])) for tag, i1, i2, j1, j2 in ops if tag != "equal"]
    matched = sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal")
    ratio = 2 * matched / (len(words) + (end - start))
    first = next((j1 for tag, _, _, j1, j2 in ops if tag != "equal"), start)
    line = p.lines[min(first, len(p.lines) - 1)]
    return Near(p, ratio, p.words[start:end], line, tuple(changes))


def _trim(op, first: bool, last: bool):
    """A leading or trailing replacement takes no more of the passage than the sentence had."""
    tag, i1, i2, j1, j2 = op
    if tag == "replace" and (j2 - j1) > (i2 - i1):
        if last:
            j2 = j1 + (i2 - i1)
        elif first:
            j1 = j2 - (i2 - i1)
    return (tag, i1, i2, j1, j2)
