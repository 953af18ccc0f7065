"""Checked books kept in the per-user cache as IR, so that a warm `regdsl eval` neither parses nor checks.

An entry is keyed by the text of the book's own files; it records every
other file the book was made from (the books it uses) with its checksum, and
the `.reg` files each book directory held, and it is used only when all of
them are unchanged.  What made the IR is part of the key too: regdsl's own
modules (their sizes and modification times) and the IR format.  The entry
is JSON (ir/serialize.py) inside the cache's sealed, private files
(core/cache.py): nothing read from it can run code, and a damaged or foreign
entry is ignored and the book is checked again.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..core import cache
from . import serialize
from .book import IRBook

_KEEP = 64  # books kept


def digest(text: str) -> str:
    """The checksum of a file's text, as entries record it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def _made_by() -> str:
    """regdsl's own code as it is now: a changed module makes every entry another one's."""
    # os.walk and os.stat on strings: a tenth of what pathlib's rglob costs, on every warm run
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    found = []
    for folder, subfolders, names in os.walk(package):
        subfolders[:] = [d for d in subfolders if d != "__pycache__"]
        for name in names:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                rel = os.path.relpath(path, package).replace(os.sep, "/")
                found.append(f"{rel}:{st.st_size}:{st.st_mtime_ns}")
    parts = [str(serialize.FORMAT)] + sorted(found)
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def key(path: str, files: dict[str, str]) -> str:
    """The key of a book named `path` whose own files have these texts."""
    text = "\0".join([_made_by(), path] + [f"{name}\0{digest(t)}" for name, t in sorted(files.items())])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _folder() -> Path | None:
    where = cache.cache_dir()
    return cache.subdir(where, "ir") if where is not None else None


def lookup(entry_key: str, still: Any) -> IRBook | None:
    """The cached IR under `entry_key`, if `still(files, dirs)` says its other inputs are unchanged."""
    folder = _folder()
    if folder is None:
        return None
    data = cache.load(folder / f"{entry_key}.json")
    if data is None:
        return None
    try:
        entry = json.loads(data.decode("utf-8"))
        if not still(dict(entry["files"]), {d: list(v) for d, v in entry["dirs"].items()}):
            return None
        return serialize.load(entry["ir"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def remember(entry_key: str, book: IRBook, files: dict[str, str], dirs: dict[str, list[str]]) -> None:
    """Keep a checked book's IR with the checksums of the files it was made from."""
    folder = _folder()
    if folder is None:
        return
    try:
        data = json.dumps({"files": files, "dirs": dirs, "ir": serialize.dump(book)},
                          ensure_ascii=False, separators=(",", ":"))
    except (ValueError, RecursionError):
        return
    cache.store(folder / f"{entry_key}.json", data.encode("utf-8"))
    cache.prune(folder, "*.json", _KEEP)
