"""The Python API: load a book, evaluate students, read its schema."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Iterator, NamedTuple

from . import ir
from .errors import (
    HINT_OUTCOMES, BookErrors, FactsError, RegdslError, UsageError, did_you_mean,
)
from .eval.engine import Evaluator
from .facts import DATE, bounds_text, describe_input, validate
from .read import books_under, check_paths, read, read_book, read_ir  # noqa: F401 - the API's own
from .results.outcome import Outcome, Result
from .core.values import Unknown
from .eval.domains import same as d_same
from .results.provenance import Builder, citation_of

if TYPE_CHECKING:
    from pathlib import Path

    from .model.provisions import BookModel


def load(path: str | Path) -> "Book":
    """Load and check a book from a .reg file or a directory of them.

    Raises BookErrors (a RegdslError) listing every problem if the book is
    not sound.
    """
    lowered, model = read_ir(path)
    return Book(lowered, model, str(path))


class _Symbol(NamedTuple):
    """A name as facts validation sees it."""

    kind: str
    type: Any
    computed: bool
    provision: Any
    domain: Any = None  # ir.Domain: the bounds a fact's declaration gives


class _FactsView:
    """What `facts.validate` reads of a book, from its IR."""

    def __init__(self, book: ir.IRBook):
        self.inputs = {name: _Symbol(i.kind, i.ty, False, i.provision, i.domain)
                       for name, i in book.inputs.items()}
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

    def __init__(self, lowered: ir.IRBook, model: "BookModel | None" = None, path: str | None = None):
        self.ir = lowered
        self._model = model
        self._path = path
        self._setup()

    def _setup(self) -> None:
        self.evaluator = Evaluator(self.ir)
        self._facts = _FactsView(self.ir)
        self._cites: dict[Any, Any] = {}  # see results/provenance.py: citations by provision and by answer
        self.outcome_names = list(self.ir.outcomes)
        self._computed = [k for k, v in self.ir.names.items() if v.kind != "undeclared"]
        self._known = frozenset(self._computed)

    def __getstate__(self) -> dict:
        return {"ir": self.ir, "path": self._path}

    def __setstate__(self, state: dict) -> None:
        self.ir, self._path, self._model = state["ir"], state["path"], None
        self._setup()

    @property
    def model(self) -> "BookModel":
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
        """The book's name (`book NAME` in its header)."""
        return self.ir.name

    @property
    def title(self) -> str:
        """The book's full title."""
        return self.ir.title

    def evaluate(self, facts: Mapping[str, Any], as_of: dt.date | str | None = None,
                 outcomes: Iterable[str] | None = None, *, explain: bool = True, reason: bool = False,
                 _file: str = "<facts>", _text: str | None = None) -> Result:
        """Evaluate one student's facts; every outcome (or those named) in a Result.

        With `reason`, an outcome the facts given leave open is
        determined when every admissible value of the missing facts gives the
        same answer, and otherwise lists only the facts that can change it
        (docs/language.md, "What the evaluator can conclude from what is not
        known").  Citations and explanations are worked out when first read, so
        `explain` has no effect; it is accepted for callers written against 0.1.
        """
        day = _as_date(as_of)
        return self._evaluate(facts, day, self._names(outcomes), reason, None, _file, _text)

    def _evaluate(self, facts: Mapping[str, Any], day: dt.date, names: tuple[str, ...] | None, reason: bool,
                  memo: Any, _file: str = "<facts>", _text: str | None = None) -> Result:
        """`evaluate` of checked outcome names; with `memo` (an `eval.reason.Memo` of the batch),
        the refinements of students alike in what an outcome's reasoning reads are shared."""
        given = validate(self._facts, facts, _file, _text)  # type: ignore[arg-type]
        st = self.evaluator.evaluate(given, day, names)
        builder = Builder(self.evaluator, st, self._cites)
        answers = {name: builder.outcome(name) for name in (names or self.outcome_names)}
        if reason:
            reasoner = None
            for name, o in answers.items():
                if o.status == "determined" or not (o.missing or o.decided_by):
                    continue
                if reasoner is None:
                    # imported here: reasoning costs ~15 ms of import a plain evaluation does not need
                    from .eval.reason import Reasoner
                    from .results.reasoned import reasoned

                    reasoner = Reasoner(self.ir, self.evaluator, given, day, memo)
                answers[name] = reasoned(o, reasoner.refine(name))
        return Result(self.ir, day, answers)

    def _memo(self, day: dt.date) -> Any:
        """A memo of refinements for one batch of students evaluated as of `day`."""
        from .eval.reason import Memo

        return Memo(self.ir, day)

    def why_not(self, facts: Mapping[str, Any], outcome: str, as_of: dt.date | str | None = None,
                value: Any = None, *, _file: str = "<facts>", _text: str | None = None) -> Any:
        """Which of the given facts, changed by how much, would give `outcome` another value (or
        `value`); the smallest changes first, each checked by evaluating it (docs/language.md,
        "What would change an answer")."""
        from .eval.counterfactual import changes
        from .results.counterfactual import WhyNot

        day = _as_date(as_of)
        self._names([outcome])
        given = validate(self._facts, facts, _file, _text)  # type: ignore[arg-type]
        now, raw = self._outcome_of(given, day, outcome)
        target = _target(self.ir.names[outcome].ty, value) if value is not None else None
        if target is not None:
            words = _shown_target(target)
        elif type(raw) is bool:
            target, words = not raw, _shown_target(not raw)
        else:
            words = "other than " + _shown_target(raw)

        def wanted(v: Any) -> bool:
            if target is not None:
                return d_same(v, target)
            return type(v) is not Unknown and not d_same(v, raw)

        if now.status != "determined":
            return WhyNot(now, words, [])
        found = changes(self.ir, self.evaluator, given, day, outcome, wanted,
                        lambda f: self.evaluator.evaluate(f, day, (outcome,)).values[outcome])
        return WhyNot(now, words, [(c, self._outcome_of({**given, **{k: new for k, _, new in c.facts}}, day,
                                                         outcome)[0]) for c in found])

    def _outcome_of(self, given: Mapping[str, Any], day: dt.date, outcome: str) -> tuple[Outcome, Any]:
        """An outcome for validated facts, and its value as the evaluator holds it."""
        st = self.evaluator.evaluate(given, day, (outcome,))
        return Builder(self.evaluator, st, self._cites).outcome(outcome), st.values[outcome]

    def evaluate_many(self, students: Iterable[Mapping[str, Any]], as_of: dt.date | str | None = None,
                      outcomes: Iterable[str] | None = None, *, explain: bool = False,
                      reason: bool = False, errors: str = "raise") -> Iterator[Any]:
        """Evaluate students one by one, lazily: a Result each, with citations and explanations.

        The per-student path (`evaluate_table` is the fast one for answers only).  A student
        whose facts are rejected raises BookErrors naming the student's index (`errors="raise"`),
        or is yielded in its place as a `Rejected` (its index and errors) and the rest are still
        evaluated (`errors="collect"`).
        """
        if errors not in ("raise", "collect"):
            raise UsageError(f'errors={errors!r}: write "raise" or "collect"', code="E701")
        day = _as_date(as_of)
        names = self._names(outcomes)
        memo = self._memo(day) if reason else None
        for index, facts in enumerate(students):
            try:
                yield self._evaluate(facts, day, names, reason, memo)
            except BookErrors as e:
                if errors == "raise":
                    raise BookErrors(_numbered(e.errors, index), e.sources) from None
                yield Rejected(index, tuple(_numbered(e.errors, index)))

    def evaluate_table(self, table: Any, as_of: dt.date | str | None = None,
                       outcomes: Iterable[str] | None = None, *, refine: Any = None,
                       carry: Iterable[str] = (), reason: bool = False, workers: int | None = None) -> Any:
        """Evaluate a table of students at once (a pyarrow Table, a pandas DataFrame or a mapping
        of columns); a pyarrow Table of outcome columns, one row per student (docs/batch.md).

        `carry` names input columns copied to the result first (an id); `refine(book, facts,
        as_of, outcome_names)` is asked about each row where an outcome is undetermined and its
        answers replace the vectorised ones; `reason=True` has each row left open (undetermined
        or discretionary) reasoned about as `evaluate(..., reason=True)` does.  A large table is
        evaluated in parts of consecutive rows (at least 50,000 each) at once, one thread a part:
        `workers` parts at most (default: one per core; 1 evaluates in the calling thread only).  Needs the
        `batch` extra (numpy and pyarrow).
        """
        try:
            from .eval.columns import evaluate_table
        except ImportError as e:
            raise UsageError(f"evaluating a table needs numpy and pyarrow ({e.name} is not installed); "
                             "install them with `pip install 'regdsl[batch]'`", code="E701") from None
        day = _as_date(as_of)
        names = self._names(outcomes) or tuple(self.outcome_names)
        carry = tuple(carry)
        if reason:
            if refine is not None:
                raise UsageError("reason and refine are two ways of refining a table's answers; give one",
                                 code="E701", argument="reason")
            refine = RowReasoner(self._memo(day))
        if workers is not None and (type(workers) is not int or workers < 1):
            raise UsageError(f"workers={workers!r}: a whole number of threads, at least 1", code="E701",
                             argument="workers")
        return evaluate_table(self, table, day, names, refine, carry, workers)

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
        facts: list[dict] = []
        decisions: list[dict] = []
        outcomes: list[dict] = []
        definitions: list[dict] = []
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
                if bounds_text(s.domain):
                    entry["bounds"] = bounds_text(s.domain)
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


