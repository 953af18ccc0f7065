"""Parsed files kept in the per-user cache, as JSON with an integrity hash; read without the parser.

A cold `regdsl eval` spends most of its time lexing; a book that has not
changed since the last run is read back instead, and when every file of it
is, neither Lark nor the parser module is even imported.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from . import astjson

from ..core import cache
from . import nodes as n
from .tables import grammar_text, lark_version

_KEEP = 400  # parsed files kept in the cache


@lru_cache(maxsize=1)
def _made_by() -> str:
    """What a tree depends on besides its text: the grammar, Lark, the node classes, and the
    parser, lexer and transformer modules' own source (so a change to how a tree is built is never missed)."""
    here = Path(__file__).parent
    sources = []
    for module in ("parser.py", "lexer.py", "transformer.py"):
        try:
            sources.append((here / module).read_text("utf-8"))
        except OSError:
            sources.append(module)
    text = "\0".join((astjson.schema(), lark_version(), grammar_text(), *sources))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_cached(text: str, file: str) -> n.Module:
    """`parse`, remembering the tree of each file's exact text in the per-user cache.

    Keyed by what made the tree (`_made_by`), the file name (spans carry it)
    and the text, so an edit is never missed.  The tree is kept as JSON
    (astjson) with an integrity hash, in a directory only the user can write
    (cache.py): an entry that is damaged, foreign or unreadable is parsed
    again, never trusted, and nothing read from it can run code.
    """
    where = cache.cache_dir()
    folder = cache.subdir(where, "ast") if where is not None else None
    if where is None or folder is None:
        return _parse(text, file)
    key = hashlib.sha256("\0".join((_made_by(), file, text)).encode("utf-8")).hexdigest()[:32]
    path = folder / f"{key}.json"
    data = cache.load(path)
    if data is not None:
        try:
            return astjson.loads(data.decode("utf-8"), file)
        except Exception:  # noqa: BLE001 - whatever is wrong with an entry, the file is parsed again
            pass
    module = _parse(text, file)
    try:
        encoded = astjson.dumps(module).encode("utf-8")
    except (ValueError, RecursionError):
        return module  # a tree too deep to write is parsed each time
    cache.store(path, encoded)
    cache.prune(folder, "*.json", _KEEP)
    cache.remove_legacy(where)
    return module


def _parse(text: str, file: str) -> n.Module:
    from .parser import parse

    return parse(text, file)
