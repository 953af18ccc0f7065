"""`regdsl show`: every form of reference the tool prints or reads, and positioned errors."""

from __future__ import annotations

import pytest

from conftest import run_cli

UNIVERSITY = "regulations/university"
GRADUATE = "regulations/graduate"
ORGANIZATION = "regulations/organization"


@pytest.mark.parametrize("book, ref, head", [
    # as eval / test / render print it
    (UNIVERSITY, "Article 43, Item 1", "Article 43, Item 1  (art_43__item_1)"),
    (UNIVERSITY, "Article 20, Paragraph 2, Item 4", "Article 20, Paragraph 2, Item 4  (art_20__para_2__item_4)"),
    (UNIVERSITY, "Article 13.2", "Article 13.2  (art_13-2)"),
    (UNIVERSITY, "article 43, item 1", "Article 43, Item 1  (art_43__item_1)"),
    (UNIVERSITY, "Article 43 Item 1", "Article 43, Item 1  (art_43__item_1)"),
    (GRADUATE, "Supplementary Provisions, Paragraph 2", "Supplementary Provisions, Paragraph 2  (suppl__para_2)"),
    (ORGANIZATION, "Section 3, duties of Center for Promotion of Internationalization, Item 2",
     "Section 3, duties of Center for Promotion of Internationalization, Item 2  (sec_3__duties_center__item_2)"),
    # eIds
    (UNIVERSITY, "art_43__item_1", "Article 43, Item 1  (art_43__item_1)"),
    (UNIVERSITY, "art_13-2", "Article 13.2  (art_13-2)"),
    (GRADUATE, "suppl__para_2", "Supplementary Provisions, Paragraph 2  (suppl__para_2)"),
    # the book's own syntax
    (UNIVERSITY, "article 43 item 1", "Article 43, Item 1  (art_43__item_1)"),
    (UNIVERSITY, "item 1 of article 43", "Article 43, Item 1  (art_43__item_1)"),
    (UNIVERSITY, "article 20 paragraph 2 item 4", "Article 20, Paragraph 2, Item 4  (art_20__para_2__item_4)"),
    (GRADUATE, "paragraph 2 of the supplementary provisions",
     "Supplementary Provisions, Paragraph 2  (suppl__para_2)"),
])
def test_every_printed_form_is_accepted(book, ref, head):
    code, out, err = run_cli("show", book, ref)
    assert (code, err) == (0, ""), err
    assert out.splitlines()[0] == head


def test_the_citations_eval_prints_can_be_shown(university):
    """Every citation an answer gives can be pasted into `regdsl show`."""
    import json

    from conftest import ROOT
    from regdsl.authoring.show import describe, find

    facts = json.loads((ROOT / "examples" / "university" / "graduating-student.json").read_text())
    cites = {c.cite for o in university.evaluate(facts, "2026-04-01") for c in o.citations if not c.book}
    assert len(cites) > 5
    for cite in sorted(cites):
        assert describe(find(university, cite)[0])[0].startswith(cite + "  ("), cite


def test_deleted_article_by_citation():
    code, out, _ = run_cli("show", UNIVERSITY, "Article 2")
    assert code == 0 and out.splitlines()[:2] == ["Article 2  (art_2)", "  Deleted."]


def test_a_misspelled_word_is_pointed_at_with_the_accepted_forms():
    code, out, err = run_cli("show", UNIVERSITY, "Article 43, Itme 1")
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0] == "<reference>:1:13: E101: `Article 43, Itme 1` is not a reference: `Itme` is not understood here"
    assert lines[1:3] == ["    Article 43, Itme 1", "                ^^^^"]
    assert lines[3].startswith("  hint: did you mean `item`? Write it as regdsl prints it "
                               '("Article 20, Paragraph 2, Item 4"), as a book writes it')
    assert "art_20__para_2__item_4" in lines[3]


@pytest.mark.parametrize("ref, where, word", [
    ("article 43 itme 1", 12, "itme"),
    ("item 1 of articel 43", 11, "articel"),
])
def test_book_syntax_errors_point_at_the_word(ref, where, word):
    code, _, err = run_cli("show", UNIVERSITY, ref)
    assert code == 2
    assert err.startswith(f"<reference>:1:{where}: E101: `{ref}` is not a reference: `{word}` is not understood")
    assert "Write it as regdsl prints it" in err or "write it as" in err


def test_a_reference_that_ends_too_early():
    code, _, err = run_cli("show", UNIVERSITY, "article 43 item 1 of")
    assert code == 2 and err.startswith("<reference>:1:21: E101: `article 43 item 1 of` is not a reference: "
                                        "it ends too early")


def test_an_empty_reference():
    code, _, err = run_cli("show", UNIVERSITY, "  ")
    assert code == 2 and err.startswith("<reference>:1:1: E101: the reference is empty")


@pytest.mark.parametrize("ref, code_, message", [
    ("Article 43, Item 9", "E303", "`Article 43, Item 9` refers to Article 43, Item 9, which does not exist"),
    ("article 99", "E303", "`article 99` refers to Article 99, which does not exist"),
    ("art_43__itm_1", "E303", "no provision has the eId `art_43__itm_1`"),
    ("the preceding article", "E305", "`the preceding article` is relative"),
])
def test_missing_and_relative_references(ref, code_, message):
    code, out, err = run_cli("show", UNIVERSITY, ref)
    assert code == 2 and out == ""
    assert err.startswith(f"<reference>:1:1: {code_}: {message}")
    assert err.splitlines()[1] == f"    {ref}"


def test_an_unknown_eid_suggests_the_nearest():
    _, _, err = run_cli("show", UNIVERSITY, "art_43__itm_1")
    assert "hint: did you mean `art_43__item_1`?" in err


def test_show_gives_the_text_the_command_prints(university):
    from regdsl.authoring.show import show

    code, out, _ = run_cli("show", UNIVERSITY, "articles 33 to 35")
    assert code == 0 and show(university, "articles 33 to 35") == out