class Rejected:
    """A student `evaluate_many(errors="collect")` could not evaluate: its index and the errors."""

    ok = False

    def __init__(self, index: int, errors: tuple[RegdslError, ...]):
        self.index = index
        self.errors = errors
        self.outcomes: dict = {}

    def to_dict(self) -> dict[str, Any]:
        """The student's index and the code and message of each error, as JSON data."""
        return {"index": self.index, "errors": [{"code": e.code, "message": e.message} for e in self.errors]}

    def __repr__(self) -> str:
        return f"Rejected(index={self.index}, errors={[e.code for e in self.errors]})"


def _numbered(errors: list[RegdslError], index: int) -> list[RegdslError]:
    """The errors of a student's facts, each saying which student it is."""
    out = []
    for e in errors:
        copy = type(e).__new__(type(e))
        copy.__dict__.update(e.__dict__)
        copy.message = f"student {index}: {e.message}"
        out.append(copy)
    return out


def reason_about_row(book: Book, facts: Mapping[str, Any], as_of: dt.date, names: tuple[str, ...]) -> dict:
    """A row the columns leave open, reasoned about by the per-student reasoner (as
    `evaluate_table(reason=True)` does, without the memo its rows share)."""
    result = book.evaluate(facts, as_of, names, reason=True)
    return {name: result[name] for name in names}


