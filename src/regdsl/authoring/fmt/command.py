"""`regdsl fmt PATH...`: which files, read within their limits, rewritten in place or diffed."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

from ...errors import RegdslError, Span, UsageError
from ...core.files import MAX_FILE_BYTES, FileRefused, inside, read_bytes, resolved, rewrite
from .layout import format_text


def _files(paths) -> tuple[list[Path], list[RegdslError]]:
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


def _diff(path: str, old: str, new: str) -> str:
    out = []
    for line in difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                     fromfile=f"{path} (original)", tofile=f"{path} (formatted)"):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def main(args) -> int:
    """`regdsl fmt PATH... [--check] [--diff]`: 0 done, 1 files would change, 2 bad input."""
    files, errors = _files(args.paths)
    for err in errors:
        print(err.render(), file=sys.stderr)
    bad = bool(errors)
    changed = unchanged = 0
    write = not (args.check or args.diff)
    for f in files:
        name = str(f)
        try:
            raw = _read(f)
        except FileRefused as e:
            print(RegdslError(e.message, Span(name, 1, 1), code=e.code).render(), file=sys.stderr)
            bad = True
            continue
        except (OSError, UnicodeDecodeError) as e:
            print(RegdslError(f"cannot read {name}: {e}", code="E100").render(), file=sys.stderr)
            bad = True
            continue
        try:
            new = format_text(raw, name)
        except RegdslError as e:
            print(e.render({name: raw}), file=sys.stderr)
            bad = True
            continue
        if new == raw:
            unchanged += 1
            continue
        changed += 1
        if args.diff:
            sys.stdout.write(_diff(name, raw, new))
        if args.check:
            print(f"would reformat {name}")
        if write:
            try:
                rewrite(f, new.encode("utf-8"))
            except OSError as e:
                print(RegdslError(f"cannot write {name}: {e.strerror or e}", code="E100").render(),
                      file=sys.stderr)
                bad = True
                continue
            print(f"reformatted {name}", file=sys.stderr)
    verb = "reformatted" if write else "would be reformatted"
    summary = f"{changed} file(s) {verb}, {unchanged} unchanged"
    failed = len(files) - changed - unchanged
    if failed:
        summary += f", {failed} could not be formatted"
    print(summary, file=sys.stderr)
    if bad:
        return 2
    return 1 if changed and not write else 0
