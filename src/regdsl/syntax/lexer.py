"""What the parser adds to Lark's lexer: the indentation post-lexer (newline tokens to
_INDENT/_DEDENT pairs) and the callbacks that keep the comments."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from lark import Token
from lark.lark import PostLex

from ..core.limits import MAX_DIGITS, digits
from .tree import Comment

_WORD_TAIL = re.compile(r"\w*")


class Comments:
    """The `#` comments of the file being lexed, for the formatter (the grammar drops them)."""

    def __init__(self) -> None:
        self.found: list[Comment] = []

    def callbacks(self) -> dict[str, Callable[[Token], Token]]:
        """The lexer callbacks that collect them, by terminal."""
        return {"COMMENT": self._on_comment, "_NL": self._on_newline, "_CONTINUATION": self._on_newline}

    def take(self) -> tuple[Comment, ...]:
        """The comments found since the last `take` or `clear`, in order; forgets them."""
        found = tuple(sorted(set(self.found), key=lambda c: (c.line, c.column)))
        self.found.clear()
        return found

    def clear(self) -> None:
        """Forget the comments found so far."""
        self.found.clear()

    def _on_comment(self, tok: Token) -> Token:
        self.found.append(Comment(tok.value, tok.line or 1, tok.column or 1, own_line=False))
        return tok

    def _on_newline(self, tok: Token) -> Token:
        # Comment-only lines are swallowed by the newline token; recover them.
        line = tok.line or 1
        for i, chunk in enumerate(tok.value.split("\n")):
            stripped = chunk.lstrip(" \t\r")
            if i and stripped.startswith("#"):
                col = len(chunk) - len(stripped) + 1
                self.found.append(Comment(stripped.rstrip("\r"), line + i, col, own_line=True))
        return tok


class IndentationError_(Exception):
    """Raised by the post-lexer (bad indentation, a glued keyword, a number too long); carries
    the offending token and the code."""

    def __init__(self, message: str, token: Token, code: str, hint: str | None = None):
        super().__init__(message)
        self.token = token
        self.code = code
        self.hint = hint


class Indenter(PostLex):
    """Python-style indentation for .reg files.

    Newlines inside parentheses are dropped, runs of blank and comment-only
    lines collapse into one _NL, and tabs in indentation are rejected.
    """

    always_accept = ("_NL",)

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        """Forget the previous file (the parser calls this before each parse).

        The state lives on the instance, not in `process`, because Lark starts
        `process` afresh when parsing resumes after an error is recovered.
        """
        self.stack = [0]
        self.depth = 0
        self.last: Token | None = None
        self.text = ""

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        stack = self.stack
        text = self.text
        for tok in stream:
            if tok.type == "NUM" and digits(tok.value) > MAX_DIGITS:
                # Refused before anything converts it (Python will not even print an int of 4,301 digits).
                raise IndentationError_(f"this number has {digits(tok.value):,} digits; a number has at most "
                                        f"{MAX_DIGITS}", tok, "E106")
            if tok.type != "NAME" and tok.value.isidentifier():
                end = tok.end_pos
                if end is not None and end < len(text) and (text[end].isalnum() or text[end] == "_"):
                    # A keyword glued to more letters (`andb`, `whenever`) is one word, not the
                    # keyword and a name: where only the keyword fits, that is an error.
                    tail = _WORD_TAIL.match(text, end)
                    word = tok.value + (tail.group(0) if tail else "")
                    raise IndentationError_(f"unexpected `{word}`", tok, "E101")
            if tok.type == "_NL":
                if self.depth:
                    continue
                self.last = tok
                yield from self._newline(tok, stack)
                continue
            if tok.type == "LPAR":
                self.depth += 1
            elif tok.type == "RPAR" and self.depth:
                self.depth -= 1
            self.last = tok
            yield tok
        while len(stack) > 1:
            stack.pop()
            yield _at(self.last, "_DEDENT", "")

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
