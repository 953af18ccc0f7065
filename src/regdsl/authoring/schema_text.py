"""`regdsl schema` as text: the facts a book needs and the outcomes it gives."""

from __future__ import annotations

import textwrap

WIDTH = 80


def _entry(e: dict, extra: str = "") -> list[str]:
    kind = e.get("unit") or e["type"]
    if e.get("values"):
        kind = "one of " + ", ".join(e["values"])
    head = f"  {e['name']} : {kind}" + "".join(f", {b}" for b in e.get("bounds", ()))
    lines = textwrap.wrap(head, WIDTH, subsequent_indent="      ")
    if e.get("description"):
        lines += textwrap.wrap(e["description"], WIDTH, initial_indent="      ", subsequent_indent="      ")
    if extra:
        lines += textwrap.wrap(extra, WIDTH, initial_indent="      ", subsequent_indent="        ")
    return lines


def schema_text(schema: dict) -> str:
    """The schema of a book as readable text."""
    out = [schema["title"], ""]
    sections = [
        ("Facts (give these in the facts file)", schema["facts"],
         lambda e: f"declared in {e['declared_in']['cite']}" if e.get("declared_in") else ""),
        ("Decisions (discretionary until given as facts)", schema["decisions"],
         lambda e: f"decided by {e['decided_by']}"),
        ("Outcomes (what `regdsl eval` answers)", schema["outcomes"],
         lambda e: "provisions: " + "; ".join(p["cite"] for p in e.get("provisions", []))),
        ("Definitions (intermediate values)", schema["definitions"],
         lambda e: "provisions: " + "; ".join(p["cite"] for p in e.get("provisions", []))),
    ]
    for title, entries, extra in sections:
        if not entries:
            continue
        out.append(f"{title}:")
        for e in entries:
            out += _entry(e, extra(e))
        out.append("")
    return "\n".join(out)
