"""Columns of values with unknowns as masks, and the bitsets that say why a row is unknown.

A `Col` holds one value per row of a group of students.  Its values are a
NumPy array, or a 0-d value shared by every row (a constant, or a name that
reads no fact), chosen from the expression's type when a plan is built:

    bool   bool                       enum   int16 codes into `members`
    num    int8..int64 in units       date   datetime64[D]
           of 1/den (numbers.py)
           (or object: exact ints     obj    object: the per-student evaluator's
           and Fractions)                    own values (text, times, lists, ...)

`unk` is None when every row is known (the fast path: no unknown
bookkeeping at all), else a bool mask.  `why` says, for the unknown rows,
what would decide them: a bitset of uint64 words (`Why`) over the book's
inputs (a missing fact or a pending decision) and the reasons met so far.
It is either one row of words shared by every unknown row, shape (W,), or
one row per row, shape (n, W), zero where the row is known.  A value where
`unk` is set is meaningless and never read.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from ...core.values import Unknown

U64 = np.uint64
PerRow = np.ndarray | np.generic  # one value per row, or one NumPy scalar shared by every row


class Why:
    """The meaning of each bit of a why-bitset: the book's inputs first, then reasons as met."""

    def __init__(self, book: Any):
        self.book = book
        self.inputs = list(book.inputs)
        self.bit = {name: i for i, name in enumerate(self.inputs)}
        self.decision = np.array([book.inputs[n].kind == "decision" for n in self.inputs], dtype=bool)
        self.reasons: list[str] = []
        self._reason_bit: dict[str, int] = {}
        self._lock = threading.Lock()

    @property
    def width(self) -> int:
        return max(1, (len(self.inputs) + len(self.reasons) + 63) // 64)

    def reason(self, text: str) -> int:
        """The bit of a reason (registered the first time it is met)."""
        found = self._reason_bit.get(text)
        if found is None:
            with self._lock:
                found = self._reason_bit.get(text)
                if found is None:
                    found = self._reason_bit[text] = len(self.inputs) + len(self.reasons)
                    self.reasons.append(text)
        return found

    def words(self, bits: list[int] | set[int]) -> np.ndarray:
        """One row of words with these bits set."""
        bits = list(bits)
        w = np.zeros(max([self.width] + [b // 64 + 1 for b in bits]), dtype=U64)
        for b in bits:
            w[b // 64] |= U64(1) << U64(b % 64)
        return w

    def of_unknown(self, u: Unknown) -> np.ndarray:
        """The words of an unknown value of the per-student evaluator."""
        bits = {self.bit[m] for m in u.missing if m in self.bit}
        bits |= {self.bit[d] for d, _ in u.bodies if d in self.bit}
        bits |= {self.reason(r) for r in u.reasons}
        return self.words(bits)

    def parts(self, words: np.ndarray) -> tuple[set[str], set[tuple[str, str]], set[str]]:
        """The missing facts, (decision, deciding body) pairs and reasons a row of words holds."""
        missing, bodies, reasons = set(), set(), set()
        n_in = len(self.inputs)
        for wi, word in enumerate(words.tolist()):
            while word:
                low = word & -word
                b = wi * 64 + low.bit_length() - 1
                word ^= low
                if b < n_in:
                    name = self.inputs[b]
                    if self.decision[b]:
                        bodies.add((name, self.book.inputs[name].decided_by))
                    else:
                        missing.add(name)
                else:
                    reasons.add(self.reasons[b - n_in])
        return missing, bodies, reasons

    def describe(self, words: np.ndarray) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """(missing facts, deciding bodies, reasons), sorted, as an outcome lists them."""
        missing, bodies, reasons = self.parts(words)
        return tuple(sorted(missing)), tuple(sorted({body for _, body in bodies})), tuple(sorted(reasons))


def widen(w: np.ndarray, width: int) -> np.ndarray:
    """Words padded with zero words to `width` (reasons met later need more bits)."""
    have = w.shape[-1]
    if have >= width:
        return w
    pad = [(0, 0)] * (w.ndim - 1) + [(0, width - have)]
    return np.pad(w, pad)


def full(unk: Any, why: np.ndarray, n: int) -> np.ndarray:
    """`why` as one row of words per row, zero where the row is known."""
    if why.ndim == 2:
        return why
    mask = np.broadcast_to(np.asarray(unk, dtype=bool), (n,))
    return np.where(mask[:, None], why[None, :], U64(0))


class _Same:
    """The type of SAME: an argument of `Col.like` that keeps the column's own attribute."""


SAME = _Same()


class Col:
    """A column of values: see the module docstring."""

    __slots__ = ("kind", "v", "unk", "why", "den", "lim", "q", "members")

    def __init__(self, kind: str, v: Any, unk: Any = None, why: np.ndarray | None = None, *,
                 den: int = 1, lim: int | None = None, q: tuple | None = None,
                 members: tuple[str, ...] = ()):
        self.kind = kind
        self.v = v
        self.unk = unk
        self.why = why
        self.den = den  # num: the value is v / den
        self.lim = lim  # num: a bound on |v| (None: object values, exact at any size)
        self.q = q  # num: (dim, unit, factor) of a quantity, None for a plain number
        self.members = members  # enum

    def like(self, v: Any, unk: Any = None, why: np.ndarray | None = None, *, den: int | None = None,
             lim: int | None | _Same = SAME, q: tuple | None | _Same = SAME) -> "Col":
        """A column of the same kind (and unit, members) with other values (and the den, lim or
        q given)."""
        return Col(self.kind, v, unk, why, den=self.den if den is None else den,
                   lim=self.lim if isinstance(lim, _Same) else lim, q=self.q if isinstance(q, _Same) else q,
                   members=self.members)

    @property
    def known(self) -> Any:
        """A mask of the known rows (True when all are)."""
        return True if self.unk is None else ~self.unk


def unknown_col(kind: str, why: np.ndarray, proto: Col | None = None, *, members: tuple[str, ...] = (),
                q: tuple | None = None) -> Col:
    """A column unknown in every row, for one reason (of the form of `proto`, if given)."""
    v = np.zeros((), dtype=_ZERO.get(kind, object))
    if proto is not None:
        return proto.like(v, np.True_, why)
    return Col(kind, v, np.True_, why, members=members, q=q)


_ZERO: dict[str, DTypeLike] = {"bool": bool, "num": np.int64, "date": "datetime64[D]", "enum": np.int16}


def merge(n: int, *cols: tuple[Any, np.ndarray | None]) -> tuple[Any, np.ndarray | None]:
    """(unk, why) of the rows unknown in any of the (unk, why) pairs, their whys united."""
    parts = [(u, w) for u, w in cols if u is not None and w is not None and np.any(u)]
    if not parts:
        return None, None
    if len(parts) == 1:
        return parts[0]
    unk = parts[0][0]
    for u, _ in parts[1:]:
        unk = unk | u
    ws = [w for _, w in parts]
    width = max(w.shape[-1] for w in ws)
    if all(w.ndim == 1 for w in ws) and all(np.array_equal(widen(w, width), widen(ws[0], width)) for w in ws):
        return unk, widen(ws[0], width)
    out = None
    for u, w in parts:
        f = widen(full(u, w, n), width)
        out = f if out is None else out | f
    return unk, out


def select(n: int, mask: Any, a: tuple[Any, np.ndarray | None], b: tuple[Any, np.ndarray | None]
           ) -> tuple[Any, np.ndarray | None]:
    """(unk, why) taken from `a` where `mask` holds and from `b` elsewhere."""
    ua, wa = a
    ub, wb = b
    if wa is None or (ua is not None and not np.any(ua)):
        ua = wa = None
    if wb is None or (ub is not None and not np.any(ub)):
        ub = wb = None
    if ua is None and ub is None:
        return None, None
    ua_ = np.False_ if ua is None else ua
    ub_ = np.False_ if ub is None else ub
    unk = np.where(mask, ua_, ub_)
    if ua is None:
        wa = None
    if ub is None:
        wb = None
    if wa is None or wb is None:
        w = wa if wb is None else wb
        return unk, restrict(unk, w, n)
    width = max(wa.shape[-1], wb.shape[-1])
    wa, wb = widen(wa, width), widen(wb, width)
    if wa.ndim == 1 and wb.ndim == 1 and np.array_equal(wa, wb):
        return unk, wa
    m = np.broadcast_to(np.asarray(mask, dtype=bool), (n,))
    return unk, restrict(unk, np.where(m[:, None], full(ua_, wa, n), full(ub_, wb, n)), n)


def restrict(unk: Any, why: np.ndarray | None, n: int) -> np.ndarray | None:
    """`why` with the rows that are not unknown zeroed (a full why is zero where known)."""
    if why is None or why.ndim == 1:
        return why
    return np.where(np.broadcast_to(np.asarray(unk, dtype=bool), (n,))[:, None], why, U64(0))


def known_all(c: Col) -> bool:
    """Whether no row of the column is unknown."""
    return c.unk is None or not np.any(c.unk)


def int_type(lim: int) -> type[np.signedinteger]:
    """The narrowest of int8, int16, int32 and int64 that holds every integer of magnitude up to `lim`
    (at most 2**62: the bound every num operation checks)."""
    return np.int8 if lim < 2**7 else np.int16 if lim < 2**15 else np.int32 if lim < 2**31 else np.int64


def fit(v: Any, lim: int) -> Any:
    """Integer values of magnitude up to `lim` (an array or a 0-d value) in `int_type(lim)`:
    widened, or narrowed (every value fits), so that operands share one narrow dtype."""
    a = np.asarray(v)
    if a.dtype.kind not in "iu":  # exact objects stay objects
        return v
    t = int_type(lim)
    if a.dtype == t:
        return v
    return a.astype(t)


def blend(mask: Any, a: Any, b: Any, lim: int) -> Any:
    """np.where(mask, a, b) for integers of magnitude up to `lim`, as b + mask * (a - b): no
    branch per row (a select on a random mask is several times slower than three narrow sums)."""
    if np.ndim(mask) == 0:  # one side for every row (a shared value stays shared)
        return a if mask else b
    a, b = fit(a, 2 * lim), fit(b, 2 * lim)
    return b + np.asarray(mask, dtype=bool) * (a - b)


def either(mask: Any, a: Any, b: Any) -> Any:
    """np.where(mask, a, b) for booleans, as bit operations."""
    m = np.asarray(mask, dtype=bool)
    return (m & a) | (~m & b)
