"""`regdsl test`: case tables written by policy authors, in YAML, next to the books.

A test file (`*.test.yaml`) names its book and lists cases; each case gives a
student's facts, an optional as-of date, and what some outcomes must be:

    book: ..
    cases:
      - name: nine years exceeds the eight-year limit
        sentence: The maximum number of years ... shall be eight.
        as_of: 2026-04-01
        facts: {entry: first_year, years_enrolled: 9, total_leave: 0}
        expect:
          years_limit_exceeded: true            # value, and status determined
          must_be_expelled:
            value: true
            status: determined
            citations: [art_43__item_1]         # each must be cited (eId or text)
          may_graduate: {status: undetermined, missing: [credits_earned]}

`regdsl test --coverage` also reports, per book, which provisions with rules
or item conditions no case exercised.  A case exercises a provision when its
evaluation cited it: a rule or item condition that decided an outcome, a rule
that was considered (an exception that did not apply, say), or an item the
answer depended on.  See docs/testing.md.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from ..errors import BookErrors, RegdslError, Span, UsageError

KEYS = {"value", "status", "citations", "missing", "decided_by", "reasons", "unit", "not_cited"}


@attrs.frozen
class Case:
    """One test case: where it is written, its facts and its expectations."""

    file: str
    line: int
    name: str
    sentence: str
    book: str
    as_of: Any
    facts: dict
    expect: dict
    column: int = 1
    reason: bool = False  # `reason: true`: evaluated with reasoning over the missing facts


@attrs.frozen
class Failure:
    """A case whose outcome differs from what it expects."""

    case: Case
    outcome: str
    message: str

    def render(self) -> str:
        return f"{self.case.file}:{self.case.line}: {self.case.name}: {self.outcome}: {self.message}"


class _Loader:
    """A YAML loader that remembers the line of every mapping."""

    @staticmethod
    def load(text: str, file: str):
        import yaml

        from ..core.yamlload import LimitExceeded, SafeLoader, load

        class LineLoader(SafeLoader):
            pass

        def construct_mapping(loader, node, deep=False):
            mapping = SafeLoader.construct_mapping(loader, node, deep=deep)
            mapping["__line__"] = node.start_mark.line + 1
            mapping["__column__"] = node.start_mark.column + 1
            return mapping

        LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
        try:
            return load(text, LineLoader)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            span = Span(file, mark.line + 1, mark.column + 1) if mark else Span(file, 1, 1)
            if isinstance(e, LimitExceeded):
                raise UsageError(f"the case table has {e.problem}", span, code=e.code) from None
            raise UsageError(f"not valid YAML: {str(e).splitlines()[0]}", span, code="E603") from None


def _strip(x):
    if isinstance(x, dict):
        return {k: _strip(v) for k, v in x.items() if k not in ("__line__", "__column__")}
    if isinstance(x, list):
        return [_strip(v) for v in x]
    return x


def find_test_files(paths) -> list[Path]:
    """The `*.test.yaml` files at or under the given paths, sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(p.rglob("*.test.yaml")))
        elif p.is_file():
            out.append(p)
        else:
            raise UsageError(f"{p}: no such file or directory", code="E702")
    return out


def _read(path: Path) -> str:
    """A case table's text, refused when it is too large or not UTF-8."""
    from ..core.files import MAX_CASES_BYTES, FileRefused, not_utf8, read_bytes, utf8_error_at

    try:
        data = read_bytes(path, MAX_CASES_BYTES, "case table")
        return data.decode("utf-8")
    except FileRefused as e:
        code = "E109" if e.code == "E109" else "E603"
        raise UsageError(e.message, Span(str(path), 1, 1), code=code) from None
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror or e}", Span(str(path), 1, 1), code="E603") from None
    except UnicodeDecodeError as e:
        line, col = utf8_error_at(data, e)
        raise UsageError(not_utf8(data, e), Span(str(path), line, col), code="E603") from None


def _book(table: Path, written, line: int) -> str:
    """The book a case table names (relative to the table): a directory or a .reg file, no other file."""
    try:
        book = (table.parent / str(written)).resolve()
    except (OSError, ValueError, RuntimeError):
        book = None
    if book is None or (book.is_file() and book.suffix != ".reg"):
        raise UsageError(f"`book: {written}` is not a book (a .reg file or a directory of them)",
                         Span(str(table), line, 1), code="E702")
    return str(book)


