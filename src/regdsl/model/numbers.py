"""Numbers of provisions: article numbers in order, successors, and runs (`articles 3 to 5`)."""

from __future__ import annotations

from ..core.limits import MAX_RUN


def article_key(number: str) -> tuple[int, ...]:
    """Sort key of an article number: "13.2" -> (13, 2)."""
    return tuple(int(p) for p in number.split("."))


def _int(s: str, default: int) -> int:
    try:
        return int(s)
    except ValueError:
        return default


def _succ(number: str) -> str:
    if number.isdigit():
        return str(int(number) + 1)
    if len(number) == 1 and number.isalpha():
        return chr(ord(number) + 1)
    return number


def _before(a: str, b: str) -> bool:
    if a.isdigit() and b.isdigit():
        return int(a) < int(b)
    return a < b


class _TooLong(Exception):
    """A run of numbers longer than limits.MAX_RUN (found before it is written out)."""


def _check_run(low: int, high: int) -> None:
    if high - low + 1 > MAX_RUN:
        raise _TooLong(f"covers {high - low + 1:,} numbers; a run covers at most {MAX_RUN:,}")


def _expand_run(first: str, last: str) -> list[str]:
    """`1.2` to `1.9` -> 1.2 ... 1.9; `2` to `5` -> 2 ... 5 (the last component steps).

    Raises _TooLong for a run of more than MAX_RUN numbers."""
    try:
        a, b = article_key(first), article_key(last)
    except ValueError:
        return []
    if len(a) != len(b) or a[:-1] != b[:-1] or a[-1] > b[-1]:
        return []
    _check_run(a[-1], b[-1])
    head = ".".join(map(str, a[:-1]))
    return [(head + "." if head else "") + str(i) for i in range(a[-1], b[-1] + 1)]
