"""References to provisions (`items 1 and 2 of the preceding article`): resolved to the
provisions they point to, and described in their canonical words."""

from __future__ import annotations

from typing import Iterator

from ..syntax import nodes as n
from ..syntax.printer import describe_ref, describe_selector
from ..errors import CheckError, did_you_mean
from .numbers import _check_run, _expand_run, _TooLong
from .provisions import TOPS, BookModel, Provision, References


def resolve_ref(ref: n.Ref, at: Provision, book: BookModel) -> list[Provision]:
    """The provisions a reference written at `at` points to; raises CheckError."""
    target_book = book
    if ref.book is not None and ref.book != book.name:
        other = book.others.get(ref.book)
        if other is None:
            known = list(book.others) + [book.name]
            raise CheckError(f"unknown book `{ref.book}`", ref.span, code="E309",
                             hint=did_you_mean(ref.book, known)
                             or "declare it in the header: uses NAME from \"path\"")
        target_book = other
    bases: list[Provision] | None = None
    for group in reversed(ref.groups):
        if bases is None:
            bases = _resolve_group(group, None, at, target_book, ref)
        else:
            bases = [t for base in bases for t in _resolve_group(group, base, at, target_book, ref)]
    return bases or []



def resolve_all(book: BookModel) -> References:
    """Every reference written in the book's provisions, resolved from where it is written.

    The references of an `applies OTHER mutatis mutandis` statement that name the
    other book's provisions (`except ...`, the old side of `reading ... as ...`) are
    resolved in that book.  Tables and bodies are skipped: their items are provisions
    of their own, reached by the walk."""
    table = References()
    for p in book.provisions():
        for s in p.statements:
            if isinstance(s, n.Applies):
                for item in s.adaptations:
                    if isinstance(item, n.ExceptRefs):
                        for ref in item.refs:
                            _add(table, book, ref, p, s.book)
                    elif isinstance(item, n.Reading) and isinstance(item.old, n.Ref):
                        _add(table, book, item.old, p, s.book)
                        if isinstance(item.new, n.Ref):
                            _add(table, book, item.new, p, None)
            elif not isinstance(s, (n.Table, n.Body)):
                for ref in statement_refs(s):
                    _add(table, book, ref, p, None)
    return table


def _add(table: References, book: BookModel, ref: n.Ref, at: Provision, book_name: str | None) -> None:
    shown = ref if book_name is None or ref.book is not None else n.Ref(ref.groups, book_name, span=ref.span)
    try:
        table.add(ref, at, book_name, resolve_ref(shown, at, book))
    except CheckError as e:
        table.add(ref, at, book_name, e)
    except (ValueError, IndexError, AttributeError):
        pass  # not held: whoever asks resolves it and meets the problem as before


def statement_refs(node: n.Node) -> Iterator[n.Ref]:
    """The references written in a statement (not those of an `applies`, a table or a body),
    in the order they are written (a work stack: a chain of `+` may be thousands long)."""
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, n.Ref):
            yield node
        elif not isinstance(node, (n.Applies, n.Table, n.Body)):
            stack.extend(reversed(tuple(node.children())))


def _resolve_group(group, base: Provision | None, at: Provision, book: BookModel, ref) -> list[Provision]:
    current: list[Provision] = [] if base is None else [base]
    for i, sel in enumerate(group):
        if sel.kind in ("preceding", "following", "this", "items_here", "supplementary"):
            if i:
                raise CheckError(f"`{describe_ref(ref)}`: a relative reference must come first",
                                 sel.span, code="E305")
            if base is None and book is not at.book and sel.kind != "supplementary":
                # "the preceding article" counts from where it is written, which is not in that book.
                raise CheckError(f"`{describe_ref(ref)}`: {describe_selector(sel)} counts from where it is "
                                 f"written, so it cannot be in {book.short_title or ref.book}", sel.span,
                                 code="E305", hint="name the provision of the other book by its number, "
                                 f"e.g. `article 1 of {ref.book}`")
            current = [_relative(sel, base or at, book, ref)]
            if sel.kind == "items_here":
                current = _items_of(current[0], sel, ref)
            continue
        if sel.kind == "section":
            found = [p for p in book.sections if p.number == sel.numbers[0]]
            if not found:
                raise CheckError(f"`{describe_ref(ref)}` refers to Section {sel.numbers[0]}, which has "
                                 "no content of its own or does not exist", sel.span, code="E303")
            current = found
            continue
        numbers = _numbers(sel, book if sel.kind == "article" else None, ref)
        if sel.kind == "article":
            found = []
            for num in numbers:
                # the version in force when the referring provision starts to hold, else the latest
                art = book.article(num, at.start if book is at.book else None)
                if art is None:
                    raise CheckError(f"`{describe_ref(ref)}` refers to Article {num}, which does not exist"
                                     + (f" in {book.short_title}" if book is not at.book else ""),
                                     sel.span, code="E303",
                                     hint=did_you_mean(num, [k for k, v in book.by_number.items()
                                                          if not all(a.deleted for a in v)]))
                if art.deleted:
                    raise CheckError(f"`{describe_ref(ref)}` refers to Article {num}, which is deleted",
                                     sel.span, code="E304")
                found.append(art)
            current = found
            continue
        if not current:
            current = [_implicit(sel.kind, at)]
        out = []
        for c in current:
            host = _host(c, sel.kind)
            if host is None:
                raise CheckError(f"`{describe_ref(ref)}`: {c.cite} has no {sel.kind}s",
                                 sel.span, code="E303")
            for num in numbers:
                child = host.child(sel.kind, num)
                if child is None:
                    raise CheckError(f"`{describe_ref(ref)}` refers to {host.cite}, "
                                     f"{sel.kind.capitalize()} {num}, which does not exist",
                                     sel.span, code="E303")
                if child.deleted:
                    raise CheckError(f"`{describe_ref(ref)}` refers to {host.cite}, "
                                     f"{sel.kind.capitalize()} {num}, which is deleted", sel.span, code="E304")
                out.append(child)
        current = out
    return current


