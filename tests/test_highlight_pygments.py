"""Tests of the Pygments lexer in regdsl.authoring.highlight.

Every tests/highlight/NAME.reg has its expected tokens in NAME.tokens, in the
format of Pygments' own golden files.  After a deliberate change, regenerate
them and review the diff:

    python tests/test_highlight_pygments.py --update
    REGDSL_UPDATE_GOLDEN=1 pytest tests/test_highlight_pygments.py
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename, get_lexer_for_mimetype
from pygments.token import Error

ROOT = Path(__file__).resolve().parents[1]
if importlib.util.find_spec("regdsl") is None:  # not installed: use the checkout
    sys.path.insert(0, str(ROOT / "src"))

from regdsl.authoring import highlight  # noqa: E402
from regdsl.authoring.highlight import RegdslLexer  # noqa: E402

GOLDEN_DIR = ROOT / "tests" / "highlight"
SAMPLES = sorted(GOLDEN_DIR.glob("*.reg"))
BOOKS = sorted({
    path
    for pattern in ("regulations/**/*.reg", "examples/**/*.reg", "tests/**/*.reg")
    for path in ROOT.glob(pattern)
})
UPDATE = bool(os.environ.get("REGDSL_UPDATE_GOLDEN"))


def format_tokens(text: str) -> str:
    """The tokens of `text` as Pygments' own golden files print them: `'value'  Type.Name`."""
    lines = []
    for ttype, value in RegdslLexer().get_tokens(text):
        lines.append(f"{value!r:<13} {str(ttype)[6:]}")
        if value.endswith("\n"):
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def update_goldens() -> list[Path]:
    """Rewrite every .tokens file from its .reg input; returns the files written."""
    written = []
    for sample in SAMPLES:
        golden = sample.with_suffix(".tokens")
        golden.write_text(format_tokens(sample.read_text("utf-8")), "utf-8")
        written.append(golden)
    return written


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_golden_tokens(sample: Path) -> None:
    golden = sample.with_suffix(".tokens")
    actual = format_tokens(sample.read_text("utf-8"))
    if UPDATE:
        golden.write_text(actual, "utf-8")
        return
    assert golden.exists(), f"{golden.name} is missing; run: python {Path(__file__).name} --update"
    assert actual == golden.read_text("utf-8")


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_sample_is_valid_regdsl(sample: Path) -> None:
    parser = pytest.importorskip("regdsl.syntax.parser")
    parser.parse(sample.read_text("utf-8"), str(sample))


@pytest.mark.parametrize("book", BOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_book_lexes_without_errors_and_round_trips(book: Path) -> None:
    text = book.read_text("utf-8")
    tokens = list(RegdslLexer(stripnl=False, ensurenl=False).get_tokens(text))
    errors = [value for ttype, value in tokens if ttype in Error]
    assert not errors, f"Error tokens: {errors[:10]}"
    assert "".join(value for _, value in tokens) == text


FRAGMENTS = [*highlight.KEYWORDS, " ", "  ", "\n", "\t", "x", "_a1", "|", "#", '"', "\\",
             ":", ",", "(", ")", "=", "<=", "-", "12", "0.5", "8:30", "2025-04-01", "é"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=2), max_size=40).map("".join))
def test_any_text_round_trips(text: str) -> None:
    tokens = RegdslLexer().get_tokens_unprocessed(text)  # no newline or BOM clean-up
    assert "".join(value for _, _, value in tokens) == text


def test_there_are_samples_and_books() -> None:
    assert SAMPLES and any("regulations" in p.parts for p in BOOKS)


def test_keyword_categories_are_disjoint() -> None:
    categories = [
        highlight.STRUCTURE_KEYWORDS, highlight.DECLARATION_KEYWORDS,
        highlight.CONTROL_KEYWORDS, highlight.OPERATOR_WORDS,
        highlight.CONSTANT_KEYWORDS, highlight.OTHER_KEYWORDS,
    ]
    assert sum(map(len, categories)) == len(highlight.KEYWORDS) == len(set(highlight.KEYWORDS))


def test_analyse_text_tells_books_from_windows_registry_files() -> None:
    book = (ROOT / "regulations" / "university" / "00-book.reg").read_text("utf-8")
    registry = 'Windows Registry Editor Version 5.00\n\n[HKEY_CURRENT_USER\\Software]\n"a"="b"\n'
    assert RegdslLexer.analyse_text(book) > 0
    assert RegdslLexer.analyse_text(registry) == 0


def test_entry_point_in_pyproject_names_the_lexer() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    target = pyproject["project"]["entry-points"]["pygments.lexers"]["regdsl"]
    module, _, attr = target.partition(":")
    assert (module, attr) == ("regdsl.authoring.highlight", "RegdslLexer")


def test_pygments_finds_the_lexer() -> None:
    registered = {ep.name for ep in importlib.metadata.entry_points(group="pygments.lexers")}
    if "regdsl" not in registered:
        pytest.skip("the pygments.lexers entry point is not registered: "
                    "install the project (pip install -e .) to test plugin discovery")
    book = (ROOT / "regulations" / "university" / "00-book.reg").read_text("utf-8")
    assert type(get_lexer_by_name("regdsl")) is RegdslLexer
    assert type(get_lexer_by_name("reg")) is RegdslLexer
    assert type(get_lexer_for_filename("x.reg")) is RegdslLexer
    assert type(get_lexer_for_filename("x.reg", book)) is RegdslLexer
    assert type(get_lexer_for_mimetype("text/x-regdsl")) is RegdslLexer


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(f"usage: python {sys.argv[0]} --update")
    for path in update_goldens():
        print("wrote", path.relative_to(ROOT))
