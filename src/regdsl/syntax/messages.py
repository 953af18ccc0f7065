"""Syntax errors as their readers see them: what was expected in words, where, and a hint.

The parser (parser.py) hands each error Lark raises to `syntax_error`, with
the hint of the common mistake it recognised (the parser states of
`EXAMPLES`); slips.py names misspelt keywords and unclosed quotes.
"""

from __future__ import annotations

from typing import cast

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

from . import nodes as n
from ..core.limits import MAX_NESTING
from ..errors import Span, SyntaxError_, split_lines
from .lexer import DROPPED, IndentationError_
from .slips import misspelt_keyword, unclosed_quote


# How the terminals are named in a message.
_WORDS = {
    "NAME": "a name",
    "STRING": 'a quoted string ("...")',
    "NUM": "a number",
    "DATE": "a date (YYYY-MM-DD)",
    "TIME": "a time of day (H:MM)",
    "TEXT": "a line of regulation text (| ...)",
    "_NL": "the end of the line",
    "_INDENT": "an indented block",
    "_DEDENT": "the end of the indented block",
    "$END": "the end of the file",
    "COMP": "a comparison (< <= > >=)",
    "IS": "`is`",
    "IS_NOT": "`is not`",
    "AT_LEAST": "`is at least`",
    "AT_MOST": "`is at most`",
    "MORE_THAN": "`is more than`",
    "LESS_THAN": "`is less than`",
    "EXCEEDS": "`exceeds`",
    "IS_ONE_OF": "`is one of`",
    "IS_NOT_ONE_OF": "`is not one of`",
    "REF_AND": "`and` followed by a number",
    "PART_OF": "`part of`",
    "ADMINISTERED_BY": "`administered by`",
}

# Common mistakes, recognised by the parser state they leave (parser._example_states).
EXAMPLES: dict[str, list[str]] = {
    'the title of an article is written in double quotes: article 14 "Degree Program Length"': [
        "article 14 Degree Program Length\n  | x\n",
        "article 14 Degree\n",
    ],
    "the regulation's own words go on lines that start with `|`": [
        'article 1 "Mission"\n  The mission of the University\n',
        'article 1 "Mission"\n  paragraph 2\n    The mission\n',
    ],
    "a heading must be followed by an indented block (its text and rules)": [
        'article 1 "Mission"\narticle 2 "X"\n',
        'article 1 "Mission"\n',
        'article 1 "M"\n  | x\n  paragraph 2\n  | y\n',
    ],
    "compare with `is` (or < <= > >=); `=` defines a rule and `==` is not an operator": [
        'article 1 "M"\n  x = a == b\n',
        'article 1 "M"\n  x if a = b\n',
    ],
    "a rule needs a value after `=` (or a condition after `if`)": [
        'article 1 "M"\n  x =\n',
        'article 1 "M"\n  x if\n',
    ],
    "a declaration needs a type after the colon, e.g. `fact years_enrolled : years`": [
        'article 1 "M"\n  fact x\n',
        'article 1 "M"\n  fact x :\n',
        'article 1 "M"\n  outcome x\n',
    ],
    "paragraphs, items and articles need a number": [
        'article 1 "M"\n  | x\n  paragraph\n',
        'article 1 "M"\n  | x\n  item\n',
        'article "M"\n',
    ],
}


def _expected_words(expected: set[str], parser: Lark) -> list[str]:
    words = set()
    for name in expected:
        if name in DROPPED:  # lexed everywhere, but the post-lexer takes them out: never expected
            continue
        if name in _WORDS:
            words.add(_WORDS[name])
            continue
        try:
            pattern = parser.get_terminal(name).pattern
        except KeyError:
            words.add(name.lower())
            continue
        if pattern.type == "str":
            words.add(f"`{pattern.value}`")
        else:
            words.add(name.lower())
    return sorted(words)


