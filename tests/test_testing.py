"""`regdsl test`: YAML case tables, failure lines, exit codes and `--coverage`."""

from __future__ import annotations

import textwrap

import pytest

from regdsl.authoring import testing

from conftest import run_cli

BOOK = '''
book t "Test Regulations"
  in force from 2020-04-01

body President "the President"

article 1 "Limit on Years Enrolled"
  | The maximum number of years a student may be enrolled shall be eight.
  fact years_enrolled : years "Years since admission."
  outcome max_years : years "The limit on years enrolled."
  outcome over_limit : boolean "Whether the student is over the limit."
  max_years = 8 years
  over_limit if years_enrolled exceeds max_years

  paragraph 2
    | Notwithstanding the preceding paragraph, students on the short track may be enrolled
    | for four years.
    fact short_track : boolean "The student is on the short track."
    max_years = 4 years when short_track
      notwithstanding the preceding paragraph

  paragraph 3
    | Leave counts toward the limit.

article 2 "Expulsion"
  | The President shall expel students to whom any of the following apply.
  outcome must_be_expelled : boolean "Whether the President must expel the student."
  must_be_expelled if any of the items

  item 1
    | The limit of Article 1 has been exceeded
    over_limit of article 1

  item 2
    | Tuition is unpaid
    fact tuition_unpaid : boolean "Tuition is unpaid after a demand."
    tuition_unpaid

article 3 "Graduation"
  | The President may approve graduation.
  decision graduation_approved by President "Approval of graduation."
  outcome may_graduate : boolean "Whether the student may graduate."
  may_graduate if graduation_approved
'''

CASES = '''
# Cases for Article 1.
book: ..
as_of: 2025-04-01
cases:
  - name: nine years is over the limit
    sentence: The maximum number of years a student may be enrolled shall be eight.
    facts: {years_enrolled: 9, short_track: false}
    expect:
      over_limit: true
      max_years: {value: 8 years, citations: [art_1__para_1], not_cited: [art_1__para_2]}
  - name: the short track limit is four years
    facts: {years_enrolled: 5, short_track: true}
    expect:
      max_years: {value: 4, unit: years, citations: ["Article 1, Paragraph 2"]}
      over_limit: true
'''


@pytest.fixture()
def book(tmp_path):
    (tmp_path / "book.reg").write_text(BOOK)
    (tmp_path / "tests").mkdir()
    return tmp_path


def write(book, name: str, text: str):
    path = book / "tests" / name
    path.write_text(textwrap.dedent(text))
    return path


# ------------------------------------------------------------------ passing and failing


def test_passing_cases(book):
    write(book, "limits.test.yaml", CASES)
    code, out, err = run_cli("test", str(book))
    assert (code, err) == (0, "")
    assert out == "2 passed, 0 failed\n"


def test_failure_lines_and_exit_code(book):
    path = write(book, "wrong.test.yaml", '''
        book: ..
        as_of: 2025-04-01
        cases:
          - name: right
            facts: {years_enrolled: 9, short_track: false}
            expect: {over_limit: true}
          - name: seven years is over the limit
            facts: {years_enrolled: 7, short_track: false}
            expect:
              over_limit: true
              max_years: 9 years
    ''')
    code, out, err = run_cli("test", str(path))
    assert code == 1 and err == ""
    assert out.splitlines() == [
        # the value and the provision that decided it
        f"{path}:8: seven years is over the limit: over_limit: expected yes, got no (by Article 1, Paragraph 1)",
        f"{path}:8: seven years is over the limit: max_years: expected 9 years, got 8 years "
        "(by Article 1, Paragraph 1)",
        "1 passed, 1 failed",
    ]


def test_status_missing_decided_by_and_reasons(book):
    write(book, "status.test.yaml", '''
        book: ..
        as_of: 2025-04-01
        cases:
          - name: without the years the answer waits for them
            facts: {short_track: false}
            expect:
              over_limit: {status: undetermined, missing: [years_enrolled]}
              max_years: 8 years
          - name: graduation waits for the President
            facts: {}
            expect:
              may_graduate: {status: discretionary, decided_by: [the President]}
          - name: an approved graduation is determined
            facts: {graduation_approved: true}
            expect:
              may_graduate: true
    ''')
    code, out, _ = run_cli("test", str(book / "tests"))
    assert code == 0, out
    assert out == "3 passed, 0 failed\n"


