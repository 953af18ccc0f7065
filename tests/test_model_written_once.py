"""The book model is written once: by building and completing it (references resolved).
The checker, `render` and `show` only read it."""

from __future__ import annotations

from pathlib import Path

import attrs

import regdsl.check
from regdsl.model.provisions import BookModel, Provision, RuleInfo, Symbol

ROOT = Path(__file__).resolve().parents[1]
MODEL_CLASSES = (BookModel, Provision, Symbol, RuleInfo)


def _shape(v, depth: int = 0):
    """A value as a comparable shape: model objects by identity, containers item by item."""
    if isinstance(v, MODEL_CLASSES) or attrs.has(type(v)) or depth > 3:
        return ("id", id(v))
    if isinstance(v, dict):
        return ("dict", tuple((k, _shape(x, depth + 1)) for k, x in v.items()))
    if isinstance(v, (list, tuple, set, frozenset)):
        items = sorted(v, key=id) if isinstance(v, (set, frozenset)) else v
        return (type(v).__name__, tuple(_shape(x, depth + 1) for x in items))
    return ("value", v)


def fingerprint(book: BookModel) -> dict:
    """Every public attribute of the model and of its provisions, names and rules."""
    objects = [book, *book.provisions(), *book.symbols.values(), *(r for rs in book.rules.values() for r in rs)]
    out = {(type(o).__name__, id(o)): {k: _shape(v) for k, v in vars(o).items() if not k.startswith("_")}
           for o in objects}
    out["references"] = len(book.references)
    return out


def test_the_checker_render_and_show_do_not_write_the_model(monkeypatch, capsys):
    from regdsl.authoring import show
    from regdsl.authoring.render import render
    from regdsl.read import read

    seen = []
    real = regdsl.check.lower

    def lower(model, others=None):
        seen.append((model, fingerprint(model)))
        return real(model, others)

    monkeypatch.setattr(regdsl.check, "lower", lower)
    loaded = read(ROOT / "regulations" / "graduate")  # uses the University Regulations
    assert not loaded.errors
    assert len(seen) == 2  # the used book, then this one
    for model, before in seen:
        assert len(model.references) > 0
        for fmt in ("html", "markdown", "text"):
            render(model, fmt)
        assert fingerprint(model) == before, model.name
    model = seen[-1][0]
    article = next(a for a in model.articles if not a.deleted)
    show._resolve(model, show.parse_ref(f"article {article.number}", show.REF_FILE), f"article {article.number}")
    assert fingerprint(model) == seen[-1][1]


def test_references_are_resolved_once_into_the_table():
    from regdsl.model.references import statement_refs
    from regdsl.read import read
    from regdsl.syntax import nodes as n

    model = read(ROOT / "regulations" / "university").model
    written = [(ref, p) for p in model.provisions() for s in p.statements
               if not isinstance(s, (n.Applies, n.Table, n.Body)) for ref in statement_refs(s)]
    assert written and len(model.references) >= len(written)
    for ref, p in written:
        found = model.references.lookup(ref, p)
        assert found is not None
        assert isinstance(found, list) and found, ref  # the bundled book's references all point somewhere
    other_at = next(p for p in model.provisions() if p is not written[0][1])
    assert model.references.lookup(written[0][0], other_at) is None  # from elsewhere: not in the table
