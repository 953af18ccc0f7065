"""The playground page of `regdsl serve`, in a real browser: a form from the schema, the answers on the page.

Headless Chromium (Debian's `chromium` package) is driven over the DevTools
protocol (tests/cdp.py): the test chooses the University Regulations, clicks
and types a sample student's facts into the form generated from the book's
JSON Schema, submits it, and reads the answers off the page: each outcome's
value and status as the API gives them, the citations linked to the
provision's text, the explanation folded until it is opened.  A screenshot
is kept with the other artifacts of the run.  Without Chromium it is skipped.
"""

from __future__ import annotations

import json

import pytest

pytest.importorskip("websockets", reason="websockets is installed with the test extras")
pytest.importorskip("starlette", reason="starlette is installed with the serve extras")

import conftest  # noqa: E402
import regdsl  # noqa: E402
from service_helpers import BOOKS, running  # noqa: E402
from test_browser import CHROMIUM  # noqa: E402

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium to drive the playground: install Debian's `chromium` package "
                             "(apt-get install -y chromium), or set REGDSL_CHROMIUM to a Chromium binary")

AS_OF = "2026-04-01"
# A sample student (examples/university/over-years-limit.json, the facts that decide Article 43).
STUDENT = {"entry": "first_year", "still_in_first_year": False, "years_enrolled": 9, "total_leave": 6,
           "non_degree_period_counted": 0}


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from cdp import Browser

    books = [regdsl.load(p) for p in BOOKS]
    with running(books) as url:
        browser = Browser(CHROMIUM, tmp_path_factory.mktemp("chromium-profile"))
        try:
            browser.goto(f"{url}/?book=university_regulations&as_of={AS_OF}")
            browser.wait_for("document.body !== null && document.body.dataset.ready === 'true'")
            yield browser, books[1]
        finally:
            browser.close()


def answers(browser) -> dict[str, tuple[str, str]]:
    """What the page shows: outcome -> (value, status)."""
    return {name: (value, status) for name, value, status in browser.js(
        "[...document.querySelectorAll('#outcomes article.outcome')].map(a => [a.dataset.name, "
        "a.querySelector('.value').textContent, a.querySelector('.status').textContent])")}


def test_the_form_is_generated_from_the_schema(page):
    browser, book = page
    schema = book.json_schema()
    shown = browser.js("[...document.querySelectorAll('.field')].map(f => f.dataset.name)")
    assert sorted(shown) == sorted(schema["properties"])
    help_text = browser.js("document.querySelector('.field[data-name=\"years_enrolled\"] .help').textContent")
    assert help_text == schema["properties"]["years_enrolled"]["description"]
    assert browser.js("document.querySelector('#as-of').type") == "date"
    assert browser.js("document.querySelector('#as-of').value") == AS_OF
    assert browser.js("document.querySelector('#book').value") == "university_regulations"


def test_a_sample_student_filled_in_gets_the_apis_answers(page, tmp_path_factory):
    browser, book = page
    browser.click("#f-entry-1")  # not known, first_year, second_year, third_year
    browser.click("#f-still_in_first_year-2")  # not known, yes, no
    browser.type("#f-years_enrolled", "9")
    browser.type("#f-total_leave", "6")
    browser.type("#f-non_degree_period_counted", "0")
    browser.click("#evaluate")
    browser.wait_for("document.querySelectorAll('#outcomes article.outcome').length > 0")
    shown = answers(browser)

    want = book.evaluate(STUDENT, AS_OF)
    assert list(shown) == [o.name for o in want]
    assert {n: s for n, (_, s) in shown.items()} == {o.name: o.status for o in want}
    assert shown["must_be_expelled"] == ("yes", "determined")
    assert shown["max_years_enrolled"] == ("8 years", "determined")
    undetermined = next(o for o in want if o.status == "undetermined")
    assert shown[undetermined.name][0] == "?"

    article = "#outcomes article[data-name='must_be_expelled']"
    cites = browser.js(f"[...document.querySelectorAll(\"{article} .citations a\")].map(a => a.textContent)")
    assert cites == [c.cite for c in want["must_be_expelled"].citations]
    assert browser.js(f"document.querySelector(\"{article} details.why\").open") is False  # folded

    browser.js("window.scrollTo(0, 0)")
    shots = tmp_path_factory.mktemp("playground")
    conftest.ARTIFACTS.append(str(shots))
    browser.screenshot(shots / "playground-answers.png")
    assert (shots / "playground-answers.png").stat().st_size > 10_000


def test_a_citation_opens_the_provisions_text(page):
    browser, book = page
    article = "#outcomes article[data-name='must_be_expelled']"
    browser.wait_for(f"document.querySelector(\"{article}\") !== null")
    browser.click(f"{article} .citations a[data-eid='art_43__item_1']")
    browser.wait_for("!document.querySelector('#provision').hidden")
    title = browser.wait_for("document.querySelector('#provision-title').textContent")
    text = browser.js("document.querySelector('#provision-text').textContent")
    assert title.startswith("Article 43, Item 1")
    assert book.ir.provisions[f"{book.name}:art_43__item_1"].text in text
    browser.click("#provision-close")
    assert browser.wait_for("document.querySelector('#provision').hidden") is True


def test_the_explanation_unfolds(page):
    browser, book = page
    article = "#outcomes article[data-name='must_be_expelled']"
    browser.click(f"{article} details.why > summary")
    assert browser.wait_for(f"document.querySelector(\"{article} details.why\").open") is True
    tree = browser.js(f"document.querySelector(\"{article} .tree-root\").textContent")
    assert "must_be_expelled" in tree and "Article 43" in tree


def test_facts_the_book_refuses_are_marked_in_the_form(page):
    browser, _ = page
    # a browser without number fields lets anything be typed
    browser.js("(e => { e.type = 'text'; e.value = ''; })(document.querySelector('#f-years_enrolled'))")
    browser.type("#f-years_enrolled", "nine")
    browser.click("#evaluate")
    browser.wait_for("!document.querySelector('#errors').hidden")
    errors = browser.js("document.querySelector('#errors').textContent")
    assert "E602" in errors and "years_enrolled" in errors
    assert browser.js("document.querySelector('.field[data-name=\"years_enrolled\"]').classList"
                      ".contains('invalid')") is True
    assert json.loads(browser.js("JSON.stringify(document.querySelectorAll('#outcomes article').length)")) == 0


def test_nothing_reaches_past_the_edge_of_a_phone(page):
    browser, _ = page
    browser.call("Emulation.setDeviceMetricsOverride", width=500, height=1400, deviceScaleFactor=1, mobile=False)
    try:
        spills = browser.js("[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
                            " > window.innerWidth + 1).map(e => e.tagName + '#' + e.id + '.' + e.className)")
        assert not spills, spills
        assert browser.js("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        browser.call("Emulation.setDeviceMetricsOverride", width=1280, height=1600, deviceScaleFactor=1,
                     mobile=False)
