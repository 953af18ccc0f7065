"""The documentation site builds cleanly (`mkdocs build --strict`) and highlights .reg code."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT


def test_mkdocs_builds_strict_and_highlights_regdsl(tmp_path):
    pytest.importorskip("mkdocs", reason="mkdocs is installed with the test extras")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "language" / "index.html").read_text()
    # `article` in a ```regdsl block is a keyword token of our Pygments lexer
    assert '<span class="k' in page and ">article</span>" in page


def test_every_docs_page_is_in_the_nav():
    nav = (ROOT / "mkdocs.yml").read_text()
    pages = sorted(p.name for p in (ROOT / "docs").glob("*.md"))
    assert [p for p in pages if p not in nav] == []
