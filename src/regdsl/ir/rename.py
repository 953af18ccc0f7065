"""Renaming inside lowered expressions: how a book applied mutatis mutandis is read."""

from __future__ import annotations

from typing import Any, Callable

import attrs

from .expr import Expr, Fact, Ref


def rename(e: Expr, here: Callable[[str], str]) -> Expr:
    """`e` with every fact, decision and computed name `x` read as `here(x)`."""
    t = type(e)
    if isinstance(e, (Fact, Ref)):
        new = here(e.name)
        return e if new == e.name else attrs.evolve(e, name=new)
    changes: dict[str, Any] = {}
    for field in attrs.fields(t):
        value = getattr(e, field.name)
        if isinstance(value, Expr):
            new_value = rename(value, here)
            if new_value is not value:
                changes[field.name] = new_value
        elif isinstance(value, tuple) and value and isinstance(value[0], Expr):
            renamed = tuple(rename(x, here) for x in value)
            if any(a is not b for a, b in zip(renamed, value)):
                changes[field.name] = renamed
    return attrs.evolve(e, **changes) if changes else e