def load_cases(path: Path) -> list[Case]:
    """The cases of one test file."""
    return load_text(_read(path), path)


def load_all(paths) -> list[tuple[Path, list[Case]]]:
    """The cases of every test file at `paths`; a case that checks nothing is an error (E607)."""
    files = [(f, load_cases(f)) for f in find_test_files(paths)]
    errors, sources = [], {}
    for f, cases in files:
        for c in cases:
            if not c.expect:
                sources[c.file] = _read(f)
                errors.append(UsageError(
                    f"the case `{c.name}` has no `expect`, so it checks nothing",
                    Span(c.file, c.line, c.column, c.line, c.column + 4), code="E607",
                    hint="say what the book must answer, e.g. `expect: {may_graduate: true}`; "
                         "`regdsl schema BOOK` lists the outcomes"))
    if errors:
        raise BookErrors(errors, sources)
    return files


def load_text(text: str, path: Path) -> list[Case]:
    """The cases of a test file's text (`path` names the file and places its book)."""
    file = str(path)
    data = _Loader.load(text, file)
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise UsageError("a test file is a mapping with `book:` and a list of `cases:`", Span(file, 1, 1),
                         code="E603")
    book = _book(path, data.get("book", ".."), 1)
    as_of_default = data.get("as_of")
    cases = []
    for i, c in enumerate(data["cases"], 1):
        if not isinstance(c, dict):
            raise UsageError(f"case {i} is not a mapping", Span(file, 1, 1), code="E603")
        line = c.get("__line__", 1)
        for key in ("facts", "expect"):
            if c.get(key) is None:  # `expect:` with nothing after it is no expectations
                c[key] = {}
            if not isinstance(c[key], dict):
                raise UsageError(f"case {i}: `{key}` must be a mapping", Span(file, line, 1), code="E603")
        cases.append(Case(file, line, str(c.get("name", f"case {i}")), str(c.get("sentence") or ""),
                          _book(path, c["book"], line) if "book" in c else book,
                          c.get("as_of", as_of_default), _strip(c.get("facts", {})),
                          _strip(c.get("expect", {})), c.get("__column__", 1), c.get("reason") is True))
    return cases


def run_case(case: Case, books: dict, exercised: set | None = None, texts: dict | None = None) -> list[Failure]:
    """Evaluate one case and compare; returns its failures (empty when it passes).

    With `exercised` (a set), the provisions the evaluation cited are added to
    it as (eId, version start, version end) keys; see `exercised_keys`.  With
    `texts` (a dict, filled as books are read), the case's `sentence:` must be
    in its book's text.
    """
    return evaluate_case(case, books, exercised, texts)[1]


def evaluate_case(case: Case, books: dict, exercised: set | None = None, texts: dict | None = None):
    """The case's result (None when its facts cannot be evaluated) and its failures."""
    book = book_of(case, books)
    failures = []
    if texts is not None and case.sentence:
        near = sentence_problem(case, book, texts)
        if near is not False:
            failures.append(Failure(case, "sentence", _sentence_message(near)))
    try:
        result = book.evaluate(case.facts, case.as_of, list(case.expect), explain=exercised is not None,
                               reason=case.reason)
    except BookErrors as e:
        return None, failures + [Failure(case, "facts", "; ".join(_message(err) for err in e.errors))]
    except RegdslError as e:
        return None, failures + [Failure(case, "facts", _message(e))]
    if exercised is not None:
        exercised.update(exercised_keys(result))
    for name, want in case.expect.items():
        for problem in _compare(expectation(want), result[name]):
            failures.append(Failure(case, name, problem))
    return result, failures


def book_of(case: Case, books: dict):
    """The case's book, loaded once per run."""
    from ..api import load

    book = books.get(case.book)
    if book is None:
        book = books[case.book] = load(case.book)
    return book


def expectation(want) -> dict:
    """An expectation in its long form: the short form `name: value` means this value, determined."""
    if not isinstance(want, dict) or not (set(want) & KEYS):
        return {"value": want, "status": "determined"}
    return want


def sentence_problem(case: Case, book, texts: dict):
    """False when the case's sentence is in the book's text; else the nearest passage (or None)."""
    from .sentences import BookText

    text = texts.get(case.book)
    if text is None:
        text = texts[case.book] = BookText(book.model)
    if text.find(case.sentence):
        return False
    return text.nearest(case.sentence)


