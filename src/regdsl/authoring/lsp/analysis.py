"""A book as an editor sees it: read with the unsaved text of open files, its findings as diagnostics.

The language server reads the whole book an open file belongs to (its
directory, as `regdsl check DIR` does), and the books it uses, with the text
of every open document in place of the file on disk; the findings are those
of `regdsl check`, with the same codes and messages.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
from lsprotocol import types as t

from ...errors import RegdslError, split_lines
from ...read import Loaded, read
from .index import Index

_SUGGESTION = re.compile(r"did you mean `([^`]+)`\?")
_WORD = re.compile(r"[A-Za-z0-9_.]+")


@attrs.define
class Analysis:
    """One reading of a book: its model and index (when it could be read) and every finding."""

    path: str
    versions: dict[str, int]  # the open documents' versions this reading saw
    stamp: tuple = ()  # the files and directories it read, as they were on disk (see `disk_stamp`)
    loaded: Loaded | None = None
    index: Index | None = None
    errors: list[RegdslError] = attrs.field(factory=list)
    failure: str | None = None  # why the index could not be built (a bug; logged, never shown as a finding)

    def source(self, file: str) -> str | None:
        """The text of a file as this reading saw it."""
        if self.loaded is None:
            return None
        want = os.path.abspath(file)
        for name, text in self.loaded.sources.items():
            if os.path.abspath(name) == want:
                return text
        return None


def book_of(file: str) -> str:
    """The book a .reg file belongs to: the directory that holds it."""
    return str(Path(file).resolve().parent)


def analyse(book: str, overlay: Mapping[str, str], versions: dict[str, int]) -> Analysis:
    """Read and check `book` with the unsaved text of `overlay` (real path: text)."""
    result = Analysis(book, versions)
    try:
        loaded = read(book, overlay=overlay)
    except RegdslError as e:  # the directory has gone, or holds no .reg file any more
        result.errors = [e]
        return result
    result.loaded = loaded
    result.stamp = disk_stamp(loaded.files, loaded.dirs)
    seen: set[tuple] = set()
    for found in sorted(loaded.errors, key=RegdslError.sort_key):  # once each, as `regdsl check` prints them
        key = (found.code, found.span, found.message)
        if key not in seen:
            seen.add(key)
            result.errors.append(found)
    try:
        result.index = Index(loaded.model, loaded.ir)
    except Exception as e:  # noqa: BLE001 - a half-built book must never take the server down
        result.failure = f"{type(e).__name__}: {e}"
    return result


def disk_stamp(files: Mapping[str, str], dirs: Mapping[str, list[str]]) -> tuple:
    """The size and modification time of each file read, and the .reg files of each directory:
    a reading is stale when a file changes on disk (a `git pull`), not only when one is typed in."""
    out: list = []
    for name in sorted(files):
        try:
            st = os.stat(name)
            out.append((name, st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((name, None, None))
    for folder in sorted(dirs):
        try:
            out.append((folder, tuple(sorted(f for f in os.listdir(folder) if f.endswith(".reg")))))
        except OSError:
            out.append((folder, None))
    return tuple(out)


def fresh(analysis: Analysis, versions: dict[str, int]) -> bool:
    """Whether a reading still holds: the same open documents, and the files on disk unchanged."""
    if analysis.versions != versions:
        return False
    if analysis.loaded is None:
        return not analysis.errors
    return disk_stamp(analysis.loaded.files, analysis.loaded.dirs) == analysis.stamp


def diagnostics(analysis: Analysis) -> dict[str | None, list[t.Diagnostic]]:
    """The findings by file (absolute path); those with no place under None."""
    out: dict[str | None, list[t.Diagnostic]] = {}
    sources = analysis.loaded.sources if analysis.loaded is not None else {}
    lines_of: dict[str, list[str]] = {}
    for e in analysis.errors:
        file = os.path.abspath(e.span.file) if e.span is not None else None
        lines: list[str] = []
        if e.span is not None:
            if e.span.file not in lines_of:
                lines_of[e.span.file] = split_lines(sources.get(e.span.file, ""))
            lines = lines_of[e.span.file]
        out.setdefault(file, []).append(diagnostic(e, lines))
    left_out = analysis.loaded.suppressed if analysis.loaded is not None else 0
    first = next(((e, e.span) for e in analysis.errors if e.code.startswith("E1") and e.span is not None), None)
    if left_out and first is not None:  # as `regdsl check` ends: say how many findings were left out
        error, span = first
        note = diagnostic(error, lines_of.get(span.file, []))
        note.severity, note.data = t.DiagnosticSeverity.Information, None
        note.message = (f"{left_out} further finding{'s' if left_out != 1 else ''} left out: "
                        f"{'they follow' if left_out != 1 else 'it follows'} from this error")
        out[os.path.abspath(span.file)].append(note)
    return out


def diagnostic(e: RegdslError, lines: list[str]) -> t.Diagnostic:
    """A finding as an LSP diagnostic: its code, its message (and hint), the range it covers."""
    message = e.message + (f"\nhint: {e.hint}" if e.hint else "")
    data: dict[str, Any] = {}
    if e.hint:
        found = _SUGGESTION.search(e.hint)
        if found:
            data["suggestion"] = found.group(1)
    return t.Diagnostic(range=span_range(e, lines), message=message, severity=t.DiagnosticSeverity.Error,
                        code=e.code, source="regdsl", data=data or None)


def span_range(e: RegdslError, lines: list[str]) -> t.Range:
    """The range a finding covers: its span, or the word at its position when the span has no end."""
    s = e.span
    if s is None:
        return t.Range(t.Position(0, 0), t.Position(0, 0))
    line, col = max(0, s.line - 1), max(0, s.column - 1)
    if s.end_line >= s.line and s.end_column and (s.end_line, s.end_column) > (s.line, s.column):
        return t.Range(t.Position(line, col), t.Position(s.end_line - 1, s.end_column - 1))
    text = lines[line] if line < len(lines) else ""
    m = _WORD.match(text, col)
    end = m.end() if m else min(len(text), col + 1)
    return t.Range(t.Position(line, col), t.Position(line, max(end, col)))


def suggestion_edit(text: str, rng: t.Range, suggestion: str) -> t.TextEdit | None:
    """Replace the word of `rng` most like `suggestion` with it (the did-you-mean code action)."""
    lines = split_lines(text)
    if rng.start.line >= len(lines):
        return None
    line = lines[rng.start.line]
    stop = rng.end.character if rng.end.line == rng.start.line else len(line)
    words = [m for m in _WORD.finditer(line, rng.start.character, max(stop, rng.start.character + 1))]
    if not words:
        return None
    best = max(words, key=lambda m: difflib.SequenceMatcher(None, m.group(), suggestion).ratio())
    if best.group() == suggestion:
        return None
    return t.TextEdit(t.Range(t.Position(rng.start.line, best.start()), t.Position(rng.start.line, best.end())),
                      suggestion)
