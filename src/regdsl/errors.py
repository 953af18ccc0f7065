"""Errors as values: one hierarchy, a stable code per kind, always a position."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import attrs

# Every code the tool can report, with its one-line meaning.  docs/errors.md
# has an entry per code; tests check the two stay in step.
CODES: dict[str, str] = {
    # E1xx: reading and parsing
    "E100": "the file cannot be read",
    "E101": "syntax error: unexpected token",
    "E102": "syntax error: unexpected character",
    "E103": "indentation uses a tab",
    "E104": "indentation matches no enclosing block",
    "E105": "syntax error: the file ends too early",
    "E106": "a number has too many digits",
    "E107": "a numbered range is too large",
    "E108": "nesting too deep",
    "E109": "file too large",
    # E2xx: structure and numbering
    "E201": "duplicate number",
    "E202": "number out of order",
    "E203": "book header missing or repeated",
    "E204": "bad article number or range",
    "E205": "overlapping versions of an article",
    "E206": "misplaced statement",
    "E207": "an amendment with no effective date, or two",
    "E208": "a later version of an article drops a part without saying so",
    # E3xx: names and references
    "E301": "unknown name",
    "E302": "name declared twice",
    "E303": "reference to a provision that does not exist",
    "E304": "reference to a deleted article",
    "E305": "relative reference with nothing to refer to",
    "E306": "name is not defined in the cited provision",
    "E307": "no rule defines this outcome or definition",
    "E308": "rule for a fact",
    "E309": "unknown book",
    "E310": "unknown body",
    "E311": "reference to provisions that have no items",
    # E4xx: types and units
    "E401": "type mismatch",
    "E402": "unit mismatch",
    "E403": "unknown unit",
    "E404": "unknown type",
    "E405": "unknown value of an enumeration",
    "E406": "wrong number or kind of arguments",
    "E407": "unknown function",
    "E408": "table row does not match its columns",
    "E409": "table total does not match its rows",
    "E410": "unknown table or column",
    "E411": "a bound that does not fit the fact's type",
    "E412": "a bound that is not a constant",
    "E413": "bounds that leave no value or are repeated",
    # E5xx: exceptions and cycles
    "E501": "exception names no rule",
    "E502": "cycle between exceptions",
    "E503": "cycle between definitions",
    "E504": "'however' with no rule to qualify",
    "E505": "two rules always apply to the same name",
    # E6xx: facts given to an evaluation
    "E601": "unknown fact",
    "E602": "fact has the wrong type",
    "E603": "facts file cannot be read",
    "E604": "facts are not a mapping",
    "E605": "unknown outcome",
    "E606": "facts exceed a limit",
    "E607": "a test case checks nothing",
    # E7xx: command line
    "E701": "bad command-line argument",
    "E702": "path not found",
    "E703": "path outside the allowed directories",
    # E8xx: evaluation
    "E801": "conflicting rules apply",
    "E802": "evaluation limit exceeded",
    "E803": "value outside the table",
    "E804": "a date outside the calendar",
}


def split_lines(text: str) -> list[str]:
    """The lines of a source text, split exactly where the parser counts a new line.

    The lexer counts lines at `\\n` (after turning `\\r\\n` and `\\r` into `\\n`)
    and nowhere else; `str.splitlines` also breaks at form feeds, vertical tabs,
    U+0085, U+2028 and others, so it would quote the wrong line.  Every quoted
    line goes through here.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