reason_about_row.statuses = ("undetermined", "discretionary")  # type: ignore[attr-defined]


class RowReasoner:
    """The `refine` of `evaluate_table(reason=True)`: each row the columns leave open is reasoned
    about by the per-student reasoner, so that both evaluators give the same answers, with one
    memo of refinements shared by the table's rows (`eval.reason.Memo`)."""

    statuses = ("undetermined", "discretionary")

    def __init__(self, memo: Any):
        self.memo = memo

    def __call__(self, book: Book, facts: Mapping[str, Any], as_of: dt.date, names: tuple[str, ...]) -> dict:
        """The answers of `names` for one row, reasoned about."""
        result = book._evaluate(facts, as_of, names, True, self.memo)
        return {name: result[name] for name in names}


def _target(ty: Any, value: Any) -> Any:
    """The value `why_not` is asked to reach, as the evaluator holds it (booleans, choices, text)."""
    if ty.kind == "boolean":
        words = {"yes": True, "true": True, "no": False, "false": False}
        if isinstance(value, bool):
            return value
        if str(value).lower() in words:
            return words[str(value).lower()]
        raise UsageError(f"value {value!r} is not yes or no", code="E701", argument="value")
    if ty.kind in ("enum", "text"):
        if ty.kind == "enum" and str(value) not in ty.members:
            raise UsageError(f"value {value!r} is not one of {', '.join(ty.members)}", code="E701", argument="value",
                             hint=did_you_mean(str(value), ty.members))
        return str(value)
    raise UsageError(f"value is given for a yes/no, a choice or a text outcome, not {ty.describe()}",
                     code="E701", argument="value")


def _shown_target(v: Any) -> str:
    return "yes" if v is True else "no" if v is False else str(v)


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
