"""`regdsl render`: the book as a person reads it, in HTML, Markdown and text."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

import regdsl
from regdsl.api import read_book
from regdsl.authoring.render import PHRASE, Linker, phrase_ref, render

from conftest import REGULATIONS, ROOT, golden, run_cli

BOOK = ROOT / "tests" / "books" / "render"
GOLDEN = ROOT / "tests" / "golden" / "render"
FORMATS = {"html": "html", "markdown": "md", "text": "txt"}


@pytest.fixture(scope="module")
def sample():
    return regdsl.load(BOOK)


@pytest.fixture(scope="module")
def sample_html(sample):
    return render(sample, "html")


def ids_of(page: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', page)


VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source"}


def unbalanced(page: str) -> list:
    """Elements closed out of order or never closed (an empty list for a well-formed page)."""
    from html.parser import HTMLParser

    class Balance(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack: list = []
            self.errors: list = []

        def handle_starttag(self, tag, attrs):
            if tag not in VOID:
                self.stack.append((tag, self.getpos()))

        def handle_endtag(self, tag):
            if self.stack and self.stack[-1][0] == tag:
                self.stack.pop()
            else:
                self.errors.append((tag, self.getpos()))

    b = Balance()
    b.feed(page)
    b.close()
    return b.errors + b.stack


def visible_text(page: str) -> str:
    """The words of an HTML page: inline tags vanish, block tags become spaces."""
    body = page.split("</style>", 1)[-1]
    body = re.sub(r"</?(?:a|span)\b[^>]*>", "", body)
    body = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return " ".join(body.split())


# ------------------------------------------------------------------ golden outputs


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(fmt):
    code, out, err = run_cli("render", "tests/books/render", "--format", fmt)
    assert code == 0, err
    golden(GOLDEN / f"sample.{FORMATS[fmt]}", out)


def test_output_file(tmp_path):
    target = tmp_path / "book.html"
    code, out, err = run_cli("render", "tests/books/render", "-o", str(target))
    assert (code, out, err) == (0, "", "")
    assert target.read_text("utf-8") == (GOLDEN / "sample.html").read_text("utf-8")


def test_default_format_is_html():
    code, out, _ = run_cli("render", "tests/books/render")
    assert code == 0 and out.startswith("<!DOCTYPE html>")


def test_identical_runs_give_identical_output(sample):
    for fmt in FORMATS:
        assert render(sample, fmt) == render(regdsl.load(BOOK), fmt)


# ------------------------------------------------------------------ errors


def test_book_with_errors_is_reported_not_rendered(tmp_path):
    (tmp_path / "bad.reg").write_text(
        'book bad "Bad"\n  in force from 2024-04-01\n\narticle 1 "One"\n'
        "  | See Article 9.\n  refers to article 9\n")
    code, out, err = run_cli("render", str(tmp_path / "bad.reg"))
    assert code == 2 and out == ""
    assert "bad.reg:6:13: E303:" in err
    assert "Traceback" not in err


def test_missing_book_and_bad_format():
    code, _, err = run_cli("render", "no/such/book")
    assert code == 2 and "E702" in err
    code, _, err = run_cli("render", "tests/books/render", "--format", "pdf")
    assert code == 2 and "E701" in err


def test_unwritable_output(tmp_path):
    code, _, err = run_cli("render", "tests/books/render", "-o", str(tmp_path / "no" / "dir" / "x.html"))
    assert code == 2 and "E702" in err and "cannot write" in err


# ------------------------------------------------------------------ structure of the HTML


def test_html_is_self_contained(sample_html):
    assert "<style>" in sample_html and ".highlight .k" in sample_html
    assert not re.search(r'(?:href|src)="(?:https?:)?//', sample_html)
    assert "<link" not in sample_html and "<script" not in sample_html


def test_html_is_well_formed(sample_html):
    assert unbalanced(sample_html) == []


def test_every_provision_has_an_anchor_and_ids_are_unique(sample, sample_html):
    ids = ids_of(sample_html)
    assert len(ids) == len(set(ids))
    for p in sample.model.provisions():
        assert p.eid in ids, p.eid


def test_no_broken_internal_links(sample_html):
    ids = set(ids_of(sample_html))
    hrefs = re.findall(r'href="#([^"]+)"', sample_html)
    assert hrefs
    assert sorted(set(hrefs) - ids) == []


def test_header_and_history(sample_html):
    assert "<h1>Regulations of Sample College</h1>" in sample_html
    assert '<dt>Established</dt><dd><time datetime="2001-04-01">April 1, 2001</time></dd>' in sample_html
    assert ('<tr><td><time datetime="2019-03-29">March 29, 2019</time></td><td>Regulation No. 7</td></tr>'
            in sample_html)
    assert '<dt>In force from</dt><dd><time datetime="2024-04-01">April 1, 2024</time></dd>' in sample_html
    # text before the history and after it keep their places
    assert sample_html.index("This English translation") < sample_html.index("Amendment history") \
        < sample_html.index("hereby amended as follows")


def test_text_is_escaped(sample_html):
    assert "&quot;original&quot;" in sample_html or '"original"' in sample_html
    assert "&lt;text&gt; &amp; its notes" in sample_html
    assert "<text>" not in sample_html
    assert "&lt; 3 times &amp; more" in sample_html


def test_sections_parts_and_article_headings(sample_html):
    assert '<h2 class="section" id="sec_1">Section 1 Organisation</h2>' in sample_html
    assert '<h3 class="part" id="sec_2__part_2">Part 2 Admission Limits and Expulsion</h3>' in sample_html
    assert '<article class="article" id="art_2-2">\n<h4>Article 2.2 Limit on Years Enrolled</h4>' in sample_html


def test_paragraphs_items_and_subitems_are_numbered(sample_html):
    assert re.search(r'id="art_2__para_2">.*?<span class="num">2\.</span> The length', sample_html, re.S)
    assert re.search(r'id="art_5__para_1__item_1">.*?<span class="num">1\)</span> The limit', sample_html, re.S)
    assert re.search(r'id="art_3__item_2__subitem_b">.*?<span class="num">b\.</span> an interview',
                     sample_html, re.S)
    # the first paragraph is unnumbered
    assert not re.search(r'id="art_2__para_1">\s*<div[^>]*>\s*<div[^>]*>\s*<p><span class="num">',
                         sample_html)


def test_deleted_articles_alone_and_in_runs(sample_html):
    assert '<article class="article deleted" id="art_4-2">\n<h4>Article 4.2 Deleted</h4>' in sample_html
    run = re.search(r'<article class="article deleted" id="art_1-2">\n<h4>Articles 1.2\u20131.4 Deleted</h4>'
                    r'(.*?)</article>', sample_html, re.S)
    assert run and 'id="art_1-3"' in run.group(1) and 'id="art_1-4"' in run.group(1)


def test_earlier_version_of_an_article(sample_html):
    assert 'id="art_3@2019-04-01"' in sample_html
    assert "In force from April 1, 2019 until March 31, 2024" in sample_html
    assert sample_html.index('id="art_3@2019-04-01"') < sample_html.index('id="art_3"')


def test_rules_beside_their_text_highlighted(sample_html):
    block = re.search(r'id="art_2-2__para_1">(.*?)</details>', sample_html, re.S).group(1)
    assert '<details class="encoding" open>' in block
    assert "<summary>regdsl \u2014 20-students.reg, line 31</summary>" in block
    assert '<span class="kd">outcome</span> <span class="nf">max_years</span>' in block
    assert '<span class="nv">over_limit</span> <span class="k">if</span>' in block


def test_references_in_rules_are_links(sample_html):
    # NAME of REF
    assert ('<span class="kp">of</span> <a href="#art_2" title="Article 2"><span class="kn">article</span> '
            '<span class="m">2</span></a>') in sample_html
    # refers to
    assert re.search(r'<span class="kp">to</span> <a href="#art_2__para_2" title="Article 2, Paragraph 2">',
                     sample_html)
    # notwithstanding the preceding paragraph
    assert re.search(r'notwithstanding</span> <a href="#art_2-2__para_1"', sample_html)


@pytest.mark.parametrize("phrase, href", [
    ("Article 4, Paragraph 2", "#art_4__para_2"),
    ("Articles 3 to 4", "#art_3"),
    ("the preceding paragraph", "#art_2__para_1"),
    ("Items 1 and 2 of the preceding article", "#art_2__para_1__item_1"),
    ("Paragraph 2 of the preceding Article", "#art_2__para_2"),
    ("Article 2.2", "#art_2-2"),
    ("Items 1 and 2 of the preceding paragraph", "#art_5__para_1__item_1"),
    ("Article 2, Paragraph 2", "#art_2__para_2"),
    ("Articles 2 to 3", "#art_2"),
])
def test_references_in_text_are_links(sample_html, phrase, href):
    assert f'href="{href}"' in sample_html
    assert re.search(rf'<a class="xref" href="{re.escape(href)}" title="[^"]*">{re.escape(phrase)}</a>',
                     sample_html), phrase


def test_references_that_go_nowhere_stay_text(sample_html):
    # a deleted article, and another instrument's article
    assert "required by Article 1.3 (a deleted article)" in sample_html
    assert "certificate under Article 90 of the School Education Act" in sample_html


def test_table_with_total(sample_html):
    table = re.search(r'<table class="data" id="table_admission_limits">(.*?)</table>', sample_html, re.S)
    assert table
    t = table.group(1)
    assert "<caption>Admission limits by school</caption>" in t
    assert "<th>School</th><th>First-year (students)</th><th>Third-year (students)</th>" in t
    assert "<tr><td>Arts</td><td>100</td><td>10</td></tr>" in t  # a printed key, in words
    assert '<tr class="total"><td>Total</td><td>180</td><td>15</td></tr>' in t


def test_bodies_with_relations_and_duties(sample_html):
    body = re.search(r'<div class="body" id="body_Registry">(.*?)\n<div class="body" id="body_College">',
                     sample_html, re.S).group(1)
    assert "<strong>Office of the Registrar</strong>" in body
    assert '<dt>Part of</dt><dd><a href="#body_College">Sample College</a></dd>' in body
    assert '<dt>Administered by</dt><dd><a href="#body_President">the President</a></dd>' in body
    assert 'id="sec_1__duties_registry__item_2"' in body and "Records of credits and grades." in body


def test_book_level_bodies_tables_and_declarations(sample_html):
    decl = re.search(r'<details class="declarations">(.*?)</details>\n<h2', sample_html, re.S).group(1)
    assert '<div class="body" id="body_President">' in decl
    assert "<p><span class=\"num\">2)</span> approve admissions.</p>" in decl
    assert '<table class="data" id="table_grade_scale">' in decl
    assert "<tr><td>80 to 100</td><td>A</td><td>yes</td></tr>" in decl
    assert '<span class="kd">unit</span>' in decl


def test_supplementary_provisions_come_last(sample_html):
    assert sample_html.index('<section class="supplementary" id="suppl">') > sample_html.index('id="art_5"')
    assert 'id="suppl__para_2"' in sample_html


# ------------------------------------------------------------------ Markdown and text


def test_markdown_anchors_links_and_code(sample):
    md = render(sample, "markdown")
    assert '#### <a id="art_2-2"></a>Article 2.2 Limit on Years Enrolled' in md
    assert '<a id="art_2__para_2"></a>2\\. The length in [the preceding paragraph](#art_2__para_1)' in md
    assert "```regdsl\nmax_years = 8 years" not in md  # declarations come first, as written
    assert "```regdsl\nfact years_enrolled : years" in md
    assert "| **180** | **15** |" in md
    assert '<a id="art_1-2"></a><a id="art_1-3"></a><a id="art_1-4"></a>Articles 1.2\u20131.4 Deleted' in md
    assert "\\<text\\> & its notes" in md


def test_text_fits_80_columns(sample):
    text = render(sample, "text")
    for line in text.splitlines():
        if not line.lstrip().startswith(">"):
            assert len(line) <= 80, line
    assert "   > max_years = 2 * program_length of article 2" in text
    assert "Articles 1.2\u20131.4 Deleted" in text
    assert "Article 4.2 Deleted" in text


# ------------------------------------------------------------------ finding references in text


@pytest.mark.parametrize("text, expected", [
    ("Article 20, Paragraph 2", "article 20 paragraph 2"),
    ("Articles 33 to 35", "articles 33 to 35"),
    ("Articles 26 and 27", "articles 26 and 27"),
    ("Items 1 and 2 of the preceding article", "items 1 and 2 of the preceding article"),
    ("Paragraph 2 of the preceding Article", "paragraph 2 of the preceding article"),
    ("the previous paragraph", "the preceding paragraph"),
    ("Article 33, Paragraphs 1 and 2", "article 33 paragraphs 1 and 2"),
    ("Paragraph 1, items 3 to 5", "paragraph 1 items 3 to 5"),
    ("Article 13.2", "article 13.2"),
])
def test_phrases(text, expected):
    from regdsl.syntax.printer import describe_ref

    m = PHRASE.fullmatch(text)
    assert m, text
    assert describe_ref(phrase_ref(m.group(0))) == expected


@pytest.mark.parametrize("text", ["the following items", "paragraph", "Article", "credits 2 and 3",
                                  "the preceding two paragraphs"])
def test_not_phrases(text):
    assert not any(phrase_ref(m.group(0)) for m in PHRASE.finditer(text) if m.group(0).strip())


def test_linker_skips_other_instruments(sample):
    book = sample.model
    at = book.article("2").children[0]
    segs = Linker(book).text("under Article 2 of the School Education Act and Article 2 of these "
                             "Regulations", at)
    links = [s for s in segs if s.href]
    assert [(s.text, s.href) for s in links] == [("Article 2", "#art_2")]
    assert "".join(s.text for s in segs).startswith("under Article 2 of the School")


# ------------------------------------------------------------------ every bundled book


def bundled_books() -> list[Path]:
    if not REGULATIONS.is_dir():
        return []
    return sorted(p for p in REGULATIONS.iterdir() if p.is_dir() and any(p.glob("*.reg")))


@pytest.fixture(scope="module", params=bundled_books(), ids=lambda p: p.name)
def bundled(request):
    model = read_book(request.param)
    if model.errors:
        pytest.skip(f"{request.param.name} does not check clean at the moment "
                    f"({len(model.errors)} problem(s), first: {model.errors[0].render().splitlines()[0]})")
    book = regdsl.load(request.param)
    return book, {fmt: render(book, fmt) for fmt in FORMATS}


def test_bundled_book_renders_in_every_format(bundled):
    _, pages = bundled
    assert pages["html"].startswith("<!DOCTYPE html>")
    assert pages["markdown"].startswith("# ")
    assert pages["text"].strip()


def test_bundled_book_anchors_every_provision(bundled):
    book, pages = bundled
    ids = ids_of(pages["html"])
    assert len(ids) == len(set(ids)), "duplicate ids"
    missing = [p.eid for p in book.model.provisions() if p.eid not in ids]
    assert missing == []
    md_ids = set(re.findall(r'<a id="([^"]+)"></a>', pages["markdown"]))
    assert [p.eid for p in book.model.provisions() if p.eid not in md_ids] == []


def test_bundled_book_has_every_article_text(bundled):
    book, pages = bundled
    words = visible_text(pages["html"])
    for p in book.model.provisions():
        if p.text:
            assert " ".join(p.text.split()) in words, p.cite


def test_bundled_book_has_no_broken_links(bundled):
    _, pages = bundled
    page = pages["html"]
    ids = set(ids_of(page))
    assert sorted(set(re.findall(r'href="#([^"]*)"', page)) - ids) == []
    md_ids = set(re.findall(r'<a id="([^"]+)"></a>', pages["markdown"]))
    assert sorted(set(re.findall(r"\]\(#([^)]+)\)", pages["markdown"])) - md_ids) == []


def test_bundled_book_html_is_well_formed(bundled):
    _, pages = bundled
    assert unbalanced(pages["html"]) == []


def test_bundled_book_is_self_contained(bundled):
    _, pages = bundled
    page = pages["html"]
    assert not re.search(r'(?:href|src)="(?:https?:)?//', page)
    assert "<link" not in page and "<script" not in page and "@import" not in page


# ------------------------------------------------------------------ tables as the regulation prints them


def _table(page: str, ident: str) -> str:
    m = re.search(rf'<table class="data" id="{ident}">(.*?)</table>', page, re.S)
    assert m, f"no table {ident}"
    return m.group(1)


def test_the_machine_key_of_a_table_is_not_printed():
    """Article 13.2: the key column `school` (no title of its own) is hidden beside "School"."""
    page = render(regdsl.load(REGULATIONS / "university"), "html")
    t = _table(page, "table_enrollment_limits")
    assert "<thead><tr><th>School</th><th>Field of Study</th><th>Admission limit (students)</th>" in t
    assert "language_and_culture_studies" not in t and "japan_studies" not in t
    assert "<tr><td>School of Japan Studies</td><td>Japan Studies</td><td>75</td><td>10</td><td>320</td></tr>" in t
    assert '<tr class="total"><td>Total</td><td></td><td>745</td>' in t
    text = render(regdsl.load(REGULATIONS / "university"), "text")
    assert "language_and_culture_studies" not in text[text.index("Fields of study and enrollment limits"):]


def test_a_key_with_the_title_of_another_column_is_not_printed():
    """Graduate Article 7: `field` and `field_name` are both titled "Field of Study"; one is printed."""
    page = render(regdsl.load(REGULATIONS / "graduate"), "html")
    t = _table(page, "table_enrollment_limits")
    assert t.count("<th>Field of Study</th>") == 1
    assert "<td>global_studies</td>" not in t and "<td>Global Studies</td>" in t


def test_a_key_that_is_the_only_column_of_its_kind_is_printed_in_words():
    """The organisation page's lounges: the campus is printed (it is the only column naming it)."""
    page = render(regdsl.load(REGULATIONS / "organization"), "html")
    t = _table(page, "table_lounges")
    assert "<th>Campus</th>" in t and "<td>Kagurazaka</td>" in t
