"""The type of an arithmetic operation: shared by the checker, which lowers it, and the
evaluators, which need the type of each step of a chain (an IR Fold keeps only the last)."""

from __future__ import annotations

from .builtins import DAYS, MONTHS
from .types import DATE, NUMBER, Type, quantity
from .units import dim_mul


def arith_type(op: str, lt: Type, rt: Type) -> tuple[Type, str] | str:
    """The result type and IR operation of `lt op rt`, or an error message."""
    kinds = (lt.kind, rt.kind)
    if "any" in kinds:
        other = rt if lt.kind == "any" else lt
        return other, "any" + op
    if op in ("+", "-"):
        verb, prep = ("add", "to") if op == "+" else ("subtract", "from")
        if kinds == ("number", "number"):
            return NUMBER, "num" + op
        if kinds == ("quantity", "quantity"):
            if lt.dim != rt.dim:
                return f"cannot {verb} {rt.describe()} {prep} {lt.describe()}"
            return lt, "q" + op
        if kinds == ("date", "quantity") and rt.dim in (MONTHS, DAYS):
            return DATE, "date" + op + ("months" if rt.dim == MONTHS else "days")
        if kinds == ("date", "date") and op == "-":
            return quantity(DAYS, "days"), "date-date"
        return f"cannot {verb} {rt.describe()} {prep} {lt.describe()}"
    if op == "*":
        if kinds == ("number", "number"):
            return NUMBER, "num*"
        if "number" in kinds and "quantity" in kinds:
            return (lt if lt.kind == "quantity" else rt), "q*"
        if kinds == ("quantity", "quantity"):
            return quantity(dim_mul(lt.dim, rt.dim)), "q*"
        return f"cannot multiply {lt.describe()} by {rt.describe()}"
    if op == "/":
        if kinds == ("number", "number"):
            return NUMBER, "num/"
        if kinds == ("quantity", "number"):
            return lt, "q/"
        if kinds == ("quantity", "quantity") or kinds == ("number", "quantity"):
            dim = dim_mul(lt.dim if lt.kind == "quantity" else (), rt.dim, -1)
            return quantity(dim), "q/"
        return f"cannot divide {lt.describe()} by {rt.describe()}"
    return f"unknown operator {op}"


def step_type(ir_op: str, lt: Type, rt: Type) -> Type:
    """The result type of one IR arithmetic step (`num+`, `q*`, `date+days`, ...)."""
    source_op = next(c for c in ir_op if c in "+-*/")
    got = arith_type(source_op, lt, rt)
    assert not isinstance(got, str), got
    return got[0]
