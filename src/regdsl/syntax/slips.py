"""Syntax errors that name the slip: a misspelt keyword (did you mean), an unclosed quote.

The parser (parser.py) asks these first when a file does not parse; each gives a
message about what the author most likely did, or None for the general message.
"""

from __future__ import annotations

import difflib
import re

from lark import Lark, Token
from lark.exceptions import UnexpectedToken

from ..errors import Span, SyntaxError_

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')  # the grammar's STRING


def unclosed_quote(text: str, pos: int, file: str, line: int, col: int, source: str) -> SyntaxError_ | None:
    """A `"` the lexer could not start a string at: a quote not closed on its line, marked from it."""
    if _STRING.match(text, pos) is not None:
        return None
    rest = source[col:]
    return SyntaxError_("this quote is not closed: the line ends before its closing `\"`",
                        Span(file, line, col, line, max(len(source) + 1, col + 1)), code="E102", source_line=source,
                        hint="close it on this line: a quoted string cannot go on to the next line"
                        if '"' not in rest else 'a `"` inside a string is written `\\"`')


def _keywords(terminals: set[str], parser: Lark) -> list[str]:
    """The keywords among the terminals a parser state accepts."""
    words = []
    for name in terminals:
        try:
            pattern = parser.get_terminal(name).pattern
        except KeyError:
            continue
        if pattern.type == "str" and _WORD.match(pattern.value):
            words.append(pattern.value)
    return words


def misspelt_keyword(err: UnexpectedToken, parser: Lark, file: str, line_of) -> SyntaxError_ | None:
    """`paragrph 2`, `artcle 39`, `outcom x : ...`: a word close to a keyword the parser would take there.

    The word is either the unexpected token itself (where a keyword had to come), or a name the
    parser took as the head of a rule (`paragrph` in `paragrph 2`) just before the unexpected
    token: then the keywords compared with are those of the state before that name.
    """
    ip = err.interactive_parser
    if ip is None:
        return None
    tok = err.token
    candidates: list[tuple[Token, set[str]]] = []
    if _WORD.match(tok.value or ""):
        candidates.append((tok, set(err.accepts or err.expected)))
    state = ip.parser_state
    prev = state.value_stack[-1] if state.value_stack else None
    if isinstance(prev, Token) and prev.type == "NAME" and len(state.state_stack) > 1:
        line = line_of(prev.line) or ""
        if line[: (prev.column or 1) - 1].strip() == "":  # the first word of its line
            before = type(state)(state.parse_conf, state.lexer, state.state_stack[:-1], state.value_stack[:-1])
            accepts = type(ip)(ip.parser, before, ip.lexer_thread).accepts()
            candidates.append((prev, accepts))
    for word, accepts in candidates:
        keywords = _keywords(accepts, parser)
        if len(word.value) < 3 or word.value in keywords:
            continue
        close = difflib.get_close_matches(word.value, sorted(keywords), n=1, cutoff=0.75) or sorted(
            k for k in keywords if sorted(k) == sorted(word.value))  # two letters swapped: `adn`
        if close:
            line, col = word.line or 1, word.column or 1
            return SyntaxError_(f"unexpected `{word.value}`: it is not a keyword", Span(
                file, line, col, line, col + len(word.value)), code="E101",
                hint=f"did you mean `{close[0]}`?", source_line=line_of(line))
    return None
