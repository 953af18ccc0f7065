"""Reading the files a user names: regular files only, within a size limit, checked before reading.

Nothing here is read whole on trust: a file's type and size are checked on
the open descriptor before a byte is read, and at most the limit plus one
byte is ever read (a file that grows, or a device such as /dev/zero, stops
there).  A FIFO is opened without blocking and refused.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

MAX_FILE_BYTES = 1024 * 1024  # a .reg file, a facts file: 1 MiB (the largest bundled file is 32 KB)
MAX_CASES_BYTES = 8 * MAX_FILE_BYTES  # a case table (*.test.yaml) holds many students


class FileRefused(Exception):
    """A file that is not read: too large (`code` E109) or not a regular file."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def too_large(limit: int, what: str = "file") -> FileRefused:
    """The refusal of a file over `limit` bytes."""
    return FileRefused(f"this {what} is larger than the limit of {_size(limit)}", "E109")


def _size(limit: int) -> str:
    if limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB ({limit:,} bytes)"
    return f"{limit:,} bytes"


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO is opened, found out and refused, not waited on
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def read_bytes(path: str | Path, limit: int = MAX_FILE_BYTES, what: str = "file", *,
               follow: bool = True) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; FileRefused or OSError otherwise.

    With `follow=False` a symbolic link (as the last part of the path) is refused.
    """
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | _CLOEXEC | (0 if follow else _NOFOLLOW))
    with os.fdopen(fd, "rb", buffering=0) as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise FileRefused("this is not a regular file (it is a device, a pipe or a directory)", "E100")
        if st.st_size > limit:
            raise too_large(limit, what)
        data = _read_upto(f, limit + 1)
    if len(data) > limit:
        raise too_large(limit, what)
    return data


def rewrite(path: str | Path, data: bytes) -> None:
    """Replace a regular file's contents in place (keeping its owner, mode and hard links),
    never through a symbolic link: a link as the last part of the path is an OSError."""
    fd = os.open(path, os.O_WRONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
    with os.fdopen(fd, "wb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        f.truncate(0)
        f.write(data)


def _read_upto(f, n: int) -> bytes:
    chunks, left = [], n
    while left > 0:
        chunk = f.read(min(left, 1 << 16))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_stdin(limit: int = MAX_FILE_BYTES, what: str = "input") -> bytes:
    """Standard input, at most `limit` bytes (FileRefused beyond)."""
    stream = sys.stdin
    raw = getattr(stream, "buffer", None)
    data = _read_upto(raw, limit + 1) if raw is not None else stream.read(limit + 1).encode("utf-8")
    if len(data) > limit:
        raise too_large(limit, what)
    return data


def utf8_error_at(data: bytes, err: UnicodeDecodeError) -> tuple[int, int]:
    """The 1-based line and column (in characters) of the first byte that is not UTF-8."""
    start = data.rfind(b"\n", 0, err.start) + 1
    line = data.count(b"\n", 0, err.start) + 1
    return line, len(data[start:err.start].decode("utf-8", "replace")) + 1


def not_utf8(data: bytes, err: UnicodeDecodeError) -> str:
    """The message for a file that is not UTF-8 text."""
    return f"this file is not UTF-8 text (byte 0x{data[err.start]:02x} cannot be read)"


def resolved(path: str | Path) -> Path:
    """The absolute path with every link followed; a link that cannot be followed (a loop) is left
    as it is, so it lies nowhere a book may read (and opening it fails as it should)."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError, ValueError):  # a loop of links; a NUL byte
        return Path(os.path.abspath(path))


def inside(path: Path | None, root: Path) -> bool:
    """Whether `path` (resolved, with every link followed) lies in the directory `root` (resolved)."""
    return path is not None and (path == root or root in path.parents)


def shown(path: Path) -> str:
    """A directory as the user would write it: relative to where regdsl runs when it is below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel
