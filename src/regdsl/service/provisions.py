"""`GET /books/{book}/provisions/{eid}`: one provision's citation, text and parts, as JSON or HTML.

A provision of another book that the book applies (graduate Article 52 →
University Regulations) is asked for with `?book=university_regulations`, as
its citation in a result names it (`citation.book`); its text is the one the
evaluated book reads.
"""

from __future__ import annotations

import html
from typing import Any

from ..errors import CheckError, Span, did_you_mean
from .problems import Problem


def _iso(d: Any) -> str | None:
    return d.isoformat() if d else None


def provision_json(book: Any, eid: str, other: str | None = None) -> dict:
    """A provision of `book` (or of the book `other` it applies) as JSON data; 404 if there is none."""
    ir = book.ir
    home = other or ir.name
    p = ir.provisions.get(f"{home}:{eid}")
    if p is None:
        eids = [q.eid for q in ir.provisions.values() if q.book == home]
        where = f"the book `{home}` applied by `{ir.name}`" if other else f"`{ir.name}`"
        hint = did_you_mean(eid, eids) or f"the eIds are in the citations of a result (`citations[].eid`)"
        if other and not any(q.book == other for q in ir.provisions.values()):
            hint = f"`{ir.name}` applies no book named `{other}`"
        raise Problem.of([CheckError(f"no provision of {where} has the eId `{eid}`",
                                     Span("<url>", 1, 1), code="E303", hint=hint)], ir.name)
    prefix = p.key + "__"
    parts = [q for key, q in ir.provisions.items()
             if key.startswith(prefix) and "__" not in key[len(prefix):] and "/" not in key]
    title = ""
    try:
        model = book.model if not other else book.model.others.get(other)
        found = model.find(eid) if model is not None else None
        title = found.title if found is not None else ""
    except Exception:  # noqa: BLE001 - a title is a nicety; never a reason to fail
        title = ""
    article = ir.provisions.get(p.article)
    return {
        "book": p.book, "eid": p.eid, "cite": p.cite, "home_cite": p.home_cite, "kind": p.kind,
        "number": p.number, "title": title, "text": p.text, "deleted": p.deleted,
        "in_force_from": _iso(p.start), "in_force_until": _iso(p.end),
        "article": {"eid": article.eid, "cite": article.cite} if article is not None and article is not p else None,
        "via": p.via,
        "parts": [{"eid": q.eid, "cite": q.cite, "kind": q.kind, "number": q.number, "text": q.text,
                   "deleted": q.deleted} for q in parts],
    }


def provision_html(p: dict) -> str:
    """A provision as a small page of its own (what a citation links to)."""
    e = html.escape
    rows = [f"<p>{e(p['text'])}</p>" if p["text"] else ""]
    for q in p["parts"]:
        label = q["cite"].split(", ")[-1]
        rows.append(f'<section id="{e(q["eid"])}"><h2>{e(label)}</h2>'
                    f'<p>{e(q["text"]) if q["text"] else "<em>(no text)</em>"}</p></section>')
    if p["deleted"]:
        rows.append("<p><em>Deleted.</em></p>")
    since = f"in force from {p['in_force_from']}" if p["in_force_from"] else ""
    until = f" to {p['in_force_until']}" if p["in_force_until"] else ""
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{e(p['home_cite'])}</title><link rel=\"stylesheet\" href=\"../../../playground.css\"></head>"
            f"<body class=\"provision\"><main><h1>{e(p['home_cite'])}"
            f"{' — ' + e(p['title']) if p['title'] else ''}</h1>"
            f"<p class=\"meta\"><code>{e(p['eid'])}</code> {e(since + until)}</p>{''.join(rows)}</main></body></html>")
