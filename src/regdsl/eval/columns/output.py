"""Outcome columns as Arrow arrays: values, statuses, what would decide them, the deciding provision.

For each outcome `o` the result table has:

    o               the value (bool, int64, decimal128, date32, string or dictionary<string>),
                    null where it is not determined
    o.status        determined, undetermined, discretionary or error (dictionary<string>)
    o.missing       the facts that would decide it (list_view<string>)
    o.decided_by    the bodies whose decision would decide it (list_view<string>)
    o.reasons       anything else that leaves it open (list_view<string>)
    o.provision     the eId of the provision of the first winning rule (dictionary<string>)
    o.error         the input error of the row, if any (string; the same column for every outcome)

A row's status and its three lists come from one small table of the
distinct whys met (`Answers`), so a million rows that are undetermined for
the same reason cost an index each.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...core.units import Q, divide, to_decimal
from ...results.outcome import plain
from .cols import Col, Why, fit
from .lift import lower

DETERMINED = ("determined", (), (), ())


class Answers:
    """The distinct (status, missing, decided_by, reasons) of one outcome, and each row's index."""

    def __init__(self) -> None:
        self.combos: list[tuple] = [DETERMINED]
        self._index: dict[tuple, int] = {DETERMINED: 0}

    def add(self, combo: tuple) -> int:
        found = self._index.get(combo)
        if found is None:
            found = self._index[combo] = len(self.combos)
            self.combos.append(combo)
        return found

    def rows(self, col: Col, n: int, why: Why) -> np.ndarray:
        """Each row's combo index for a name's column."""
        idx = np.zeros(n, dtype=np.int32)
        if col.unk is None:
            return idx
        unk = np.broadcast_to(np.asarray(col.unk, dtype=bool), (n,))
        if not unk.any():
            return idx
        w = col.why
        assert w is not None, "a column with unknown rows has their why"
        if w.ndim == 1:
            idx[unk] = self.add(_combo(why, w))
            return idx
        rows = np.flatnonzero(unk)
        uniq, inverse = distinct_rows(w[rows])
        codes = np.array([self.add(_combo(why, u)) for u in uniq], dtype=np.int32)
        idx[rows] = codes[inverse]
        return idx


def distinct_rows(words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct rows of a 2-D uint64 array, each row's index among them), found by
    hashing each row's bytes in Arrow (np.unique(axis=0) sorts, which is far slower)."""
    cells = np.ascontiguousarray(words)
    m, width = cells.shape
    raw = pa.FixedSizeBinaryArray.from_buffers(pa.binary(8 * width), m, [None, pa.py_buffer(cells)])
    enc = pc.dictionary_encode(raw)
    uniq = np.frombuffer(b"".join(enc.dictionary.to_pylist()), dtype=cells.dtype).reshape(-1, width)
    return uniq, enc.indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)


def _combo(why: Why, words: np.ndarray) -> tuple:
    missing, bodies, reasons = why.describe(words)
    status = "undetermined" if missing or reasons else "discretionary"
    return (status, missing, bodies, reasons)


def values(col: Col, ty: Any, n: int) -> pa.Array:
    """The values of a name's column as an Arrow array (null where unknown)."""
    mask = None if col.unk is None else np.broadcast_to(np.asarray(col.unk, bool), (n,))
    if mask is not None and not mask.any():
        mask = None
    known = True if mask is None else ~mask
    shared = np.ndim(col.v) == 0
    v = np.full(n, col.v) if shared and col.kind != "obj" else np.broadcast_to(np.asarray(col.v), (n,))
    kind = col.kind
    if kind == "bool":
        bits = np.packbits(np.asarray(v, dtype=bool), bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), n, [_validity(mask), pa.py_buffer(bits)], _nulls(mask))
    if kind == "date":
        return pa.array(v.astype("datetime64[D]", copy=False), type=pa.date32(), mask=mask)
    if kind == "enum":
        codes = (v if mask is None else v * known).astype(np.int16, copy=False)
        return pa.DictionaryArray.from_arrays(over(codes, pa.int16(), mask), pa.array(list(col.members)))
    if kind == "num" and v.dtype != object:
        got = _numbers(col, v, known, mask, n)
        if got is not None:
            return got
    if mask is not None and mask.all():
        out = [None] * n
    elif shared:  # one value shared by every row: made plain once
        out = [_plain(lower(col.like(col.v), 1).tolist()[0])] * n
        for r in (np.flatnonzero(mask).tolist() if mask is not None else ()):
            out[r] = None
    elif ty.kind == "text" and _strings(lowered := lower(col, n)):
        return pa.array(lowered, type=pa.string())  # str or None already: taken as it is
    else:
        out = [_plain(x) for x in lower(col, n).tolist()]
    if ty.kind == "enum":
        return pa.array(out, type=pa.string()).dictionary_encode()
    try:
        return pa.array(out)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if x is None else str(x) for x in out], type=pa.string())


def _validity(mask: np.ndarray | None) -> Any:
    """The Arrow validity bitmap of the rows not masked (None: every row is valid)."""
    return None if mask is None else pa.py_buffer(np.packbits(~mask, bitorder="little"))


