"""Every sentence of a source document is in its book, word for word.

A book keeps the regulation's own words in its `|` lines.  This test reads a
book's source text (regulations/BOOK/source.txt) and the book through the real
parser and checker (`regdsl.api.read_book`), normalises both, splits the seed
into sentences and asserts that each sentence occurs in the book's text.

What is normalised is only the layout of the seeds (see seeds/README.md):
white space; paragraph markers `2.`, `- 2.`, `(2)`, `2 ` and `^{2.}`; item
markers `1)`; sub-item markers `a.`; `-` and `•` bullets; a dot after an
article number (`Article 26.2. Deleted`); LaTeX-ish escapes (`$2.\\ Necessary\\
...$`); lines broken in the middle of a sentence.  Run-in headings need no
special case: the book's text is read as "Article N Title" followed by the
article's text, which is how the run-in line reads.

Two parts of a seed are data rather than sentences, and are checked as data:
the header's establishment and amendment dates (with their regulation
numbers) against the book's `established` / `amended` lines, and the cells of
tab-separated tables against the cells and column titles of the book's
tables.

To check another book, add one line to BOOKS.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from conftest import REGULATIONS, source_of

# book directories under regulations/, each with its source.txt
BOOKS = ["university", "organization", "graduate"]

MONTHS = ("January February March April May June July August September October November "
          "December").split()
_DATE = (r"(?:" + "|".join(MONTHS) + r")\s+\d{1,2}\s*,\s*\d{4}")
_REGNO = r"Regulation\s*No\.?\s*\d+"
DATE_RE = re.compile(r"(" + "|".join(MONTHS) + r")\s+(\d{1,2})\s*,\s*(\d{4})((?:\s*" + _REGNO + r")?)", re.I)
REGNO_RE = re.compile(r"Regulation\s*No\.?\s*(\d+)", re.I)
# A header line that is nothing but history: "Established: April 1, 1977", "Amended:",
# "April 1,1980", "January 30, 2002 September 25, 2002 ... Regulation No. 126".
HISTORY_LINE = re.compile(r"^(?:(?:Established|Amended)\s*:)?(?:\s*" + _DATE + r"(?:\s*" + _REGNO + r")?)*\s*$",
                          re.I)

MARKER = re.compile(r"""^(?:
      [-•]\s+                 # bullets
    | \^\{\d+\.?\}\s*         # ^{2.}
    | \(\d+\)\s+              # (2)
    | \d+\)\s+                # 1)
    | \d+\.\s+                # 2.
    | [a-z]\.\s+              # a.
    | \d{1,2}\s+(?=[A-Z])     # 2 (no dot)
)""", re.X)
HEADING = re.compile(r"^(?:Section|Part|Article)\s+\d+(?:\.\d+)*\b")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z*(\"'“‘])")
# A line broken in the middle of a sentence ends in one of these words, or the next line
# goes on in lower case.
JOINERS = {"a", "an", "the", "of", "and", "or", "to", "for", "in", "at", "with", "by", "on",
           "from", "as", "that", "which", "preceding", "following"}


def normalise(text: str) -> str:
    """Collapse white space (tabs, newlines, runs of spaces) to single spaces."""
    return re.sub(r"\s+", " ", text).strip()


def _delatex(line: str) -> str:
    s = line.strip()
    if len(s) > 1 and s.startswith("$") and s.endswith("$"):
        s = s[1:-1].replace("\\ ", " ")
    return s


def strip_markers(line: str) -> str:
    """A line without its leading bullets and paragraph / item / sub-item numbers."""
    s = line
    while True:
        m = MARKER.match(s)
        if not m or m.end() == 0:
            return s
        s = s[m.end():]


def _has_marker(line: str) -> bool:
    return MARKER.match(line) is not None


def _is_table_row(raw: str) -> bool:
    return "\t" in raw.strip("\n") and not HEADING.match(raw.strip())


class Seed:
    """A seed split into sentences, header history and table cells."""

    def __init__(self, path: Path):
        self.path = path
        self.established: dt.date | None = None
        self.history: list[tuple[dt.date, str | None]] = []  # amendments: (date, regulation no.)
        self.table_cells: list[str] = []
        self.units: list[str] = []
        self._read(path.read_text("utf-8"))

    def _read(self, text: str) -> None:
        lines: list[str] = []
        for raw in text.splitlines():
            if not raw.strip():
                continue
            if _is_table_row(raw):
                self.table_cells += [normalise(c) for c in raw.split("\t") if c.strip()]
                continue
            line = _delatex(raw)
            if HISTORY_LINE.match(line):
                self._history(line)
                continue
            lines.append(line)
        # Join lines broken in the middle of a sentence.
        joined: list[str] = []
        for line in lines:
            if joined and self._continues(joined[-1], line):
                joined[-1] += " " + line
            else:
                joined.append(line)
        for line in joined:
            line = re.sub(r"^(Article\s+\d+(?:\.\d+)*)\.(?=\s)", r"\1", strip_markers(line))
            for sentence in SENTENCE_END.split(normalise(line)):
                if sentence:
                    self.units.append(sentence)

    @staticmethod
    def _continues(prev: str, line: str) -> bool:
        if _has_marker(line) or HEADING.match(line) or HEADING.match(prev):
            return False
        if prev.rstrip().endswith((".", ":", ";", "!", "?")):
            return False
        last = prev.split()[-1].lower() if prev.split() else ""
        return line[:1].islower() or last in JOINERS

    def _history(self, line: str) -> None:
        established = line.lower().startswith("established")
        for m in DATE_RE.finditer(line):
            month = MONTHS.index(m.group(1).capitalize()) + 1
            day = dt.date(int(m.group(3)), month, int(m.group(2)))
            reg = REGNO_RE.search(m.group(4) or "")
            if established and self.established is None:
                self.established = day
            else:
                self.history.append((day, reg.group(1) if reg else None))


class BookText:
    """The words of a book as the parser and checker read them."""

    def __init__(self, book_dir: Path):
        from regdsl.api import read_book

        model = read_book(book_dir)
        assert not model.errors, "\n".join(e.render(model.sources) for e in model.errors)
        self.model = model
        parts: list[str] = [model.title, *model.preamble]
        for kind, node in model.outline:
            if kind in ("section", "part"):
                parts.append(f"{kind.capitalize()} {node.number} {node.title}")
            elif kind == "article":
                parts.append(f"Article {node.number} {node.title}")
                parts += [t for p in node.walk() for t in p.texts]
            elif kind == "supplementary":
                parts.append(node.title)
                parts += [t for p in node.walk() for t in p.texts]
        for body, _ in model.bodies.values():
            parts.append(body.title)
            parts += [s.text for s in body.statements if hasattr(s, "text")]
        self.table_words, self.table_numbers = self._tables()
        parts.append(self.table_words)
        self.text = normalise(" ".join(parts))

    def _tables(self) -> tuple[str, set[Decimal]]:
        from regdsl.syntax import nodes as n

        words: list[str] = []
        numbers: set[Decimal] = set()
        for table, _ in self.model.tables.values():
            if table.title:
                words.append(table.title)
            for s in table.statements:
                if isinstance(s, n.Text):
                    words.append(s.text)
                elif isinstance(s, n.Column):
                    words.append(s.description)
                elif isinstance(s, n.Row):
                    for cell in s.cells:
                        for v in (cell.value, cell.high):
                            if isinstance(v, n.String):
                                words.append(v.value)
                            elif isinstance(v, (n.Number, n.Quantity)):
                                numbers.add(Decimal(v.value))
                            elif isinstance(v, n.Name):
                                words.append(v.name)
        return normalise(" ".join(words)), numbers

    def history(self) -> tuple[dt.date | None, list[tuple[dt.date, str | None]]]:
        out = []
        for a in self.model.amendments:
            reg = REGNO_RE.search(a.note or "")
            out.append((a.date, reg.group(1) if reg else None))
        return self.model.established, out


def missing_sentences(seed_path: Path, book_dir: Path) -> list[str]:
    """The sentences of the seed that the book's text does not contain."""
    seed, book = Seed(seed_path), BookText(book_dir)
    return [s for s in seed.units if s not in book.text]


