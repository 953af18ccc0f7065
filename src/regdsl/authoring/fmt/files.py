"""Formatting files: the .reg files some paths name, read within their limits, rewritten in place."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Iterable

import attrs

from ...errors import RegdslError, Span, UsageError
from ...core.files import MAX_FILE_BYTES, FileRefused, inside, read_bytes, resolved, rewrite
from .layout import format_text


def _files(paths: Iterable[str | Path]) -> tuple[list[Path], list[RegdslError]]:
    """The regular .reg files at the paths; never a symbolic link, which fmt does not write through.

    In a directory, a link to a file inside it is left out (that file is
    formatted as itself); a link that leads outside is E703.
    """
    files: list[Path] = []
    errors: list[RegdslError] = []
    seen: set[Path] = set()
    for p in map(Path, paths):
        found: list[Path]
        if p.is_symlink() and p.is_file():
            errors.append(UsageError(f"{p} is a symbolic link; regdsl fmt does not write through links: "
                                     "name the file it points to", code="E701"))
            found = []
        elif p.is_dir():
            root = resolved(p)
            found = []
            for f in sorted(p.rglob("*.reg")):
                if any(part.startswith(".") for part in f.relative_to(p).parts):
                    continue
                if f.is_symlink():
                    if f.exists() and not inside(resolved(f), root):
                        errors.append(UsageError(f"{f} is a symbolic link to a place outside {p}; "
                                                 "it is not read or written", code="E703"))
                elif f.is_file():
                    found.append(f)
            if not found and not errors:
                errors.append(UsageError(f"{p}: no .reg files in this directory", code="E702"))
        elif p.is_file():
            found = [p]
        else:
            errors.append(UsageError(f"{p}: no such file or directory", code="E702"))
            found = []
        for f in found:
            key = resolved(f)
            if key not in seen:
                seen.add(key)
                files.append(f)
    return files, errors


def _read(f: Path) -> str:
    """A .reg file's text, not through a link and within the size limit (OSError, FileRefused)."""
    return read_bytes(f, MAX_FILE_BYTES, ".reg file", follow=False).decode("utf-8")


@attrs.frozen
class FormattedFile:
    """What formatting did with one file: its text before and after, or why it could not."""

    path: str  # as the paths named it
    old: str | None = None  # None when it could not be read
    new: str | None = None  # None when it could not be read or formatted
    error: RegdslError | None = None  # why it could not be read, formatted or rewritten
    written: bool = False

    @property
    def changed(self) -> bool:
        """Whether the canonical layout differs from the file's text."""
        return self.old is not None and self.new is not None and self.new != self.old

    def diff(self) -> str:
        """A unified diff from the file's text to its canonical layout (empty when unchanged)."""
        if self.old is None or self.new is None:
            return ""
        out = []
        for line in difflib.unified_diff(self.old.splitlines(keepends=True), self.new.splitlines(keepends=True),
                                         fromfile=f"{self.path} (original)", tofile=f"{self.path} (formatted)"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        return "".join(out)

    def error_text(self) -> str:
        """The error as a user reads it, with its source line when the file was read."""
        if self.error is None:
            return ""
        return self.error.render({self.path: self.old} if self.old is not None else None)


@attrs.frozen
class FmtReport:
    """What `format_paths` found: the paths that name no file it takes, and each file it read."""

    errors: tuple[RegdslError, ...]
    files: tuple[FormattedFile, ...]
    write: bool  # whether changed files were rewritten

    @property
    def changed(self) -> int:
        """How many files differ from their canonical layout (rewritten, when `write`)."""
        return sum(1 for f in self.files if f.changed)

    @property
    def unchanged(self) -> int:
        """How many files are already laid out canonically."""
        return sum(1 for f in self.files if f.error is None and not f.changed)

    @property
    def failed(self) -> int:
        """How many files could not be read or formatted."""
        return len(self.files) - self.changed - self.unchanged

    @property
    def ok(self) -> bool:
        """Whether every path named files and every file was read, formatted and (if asked) written."""
        return not self.errors and all(f.error is None for f in self.files)


def format_paths(paths: Iterable[str | Path], write: bool = True) -> FmtReport:
    """Lay out the .reg files at `paths` (files or directories) canonically; rewrite the changed
    ones in place when `write`, else change nothing."""
    files, errors = _files(paths)
    return FmtReport(tuple(errors), tuple(format_file(f, write) for f in files), write)


def format_file(f: Path, write: bool = True) -> FormattedFile:
    """Lay out one .reg file canonically (rewriting it when changed and `write`)."""
    name = str(f)
    try:
        raw = _read(f)
    except FileRefused as e:
        return FormattedFile(name, error=RegdslError(e.message, Span(name, 1, 1), code=e.code))
    except (OSError, UnicodeDecodeError) as e:
        return FormattedFile(name, error=RegdslError(f"cannot read {name}: {e}", code="E100"))
    try:
        new = format_text(raw, name)
    except RegdslError as e:
        return FormattedFile(name, raw, error=e)
    if not write or new == raw:
        return FormattedFile(name, raw, new)
    try:
        rewrite(f, new.encode("utf-8"))
    except OSError as e:
        return FormattedFile(name, raw, new, RegdslError(f"cannot write {name}: {e.strerror or e}", code="E100"))
    return FormattedFile(name, raw, new, written=True)
