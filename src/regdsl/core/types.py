"""The types of the language, as the checker infers and compares them."""

from __future__ import annotations

import attrs

from .units import Dim, dim_name


@attrs.frozen
class Type:
    """A value type.  `kind` is boolean, number, text, date, time, enum, quantity,
    range, list, table_row or any; quantities carry a dimension and a unit,
    enumerations their members."""

    kind: str
    dim: Dim = ()
    unit: str = ""
    members: tuple[str, ...] = ()
    inner: "Type | None" = None
    integer: bool = False

    def same(self, other: "Type") -> bool:
        """Whether values of the two types can be compared or added."""
        if self.kind == "any" or other.kind == "any":
            return True
        if self.kind != other.kind:
            return False
        if self.kind == "quantity":
            return self.dim == other.dim
        if self.kind == "enum":
            return set(self.members) == set(other.members)
        if self.kind in ("range", "list"):
            return self.inner is None or other.inner is None or self.inner.same(other.inner)
        return True

    def describe(self) -> str:
        """How the type reads in a message: `years`, `one of a, b`, `a date`."""
        if self.kind == "quantity":
            return self.unit or dim_name(self.dim)
        if self.kind == "enum":
            return "one of " + ", ".join(self.members)
        if self.kind == "number":
            return "an integer" if self.integer else "a number"
        if self.kind in ("range", "list"):
            return f"{self.kind} of {self.inner.describe() if self.inner else 'values'}"
        return {"boolean": "true or false", "text": "text", "date": "a date",
                "time": "a time of day", "any": "any value"}.get(self.kind, self.kind)


BOOLEAN = Type("boolean")
NUMBER = Type("number")
INTEGER = Type("number", integer=True)
TEXT = Type("text")
DATE = Type("date")
TIME = Type("time")
ANY = Type("any")

SIMPLE_TYPES = {
    "boolean": BOOLEAN,
    "integer": INTEGER,
    "number": NUMBER,
    "decimal": NUMBER,
    "text": TEXT,
    "date": DATE,
    "time": TIME,
}


def quantity(dim: Dim, unit: str = "") -> Type:
    """A quantity type of the given dimension."""
    return Type("quantity", dim=dim, unit=unit) if dim else NUMBER