def missing_table_cells(seed_path: Path, book_dir: Path) -> list[str]:
    """The cells of the seed's tables that are not in the book's tables."""
    seed, book = Seed(seed_path), BookText(book_dir)
    out = []
    for cell in seed.table_cells:
        try:
            number = Decimal(cell.replace(",", ""))
        except InvalidOperation:
            number = None
        if number is not None:
            if number not in book.table_numbers:
                out.append(cell)
        elif cell not in book.table_words:
            out.append(cell)
    return out


@pytest.fixture(params=BOOKS)
def pair(request):
    return source_of(request.param), REGULATIONS / request.param


def test_every_sentence_is_in_the_book(pair):
    seed, book = pair
    units = Seed(seed).units
    assert len(units) > 50, "the seed was not split into sentences"
    missing = missing_sentences(seed, book)
    assert not missing, f"{len(missing)} sentence(s) of {seed.name} are not in {book}:\n" + "\n".join(
        f"  - {s}" for s in missing)


def test_every_table_cell_is_in_the_book(pair):
    seed, book = pair
    missing = missing_table_cells(seed, book)
    assert not missing, f"table cells of {seed.name} not in {book}: {missing}"


def test_header_history_is_the_books(pair):
    seed_path, book_dir = pair
    seed, book = Seed(seed_path), BookText(book_dir)
    established, amended = book.history()
    assert established == seed.established
    assert amended == seed.history


