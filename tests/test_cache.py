"""The per-user cache (issue 11, S3 and S4): data only, private, integrity-checked.

The parse cache keeps each file's tree as JSON with a SHA-256 of its name
and content; the parser's LALR tables are shipped in the package as JSON (or,
for an edited grammar, kept in the cache the same way).  Nothing is ever
unpickled.  A directory anyone else could write is not used; an entry that
is damaged, foreign or planted is ignored and written again.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import stat
import subprocess
import sys
from pathlib import Path

import attrs
import lark
import pytest

from conftest import REGULATIONS, ROOT, run_cli
from regdsl.syntax import astjson, parser, tables
from regdsl.core import cache
from regdsl.core.cache import cache_dir
from regdsl.syntax.parser import parse
from regdsl.syntax.treecache import parse_cached

TEXT = ('book b "B"\n\narticle 1 "A"\n  | Text.  # a comment\n'
        '  fact x : boolean "X."\n  outcome y : boolean "Y."\n  y if x\n')


def same(a, b) -> bool:
    """Equal including what `==` leaves out (spans, comments) and the types of the values."""
    if type(a) is not type(b):
        return False
    if attrs.has(type(a)):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in attrs.fields(type(a)))
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


@pytest.fixture
def where(tmp_path, monkeypatch):
    path = tmp_path / "cache"
    monkeypatch.setenv("REGDSL_CACHE_DIR", str(path))
    return path


def entries(where: Path) -> list[Path]:
    return sorted((where / "ast").glob("*.json"))


# ------------------------------------------------------------------ the parse cache


def test_cache_dir_is_private(where):
    assert cache_dir() == where
    assert stat.S_IMODE(os.stat(where).st_mode) == 0o700


def test_no_cache_when_asked(monkeypatch):
    monkeypatch.setenv("REGDSL_NO_CACHE", "1")
    assert cache_dir() is None
    assert parse_cached(TEXT, "x.reg") == parse(TEXT, "x.reg")


def test_cached_tree_equals_a_fresh_parse_and_keeps_comments(where):
    first = parse_cached(TEXT, "x.reg")
    assert len(entries(where)) == 1
    again = parse_cached(TEXT, "x.reg")
    assert same(again, first) and same(again, parse(TEXT, "x.reg"))
    assert again.comments == first.comments and again.items[1].span == first.items[1].span


@pytest.mark.parametrize("path", sorted(REGULATIONS.glob("*/*.reg")), ids=lambda p: p.name)
def test_every_bundled_file_reads_back_exactly(path):
    """Every node, value type, span and comment of every bundled file survives the JSON."""
    name = str(path.relative_to(ROOT))
    tree = parse(path.read_text("utf-8"), name)
    assert same(astjson.loads(astjson.dumps(tree), name), tree)


def test_an_edit_is_never_missed_and_a_broken_entry_is_ignored(where):
    parse_cached(TEXT, "x.reg")
    for entry in entries(where):
        entry.write_bytes(b"not a cache entry")
    assert same(parse_cached(TEXT, "x.reg"), parse(TEXT, "x.reg"))
    edited = TEXT.replace("Text.", "Other text.")
    assert parse_cached(edited, "x.reg").items[1].body[0].text == "Other text.  # a comment"


def test_every_byte_of_an_entry_damaged_gives_the_same_tree(where):
    """S4: one byte changed anywhere, or the entry cut short anywhere, is caught and parsed again."""
    fresh = parse(TEXT, "x.reg")
    parse_cached(TEXT, "x.reg")
    [entry] = entries(where)
    good = entry.read_bytes()
    for i in range(len(good)):
        for bad in (good[:i] + bytes([good[i] ^ 0x01]) + good[i + 1:], good[:i]):
            entry.write_bytes(bad)
            assert same(parse_cached(TEXT, "x.reg"), fresh), f"byte {i}"
            assert entry.read_bytes() == good  # written again, intact


def test_a_damaged_entry_gives_the_same_answers_through_the_command_line(where, tmp_path):
    book = tmp_path / "b.reg"
    book.write_text(TEXT, "utf-8")
    facts = tmp_path / "f.json"
    facts.write_text('{"x": true}', "utf-8")
    args = ("eval", str(book), str(facts), "--as-of", "2026-04-01", "--format", "json")
    expected = run_cli(*args)
    [entry] = entries(where)
    good = entry.read_bytes()
    for i in range(0, len(good), 7):
        entry.write_bytes(good[:i] + bytes([good[i] ^ 0x20]) + good[i + 1:])
        assert run_cli(*args) == expected, f"byte {i}"


class Planted:
    """A pickle that, if unpickled, leaves a file behind."""

    marker: Path

    def __reduce__(self):
        return (Path.write_text, (self.marker, "pickle was executed"))


def plant(path: Path, marker: Path) -> None:
    Planted.marker = marker
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(Planted()))


def test_a_planted_pickle_is_never_executed(where, tmp_path):
    """S3: wherever a pickle is planted (the names older releases used, and ours), none runs."""
    marker = tmp_path / "executed"
    parse_cached(TEXT, "x.reg")
    [entry] = entries(where)
    grammar_key = tables.key(*parser.parser_options())
    for path in [entry, entry.with_suffix(".pickle"), where / f"grammar-{grammar_key}.json",
                 where / f"grammar-{grammar_key[:16]}.lark", where / "ast" / "grammar.lark"]:
        plant(path, marker)
    parser.get_parser.cache_clear()
    try:
        assert same(parse_cached(TEXT, "x.reg"), parse(TEXT, "x.reg"))
        book = tmp_path / "b.reg"
        book.write_text(TEXT, "utf-8")
        assert run_cli("check", str(book))[0] == 0
    finally:
        parser.get_parser.cache_clear()
    assert not marker.exists()
    assert not list(where.glob("grammar-*.lark")) and not list(where.glob("ast/*.pickle"))  # removed


def test_a_planted_entry_with_a_good_hash_but_another_owner_is_not_read(where, monkeypatch):
    """Only the user's own entries are read: a file another user wrote is ignored."""
    if os.getuid() != 0:
        pytest.skip("making a file another user's needs root")
    parse_cached(TEXT, "x.reg")
    [entry] = entries(where)
    forged = astjson.dumps(parse(TEXT.replace("Text.", "Forged."), "x.reg")).encode()
    entry.write_bytes(cache.MAGIC + cache._seal(entry.name, forged) + b"\n" + forged)
    assert parse_cached(TEXT, "x.reg").items[1].body[0].text.startswith("Forged.")  # the user's own: read
    entry.write_bytes(cache.MAGIC + cache._seal(entry.name, forged) + b"\n" + forged)
    os.chown(entry, 12345, 12345)
    assert parse_cached(TEXT, "x.reg").items[1].body[0].text.startswith("Text.")