def _numbers(sel: n.Selector, book: BookModel | None, ref) -> list[str]:
    if sel.through is None:
        return list(sel.numbers)
    first, last = sel.numbers[0], sel.through
    try:
        if sel.kind == "article":
            run = _expand_run(first, last)
            if not run:
                raise CheckError(f"`{describe_ref(ref)}`: {first} to {last} is not a run of articles",
                                 sel.span, code="E204")
            return [r for r in run if book is None or r in book.by_number] or run
        if first.isdigit() and last.isdigit() and int(first) <= int(last):
            _check_run(int(first), int(last))
            return [str(i) for i in range(int(first), int(last) + 1)]
    except _TooLong as e:
        raise CheckError(f"`{describe_ref(ref)}` {e}", sel.span, code="E107") from None
    if first.isalpha() and last.isalpha() and first <= last:
        return [chr(c) for c in range(ord(first), ord(last) + 1)]
    raise CheckError(f"`{describe_ref(ref)}`: {first} to {last} is not a run", sel.span, code="E204")


def _implicit(kind: str, at: Provision) -> Provision:
    """Where "paragraph 2" or "item 3" written at `at` looks: its article, paragraph or item."""
    if kind == "paragraph":
        return at.article
    if kind == "item":
        p = at
        while p.kind not in ("paragraph", "duties"):
            p = p.owner
        return p
    p = at
    while p.kind not in ("item",) and p.parent is not None:
        p = p.parent
    return p


def _host(p: Provision, kind: str) -> Provision | None:
    """The provision whose children of `kind` a selector looks at, given `p`."""
    if kind == "paragraph":
        return p if p.kind in TOPS else None
    if kind == "item":
        if p.kind in TOPS:
            return p.children[0]
        return p if p.kind in ("paragraph", "duties") else None
    if kind == "subitem":
        return p if p.kind == "item" else None
    return None


def _relative(sel: n.Selector, at: Provision, book: BookModel, ref) -> Provision:
    if sel.kind == "supplementary":
        if book.supplementary is None:
            raise CheckError("the book has no Supplementary Provisions", sel.span, code="E303")
        return book.supplementary
    if sel.kind == "items_here":
        return at
    level = sel.target
    anchor: Provision | None = at
    while anchor is not None and anchor.kind != level and not (
        level == "article" and anchor.kind == "supplementary"
    ):
        anchor = anchor.parent
    if anchor is None:
        raise CheckError(f"`{describe_ref(ref)}` is not written inside an {level}",
                         sel.span, code="E305")
    if sel.kind == "this":
        return anchor
    step = -1 if sel.kind == "preceding" else 1
    if level == "article":
        if anchor.kind == "supplementary":
            raise CheckError(f"`{describe_ref(ref)}`: the Supplementary Provisions are not an article",
                             sel.span, code="E305")
        target = _neighbour_article(book, anchor, step)
        if target is None:
            raise CheckError(f"`{describe_ref(ref)}`: {anchor.cite} has no {sel.kind} article",
                             sel.span, code="E305")
        if target.deleted:
            raise CheckError(f"`{describe_ref(ref)}` from {anchor.cite} is Article {target.number}, "
                             "which is deleted", sel.span, code="E304")
        return target
    sibling = _neighbour(anchor, step)
    if sibling is None:
        raise CheckError(f"`{describe_ref(ref)}`: {anchor.cite} has no {sel.kind} {level}",
                         sel.span, code="E305")
    if sibling.deleted:
        raise CheckError(f"`{describe_ref(ref)}` from {anchor.cite} is {sibling.cite}, which is deleted",
                         sel.span, code="E304")
    return sibling


def _neighbour(p: Provision, step: int) -> Provision | None:
    """The sibling of the same kind before (step -1) or after (+1) `p`."""
    parent = p.owner
    index = parent.book.child_index(parent)
    i = index[id(p)] + step
    kids = parent.children
    while 0 <= i < len(kids) and kids[i].kind != p.kind:
        i += step
    return kids[i] if 0 <= i < len(kids) else None


def _neighbour_article(book: BookModel, anchor: Provision, step: int) -> Provision | None:
    """The article before or after `anchor` in the book's order, skipping other versions of it."""
    position = book.article_index()
    i = position[id(anchor)] + step
    while 0 <= i < len(book.articles) and book.articles[i].number == anchor.number:
        i += step
    return book.articles[i] if 0 <= i < len(book.articles) else None


def _items_of(p: Provision, sel, ref) -> list[Provision]:
    host = p
    if host.kind in TOPS:
        host = host.children[0]
    kind = "subitem" if host.kind == "item" else "item"
    items = [c for c in host.children if c.kind == kind and not c.deleted]
    if not items:
        raise CheckError(f"`{describe_ref(ref)}`: {host.cite} has no {kind}s", sel.span, code="E311")
    return items
