"""Values that are not (yet) known: missing facts, pending decisions, delegations."""

from __future__ import annotations

from typing import Any


class Unknown:
    """A value the evaluation cannot give, with what would decide it.

    `missing` are facts not given; `bodies` are decisions not yet taken, as
    (decision, body) pairs; `reasons` explain anything else (a delegated
    matter, an unencoded version).  `guess` is the value an unknown rule
    would give if it applied, so that an exception that would not change the
    answer does not make it unknown.
    """

    __slots__ = ("missing", "bodies", "reasons", "guess")

    def __init__(self, missing=frozenset(), bodies=frozenset(), reasons=frozenset(), guess=None):
        self.missing = missing
        self.bodies = bodies
        self.reasons = reasons
        self.guess = guess

    def merge(self, other: "Unknown") -> "Unknown":
        if other is self:
            return self
        return Unknown(self.missing | other.missing, self.bodies | other.bodies,
                       self.reasons | other.reasons)

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
