"""Values that are not (yet) known: missing facts, pending decisions, delegations."""

from __future__ import annotations

from typing import Any


# (id(a), id(b)) -> (a, b, a merged with b); the objects are kept so that their ids stay theirs.
_MERGED: dict[tuple[int, int], tuple["Unknown", "Unknown", "Unknown"]] = {}


class Unknown:
    """A value the evaluation cannot give, with what would decide it.

    `missing` are facts not given; `bodies` are decisions not yet taken, as
    (decision, body) pairs; `reasons` explain anything else (a delegated
    matter, an unencoded version).  `guess` is the value an unknown rule
    would give if it applied, so that an exception that would not change the
    answer does not make it unknown.
    """

    __slots__ = ("missing", "bodies", "reasons", "guess", "_sorted")

    def __init__(self, missing=frozenset(), bodies=frozenset(), reasons=frozenset(), guess=None):
        self.missing = missing
        self.bodies = bodies
        self.reasons = reasons
        self.guess = guess
        self._sorted: tuple | None = None

    def merge(self, other: "Unknown") -> "Unknown":
        """The union of two unknowns (remembered: the same unknowns meet in every evaluation)."""
        if other is self:
            return self
        key = (id(self), id(other))
        hit = _MERGED.get(key)
        if hit is not None and hit[0] is self and hit[1] is other:
            return hit[2]
        merged = Unknown(self.missing | other.missing, self.bodies | other.bodies,
                         self.reasons | other.reasons)
        if len(_MERGED) > 8192:
            _MERGED.clear()
        _MERGED[key] = (self, other, merged)
        return merged

    def shown(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """(missing facts, deciding bodies, reasons), each sorted, as an outcome lists them."""
        found = self._sorted
        if found is None:
            found = self._sorted = (tuple(sorted(self.missing)), tuple(sorted({b for _, b in self.bodies})),
                                    tuple(sorted(self.reasons)))
        return found

    def __repr__(self) -> str:
        parts = []
        if self.missing:
            parts.append("missing=" + ",".join(sorted(self.missing)))
        if self.bodies:
            parts.append("decided_by=" + ",".join(sorted(b for _, b in self.bodies)))
        if self.reasons:
            parts.append("reasons=" + "; ".join(sorted(self.reasons)))
        return f"Unknown({' '.join(parts)})"

    @property
    def status(self) -> str:
        if self.missing or self.reasons:
            return "undetermined"
        return "discretionary"


def is_unknown(v: Any) -> bool:
    return type(v) is Unknown


def merge_all(values) -> Unknown:
    """The union of the unknowns among `values`."""
    out = None
    for v in values:
        if type(v) is Unknown:
            out = v if out is None else out.merge(v)
    return out if out is not None else Unknown()
