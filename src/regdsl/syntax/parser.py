"""Text to syntax tree: the Lark LALR parser (from shipped tables) and the tree transformer."""

from __future__ import annotations

import datetime as dt
import re
import threading
from functools import lru_cache

from lark import Lark, Token, v_args
from lark.visitors import Transformer_NonRecursive
from lark.exceptions import VisitError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from . import nodes as n
from ..core.limits import MAX_NESTING
from ..errors import Span, SyntaxError_, split_lines
from .depth import Nesting, TooDeep
from .lexer import Indenter, IndentationError_
from .slips import misspelt_keyword, unclosed_quote
from .tables import grammar_text


_comments: list[n.Comment] = []
_lock = threading.Lock()


def _on_comment(tok: Token) -> Token:
    _comments.append(n.Comment(tok.value, tok.line, tok.column, own_line=False))
    return tok


def _on_newline(tok: Token) -> Token:
    # Comment-only lines are swallowed by the newline token; recover them.
    line = tok.line
    for i, chunk in enumerate(tok.value.split("\n")):
        stripped = chunk.lstrip(" \t\r")
        if i and stripped.startswith("#"):
            col = len(chunk) - len(stripped) + 1
            _comments.append(n.Comment(stripped.rstrip("\r"), line + i, col, own_line=True))
    return tok


class _Positioned:
    """Layout tokens do not stretch a node's span onto the next line.

    A class with a fixed `repr()` rather than a function, so that the
    parser's options print the same in every process.
    """

    def __call__(self, node) -> bool:
        return not (isinstance(node, Token) and node.type in ("_NL", "_INDENT", "_DEDENT"))

    def __repr__(self) -> str:
        return "regdsl.syntax.parser._Positioned"


_positioned = _Positioned()


_INDENTER = Indenter()


def parser_options() -> tuple[str, dict]:
    """The grammar's text and the options the parser is built with."""
    return grammar_text(), dict(
        start=["start", "ref"],
        parser="lalr",
        lexer="contextual",
        postlex=_INDENTER,
        propagate_positions=_positioned,
        maybe_placeholders=True,
        lexer_callbacks={"COMMENT": _on_comment, "_NL": _on_newline, "_CONTINUATION": _on_newline},
    )


@lru_cache(maxsize=1)
def get_parser() -> Lark:
    """The LALR parser, from the tables shipped with the package (see tables.py)."""
    from . import tables

    return tables.load(*parser_options())


# ------------------------------------------------------------------ errors

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

