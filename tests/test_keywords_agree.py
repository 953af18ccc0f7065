"""Every keyword of the grammar is a keyword in every highlighter, and no more.

A keyword added to grammar/regdsl.lark must be added to the Pygments lexer
(src/regdsl/authoring/highlight.py), the TextMate grammar (tools/vscode) and the Vim
syntax (tools/vim); this test names what is missing where.
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

from regdsl.authoring.highlight import KEYWORDS  # noqa: E402

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
        "regdsl.authoring.highlight.KEYWORDS": set(KEYWORDS),
        "tools/vscode/syntaxes/regdsl.tmLanguage.json":
            textmate_keywords(json.loads(TEXTMATE.read_text("utf-8"))),
        "tools/vim/syntax/regdsl.vim": vim_keywords(VIM.read_text("utf-8")),
    }
    problems = disagreements(("grammar/regdsl.lark", grammar), others)
    assert not problems, "\n".join(problems)