def syntax_error(err: Exception, file: str, text: str, parser: Lark, hint: str | None = None,
                 ends_with_newline: bool = True) -> SyntaxError_:
    """The E1xx error for what Lark or the post-lexer raised on `text`; `hint` names the mistake."""
    lines = split_lines(text)

    def line_of(no: int) -> str | None:
        return lines[no - 1] if 0 < no <= len(lines) else None

    if isinstance(err, IndentationError_):
        tok = err.token
        line, col = tok.line or 1, tok.column or 1
        end = tok.end_column if err.code == "E106" and tok.end_line == line else 0  # the whole number
        return SyntaxError_(str(err), Span(file, line, col, line if end else 0, end or 0), code=err.code,
                            hint=err.hint, source_line=line_of(line))

    if isinstance(err, UnexpectedCharacters):
        line, col = err.line, err.column
        pos = cast(int, err.pos_in_stream)  # Lark's base class declares it None; this one always sets it
        ch = text[pos] if pos < len(text) else ""
        if ch == '"':
            unclosed = unclosed_quote(text, pos, file, line, col, line_of(line) or "")
            if unclosed is not None:
                return unclosed
        msg = f"unexpected character {ch!r}"
        return SyntaxError_(msg, Span(file, line, col), code="E102", hint=hint, source_line=line_of(line))
    # The end of the file, as opposed to the end of a line: no text follows the token,
    # and the file did not end with a newline of its own (parse adds one).
    at_end = isinstance(err, UnexpectedToken) and (
        err.token.type == "$END"
        or (err.token.type in ("_DEDENT", "_NL") and not text[err.token.start_pos or 0:].strip()
            and (err.token.type == "_DEDENT" or not ends_with_newline))
    )
    if isinstance(err, UnexpectedEOF) or at_end:
        expected = _expected_words(set(getattr(err, "expected", ()) or ()), parser)
        line = max(1, len(lines))
        col = len(lines[-1]) + 1 if lines else 1
        msg = "the file ends too early" + (f"; expected {_join(expected)}" if expected else "")
        return SyntaxError_(msg, Span(file, line, col), code="E105", hint=hint, source_line=line_of(line))
    assert isinstance(err, UnexpectedToken)
    misspelt = misspelt_keyword(err, parser, file, line_of)
    if misspelt is not None:
        return misspelt
    tok = err.token
    expected = _expected_words(set(err.accepts or err.expected), parser)
    what = _describe_token(tok)
    line, col = tok.line or 1, tok.column or 1
    end = (tok.end_column or col + 1) if tok.end_line == tok.line else col + 1
    msg = f"unexpected {what}; expected {_join(expected)}"
    return SyntaxError_(msg, Span(file, line, col, line, end), code="E101", hint=hint,
                        source_line=line_of(line))


def _describe_token(tok: Token) -> str:
    if tok.type == "_NL":
        return "end of line"
    if tok.type == "_INDENT":
        return "indentation"
    if tok.type == "_DEDENT":
        return "end of the indented block"
    if tok.type == "TEXT":
        return "line of regulation text"
    value = tok.value if len(tok.value) <= 30 else tok.value[:27] + "..."
    return f"`{value}`"


def _join(words: list[str]) -> str:
    if len(words) > 8:
        words = words[:8] + ["..."]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def source_line(text: str, line: int) -> str | None:
    """Line `line` of `text` (from 1), or None past its end."""
    lines = split_lines(text)
    return lines[line - 1] if 0 < line <= len(lines) else None


def bad_literal(tok: Token, message: str, file: str, text: str) -> SyntaxError_:
    """E101 for a literal that is no real value (a date such as 2025-02-30), at its token."""
    line, col = tok.line or 1, tok.column or 1
    return SyntaxError_(message, Span(file, line, col, line, tok.end_column or col), code="E101",
                        source_line=source_line(text, line))


def too_deep(node: n.Node, file: str, text: str) -> SyntaxError_:
    """E108 for an expression or type nested deeper than the limit, at the part that is."""
    span = getattr(node, "span", None) or Span(file, 1, 1)
    what = "type" if isinstance(node, (n.RangeType, n.ListType)) else "expression"
    return SyntaxError_(f"this {what} is nested more than {MAX_NESTING} levels deep",
                        Span(file, span.line, span.column), code="E108",
                        hint="compute a part of it in a definition of its own (`define ...`)",
                        source_line=source_line(text, span.line))
