"""An IRBook as plain JSON data, and back: for the per-user cache of checked books.

A warm `regdsl eval` reads a book's IR from the cache instead of parsing and
checking its files again.  The cache may sit in a directory other people can
reach, so it is data only (JSON: nothing in it can run), and `load` accepts
only what `dump` writes: a known class for every object, known fields, known
value tags.  Anything else raises ValueError, and the cache is rebuilt.

Provisions are written once, in the book's table, and referred to by key
elsewhere, so that a provision read back is one object everywhere, as
citations (which keep provisions unique by identity) need.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import attrs

from ..errors import Span
from ..core.types import Type
from ..core.units import Q, UnitDef, UnitTable
from . import book as b
from . import expr as e

FORMAT = 2  # 2: the domains of facts

_EXPRS: dict[str, type] = {c.__name__: c for c in (
    e.Const, e.Fact, e.Ref, e.Today, e.Not, e.And, e.Or, e.Arith, e.Fold, e.Neg, e.Compare, e.OneOf, e.If, e.Call,
    e.BodyCall, e.Items, e.Lookup, e.Shown)}


# ------------------------------------------------------------------ values


def _value(v: Any) -> Any:
    if v is None or isinstance(v, (bool, str)):
        return v
    if type(v) is int:
        return v
    if type(v) is Fraction:
        return {"f": [v.numerator, v.denominator]}
    if type(v) is dt.date:
        return {"d": v.isoformat()}
    if type(v) is dt.time:
        return {"t": v.isoformat()}
    if type(v) is Q:
        return {"q": [_value(v.value), [list(x) for x in v.dim], v.unit, _value(v.factor)]}
    if type(v) is tuple:
        return {"T": [_value(x) for x in v]}
    if type(v) is frozenset:
        return {"S": sorted((_value(x) for x in v), key=repr)}
    raise ValueError(f"cannot write a {type(v).__name__} in a cached book")


def _unvalue(v: Any) -> Any:
    if v is None or isinstance(v, (bool, str, int)):
        return v
    if isinstance(v, dict) and len(v) == 1:
        (tag, x), = v.items()
        if tag == "f":
            return Fraction(int(x[0]), int(x[1]))
        if tag == "d":
            return dt.date.fromisoformat(x)
        if tag == "t":
            return dt.time.fromisoformat(x)
        if tag == "q":
            return Q(_unvalue(x[0]), tuple((str(k), int(p)) for k, p in x[1]), str(x[2]), _unvalue(x[3]))
        if tag == "T":
            return tuple(_unvalue(i) for i in x)
        if tag == "S":
            return frozenset(_unvalue(i) for i in x)
    raise ValueError("not a value regdsl writes")


def _type(t: Type) -> Any:
    return [t.kind, [list(x) for x in t.dim], t.unit, list(t.members), _type(t.inner) if t.inner else None,
            t.integer]


def _untype(x: Any, memo: dict) -> Type:
    key = repr(x)
    found = memo.get(key)
    if found is None:
        kind, dim, unit, members, inner, integer = x
        found = memo[key] = Type(str(kind), tuple((str(k), int(p)) for k, p in dim), str(unit),
                                 tuple(str(m) for m in members), _untype(inner, memo) if inner else None,
                                 bool(integer))
    return found


def _span(s: Span | None) -> Any:
    return None if s is None else [s.file, s.line, s.column, s.end_line, s.end_column]


def _unspan(x: Any) -> Span | None:
    return None if x is None else Span(str(x[0]), int(x[1]), int(x[2]), int(x[3]), int(x[4]))


# ------------------------------------------------------------------ expressions


def _expr(x: e.Expr) -> Any:
    out: dict[str, Any] = {"@": type(x).__name__, "ty": _type(x.ty), "span": _span(x.span)}
    for f in attrs.fields(type(x)):
        if f.name in ("ty", "span"):
            continue
        v = getattr(x, f.name)
        if isinstance(v, e.Expr):
            out[f.name] = {"E": _expr(v)}
        elif f.name in ("args", "rest"):
            out[f.name] = {"Es": [_expr(i) for i in v]}
        else:
            out[f.name] = _value(v)
    return out


def _unexpr(x: Any, memo: dict) -> e.Expr:
    cls = _EXPRS.get(str(x.get("@"))) if isinstance(x, dict) else None
    if cls is None:
        raise ValueError("not an expression regdsl writes")
    kw: dict[str, Any] = {}
    for f in attrs.fields(cls):
        if f.name == "ty":
            continue
        if f.name == "span":
            kw["span"] = _unspan(x.get("span"))
            continue
        v = x.get(f.name)
        if isinstance(v, dict) and "E" in v:
            kw[f.name] = _unexpr(v["E"], memo)
        elif isinstance(v, dict) and "Es" in v:
            kw[f.name] = tuple(_unexpr(i, memo) for i in v["Es"])
        else:
            kw[f.name] = _unvalue(v)
    return cls(_untype(x["ty"], memo), **kw)


def _opt(x: e.Expr | None) -> Any:
    return None if x is None else _expr(x)


# ------------------------------------------------------------------ the book


def dump(book: b.IRBook) -> dict:
    """The IRBook as JSON-able data."""
    provs = [[p.key, p.eid, p.kind, p.number, p.cite, p.home_cite, p.text, p.book, p.foreign_book, p.via,
              _value(p.start), _value(p.end), p.article, p.own_book,
              [[_value(s), _value(t)] for s, t in p.versions], p.deleted] for p in book.provisions.values()]
    extra = {}
    for p in _all_provisions(book):
        if book.provisions.get(p.key) is not p:
            extra[p.key] = True
    if extra:
        raise ValueError("a provision outside the book's table")

    def rule(r: b.Rule) -> Any:
        return [r.rid, r.name, r.kind, r.provision.key, _opt(r.cond), _opt(r.value), sorted(r.overrides),
                _value(r.as_of), r.source]

    return {
        "format": FORMAT,
        "name": book.name, "title": book.title, "short_title": book.short_title,
        "in_force": _value(book.in_force), "digest": book.digest,
        "provisions": provs,
        "inputs": [[i.name, i.kind, _type(i.ty), i.description, i.decided_by, list(i.bodies),
                    i.provision.key if i.provision else None, i.adoption, _domain(i.domain)]
                   for i in book.inputs.values()],
        "names": [[n.name, n.kind, _type(n.ty), n.description, [rule(r) for r in n.rules],
                   n.provision.key if n.provision else None, n.adoption] for n in book.names.values()],
        "outcomes": list(book.outcomes),
        "items": [[i.key, i.provision.key, _expr(i.cond), i.source] for i in book.items.values()],
        "tables": [[t.key, t.name, [_type(x) for x in t.types], [[_value(c) for c in row] for row in t.rows],
                    _value(t.as_of)] for t in book.tables.values()],
        "organizations": {k: [o.titles, {n: [p.key for p in ps] for n, ps in o.where.items()}, o.relations,
                              {n: [p.key for p in ps] for n, ps in o.duties.items()}]
                          for k, o in book.organizations.items()},
        "transitions": [[t.title, _value(t.date), sorted(t.affected) if t.affected is not None else None,
                         [[_expr(c), p.key] for c, p in t.sparing]] for t in book.transitions],
        "adoptions": [[a.key, a.book, a.title, a.via.key, a.via_article.key] for a in book.adoptions.values()],
        "deps": {k: list(v) for k, v in book.deps.items()},
        "facts_read": {k: list(v) for k, v in book.facts_read.items()},
        "order": list(book.order),
        "units": [[u.singular, u.plural, [list(x) for x in u.dim], _value(u.factor)]
                  for u in _units(book.units)],
    }


def _domain(d: b.Domain | None) -> Any:
    return None if d is None else [_value(d.at_least), _value(d.at_most), d.whole, _value(d.after), _value(d.before)]


def _undomain(x: Any) -> b.Domain | None:
    if x is None:
        return None
    at_least, at_most, whole, after, before = x
    return b.Domain(_unvalue(at_least), _unvalue(at_most), bool(whole), _unvalue(after), _unvalue(before))


def _units(table: UnitTable) -> list[UnitDef]:
    return list({id(u): u for u in table.by_name.values()}.values())


def _all_provisions(book: b.IRBook) -> list[b.Prov]:
    out = [r.provision for n in book.names.values() for r in n.rules]
    out += [i.provision for i in book.items.values()]
    out += [p for i in book.inputs.values() if (p := i.provision) is not None]
    return out


def load(data: Any) -> b.IRBook:
    """The IRBook written by `dump`; ValueError if the data is not what `dump` writes."""
    try:
        return _load(data)
    except (KeyError, IndexError, TypeError, AttributeError, ValueError) as err:
        raise ValueError(f"not a cached book of this regdsl ({type(err).__name__})") from None


def _load(data: Any) -> b.IRBook:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("another format")
    memo: dict = {}
    provs: dict[str, b.Prov] = {}
    for x in data["provisions"]:
        (key, eid, kind, number, cite, home_cite, text, book_name, foreign, via, start, end, article, own,
         versions, deleted) = x
        provs[str(key)] = b.Prov(str(key), str(eid), str(kind), str(number), str(cite), str(home_cite), str(text),
                                 str(book_name), foreign, via, _unvalue(start), _unvalue(end), str(article),
                                 bool(own), tuple((_unvalue(s), _unvalue(t)) for s, t in versions), bool(deleted))

    def prov(key: Any) -> b.Prov | None:
        return None if key is None else provs[key]

    def rule(x: Any) -> b.Rule:
        rid, name, kind, pkey, cond, value, overrides, as_of, source = x
        return b.Rule(int(rid), str(name), str(kind), provs[pkey],
                      _unexpr(cond, memo) if cond is not None else None,
                      _unexpr(value, memo) if value is not None else None,
                      frozenset(int(o) for o in overrides), _unvalue(as_of), str(source))

    inputs = {x[0]: b.Input(str(x[0]), str(x[1]), _untype(x[2], memo), str(x[3]), str(x[4]),
                            tuple(str(i) for i in x[5]), prov(x[6]), x[7], _undomain(x[8])) for x in data["inputs"]}
    names = {x[0]: b.Name(str(x[0]), str(x[1]), _untype(x[2], memo), str(x[3]), tuple(rule(r) for r in x[4]),
                          prov(x[5]), x[6]) for x in data["names"]}
    items = {x[0]: b.Item(str(x[0]), provs[x[1]], _unexpr(x[2], memo), str(x[3])) for x in data["items"]}
    tables = {x[0]: b.Table(str(x[0]), str(x[1]), tuple(_untype(t, memo) for t in x[2]),
                            tuple(tuple(_unvalue(c) for c in row) for row in x[3]), _unvalue(x[4]))
              for x in data["tables"]}
    organizations = {k: b.Organization(dict(v[0]), {n: tuple(provs[p] for p in ps) for n, ps in v[1].items()},
                                       {n: dict(r) for n, r in v[2].items()},
                                       {n: tuple(provs[p] for p in ps) for n, ps in v[3].items()})
                     for k, v in data["organizations"].items()}
    transitions = tuple(b.Transition(str(t[0]), _unvalue(t[1]),
                                     frozenset(t[2]) if t[2] is not None else None,
                                     tuple((_unexpr(c, memo), provs[p]) for c, p in t[3]))
                        for t in data["transitions"])
    adoptions = {a[0]: b.Adoption(str(a[0]), str(a[1]), str(a[2]), provs[a[3]], provs[a[4]])
                 for a in data["adoptions"]}
    units = UnitTable()
    for singular, plural, dim, factor in data["units"]:
        units.add(UnitDef(str(singular), str(plural), tuple((str(k), int(p)) for k, p in dim), _unvalue(factor)))
    return b.IRBook(str(data["name"]), str(data["title"]), str(data["short_title"]), _unvalue(data["in_force"]),
                    provs, inputs, names, tuple(data["outcomes"]), items, tables, organizations, transitions,
                    adoptions, {k: tuple(v) for k, v in data["deps"].items()},
                    {k: tuple(v) for k, v in data["facts_read"].items()}, tuple(data["order"]), units,
                    str(data["digest"]))