def test_a_changed_word_is_caught(tmp_path):
    """The test itself notices a word changed in the book."""
    import shutil

    book = BOOKS[0]
    copy = tmp_path / book
    shutil.copytree(REGULATIONS / book, copy, ignore=shutil.ignore_patterns("tests"))
    f = next(p for p in sorted(copy.glob("*.reg")) if "| The" in p.read_text("utf-8"))
    text = f.read_text("utf-8")
    i = text.index("| The")
    f.write_text(text[:i] + "| Thee" + text[i + 5:], "utf-8")
    assert missing_sentences(source_of(book), copy)


# ---------------------------------------------------------------- the organisation page (seed 000)
# An organisation book keeps most of its words in sections with content of their own (the
# page has no articles): their text, their bodies' numbered duty lists and the lists' titles
# ("The following duties must be performed.") are read from the sections' provisions.  The
# page's `•` bullets and "1." markers, and its lounge table (rows printed as lines, kept in the
# book as `|` lines of the table), need nothing beyond the normalisation above.  The website's
# cookie notice at the foot of the page is not part of the page's content and is left out of
# the book (said so in its header comment), so its sentences are not looked for.

ORGANIZATION_SEED = source_of("organization")
COOKIE_NOTICE = ("Our site uses cookies", "By using this website, you consent to our use of cookies",
                 "See our Privacy Policy")

_BookTextOfArticles = BookText
_SeedOfArticles = Seed


class BookText(_BookTextOfArticles):  # noqa: F811 - the class above, with sections' own text
    """The words of a book, including those of sections with content of their own."""

    def __init__(self, book_dir: Path):
        super().__init__(book_dir)
        extra = [t for sec in self.model.sections for p in sec.walk() for t in p.texts]
        self.text = normalise(self.text + " " + " ".join(extra))


class Seed(_SeedOfArticles):  # noqa: F811 - the class above, without the organisation page's cookie notice
    """A seed; for the organisation page, without the website's cookie notice."""

    def _read(self, text: str) -> None:
        super()._read(text)
        if self.path == ORGANIZATION_SEED:
            self.units = [u for u in self.units if not u.startswith(COOKIE_NOTICE)]


def test_organization_page_leaves_out_only_the_cookie_notice():
    """The cookie notice is the only part of the organisation page not looked for."""
    everything = _SeedOfArticles(ORGANIZATION_SEED).units
    looked_for = Seed(ORGANIZATION_SEED).units
    assert [u for u in everything if u not in looked_for] == [
        "Our site uses cookies to assist us in studying user behavior on the site and in improving "
        "the operation of the site.",
        "By using this website, you consent to our use of cookies.",
        "See our Privacy Policy for details.",
    ]


# ---------------------------------------------------------------- the Graduate School Regulations (seed 004)
# Two layout quirks of the graduate seed that the normalisation above does not cover:
#  * its grade table (Article 31(3)) prints the letters B and C in Cyrillic (В, С); the book
#    keeps the Latin letters of the sentence "Grades ... shall be A, B, C and D.", so the
#    seed's table cells are read with Latin letters;
#  * item 9 of Article 15 is run into the line of item 8 ("... with exceptional grades 9)
#    Individuals who ..."); the run-in item marker is read as the start of a new item.
# The run-in headings of Articles 15, 16, 21.2, 31 and 46 and the unnumbered last paragraph
# of Article 38 (the book's Paragraph 4) need nothing: the book's text reads the same way.

GRADUATE_SEED = source_of("graduate")
CYRILLIC_LOOKALIKES = str.maketrans({"\u0412": "B", "\u0421": "C"})  # В, С
RUN_IN_ITEM = re.compile(r" (?=\d+\) Individuals who are at least)")

_SeedBeforeGraduate = Seed


class Seed(_SeedBeforeGraduate):  # noqa: F811 - the class above, with the graduate seed's quirks
    """A seed; for the graduate regulations, with Latin grade letters and item 9 on its own."""

    def _read(self, text: str) -> None:
        super()._read(text)
        if self.path != GRADUATE_SEED:
            return
        self.table_cells = [c.translate(CYRILLIC_LOOKALIKES) for c in self.table_cells]
        units: list[str] = []
        for unit in self.units:
            first, *rest = RUN_IN_ITEM.split(unit)
            units.append(first)
            units += [strip_markers(r) for r in rest]
        self.units = units


