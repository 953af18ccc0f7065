"""Nothing runs that a book did not say: no eval/exec, no file access beyond the books."""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

import pytest

import regdsl
from conftest import ROOT

SOURCES = sorted((ROOT / "src" / "regdsl").rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT / "src" / "regdsl")))
def test_no_eval_or_exec_in_the_package(path):
    tree = ast.parse(path.read_text())
    calls = [n.func.id for n in ast.walk(tree)
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ("eval", "exec")]
    assert calls == []


def test_evaluation_opens_no_file(monkeypatch, tmp_path):
    book = regdsl.load(ROOT / "regulations" / "university")
    opened = []
    real_open = builtins.open

    def spy(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: opened.append(str(self)) or "")
    result = book.evaluate({"entry": "first_year", "years_enrolled": 9}, "2026-04-01")
    for o in result:
        o.citations, o.explanation  # provenance too
    assert opened == []
