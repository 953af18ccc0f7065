"""The University Regulations book (regulations/university): its case tables, its checks,
its history, its schema and its documentation page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import REGULATIONS, ROOT, run_cli, source_of
from test_sentences import BookText, Seed, normalise

BOOK = REGULATIONS / "university"
SEED = source_of("university")
TESTS = BOOK / "tests"

# The deleted articles, as the seed lists them (Article 56 twice; once is enough here).
DELETED = (["1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "1.9", "2", "3", "4", "5", "6", "6.2",
            "6.3", "7", "8", "8.2", "9"] + [f"9.{i}" for i in range(2, 11)]
           + ["10", "11", "12", "26.2", "28", "41.2", "56"])


@pytest.fixture(scope="module")
def model():
    from regdsl.api import read_book

    book = read_book(BOOK)
    assert not book.errors, "\n".join(e.render(book.sources) for e in book.errors)
    return book


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "university"
    shutil.copytree(BOOK, copy, ignore=shutil.ignore_patterns("tests"))
    return copy


def _codes(book_dir: Path) -> list[tuple[str, str]]:
    from regdsl.api import read_book

    return [(e.code, e.message) for e in read_book(book_dir).errors]


# ------------------------------------------------------------------ the case tables


def test_case_tables_pass():
    from regdsl.authoring.testing import run

    report = run([TESTS])
    assert not report.failures, "\n".join(f.render() for f in report.failures)
    assert report.cases >= 120


def test_every_case_quotes_a_sentence_of_the_seed():
    from regdsl.authoring.testing import find_test_files, load_cases

    seed_text = normalise(" ".join(Seed(SEED).units))
    for f in find_test_files([TESTS]):
        for case in load_cases(f):
            assert case.sentence, f"{f.name}:{case.line}: {case.name}: no `sentence:`"
            assert normalise(case.sentence) in seed_text, \
                f"{f.name}:{case.line}: {case.name}: the sentence is not in the seed: {case.sentence!r}"


def test_every_article_with_a_rule_has_cases(model):
    """Each article that decides something has a case quoting one of its sentences."""
    from regdsl.authoring.testing import find_test_files, load_cases

    texts = {a.number: normalise(" ".join(t for p in a.walk() for t in p.texts))
             for a in model.articles if not a.deleted}
    covered: set[str] = set()
    for f in find_test_files([TESTS]):
        for case in load_cases(f):
            s = normalise(case.sentence)
            covered |= {num for num, text in texts.items() if s and s in text}
    with_rules = {r.provision.article.number for rules in model.rules.values() for r in rules
                  if r.kind != "delegated"}
    with_rules |= {p.article.number for p in model.provisions() if p.condition is not None}
    assert with_rules - covered == set()
    assert len(with_rules) >= 35


# ------------------------------------------------------------------ structure and checks


def test_the_book_checks(model):
    assert model.title == "University Regulations of Tokyo University of Foreign Studies"
    assert [a.number for a in model.articles if not a.deleted][:3] == ["1", "13", "13.2"]
    assert model.articles[-1].number == "58"


def test_sections_and_parts(model):
    heads = [(kind, node.number, node.title) for kind, node in model.outline if kind in ("section", "part")]
    assert heads == [
        ("section", "1", "General Provisions"),
        ("section", "2", "Organization"),
        ("part", "1", "Mission, Curriculum and Enrollment Limits"),
        ("part", "2", "Degree Program Length and Limit on Years Enrolled"),
        ("part", "3", "Academic Year, Terms and Vacations"),
        ("part", "4", "Admissions"),
        ("part", "5", "Curriculum and Coursework"),
        ("part", "6", "Taking Leave, Transferring, Studying Abroad and Withdrawing"),
        ("part", "7", "Graduation and Academic Degrees"),
        ("part", "8", "Awards and Punishments"),
        ("section", "3", "Miscellaneous Provisions"),
        ("part", "1", "Research Students, etc.,"),
        ("part", "2", "School Dormitories"),
        ("part", "3", "Tuition etc.,"),
        ("part", "4", "Extension Courses"),
    ]


def test_every_article_from_1_to_58_is_in_the_book(model):
    numbers = {a.number for a in model.articles}
    for n in range(1, 59):
        assert str(n) in numbers, f"Article {n} is missing"
    assert {"13.2", "18.2", "24.2", "24.3", "55.2"} <= numbers


def test_deleted_articles_are_deleted(model):
    deleted = [a.number for a in model.articles if a.deleted]
    assert deleted == DELETED
    seed_deleted = re.findall(r"^Article (\d+(?:\.\d+)*)\.?\s+Deleted\s*$", SEED.read_text("utf-8"), re.M)
    assert sorted(set(seed_deleted), key=lambda s: tuple(map(int, s.split(".")))) == DELETED


@pytest.mark.parametrize("number", ["1.2", "9.10", "12", "26.2", "28", "41.2", "56"])
def test_asking_about_a_deleted_article_says_it_is_deleted(number):
    code, out, err = run_cli("show", "regulations/university", f"article {number}")
    assert code == 0, err
    assert "Deleted" in out


def test_citing_a_deleted_article_is_a_check_error(tmp_path):
    copy = _copy(tmp_path)
    last = copy / "34-section3-part4-extension-courses.reg"
    # One reference to each deleted article, from Article 58, Paragraph 2.
    last.write_text(last.read_text("utf-8") + "".join(f"    refers to article {n}\n" for n in DELETED),
                    "utf-8")
    errors = _codes(copy)
    assert len(errors) == len(DELETED)
    for (code, message), n in zip(errors, DELETED):
        assert code == "E304"
        assert f"Article {n}, which is deleted" in message


def test_citing_a_deleted_article_through_a_rule_is_a_check_error(tmp_path):
    copy = _copy(tmp_path)
    f = copy / "27-part7-graduation.reg"
    text = f.read_text("utf-8").replace("program_length of article 14)", "program_length of article 28)")
    f.write_text(text, "utf-8")
    errors = _codes(copy)
    assert any(code == "E304" and "Article 28, which is deleted" in m for code, m in errors), errors


def test_enrollment_table_totals_are_checked(tmp_path):
    copy = _copy(tmp_path)
    f = copy / "21-part1-mission-enrollment-limits.reg"
    text = f.read_text("utf-8")
    assert "total none, \"Total\", none, 745 students, 30 students, 3040 students" in text
    f.write_text(text.replace("3040 students", "3041 students"), "utf-8")
    errors = _codes(copy)
    assert [c for c, _ in errors] == ["E409"]
    assert "3040" in errors[0][1] and "3041" in errors[0][1]


def test_enrollment_table_is_as_printed(model):
    book = BookText(BOOK)
    for words in ("School of Language and Culture Studies", "International and Area Studies",
                  "Japan Studies", "Third-Year Admission limit", "Total"):
        assert words in book.table_words
    from decimal import Decimal

    assert {Decimal(n) for n in (335, 75, 10, 1360, 320, 745, 30, 3040)} <= book.table_numbers


# ------------------------------------------------------------------ history


def test_amendment_history_has_every_date_of_the_seed_header(model):
    seed = Seed(SEED)
    assert model.established.isoformat() == "1977-04-01" == seed.established.isoformat()
    book_dates = [a.date for a in model.amendments]
    assert len(seed.history) == 68
    assert book_dates == [d for d, _ in seed.history]
    for (day, reg), amended in zip(seed.history, model.amendments):
        number = re.search(r"\d+", amended.note).group(0) if amended.note else None
        assert number == reg, f"{day}: regulation number {number} in the book, {reg} in the seed"
    assert model.amendments[-1].note == "Regulation No. 126"


# ------------------------------------------------------------------ schema


def test_schema_lists_every_fact_and_outcome_with_description_unit_and_article():
    import regdsl

    schema = regdsl.load(BOOK).schema()
    assert len(schema["facts"]) >= 80 and len(schema["outcomes"]) >= 60
    for entry in schema["facts"] + schema["decisions"]:
        assert entry["description"], entry["name"]
        assert entry.get("declared_in"), entry["name"]
    for entry in schema["outcomes"] + schema["definitions"]:
        assert entry["description"], entry["name"]
        assert entry.get("provisions"), entry["name"]
    for entry in schema["facts"] + schema["outcomes"] + schema["definitions"]:
        if entry["type"] == "quantity":
            assert entry.get("unit"), entry["name"]
    decided = {e["name"]: e["decided_by"] for e in schema["decisions"]}
    assert decided["graduation_approved"] == "the President, upon approval by the Faculty Meeting"
    assert decided["suspension_counted_toward_program"] == "the Faculty Meeting"


def test_schema_text_names_the_articles():
    code, out, err = run_cli("schema", "regulations/university")
    assert code == 0, err
    assert "declared in Article 20, Paragraph 1, Item 8" in out
    assert "tuition_exempt_months : months" in out


@pytest.mark.parametrize("name, article", [
    ("quarter_of_date", "Article 17, Paragraph 2"),
    ("may_enroll_in_different_field", "Article 24.2, Paragraph 1"),
    ("may_be_readmitted", "Article 24.3, Paragraph 1"),
    ("teaching_licenses_offered", "Article 27, Paragraph 2"),
    ("tuition_amount", "Article 53"),
])
def test_delegated_questions_say_so(university, name, article):
    result = university.evaluate({}, "2026-04-01", [name])
    assert result[name].status == "undetermined"
    assert result[name].reasons == (f"delegated to separate regulations ({article})",)


# ------------------------------------------------------------------ the registrars' page


def _doc_examples():
    text = (ROOT / "docs" / "university.md").read_text("utf-8")
    pattern = re.compile(r"```yaml\n(.*?)```\s*```sh\n(regdsl eval [^\n]*)\n```\s*```text\n(.*?)```", re.S)
    return pattern.findall(text)


def test_docs_page_has_a_question_for_every_part():
    assert len(_doc_examples()) >= 15


@pytest.mark.parametrize("i", range(len(_doc_examples())))
def test_docs_page_outputs_are_true(i, tmp_path):
    facts, command, expected = _doc_examples()[i]
    args = command.split()[1:]
    name = args[2]
    (tmp_path / name).write_text(facts, "utf-8")
    args[2] = str(tmp_path / name)
    code, out, err = run_cli(*args)
    assert code == 0, err
    assert out == expected
