"""The per-user cache: private directories, data-only entries, each with an integrity hash.

Nothing read from the cache can run code: an entry is bytes (JSON, for the
parse cache and for grammar tables the package does not ship), never a
pickle.  And nothing another user could have written is read at all:

- the cache directory, and each subdirectory regdsl makes in it, is owned by
  the user and writable by no one else (regdsl makes it with mode 0700, and
  takes the read bits of others off one it owns);
- every directory above it, as written and with links followed, is owned by
  the user or by root, and is writable by others only if it is sticky (as
  /tmp is), so no one else can swap a directory on the way;
- an entry is a regular file (not a link) owned by the user, writable by no
  one else, with one name, whose first line holds the SHA-256 of its name
  and content.

A directory that fails a check is not used (regdsl runs without the cache);
an entry that fails one is ignored and written again.  Neither is an error.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

MAGIC = b"regdsl-cache 1 "
MAX_ENTRY = 64 * 1024 * 1024  # the tree of a 1 MiB .reg file is a few megabytes
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def cache_dir() -> Path | None:
    """`$REGDSL_CACHE_DIR`, else `$XDG_CACHE_HOME/regdsl`, else `~/.cache/regdsl`.

    Created private to the user; None when caching is off, or the directory
    cannot be made or could have been written by someone else.
    """
    if os.environ.get("REGDSL_NO_CACHE") or not hasattr(os, "getuid"):
        return None  # without user ids there is no telling who wrote a file: no cache
    try:
        root = os.environ.get("REGDSL_CACHE_DIR")
        if root:
            path = Path(root)
        else:
            base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
            path = Path(base) / "regdsl"
        path = Path(os.path.abspath(path))
        if not _trusted_above(path):
            return None
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return path if _private(path) else None
    except (OSError, RuntimeError, ValueError):  # a loop of links, no home directory, a NUL byte
        return None


def subdir(where: Path, name: str) -> Path | None:
    """A private subdirectory of the cache directory, made if missing (None if unsafe)."""
    path = where / name
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        return path if _private(path) else None
    except OSError:
        return None


def _trusted_above(path: Path) -> bool:
    """Every directory above `path`, as written and as resolved, is safe from other users."""
    uid = os.getuid()
    seen = set()
    for d in [*path.parents, *path.resolve().parents]:
        if d in seen:
            continue
        seen.add(d)
        try:
            st = os.stat(d)
        except FileNotFoundError:
            continue  # made below, by the user
        if st.st_uid not in (uid, 0) or (st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX):
            return False
    return True


def _private(path: Path) -> bool:
    """`path` is a directory owned by the user and writable by no one else (made 0700 if it can be)."""
    st = os.stat(path)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o022:
        return False
    if stat.S_IMODE(st.st_mode) != 0o700:
        os.chmod(path, 0o700)  # others could read it, not write it: what it holds is still the user's
    return True


def _seal(name: str, data: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\0" + data).hexdigest().encode("ascii")


def load(path: Path) -> bytes | None:
    """The content of a cache entry, if it is the user's own and intact; else None."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(fd)
            if (not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o022
                    or st.st_nlink != 1 or st.st_size > MAX_ENTRY):
                return None
            raw = f.read(MAX_ENTRY + 1)
    except OSError:
        return None
    header, newline, data = raw.partition(b"\n")
    if not newline or header != MAGIC + _seal(path.name, data):
        return None
    return data


def store(path: Path, data: bytes) -> None:
    """Write a cache entry atomically, private to the user (failures are ignored)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + _seal(path.name, data) + b"\n" + data)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass


def prune(folder: Path, pattern: str, keep: int) -> None:
    """Keep at most `keep` of the entries matching `pattern`: the oldest go first (half at a time)."""
    try:
        entries = list(folder.glob(pattern))
        if len(entries) <= keep:
            return
        entries.sort(key=lambda e: e.stat().st_mtime)
        for old in entries[: len(entries) - keep // 2]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def remove_legacy(where: Path) -> None:
    """Delete the pickles older releases kept here (never read: a pickle can run code)."""
    for old in [*where.glob("grammar-*.lark"), *where.glob("ast/*.pickle")]:
        try:
            if old.lstat().st_uid == os.getuid():
                old.unlink()
        except OSError:
            pass
