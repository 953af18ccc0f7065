"""Parsing on after a syntax error (syntax/recover.py): what is kept, what is set aside."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REGULATIONS
from regdsl.errors import SyntaxError_
from regdsl.syntax import nodes as n
from regdsl.syntax.parser import parse
from regdsl.core.limits import MAX_SYNTAX_ERRORS
from regdsl.syntax import recover as recovery
from regdsl.syntax.recover import parse_recovering

LEAVE = REGULATIONS / "university" / "26-part6-leave.reg"


def recover(text: str):
    try:
        parse(text, "f.reg")
    except SyntaxError_ as e:
        return parse_recovering(text, "f.reg", e)
    raise AssertionError("the text parses")


def articles(module: n.Module | None) -> list[str]:
    return [a.number for a in (module.items if module else ()) if isinstance(a, n.Article)]


def test_a_broken_paragraph_is_set_aside_and_its_declarations_are_the_damage():
    text = LEAVE.read_text().replace("\n  paragraph 3\n", "\n  paragrph 3\n", 1)
    r = recover(text)
    assert [e.span.line for e in r.errors] == [62]
    assert articles(r.module) == articles(parse(LEAVE.read_text(), "f.reg"))
    assert {"years_enrolled", "years_counted_toward_limit", "years_counted_toward_program"} <= r.damage.names
    assert ("paragraph", "3") in r.damage.numbers and "38" in r.damage.articles


def test_a_heading_left_without_its_block_is_set_aside_with_it():
    text = 'book b "B"\n\narticle 1 "A"\n  | x\n\narticle 2 "B"\n  fcat x : boolean\n\narticle 3 "C"\n  | z\n'
    r = recover(text)
    assert [(e.span.line, e.hint) for e in r.errors] == [(7, "did you mean `fact`?")]
    assert articles(r.module) == ["1", "3"]
    assert "x" in r.damage.names and "2" in r.damage.articles


def test_every_slip_is_reported_up_to_the_limit():
    body = "".join(f'article {i} "A"\n  | x\n  outcom o{i} : boolean\n\n' for i in range(1, 15))
    r = recover('book b "B"\n\n' + body)
    assert len(r.errors) == MAX_SYNTAX_ERRORS
    assert all(e.hint == "did you mean `outcome`?" for e in r.errors)


_LINES = LEAVE.read_text().split("\n")


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(_LINES) - 1), st.sampled_from(['"', "  ", "%", "paragrph 9", "= ="]))
def test_recovery_keeps_to_the_file(line: int, inserted: str):
    """Whatever one line gets, recovery reports errors inside the file and keeps only articles it has."""
    lines = list(_LINES)
    lines[line] = lines[line][: len(lines[line]) // 2] + inserted + lines[line][len(lines[line]) // 2:]
    text = "\n".join(lines)
    try:
        module = parse(text, "f.reg")
    except SyntaxError_ as e:
        r = parse_recovering(text, "f.reg", e)
        assert 1 <= len(r.errors) <= MAX_SYNTAX_ERRORS
        assert all(isinstance(x, SyntaxError_) and 1 <= x.span.line <= len(lines) + 1 for x in r.errors)
        assert set(articles(r.module)) <= set(articles(parse(LEAVE.read_text(), "f.reg")))
    else:
        assert module is not None


@pytest.mark.parametrize("text", ['book b "B"\n"\n', "%%%\n", 'article 1 "A"\n'])
def test_nothing_to_keep(text: str):
    r = recover(text)
    assert r.errors and all(isinstance(e, SyntaxError_) for e in r.errors)


@pytest.mark.parametrize("over", [False, True])
def test_a_file_over_the_size_limit_reports_its_first_error_only(over: bool, monkeypatch):
    text = 'book b "B"\n\narticle 1 "A"\n  | x\n  outcom a : boolean\n\narticle 2 "B"\n  | y\n  outcom b : boolean\n'
    monkeypatch.setattr(recovery, "MAX_RECOVER_BYTES", len(text) - 1 if over else len(text))
    r = recover(text)
    assert [e.span.line for e in r.errors] == ([5] if over else [5, 9])
    assert r.module is None if over else articles(r.module) == ["1", "2"]
