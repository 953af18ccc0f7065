"""Organisation books: sections with content, bodies, relations, duties, figures as of a date."""

from __future__ import annotations

import pytest

import regdsl
from regdsl.errors import BookErrors

ORG = '''
book org "Organization"
  in force from 2024-02-01

section 1 "Organization Chart"
  | The following topics mentioned shall be discussed.
  body University "Tokyo University of Science"
  body Organization "Organization for Advancement of Internationalization"
    part of University
  body Center "Center for Promotion of Internationalization"
    | Conduct the planning and implementation of proposals to internationalize.
    part of Organization
    administered by Section
    duties "The following duties must be performed."
      item 1
        | Operations in regard to the center.
      item 2
        | Definitive planning and proposals for the internationalization policies.
  body Section "International Affairs Section"
  fact asked : body "the body asked about"
  outcome administered_by : text "who administers it"
  outcome duties_of : list of text "its duties"
  outcome bodies_administered : list of text "what it administers"
  administered_by = administrator(asked)
  duties_of = duties(asked)
  bodies_administered = administers(asked)

section 2 "List of Overseas Hubs"
  | As of February, 2024, TUS has concluded partner agreements with 80 universities.
  outcome partner_universities : integer "partner universities"
  partner_universities = 80 as of 2024-02-01

section 3 "International Lounge"
  | The purpose of this facility is to offer a place to share diverse opinions.
  table lounges "International Lounges"
    column campus : one of kagurazaka, noda, katsushika "Campus"
    column location : text "Location"
    row kagurazaka, "Building No.3, 6th Floor"
    row noda, "Lecture Hall Building, K208 Classroom"
    row katsushika, "Lecture Building, 2nd Floor"
  fact campus : one of kagurazaka, noda, katsushika "the campus"
  outcome lounge_location : text "where the lounge is"
  lounge_location = lookup location in lounges for campus
'''


@pytest.fixture()
def org(tmp_path):
    (tmp_path / "org.reg").write_text(ORG)
    return regdsl.load(tmp_path / "org.reg")


def test_who_administers_a_body(org):
    o = org.evaluate({"asked": "Center"}, "2026-01-01")["administered_by"]
    assert o.value == "International Affairs Section"
    assert o.citations[0].eid == "sec_1"


def test_duties_are_a_cited_list(org):
    o = org.evaluate({"asked": "Center"}, "2026-01-01")["duties_of"]
    assert o.value == ("Operations in regard to the center.",
                       "Definitive planning and proposals for the internationalization policies.")
    assert [c.eid for c in o.citations] == ["sec_1", "sec_1__duties_center__item_1",
                                            "sec_1__duties_center__item_2"]
    assert o.to_dict()["value"][0] == "Operations in regard to the center."


def test_inverse_relation(org):
    assert org.evaluate({"asked": "Section"}, "2026-01-01")["bodies_administered"].value == (
        "Center for Promotion of Internationalization",)


def test_unstated_relation_is_undetermined_with_reason(org):
    o = org.evaluate({"asked": "University"}, "2026-01-01")["administered_by"]
    assert o.status == "undetermined" and o.reasons == ("the book does not say who administers the Tokyo University of Science",)


def test_figure_as_of_a_date(org):
    assert org.evaluate({}, "2024-02-01")["partner_universities"].value == 80
    o = org.evaluate({}, "2026-06-01")["partner_universities"]
    assert o.notes == ("stated as of 2024-02-01 (Section 2)",)
    before = org.evaluate({}, "2023-12-31")["partner_universities"]
    assert before.status == "undetermined" and before.value is None


def test_unknown_campus_lists_the_campuses(org):
    with pytest.raises(BookErrors) as e:
        org.evaluate({"campus": "Oshamambe"}, "2026-01-01")
    assert e.value.errors[0].code == "E602"
    assert "kagurazaka, noda, katsushika" in e.value.errors[0].message


def test_lounge_lookup(org):
    assert org.evaluate({"campus": "noda"}, "2026-01-01")["lounge_location"].value == \
        "Lecture Hall Building, K208 Classroom"


def test_body_of_unknown_kind_rejected(tmp_path):
    (tmp_path / "b.reg").write_text('book b "B"\n\nsection 1 "S"\n  | x\n  body A "A"\n'
                                    '  outcome o : text "o"\n  o = administrator(3)\n')
    with pytest.raises(BookErrors) as e:
        regdsl.load(tmp_path / "b.reg")
    assert e.value.errors[0].code == "E406"
