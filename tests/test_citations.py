"""References in words (syntax/citations.py): what regdsl prints as a citation reads back as the same reference.

References are built from nodes at random, printed the way regdsl prints citations
(`printer.cite_step`, the words every provision's `cite` is made of, joined by commas and
`of`), and read back: as a phrase of a regulation's text (`PHRASE`, `phrase_ref`) and as a
citation typed at `regdsl show` (`book_form`, then the parser's `parse_ref`).
"""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from regdsl.syntax import nodes as n
from regdsl.syntax.citations import PHRASE, book_form, first_unread, phrase_ref
from regdsl.syntax.parser import parse_ref
from regdsl.syntax.printer import PRINTED, cite_step

NUMBERS = st.builds(lambda a, b: f"{a}.{b}" if b else str(a), st.integers(1, 60), st.sampled_from([0, 0, 0, 2, 5]))
LETTERS = st.sampled_from("abcdefgh")


def _numbered(kind: str) -> st.SearchStrategy[n.Selector]:
    """One step of a kind that is numbered (by letters for sub-items): one, a list, or a run `to`."""
    number = LETTERS if kind == "subitem" else NUMBERS
    one = st.builds(lambda x: n.Selector(kind, (x,)), number)
    if kind == "section":  # a section is cited one at a time
        return one
    many = st.builds(lambda xs: n.Selector(kind, tuple(xs)), st.lists(number, min_size=2, max_size=4))
    run = st.builds(lambda a, b: n.Selector(kind, (a,), through=b), number, number)
    return st.one_of(one, many, run)


STEPS = st.one_of(*(_numbered(k) for k in ("article", "section", "paragraph", "item", "subitem")))
RELATIVE = st.builds(lambda kind, target: n.Selector(kind, target=target),
                     st.sampled_from(["preceding", "following", "this"]), st.sampled_from(["article", "paragraph", "item"]))
GROUPS = st.lists(st.lists(STEPS, min_size=1, max_size=3).map(tuple), min_size=1, max_size=3)
PHRASE_REFS = st.one_of(
    st.builds(lambda groups, last: n.Ref(tuple(groups) + ((last,),) if last else tuple(groups)),
              GROUPS, st.none() | RELATIVE),
    RELATIVE.map(lambda s: n.Ref(((s,),))))


def cited(s: n.Selector, lower: bool) -> str:
    """A step as a citation prints it (`Article 20`), and as the text writes several (`Items 1 and 2`)."""
    if s.kind in ("preceding", "following"):
        return f"the {s.kind} {s.target}"
    if s.kind == "this":
        return f"this {s.target}"
    if s.through is not None or len(s.numbers) > 1:
        numbers = f"{s.numbers[0]} to {s.through}" if s.through is not None else " and ".join(s.numbers)
        text = f"{PRINTED[s.kind]}s {numbers}"
    else:
        text = cite_step(s.kind, *s.numbers)
    return text.lower() if lower else text


def cite(ref: n.Ref, lower: bool = False) -> str:
    """A reference in citation words: the steps of a group joined by commas, the groups by `of`."""
    return " of ".join(", ".join(cited(s, lower) for s in group) for group in ref.groups)


@settings(max_examples=300, deadline=None)
@given(PHRASE_REFS, st.booleans())
def test_a_printed_reference_reads_back_as_a_phrase(ref, lower):
    text = cite(ref, lower)
    assert PHRASE.fullmatch(text), text
    assert phrase_ref(text) == ref, text


# A provision's citation, as the model prints it: the outermost provision first.
CHAINS = st.builds(
    lambda top, number, paragraph, item, subitem: [(top, number if top != "supplementary" else "")]
    + [(k, x) for k, x in (("paragraph", paragraph), ("item", item), ("subitem", subitem)) if x is not None],
    st.sampled_from(["article", "section", "supplementary"]), NUMBERS,
    st.none() | NUMBERS, st.none() | NUMBERS, st.none() | LETTERS)


def chain_ref(chain: list[tuple[str, str]]) -> n.Ref:
    """The reference a citation names, as the book writes it (`paragraph 2 of the supplementary provisions`)."""
    steps = tuple(n.Selector(kind, (x,) if x else ()) for kind, x in chain)
    if steps[0].kind == "supplementary" and len(steps) > 1:
        return n.Ref((steps[1:], steps[:1]))
    return n.Ref((steps,))


@settings(max_examples=300, deadline=None)
@given(CHAINS, st.sampled_from([", ", " ", ","]), st.booleans())
def test_a_printed_citation_reads_back_at_show(chain, comma, lower):
    text = comma.join(cite_step(kind, x) for kind, x in chain)
    if lower:
        text = text.lower()
    form = book_form(text)
    assert form is not None, text
    assert parse_ref(form) == chain_ref(chain), (text, form)
    assert first_unread(text) == (len(text) + 1, "")  # read to its end


@settings(max_examples=200, deadline=None)
@given(CHAINS.filter(lambda chain: chain[0][0] != "supplementary"))
def test_both_readers_read_a_citation_alike(chain):
    """A citation in a regulation's text and the same citation typed at `regdsl show` are one reference."""
    text = ", ".join(cite_step(kind, x) for kind, x in chain)
    assert PHRASE.fullmatch(text)
    assert phrase_ref(text) == parse_ref(book_form(text) or "") == chain_ref(chain)


def test_the_model_cites_in_the_printed_words(university):
    """Every provision's citation is made of the words the readers take."""
    for p in university.model.provisions():
        if p.deleted or "duties of" in p.cite:
            continue
        assert book_form(p.cite) is not None, p.cite
