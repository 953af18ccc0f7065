"""What would change an answer (`regdsl why-not`, `Book.why_not`), as data and as text."""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import Any

from ..core.units import Q
from ..eval.counterfactual import Change
from .outcome import Outcome, json_value, plain
from .report import WIDTH, show_value


class WhyNot:
    """An outcome as the facts give it, the value asked about, and the changes that would give it."""

    def __init__(self, outcome: Outcome, wanted: str, changes: list[tuple[Change, Outcome]]):
        self.outcome = outcome
        self.wanted = wanted  # in words: "yes", "not no", ...
        self.changes = changes

    def to_dict(self) -> dict:
        """The answer as JSON data."""
        return {
            "outcome": self.outcome.name, "value": json_value(self.outcome.value), "unit": self.outcome.unit,
            "status": self.outcome.status, "wanted": self.wanted,
            "changes": [{
                "facts": [{"name": name, "from": _json(old), "to": _json(new), "unit": _unit(new)}
                          for name, old, new in change.facts],
                "value": json_value(after.value), "unit": after.unit,
                "citations": [c.to_dict() for c in after.citations],
            } for change, after in self.changes],
        }

    def text(self) -> str:
        """The answer as a person reads it."""
        o = self.outcome
        head = f"{o.name} = {show_value(o.value, o.unit)}"
        if o.status != "determined":
            return head + f" [{o.status}]: there is no answer to change; `regdsl eval --reason` says " \
                          "what would decide it\n"
        lines = [head]
        if not self.changes:
            lines.append(f"No change of one or two of the facts given makes it {self.wanted}.")
            return "\n".join(lines) + "\n"
        lines.append(f"It would be {self.wanted}:")
        for i, (change, after) in enumerate(self.changes, 1):
            what = " and ".join(_changed(name, old, new) for name, old, new in change.facts)
            cites = after.citations[0].cite if after.citations else ""  # the deciding provision
            body = f"with {what}, {o.name} = {show_value(after.value, after.unit)}" + (f" ({cites})" if cites else "")
            lines.append(textwrap.fill(body, WIDTH, initial_indent=f"  {i}. ", subsequent_indent="     "))
        return "\n".join(lines) + "\n"


def _changed(name: str, old: Any, new: Any) -> str:
    if isinstance(old, bool) or isinstance(new, bool):
        return f"{name} {show_value(new, None)} instead of {show_value(old, None)}"
    if isinstance(old, Q) and isinstance(new, Q):
        delta = plain(Q(new.value - old.value, new.dim, new.unit, new.factor))
        more = "more" if new.value > old.value else "less"
        size = show_value(abs(delta[0]), delta[1])
        return f"{name} {_shown(new)} instead of {_shown(old)} ({size} {more})"
    return f"{name} {_shown(new)} instead of {_shown(old)}"


def _shown(v: Any) -> str:
    if isinstance(v, dt.date):
        return v.isoformat()
    value, unit = plain(v) if not isinstance(v, str) else (v, None)
    return show_value(value, unit)


def _json(v: Any) -> Any:
    if isinstance(v, (bool, str)) or v is None:
        return v
    return json_value(plain(v)[0] if not isinstance(v, dt.date) else v)


def _unit(v: Any) -> str | None:
    return plain(v)[1] if isinstance(v, Q) else None
