"""Pygments lexer for regdsl ``.reg`` books.

The keywords come from `regdsl.syntax.keywords`, the one list of them: the VS
Code and Vim syntaxes in tools/ are written from it (`python -m tools.keywords`),
and tests/test_keywords_agree.py checks that all of them agree with
grammar/regdsl.lark.
"""

from __future__ import annotations

import re

from pygments.lexer import RegexLexer, bygroups, default, words
from pygments.token import (
    Comment,
    Keyword,
    Literal,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Whitespace,
)

from ..syntax.keywords import (
    CONSTANT_KEYWORDS,
    CONTROL_KEYWORDS,
    DECLARATION_KEYWORDS,
    KEYWORDS,
    OPERATOR_WORDS,
    OTHER_KEYWORDS,
    STRUCTURE_KEYWORDS,
)

__all__ = ["KEYWORDS", "RegdslLexer"]

NAME = r"[A-Za-z_][A-Za-z0-9_]*"
NUM = r"\d+(?:\.\d+)?"
WS = r"([ \t]+)"
NOT_KEYWORD = r"(?!(?:%s)\b)" % "|".join(KEYWORDS)


class RegdslLexer(RegexLexer):
    """Lexer for regdsl books: university regulations as code."""

    name = "regdsl"
    aliases = ["regdsl", "reg"]
    filenames = ["*.reg"]
    mimetypes = ["text/x-regdsl"]
    # Pygments' Windows-registry lexer also claims *.reg: outrank it when only
    # the file name is known; analyse_text decides when the content is.
    priority = 0.3

    tokens = {
        "root": [
            # Rule heads: "[however] name = ..." and "[however] name if ...".
            (rf"^([ \t]*)(?:(however){WS})?({NAME})(?=[ \t]*(?:=|if\b))",
             bygroups(Whitespace, Keyword, Whitespace, Name.Variable)),
            (r"\n", Whitespace),
            # `...` alone on a line: text left out of an example (in the docs), not an error.
            (r"^([ \t]*)(\.\.\.)([ \t]*)$", bygroups(Whitespace, Comment, Whitespace)),
            (r"[ \t]+", Whitespace),
            (r"#.*", Comment.Single),
            (r"(\|)(.*)", bygroups(Punctuation, String.Doc)),
            (r'"[^"\\\n]*"', String.Double),
            (r'"', String.Double, "string"),
            (r"\d{4}-\d{2}-\d{2}", Literal.Date),
            (r"\d{1,2}:\d{2}", Literal.Date),
            (rf"({NUM}){WS}{NOT_KEYWORD}({NAME})",
             bygroups(Number, Whitespace, Keyword.Type)),
            (NUM, Number),
            # Keywords that introduce a name.
            (rf"(fact|outcome|define|decision){WS}({NAME})",
             bygroups(Keyword.Declaration, Whitespace, Name.Function)),
            (rf"(body|table){WS}({NAME})",
             bygroups(Keyword.Declaration, Whitespace, Name.Class)),
            (rf"(unit){WS}({NAME})(?:([ \t]*)(,)([ \t]*)({NAME}))?",
             bygroups(Keyword.Declaration, Whitespace, Name.Class,
                      Whitespace, Punctuation, Whitespace, Name.Class)),
            (rf"(column){WS}({NAME})",
             bygroups(Keyword.Declaration, Whitespace, Name.Attribute)),
            (rf"(book){WS}({NAME})",
             bygroups(Keyword.Namespace, Whitespace, Name.Namespace)),
            (rf"(subitem){WS}({NAME})",
             bygroups(Keyword.Namespace, Whitespace, Name.Label)),
            (rf"(uses|applies){WS}({NAME})",
             bygroups(Keyword.Pseudo, Whitespace, Name.Namespace)),
            (rf"(part){WS}(of){WS}({NAME})",
             bygroups(Keyword.Namespace, Whitespace, Keyword.Pseudo,
                      Whitespace, Name.Class)),
            (rf"(by){WS}({NAME})",
             bygroups(Keyword.Pseudo, Whitespace, Name.Class)),
            (rf"(lookup){WS}({NAME}){WS}(in){WS}({NAME})",
             bygroups(Keyword.Pseudo, Whitespace, Name.Attribute, Whitespace,
                      Keyword.Pseudo, Whitespace, Name.Class)),
            (rf"(per){WS}({NAME})",
             bygroups(Keyword.Pseudo, Whitespace, Keyword.Type)),
            (r":", Punctuation, "type"),
            # Other keywords, by category.
            (words(STRUCTURE_KEYWORDS, suffix=r"\b"), Keyword.Namespace),
            (words(DECLARATION_KEYWORDS, suffix=r"\b"), Keyword.Declaration),
            (words(CONTROL_KEYWORDS, suffix=r"\b"), Keyword),
            (words(OPERATOR_WORDS, suffix=r"\b"), Operator.Word),
            (words(CONSTANT_KEYWORDS, suffix=r"\b"), Keyword.Constant),
            (words(OTHER_KEYWORDS, suffix=r"\b"), Keyword.Pseudo),
            (rf"{NAME}(?=[ \t]*\()", Name.Builtin),
            (NAME, Name),
            (r"<=|>=|[<>=+\-*/]", Operator),
            (r"[,()]", Punctuation),
        ],
        "string": [
            (r'[^"\\\n]+', String.Double),
            (r"\\.", String.Escape),
            (r'"', String.Double, "#pop"),
            default("#pop"),  # unterminated: stop at the end of the line
        ],
        # After "name :" in a declaration: "years", "credits per year",
        # "range of years", "one of a, b, c".
        "type": [
            (r"[ \t]+", Whitespace),
            (r"(one)([ \t]+)(of)\b",
             bygroups(Keyword.Pseudo, Whitespace, Keyword.Pseudo),
             ("#pop", "enum")),
            (words(("list", "of", "per", "range"), suffix=r"\b"), Keyword.Pseudo),
            (NOT_KEYWORD + NAME, Keyword.Type),
            default("#pop"),
        ],
        "enum": [
            (r"[ \t]+", Whitespace),
            (r",", Punctuation),
            (rf"(?!by\b){NAME}", Name.Constant),
            default("#pop"),
        ],
    }

    # Pygments wraps this in a static analyser (LexerMeta); it is called as `analyse_text(text)`.
    @staticmethod
    def analyse_text(text: str) -> float:
        """Recognise a book by its structure; Windows .reg files have none."""
        starts = ("book|section|part|articles?|supplementary|fact|outcome|define"
                  "|decision|body|table|unit")
        if re.search(rf"^[ \t]*(?:\||(?:{starts})[ \t]+\S)", text, re.MULTILINE):
            return 0.5
        return 0.0
