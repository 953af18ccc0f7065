"""Outcomes as reasoning over the missing facts leaves them (eval/reason.py).

An outcome the evaluation left open becomes determined when every case of
the missing facts gives the same value: its citations are those of every
case, its explanation is the first case's, and a note says which facts
made no difference.  An outcome still open keeps only the facts and
decisions that can change it, and says which cases would decide it.
"""

from __future__ import annotations


from ..eval.reason import Refinement
from .outcome import Citation, Explanation, Outcome, Version, plain

MAX_SHOWN = 8  # cases listed in `decided_when`


class ReasonedProvenance:
    """The citations, versions, notes and explanation of an outcome decided in every case."""

    def __init__(self, refinement: Refinement):
        self.refinement = refinement
        self._cites: tuple[tuple[Citation, ...], tuple[Version, ...]] | None = None

    def cached_citations(self, name: str) -> tuple[tuple[Citation, ...], tuple[Version, ...]]:
        if self._cites is None:
            cites: dict[Citation, None] = {}
            versions: dict[Version, None] = {}
            for leaf in self.refinement.leaves:
                ev = leaf.evaluation
                for p in ev.provisions(name):
                    c, v = ev.citation(p)
                    cites[c] = None
                    if v is not None:
                        versions[v] = None
            self._cites = (tuple(cites), tuple(versions))
        return self._cites

    def notes(self, name: str) -> tuple[str, ...]:
        assumed = sorted(self.refinement.assumed)
        out = []
        if assumed:
            verb = "is" if len(assumed) == 1 else "are"
            out.append(f"the same whatever {_join(assumed)} {verb} (not given): "
                       f"{len(self.refinement.leaves)} case(s) evaluated")
        first = self.refinement.leaves[0].evaluation
        out += [f"stated as of {w.as_of.isoformat()} ({w.provision.cite})"
                for w in first.name(name).winners if getattr(w, "as_of", None)]
        return tuple(out)

    def cached_explanation(self, name: str) -> Explanation:
        return self.refinement.leaves[0].evaluation.explain(name)


def reasoned(outcome: Outcome, refinement: Refinement) -> Outcome:
    """`outcome` (left open by the evaluation) as the reasoning over its missing facts has it."""
    if refinement.determined:
        raw = refinement.value
        t = type(raw)
        value, unit = (raw, None) if t is bool or t is str else plain(raw)
        if refinement.provenance is None:  # one for every student the refinement is shared by
            refinement.provenance = ReasonedProvenance(refinement)
        return Outcome(outcome.name, outcome.description, value, unit, "determined",
                       provenance=refinement.provenance)
    missing = tuple(sorted(refinement.missing))
    bodies = tuple(sorted({b for _, b in refinement.bodies}))
    reasons = tuple(sorted(refinement.reasons))
    if not (missing or bodies or reasons):
        return outcome
    status = "undetermined" if missing or reasons else "discretionary"
    when = []
    for value, conditions in refinement.conditions()[:MAX_SHOWN]:
        shown, unit = (value, None) if type(value) in (bool, str) else plain(value)
        when.append((shown, unit, conditions))
    return Outcome(outcome.name, outcome.description, None, outcome.unit, status, missing, bodies, reasons,
                   outcome.provenance, tuple(when))


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


