"""Reading a book: its files, within its root, through syntax, model and check, to its IR.

    loaded = read("regulations/graduate")   # model, IR, every finding
    lowered, model = read_ir("regulations/graduate")  # the IR, from the cache when nothing changed

A book reads only .reg files: its own, and those of the books its `uses`
name, which must lie in its root (the directory that holds the book named).
The stages are imported only when a book is actually parsed and checked: a
book whose IR is in the per-user cache (ir/cache.py) is read without them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from . import ir
from .core.files import (MAX_FILE_BYTES, FileRefused, inside, not_utf8, read_bytes, resolved, shown, too_large,
                         utf8_error_at)
from .errors import BookErrors, CheckError, RegdslError, Span, SyntaxError_, UsageError
from .ir import cache as ircache

if TYPE_CHECKING:
    from .model.provisions import BookModel


def book_files(path: str | Path, root: Path | None = None) -> list[Path]:
    """The .reg files of a book: the file itself, or a directory's files in name order.

    With `root`, a directory's files that are symbolic links to a place outside
    `root` are left out (`book_files_checked` reports them).
    """
    return book_files_checked(path, root)[0]


def book_files_checked(path: str | Path, root: Path | None = None) -> tuple[list[Path], list[RegdslError]]:
    """The .reg files of a book, and an E703 for each link in its directory that leads outside `root`."""
    p = Path(path)
    if p.is_dir():
        files: list[Path] = []
        errors: list[RegdslError] = []
        for f in sorted(f for f in p.iterdir() if f.suffix == ".reg"):
            target = _linked(f) if root is not None and f.is_symlink() else None
            if target is not None and root is not None and not inside(target, root):
                errors.append(CheckError(
                    f"this file is a symbolic link to a place outside {shown(root)}; it is not read",
                    Span(str(f), 1, 1), code="E703",
                    hint="a book reads only .reg files in the directories it is given"))
            elif f.is_file():
                files.append(f)
        if not files and not errors:
            raise UsageError(f"{path}: no .reg files in this directory", code="E702")
        return files, errors
    if p.is_file():
        return [p], []
    raise UsageError(f"{path}: no such file or directory", code="E702")


def _linked(f: Path) -> Path | None:
    """Where a symbolic link leads; None if it leads nowhere (a loop, a missing file: skipped,
    as `is_file` is false for it)."""
    try:
        return f.resolve(strict=True)
    except (OSError, RuntimeError):
        return None


def _read_source(f: Path, overlay: Mapping[str, str] | None = None) -> tuple[str | None, RegdslError | None]:
    """The text of one .reg file, or the E100/E109 finding that says why it cannot be read.

    `overlay` maps the real paths of files an editor holds unsaved to their text, which is
    read instead of the file's (the language server's view of a book as it is being typed)."""
    name = str(f)
    if overlay:
        text = overlay.get(os.path.realpath(f))
        if text is not None:
            if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
                refused = too_large(MAX_FILE_BYTES, ".reg file")
                return None, CheckError(refused.message, Span(name, 1, 1), code=refused.code)
            return text, None
    try:
        data = read_bytes(f, MAX_FILE_BYTES, ".reg file")
    except FileRefused as e:
        return None, CheckError(e.message, Span(name, 1, 1), code=e.code)
    except OSError as e:
        return None, CheckError(f"cannot read {name}: {e.strerror or e}", Span(name, 1, 1), code="E100")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        line, col = utf8_error_at(data, e)
        return None, CheckError(not_utf8(data, e), Span(name, line, col), code="E100",
                                hint="save it again as UTF-8 text")


@attrs.frozen(eq=False)
class Loaded:
    """A book read from its files: its model, its IR (None if it has errors) and every finding."""

    model: "BookModel"
    ir: "ir.IRBook | None"
    errors: list[RegdslError]
    sources: dict[str, str]
    path: str
    files: dict[str, str] = attrs.field(factory=dict)  # every file read (its own and used books'): checksum
    dirs: dict[str, list[str]] = attrs.field(factory=dict)  # every book directory read: its .reg files
    suppressed: int = 0  # findings left out because they follow from a syntax error (check/suppress.py)


def read(path: str | Path, _loading: tuple[str, ...] = (), _root: Path | None = None,
         overlay: Mapping[str, str] | None = None) -> Loaded:
    """Parse, build, check and lower a book (and the books it uses); findings in `.errors`.

    A book reads only .reg files: its own, and those of the books its `uses`
    name, which must lie in its root: the directory that holds the book named
    (for `regulations/graduate`, `regulations/`).  A `uses` outside the root,
    an absolute one, or a symbolic link that leads outside is E703, and
    nothing of what it names is read.  `overlay` gives unsaved text for some files (by real
    path), read in place of what is on disk; such text is parsed without the tree cache.
    """
    from .check import lower
    from .check.suppress import suppress
    from .model.build import build, complete
    from .syntax.parser import parse
    from .syntax.recover import Damage, parse_recovering
    from .syntax.treecache import parse_cached

    root = _root if _root is not None else resolved(path).parent
    files, errors = book_files_checked(path, root)
    sources: dict[str, str] = {}
    modules: list = []
    read_files: dict[str, str] = {}
    dirs: dict[str, list[str]] = {}
    if Path(path).is_dir():
        dirs[str(path)] = [f.name for f in files]
    damage = Damage()  # what the parts of files that did not parse may have declared
    for f in files:
        name = str(f)
        text, problem = _read_source(f, overlay)
        if problem is not None:
            errors.append(problem)
            damage.whole = True
            continue
        assert text is not None
        sources[name] = text
        read_files[name] = ircache.digest(text)
        unsaved = bool(overlay) and os.path.realpath(f) in overlay  # type: ignore[operator]
        try:
            modules.append(parse(text, name) if unsaved else parse_cached(text, name))
        except SyntaxError_ as e:  # parse on after it: one slip, one error
            recovered = parse_recovering(text, name, e)
            errors.extend(recovered.errors)
            damage.merge(recovered.damage)
            if recovered.module is not None:
                modules.append(recovered.module)
        except RegdslError as e:
            errors.append(e)
            damage.whole = True
    model = build(modules, sources, header_expected=not errors)
    own, suppressed = suppress(model.errors, damage)
    errors.extend(own)
    base = resolved(path) if Path(path).is_dir() else resolved(path).parent
    key = str(resolved(path))
    others: dict[str, ir.IRBook] = {}
    used: dict[str, BookModel] = {}
    for name, use in model.uses.items():
        target, refused = _used(name, use, base, root)
        if target is None:
            if refused is not None:
                errors.append(refused)
            continue
        if str(target) in _loading + (key,):
            errors.append(CheckError(f"books use each other in a cycle through `{name}`", use.span,
                                     code="E503"))
            continue
        try:  # files are named relative to where regdsl runs, as the user names them
            shown_target = Path(os.path.relpath(target))
        except ValueError:
            shown_target = target
        try:
            other = read(shown_target, _loading + (key,), root, overlay)
        except UsageError as e:
            errors.append(CheckError(f"`uses {name}`: {e.message}", use.span, code="E702"))
            continue
        if other.errors:  # its problems are this book's problems too
            errors.extend(other.errors)
            sources.update(other.sources)
        if other.model.name and other.model.name != name:
            errors.append(CheckError(f"`{use.path}` is the book `{other.model.name}`, not `{name}`", use.span,
                                     code="E309", hint=f"write `uses {other.model.name} from \"{use.path}\"`"))
        used[name] = other.model
        read_files.update(other.files)
        dirs.update(other.dirs)
        if other.ir is not None:
            others[name] = other.ir
    complete(model, used)
    lowered = None
    if not errors or modules:
        lowered, findings = lower(model, others)
        findings, dropped = suppress(findings, damage)
        suppressed += dropped
        errors.extend(findings)
    digest = hashlib.sha256("\0".join(f"{k}\0{v}" for k, v in sorted(sources.items())).encode()).hexdigest()
    if lowered is not None:
        lowered = attrs.evolve(lowered, digest=digest)
    return Loaded(model, lowered if not errors else None, errors, sources, str(path), read_files, dirs, suppressed)


class ReadBook:
    """A book model with every finding of reading it (parse, build, check) in `.errors` and every
    file read (its own and its used books') in `.sources`; the model's other attributes are read
    through, and the model itself is not changed.  `render` and the other tools take it as a model."""

    def __init__(self, loaded: Loaded):
        self.model = loaded.model
        self.errors = list(loaded.errors)
        self.sources = {**loaded.model.sources, **loaded.sources}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)


def read_book(path: str | Path) -> ReadBook:
    """The book model of a book (for authoring tools and tests), with every finding in `.errors`."""
    return ReadBook(read(path))


def _used(name: str, use: Any, base: Path, root: Path) -> tuple[Path | None, RegdslError | None]:
    """Where a `uses` leads (resolved), or why it is not read (E703, E702)."""
    hint = (f"a book may use only the books in the directory that holds it ({shown(root)}); "
            "copy the other book there")
    written = use.path
    if os.path.isabs(written) or Path(written).drive or written.startswith("~"):
        return None, CheckError(f"`uses {name}`: \"{written}\" is an absolute path; name the other book from "
                                "this book's directory, e.g. \"../other\"", use.span, code="E703", hint=hint)
    try:
        target = (base / written).resolve()
    except (OSError, ValueError, RuntimeError):  # a NUL byte, a loop of links
        return None, CheckError(f"`uses {name}`: \"{written}\" cannot be followed", use.span, code="E702")
    if not inside(target, root):
        linked = inside(Path(os.path.normpath(base / written)), root)  # inside until a link is followed
        how = "leads through a symbolic link to a place outside" if linked else "leads outside"
        return None, CheckError(f"`uses {name}`: \"{written}\" {how} {shown(root)}", use.span, code="E703",
                                hint=hint)
    if target.is_file() and target.suffix != ".reg":
        return None, CheckError(f"`uses {name}`: \"{written}\" is not a book (a .reg file or a directory of "
                                "them)", use.span, code="E702")
    return target, None


def books_under(path: str | Path) -> list[Path]:
    """The books at `path`: itself if it is a book, else the books in its subdirectories."""
    return [book for book, _ in books_with_roots(path)[0]]


def books_with_roots(path: str | Path) -> tuple[list[tuple[Path, Path]], list[Path]]:
    """The books at `path`, each with its root; and the subdirectories that are links leading
    outside `path` (not read)."""
    p = Path(path)
    if p.is_dir() and not any(f.suffix == ".reg" for f in p.iterdir()):
        root = resolved(p)
        found = sorted(d for d in p.iterdir() if d.is_dir() and any(f.suffix == ".reg" for f in d.iterdir()))
        if found:
            return ([(d, root) for d in found if inside(resolved(d), root)],
                    [d for d in found if not inside(resolved(d), root)])
    return [(p, resolved(p).parent)], []


def check_paths(paths: Iterable[str | Path], counts: dict[str, int] | None = None
                ) -> tuple[list[RegdslError], dict[str, str]]:
    """Every finding in the given books (or directories of books), sorted by position.

    With `counts`, `counts["suppressed"]` is set to the number of findings left out because
    they follow from a syntax error (check/suppress.py)."""
    findings: list[RegdslError] = []
    sources: dict[str, str] = {}
    seen = set()
    for path in paths:
        books, outside = books_with_roots(path)
        findings.extend(UsageError(f"{d} is a symbolic link to a place outside {path}; it is not read",
                                   code="E703") for d in outside)
        for p, root in books:
            loaded = read(p, _root=root)
            if counts is not None:
                counts["suppressed"] = counts.get("suppressed", 0) + loaded.suppressed
            for e in loaded.errors:  # a book used by several books is reported once
                key = (e.code, e.span, e.message)
                if key not in seen:
                    seen.add(key)
                    findings.append(e)
            sources.update(loaded.sources)
    findings.sort(key=RegdslError.sort_key)
    return findings, sources


def read_ir(path: str | Path) -> tuple[ir.IRBook, "BookModel | None"]:
    """A sound book's IR (and its model when it was read now); BookErrors when it is not sound.

    When the book's files, and those of the books it uses, are as they were the
    last time it was checked, the IR comes from the per-user cache and the
    book is neither parsed nor checked (its model is then None).
    """
    entry = _cache_key(path)
    if entry is not None:
        found = ircache.lookup(entry, _unchanged)
        if found is not None:
            return found, None
    loaded = read(path)
    if loaded.errors or loaded.ir is None:
        raise BookErrors(loaded.errors, loaded.sources)
    if entry is not None:
        ircache.remember(entry, loaded.ir, loaded.files, loaded.dirs)
    return loaded.ir, loaded.model


def _cache_key(path: str | Path) -> str | None:
    """The cache key of a book from its own files' text (None if one cannot be read)."""
    try:
        files, problems = book_files_checked(path, resolved(path).parent)
    except (UsageError, OSError):
        return None
    if problems:
        return None
    texts = {}
    for f in files:
        text, problem = _read_source(f)
        if problem is not None or text is None:
            return None
        texts[str(f)] = text
    return ircache.key(str(path), texts)


def _unchanged(files: dict[str, str], dirs: dict[str, list[str]]) -> bool:
    """Whether the files and book directories an entry was made from are as they were."""
    for folder, names in dirs.items():
        try:
            now = sorted(f.name for f in Path(folder).iterdir() if f.suffix == ".reg" and f.is_file())
        except OSError:
            return False
        if now != sorted(names):
            return False
    for name, checksum in files.items():
        text, problem = _read_source(Path(name))
        if problem is not None or text is None or ircache.digest(text) != checksum:
            return False
    return True
