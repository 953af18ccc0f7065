"""The per-user cache: the compiled grammar and parsed files, keyed by content."""

from __future__ import annotations

import os
import stat

from regdsl.cache import cache_dir
from regdsl.parser import parse, parse_cached

TEXT = 'book b "B"\n\narticle 1 "A"\n  | Text.  # a comment\n'


def test_cache_dir_is_private(tmp_path, monkeypatch):
    monkeypatch.setenv("REGDSL_CACHE_DIR", str(tmp_path / "c"))
    where = cache_dir()
    assert where == tmp_path / "c"
    assert stat.S_IMODE(os.stat(where).st_mode) == 0o700


def test_no_cache_when_asked(monkeypatch):
    monkeypatch.setenv("REGDSL_NO_CACHE", "1")
    assert cache_dir() is None
    assert parse_cached(TEXT, "x.reg") == parse(TEXT, "x.reg")


def test_cached_tree_equals_a_fresh_parse_and_keeps_comments(tmp_path, monkeypatch):
    monkeypatch.setenv("REGDSL_CACHE_DIR", str(tmp_path))
    first = parse_cached(TEXT, "x.reg")
    assert len(list((tmp_path / "ast").glob("*.pickle"))) == 1
    again = parse_cached(TEXT, "x.reg")
    assert again == first == parse(TEXT, "x.reg")
    assert again.comments == first.comments and again.items[1].span == first.items[1].span


def test_an_edit_is_never_missed_and_a_broken_entry_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("REGDSL_CACHE_DIR", str(tmp_path))
    parse_cached(TEXT, "x.reg")
    for entry in (tmp_path / "ast").glob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert parse_cached(TEXT, "x.reg") == parse(TEXT, "x.reg")
    edited = TEXT.replace("Text.", "Other text.")
    assert parse_cached(edited, "x.reg").items[1].body[0].text == "Other text.  # a comment"
