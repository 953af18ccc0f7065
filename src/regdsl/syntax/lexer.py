"""What the parser adds to Lark's lexer: the indentation post-lexer, which turns newline tokens
into _INDENT/_DEDENT pairs and keeps the comments.

Each parse runs an `Indenter` of its own (parser.py): Lark's lexer and tables
are shared by every parse and never written, and everything that changes
while a file is lexed -- the indentation stack, the parentheses open, the
comments found -- lives on that parse's Indenter.  The comments reach it as
tokens: the grammar does not ignore COMMENT and _CONTINUATION, the Indenter
takes them out of the stream (see `DROPPED`), so no lexer callback is needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lark import Token
from lark.lark import PostLex

from ..core.limits import MAX_DIGITS, digits
from .tree import Comment

_WORD_TAIL = re.compile(r"\w*")

# The terminals the Indenter takes out of the stream: the parser never sees them.
DROPPED = frozenset({"COMMENT", "_CONTINUATION"})


class IndentationError_(Exception):
    """Raised by the post-lexer (bad indentation, a glued keyword, a number too long); carries
    the offending token and the code."""

    def __init__(self, message: str, token: Token, code: str, hint: str | None = None):
        super().__init__(message)
        self.token = token
        self.code = code
        self.hint = hint


class Indenter(PostLex):
    """Python-style indentation for .reg files, and the file's comments: one Indenter per parse.

    Newlines inside parentheses are dropped, runs of blank and comment-only
    lines collapse into one _NL, and tabs in indentation are rejected.
    """

    always_accept = ("_NL", *sorted(DROPPED))  # lexed in every parser state

    def __init__(self, text: str) -> None:
        # The state lives on the instance, not in `process`, because Lark starts `process`
        # afresh when parsing resumes after an error is recovered (parser._keyword_as_name).
        self.text = text
        self.stack = [0]
        self.depth = 0
        self.last: Token | None = None
        self.found: list[Comment] = []

    def comments(self) -> tuple[Comment, ...]:
        """The `#` comments lexed so far, in order (for the formatter: the parser never sees them)."""
        return tuple(sorted(set(self.found), key=lambda c: (c.line, c.column)))

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        """The tokens of `stream` with the layout tokens added and the DROPPED ones taken out."""
        stack = self.stack
        text = self.text
        for tok in stream:
            kind = tok.type
            if kind in DROPPED:
                if kind == "COMMENT":
                    self.found.append(Comment(tok.value, tok.line or 1, tok.column or 1, own_line=False))
                else:
                    self._own_line_comments(tok)
                continue
            if kind == "NUM" and digits(tok.value) > MAX_DIGITS:
                # Refused before anything converts it (Python will not even print an int of 4,301 digits).
                raise IndentationError_(f"this number has {digits(tok.value):,} digits; a number has at most "
                                        f"{MAX_DIGITS}", tok, "E106")
            if kind != "NAME" and tok.value.isidentifier():
                end = tok.end_pos
                if end is not None and end < len(text) and (text[end].isalnum() or text[end] == "_"):
                    # A keyword glued to more letters (`andb`, `whenever`) is one word, not the
                    # keyword and a name: where only the keyword fits, that is an error.
                    tail = _WORD_TAIL.match(text, end)
                    word = tok.value + (tail.group(0) if tail else "")
                    raise IndentationError_(f"unexpected `{word}`", tok, "E101")
            if kind == "_NL":
                self._own_line_comments(tok)
                if self.depth:
                    continue
                self.last = tok
                yield from self._newline(tok, stack)
                continue
            if kind == "LPAR":
                self.depth += 1
            elif kind == "RPAR" and self.depth:
                self.depth -= 1
            self.last = tok
            yield tok
        while len(stack) > 1:
            stack.pop()
            yield _at(self.last, "_DEDENT", "")

    def _own_line_comments(self, tok: Token) -> None:
        """The comment-only lines a newline (or a continuation) token swallowed."""
        if "#" not in tok.value:
            return
        line = tok.line or 1
        for i, chunk in enumerate(tok.value.split("\n")):
            stripped = chunk.lstrip(" \t\r")
            if i and stripped.startswith("#"):
                col = len(chunk) - len(stripped) + 1
                self.found.append(Comment(stripped.rstrip("\r"), line + i, col, own_line=True))

    def _newline(self, nl: Token, stack: list[int]) -> Iterator[Token]:
        yield nl
        indent_str = nl.value.rsplit("\n", 1)[1]
        if "\t" in indent_str:
            raise IndentationError_("indentation uses a tab; indent with spaces",
                                    _at(nl, "_INDENT", indent_str, column=indent_str.index("\t") + 1),
                                    "E103")
        indent = len(indent_str)
        if indent > stack[-1]:
            stack.append(indent)
            yield _at(nl, "_INDENT", indent_str)
            return
        levels = list(stack)
        while indent < stack[-1]:
            stack.pop()
            yield _at(nl, "_DEDENT", indent_str)
        if indent != stack[-1]:
            near = sorted({stack[-1], *(lv for lv in levels if lv > indent)})[:2]
            levels_text = " or ".join(str(lv) for lv in near if lv) + " spaces"
            if 0 in near:
                levels_text += " or not at all"
            raise IndentationError_(
                f"this line is indented {_spaces(indent)}, but the lines above it are indented {levels_text}",
                _at(nl, "_DEDENT", ""), "E104", hint="line it up with the lines of the block it belongs to")


class Layout(PostLex):
    """What Lark is told of the post-lexer when the parser is built: the terminals it takes.

    Stateless, so the one parser can be shared; a parse runs an `Indenter` of its own
    (parser.Parser), and Lark's own `parse`, which would run this, refuses.
    """

    always_accept = Indenter.always_accept

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        raise TypeError("parse with regdsl.syntax.parser.Parser, which gives each parse its own Indenter")

    def __repr__(self) -> str:
        return "regdsl.syntax.lexer.Layout()"


def _spaces(n: int) -> str:
    return "1 space" if n == 1 else f"{n} spaces"


def _at(nl: Token | None, type_: str, value: str, column: int | None = None) -> Token:
    """A token placed at the start of the line that follows `nl` (or at `column` of it)."""
    if nl is None:
        return Token(type_, value)
    if nl.type != "_NL":
        return Token.new_borrow_pos(type_, value, nl)
    line = (nl.end_line or nl.line or 1)
    col = column if column is not None else len(nl.value.rsplit("\n", 1)[1]) + 1
    return Token(type_, value, start_pos=nl.end_pos, line=line, column=col,
                 end_line=line, end_column=col, end_pos=nl.end_pos)