def _sentence_message(near) -> str:
    if near is None:
        return "not found in the book's text, nor anything like it; quote the regulation word for word"
    return f"not found in the book's text: {near.describe(shown_path)}"


def _message(err: RegdslError) -> str:
    return f"{err.message} ({err.hint})" if err.hint else err.message


def _same_value(want, got, unit) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return want is got
    if isinstance(got, tuple):  # a list outcome: a YAML list, item by item
        return (isinstance(want, (list, tuple)) and len(want) == len(got)
                and all(_same_value(w, g, None) for w, g in zip(want, got)))
    if isinstance(got, Decimal):
        if isinstance(want, str):
            parts = want.split()
            if len(parts) == 2 and unit:
                try:
                    return Decimal(parts[0]) == got and parts[1] in (unit, unit.rstrip("s"))
                except ArithmeticError:
                    return False
        try:
            return Decimal(str(want)) == got
        except ArithmeticError:
            return False
    if isinstance(got, dt.date) and isinstance(want, (str, dt.date)):
        return str(want) == got.isoformat()
    if isinstance(got, dt.time):
        if isinstance(want, int):  # YAML 1.1 reads 8:30 as sexagesimal 510 (minutes)
            return want == got.hour * 60 + got.minute
        if isinstance(want, str) and ":" in want:
            h, _, m = want.partition(":")
            return h.strip().isdigit() and m.strip().isdigit() and \
                (int(h), int(m)) == (got.hour, got.minute)
    return want == got


def _shown_want(v) -> str:
    """An expected value as the failure line shows it (like the value it is compared with)."""
    from ..results.report import show_value

    if isinstance(v, (list, tuple)):
        return "; ".join(_shown_want(x) for x in v)
    if isinstance(v, (bool, str)) or v is None:
        return show_value(v, None) if v is not None else "none"
    return str(v)


def _got(o) -> str:
    """What an answer is, for a failure line: the value and the provision that decided it,
    or why there is no value (the missing facts, the deciding body, the reasons)."""
    from ..results.report import show_value

    if o.status == "determined":
        by = f" (by {o.citations[0].cite})" if o.citations else ""
        return show_value(o.value, o.unit) + by
    return f"? ({o.status}{_why(o)})"


def _why(o) -> str:
    if o.missing:
        return f"; missing: {', '.join(o.missing)}"
    if o.decided_by:
        return f"; decided by: {'; '.join(o.decided_by)}"
    if o.reasons:
        return f"; {'; '.join(o.reasons)}"
    return ""


def _compare(want: dict, got) -> list[str]:
    problems = []
    unknown = set(want) - KEYS
    if unknown:
        problems.append(f"unknown expectation key(s): {', '.join(sorted(unknown))}")
    wrong_value = "value" in want and not _same_value(want["value"], got.value, got.unit)
    if wrong_value:
        # One line says both: the value wanted, and what the book gave (and why it gave no value).
        problems.append(f"expected {_shown_want(want['value'])}, got {_got(got)}")
    elif "status" in want and want["status"] != got.status:
        detail = _why(got).removeprefix("; ")
        problems.append(f"expected status {want['status']}, got {got.status}" + (f" ({detail})" if detail else ""))
    if "unit" in want and want["unit"] != got.unit:
        problems.append(f"expected unit {want['unit']}, got {got.unit}")
    cited = {c.eid for c in got.citations} | {c.cite for c in got.citations}
    for c in want.get("citations", []) or []:
        if c not in cited:
            problems.append(f"expected a citation of {c}; cited: {', '.join(x.cite for x in got.citations)}")
    for c in want.get("not_cited", []) or []:
        if c in cited:
            problems.append(f"expected no citation of {c}")
    for key in ("missing", "decided_by"):
        if key in want and sorted(want[key] or []) != sorted(getattr(got, key)):
            problems.append(f"expected {key} {sorted(want[key] or [])}, got {sorted(getattr(got, key))}")
    if "reasons" in want:
        for r in want["reasons"] or []:
            if not any(r in g for g in got.reasons):
                problems.append(f"expected a reason containing {r!r}; reasons: {list(got.reasons)}")
    return problems


# ------------------------------------------------------------------ coverage


def _walk(expl) -> Any:
    """Every step of an explanation tree."""
    stack = [expl]
    while stack:
        e = stack.pop()
        if e is None:
            continue
        yield e
        stack.extend(e.because)