def _nulls(mask: np.ndarray | None) -> int:
    return 0 if mask is None else int(np.count_nonzero(mask))


def pooled(n: int, dtype: Any) -> np.ndarray:
    """An uninitialised NumPy array over a buffer of Arrow's memory pool (which keeps its pages
    for the next table, where fresh NumPy arrays of a million rows are page-faulted in again);
    `over` makes an Arrow array of it without a copy."""
    dt = np.dtype(dtype)
    return np.frombuffer(pa.allocate_buffer(dt.itemsize * n), dtype=dt)


def over(values: np.ndarray, ty: Any, mask: np.ndarray | None = None) -> pa.Array:
    """An Arrow array of fixed-width type `ty` over the buffer of a NumPy array (no copy), null
    where `mask` holds."""
    return pa.Array.from_buffers(ty, len(values), [_validity(mask), _buffer(values)], _nulls(mask))


def _buffer(values: np.ndarray) -> Any:
    """The Arrow buffer of a `pooled` array (all of it, in order), else one over its bytes."""
    base = values.base
    while isinstance(base, np.ndarray):
        base = base.base
    if isinstance(base, pa.Buffer) and values.flags.c_contiguous and base.size == values.nbytes:
        return base
    return pa.py_buffer(np.ascontiguousarray(values))


def _strings(values: np.ndarray) -> bool:
    """Whether every value is a str or None (the types gathered by C loops, not a generator)."""
    return set(map(type, values.tolist())) <= {str, type(None)}


def _plain(x: Any) -> Any:
    if x is None:
        return None
    if isinstance(x, (bool, str)):
        return x
    if isinstance(x, tuple):
        return [_plain(y) for y in x]
    return plain(x)[0]


def _numbers(col: Col, v: np.ndarray, known: Any, mask: Any, n: int) -> pa.Array | None:
    """Exact numbers in the unit they are shown in: int64 where whole, else decimal128."""
    factor = Fraction(col.q[2]) if col.q is not None else Fraction(1)
    d = Fraction(col.den) * factor
    mult, divisor = d.denominator, d.numerator
    lim = col.lim
    if lim is None:
        return None
    if divisor == 1:
        if lim * mult >= 2**62:
            return None
        out = pooled(n, np.int64)
        np.multiply(v if mask is None else v * known, mult, out=out, casting="unsafe")  # int64 holds lim * mult
        return over(out, pa.int64(), mask)
    twofive, a, b = divisor, 0, 0
    while twofive % 2 == 0:
        twofive, a = twofive // 2, a + 1
    while twofive % 5 == 0:
        twofive, b = twofive // 5, b + 1
    rest = twofive
    places = max(a, b)
    scale = places if rest == 1 else max(6, places)
    if lim * mult * 10**scale >= 2**62:
        return None
    if lim <= 1 << 15 and n > 8 * lim:  # few values: each one's decimal words, gathered by value
        every = np.arange(-lim, lim + 1, dtype=np.int64)
        words = _words(_unscaled(every * mult, divisor, rest, scale))
        at = fit(v, 2 * lim + 1) if mask is None else fit(v, 2 * lim + 1) * known
        cells = words.view("V16").reshape(-1)  # one 16-byte cell a value: gathered as bytes
        data = pa.allocate_buffer(16 * n)  # from Arrow's pool, which keeps its pages for the next table
        cells.take((at + np.asarray(lim, dtype=np.asarray(at).dtype)).astype(np.intp),
                   out=np.frombuffer(data, dtype="V16"))
        return pa.Array.from_buffers(pa.decimal128(38, scale), n, [_validity(mask), data], _nulls(mask))
    x = np.asarray(v, dtype=np.int64) if mask is None else np.asarray(v * known, dtype=np.int64)
    return _decimals(_unscaled(x * mult if mult != 1 else x, divisor, rest, scale), scale, mask, n)


def _unscaled(x: np.ndarray, divisor: int, rest: int, scale: int) -> np.ndarray:
    """The decimal of x / divisor in units of 10**-scale (int64)."""
    whole, r = np.divmod(x, divisor)
    if not r.any():  # every value whole (years of 12 months, say)
        return whole * 10**scale if scale else whole
    if divisor <= 1 << 16:  # x = whole * divisor + r: the digits of r / divisor, one per remainder
        return whole * 10**scale + _fractions(np.arange(divisor, dtype=np.int64), divisor, rest, scale)[r]
    return _fractions(x, divisor, rest, scale)


