"""Checking tables: columns, rows of literal cells, and the totals a regulation prints."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from .. import ir
from ..syntax import nodes as n
from ..core.types import Type
from ..core.units import Q, format_number
from ..core.values import Unknown
from .expressions import Expressions


_LITERALS = (n.Number, n.Quantity, n.String, n.DateLit, n.TimeLit, n.Bool, n.Name)
_BAD_CELL = Unknown(reasons=frozenset({"this cell of the table has an error"}))


class TableData:
    """A checked table: its columns, their types and the rows' values (totals apart)."""

    def __init__(self, key: str, name: str, columns: list[n.Column], types: list[Type], rows: list[list[Any]],
                 as_of: dt.date | None):
        self.key = key
        self.name = name
        self.columns = columns
        self.types = types
        self.rows = rows
        self.as_of = as_of

    def lowered(self) -> ir.Table:
        """The table as the IR holds it."""
        return ir.Table(self.key, self.name, tuple(self.types), tuple(tuple(r) for r in self.rows), self.as_of)


class Tables(Expressions):
    """Checking tables: columns, rows of literal cells, and the totals a regulation prints."""

    def check_tables(self) -> None:
        for name, (table, _) in self.book.tables.items():
            cols = [s for s in table.statements if isinstance(s, n.Column)]
            rows = [s for s in table.statements if isinstance(s, n.Row)]
            if not cols:
                self.error(f"table `{name}` has no columns", table.span, "E408")
                continue
            types = [self.type_of(c.type) for c in cols]
            data = []
            for row in rows:
                if len(row.cells) != len(cols):
                    self.error(f"this row of `{name}` has {len(row.cells)} cells for {len(cols)} columns",
                               row.span, "E408")
                    continue
                values = [self.cell(c, t) for c, t in zip(row.cells, types)]
                if not row.total:
                    data.append(values)
            for row in rows:
                if row.total and len(row.cells) == len(cols):
                    self.check_total(name, cols, types, row, data)
            as_of = [s.date for s in table.statements if isinstance(s, n.AsOf)]
            self.tables[name] = TableData(f"{self.book.name}:{name}", name, cols, types, data,
                                          as_of[0] if as_of else None)

    def _literal(self, part: Any, inner: Type) -> Any:
        t, x = self.expr(part, None, inner)
        if not t.same(inner):
            self.expect(t, inner, part, "this cell")
            return _BAD_CELL
        return x.value if isinstance(x, ir.Const) else _BAD_CELL

    def cell(self, c: n.Cell, t: Type) -> Any:
        if c.value is None:
            return None
        inner = t.inner if t.kind == "range" and t.inner is not None else t
        for part in (c.value, c.high):
            if part is not None and not isinstance(part, _LITERALS):
                self.error("a table cell holds a value written out (a number, quantity, text, date, "
                           "time or one of the column's values), not a name or a calculation",
                           part.span, "E408")
                return _BAD_CELL
        if isinstance(c.value, n.Name) and not (inner.kind == "enum" and c.value.name in inner.members):
            self.error(f"`{c.value.name}` is not one of the values of this column"
                       + (f" ({', '.join(inner.members)})" if inner.kind == "enum" else ""),
                       c.value.span, "E408")
            return _BAD_CELL
        v = self._literal(c.value, inner)
        if v is _BAD_CELL:
            return v
        if t.kind == "range":
            if c.high is None:
                return (v, v)
            high = self._literal(c.high, inner)
            return _BAD_CELL if high is _BAD_CELL else (v, high)
        if c.high is not None:
            self.error("a range `a to b` is only allowed in a `range of` column", c.span, "E408")
        return v

    def check_total(self, name: str, cols: list[n.Column], types: list[Type], row: n.Row,
                    data: list[list[Any]]) -> None:
        for i, (col, t) in enumerate(zip(cols, types)):
            cell = row.cells[i]
            if cell.value is None or t.kind not in ("number", "quantity"):
                continue
            stated = self.cell(cell, t)
            parts = [r[i] for r in data if r[i] is not None]
            if any(type(p) is Unknown for p in parts) or type(stated) is Unknown:
                continue  # a cell with an error of its own is reported already
            total = _sum(parts)
            if total is not None and stated is not None and total != stated:
                self.error(f"the total of column `{col.name}` in table `{name}` is {_show(total)}, "
                           f"but the table states {_show(stated)}", cell.span, "E409")


def _sum(parts: list[Any]) -> Any:
    if not parts:
        return None
    total = parts[0]
    for p in parts[1:]:
        total = Q(total.value + p.value, total.dim, total.unit, total.factor) if isinstance(total, Q) else total + p
    return total


def _show(v: Any) -> str:
    if isinstance(v, Q):
        return str(v)
    if isinstance(v, (int, Fraction)) and not isinstance(v, bool):
        return format_number(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)