@attrs.frozen
class Span:
    """A region of a source file: 1-based line and column, end exclusive."""

    file: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class RegdslError(Exception):
    """Base of every error regdsl reports: a code, a message and a position."""

    code = "E000"

    def __init__(
        self,
        message: str,
        span: Span | None = None,
        *,
        code: str | None = None,
        hint: str | None = None,
        source_line: str | None = None,
        argument: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.span = span
        if code:
            self.code = code
        self.hint = hint
        self.source_line = source_line
        self.argument = argument  # the API argument the message begins with (`as_of`), if any

    def to_dict(self) -> dict:
        """The error as JSON data: code, message, position (null where there is none) and hint."""
        s = self.span
        return {"code": self.code, "message": self.message, "file": s.file if s else None,
                "line": s.line if s else None, "column": s.column if s else None,
                "end_line": s.end_line or None if s else None, "end_column": s.end_column or None if s else None,
                "hint": self.hint}

    def sort_key(self) -> tuple[str, int, int, str]:
        """Where the error is (file, line, column), then its code: the order findings are listed in."""
        s = self.span
        return (s.file, s.line, s.column, self.code) if s else ("", 0, 0, self.code)

    def render(self, sources: dict[str, str] | None = None,
               lines_of: dict[str, list[str]] | None = None) -> str:
        """`file:line:col: code: message`, the source line, a caret, a hint.

        `lines_of` keeps each file's lines once split, when many findings are rendered."""
        where = f"{self.span}: " if self.span else ""
        out = [f"{where}{self.code}: {self.message}"]
        line = self.source_line
        if line is None and self.span and sources and self.span.file in sources:
            memo = lines_of if lines_of is not None else {}
            lines = memo.get(self.span.file)
            if lines is None:
                lines = memo[self.span.file] = split_lines(sources[self.span.file])
            if 0 < self.span.line <= len(lines):
                line = lines[self.span.line - 1]
        if line is not None and self.span:
            out.append(f"    {line.rstrip()}")
            width = 1
            if self.span.end_line == self.span.line and self.span.end_column > self.span.column:
                width = self.span.end_column - self.span.column
            out.append("    " + " " * (self.span.column - 1) + "^" * max(1, min(width, 60)))
        if self.hint:
            out.append(f"  hint: {self.hint}")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.render()


class SyntaxError_(RegdslError):
    """A .reg file does not follow the grammar."""

    code = "E101"


class CheckError(RegdslError):
    """A book parses but is not sound: a reference, type, number or cycle problem."""

    code = "E301"


class FactsError(RegdslError):
    """The facts given to an evaluation are unreadable, unknown or mistyped."""

    code = "E601"


class UsageError(RegdslError):
    """A bad command-line argument or API call."""

    code = "E701"


class EvaluationError(RegdslError):
    """Evaluation hit a limit it must not pass."""

    code = "E802"


class BookErrors(RegdslError):
    """Several findings at once (what `regdsl check` prints), sorted by position."""

    code = "E000"

    def __init__(self, errors: Iterable[RegdslError], sources: dict[str, str] | None = None):
        self.errors = sorted(errors, key=RegdslError.sort_key)
        self.sources = sources or {}
        first = self.errors[0] if self.errors else None
        super().__init__(
            f"{len(self.errors)} problem(s) found" if self.errors else "no problems",
            first.span if first else None,
        )

    def render(self, sources: dict[str, str] | None = None,
               lines_of: dict[str, list[str]] | None = None) -> str:
        """Every finding rendered as `RegdslError.render` does, one after another."""
        src = sources or self.sources
        if lines_of is None:
            lines_of = {}
        return "\n".join(e.render(src, lines_of) for e in self.errors)


# Hints the library gives in the Python API's own terms; the command line and the HTTP service
# say them in theirs (`restate`).
HINT_FACTS = "book.schema() lists the facts the book takes"
HINT_OUTCOMES = "book.schema() lists the outcomes and definitions"


def restate(errors: Iterable[RegdslError], arguments: dict[str, str], hints: dict[str, str]) -> None:
    """Say errors in a front end's terms: an API argument a message begins with by the front end's
    name for it (`as_of` -> `--as-of`), and the API's hints by the front end's."""
    for e in errors:
        if e.argument in arguments and e.message.startswith(e.argument):
            e.message = arguments[e.argument] + e.message[len(e.argument):]
            e.args = (e.message,)
        if e.hint in hints:
            e.hint = hints[e.hint]


def did_you_mean(name: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """A "did you mean `x`?" hint for the candidate closest to `name`, if any."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=cutoff)
    return f"did you mean `{close[0]}`?" if close else None