def test_as_of_per_file_and_per_case(book):
    write(book, "dates.test.yaml", '''
        book: ..
        as_of: 2019-04-01
        cases:
          - name: before the book is in force
            facts: {years_enrolled: 9, short_track: false}
            expect:
              over_limit: {status: undetermined, reasons: [not encoded]}
          - name: a case may give its own date
            as_of: 2021-04-01
            facts: {years_enrolled: 9, short_track: false}
            expect:
              over_limit: true
    ''')
    code, out, _ = run_cli("test", str(book))
    assert (code, out) == (0, "2 passed, 0 failed\n")


def test_wrong_expectations_are_reported(book):
    path = write(book, "keys.test.yaml", '''
        book: ..
        as_of: 2025-04-01
        cases:
          - name: bad keys and wrong citations
            facts: {years_enrolled: 9, short_track: false}
            expect:
              over_limit: {value: true, because: x, citations: [art_2], not_cited: [art_1__para_1]}
          - name: an unknown fact
            facts: {years_enroled: 9}
            expect: {over_limit: true}
    ''')
    code, out, _ = run_cli("test", str(path))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"{path}:5: bad keys and wrong citations: over_limit: unknown expectation key(s): because"
    assert lines[1].startswith(f"{path}:5: bad keys and wrong citations: over_limit: expected a citation of "
                               "art_2; cited: Article 1, Paragraph 1")
    assert lines[2] == f"{path}:5: bad keys and wrong citations: over_limit: expected no citation of art_1__para_1"
    assert lines[3] == (f"{path}:9: an unknown fact: facts: unknown fact `years_enroled` "
                        "(did you mean `years_enrolled`?)")
    assert lines[-1] == "0 passed, 2 failed"


# ------------------------------------------------------------------ bad input


def test_bad_yaml_has_a_position(book):
    path = write(book, "broken.test.yaml", '''
        book: ..
        cases:
          - name: unclosed
            facts: {years_enrolled: 9
    ''')
    code, out, err = run_cli("test", str(path))
    assert code == 2 and out == ""
    assert err.startswith(f"{path}:6:1: E603: not valid YAML")
    assert "Traceback" not in err


def test_not_a_case_table(book):
    path = write(book, "list.test.yaml", "- just\n- a list\n")
    code, _, err = run_cli("test", str(path))
    assert code == 2 and f"{path}:1:1: E603: a test file is a mapping" in err


def test_missing_path():
    code, _, err = run_cli("test", "no/such/dir")
    assert code == 2 and "E702" in err


def test_book_with_errors(book):
    (book / "book.reg").write_text(BOOK.replace("over_limit of article 1", "over_limit of article 9"))
    write(book, "limits.test.yaml", CASES)
    code, out, err = run_cli("test", str(book))
    assert code == 2 and out == ""
    assert "E303" in err


# ------------------------------------------------------------------ coverage


def test_coverage_lists_provisions_no_case_exercises(book):
    write(book, "limits.test.yaml", CASES)
    code, out, err = run_cli("test", str(book), "--coverage")
    assert code == 0, err
    reg = book / "book.reg"
    assert out.splitlines() == [
        "2 passed, 0 failed",
        f"coverage: 2 of 6 provisions with rules exercised (33%) in {book}",
        f"{reg}:25: Article 2 (art_2)",  # Article 1, Paragraph 3 is text only: nothing to exercise
        f"{reg}:30: Article 2, Item 1 (art_2__item_1)",
        f"{reg}:34: Article 2, Item 2 (art_2__item_2)",
        f"{reg}:39: Article 3 (art_3)",
    ]