def test_graduate_seed_quirks_are_read_as_the_book_reads_them():
    """The Cyrillic grade letters and the run-in item 9 are the only graduate special cases."""
    seed = Seed(GRADUATE_SEED)
    assert "\u0412" not in seed.table_cells and "B" in seed.table_cells  # no Cyrillic В left
    item_9 = [u for u in seed.units if u.startswith("Individuals who are at least 22 years of age")]
    assert len(item_9) == 1
    plain = _SeedBeforeGraduate(GRADUATE_SEED)
    assert len(seed.units) == len(plain.units) + 1


# ---------------------------------------------------------------- the other way round
# Every sentence a book quotes (its `|` lines) is in the source text it was written from, after
# the same normalisation: a book cannot put words into the regulation's mouth.  The source is
# read as a whole (sentences and table cells, joined), so a sentence the book splits or joins
# differently from the seed is still found.  A `|` line of a table is the table's own layout
# written out ("Graduate School: Graduate School of Global Studies" is a header cell and the
# cell under it): each of its `: `-separated parts must be a cell of the source's table.


def book_sentences(book_dir: Path) -> list[tuple[str, str]]:
    """(where, sentence) for every sentence of every `|` block of a book."""
    model = BookText(book_dir).model
    blocks: list[tuple[str, list[str]]] = [("the book's preamble", model.preamble)]
    for p in model.provisions():
        blocks.append((p.cite, p.texts))
    for name, (body, _) in model.bodies.items():
        blocks.append((f"body {name}", [s.text for s in body.statements if hasattr(s, "text")]))
    from regdsl.syntax import nodes as n

    out = []
    for name, (table, _) in model.tables.items():
        for s in table.statements:
            if isinstance(s, n.Text):
                out.extend((f"table {name}", part) for part in normalise(s.text).split(": "))
    for where, texts in blocks:
        for sentence in SENTENCE_END.split(normalise(" ".join(texts))):
            if sentence:
                out.append((where, sentence))
    return out


def unquoted_sentences(source: Path, book_dir: Path) -> list[tuple[str, str]]:
    """The book's sentences that its source text does not contain."""
    seed = Seed(source)
    everything = _SeedOfArticles(source)  # with what the book leaves out, such as a cookie notice
    text = normalise(" ".join(everything.units + seed.units + seed.table_cells + everything.table_cells))
    return [(where, s) for where, s in book_sentences(book_dir) if s not in text]


def test_every_sentence_of_the_book_is_in_its_source(pair):
    source, book = pair
    sentences = book_sentences(book)
    assert len(sentences) > 20, "the book was not split into sentences"
    extra = unquoted_sentences(source, book)
    assert not extra, f"{len(extra)} sentence(s) of {book} are not in {source}:\n" + "\n".join(
        f"  - {where}: {s}" for where, s in extra)


def test_a_sentence_added_to_the_book_is_caught(tmp_path):
    import shutil

    book = BOOKS[0]
    copy = tmp_path / book
    shutil.copytree(REGULATIONS / book, copy, ignore=shutil.ignore_patterns("tests"))
    f = next(p for p in sorted(copy.glob("*.reg")) if "| The" in p.read_text("utf-8"))
    text = f.read_text("utf-8")
    i = text.index("| The")
    f.write_text(text[:i] + "| Students shall be happy. The" + text[i + 5:], "utf-8")
    assert ("Students shall be happy." in [s for _, s in unquoted_sentences(source_of(book), copy)])


def test_article_58_paragraph_2_is_in_the_source_written_as_latex():
    """The seed prints Article 58(2) as `$2.\\ Necessary\\ matters ...$`; read without the
    LaTeX-ish escapes (as both directions of this test read the seed) it is the book's sentence."""
    raw = source_of("university").read_text("utf-8")
    assert r"$2.\ Necessary\ matters\ pertaining\ to\ extension\ courses" in raw
    assert "Necessary matters pertaining to extension courses shall be stipulated separately." in \
        Seed(source_of("university")).units


@pytest.mark.parametrize("book", BOOKS)
def test_source_is_recorded_with_its_origin_and_checksum(book):
    """SOURCE.md says where source.txt came from, its date, and its sha256 (which matches)."""
    import hashlib

    record = (REGULATIONS / book / "SOURCE.md").read_text("utf-8")
    for field in ("- Document:", "- Publisher:", "- Text as of:", "- Received:"):
        assert field in record, f"{book}/SOURCE.md has no `{field}` line"
    m = re.search(r"^- sha256: ([0-9a-f]{64})$", record, re.M)
    assert m, f"{book}/SOURCE.md has no sha256"
    assert hashlib.sha256(source_of(book).read_bytes()).hexdigest() == m.group(1), \
        f"{book}/source.txt changed: update SOURCE.md (its date and sha256)"
