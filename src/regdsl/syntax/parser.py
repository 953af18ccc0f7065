"""Text to syntax tree: the `Parser`, Lark's LALR parser (from shipped tables) with a post-lexer per parse.

The post-lexer is in lexer.py, the Transformer that builds the nodes in
transformer.py, and the messages of syntax errors in messages.py; this module
holds the `Parser` made of them and the entry points `parse` and `parse_ref`.

A `Parser` is built once per process (`get_parser`) and never written
afterwards: Lark's tables, its contextual lexer and the tree builder only
read the text they are given (Lark compiles each lexer state's regular
expression on first use; two threads that race there compile the same one,
and since there are no lexer callbacks nothing is added to it afterwards).
What changes while a file is lexed -- the indentation stack, the comments --
belongs to the `Indenter` that each parse makes for itself, so any number of
threads parse at once, with no lock.

The parse is put together from Lark's parts (`Parser.tree`): its LALR
parser, and its contextual lexer under this parse's Indenter, in a
`LexerThread` of the parse's own.  `Lark.parse` would run the one post-lexer
Lark was built with; that is the stateless `lexer.Layout`, which refuses.
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from collections.abc import Iterator
from typing import Any, Callable

from lark import Lark, Token, Tree
from lark.exceptions import VisitError, UnexpectedInput, UnexpectedToken
from lark.lexer import Lexer, LexerState, LexerThread
from lark.parser_frontends import PostLexConnector

from . import nodes as n
from ..errors import Span, SyntaxError_
from .depth import TooDeep
from .lexer import Indenter, IndentationError_, Layout
from . import messages
from .messages import bad_literal, syntax_error, too_deep
from .tables import grammar_text
from .transformer import BadLiteral, ToAst
from .tree import Comment

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
        postlex=Layout(),  # stateless: a parse runs an Indenter of its own
        propagate_positions=_positioned,
        maybe_placeholders=True,
    )


class Parser:
    """The .reg parser: Lark's tables and lexer, only read once built; each parse lexes with its own Indenter."""

    def __init__(self, lark: Lark) -> None:
        self.lark = lark
        # Lark's parts under its `parse`: the LALR parser, and the contextual lexer under the
        # stand-in post-lexer (Layout) it was given.  `tree` puts them together per parse.
        frontend = lark.parser
        if not isinstance(frontend.lexer, PostLexConnector):
            raise TypeError("the parser was not built with parser_options()")
        self._lalr = frontend.parser
        self._lexer = frontend.lexer.lexer

    def tree(self, text: str, start: str,
             on_error: Callable[[UnexpectedInput], bool] | None = None) -> tuple[Tree, tuple[Comment, ...]]:
        """Lark's tree of `text` from the rule `start`, and the comments in it; raises what Lark raises."""
        indenter = Indenter(text)
        thread = LexerThread.from_text(_FileLexer(self._lexer, indenter), text)
        tree = self._lalr.parse(thread, start, on_error)
        return tree, indenter.comments()

    def parse(self, text: str, file: str = "<string>") -> n.Module:
        """Parse one .reg file's text; raises SyntaxError_ with a position."""
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        ends_with_newline = text.endswith("\n")
        if not ends_with_newline:
            text += "\n"
        try:
            tree, comments = self.tree(text, "start", on_error=_keyword_as_name)
        except (UnexpectedInput, IndentationError_) as err:
            raise syntax_error(err, file, text, self.lark, self.hint(err), ends_with_newline) from None
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

    def parse_ref(self, text: str, file: str = "<reference>") -> n.Ref:
        """Parse a reference written on its own, such as `article 20 paragraph 2`."""
        try:
            tree, _ = self.tree(text.strip(), "ref")
        except (UnexpectedInput, IndentationError_):
            raise SyntaxError_(f"`{text}` is not a reference such as \"article 20 paragraph 2\"",
                               Span(file, 1, 1), code="E101") from None
        return ToAst(file).transform(tree)

    def hint(self, err: Exception) -> str | None:
        """The hint of the common mistake that left the parser where `err` stopped it, if it is one."""
        if not isinstance(err, UnexpectedToken) or err.interactive_parser is None:
            return None
        key = (err.interactive_parser.parser_state.position, err.token.type)
        return self._example_states.get(key)

    @cached_property
    def _example_states(self) -> dict[tuple[int, str], str]:
        """(parser state, unexpected token type) of each common mistake -> its hint.

        Lark's match_examples also compares the depth of the parser's stack,
        which depends on what comes before the mistake (a book header, earlier
        articles), so its hints rarely fire in a real book.  The state alone
        and the kind of token are what identify the mistake.  Found on the
        first syntax error; two threads may both find them, alike.
        """
        found: dict[tuple[int, str], str] = {}
        for hint, examples in messages.EXAMPLES.items():
            for example in examples:
                try:
                    self.tree(example, "start")
                except UnexpectedToken as e:
                    found.setdefault((e.interactive_parser.parser_state.position, e.token.type), hint)
                except (UnexpectedInput, IndentationError_):
                    pass
        return found


class _FileLexer(Lexer):
    """The lexer of one parse: Lark's contextual lexer, shared, under this parse's Indenter."""

    def __init__(self, lexer: Lexer, indenter: Indenter) -> None:
        self.lexer = lexer
        self.indenter = indenter

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
        """The tokens from where `lexer_state` is; called again when parsing resumes after an error."""
        return self.indenter.process(self.lexer.lex(lexer_state, parser_state))


@lru_cache(maxsize=1)
def get_parser() -> Parser:
    """The parser, from the tables shipped with the package (see tables.py); built once, then shared."""
    from . import tables

    return Parser(tables.load(*parser_options()))


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


def parse(text: str, file: str = "<string>") -> n.Module:
    """Parse one .reg file's text; raises SyntaxError_ with a position."""
    return get_parser().parse(text, file)


def parse_ref(text: str, file: str = "<reference>") -> n.Ref:
    """Parse a reference written on its own, such as `article 20 paragraph 2`."""
    return get_parser().parse_ref(text, file)


from .treecache import parse_cached  # noqa: E402,F401 - its home until the parse cache had its own module
