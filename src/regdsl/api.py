"""The Python API: load a book, evaluate students, read its schema."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Iterator

from . import nodes as n
from .check import check
from .errors import (
    BookErrors, CheckError, EvaluationError, FactsError, RegdslError, Span, UsageError, did_you_mean,
)
from .evaluate import Context, Engine
from .facts import DATE, describe_input, validate
from .files import MAX_FILE_BYTES, FileRefused, inside, not_utf8, read_bytes, resolved, shown, utf8_error_at
from .treecache import parse_cached
from .resolve import BookModel, build
from .result import Builder, Result


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
        files, errors = [], []
        for f in sorted(f for f in p.iterdir() if f.suffix == ".reg"):
            target = _linked(f) if root is not None and f.is_symlink() else None
            if target is not None and not inside(target, root):
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


def _read_source(f: Path) -> tuple[str | None, RegdslError | None]:
    """The text of one .reg file, or the E100/E109 finding that says why it cannot be read."""
    name = str(f)
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


def read_book(path: str | Path, _loading: tuple[str, ...] = (), _root: Path | None = None) -> BookModel:
    """Parse, resolve and check a book (and the books it uses); findings in `.errors`.

    A book reads only .reg files: its own, and those of the books its `uses`
    name, which must lie in its root: the directory that holds the book named
    (for `regulations/graduate`, `regulations/`).  A `uses` outside the root,
    an absolute one, or a symbolic link that leads outside is E703, and
    nothing of what it names is read.
    """
    root = _root if _root is not None else resolved(path).parent
    files, errors = book_files_checked(path, root)
    sources: dict[str, str] = {}
    modules: list[n.Module] = []
    for f in files:
        name = str(f)
        text, problem = _read_source(f)
        if problem is not None:
            errors.append(problem)
            continue
        sources[name] = text
        try:
            modules.append(parse_cached(text, name))
        except RegdslError as e:
            errors.append(e)
    book = build(modules, sources, header_expected=not errors)
    book.errors[:0] = errors
    base = resolved(path) if Path(path).is_dir() else resolved(path).parent
    key = str(resolved(path))
    for name, use in book.uses.items():
        target = _used(name, use, base, root, book)
        if target is None:
            continue
        if str(target) in _loading + (key,):
            book.error(f"books use each other in a cycle through `{name}`", use.span, "E503")
            continue
        try:  # files are named relative to where regdsl runs, as the user names them
            shown_target = Path(os.path.relpath(target))
        except ValueError:
            shown_target = target
        try:
            other = read_book(shown_target, _loading + (key,), root)
        except UsageError as e:
            book.error(f"`uses {name}`: {e.message}", use.span, "E702")
            continue
        if other.errors:  # its problems are this book's problems too
            book.errors.extend(other.errors)
            book.sources.update(other.sources)
        if other.name and other.name != name:
            book.error(f"`{use.path}` is the book `{other.name}`, not `{name}`", use.span, "E309",
                       f"write `uses {other.name} from \"{use.path}\"`")
        book.others[name] = other
    if not errors or modules:
        check(book)
    return book


def _used(name: str, use, base: Path, root: Path, book: BookModel) -> Path | None:
    """Where a `uses` leads (resolved), or None after reporting why it is not read (E703, E702)."""
    hint = (f"a book may use only the books in the directory that holds it ({shown(root)}); "
            "copy the other book there")
    written = use.path
    if os.path.isabs(written) or Path(written).drive or written.startswith("~"):
        book.error(f"`uses {name}`: \"{written}\" is an absolute path; name the other book from this "
                   "book's directory, e.g. \"../other\"", use.span, "E703", hint)
        return None
    try:
        target = (base / written).resolve()
    except (OSError, ValueError, RuntimeError):  # a NUL byte, a loop of links
        book.error(f"`uses {name}`: \"{written}\" cannot be followed", use.span, "E702")
        return None
    if not inside(target, root):
        linked = inside(Path(os.path.normpath(base / written)), root)  # inside until a link is followed
        how = "leads through a symbolic link to a place outside" if linked else "leads outside"
        book.error(f"`uses {name}`: \"{written}\" {how} {shown(root)}", use.span, "E703", hint)
        return None
    if target.is_file() and target.suffix != ".reg":
        book.error(f"`uses {name}`: \"{written}\" is not a book (a .reg file or a directory of them)",
                   use.span, "E702")
        return None
    return target


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


def check_paths(paths: Iterable[str | Path]) -> tuple[list[RegdslError], dict[str, str]]:
    """Every finding in the given books (or directories of books), sorted by position."""
    findings: list[RegdslError] = []
    sources: dict[str, str] = {}
    seen = set()
    for path in paths:
        books, outside = books_with_roots(path)
        findings.extend(UsageError(f"{d} is a symbolic link to a place outside {path}; it is not read",
                                   code="E703") for d in outside)
        for p, root in books:
            book = read_book(p, _root=root)
            for e in book.errors:  # a book used by several books is reported once
                key = (e.code, e.span, e.message)
                if key not in seen:
                    seen.add(key)
                    findings.append(e)
            sources.update(book.sources)
    findings.sort(key=RegdslError.sort_key)
    return findings, sources


def load(path: str | Path) -> "Book":
    """Load and check a book from a .reg file or a directory of them.

    Raises BookErrors (a RegdslError) listing every problem if the book is
    not sound.
    """
    model = read_book(path)
    if model.errors:
        raise BookErrors(model.errors, model.sources)
    return Book(model)


class Book:
    """A checked book, ready to evaluate students."""

    def __init__(self, model: BookModel):
        self.model = model
        self.engine = Engine(model)
        self.outcome_names = [name for name, s in model.symbols.items() if s.kind == "outcome"]
        self.outcome_names += [name for name, (s, _) in model.adopted.items() if s.kind == "outcome"]

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def title(self) -> str:
        return self.model.title

    def evaluate(self, facts: Mapping[str, Any], as_of: dt.date | str | None = None,
                 outcomes: Iterable[str] | None = None, *, explain: bool = True,
                 _file: str = "<facts>", _text: str | None = None) -> Result:
        """Evaluate one student's facts; every outcome (or those named) in a Result.

        Citations and explanations are worked out when first read, so `explain`
        has no effect; it is accepted for callers written against 0.1.
        """
        day = _as_date(as_of)
        names = self._names(outcomes)
        given = validate(self.model, facts, _file, _text)
        ctx = Context(self.engine, given, day, trace=False)
        builder = Builder(ctx, self.model)
        try:
            return Result(self.model, day, {name: builder.outcome(name) for name in names})
        except RecursionError:
            raise EvaluationError("the book's definitions nest too deeply to evaluate",
                                  code="E802") from None

    def evaluate_many(self, students: Iterable[Mapping[str, Any]], as_of: dt.date | str | None = None,
                      outcomes: Iterable[str] | None = None, *, explain: bool = False) -> Iterator[Result]:
        """Evaluate a whole student body, one Result per student, lazily."""
        day = _as_date(as_of)
        names = self._names(outcomes)
        for facts in students:
            yield self.evaluate(facts, day, names, explain=explain)

    def _names(self, outcomes: Iterable[str] | None) -> list[str]:
        if outcomes is None:
            return self.outcome_names
        names = list(outcomes)
        m = self.model
        computed = [k for k, s in m.symbols.items() if s.computed]
        computed += [k for k, (s, _) in m.adopted.items() if s.computed]
        for name in names:
            sym = m.symbols.get(name) or m.adopted.get(name, (None,))[0]
            if sym is None or not sym.computed:
                raise BookErrors([FactsError(f"unknown outcome `{name}`", code="E605",
                                             hint=did_you_mean(name, computed)
                                             or "run `regdsl schema BOOK` to list the outcomes")])
        return names

    def schema(self) -> dict:
        """The facts a book needs and the outcomes it gives, with types, units and articles."""
        m = self.model
        facts, decisions, outcomes, definitions = [], [], [], []
        from .result import cite

        entries = [(name, s, None) for name, s in m.symbols.items()]
        entries += [(name, s, a) for name, (s, a) in m.adopted.items()]
        for name, s, adoption in entries:
            t = s.type
            entry: dict[str, Any] = {"name": name, "type": t.kind, "description": s.description}
            if adoption is not None:
                entry["via"] = {"cite": adoption.via.cite, "eid": adoption.via.eid,
                                "book": adoption.other.name}
            if t.kind == "quantity":
                entry["unit"] = t.unit
            if t.kind == "enum":
                entry["values"] = list(t.members)
            if t.kind in ("list", "range") and t.inner is not None:
                entry["type"] = f"{t.kind} of {t.inner.describe()}"
            if t.kind == "number":
                entry["type"] = "integer" if t.integer else "number"
            if s.provision is not None:
                c = cite(s.provision, m)
                entry["declared_in"] = {"cite": c.cite, "eid": c.eid}
            if s.computed:
                rules = m.rules.get(name, []) if adoption is None else [
                    r for r in adoption.other.rules.get(adoption.there(name), [])
                    if adoption.applies_to(r.provision)]
                seen: list = []
                for r in rules:
                    rc = cite(r.provision, m)
                    c = {"cite": rc.cite, "eid": rc.eid}
                    if c not in seen:
                        seen.append(c)
                entry["provisions"] = seen
                (outcomes if s.kind == "outcome" else definitions).append(entry)
            elif s.kind == "decision":
                from .evaluate import decided_by

                entry["decided_by"] = decided_by(adoption.other if adoption else m, s.bodies)
                entry["input"] = describe_input(t)
                decisions.append(entry)
            else:
                entry["input"] = describe_input(t)
                facts.append(entry)
        return {"book": m.name, "title": m.title, "facts": facts, "decisions": decisions,
                "outcomes": outcomes, "definitions": definitions}


def _as_date(as_of) -> dt.date:
    if as_of is None:
        return dt.date.today()
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    if isinstance(as_of, dt.date):
        return as_of
    try:
        if DATE.fullmatch(str(as_of)):
            return dt.date.fromisoformat(str(as_of))
    except ValueError:
        pass
    raise UsageError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)", code="E701")
