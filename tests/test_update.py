"""`regdsl test --update`: failing expectations rewritten in place, everything else byte for byte."""

from __future__ import annotations

import difflib
import shutil
import textwrap

import pytest

from conftest import REGULATIONS, run_cli
from test_testing import BOOK


@pytest.fixture()
def book(tmp_path):
    (tmp_path / "book.reg").write_text(BOOK)
    (tmp_path / "tests").mkdir()
    return tmp_path


def write(book, text: str):
    path = book / "tests" / "t.test.yaml"
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def changed_lines(before: str, after: str) -> list[str]:
    """The lines of `after` that differ from `before` (`-` old, `+` new)."""
    return [d[0] + d[2:] for d in difflib.ndiff(before.splitlines(), after.splitlines()) if d[:1] in "+-"]


def update(path):
    before = path.read_text()
    code, out, err = run_cli("test", str(path), "--update")
    return code, out, err, changed_lines(before, path.read_text())


def test_short_form_values_are_rewritten_and_nothing_else(book):
    path = write(book, '''
        # The limit, with a comment that stays.
        book: ..
        as_of: 2025-04-01
        regular: &regular {years_enrolled: 7,
                           short_track: false}    # a flow mapping on two lines
        cases:
          - name: seven years
            facts: *regular
            expect:
              over_limit: true      # wrong: 7 is within the limit
              max_years: 9 years    # wrong too
          - name: passes already
            facts: {<<: *regular, years_enrolled: 9}
            expect: {over_limit: true}
    ''')
    code, out, err, changes = update(path)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"{path}:7: seven years: over_limit: updated to false",
        f"{path}:7: seven years: max_years: updated to 8 years",
        "updated 1 case(s) in 1 file(s)",
        "2 passed, 0 failed",
    ]
    assert changes == [
        "-      over_limit: true      # wrong: 7 is within the limit",
        "+      over_limit: false      # wrong: 7 is within the limit",
        "-      max_years: 9 years    # wrong too",
        "+      max_years: 8 years    # wrong too",
    ]


def test_an_answer_no_longer_determined_becomes_the_long_form(book):
    path = write(book, '''
        book: ..
        as_of: 2025-04-01
        cases:
          - name: without the years
            facts: {short_track: false}
            expect:
              over_limit: true
              may_graduate: {value: true}
    ''')
    code, out, _, changes = update(path)
    assert code == 0, out
    assert sorted(changes) == [
        "+      may_graduate: {status: discretionary, decided_by: [the President]}",
        "+      over_limit: {status: undetermined, missing: [years_enrolled]}",
        "-      may_graduate: {value: true}",
        "-      over_limit: true",
    ]


def test_block_mappings_keep_their_layout_and_comments(book):
    path = write(book, '''
        book: ..
        as_of: 2025-04-01
        cases:
          - name: graduation approved, on the regular track
            facts: {graduation_approved: true, short_track: false}
            expect:
              may_graduate:
                status: discretionary   # the President decides
                decided_by: [the President]
              max_years:
                value: 8
                unit: years      # the unit stays, and its comment
                citations: [art_1__para_2, art_1__para_1]
              over_limit:
                value: false
                status: determined
    ''')
    before = path.read_text()
    code, out, _ = run_cli("test", str(path), "--update")
    assert code == 0, out
    assert path.read_text() == before.replace('''
        status: discretionary   # the President decides
        decided_by: [the President]
''', '''
        status: determined   # the President decides
        value: true
''').replace("[art_1__para_2, art_1__para_1]", "[art_1__para_1]").replace('''
        value: false
        status: determined
''', '''
        missing: [years_enrolled]
        status: undetermined
''')


def test_cited_and_not_cited_lists(book):
    path = write(book, '''
        book: ..
        as_of: 2025-04-01
        cases:
          - name: the short track
            facts: {years_enrolled: 5, short_track: true}
            expect:
              max_years: {value: 4 years, citations: [art_2], not_cited: [art_1__para_2, art_3]}
    ''')
    code, out, _, changes = update(path)
    assert code == 0, out
    assert changes == [
        "-      max_years: {value: 4 years, citations: [art_2], not_cited: [art_1__para_2, art_3]}",
        "+      max_years: {value: 4 years, citations: [art_1__para_2], not_cited: [art_3]}",
    ]


def test_an_empty_expectation_is_filled_in(book):
    """`expect: {NAME: ~}` asks --update to record what the book answers now."""
    path = write(book, '''
        book: ..
        as_of: 2025-04-01
        cases:
          - name: record the answers
            facts: {years_enrolled: 9, short_track: false}
            expect: {over_limit: ~, max_years: ~}
    ''')
    code, _, _, changes = update(path)
    assert code == 0
    assert changes == ["-    expect: {over_limit: ~, max_years: ~}",
                       "+    expect: {over_limit: true, max_years: 8 years}"]