def test_coverage_counts_items_and_considered_exceptions(book):
    write(book, "limits.test.yaml", CASES)
    write(book, "expulsion.test.yaml", '''
        book: ..
        as_of: 2025-04-01
        cases:
          - name: over the limit is expelled
            facts: {years_enrolled: 9, short_track: false, tuition_unpaid: false}
            expect:
              must_be_expelled: {value: true, citations: [art_2__item_1]}
    ''')
    report = testing.run([book / "tests"], coverage=True)
    assert not report.failures
    (cov,) = report.coverage
    assert [p.eid for p in cov.missed] == ["art_2__item_2", "art_3"]
    assert (cov.exercised, cov.total, cov.percent) == (4, 6, 66)
    # an exception considered but not applying (paragraph 2) counts as exercised
    assert any(k[1] == "art_1__para_2" for k in report.exercised)


def test_full_coverage_and_relative_paths(book, monkeypatch):
    monkeypatch.chdir(book)
    write(book, "all.test.yaml", '''
        book: ..
        as_of: 2025-04-01
        cases:
          - name: short track over the limit
            facts: {years_enrolled: 5, short_track: true, tuition_unpaid: false}
            expect: {must_be_expelled: true}
          - name: unpaid tuition
            facts: {years_enrolled: 1, short_track: false, tuition_unpaid: true}
            expect: {must_be_expelled: true}
          - name: graduation
            facts: {graduation_approved: true}
            expect: {may_graduate: true}
    ''')
    code, out, _ = run_cli("test", "tests", "--coverage")
    assert code == 0
    assert out.splitlines() == ["3 passed, 0 failed",
                                "coverage: 6 of 6 provisions with rules exercised (100%) in ."]


def test_coverage_off_by_default(book):
    write(book, "limits.test.yaml", CASES)
    report = testing.run([book])
    assert report.coverage == () and report.exercised == frozenset()


def test_coverage_per_book(book, tmp_path_factory):
    other = tmp_path_factory.mktemp("other")
    (other / "book.reg").write_text(BOOK.replace('book t "Test Regulations"', 'book u "Other"'))
    (other / "tests").mkdir()
    write(book, "limits.test.yaml", CASES)
    (other / "tests" / "limits.test.yaml").write_text(CASES)
    code, out, _ = run_cli("test", str(book), str(other), "--coverage")
    assert code == 0
    heads = [line for line in out.splitlines() if line.startswith("coverage:")]
    assert heads == [f"coverage: 2 of 6 provisions with rules exercised (33%) in {book}",
                     f"coverage: 2 of 6 provisions with rules exercised (33%) in {other}"]


# ------------------------------------------------------------------ values


ORG = '''
book org "Organisation"
  in force from 2024-02-01

section 1 "Offices"
  | The offices and their duties.
  body Registry "Office of the Registrar"
    duties "The Registry shall perform the following duties."
      item 1
        | Admissions.
      item 2
        | Records.
  fact asked : body "the office asked about"
  outcome duties_of : list of text "its duties"
  duties_of = duties(asked)
'''


def test_list_values_and_shared_facts(tmp_path):
    (tmp_path / "org.reg").write_text(ORG)
    path = tmp_path / "org.test.yaml"
    path.write_text(textwrap.dedent('''
        book: org.reg
        as_of: 2025-04-01
        registry: &registry {asked: Registry}
        cases:
          - name: the duties of the Registry, in order
            facts: *registry
            expect:
              duties_of: {value: [Admissions., Records.], citations: [sec_1__duties_registry__item_2]}
          - name: a list in another order is another list
            facts: {<<: *registry}
            expect:
              duties_of: [Records., Admissions.]
    '''))
    code, out, _ = run_cli("test", str(path))
    assert code == 1
    assert out.splitlines() == [
        f"{path}:10: a list in another order is another list: duties_of: "
        "expected Records.; Admissions., got Admissions.; Records. (by Section 1)",
        "1 passed, 1 failed",
    ]


# ------------------------------------------------------------------ sentences and failure lines


def test_a_sentence_is_found_whatever_its_line_breaks(book):
    write(book, "s.test.yaml", '''
        book: ..
        as_of: 2025-04-01
        cases:
          - name: the limit, quoted over two lines
            sentence: >
              The maximum number of years a student
              may be enrolled    shall be eight.
            facts: {years_enrolled: 9, short_track: false}
            expect: {over_limit: true}
          - name: a body's title and a heading are text too
            sentence: Article 1 Limit on Years Enrolled
            facts: {years_enrolled: 9, short_track: false}
            expect: {over_limit: true}
    ''')
    assert run_cli("test", str(book)) == (0, "2 passed, 0 failed\n", "")


