"""The Python API: load a book, evaluate students, read its schema."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Iterator, NamedTuple

import attrs

from . import ir
from .syntax import nodes as n
from .check import lower
from .errors import (
    HINT_OUTCOMES, BookErrors, CheckError, FactsError, RegdslError, Span, UsageError, did_you_mean,
)
from .eval.engine import Evaluator
from .facts import DATE, describe_input, validate
from .core.files import MAX_FILE_BYTES, FileRefused, inside, not_utf8, read_bytes, resolved, shown, utf8_error_at
from .model.resolve import BookModel, build
from .syntax.treecache import parse_cached
from .results.outcome import Result
from .results.provenance import Builder, citation_of


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


@attrs.frozen(eq=False)
class Loaded:
    """A book read from its files: its model, its IR (None if it has errors) and every finding."""

    model: BookModel
    ir: "ir.IRBook | None"
    errors: list[RegdslError]
    sources: dict[str, str]
    path: str


def read(path: str | Path, _loading: tuple[str, ...] = (), _root: Path | None = None) -> Loaded:
    """Parse, build, check and lower a book (and the books it uses); findings in `.errors`.

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
        assert text is not None
        sources[name] = text
        try:
            modules.append(parse_cached(text, name))
        except RegdslError as e:
            errors.append(e)
    model = build(modules, sources, header_expected=not errors)
    errors.extend(model.errors)
    base = resolved(path) if Path(path).is_dir() else resolved(path).parent
    key = str(resolved(path))
    others: dict[str, ir.IRBook] = {}
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
            other = read(shown_target, _loading + (key,), root)
        except UsageError as e:
            errors.append(CheckError(f"`uses {name}`: {e.message}", use.span, code="E702"))
            continue
        if other.errors:  # its problems are this book's problems too
            errors.extend(other.errors)
            sources.update(other.sources)
        if other.model.name and other.model.name != name:
            errors.append(CheckError(f"`{use.path}` is the book `{other.model.name}`, not `{name}`", use.span,
                                     code="E309", hint=f"write `uses {other.model.name} from \"{use.path}\"`"))
        model.others[name] = other.model
        if other.ir is not None:
            others[name] = other.ir
    lowered = None
    if not errors or modules:
        lowered, findings = lower(model, others)
        errors.extend(findings)
    digest = hashlib.sha256("\0".join(f"{k}\0{v}" for k, v in sorted(sources.items())).encode()).hexdigest()
    if lowered is not None:
        lowered = attrs.evolve(lowered, digest=digest)
    return Loaded(model, lowered if not errors else None, errors, sources, str(path))


def read_book(path: str | Path) -> BookModel:
    """The book model of a book (for authoring tools), with every finding in `.errors`."""
    loaded = read(path)
    model = loaded.model
    model.errors[:] = loaded.errors
    model.sources.update(loaded.sources)
    return model


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
            loaded = read(p, _root=root)
            for e in loaded.errors:  # a book used by several books is reported once
                key = (e.code, e.span, e.message)
                if key not in seen:
                    seen.add(key)
                    findings.append(e)
            sources.update(loaded.sources)
    findings.sort(key=RegdslError.sort_key)
    return findings, sources


def load(path: str | Path) -> "Book":
    """Load and check a book from a .reg file or a directory of them.

    Raises BookErrors (a RegdslError) listing every problem if the book is
    not sound.
    """
    loaded = read(path)
    if loaded.errors or loaded.ir is None:
        raise BookErrors(loaded.errors, loaded.sources)
    return Book(loaded.ir, loaded.model, str(path))


class _Symbol(NamedTuple):
    """A name as facts validation sees it."""

    kind: str
    type: Any
    computed: bool
    provision: Any


class _FactsView:
    """What `facts.validate` reads of a book, from its IR."""

    def __init__(self, book: ir.IRBook):
        self.inputs = {name: _Symbol(i.kind, i.ty, False, i.provision) for name, i in book.inputs.items()}
        self.symbols = dict(self.inputs)
        self.symbols.update((name, _Symbol(x.kind, x.ty, True, x.provision)) for name, x in book.names.items()
                            if x.adoption is None and x.kind != "undeclared")
        self.units = book.units
        self.converted: dict = {}


