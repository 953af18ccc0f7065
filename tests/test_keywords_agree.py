"""Every keyword of the grammar is a keyword in every highlighter, and no more.

A keyword added to grammar/regdsl.lark is added to `regdsl.syntax.keywords`, the one
list (the Pygments lexer and `regdsl init` import it); `python -m tools.keywords` then
writes it into the TextMate grammar (tools/vscode) and the Vim syntax (tools/vim).
These tests name what is missing where, and which editor file is out of date.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

from lark import Lark
from lark.lexer import PatternStr

ROOT = Path(__file__).resolve().parents[1]
if importlib.util.find_spec("regdsl") is None:  # not installed: use the checkout
    sys.path.insert(0, str(ROOT / "src"))

from regdsl.syntax.keywords import CATEGORIES, KEYWORDS  # noqa: E402

GRAMMAR = ROOT / "grammar" / "regdsl.lark"
TEXTMATE = ROOT / "tools" / "vscode" / "syntaxes" / "regdsl.tmLanguage.json"
VIM = ROOT / "tools" / "vim" / "syntax" / "regdsl.vim"

VIM_OPTIONS = {"contained", "transparent", "skipwhite", "skipnl", "skipempty", "conceal"}


def grammar_keywords(text: str) -> set[str]:
    """The words of the grammar's terminals: quoted literals like "part of" and
    regex terminals like /is[ \\t]+not\\b/, less character classes and escapes."""
    words: set[str] = set()
    for terminal in Lark(text, parser="earley", lexer="basic").terminals:
        pattern = terminal.pattern
        if isinstance(pattern, PatternStr):
            if re.fullmatch(r"[A-Za-z]+(?: [A-Za-z]+)*", pattern.value):
                words.update(pattern.value.split())
        else:
            literal = re.sub(r"\[(?:\\.|[^\]\\])*\]|\\.", " ", pattern.value)
            words.update(re.findall(r"[A-Za-z]+", literal))
    return words


def textmate_keywords(grammar: dict) -> set[str]:
    """The words of the \\b(?:a|b|c)\\b patterns under repository.keywords."""
    words: set[str] = set()
    for rule in grammar["repository"]["keywords"]["patterns"]:
        match = re.fullmatch(r"\\b\(\?:([A-Za-z|]+)\)\\b", rule["match"])
        if match is None:
            raise ValueError(f"keep keyword patterns in the form \\b(?:a|b|c)\\b: {rule['match']}")
        words.update(match.group(1).split("|"))
    return words


def vim_keywords(text: str) -> set[str]:
    """The words of the `syn keyword` lines, except contained ones (like TODO)."""
    words: set[str] = set()
    for line in text.splitlines():
        match = re.match(r"\s*sy(?:n(?:tax)?)?\s+keyword\s+\S+\s+(.*)", line)
        fields = match.group(1).split() if match else []
        if "contained" not in fields:
            words.update(w for w in fields if w not in VIM_OPTIONS and "=" not in w)
    return words


def disagreements(reference: tuple[str, set[str]], others: dict[str, set[str]]) -> list[str]:
    """One line per source that lacks a reference keyword or has an extra one."""
    ref_name, ref_words = reference
    problems = []
    for name, words in others.items():
        if missing := sorted(ref_words - words):
            problems.append(f"{name} lacks keywords of {ref_name}: {', '.join(missing)}")
        if extra := sorted(words - ref_words):
            problems.append(f"{name} has non-keywords of {ref_name}: {', '.join(extra)}")
    return problems


def test_keywords_agree_across_grammar_and_highlighters() -> None:
    grammar = grammar_keywords(GRAMMAR.read_text("utf-8"))
    assert {"is", "not", "least", "part", "administered", "of"} <= grammar  # extraction works
    others = {
        "regdsl.syntax.keywords.KEYWORDS": set(KEYWORDS),
        "tools/vscode/syntaxes/regdsl.tmLanguage.json":
            textmate_keywords(json.loads(TEXTMATE.read_text("utf-8"))),
        "tools/vim/syntax/regdsl.vim": vim_keywords(VIM.read_text("utf-8")),
    }
    problems = disagreements(("grammar/regdsl.lark", grammar), others)
    assert not problems, "\n".join(problems)


def test_each_keyword_is_in_one_category() -> None:
    every = [w for words in CATEGORIES.values() for w in words]
    assert sorted(every) == sorted(set(every)) == list(KEYWORDS)


def test_the_pygments_lexer_uses_the_one_list() -> None:
    from regdsl.authoring import highlight

    assert highlight.KEYWORDS is KEYWORDS
    assert highlight.OPERATOR_WORDS is CATEGORIES["operator"]


def test_editor_syntaxes_are_as_tools_keywords_writes_them() -> None:
    """`python -m tools.keywords` rewrites both lists; run it after changing the keywords."""
    sys.path.insert(0, str(ROOT))
    try:
        from tools import keywords as tool
    finally:
        sys.path.remove(str(ROOT))
    for path, write in ((TEXTMATE, tool.textmate), (VIM, tool.vim)):
        text = path.read_text("utf-8")
        assert write(text) == text, f"{path.relative_to(ROOT)} is out of date: run python -m tools.keywords"


def test_tools_keywords_writes_what_the_categories_say(tmp_path) -> None:
    sys.path.insert(0, str(ROOT))
    try:
        from tools import keywords as tool
    finally:
        sys.path.remove(str(ROOT))
    stale = VIM.read_text("utf-8").replace("syn keyword regdslConstant     false none true",
                                           "syn keyword regdslConstant     false true")
    assert "none" not in vim_keywords(stale)
    assert vim_keywords(tool.vim(stale)) == set(KEYWORDS)
    grammar = json.loads(TEXTMATE.read_text("utf-8"))
    grammar["repository"]["keywords"]["patterns"] = grammar["repository"]["keywords"]["patterns"][:2]
    assert textmate_keywords(json.loads(tool.textmate(json.dumps(grammar)))) == set(KEYWORDS)
