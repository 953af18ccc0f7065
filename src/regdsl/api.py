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
from .parser import parse_cached
from .resolve import BookModel, build
from .result import Builder, Result


def book_files(path: str | Path) -> list[Path]:
    """The .reg files of a book: the file itself, or a directory's files in name order."""
    p = Path(path)
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.suffix == ".reg" and f.is_file())
        if not files:
            raise UsageError(f"{path}: no .reg files in this directory", code="E702")
        return files
    if p.is_file():
        return [p]
    raise UsageError(f"{path}: no such file or directory", code="E702")


def read_book(path: str | Path, _loading: tuple[str, ...] = ()) -> BookModel:
    """Parse, resolve and check a book (and the books it uses); findings in `.errors`."""
    files = book_files(path)
    sources: dict[str, str] = {}
    modules: list[n.Module] = []
    errors: list[RegdslError] = []
    for f in files:
        name = str(f)
        try:
            text = f.read_text("utf-8")
        except UnicodeDecodeError as e:
            raw = f.read_bytes()[: e.start]
            line = raw.count(b"\n") + 1
            col = e.start - (raw.rfind(b"\n") + 1) + 1
            errors.append(CheckError(
                f"this file is not UTF-8 text (byte 0x{e.object[e.start]:02x} cannot be read)",
                Span(name, line, col), code="E100", hint="save it again as UTF-8 text"))
            continue
        except OSError as e:
            errors.append(CheckError(f"cannot read {name}: {e.strerror or e}", Span(name, 1, 1),
                                     code="E100"))
            continue
        sources[name] = text
        try:
            modules.append(parse_cached(text, name))
        except RegdslError as e:
            errors.append(e)
    book = build(modules, sources, header_expected=not errors)
    book.errors[:0] = errors
    base = Path(path) if Path(path).is_dir() else Path(path).parent
    key = str(Path(path).resolve())
    for name, use in book.uses.items():
        target = (base / use.path).resolve()
        try:  # files are named relative to where regdsl runs, as the user names them
            target = Path(os.path.relpath(target))
        except ValueError:
            pass
        if str(target.resolve()) in _loading + (key,):
            book.error(f"books use each other in a cycle through `{name}`", use.span, "E503")
            continue
        try:
            other = read_book(target, _loading + (key,))
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


def books_under(path: str | Path) -> list[Path]:
    """The books at `path`: itself if it is a book, else the books in its subdirectories."""
    p = Path(path)
    if p.is_dir() and not any(f.suffix == ".reg" for f in p.iterdir()):
        found = sorted(d for d in p.iterdir() if d.is_dir() and any(f.suffix == ".reg" for f in d.iterdir()))
        if found:
            return found
    return [p]


def check_paths(paths: Iterable[str | Path]) -> tuple[list[RegdslError], dict[str, str]]:
    """Every finding in the given books (or directories of books), sorted by position."""
    findings: list[RegdslError] = []
    sources: dict[str, str] = {}
    seen = set()
    for p in [b for path in paths for b in books_under(path)]:
        book = read_book(p)
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
