"""The organisation book (regulations/organization): the TUS internationalization page.

The case tables in regulations/organization/tests/ check each outcome; this file runs them,
checks the values the case tables cannot state (lists of text, notes), the facts errors a
user sees at the command line, and the schema.
"""

from __future__ import annotations

import json

import pytest

import regdsl
from regdsl.authoring import testing
from conftest import REGULATIONS, run_cli

BOOK = REGULATIONS / "organization"
CASES = BOOK / "tests"
CAMPUSES = "kagurazaka, noda, katsushika"
OUTCOMES = [
    "message_title", "message_author", "message_author_title",
    "body_title", "body_part_of", "body_administered_by", "body_parts", "body_administers",
    "body_duties",
    "partner_universities", "partner_institutions", "partner_countries_and_regions",
    "lounge_location", "lounge_users",
    "contact_office", "contact_campus", "contact_address", "contact_telephone", "contact_fax",
]
CENTER_DUTIES = (
    "Operations in regard to the center.",
    "Definitive planning and proposals for the internationalization policies.",
    "Settlement of accounts for the budget of the center.",
    "Any other topics in regards to international exchange.",
)
COMMITTEE_TOPICS = (
    "Items in regard to the direction of internationalization of our school",
    "Items in regard to the examination and evaluation of the policies toward "
    "internationalization that will be implemented by the Center",
    "Any other items deemed necessary by the committee",
)


@pytest.fixture(scope="module")
def book():
    return regdsl.load(BOOK)


def test_book_checks_clean():
    code, _, err = run_cli("check", str(BOOK.relative_to(REGULATIONS.parent)))
    assert code == 0, err


def test_case_tables_pass():
    report = testing.run([CASES])
    assert report.cases >= 20
    assert not report.failures, "\n".join(f.render() for f in report.failures)


def test_case_tables_cover_every_outcome():
    cases = [c for f in testing.find_test_files([CASES]) for c in testing.load_cases(f)]
    expected = {name for c in cases for name in c.expect}
    assert set(OUTCOMES) <= expected, sorted(set(OUTCOMES) - expected)


# ---------------------------------------------------------------- bodies and their duties


def test_duties_of_the_center_are_a_cited_list(book):
    o = book.evaluate({"body": "Center"}, "2026-04-01")["body_duties"]
    assert o.status == "determined"
    assert o.value == CENTER_DUTIES
    assert [c.eid for c in o.citations] == ["sec_3"] + [f"sec_3__duties_center__item_{i}" for i in range(1, 5)]
    assert o.to_dict()["value"] == list(CENTER_DUTIES)


def test_topics_of_the_committee_are_its_duties(book):
    o = book.evaluate({"body": "Committee"}, "2026-04-01")["body_duties"]
    assert o.value == COMMITTEE_TOPICS
    assert [c.eid for c in o.citations][1:] == [f"sec_3__duties_committee__item_{i}" for i in range(1, 4)]


def test_each_duty_is_citable_on_its_own(book):
    item = book.model.find("sec_3__duties_center__item_3")
    assert item is not None and item.text == CENTER_DUTIES[2]
    assert book.model.find("sec_3__duties_center").texts == ["The following duties must be performed."]
    assert book.model.find("sec_3__duties_committee").texts == [
        "The following topics mentioned shall be discussed."]


def test_what_the_international_affairs_section_administers(book):
    r = book.evaluate({"body": "International_Affairs_Section"}, "2026-04-01")
    assert r["body_administers"].value == ("Organization for Advancement of Internationalization",
                                          "Center for Promotion of Internationalization")
    assert r["body_administered_by"].status == "undetermined"


def test_who_administers_each_body(book):
    def admin(body):
        return book.evaluate({"body": body}, "2026-04-01")["body_administered_by"]

    assert admin("Center").value == "International Affairs Section"
    assert admin("Organization").value == "International Affairs Section"
    for body in ("University", "Committee", "International_Affairs_Section"):
        o = admin(body)
        assert o.status == "undetermined" and o.value is None
        assert "does not say" in o.reasons[0]


def test_parts_of_the_organization(book):
    r = book.evaluate({"body": "Organization"}, "2026-04-01")
    assert r["body_parts"].value == ("Planning and Operations", "Center for Promotion of Internationalization")
    assert r["body_part_of"].value == "Tokyo University of Science"


# ---------------------------------------------------------------- figures as of February 2024


@pytest.mark.parametrize("as_of", ["2024-02-01", "2024-02-29", "2026-04-01"])
def test_partner_figures_from_february_2024(book, as_of):
    r = book.evaluate({}, as_of)
    assert (r["partner_universities"].value, r["partner_institutions"].value,
            r["partner_countries_and_regions"].value) == (80, 2, 31)
    assert r["partner_universities"].notes == ("stated as of 2024-02-01 (Section 4)",)