def test_an_entry_others_may_write_or_a_link_is_not_read(where, tmp_path):
    forged = astjson.dumps(parse(TEXT.replace("Text.", "Forged."), "x.reg")).encode()
    parse_cached(TEXT, "x.reg")
    [entry] = entries(where)
    sealed = cache.MAGIC + cache._seal(entry.name, forged) + b"\n" + forged
    entry.write_bytes(sealed)
    entry.chmod(0o666)
    assert parse_cached(TEXT, "x.reg").items[1].body[0].text.startswith("Text.")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(sealed)
    entry.unlink()
    entry.symlink_to(elsewhere)
    assert parse_cached(TEXT, "x.reg").items[1].body[0].text.startswith("Text.")
    assert not entry.is_symlink()  # replaced by the user's own entry


def test_an_entry_with_another_name_is_not_read(where):
    """The hash covers the entry's name: an intact entry moved under another key is refused."""
    parse_cached(TEXT, "x.reg")
    other = TEXT.replace("Text.", "Other.")
    parse_cached(other, "x.reg")
    a, b = entries(where)
    a_bytes = a.read_bytes()
    b.write_bytes(a_bytes)
    a.write_bytes(a_bytes)
    assert same(parse_cached(other, "x.reg"), parse(other, "x.reg"))
    assert same(parse_cached(TEXT, "x.reg"), parse(TEXT, "x.reg"))


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o1777, 0o722])
def test_a_cache_directory_others_may_write_is_not_used(tmp_path, monkeypatch, mode):
    """S3: a mode-0777 directory, or a sticky one such as /tmp, given as the cache, is refused."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(mode)
    monkeypatch.setenv("REGDSL_CACHE_DIR", str(shared))
    assert cache_dir() is None
    assert same(parse_cached(TEXT, "x.reg"), parse(TEXT, "x.reg"))
    assert list(shared.iterdir()) == []


def test_a_directory_others_may_read_is_made_private(tmp_path, monkeypatch):
    mine = tmp_path / "mine"
    mine.mkdir()
    mine.chmod(0o755)
    monkeypatch.setenv("REGDSL_CACHE_DIR", str(mine))
    assert cache_dir() == mine and stat.S_IMODE(mine.stat().st_mode) == 0o700


def test_an_ast_directory_others_may_write_is_not_used(where):
    parse_cached(TEXT, "x.reg")
    (where / "ast").chmod(0o777)
    for entry in entries(where):
        entry.unlink()
    parse_cached(TEXT, "x.reg")
    assert entries(where) == []


def test_a_cache_below_a_directory_others_may_write_is_not_used(tmp_path, monkeypatch):
    """Someone who may write a directory above the cache could swap the cache for their own."""
    above = tmp_path / "open"
    above.mkdir()
    above.chmod(0o777)
    monkeypatch.setenv("REGDSL_CACHE_DIR", str(above / "regdsl"))
    assert cache_dir() is None
    above.chmod(0o1777)  # sticky, as /tmp: no one may rename what is not theirs
    assert cache_dir() == above / "regdsl"


def test_a_cache_reached_through_a_link_is_checked_where_it_leads(tmp_path, monkeypatch):
    target = tmp_path / "open"
    target.mkdir()
    target.chmod(0o777)
    (target / "real").mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(target / "real")
    monkeypatch.setenv("REGDSL_CACHE_DIR", str(tmp_path / "link"))
    assert cache_dir() is None


def test_a_cache_directory_of_another_user_is_not_used(tmp_path, monkeypatch):
    other = tmp_path / "other"
    other.mkdir(mode=0o700)
    monkeypatch.setenv("REGDSL_CACHE_DIR", str(other))
    monkeypatch.setattr(cache.os, "getuid", lambda: os.stat(other).st_uid + 1)
    assert cache_dir() is None


def test_a_book_read_from_the_cache_needs_no_parser(where):
    """When every file of a book is in the cache, neither Lark nor the parser is imported."""
    code = ("import sys, regdsl; regdsl.load(sys.argv[1]); "
            "print(sorted(m for m in ('lark', 'regdsl.syntax.parser', 'yaml') if m in sys.modules))")
    env = dict(os.environ, REGDSL_CACHE_DIR=str(where))
    run = [sys.executable, "-c", code, str(REGULATIONS / "university")]
    first = subprocess.run(run, env=env, capture_output=True, text=True, check=True)
    again = subprocess.run(run, env=env, capture_output=True, text=True, check=True)
    assert first.stdout.strip() == "['lark', 'regdsl.syntax.parser']"
    assert again.stdout.strip() == "[]"


def test_lark_version_is_read_without_importing_lark():
    code = ("import sys; from regdsl.syntax.tables import lark_version; v = lark_version(); "
            "print('lark' in sys.modules); import lark; print(v == lark.__version__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]


def test_the_package_never_unpickles():
    for path in (ROOT / "src" / "regdsl").rglob("*.py"):
        text = path.read_text("utf-8")
        for module in ("pickle", "marshal", "shelve", "dill"):
            assert f"import {module}" not in text, f"{path.name} imports {module}"


# ------------------------------------------------------------------ the parser tables


def test_the_shipped_tables_are_those_of_the_grammar():
    """After changing grammar/regdsl.lark (or lexer.py), run `python -m regdsl.syntax.tables`."""
    data = json.loads((ROOT / "src" / "regdsl" / "syntax" / tables.SHIPPED).read_text("utf-8"))
    grammar, options = parser.parser_options()
    if data["lark"] != tables.lark_version():
        pytest.skip(f"the tables were made with lark {data['lark']}, this is {tables.lark_version()}")
    assert data["key"] == tables.key(grammar, options), (
        "src/regdsl/syntax/parser_tables.json was made from another grammar: run `python -m regdsl.syntax.tables`")


def loaded_from(monkeypatch) -> list[str]:
    """Where each parser came from: 'built' each time the grammar is compiled."""
    built: list[str] = []

    class Counting(lark.Lark):
        def __init__(self, *args, **kwargs):
            built.append("built")
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(lark, "Lark", Counting)
    return built


def test_the_parser_comes_from_the_shipped_tables(where, monkeypatch):
    if json.loads(tables._shipped_text())["lark"] != tables.lark_version():
        pytest.skip("the shipped tables are for another lark")
    built = loaded_from(monkeypatch)
    assert tables.load(*parser.parser_options()) is not None
    assert built == [] and not list(where.glob("grammar-*"))


def test_without_fitting_tables_the_parser_is_built_once_and_cached_as_json(where, monkeypatch):
    built = loaded_from(monkeypatch)
    monkeypatch.setattr(tables, "_shipped_text", lambda: None)
    tables.load(*parser.parser_options())
    [entry] = where.glob("grammar-*.json")
    assert built == ["built"] and entry.read_bytes().startswith(cache.MAGIC)
    tables.load(*parser.parser_options())
    assert built == ["built"]  # read back
    data = entry.read_bytes()
    entry.write_bytes(data[:5000] + b"X" + data[5001:])
    tables.load(*parser.parser_options())
    assert built == ["built", "built"]  # damaged: built again
    assert entry.read_bytes() != data[:5000] + b"X" + data[5001:] and cache.load(entry) is not None  # and kept


def test_shipped_tables_for_another_grammar_are_not_used(monkeypatch, where):
    built = loaded_from(monkeypatch)
    text = tables._shipped_text()
    monkeypatch.setattr(tables, "_shipped_text", lambda: text.replace('"key":"', '"key":"0', 1))
    tables.load(*parser.parser_options())
    assert built == ["built"]


def inputs() -> list[tuple[str, str]]:
    books = [(str(p.relative_to(ROOT)), p.read_text("utf-8")) for p in sorted(REGULATIONS.glob("*/*.reg"))]
    errors = [(str(p.relative_to(ROOT)), p.read_text("utf-8")) for p in sorted((ROOT / "tests" / "errors")
                                                                                .glob("E1*.reg"))]
    return books + errors + [("t.reg", TEXT), ("bad.reg", 'article 14 Degree\n'), ("bad2.reg", TEXT[:40])]


def test_the_shipped_parser_parses_as_a_built_one(monkeypatch):
    """Trees and syntax errors (expected tokens, hints) are the same from shipped tables."""
    grammar, options = parser.parser_options()
    shipped = tables._from_json(tables._shipped_text(), tables.key(grammar, options),
                                {k: options[k] for k in tables._LIVE if k in options})
    if shipped is None:
        pytest.skip("the shipped tables do not fit this grammar and lark")
    rebuilt = tables._from_json(tables.dumps(lark.Lark(grammar, **options), "k"), "k",
                                {k: options[k] for k in tables._LIVE if k in options})

    def results(p) -> list:
        made = parser.Parser(p)  # its hints found from its own tables
        monkeypatch.setattr(parser, "get_parser", lambda: made)
        out = []
        for name, text in inputs():
            try:
                out.append(parse(text, name))
            except Exception as e:  # noqa: BLE001 - compared as text
                out.append(str(e))
        return out

    expected = results(lark.Lark(grammar, **options))
    for p in (shipped, rebuilt):
        got = results(p)
        assert all(same(a, b) for a, b in zip(got, expected)) and len(got) == len(expected)


def test_the_tables_json_writes_integer_keys_back():
    data = {"states": {0: {1: [0, 2]}, 3: {}}, "names": {"a": [1, (2, 3)]}}
    back = json.loads(json.dumps(tables._plain(data)), object_hook=tables._int_keys)
    assert back == {"states": {0: {1: [0, 2]}, 3: {}}, "names": {"a": [1, [2, 3]]}}
    with pytest.raises(ValueError):
        tables._plain({"#": 1})
    with pytest.raises(ValueError):
        tables._plain({"a": io.BytesIO()})