# Common mistakes, recognised by the parser state they leave (see _example_states).
_EXAMPLES: dict[str, list[str]] = {
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
    for hint, examples in _EXAMPLES.items():
        for example in examples:
            _INDENTER.reset()
            try:
                parser.parse(example, start="start")
            except UnexpectedToken as e:
                found.setdefault((e.interactive_parser.parser_state.position, e.token.type), hint)
            except (UnexpectedInput, IndentationError_):
                pass
    return found


def _hint(err: UnexpectedInput) -> str | None:
    if not isinstance(err, UnexpectedToken) or err.interactive_parser is None:
        return None
    key = (err.interactive_parser.parser_state.position, err.token.type)
    return _example_states().get(key)


def _expected_words(expected: set[str], parser: Lark) -> list[str]:
    words = set()
    for name in expected:
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


def _syntax_error(err: Exception, file: str, text: str, parser: Lark,
                  ends_with_newline: bool = True) -> SyntaxError_:
    lines = split_lines(text)

    def line_of(no: int) -> str | None:
        return lines[no - 1] if 0 < no <= len(lines) else None

    if isinstance(err, IndentationError_):
        tok = err.token
        line, col = tok.line or 1, tok.column or 1
        end = tok.end_column if err.code == "E106" and tok.end_line == line else 0  # the whole number
        return SyntaxError_(str(err), Span(file, line, col, line if end else 0, end or 0), code=err.code,
                            hint=err.hint, source_line=line_of(line))

    hint = None
    if isinstance(err, UnexpectedInput):
        hint = _hint(err)
    if isinstance(err, UnexpectedCharacters):
        line, col = err.line, err.column
        ch = text[err.pos_in_stream] if err.pos_in_stream < len(text) else ""
        if ch == '"':
            unclosed = unclosed_quote(text, err.pos_in_stream, file, line, col, line_of(line) or "")
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


# ------------------------------------------------------------------ transformer


class _BadLiteral(Exception):
    """A literal that matches its token's pattern but is not a real value (2025-02-30)."""

    def __init__(self, token: Token, message: str):
        super().__init__(message)
        self.token = token


def _date(tok: Token) -> dt.date:
    try:
        return dt.date.fromisoformat(str(tok))
    except ValueError:
        raise _BadLiteral(tok, f"{tok} is not a valid date") from None


def _unquote(tok: Token) -> str:
    s = str(tok)[1:-1]
    return s.replace('\\"', '"').replace("\\\\", "\\") if "\\" in s else s


_COMPARE = {
    "COMP": None,
    "IS": ("is", ""),
    "IS_NOT": ("isnot", ""),
    "AT_LEAST": (">=", "is at least"),
    "AT_MOST": ("<=", "is at most"),
    "MORE_THAN": (">", "is more than"),
    "LESS_THAN": ("<", "is less than"),
    "EXCEEDS": (">", "exceeds"),
}


def _strings(items) -> str:
    return " ".join(_unquote(t) for t in items if isinstance(t, Token) and t.type == "STRING")


def _tokens(items, type_: str) -> list[Token]:
    return [t for t in items if isinstance(t, Token) and t.type == type_]


def _nodes(items) -> tuple:
    return tuple(i for i in items if i is not None and not isinstance(i, Token))


@v_args(meta=True)
class ToAst(Transformer_NonRecursive):
    """Builds the attrs syntax tree, giving every node its source span.

    Without recursion (a chain of a thousand `+` is a thousand levels of
    tree); the nesting of expressions and types is measured on the way up and
    refused past limits.MAX_NESTING, so no later pass needs a deep stack.
    """

    def __init__(self, file: str):
        super().__init__()
        self.file = file
        self.nesting = Nesting()

    def _span(self, meta) -> Span | None:
        if getattr(meta, "empty", True):
            return None
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    # ---- structure
    def start(self, meta, items):
        return n.Module(self.file, _nodes(items))

    def book(self, meta, items):
        name, title = items[0], items[1]
        return n.BookHeader(str(name), _unquote(title), _nodes(items[2:]), span=self._span(meta))

    def established(self, meta, items):
        return n.Established(_date(items[0]), span=self._span(meta))

    def amended(self, meta, items):
        note = _unquote(items[1]) if len(items) > 1 and items[1] is not None else None
        return n.Amended(_date(items[0]), note, span=self._span(meta))

    def in_force(self, meta, items):
        return n.InForce(_date(items[0]), span=self._span(meta))

    def uses(self, meta, items):
        return n.Uses(str(items[0]), _unquote(items[1]), span=self._span(meta))

    def cited_as(self, meta, items):
        return n.CitedAs(_unquote(items[0]), span=self._span(meta))

    def section(self, meta, items):
        return n.Section(str(items[0]), _unquote(items[1]), _nodes(items[2:]), span=self._span(meta))

    def part(self, meta, items):
        return n.Part(str(items[0]), _unquote(items[1]), span=self._span(meta))

    def article(self, meta, items):
        number, title, validity, *body = items
        return n.Article(str(number), _unquote(title), validity, _nodes(body), span=self._span(meta))

    def deleted_one(self, meta, items):
        return n.Deleted(str(items[0]), span=self._span(meta))

    def deleted_run(self, meta, items):
        return n.Deleted(str(items[0]), str(items[1]), span=self._span(meta))

    def deleted_paragraph(self, meta, items):
        return n.Deleted(str(items[0]), kind="paragraph", span=self._span(meta))

    def deleted_item(self, meta, items):
        return n.Deleted(str(items[0]), kind="item", span=self._span(meta))

    def valid_from(self, meta, items):
        end = _date(items[1]) if len(items) > 1 and items[1] is not None else None
        return n.Validity(_date(items[0]), end, span=self._span(meta))

    def valid_until(self, meta, items):
        return n.Validity(None, _date(items[0]), span=self._span(meta))

    def supplementary(self, meta, items):
        title = _unquote(items[0]) if items and items[0] is not None else None
        return n.Supplementary(title, _nodes(items[1:]), span=self._span(meta))

    def paragraph(self, meta, items):
        number, validity, *body = items
        return n.Paragraph(str(number), validity, _nodes(body), span=self._span(meta))

    def item(self, meta, items):
        return n.Item(str(items[0]), _nodes(items[1:]), span=self._span(meta))

    def subitem(self, meta, items):
        return n.SubItem(str(items[0]), _nodes(items[1:]), span=self._span(meta))

    def text(self, meta, items):
        raw = str(items[0])[1:]
        if raw.startswith(" "):
            raw = raw[1:]
        return n.Text(raw.rstrip(), span=self._span(meta))

    def condition(self, meta, items):
        return n.Condition(items[0], span=self._span(meta))

    # ---- rules
    def _rule(self, meta, items, kind):
        however, name, expr, *clauses = items
        when, unless, exc, as_of = [], [], [], None
        for c in clauses:
            if c is None:
                continue
            if isinstance(c, n.ExceptionClause):
                exc.append(c)
            elif c[0] == "when":
                when.append(c[1])
            elif c[0] == "as_of":
                if as_of is not None:
                    raise _BadLiteral(c[2], "a rule is stated as of one date; this is a second `as of`")
                as_of = c[1]
            else:
                unless.append(c[1])
        return n.Rule(str(name), kind, expr, however is not None, tuple(when), tuple(unless),
                      tuple(exc), as_of, span=self._span(meta))

    def value_rule(self, meta, items):
        return self._rule(meta, items, "=")

    def if_rule(self, meta, items):
        return self._rule(meta, items, "if")

    def when_clause(self, meta, items):
        return ("when", items[0])

    def unless_clause(self, meta, items):
        return ("unless", items[0])

    def as_of_clause(self, meta, items):
        return ("as_of", _date(items[0]), items[0])

    def exception_clause(self, meta, items):
        return n.ExceptionClause(str(items[0]).lower(), items[1], span=self._span(meta))

    def delegated(self, meta, items):
        names = tuple(str(t) for t in _tokens(items, "NAME"))
        note = _strings(items) or None
        return n.Delegated(names, note, span=self._span(meta))

    def refers(self, meta, items):
        return n.Refers(_nodes(items), span=self._span(meta))

    def applies(self, meta, items):
        return n.Applies(str(items[0]), _nodes(items[1:]), span=self._span(meta))

    def reading(self, meta, items):
        def one(x):
            if isinstance(x, Token):
                return _unquote(x) if x.type == "STRING" else str(x)
            return x

        return n.Reading(one(items[0]), one(items[1]), span=self._span(meta))

    def except_(self, meta, items):
        return n.ExceptRefs(_nodes(items), span=self._span(meta))

    def amendment(self, meta, items):
        dates = _tokens(items, "DATE")
        return n.Amendment(_unquote(items[0]), _date(dates[0]) if dates else None, _nodes(items[1:]),
                           span=self._span(meta))

    def not_applying(self, meta, items):
        return n.NotApplying(items[0], span=self._span(meta))

    def affects(self, meta, items):
        return n.Affects(_nodes(items), span=self._span(meta))

    # ---- declarations
    def _decl(self, cls, meta, items):
        return cls(str(items[0]), items[1], _strings(items[2:]), span=self._span(meta))

    def fact(self, meta, items):
        bounds = tuple(i for i in items[2:] if isinstance(i, n.Bound))
        return n.Fact(str(items[0]), items[1], _strings(items[2:]), bounds, span=self._span(meta))

    def at_least(self, meta, items):
        return n.Bound("at least", items[0], span=self._span(meta))

    def at_most(self, meta, items):
        return n.Bound("at most", items[0], span=self._span(meta))

    def whole(self, meta, items):
        return n.Bound("whole", span=self._span(meta))

    def after(self, meta, items):
        return n.Bound("after", items[0], span=self._span(meta))

    def before(self, meta, items):
        return n.Bound("before", items[0], span=self._span(meta))

    def outcome(self, meta, items):
        return self._decl(n.Outcome, meta, items)

    def define(self, meta, items):
        return self._decl(n.Define, meta, items)

    def decision(self, meta, items):
        name = str(items[0])
        type_ = items[1]
        bodies = tuple(str(t) for t in _tokens(items[2:], "NAME"))
        return n.Decision(name, type_, bodies, _strings(items[2:]), span=self._span(meta))

    def body(self, meta, items):
        return n.Body(str(items[0]), _unquote(items[1]), _nodes(items[2:]), span=self._span(meta))

    def relation(self, meta, items):
        kind = " ".join(str(items[0]).split())
        return n.Relation(kind, str(items[1]), span=self._span(meta))

    def duties(self, meta, items):
        title = _unquote(items[0]) if items and items[0] is not None else None
        return n.Duties(title, _nodes(items[1:]), span=self._span(meta))

    def unit(self, meta, items):
        singular, plural, factor, base = (list(items) + [None] * 4)[:4]
        s = lambda t: str(t) if t is not None else None  # noqa: E731
        return n.Unit(str(singular), s(plural), s(factor), s(base), span=self._span(meta))

    def simple_type(self, meta, items):
        return n.SimpleType(str(items[0]), span=self._span(meta))

    def per_type(self, meta, items):
        return n.PerType(str(items[0]), str(items[1]), span=self._span(meta))

    def enum_type(self, meta, items):
        return n.EnumType(tuple(str(t) for t in items if t is not None), span=self._span(meta))

    def range_type(self, meta, items):
        return self.nesting.node(n.RangeType(items[0], span=self._span(meta)), items[0])

    def list_type(self, meta, items):
        return self.nesting.node(n.ListType(items[0], span=self._span(meta)), items[0])

    # ---- tables
    def table(self, meta, items):
        title = _unquote(items[1]) if items[1] is not None else None
        return n.Table(str(items[0]), title, _nodes(items[2:]), span=self._span(meta))

    def column(self, meta, items):
        return self._decl(n.Column, meta, items)

    def row(self, meta, items):
        return n.Row(_nodes(items), span=self._span(meta))

    def total(self, meta, items):
        return n.Row(_nodes(items), total=True, span=self._span(meta))

    def figure(self, meta, items):
        return n.AsOf(_date(items[0]), span=self._span(meta))

    def cell(self, meta, items):
        return n.Cell(items[0], span=self._span(meta))

    def range_cell(self, meta, items):
        return n.Cell(items[0], items[1], span=self._span(meta))

    def empty_cell(self, meta, items):
        return n.Cell(None, span=self._span(meta))

    # ---- literals
    def number(self, meta, items):
        return n.Number(str(items[0]), span=self._span(meta))

    def quantity(self, meta, items):
        return n.Quantity(str(items[0]), str(items[1]), span=self._span(meta))

    def quantity_per(self, meta, items):
        return n.Quantity(str(items[0]), str(items[1]), str(items[2]), span=self._span(meta))

    def string(self, meta, items):
        return n.String(_unquote(items[0]), span=self._span(meta))

    def date(self, meta, items):
        return n.DateLit(_date(items[0]), span=self._span(meta))

    def time(self, meta, items):
        h, m = str(items[0]).split(":")
        try:
            return n.TimeLit(dt.time(int(h), int(m)), span=self._span(meta))
        except ValueError:
            raise _BadLiteral(items[0], f"{items[0]} is not a valid time of day") from None

    def true(self, meta, items):
        return n.Bool(True, span=self._span(meta))

    def false(self, meta, items):
        return n.Bool(False, span=self._span(meta))

    def name(self, meta, items):
        return n.Name(str(items[0]), span=self._span(meta))

    # ---- expressions
    def if_expr(self, meta, items):
        return self.nesting.node(n.IfExpr(items[0], items[1], items[2], span=self._span(meta)), *items)

    def _binary(op):  # noqa: N805
        def f(self, meta, items):
            return self.nesting.binary(n.Binary(op, items[0], items[1], span=self._span(meta)),
                                       op, items[0], items[1])

        return f

    or_ = _binary("or")
    and_ = _binary("and")
    add = _binary("+")
    sub = _binary("-")
    mul = _binary("*")
    div = _binary("/")

    def not_(self, meta, items):
        return self.nesting.node(n.Not(items[0], span=self._span(meta)), items[0])

    def neg(self, meta, items):
        return self.nesting.node(n.Neg(items[0], span=self._span(meta)), items[0])

    def compare(self, meta, items):
        left, op, right = items
        mapped = _COMPARE.get(op.type)
        if mapped is None:
            node = n.Compare(str(op), left, right, span=self._span(meta))
        else:
            node = n.Compare(mapped[0], left, right, mapped[1], span=self._span(meta))
        return self.nesting.node(node, left, right)

    def one_of(self, meta, items):
        names = tuple(str(t) for t in _tokens(items[1:], "NAME"))
        return self.nesting.node(n.OneOf(items[0], names, span=self._span(meta)), items[0])

    def not_one_of(self, meta, items):
        names = tuple(str(t) for t in _tokens(items[1:], "NAME"))
        return self.nesting.node(n.OneOf(items[0], names, True, span=self._span(meta)), items[0])

    def qualified(self, meta, items):
        return n.Qualified(str(items[0]), items[1], span=self._span(meta))

    def call(self, meta, items):
        args = _nodes(items[1:])
        return self.nesting.node(n.Call(str(items[0]), args, span=self._span(meta)), *args)

    def any_of(self, meta, items):
        return n.AnyOf(items[0], span=self._span(meta))

    def all_of(self, meta, items):
        return n.AllOf(items[0], span=self._span(meta))

    def lookup(self, meta, items):
        return self.nesting.node(n.Lookup(str(items[0]), str(items[1]), items[2], span=self._span(meta)),
                                 items[2])

    # ---- references
    def ref(self, meta, items):
        book = None
        groups = []
        for it in items:
            if isinstance(it, Token):
                book = str(it)
            elif it is not None:
                groups.append(it)
        return n.Ref(tuple(groups), book, span=self._span(meta))

    def ref_group(self, meta, items):
        return tuple(items)

    def kind(self, meta, items):
        return str(items[0])

    def _sel(kind):  # noqa: N805
        def f(self, meta, items):
            return n.Selector(kind, (str(items[0]),), span=self._span(meta))

        return f

    sel_article = _sel("article")
    sel_section = _sel("section")
    sel_paragraph = _sel("paragraph")
    sel_item = _sel("item")
    sel_subitem = _sel("subitem")

    def _sel_many(kind):  # noqa: N805
        def f(self, meta, items):
            numbers, through = items[0]
            return n.Selector(kind, numbers, through=through, span=self._span(meta))

        return f

    sel_articles = _sel_many("article")
    sel_paragraphs = _sel_many("paragraph")
    sel_items = _sel_many("item")

    def _sel_rel(kind):  # noqa: N805
        def f(self, meta, items):
            return n.Selector(kind, target=items[0], span=self._span(meta))

        return f

    sel_preceding = _sel_rel("preceding")
    sel_following = _sel_rel("following")
    sel_this = _sel_rel("this")

    def sel_the_items(self, meta, items):
        return n.Selector("items_here", span=self._span(meta))

    def sel_supplementary(self, meta, items):
        return n.Selector("supplementary", span=self._span(meta))

    def num_and(self, meta, items):
        return tuple(str(t) for t in _tokens(items, "NUM")), None

    def num_range(self, meta, items):
        return (str(items[0]),), str(items[1])

    def num_one(self, meta, items):
        return (str(items[0]),), None


def parse(text: str, file: str = "<string>") -> n.Module:
    """Parse one .reg file's text; raises SyntaxError_ with a position."""
    parser = get_parser()
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    ends_with_newline = text.endswith("\n")
    if not ends_with_newline:
        text += "\n"
    with _lock:
        _comments.clear()
        _INDENTER.reset()
        _INDENTER.text = text
        try:
            tree = parser.parse(text, start="start", on_error=_keyword_as_name)
        except (UnexpectedInput, IndentationError_) as err:
            raise _syntax_error(err, file, text, parser, ends_with_newline) from None
        comments = tuple(sorted(set(_comments), key=lambda c: (c.line, c.column)))
        _comments.clear()
    try:
        module = ToAst(file).transform(tree)
    except VisitError as err:
        bad = err.orig_exc
        if isinstance(bad, SyntaxError_):
            raise bad from None
        if isinstance(bad, _BadLiteral):
            tok = bad.token
            raise SyntaxError_(str(bad), Span(file, tok.line, tok.column, tok.line, tok.end_column or tok.column),
                               code="E101", source_line=_line_of(text, tok.line)) from None
        if isinstance(bad, TooDeep):
            raise _too_deep(bad.node, file, text) from None
        raise
    return n.Module(module.file, module.items, comments)


def _line_of(text: str, line: int) -> str | None:
    lines = split_lines(text)
    return lines[line - 1] if 0 < line <= len(lines) else None


def _too_deep(node, file: str, text: str) -> SyntaxError_:
    """E108 for an expression or type nested deeper than the limit, at the part that is."""
    span = node.span or Span(file, 1, 1)
    what = "type" if isinstance(node, (n.RangeType, n.ListType)) else "expression"
    return SyntaxError_(f"this {what} is nested more than {MAX_NESTING} levels deep",
                        Span(file, span.line, span.column), code="E108",
                        hint="compute a part of it in a definition of its own (`define ...`)",
                        source_line=_line_of(text, span.line))


def parse_ref(text: str, file: str = "<reference>") -> n.Ref:
    """Parse a reference written on its own, such as `article 20 paragraph 2`."""
    parser = get_parser()
    with _lock:
        _comments.clear()
        _INDENTER.reset()
        try:
            tree = parser.parse(text.strip(), start="ref")
        except (UnexpectedInput, IndentationError_):
            raise SyntaxError_(f"`{text}` is not a reference such as \"article 20 paragraph 2\"",
                               Span(file, 1, 1), code="E101") from None
        finally:
            _comments.clear()
    return ToAst(file).transform(tree)


from .treecache import parse_cached  # noqa: E402,F401 - its home until the parse cache had its own module