class Book:
    """A checked book, ready to evaluate students.

    A Book pickles with the standard library (its IR only), so it can be sent
    to a process pool or a Dask or Spark worker; `model` (for the authoring
    tools) is read again from the book's files when an unpickled book asks for it.
    """

    def __init__(self, lowered: ir.IRBook, model: BookModel | None = None, path: str | None = None):
        self.ir = lowered
        self._model = model
        self._path = path
        self._setup()

    def _setup(self) -> None:
        self.evaluator = Evaluator(self.ir)
        self._facts = _FactsView(self.ir)
        self._cites: dict[int, Any] = {}
        self.outcome_names = list(self.ir.outcomes)
        self._computed = [k for k, v in self.ir.names.items() if v.kind != "undeclared"]
        self._known = frozenset(self._computed)

    def __getstate__(self) -> dict:
        return {"ir": self.ir, "path": self._path}

    def __setstate__(self, state: dict) -> None:
        self.ir, self._path, self._model = state["ir"], state["path"], None
        self._setup()

    @property
    def model(self) -> BookModel:
        """The book model (provisions, declarations, syntax) that authoring tools read."""
        if self._model is None:
            if self._path is None:
                raise UsageError("this book has no files to read its model from", code="E702")
            loaded = read(self._path)
            if loaded.ir is None or loaded.ir.digest != self.ir.digest:
                raise UsageError(f"{self._path}: the book's files changed since it was loaded", code="E702")
            self._model = loaded.model
        return self._model

    @property
    def name(self) -> str:
        return self.ir.name

    @property
    def title(self) -> str:
        return self.ir.title

    def evaluate(self, facts: Mapping[str, Any], as_of: dt.date | str | None = None,
                 outcomes: Iterable[str] | None = None, *, explain: bool = True,
                 _file: str = "<facts>", _text: str | None = None) -> Result:
        """Evaluate one student's facts; every outcome (or those named) in a Result.

        Citations and explanations are worked out when first read, so `explain`
        has no effect; it is accepted for callers written against 0.1.
        """
        day = _as_date(as_of)
        names = self._names(outcomes)
        given = validate(self._facts, facts, _file, _text)  # type: ignore[arg-type]
        st = self.evaluator.evaluate(given, day, names)
        builder = Builder(self.evaluator, st, self._cites)
        return Result(self.ir, day, {name: builder.outcome(name) for name in (names or self.outcome_names)})

    def evaluate_many(self, students: Iterable[Mapping[str, Any]], as_of: dt.date | str | None = None,
                      outcomes: Iterable[str] | None = None, *, explain: bool = False) -> Iterator[Result]:
        """Evaluate a whole student body, one Result per student, lazily."""
        day = _as_date(as_of)
        names = self._names(outcomes)
        for facts in students:
            yield self.evaluate(facts, day, names, explain=explain)

    def _names(self, outcomes: Iterable[str] | None) -> tuple[str, ...] | None:
        if outcomes is None:
            return None
        names = tuple(outcomes)
        for name in names:
            if name not in self._known:
                raise BookErrors([FactsError(f"unknown outcome `{name}`", code="E605",
                                             hint=did_you_mean(name, self._computed)
                                             or HINT_OUTCOMES, argument="outcomes")])
        return names

    def schema(self) -> dict:
        """The facts a book needs and the outcomes it gives, with types, units and articles."""
        b = self.ir
        facts, decisions, outcomes, definitions = [], [], [], []
        entries: list[tuple[str, Any, bool]] = [(k, v, False) for k, v in b.inputs.items()]
        entries += [(k, v, True) for k, v in b.names.items() if v.kind != "undeclared"]
        own = [e for e in entries if e[1].adoption is None]
        adopted = [e for e in entries if e[1].adoption is not None]
        for name, s, computed in own + adopted:
            t = s.ty
            entry: dict[str, Any] = {"name": name, "type": t.kind, "description": s.description}
            if s.adoption is not None:
                a = b.adoptions[s.adoption]
                entry["via"] = {"cite": a.via.cite, "eid": a.via.eid, "book": a.book}
            if t.kind == "quantity":
                entry["unit"] = t.unit
            if t.kind == "enum":
                entry["values"] = list(t.members)
            if t.kind in ("list", "range") and t.inner is not None:
                entry["type"] = f"{t.kind} of {t.inner.describe()}"
            if t.kind == "number":
                entry["type"] = "integer" if t.integer else "number"
            if s.provision is not None:
                c = citation_of(s.provision, b, self._cites)[0]
                entry["declared_in"] = {"cite": c.cite, "eid": c.eid}
            if computed:
                seen: list = []
                for r in s.rules:
                    rc = citation_of(r.provision, b, self._cites)[0]
                    cd = {"cite": rc.cite, "eid": rc.eid}
                    if cd not in seen:
                        seen.append(cd)
                entry["provisions"] = seen
                (outcomes if s.kind == "outcome" else definitions).append(entry)
            elif s.kind == "decision":
                entry["decided_by"] = s.decided_by
                entry["input"] = describe_input(t)
                decisions.append(entry)
            else:
                entry["input"] = describe_input(t)
                facts.append(entry)
        return {"book": b.name, "title": b.title, "facts": facts, "decisions": decisions,
                "outcomes": outcomes, "definitions": definitions}


    def json_schema(self) -> dict:
        """A JSON Schema (draft 2020-12) of this book's facts; `$defs` holds the result's
        (`#/$defs/result`, `#/$defs/outcome`) and the error document's (`#/$defs/errors`)."""
        from .facts.json_schema import DRAFT, facts_schema
        from .results.json_schema import result_defs

        b = self.ir
        return {"$schema": DRAFT, "$id": f"urn:regdsl:book:{b.name}", **facts_schema(b),
                "x-regdsl-book": {"name": b.name, "title": b.title,
                                  "in_force": b.in_force.isoformat() if b.in_force else None},
                "$defs": result_defs(b)}


def _as_date(as_of: Any) -> dt.date:
    """`as_of` as a date (today when None); E701 naming `as_of` when it is not one."""
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
    raise UsageError(f"as_of {as_of!r} is not a date (YYYY-MM-DD)", code="E701", argument="as_of")
