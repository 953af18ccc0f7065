"""The rendered book and a docs page in a real browser: nothing overflows, code is coloured.

Headless Chromium (Debian's `chromium` package) opens each page at a desktop,
a laptop and a phone width.  A small script (tests/browser/probe.js) is put
into a copy of the page; it reports what reaches past the right edge of the
window, what is cut off inside its box, which boxes scroll sideways, and the
colour of a keyword of a highlighted code block next to the colour of its
text.  Chromium's `--dump-dom` hands the report back.  Screenshots of the
pages are kept for people to look at; the folder is printed at the end of the
test run ("artifacts kept in ...").

Without Chromium the tests are skipped, saying so: a fresh clone passes
without a browser, and .ci/run installs one so that CI runs them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

import conftest
from conftest import REGULATIONS, ROOT, run_cli


def _chromium() -> str | None:
    for name in (os.environ.get("REGDSL_CHROMIUM"), "chromium", "chromium-browser", "/usr/bin/chromium"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium to run the screenshot tests: install Debian's `chromium` package "
                             "(apt-get install -y chromium), or set REGDSL_CHROMIUM to a Chromium binary")
PROBE = (ROOT / "tests" / "browser" / "probe.js").read_text()
DESKTOP, LAPTOP, PHONE = 1280, 800, 500  # headless Chromium's window is at least 500 pixels wide


def chromium(tmp_path, url: str, width: int, height: int, *action: str) -> str:
    """Run headless Chromium on `url` with a window of width x height; its standard output."""
    profile = tmp_path / "profile"
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}", f"--window-size={width},{height}",
         *action, url],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def probe(tmp_path, page, width: int) -> dict:
    """The probe's report on `page` (a file) opened `width` pixels wide."""
    copy = page.with_name(page.stem + ".probe.html")
    copy.write_text(page.read_text("utf-8").replace("</body>", f"<script>{PROBE}</script></body>"), "utf-8")
    dom = chromium(tmp_path, copy.as_uri(), width, 900, "--dump-dom")
    m = re.search(r'<script type="application/json" id="regdsl-probe">(.*?)</script>', dom, re.S)
    assert m, "the probe did not run:\n" + dom[:500]
    return json.loads(m.group(1))


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    """The folder screenshots are kept in (printed at the end of the run)."""
    folder = tmp_path_factory.mktemp("screenshots")
    conftest.ARTIFACTS.append(str(folder))
    return folder


def screenshot(tmp_path, shots, page, name: str, width: int, height: int) -> None:
    png = shots / f"{name}.png"
    chromium(tmp_path, page.as_uri(), width, height, f"--screenshot={png}")
    assert png.exists() and png.stat().st_size > 10_000, f"no screenshot of {name}"


def assert_fits(report: dict, where: str) -> None:
    assert report["page_width"] <= report["viewport"], f"{where}: the page scrolls sideways: {report}"
    assert not report["spills"], f"{where}: past the right edge: {report['spills']}"
    assert not report["clipped"], f"{where}: cut off inside its box: {report['clipped']}"


def assert_coloured(report: dict, where: str) -> None:
    assert report["keyword"], f"{where}: no highlighted keyword found"
    assert report["keyword_color"] != report["text_color"], (
        f"{where}: the keyword `{report['keyword']}` is not coloured ({report['keyword_color']})")


# ------------------------------------------------------------------ the rendered book


@pytest.fixture(scope="module")
def book_page(tmp_path_factory):
    """The University Regulations rendered as one HTML page (the Article 13.2 table, long rules)."""
    page = tmp_path_factory.mktemp("render") / "university.html"
    code, _, err = run_cli("render", str(REGULATIONS / "university"), "-o", str(page))
    assert code == 0, err
    return page


@pytest.mark.parametrize("width", [DESKTOP, LAPTOP])
def test_the_rendered_book_fits_the_page(tmp_path, book_page, width):
    report = probe(tmp_path, book_page, width)
    assert_fits(report, f"the rendered book at {width}px")
    # Rule panels wrap inside their box: nothing is hidden behind a scroll bar.
    assert not report["scrolling"], f"boxes that scroll sideways at {width}px: {report['scrolling']}"
    assert_coloured(report, "the rendered book")


def test_on_a_phone_only_a_wide_table_scrolls_in_its_box(tmp_path, book_page):
    report = probe(tmp_path, book_page, PHONE)
    assert_fits(report, f"the rendered book at {PHONE}px")
    assert all(box.startswith("div.table-scroll") for box in report["scrolling"]), report["scrolling"]


def test_screenshots_of_the_rendered_book(tmp_path, book_page, shots):
    screenshot(tmp_path, shots, book_page, "book-desktop", DESKTOP, 2400)
    screenshot(tmp_path, shots, book_page, "book-phone", PHONE, 1600)


# ------------------------------------------------------------------ a page of the docs site


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_a_docs_page_fits_and_its_regdsl_code_is_coloured(tmp_path, docs_site, width):
    report = probe(tmp_path, docs_site / "language" / "index.html", width)
    assert_fits(report, f"docs/language.md at {width}px")
    # Long code lines and wide tables scroll inside their own boxes.
    assert {re.sub(r"[#.].*", "", box) for box in report["scrolling"]} <= {"pre", "table"}, report["scrolling"]
    assert_coloured(report, "docs/language.md")
    assert report["keyword_color"] == "rgb(0, 128, 0)", report  # Pygments' default keyword green


def test_screenshot_of_a_docs_page(tmp_path, docs_site, shots):
    screenshot(tmp_path, shots, docs_site / "language" / "index.html", "docs-language", DESKTOP, 1600)