@pytest.mark.parametrize("as_of", ["2024-01-31", "2023-04-01", "2020-01-01"])
def test_partner_figures_before_february_2024_are_undetermined(book, as_of):
    r = book.evaluate({"body": "Center", "campus": "noda"}, as_of)
    for name in ("partner_universities", "partner_institutions", "partner_countries_and_regions"):
        o = r[name]
        assert o.status == "undetermined" and o.value is None, name
        assert o.reasons == (f"Section 4 states this as of 2024-02-01; it is not known for {as_of}",)
    # The undated parts of the page still answer.
    assert r["body_administered_by"].value == "International Affairs Section"
    assert r["lounge_location"].value == "Lecture Hall Building, K208 Classroom"


def test_figures_as_of_a_date_at_the_command_line(tmp_path):
    facts = tmp_path / "none.json"
    facts.write_text("{}")
    code, out, err = run_cli("eval", str(BOOK), str(facts), "--as-of", "2023-12-31",
                             "--outcome", "partner_universities", "--format", "json")
    assert code == 0, err
    o = json.loads(out)["outcomes"][0]
    assert (o["name"], o["status"], o["value"]) == ("partner_universities", "undetermined", None)
    code, out, err = run_cli("eval", str(BOOK), str(facts), "--as-of", "2024-02-01",
                             "--outcome", "partner_universities")
    assert code == 0, err
    assert "partner_universities = 80" in out and "Note: stated as of 2024-02-01 (Section 4)" in out


# ---------------------------------------------------------------- lounges and unknown campuses


@pytest.mark.parametrize("campus, location", [
    ("kagurazaka", "Building No.3, 6th Floor"),
    ("noda", "Lecture Hall Building, K208 Classroom"),
    ("katsushika", "Lecture Building, 2nd Floor"),
])
def test_lounge_of_each_campus(book, campus, location):
    r = book.evaluate({"campus": campus}, "2026-04-01")
    assert r["lounge_location"].value == location
    assert r["lounge_users"].value == "University Students"
    assert [c.eid for c in r["lounge_location"].citations] == ["sec_5"]


@pytest.mark.parametrize("fmt, text", [
    ("json", '{"campus": "Oshamambe"}'),
    ("yaml", "campus: Noda Campus\n"),
])
def test_unknown_campus_is_a_clear_error(tmp_path, fmt, text):
    facts = tmp_path / f"facts.{fmt}"
    facts.write_text(text)
    code, out, err = run_cli("eval", str(BOOK), str(facts))
    assert code == 2
    assert out == ""
    assert "E602" in err and CAMPUSES in err
    assert "Traceback" not in err


def test_unknown_campus_suggests_the_near_name(tmp_path):
    facts = tmp_path / "facts.json"
    facts.write_text('{"campus": "kagurazka"}')
    code, _, err = run_cli("eval", str(BOOK), str(facts))
    assert code == 2 and "E602" in err and "kagurazaka" in err


def test_unknown_body_lists_the_bodies(tmp_path):
    facts = tmp_path / "facts.json"
    facts.write_text('{"body": "Planning and Operations"}')
    code, _, err = run_cli("eval", str(BOOK), str(facts))
    assert code == 2 and "E602" in err
    assert "University, Organization, Committee, Center, International_Affairs_Section" in err


# ---------------------------------------------------------------- contact, message, schema


def test_contact_details(book):
    r = book.evaluate({}, "2026-04-01")
    assert r["contact_office"].value == "International Affairs Section"
    assert r["contact_campus"].value == "Kagurazaka Campus"
    assert r["contact_address"].value == "1-3 Kagurazaka, Shinjuku-ku, Tokyo 162-8601"
    assert r["contact_telephone"].value == "+81-3-5228-8726"
    assert r["contact_fax"].value == "+81-3-5228-8727"
    assert r["contact_fax"].citations[0].eid == "sec_6"


def test_directors_message(book):
    r = book.evaluate({}, "2026-04-01")
    assert r["message_author"].value == "SAKATA Hideaki"
    assert r["message_author_title"].value == "Director of the Organization for Advancement of Internationalization"
    assert r["message_title"].value == "Developing Global Human Resources to Lead Society"
    section = book.model.find("sec_2")
    assert section.title == "Message from the Director"
    assert section.children[0].texts[-2:] == ["Director of the Organization for",
                                             "Advancement of Internationalization"]


def test_sections_are_numbered_in_page_order(book):
    assert [(s.eid, s.cite, s.title) for s in book.model.sections] == [
        ("sec_1", "Section 1", "Introduction"),
        ("sec_2", "Section 2", "Message from the Director"),
        ("sec_3", "Section 3", "Organization Chart"),
        ("sec_4", "Section 4", "List of Overseas Hubs"),
        ("sec_5", "Section 5", "International Lounge"),
        ("sec_6", "Section 6", "Contact Us"),
    ]


def test_schema_lists_every_outcome_and_the_facts():
    code, out, err = run_cli("schema", "regulations/organization")
    assert code == 0, err
    for name in OUTCOMES:
        assert f"  {name} : " in out, name
    assert f"campus : one of {CAMPUSES}" in out
    assert "  body : one of University, Organization, Committee, Center," in out
    code, out, err = run_cli("schema", "regulations/organization", "--format", "json")
    assert code == 0, err
    schema = json.loads(out)
    assert [o["name"] for o in schema["outcomes"]] == OUTCOMES
    assert [f["name"] for f in schema["facts"]] == ["body", "campus"]
