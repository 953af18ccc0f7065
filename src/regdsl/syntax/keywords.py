"""The keywords of the language: one list, read by the Pygments lexer and `regdsl init`, and
written into the VS Code and Vim syntaxes by `python -m tools.keywords`.

tests/test_keywords_agree.py checks that it names exactly the words of the grammar's
terminals (grammar/regdsl.lark) and that the editor syntaxes are as the tool writes them.
"""

from __future__ import annotations

# Keyword categories; every keyword is in exactly one of them.
STRUCTURE_KEYWORDS = (
    "article", "articles", "book", "deleted", "item", "items", "paragraph",
    "paragraphs", "part", "provisions", "section", "subitem", "supplementary",
)
DECLARATION_KEYWORDS = (
    "body", "column", "decision", "define", "duties", "fact", "outcome", "row",
    "table", "total", "unit",
)
CONTROL_KEYWORDS = (
    "else", "however", "if", "notwithstanding", "overrides", "then", "unless",
    "when",
)
OPERATOR_WORDS = (
    "and", "at", "exceeds", "is", "least", "less", "more", "most", "not", "or",
    "than",
)
CONSTANT_KEYWORDS = ("false", "none", "true")
OTHER_KEYWORDS = (
    "administered", "affects", "after", "all", "amended", "amendment", "any",
    "applies", "applying", "approval", "as", "before", "by", "cited", "delegated",
    "effect", "established", "except", "following", "for", "force", "from", "in",
    "list", "lookup", "mutandis", "mutatis", "of", "one", "per", "preceding",
    "range", "reading", "refers", "takes", "the", "this", "to", "until", "upon",
    "uses", "whole",
)

KEYWORDS = tuple(sorted(
    STRUCTURE_KEYWORDS + DECLARATION_KEYWORDS + CONTROL_KEYWORDS
    + OPERATOR_WORDS + CONSTANT_KEYWORDS + OTHER_KEYWORDS
))

# Category -> its keywords, in the order the highlighters try them.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "structure": STRUCTURE_KEYWORDS,
    "declaration": DECLARATION_KEYWORDS,
    "control": CONTROL_KEYWORDS,
    "operator": OPERATOR_WORDS,
    "constant": CONSTANT_KEYWORDS,
    "other": OTHER_KEYWORDS,
}
