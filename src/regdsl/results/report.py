"""Results for people (80-column text) and for programs (deterministic JSON)."""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal

from ..errors import split_lines
from .outcome import Explanation, Outcome, Result, json_value
from ..core.units import format_number

WIDTH = 80


def to_json(result: Result, explain: bool = False) -> str:
    """Byte-identical JSON for identical inputs; the explanation trees only with `explain`."""
    return dumps(result.to_dict(explain)) + "\n"


def dumps(data) -> str:
    """`json.dumps(data, ensure_ascii=False, indent=2)`, writing every number exactly.

    A number that a float would change is a Decimal in `data` (see result.json_value), and
    json cannot write it; an integer of more than 4,300 digits json refuses.  Those few
    documents are written here instead, digit for digit, laid out as json lays them out.
    """
    try:
        return json.dumps(data, ensure_ascii=False, indent=2)
    except (TypeError, ValueError):
        out: list[str] = []
        _dump(data, "", out)
        return "".join(out)


def _dump(value, pad: str, out: list[str]) -> None:
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        out.append(format(Decimal(value), "f"))
    elif isinstance(value, dict) and value:
        inner = pad + "  "
        out.append("{")
        for i, (k, v) in enumerate(value.items()):
            out.append(("," if i else "") + "\n" + inner + json.dumps(str(k), ensure_ascii=False) + ": ")
            _dump(v, inner, out)
        out.append("\n" + pad + "}")
    elif isinstance(value, list) and value:
        inner = pad + "  "
        out.append("[")
        for i, v in enumerate(value):
            out.append(("," if i else "") + "\n" + inner)
            _dump(v, inner, out)
        out.append("\n" + pad + "]")
    else:
        out.append(json.dumps(value, ensure_ascii=False))


def show_value(value, unit: str | None) -> str:
    """A value as a person reads it: yes/no, `8 years`, dates in ISO form."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return "?"
    if isinstance(value, Decimal):
        text = format_number(value)
        if unit:
            singular = unit.rstrip("s") if abs(value) == 1 and unit.endswith("s") and " per " not in unit else unit
            return f"{text} {singular}"
        return text
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        return "; ".join(show_value(v, None) for v in value)
    return str(json_value(value))


def _wrap(label: str, text: str, indent: int = 2) -> list[str]:
    first = " " * indent + label
    return textwrap.wrap(text, WIDTH, initial_indent=first,
                         subsequent_indent=" " * (indent + len(label)), break_on_hyphens=False) or [first]


def outcome_text(o: Outcome) -> list[str]:
    """The lines for one outcome in `regdsl eval` text output."""
    tag = f"[{o.status}]"
    if o.status == "determined":
        head = f"{o.name} = {show_value(o.value, o.unit)}"
    elif o.status == "discretionary":
        head = f"{o.name} = pending a decision"
    else:
        head = f"{o.name} = ?"
    pad = WIDTH - len(head) - len(tag)
    lines = [head + " " * pad + tag if pad >= 1 else head + " " + tag]
    if o.description:
        lines += _wrap("", o.description)
    if o.decided_by:
        lines += _wrap("Decided by: ", "; ".join(o.decided_by))
    if o.missing:
        lines += _wrap("Missing facts: ", ", ".join(o.missing))
    if o.decided_when:
        lines += _wrap("Would be: ", "; ".join(f"{show_value(v, u)} if {' and '.join(c)}"
                                              for v, u, c in o.decided_when))
    for r in o.reasons:
        lines += _wrap("Because: ", r)
    for note in o.notes:
        lines += _wrap("Note: ", note)
    if o.citations:
        lines += _wrap("Provisions: ", "; ".join(c.cite for c in o.citations))
    return lines


def _versions(o: Outcome, book) -> list[str]:
    """Article versions other than the book's current text, when an answer applied one."""
    special = [v for v in o.versions if v.in_force_until is not None or v.in_force_from != book.in_force]
    if not special:
        return []
    return _wrap("Versions: ", "; ".join(
        f"{v.cite} as in force from {v.in_force_from or 'its enactment'}"
        + (f" to {v.in_force_until}" if v.in_force_until else "") for v in special))


def result_text(result: Result, explain: bool = False) -> str:
    """`regdsl eval` text output."""
    book = result.book
    since = f" (the text in force from {book.in_force.isoformat()})" if book.in_force else ""
    lines = [book.title, f"as of {result.as_of.isoformat()}{since}", ""]
    for o in result:
        lines += outcome_text(o) + _versions(o, book)
        if explain and o.explanation is not None:
            lines.append("  Why:")
            lines += _explain_lines(o.explanation, 4)
        lines.append("")
    counts: dict[str, int] = {}
    for o in result:
        counts[o.status] = counts.get(o.status, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    lines.append(f"{len(result)} outcome{'s' if len(result) != 1 else ''}: {summary}")
    return "\n".join(lines) + "\n"


def explain_text(o: Outcome) -> str:
    """The explanation tree of one outcome, indented."""
    lines = outcome_text(o)
    if o.explanation is not None:
        lines.append("  Why:")
        lines += _explain_lines(o.explanation, 4)
    return "\n".join(lines)


def _quote(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rsplit(" ", 1)[0] + " ..."


def _explain_lines(e: Explanation, indent: int) -> list[str]:
    pad = " " * indent
    value = show_value(e.value, e.unit) if e.status in ("determined", "given") else (
        "not given" if e.status == "not given" else e.status)
    if e.kind in ("fact", "decision"):
        return [f"{pad}{e.name} = {value}  ({e.kind}{', not given' if e.status == 'not given' else ''})"
                if e.status != "not given" else f"{pad}{e.name}: not given  ({e.kind})"]
    if e.kind == "item":
        verdict = {"determined": "holds" if e.value is True else "does not hold"}.get(e.status, e.status)
        lines = [f"{pad}{e.name} {verdict}"]
    else:
        where = f" by {e.citation.cite}" if e.citation else ""
        lines = [f"{pad}{e.name} = {value}{where}"]
    if e.text:
        lines += textwrap.wrap('"' + _quote(e.text) + '"', WIDTH, initial_indent=pad + "  ",
                               subsequent_indent=pad + "   ")
    if e.rule:
        for rl in split_lines(e.rule):
            lines.append(f"{pad}  > {rl}")
    for c, result in e.considered:
        lines.append(f"{pad}  ({c.cite}: {result})")
    for b in e.because:
        lines += _explain_lines(b, indent + 2)
    return lines