def exercised_keys(result) -> set[tuple[str, Any, Any]]:
    """The provisions of the evaluated book an evaluation cited, as (eId, from, until) keys.

    Collected from each outcome's citations and from its explanation tree: the
    rule that decided each step, the exceptions it considered and the items
    it depended on.  Provisions of another book (applied mutatis mutandis) are
    left out.  `from`/`until` are the dates of the article version applied,
    when the outcome says which (None otherwise).
    """
    keys: set[tuple[str, Any, Any]] = set()
    for o in result:
        cites = [c for c in o.citations]
        for e in _walk(o.explanation):
            if e.citation is not None:
                cites.append(e.citation)
            cites.extend(c for c, _ in e.considered)
        versions: dict[str, set] = {}
        for v in o.versions:
            versions.setdefault(v.eid, set()).add((v.in_force_from, v.in_force_until))
        for c in cites:
            if c.book:
                continue
            article = c.eid.split("__", 1)[0]
            for when in versions.get(article, {(None, None)}):
                keys.add((c.eid, *when))
    return keys


def rule_provisions(model) -> list:
    """The provisions with something to exercise: a rule, an item condition or a delegation."""
    from ..syntax import nodes as n

    out = []
    for p in model.provisions():
        if any(isinstance(s, (n.Rule, n.Condition)) or (isinstance(s, n.Delegated) and s.names)
               for s in p.statements):
            out.append(p)
    return out


def _top(p):
    while p.parent is not None:
        p = p.parent
    return p


def is_exercised(p, keys) -> bool:
    """Whether provision `p` is among the exercised keys (matching its article's version when known).

    `keys` is a set of (eId, from, until) keys or a mapping eId -> set of (from, until).
    """
    if not isinstance(keys, dict):
        keys = _by_eid(keys)
    top = _top(p)
    whens = keys.get(p.eid, ())
    return (None, None) in whens or (top.start, top.end) in whens


def _by_eid(keys) -> dict[str, set]:
    out: dict[str, set] = {}
    for eid, start, end in keys:
        out.setdefault(eid, set()).add((start, end))
    return out


def shown_path(path: str) -> str:
    """A path relative to the working directory when it lies under it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


@attrs.frozen
class Coverage:
    """Which provisions with rules of one book the cases exercised."""

    book: str
    total: int
    missed: tuple[Any, ...]  # Provisions, in the order of the book

    @property
    def exercised(self) -> int:
        return self.total - len(self.missed)

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.exercised * 100 // self.total

    def render(self) -> list[str]:
        lines = [f"coverage: {self.exercised} of {self.total} provisions with rules exercised "
                 f"({self.percent}%) in {shown_path(self.book)}"]
        for p in self.missed:
            where = f"{shown_path(p.span.file)}:{p.span.line}: " if p.span is not None else ""
            lines.append(f"{where}{p.cite} ({p.eid})")
        return lines


def coverage_of(book, keys: set, path: str) -> Coverage:
    """The coverage of a loaded book (a `regdsl.Book`) by the exercised keys."""
    provisions = rule_provisions(book.model)
    index = _by_eid(keys)
    missed = tuple(p for p in provisions if not is_exercised(p, index))
    return Coverage(path, len(provisions), missed)


# ------------------------------------------------------------------ running


@attrs.frozen
class Report:
    """The outcome of a test run."""

    cases: int
    failures: tuple[Failure, ...]
    failed_cases: int
    exercised: frozenset = frozenset()  # (book path, eId, from, until) with coverage on
    coverage: tuple[Coverage, ...] = ()


def run(paths, coverage: bool = False) -> Report:
    """Run every case in the test files at `paths` (and measure coverage, if asked)."""
    books: dict = {}
    texts: dict = {}
    failures: list[Failure] = []
    failed = 0
    total = 0
    traced: dict[str, set] = {}
    for _, cases in load_all(paths):
        for case in cases:
            total += 1
            seen = traced.setdefault(case.book, set()) if coverage else None
            fs = run_case(case, books, seen, texts)
            if fs:
                failed += 1
                failures.extend(fs)
    reports = tuple(coverage_of(books[b], keys, b) for b, keys in traced.items() if b in books)
    exercised = frozenset((b, *k) for b, keys in traced.items() for k in keys)
    return Report(total, tuple(failures), failed, exercised, reports)