def test_a_sentence_an_amendment_changed_names_the_case_and_the_place(book):
    (book / "book.reg").write_text(BOOK.replace("shall be eight.", "shall be seven."))
    path = write(book, "s.test.yaml", '''
        book: ..
        as_of: 2025-04-01
        cases:
          - name: nine years is over the limit
            sentence: The maximum number of years a student may be enrolled shall be eight.
            facts: {years_enrolled: 9, short_track: false}
            expect: {over_limit: true}
          - name: a sentence from another regulation
            sentence: Students shall bring a packed lunch on Tuesdays.
            facts: {years_enrolled: 9, short_track: false}
            expect: {over_limit: true}
    ''')
    code, out, _ = run_cli("test", str(path))
    assert code == 1
    assert out.splitlines() == [
        f"{path}:5: nine years is over the limit: sentence: not found in the book's text: "
        f'{book / "book.reg"}:8 (Article 1, Paragraph 1) now reads "seven." where the case quotes "eight."',
        f"{path}:9: a sentence from another regulation: sentence: not found in the book's text, nor anything "
        "like it; quote the regulation word for word",
        "0 passed, 2 failed",
    ]


def test_several_changed_words_are_each_named(book):
    (book / "book.reg").write_text(BOOK.replace("The maximum number of years a student may be enrolled",
                                                "The maximum number of academic years a student can be enrolled"))
    path = write(book, "s.test.yaml", '''
        book: ..
        as_of: 2025-04-01
        cases:
          - name: the limit
            sentence: The maximum number of years a student may be enrolled shall be eight.
            facts: {years_enrolled: 9, short_track: false}
            expect: {over_limit: true}
    ''')
    _, out, _ = run_cli("test", str(path))
    assert out.splitlines()[0].endswith(
        'now reads "academic", which the case does not quote; "can" where the case quotes "may"')


def test_a_failed_value_names_the_missing_facts_or_the_deciding_body(book):
    path = write(book, "why.test.yaml", '''
        book: ..
        as_of: 2025-04-01
        cases:
          - name: without the years
            facts: {short_track: false}
            expect:
              over_limit: true
              may_graduate: {value: true}
              max_years: {status: determined, value: 8 years}
    ''')
    code, out, _ = run_cli("test", str(path))
    assert code == 1
    assert out.splitlines() == [
        f"{path}:5: without the years: over_limit: expected yes, got ? (undetermined; missing: years_enrolled)",
        f"{path}:5: without the years: may_graduate: expected yes, got ? "
        "(discretionary; decided by: the President)",
        "0 passed, 1 failed",
    ]


def test_a_wrong_status_alone_names_what_the_answer_waits_for(book):
    path = write(book, "status.test.yaml", '''
        book: ..
        as_of: 2025-04-01
        cases:
          - name: graduation
            facts: {}
            expect:
              may_graduate: {status: determined}
    ''')
    _, out, _ = run_cli("test", str(path))
    assert out.splitlines()[0] == (f"{path}:5: graduation: may_graduate: expected status determined, "
                                   "got discretionary (decided by: the President)")


@pytest.mark.parametrize("expect", ["", "expect: {}", "expect:"])
def test_a_case_without_expectations_is_an_error(book, expect):
    path = write(book, "none.test.yaml", '''
        book: ..
        cases:
          - name: fine
            expect: {over_limit: false}
            facts: {years_enrolled: 1, short_track: false}
          - name: checks nothing
            facts: {years_enrolled: 9}
            EXPECT
    '''.replace("EXPECT", expect))
    code, out, err = run_cli("test", str(book))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"{path}:7:5: E607: the case `checks nothing` has no `expect`, so it checks nothing",
        "      - name: checks nothing",
        "        ^^^^",
        "  hint: say what the book must answer, e.g. `expect: {may_graduate: true}`; "
        "`regdsl schema BOOK` lists the outcomes",
    ]