def _fractions(x: np.ndarray, divisor: int, rest: int, scale: int) -> np.ndarray:
    """x / divisor in units of 10**-scale: exact where it terminates within `scale` places, else
    rounded half to even at 6 places (as `to_decimal` shows a value)."""
    if rest == 1:
        return x * (10**scale // divisor) if 10**scale % divisor == 0 else (x * 10**scale) // divisor
    pure = divisor // rest
    g = np.gcd(x, divisor)
    terminating = (pure % (divisor // g)) == 0
    exact_u = (x * 10**scale) // divisor
    q, r = np.divmod(x * 10**6, divisor)
    up = (2 * r > divisor) | ((2 * r == divisor) & (q % 2 == 1))
    rounded = (q + up) * 10**(scale - 6)
    return np.where(terminating, exact_u, rounded)


def _words(u: np.ndarray) -> np.ndarray:
    """int64 values as decimal128 cells: (low word, high word: the sign), little-endian."""
    buf = pooled(2 * len(u), np.int64).reshape(-1, 2)
    buf[:, 0] = u
    np.right_shift(u, 63, out=buf[:, 1])
    return buf


def _decimals(u: np.ndarray, scale: int, mask: Any, n: int) -> pa.Array:
    """A decimal128 array of the int64 unscaled values `u` (two little-endian words each)."""
    buf = _words(u)
    return pa.Array.from_buffers(pa.decimal128(38, scale), n, [_validity(mask), _buffer(buf)], _nulls(mask))


def lists(answers: Answers, idx: np.ndarray, part: int, cache: dict) -> pa.Array:
    """A list_view<string> column of one part (1 missing, 2 decided_by, 3 reasons) of each row's combo."""
    n = len(idx)
    if not any(c[part] for c in answers.combos):
        key = ("empty", n)
        found = cache.get(key)
        if found is None:
            zeros = _zeros(n, cache)
            found = cache[key] = pa.ListViewArray.from_arrays(zeros, zeros, pa.array([], pa.string()))
        return found
    child: list[str] = []
    offsets, sizes = [], []
    for c in answers.combos:
        offsets.append(len(child))
        sizes.append(len(c[part]))
        child.extend(c[part])
    off = _zeros(n, cache) if not any(offsets) else over(lookup(offsets, idx, np.int32), pa.int32())
    size = over(lookup(sizes, idx, np.int32), pa.int32())
    return pa.ListViewArray.from_arrays(off, size, pa.array(child, pa.string()))


def _zeros(n: int, cache: dict) -> pa.Array:
    """n int32 zeros, one array shared by every list column of a table (offsets where every
    list starts at the first child, sizes where every list is empty)."""
    key = ("zeros", n)
    found = cache.get(key)
    if found is None:
        found = cache[key] = pa.array(np.zeros(n, dtype=np.int32))
    return found


def lookup(table: list[int], idx: np.ndarray, dtype: Any) -> np.ndarray:
    """table[idx] (an index -1 takes the last entry) as an array of `dtype`: a fill where every
    entry is the same, sums of masks where there are a few (most outcomes have one or two
    answers that are not determined), else one gather."""
    out = pooled(len(idx), dtype)
    if all(t == table[0] for t in table):
        out.fill(table[0])
        return out
    if len(table) <= 4:
        last = table[-1]
        out.fill(last)
        for i, t in enumerate(table[:-1]):
            if t != last:
                out += (idx == i) * np.asarray(t - last, dtype=dtype)
        return out
    np.take(np.array(table, dtype=dtype), idx, out=out, mode="wrap")  # -1 wraps to the last entry
    return out


STATUSES = ["determined", "undetermined", "discretionary", "error"]


def statuses(answers: Answers, idx: np.ndarray, cache: dict | None = None) -> pa.Array:
    """The status of each row (dictionary<string>); one shared array where all are determined."""
    if len(answers.combos) == 1 and cache is not None:
        key = ("determined", len(idx))
        found = cache.get(key)
        if found is None:
            found = cache[key] = statuses(answers, idx)
        return found
    codes = lookup([STATUSES.index(c[0]) for c in answers.combos], idx, np.int8)
    return pa.DictionaryArray.from_arrays(over(codes, pa.int8()), pa.array(STATUSES, pa.string()))


def provisions(first: Any, lut: np.ndarray, eids: Sequence[str | None], n: int) -> pa.Array:
    """The eId of each row's first winning rule (null where none decided), from each row's
    index `first` (-1: none; a 0-d value shared by every row) and `lut`, the code in `eids` of
    each index (-1 last): one gather of the two luts composed."""
    table = [e or "" for e in eids]
    uniq = sorted(set(table))
    pos = {e: i for i, e in enumerate(uniq)}
    lut = _small(np.array([pos[table[c]] if c >= 0 else 0 for c in lut.tolist()], dtype=np.int32), len(uniq))
    words = pa.array(uniq, pa.string())
    ty = pa.from_numpy_dtype(lut.dtype)
    if np.ndim(first) == 0:  # -1 (none decided) takes the last entry, masked
        f = int(first)
        mask = np.ones(n, dtype=bool) if f < 0 else None
        return pa.DictionaryArray.from_arrays(over(np.full(n, lut[f], dtype=lut.dtype), ty, mask), words)
    first = np.broadcast_to(first, (n,))
    mask = first < 0
    codes = lookup(lut.tolist(), first, lut.dtype)
    return pa.DictionaryArray.from_arrays(over(codes, ty, mask if mask.any() else None), words)


def _small(idx: np.ndarray, size: int) -> np.ndarray:
    if size < 127:
        return idx.astype(np.int8)
    if size < 32000:
        return idx.astype(np.int16)
    return idx.astype(np.int32)


__all__ = ["Answers", "lists", "provisions", "statuses", "values", "divide", "to_decimal", "Q"]
