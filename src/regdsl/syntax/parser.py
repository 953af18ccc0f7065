"""Text to syntax tree: the Lark LALR parser (from shipped tables), run under a lock.

The post-lexer and the comment callbacks are in lexer.py, the Transformer
that builds the nodes in transformer.py, and the messages of syntax errors
in messages.py; this module holds the one parser built from them and the
entry points `parse` and `parse_ref`.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from lark import Lark, Token
from lark.exceptions import VisitError, UnexpectedInput, UnexpectedToken

from . import nodes as n
from ..errors import Span, SyntaxError_
from .depth import TooDeep
from .lexer import Comments, Indenter, IndentationError_
from .messages import EXAMPLES, bad_literal, syntax_error, too_deep
from .tables import grammar_text
from .transformer import BadLiteral, ToAst

# The parser's lexer state: Lark takes the post-lexer and the callbacks when the parser is built,
# so they are shared by every parse, which the lock keeps to one at a time.
_INDENTER = Indenter()
_COMMENTS = Comments()
_lock = threading.Lock()


class _Positioned:
    """Layout tokens do not stretch a node's span onto the next line.

    A class with a fixed `repr()` rather than a function, so that the
    parser's options print the same in every process.
    """

    def __call__(self, node: Any) -> bool:
        return not (isinstance(node, Token) and node.type in ("_NL", "_INDENT", "_DEDENT"))

    def __repr__(self) -> str:
        return "regdsl.syntax.parser._Positioned"


_positioned = _Positioned()


def parser_options() -> tuple[str, dict[str, Any]]:
    """The grammar's text and the options the parser is built with."""
    return grammar_text(), dict(
        start=["start", "ref"],
        parser="lalr",
        lexer="contextual",
        postlex=_INDENTER,
        propagate_positions=_positioned,
        maybe_placeholders=True,
        lexer_callbacks=_COMMENTS.callbacks(),
    )


@lru_cache(maxsize=1)
def get_parser() -> Lark:
    """The LALR parser, from the tables shipped with the package (see tables.py)."""
    from . import tables

    return tables.load(*parser_options())


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _keyword_as_name(err: UnexpectedInput) -> bool:
    """A keyword where only a name fits is a name (`total`, `part`, `row` ...).

    The contextual lexer decides between a keyword and a name from the
    parser's state, and LALR merges the states after a text line or a
    declaration across contexts; so a word may come out as a keyword where
    the grammar can only take a name.  Feed it again as a name and go on.
    """
    if not isinstance(err, UnexpectedToken):
        return False
    tok = err.token
    if tok.type == "NAME" or not _WORD.match(tok.value or "") or "NAME" not in err.expected:
        return False
    err.interactive_parser.feed_token(Token.new_borrow_pos("NAME", tok.value, tok))
    return True


@lru_cache(maxsize=1)
def _example_states() -> dict[tuple[int, str], str]:
    """(parser state, unexpected token type) of each common mistake -> its hint.

    Lark's match_examples also compares the depth of the parser's stack,
    which depends on what comes before the mistake (a book header, earlier
    articles), so its hints rarely fire in a real book.  The state alone
    and the kind of token are what identify the mistake.
    """
    parser = get_parser()
    found: dict[tuple[int, str], str] = {}
    for hint, examples in EXAMPLES.items():
        for example in examples:
            _INDENTER.reset()
            try:
                parser.parse(example, start="start")
            except UnexpectedToken as e:
                found.setdefault((e.interactive_parser.parser_state.position, e.token.type), hint)
            except (UnexpectedInput, IndentationError_):
                pass
    return found


def _hint(err: Exception) -> str | None:
    """The hint of the common mistake that left the parser where `err` stopped it, if it is one."""
    if not isinstance(err, UnexpectedToken) or err.interactive_parser is None:
        return None
    key = (err.interactive_parser.parser_state.position, err.token.type)
    return _example_states().get(key)


def parse(text: str, file: str = "<string>") -> n.Module:
    """Parse one .reg file's text; raises SyntaxError_ with a position."""
    parser = get_parser()
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    ends_with_newline = text.endswith("\n")
    if not ends_with_newline:
        text += "\n"
    with _lock:
        _COMMENTS.clear()
        _INDENTER.reset()
        _INDENTER.text = text
        try:
            tree = parser.parse(text, start="start", on_error=_keyword_as_name)
        except (UnexpectedInput, IndentationError_) as err:
            raise syntax_error(err, file, text, parser, _hint(err), ends_with_newline) from None
        comments = _COMMENTS.take()
    try:
        module = ToAst(file).transform(tree)
    except VisitError as err:
        bad = err.orig_exc
        if isinstance(bad, SyntaxError_):
            raise bad from None
        if isinstance(bad, BadLiteral):
            raise bad_literal(bad.token, str(bad), file, text) from None
        if isinstance(bad, TooDeep):
            raise too_deep(bad.node, file, text) from None
        raise
    return n.Module(module.file, module.items, comments)


def parse_ref(text: str, file: str = "<reference>") -> n.Ref:
    """Parse a reference written on its own, such as `article 20 paragraph 2`."""
    parser = get_parser()
    with _lock:
        _COMMENTS.clear()
        _INDENTER.reset()
        try:
            tree = parser.parse(text.strip(), start="ref")
        except (UnexpectedInput, IndentationError_):
            raise SyntaxError_(f"`{text}` is not a reference such as \"article 20 paragraph 2\"",
                               Span(file, 1, 1), code="E101") from None
        finally:
            _COMMENTS.clear()
    return ToAst(file).transform(tree)


from .treecache import parse_cached  # noqa: E402,F401 - its home until the parse cache had its own module
