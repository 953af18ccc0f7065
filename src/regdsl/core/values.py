"""Values that are not (yet) known: missing facts, pending decisions, delegations."""

from __future__ import annotations

from typing import Any


_PARTNERS = 64  # merges an unknown remembers (the same few unknowns meet in every evaluation)


class Unknown:
    """A value the evaluation cannot give, with what would decide it.

    `missing` are facts not given; `bodies` are decisions not yet taken, as
    (decision, body) pairs; `reasons` explain anything else (a delegated
    matter, an unencoded version).  `guess` is the value an unknown rule
    would give if it applied, so that an exception that would not change the
    answer does not make it unknown.
    """

    __slots__ = ("missing", "bodies", "reasons", "guess", "_sorted", "_merged")

    def __init__(self, missing=frozenset(), bodies=frozenset(), reasons=frozenset(), guess=None):
        self.missing = missing
        self.bodies = bodies
        self.reasons = reasons
        self.guess = guess
        self._sorted: tuple | None = None
        self._merged: dict[Unknown, Unknown] | None = None  # other -> self merged with other

    def merge(self, other: "Unknown") -> "Unknown":
        """The union of two unknowns (remembered: the same unknowns meet in every evaluation)."""
        if other is self:
            return self
        memo = self._merged
        if memo is None:
            memo = self._merged = {}
        else:
            hit = memo.get(other)  # unknowns hash and compare by identity
            if hit is not None:
                return hit
            if len(memo) >= _PARTNERS:
                memo.clear()
        merged = memo[other] = Unknown(self.missing | other.missing, self.bodies | other.bodies,
                                       self.reasons | other.reasons)
        return merged

    def __getstate__(self) -> tuple:
        return (self.missing, self.bodies, self.reasons, self.guess)

    def __setstate__(self, state: tuple) -> None:
        self.missing, self.bodies, self.reasons, self.guess = state
        self._sorted = None
        self._merged = None

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
