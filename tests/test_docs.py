"""The documentation site builds cleanly (`mkdocs build --strict`), colours .reg code with regdsl's
own Pygments lexer and a stylesheet it ships, loads nothing from a CDN, and shows no raw links."""

from __future__ import annotations

import re

from conftest import ROOT


def test_mkdocs_builds_strict_and_highlights_regdsl(docs_site):
    page = (docs_site / "language" / "index.html").read_text()
    # `article` in a ```regdsl block is a keyword token of our Pygments lexer
    assert '<span class="k' in page and ">article</span>" in page


def test_the_pygments_stylesheet_is_shipped_and_colours_every_token_the_pages_use(docs_site):
    css = (docs_site / "css" / "pygments.css").read_text()
    page = (docs_site / "language" / "index.html").read_text()
    assert 'href="../css/pygments.css"' in page
    used = set(re.findall(r'<span class="([a-z0-9]+)">', page)) - {"w", "p", "o", "n", "x", "err"}
    assert {"kn", "kd", "s2", "c1", "m"} <= used
    uncoloured = sorted(c for c in used if not re.search(rf"\.highlight \.{c} \{{[^}}]*color", css))
    assert not uncoloured, f"token classes with no colour in docs/css/pygments.css: {uncoloured}"


def test_the_examples_lex_without_errors(docs_site):
    """An Error token (a red box) in a ```regdsl block is a typo in the docs or a gap in the lexer."""
    bad = {}
    for page in docs_site.rglob("*.html"):
        errors = re.findall(r'<span class="err">([^<]*)</span>', page.read_text())
        if errors:
            bad[page.relative_to(docs_site).as_posix()] = errors
    assert not bad, bad


def test_no_page_loads_a_script_or_stylesheet_from_another_site(docs_site):
    """(The mkdocs theme loads highlight.js from a CDN unless told not to; it also colours over Pygments.)"""
    remote = []
    for page in docs_site.rglob("*.html"):
        text = page.read_text()
        remote += [(page.name, m) for m in re.findall(r'<script[^>]*\ssrc="(https?:[^"]*)"', text)]
        remote += [(page.name, m) for m in re.findall(r'<link[^>]*\shref="(https?:[^"]*)"', text)]
    assert not remote, remote
    assert "hljs" not in (docs_site / "language" / "index.html").read_text()


def test_no_link_shows_a_file_name(docs_site):
    """A link reads as words ("the tutorial"), not as the raw name of a page ("tutorial.md")."""
    raw = []
    for page in docs_site.rglob("*.html"):
        raw += [(page.relative_to(docs_site).as_posix(), m)
                for m in re.findall(r"<a [^>]*>([^<]*\.md(?:#[^<]*)?)</a>", page.read_text())]
    assert not raw, raw
    for md in (ROOT / "docs").glob("*.md"):
        assert not re.findall(r"\[[^\]]*\.md\]\(", md.read_text()), md.name


def test_every_docs_page_is_in_the_nav():
    nav = (ROOT / "mkdocs.yml").read_text()
    pages = sorted(p.name for p in (ROOT / "docs").glob("*.md"))
    assert [p for p in pages if p not in nav] == []