def test_an_amended_sentence_is_rewritten_to_the_new_words(book):
    (book / "book.reg").write_text(BOOK.replace("shall be eight.", "shall be nine."))
    path = write(book, '''
        book: ..
        as_of: 2025-04-01
        cases:
          - name: the limit
            sentence: The maximum number of years a student may be enrolled
              shall be eight.
            facts: {years_enrolled: 9, short_track: false}
            expect: {over_limit: true}
          - name: made up
            sentence: Students shall bring a packed lunch on Tuesdays.
            facts: {years_enrolled: 9, short_track: false}
            expect: {over_limit: true}
    ''')
    code, out, _, changes = update(path)
    assert out.splitlines()[:3] == [
        f"{path}:4: the limit: sentence: updated to the book's text",
        f"{path}:9: made up: sentence: not updated: no passage of the book is close",
        "updated 1 case(s) in 1 file(s)",
    ]
    assert sorted(changes) == [
        "+    sentence: The maximum number of years a student may be enrolled shall be nine.",
        "-      shall be eight.",
        "-    sentence: The maximum number of years a student may be enrolled",
    ]
    assert code == 1  # the made-up sentence still fails


def test_what_cannot_be_updated_is_said_and_left(book):
    path = write(book, '''
        book: ..
        as_of: 2025-04-01
        shared: &shared {over_limit: true}
        cases:
          - name: a shared expectation
            facts: {years_enrolled: 1, short_track: false}
            expect: *shared
          - name: a misspelled fact
            facts: {years_enroled: 9}
            expect: {over_limit: true}
          - name: an unknown key
            facts: {years_enrolled: 1, short_track: false}
            expect: {over_limit: {value: true, because: x}}
    ''')
    before = path.read_text()
    code, out, _ = run_cli("test", str(path), "--update")
    assert code == 1 and path.read_text() == before
    assert out.splitlines()[:4] == [
        f"{path}:5: a shared expectation: over_limit: not updated: "
        "its `expect` comes from an anchor shared with other cases",
        f"{path}:8: a misspelled fact: facts: not updated: the facts cannot be evaluated",
        f"{path}:11: an unknown key: over_limit: not updated: unknown expectation key(s)",
        "updated 0 case(s) in 0 file(s)",
    ]


def test_a_case_without_expect_is_an_error_with_update_too(book):
    path = write(book, '''
        book: ..
        cases:
          - name: nothing to check
            facts: {years_enrolled: 9}
    ''')
    before = path.read_text()
    code, out, err = run_cli("test", str(path), "--update")
    assert code == 2 and out == "" and path.read_text() == before
    assert err.startswith(f"{path}:3:5: E607: the case `nothing to check` has no `expect`")


def test_an_amendment_to_the_university_book(tmp_path):
    """Article 44's 125 credits lowered to 124: --update rewrites exactly the cases it changes,
    and updating again changes nothing."""
    book = tmp_path / "university"
    shutil.copytree(REGULATIONS / "university", book)
    reg = book / "27-part7-graduation.reg"
    reg.write_text(reg.read_text().replace("earned at least 125\n", "earned at least 124\n")
                   .replace("at least 125 credits", "at least 124 credits"))
    table = book / "tests" / "part7-graduation.test.yaml"
    before = {p.name: p.read_text() for p in (book / "tests").iterdir()}
    code, out, _ = run_cli("test", str(book))
    assert code == 1 and out.endswith("239 passed, 7 failed\n")
    code, out, _ = run_cli("test", str(book), "--update")
    assert code == 0 and out.endswith("updated 7 case(s) in 1 file(s)\n246 passed, 0 failed\n")
    after = {p.name: p.read_text() for p in (book / "tests").iterdir()}
    assert [n for n in before if before[n] != after[n]] == [table.name]
    changes = changed_lines(before[table.name], after[table.name])
    assert len(changes) == 2 * 9  # seven sentences and two expectations, each a line out and a line in
    assert "+      may_graduate: {status: discretionary, decided_by: ['the President, upon approval by the " \
           "Faculty Meeting']}" in changes
    code, out, _ = run_cli("test", str(book), "--update")
    assert out.endswith("updated 0 case(s) in 0 file(s)\n246 passed, 0 failed\n")
    assert table.read_text() == after[table.name]


def test_a_file_that_cannot_be_written_is_said_and_left(book, monkeypatch):
    path = write(book, '''
        book: ..
        as_of: 2025-04-01
        cases:
          - name: wrong
            facts: {years_enrolled: 1, short_track: false}
            expect: {over_limit: true}
    ''')
    from pathlib import Path

    def refuse(self, *a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "write_text", refuse)
    code, out, err = run_cli("test", str(path), "--update")
    assert code == 1 and "internal error" not in err
    assert out.splitlines()[:2] == [f"{path}: not updated: cannot write it (Permission denied)",
                                    "updated 0 case(s) in 0 file(s)"]
