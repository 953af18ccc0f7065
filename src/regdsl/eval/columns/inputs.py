"""Facts as columns: a table's columns checked and converted to `Col`s, with errors per row.

A column is converted as the per-student evaluator converts one value
(`facts.validate.convert`), so a row gets exactly the value, or exactly the
error, that the same student given alone would.  The common cases are
vectorised (booleans; integers and floats for numbers and quantities, in
whole base units; strings and dictionaries for enumerations; dates); any
other column is converted one distinct value at a time, with the
per-student converter itself.  A value that is not a whole number of base
units, or one too large for int64 arithmetic, makes the column exact
(object dtype: ints and Fractions).  Nulls, NaNs and absent columns are
unknown facts.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...core.units import Q
from ...errors import FactsError
from ...facts.validate import TooManyDigits, _enum_hint, convert, describe_input, outside_message
from .cols import Col, Why, int_type

_BIG = 2**62
Errors = dict[int, list[tuple[str, str, str]]]  # row -> [(code, message, column)]


def as_table(data: Any) -> tuple[pa.Table, dict[str, list]]:
    """A pyarrow Table from a Table, a pandas DataFrame, a RecordBatch or a mapping of columns;
    and the columns of Python values of mixed types (in the table as their text)."""
    if isinstance(data, pa.Table):
        return data, {}
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data]), {}
    if is_frame(data):
        return pa.Table.from_pandas(data, preserve_index=False), {}
    if hasattr(data, "items"):
        arrays: list[Any] = []
        names: list[str] = []
        mixed: dict[str, list] = {}
        for name, col in data.items():
            names.append(str(name))
            arr = _array(col)
            if isinstance(arr, _Mixed):
                mixed[str(name)] = arr
                arr = pa.array([None if v is None else str(v) for v in arr], pa.string())
            arrays.append(arr)
        lengths = {len(a) for a in arrays}
        if len(lengths) > 1:
            raise FactsError(f"the columns have different lengths: {sorted(lengths)}", code="E604")
        return (pa.table(arrays, names=names) if arrays else pa.table({})), mixed
    raise FactsError(f"a table of students is a pyarrow Table, a pandas DataFrame or a mapping of "
                     f"columns, not {type(data).__name__}", code="E604")


def is_frame(data: Any) -> bool:
    """Whether `data` is a pandas DataFrame (told without importing pandas)."""
    return type(data).__module__.startswith("pandas") and hasattr(data, "columns")


def _array(col: Any) -> pa.Array | pa.ChunkedArray | _Mixed:
    if isinstance(col, (pa.Array, pa.ChunkedArray)):
        return col
    if isinstance(col, np.ndarray):
        if col.dtype.kind == "f":
            return pa.array(col, from_pandas=True)  # NaN is a missing value, as in pandas
        if col.dtype.kind == "U" and col.ndim == 1 and col.dtype.itemsize:
            return _strings(col)
        if col.dtype.kind == "b" and col.ndim == 1:  # packed to bits by NumPy (pa.array goes one by one)
            bits = pa.py_buffer(np.packbits(col, bitorder="little"))
            return pa.Array.from_buffers(pa.bool_(), len(col), [None, bits])
        if col.dtype.kind in "biuUSM":
            return pa.array(col)
        return _objects(list(col))
    return _objects(list(col))


def _strings(col: np.ndarray) -> pa.DictionaryArray:
    """A NumPy array of str as a dictionary array, each distinct value decoded once.

    Arrow hashes the fixed-width UTF-32 cells as binary (no Python object per row): a column of
    a few distinct words (an enumeration) costs a hash per row instead of a str per row."""
    cells = np.ascontiguousarray(col)
    width = cells.dtype.itemsize
    raw = pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), len(cells), [None, pa.py_buffer(cells)])
    enc = pc.dictionary_encode(raw)
    words = np.frombuffer(b"".join(enc.dictionary.to_pylist()), dtype=cells.dtype).tolist()
    return pa.DictionaryArray.from_arrays(enc.indices, pa.array(words, pa.string()))


def _objects(values: list) -> pa.Array | _Mixed:
    """An array from Python values; values of mixed types become a column of their text."""
    try:
        return pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return _Mixed(values)


class _Mixed(list):
    """Python values arrow cannot hold in one column (mixed types): converted one by one."""

    @property
    def type(self) -> str:
        return "mixed"

    def __len__(self) -> int:
        return list.__len__(self)


class Converted:
    """The facts of a group: a Col per given fact, and the errors of each row."""

    def __init__(self, n: int):
        self.n = n
        self.cols: dict[str, Col] = {}
        self.errors: Errors = {}

    def error(self, rows: np.ndarray, code: str, message: Callable[[int], str], column: str) -> None:
        for r in rows.tolist():
            self.errors.setdefault(r, []).append((code, message(r), column))


def convert_table(book: Any, why: Why, table: pa.Table, mixed: dict[str, list] | None = None) -> Converted:
    """Every fact and decision the table gives, converted (absent ones are left out: unknown)."""
    out = Converted(table.num_rows)
    names = set(table.column_names)
    mixed = mixed or {}
    for name, inp in book.inputs.items():
        if name not in names:
            continue
        col = mixed.get(name) or table.column(name)
        if isinstance(col, _Mixed):
            pass
        elif isinstance(col, pa.ChunkedArray) and col.num_chunks != 1:
            col = col.combine_chunks()
        elif isinstance(col, pa.ChunkedArray):
            col = col.chunk(0)
        got = _convert(name, inp.ty, book.units, col, out)
        if got is not None:
            out.cols[name] = _within_domain(name, inp, book.units, got, col, out)
    return out


def _nulls(arr: Any) -> np.ndarray | None:
    if isinstance(arr, _Mixed):
        m = np.array([v is None or (isinstance(v, float) and math.isnan(v)) for v in arr], dtype=bool)
        return m if m.any() else None
    if arr.null_count == 0:
        return None
    return np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)


def _convert(name: str, ty: Any, units: Any, arr: Any, out: Converted) -> Col | None:
    n = out.n
    nulls = _nulls(arr)
    if nulls is not None and nulls.all():
        return None
    kind = ty.kind
    at = arr.type if not isinstance(arr, _Mixed) else None
    if kind == "text" and at is not None and pa.types.is_dictionary(at):
        arr = arr.dictionary_decode()
        at = arr.type
    got: Col | None = None
    if at is not None:
        if kind == "boolean" and pa.types.is_boolean(at):
            got = Col("bool", _bools(arr, nulls))
        elif kind in ("number", "quantity") and (pa.types.is_integer(at) or pa.types.is_floating(at)):
            got = _numbers(name, ty, units, arr, nulls, out)
        elif kind == "enum" and (pa.types.is_string(at) or pa.types.is_large_string(at)
                                 or pa.types.is_dictionary(at)):
            got = _enums(name, ty, units, arr, nulls, out)
        elif kind == "date" and (pa.types.is_date(at) or pa.types.is_timestamp(at)):
            days = pc.cast(pc.cast(arr, pa.date32()), pa.int32()).fill_null(0)
            got = Col("date", days.to_numpy(zero_copy_only=False).astype("datetime64[D]"))
        elif kind == "text" and (pa.types.is_string(at) or pa.types.is_large_string(at)):
            got = Col("obj", np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object))
    if got is None:
        got = _one_by_one(name, ty, units, arr, nulls, out)
    if nulls is not None and got is not None:
        got.unk = nulls if got.unk is None else (got.unk | nulls)
    return got


def _bools(arr: pa.Array, nulls: np.ndarray | None) -> np.ndarray:
    """An Arrow boolean array as a NumPy one (false where null), its bits unpacked by NumPy."""
    n, start = len(arr), arr.offset
    if n == 0 or arr.buffers()[1] is None:
        return np.zeros(n, dtype=bool)
    bits = np.frombuffer(arr.buffers()[1], dtype=np.uint8)
    v = np.unpackbits(bits, count=start + n, bitorder="little")[start:].view(bool)
    return v if nulls is None else v & ~nulls


def _numbers(name: str, ty: Any, units: Any, arr: pa.Array, nulls: Any, out: Converted) -> Col | None:
    """Integers and floats: whole base units in int64 where exact, else the exact converter."""
    factor, q = _unit_of(ty, units)
    if factor is None or (ty.integer and pa.types.is_floating(arr.type)):
        return _one_by_one(name, ty, units, arr, nulls, out)
    if pa.types.is_integer(arr.type):
        if pa.types.is_uint64(arr.type):
            return _one_by_one(name, ty, units, arr, nulls, out)
        x = (arr.fill_null(0) if arr.null_count else arr).to_numpy(zero_copy_only=False).astype(np.int64,
                                                                                              copy=False)
        lim = _bound_of(arr)
        if lim * factor >= _BIG:
            return _one_by_one(name, ty, units, arr, nulls, out)
        x = x.astype(int_type(max(lim * factor, factor)))  # the narrowest dtype that holds it (numbers.py)
        return Col("num", x * np.asarray(factor, dtype=x.dtype) if factor != 1 else x, lim=lim * factor, q=q)
    x = arr.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
    twos_fives = factor  # becomes the part of the factor with prime factors other than 2 and 5
    for p in (2, 5):
        while twos_fives % p == 0:
            twos_fives //= p
    rest, places = twos_fives, _places(factor // twos_fives)
    bound = 10.0 ** (15 - places)
    with np.errstate(invalid="ignore", over="ignore"):
        # Where every value is given, finite and in bounds (a NaN fails both comparisons), and
        # each is a whole number of base units: checked with reductions, no mask per row.
        if nulls is None and x.size and x.min() > -bound and x.max() < bound:
            k = np.multiply(x, factor)
            np.rint(k, out=k)
            if (k / factor == x).all():
                ki = k.astype(np.int64)
                lim = _bound(ki)
                ki = ki.astype(int_type(lim))
                # the remainders by `rest` (where every |ki| < rest, only 0 is a multiple)
                left = ki % np.asarray(rest, dtype=ki.dtype) if rest <= lim else ki
                if rest == 1 or not left.any():
                    return Col("num", ki, lim=lim, q=q)
        k = np.rint(x * factor)
        ok = np.isfinite(k) & (np.abs(x) < bound) & (k / factor == x)
        ki = np.where(ok, k, 0).astype(np.int64)  # whole and in bounds where ok
        if rest != 1:
            ok &= ki % rest == 0
    if nulls is not None:
        ok |= nulls
    if ok.all():
        lim = _bound(ki)
        return Col("num", ki.astype(int_type(lim)), lim=lim, q=q)
    # Rows that are not a whole number of base units (or NaN): the exact converter decides.
    return _one_by_one(name, ty, units, arr, nulls, out)


def _bound_of(arr: pa.Array) -> int:
    """The largest magnitude of an Arrow column of integers, nulls left out (0 for none): its
    minimum and maximum in one pass."""
    got = pc.min_max(arr).as_py()
    return max(-got["min"], got["max"]) if got["min"] is not None else 0


def _bound(x: np.ndarray) -> int:
    """The largest magnitude of a column of machine integers (0 for none)."""
    return max(-int(x.min()), int(x.max())) if x.size else 0


def _places(d: int) -> int:
    twos = fives = 0
    while d % 2 == 0:
        d, twos = d // 2, twos + 1
    while d % 5 == 0:
        d, fives = d // 5, fives + 1
    return max(twos, fives)


def _unit_of(ty: Any, units: Any) -> tuple[int | None, tuple | None]:
    """(the declared unit's factor, as an int, and the quantity's (dim, unit, factor)); None if
    the unit is compound or its factor is not whole (the exact converter handles those)."""
    if ty.kind == "number":
        return 1, None
    if not ty.unit or " per " in ty.unit:
        return None, None
    u = units.get(ty.unit)
    if u is None or type(u.factor) is not int:
        return None, None
    return u.factor, (u.dim, u.plural, u.factor)


def _enums(name: str, ty: Any, units: Any, arr: pa.Array, nulls: Any, out: Converted) -> Col | None:
    enc = arr if pa.types.is_dictionary(arr.type) else pc.dictionary_encode(arr)
    words = enc.dictionary.to_pylist()
    members = tuple(ty.members)
    code_of = {m: i for i, m in enumerate(members)}
    lut = np.array([code_of.get(w, -1) if isinstance(w, str) else -1 for w in words] + [-1], dtype=np.int16)
    idx = _codes(enc.indices, len(words))
    codes = lut[idx]
    bad = codes < 0
    if nulls is not None:
        bad &= ~nulls
    if bad.any():
        _fail(name, ty, units, out, np.flatnonzero(bad), lambda r: words[idx[r]])
        codes = np.where(codes < 0, 0, codes).astype(np.int16)
        return _with_errors(Col("enum", codes, members=members), bad)
    return Col("enum", codes, members=members)


def _with_errors(c: Col, bad: np.ndarray) -> Col:
    """A column whose rows with input errors are unknown (their outcomes are replaced anyway)."""
    if bad.any():
        c.unk = bad if c.unk is None else (c.unk | bad)
    return c


def _fail(name: str, ty: Any, units: Any, out: Converted, rows: np.ndarray, raw_of: Callable[[int], Any]) -> None:
    """Record, for each row, the error the per-student converter gives for its value."""
    cache: dict[Any, tuple[str, str]] = {}
    for r in rows.tolist():
        raw = raw_of(r)
        key = (type(raw), raw) if _hashable(raw) else None
        found = cache.get(key) if key is not None else None
        if found is None:
            found = _message(name, ty, units, raw)
            if key is not None:
                cache[key] = found
        out.errors.setdefault(r, []).append((found[0], found[1], name))


def _message(name: str, ty: Any, units: Any, raw: Any) -> tuple[str, str]:
    try:
        convert(raw, ty, units)
    except TooManyDigits as e:
        return "E606", f"fact `{name}` has {e}"
    except ValueError as e:
        hint = _enum_hint(raw, ty)
        text = f"fact `{name}` should be {describe_input(ty)}, but {e}"
        return "E602", text + (f" (did you mean `{hint}`?)" if hint and "`" not in hint else
                               f" ({hint})" if hint else "")
    return "E602", f"fact `{name}` should be {describe_input(ty)}"


def _hashable(v: Any) -> bool:
    return isinstance(v, (str, int, float, bool, type(None))) or type(v).__name__ in ("date", "time", "Decimal")


def _pylist(arr: Any) -> list:
    return list(arr) if isinstance(arr, _Mixed) else arr.to_pylist()


def _one_by_one(name: str, ty: Any, units: Any, arr: Any, nulls: Any, out: Converted) -> Col | None:
    """Any column: each distinct value converted by the per-student converter."""
    from .lift import lift

    if not isinstance(arr, _Mixed):
        got = _distinct(name, ty, units, arr, out)
        if got is not None:
            return got
    raws = _pylist(arr)
    cache: dict[Any, Any] = {}
    values: list[Any] = []
    bad_rows: list[int] = []
    for r, raw in enumerate(raws):
        if raw is None or (isinstance(raw, float) and math.isnan(raw)):
            values.append(None)
            continue
        key = (type(raw), raw) if _hashable(raw) else None
        if key is not None and key in cache:
            v = cache[key]
        else:
            try:
                v = convert(raw, ty, units)
            except ValueError:
                v = _BAD
            if key is not None:
                cache[key] = v
        if v is _BAD:
            bad_rows.append(r)
            values.append(None)
        else:
            values.append(v)
    if bad_rows:
        _fail(name, ty, units, out, np.array(bad_rows), lambda r: raws[r])
    col = lift(values, ty, len(values))
    return col


_BAD = object()


def _within_domain(name: str, inp: Any, units: Any, c: Col, arr: Any, out: Converted) -> Col:
    """`c`, with the rows whose value lies outside the fact's domain unknown and given the error the
    per-student validator gives (E602: docs/language.md, "The values a fact may take")."""
    ty, domain = inp.ty, inp.domain
    if ty.kind not in ("quantity", "number", "date") or (domain is None and ty.kind != "quantity"):
        return c
    if c.kind == "num" and c.lim is not None:
        lo = 0 if ty.kind == "quantity" else None  # the default lower bound, then the declared ones
        if domain is not None and domain.at_least is not None:
            lo = getattr(domain.at_least, "value", domain.at_least)
        hi = getattr(domain.at_most, "value", domain.at_most) if domain is not None else None
        v = np.broadcast_to(c.v, (out.n,))
        whole = getattr(domain, "whole", False)
        if not whole and v.size and (lo is None or v.min() >= math.ceil(lo * c.den)) and \
                (hi is None or v.max() <= math.floor(hi * c.den)):
            return c  # every row within the bounds (two reductions, no mask)
    rows = np.ones(out.n, dtype=bool) if c.unk is None else ~np.broadcast_to(c.unk, (out.n,))
    if c.kind == "num" and c.lim is not None:
        near = np.zeros(out.n, dtype=bool)  # v / den < lo or v / den > hi, in whole numbers
        if lo is not None:
            near |= v < math.ceil(lo * c.den)
        if hi is not None:
            near |= v > math.floor(hi * c.den)
        if whole:  # a whole number of the declared unit: v a multiple of den * unit
            declared = units.get(ty.unit) if ty.kind == "quantity" and " per " not in ty.unit else None
            step = Fraction(c.den) * (declared.factor if declared is not None else 1)
            near |= (v.astype(np.int64) % step.numerator != 0) if step.denominator == 1 else True
        rows &= near
    if not rows.any():
        return c
    raws = _pylist(arr)
    said: dict[Any, str | None] = {}
    bad = np.zeros(out.n, dtype=bool)
    for r in np.flatnonzero(rows).tolist():
        raw = raws[r]
        key = (type(raw), raw) if _hashable(raw) else None
        if key is not None and key in said:
            message = said[key]
        else:
            try:
                message = outside_message(name, convert(raw, ty, units), ty, domain, inp.provision, units)
            except ValueError:
                message = None  # not a value of the type: reported already
            if key is not None:
                said[key] = message
        if message is not None:
            out.errors.setdefault(r, []).append(("E602", message, name))
            bad[r] = True
    return _with_errors(c, bad)


def _distinct(name: str, ty: Any, units: Any, arr: pa.Array, out: Converted) -> Col | None:
    """An Arrow column converted one distinct value at a time (Arrow finds them by hashing);
    None for a type Arrow cannot encode (the caller goes row by row)."""
    from .exprs import take
    from .lift import lift

    try:
        enc = arr if pa.types.is_dictionary(arr.type) else pc.dictionary_encode(arr)
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    words = enc.dictionary.to_pylist()
    values: list[Any] = []
    bad: list[int] = []
    for i, raw in enumerate(words):
        v = None
        if raw is not None and not (isinstance(raw, float) and math.isnan(raw)):
            try:
                v = convert(raw, ty, units)
            except ValueError:
                bad.append(i)
        values.append(v)
    values.append(None)  # the code of a null
    idx = _codes(enc.indices, len(words))
    if bad:
        rows = np.flatnonzero(np.isin(idx, np.array(bad)))
        _fail(name, ty, units, out, rows, lambda r: words[idx[r]])
    return take(lift(values, ty, len(values)), idx, len(idx))


def _codes(indices: pa.Array, null_code: int) -> np.ndarray:
    """A dictionary array's indices as int32 or int64 (as Arrow holds them, no copy), nulls as
    `null_code`."""
    if pa.types.is_integer(indices.type) and indices.type.bit_width < 32:
        indices = indices.cast(pa.int32())
    if indices.null_count:
        indices = indices.fill_null(null_code)
    got = indices.to_numpy(zero_copy_only=False)
    return got if got.dtype in (np.int32, np.int64) else got.astype(np.int64)


def facts_of_row(table: pa.Table, book: Any, row: int, mixed: dict[str, list] | None = None) -> dict[str, Any]:
    """A row's facts as a facts file would give them (nulls left out), for the per-student path."""
    names = [c for c in table.column_names if c in book.inputs]
    rec = table.select(names).slice(row, 1).to_pylist()[0] if names else {}
    for k, col in (mixed or {}).items():
        if k in rec:
            rec[k] = col[row]
    return {k: v for k, v in rec.items() if v is not None and not (isinstance(v, float) and math.isnan(v))}


__all__ = ["Converted", "as_table", "convert_table", "facts_of_row", "Q"]
