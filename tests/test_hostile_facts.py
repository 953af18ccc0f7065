"""Hostile and broken facts files (issue 11, F1-F6): each a finding with a position, never a crash
or a hang, and every limit enforced before the work it guards.

Each test is written from the reproducer the fuzzing found.  No test times
anything: the work is bounded by counting it (how many values the YAML
loader composes, how many times a facts file's text is searched).
"""

from __future__ import annotations

import io
import json
import os
import re
import sys

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import regdsl
from conftest import run_cli
from regdsl import facts
from regdsl.facts import read as factsfile
from regdsl.core import files, yamlload
from regdsl.errors import BookErrors, FactsError
from regdsl.core.files import MAX_CASES_BYTES, MAX_FILE_BYTES

BOOK = """\
book mini "Mini Regulations"

article 1 "Facts"
  | Text.
  fact years_enrolled : years "Years since admission."
  fact leaves : integer "Leaves of absence taken."
  fact admitted : date "The day of admission."
  fact entry : one of first_year, second_year "The year the student entered."
  fact subjects : list of text "Subjects taken."
  outcome over : boolean "Whether the limit is exceeded."
  over if years_enrolled exceeds 8 years
"""


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "book.reg"
    path.write_text(BOOK, "utf-8")
    return path


def evaluate(book, path) -> tuple[int, str, str]:
    code, out, err = run_cli("eval", str(book), str(path), "--as-of", "2026-04-01")
    assert "Traceback" not in err and "internal error" not in err, err
    return code, out, err


def finding(err: str, path, code: str) -> re.Match:
    m = re.search(rf"^{re.escape(str(path))}:(\d+):(\d+): {code}: (.*)$", err, re.M)
    assert m, f"no {code} at a position in {path}:\n{err[:2000]}"
    return m


# ------------------------------------------------------------------ F1: billion laughs


def laughs(levels: int = 9, width: int = 10) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + f"\nsubjects: *a{levels - 1}\n"


def test_billion_laughs_is_refused_where_it_grows_too_large(book, tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(laughs(), "utf-8")
    code, out, err = evaluate(book, path)
    assert code == 2 and not out
    m = finding(err, path, "E606")
    assert "once its aliases are expanded" in m.group(3)
    assert m.group(1) == "6"  # a5, of 1,111,111 values, is the first over the limit of 1,000,000


def test_the_yaml_loader_stops_composing_at_the_limit(monkeypatch):
    """The work is bounded: the loader refuses before building the tree, however deep the laughs."""
    composed = []
    real = yaml.composer.Composer.compose_node

    def counting(self, parent, index):
        composed.append(1)
        return real(self, parent, index)

    monkeypatch.setattr(yaml.composer.Composer, "compose_node", counting)
    with pytest.raises(yamlload.LimitExceeded):
        yamlload.load(laughs(levels=30))
    assert len(composed) < 400  # the file's own nodes, not the expanded tree


def test_a_tree_shared_with_itself_is_shown_briefly_in_a_message(book):
    """A value that expands hugely is shown by its first characters (F1 went through json.dumps)."""
    lol = ["lol"] * 10
    for _ in range(30):
        lol = [lol] * 10  # 10 ** 31 strings, if written out
    with pytest.raises(BookErrors) as e:
        regdsl.load(book).evaluate({"leaves": lol}, "2026-04-01")
    assert len(e.value.errors[0].message) < 200
    assert '[[[[[[[' in e.value.errors[0].message


def test_too_many_aliases(book, tmp_path):
    path = tmp_path / "aliases.yaml"
    path.write_text("a: &a x\nsubjects: [" + ", ".join(["*a"] * (yamlload.MAX_ALIASES + 1)) + "]\n", "utf-8")
    code, _, err = evaluate(book, path)
    assert code == 2
    assert "more than 10,000 aliases" in finding(err, path, "E606").group(3)


def test_an_alias_inside_the_value_it_names(book, tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("subjects: &a [x, *a]\n", "utf-8")
    code, _, err = evaluate(book, path)
    assert code == 2
    m = finding(err, path, "E606")
    assert "an alias (*a) inside the value it names" in m.group(3) and m.group(1, 2) == ("1", "18")


def test_merges_nested_too_deep(tmp_path):
    chain = ["m0: &m0 {k0: 0}"] + [f"m{i}: &m{i} {{<<: *m{i - 1}, k{i}: {i}}}" for i in range(1, 300)]
    data = yamlload.load("\n".join(chain[:50]))
    assert data["m49"]["k0"] == 0  # merges of merges are fine
    text = "\n".join(["x: &x0 {a: 0}"] + [f"y{i}: &x{i} {{<<: *x{i - 1}}}" for i in range(1, 300)])
    yamlload.load(text)  # in document order each merge is flattened once: no recursion


def test_case_tables_are_held_to_the_same_limits(tmp_path):
    path = tmp_path / "laughs.test.yaml"
    path.write_text("book: ..\n" + laughs() + "cases: []\n", "utf-8")
    code, _, err = run_cli("test", str(path))
    assert code == 2 and "internal error" not in err
    assert "the case table has more than 1,000,000 values" in finding(err, path, "E606").group(3)


def test_real_case_tables_are_far_inside_the_yaml_limits():
    from conftest import REGULATIONS

    for path in REGULATIONS.glob("*/tests/*.test.yaml"):
        text = path.read_text("utf-8")
        assert text.count("*") < yamlload.MAX_ALIASES // 100
        assert len(text.encode()) < MAX_CASES_BYTES // 100


# ------------------------------------------------------------------ F2: many names


def test_twenty_thousand_unknown_names_are_refused_at_once(book, tmp_path):
    path = tmp_path / "many.json"
    path.write_text(json.dumps({f"name_{i}": 1 for i in range(20_000)}), "utf-8")
    code, _, err = evaluate(book, path)
    assert code == 2
    assert "gives 20,000 names; at most 10,000 are read" in finding(err, path, "E606").group(3)


def test_misspelt_names_are_located_in_one_pass(book, tmp_path, monkeypatch):
    """5,000 misspelt names: each placed at its own line, the text searched once, not per name."""
    text = json.dumps({f"years_enrolle{i}": 1 for i in range(5_000)}, indent=1)
    searches = []
    real = re.search

    def counting(pattern, string, *args, **kwargs):
        searches.append(pattern)
        return real(pattern, string, *args, **kwargs)

    monkeypatch.setattr(factsfile.re, "search", counting)
    with pytest.raises(BookErrors) as e:
        regdsl.load(book).evaluate(json.loads(text), "2026-04-01", _file="f.json", _text=text)
    errors = e.value.errors
    assert len(errors) == 5_000
    assert [err.span.line for err in errors] == list(range(2, 5_002))
    assert len(searches) <= factsfile.Locator._SEARCHES


def test_a_name_written_oddly_is_still_found():
    where = factsfile.Locator('{"a\\u00e9": 1,\n  "b c" : 2}\nodd key: 3\n', "f")
    assert where("b c")[0].line == 2
    assert where("odd key")[0].line == 3


def test_a_long_line_is_cut_when_quoted(book, tmp_path):
    path = tmp_path / "wide.json"
    path.write_text(json.dumps({"years_enroled": 9, **{f"k{i}": i for i in range(3000)}}), "utf-8")
    code, _, err = evaluate(book, path)
    assert code == 2
    assert max(len(line) for line in err.splitlines()) < 400


# ------------------------------------------------------------------ F3: digits


@pytest.mark.parametrize(("name", "text"), [
    ("hex.yaml", "years_enrolled: 0x" + "f" * 200_000 + "\n"),
    ("hex5k.yaml", "leaves: 0x" + "f" * 5_000 + "\n"),
    ("hex.toml", "years_enrolled = 0x" + "f" * 20_000 + "\n"),
    ("octal.toml", "leaves = 0o" + "7" * 5_000 + "\n"),
    ("long.json", '{"leaves": ' + "9" * 5_000 + "}"),
    ("long.toml", "leaves = " + "9" * 5_000 + "\n"),
    ("long.yaml", "leaves: " + "9" * 5_000 + "\n"),
    ("decimals.json", '{"years_enrolled": 0.' + "1" * 100 + "}"),
    ("both-sides.json", '{"years_enrolled": ' + "1" * 50 + "." + "1" * 51 + "}"),
    ("both-sides.yaml", "years_enrolled: " + "1" * 50 + "." + "1" * 51 + "\n"),
    ("both-sides-text.json", '{"years_enrolled": "' + "1" * 50 + "." + "1" * 51 + '"}'),
    ("text.json", '{"years_enrolled": "' + "9" * 101 + ' years"}'),
    ("huge-float.json", '{"years_enrolled": 1e308}'),
    ("tiny-float.json", '{"years_enrolled": 1e-300}'),
    ("value-unit.yaml", "years_enrolled: {value: 0x" + "f" * 5_000 + ", unit: years}\n"),
])
def test_numbers_with_too_many_digits(book, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    code, out, err = evaluate(book, path)
    assert code == 2 and not out
    assert "more than 100 digits" in finding(err, path, "E606").group(3)
    assert len(err) < 2_000


def test_numbers_within_the_limit_are_read(book, tmp_path):
    path = tmp_path / "ok.json"
    """100 digits in all, as a number in a book may have."""
    for value in ["0." + "0" * 98 + "1", "1" * 50 + "." + "1" * 50, '"' + "2" * 99 + '.5 years"']:
        path.write_text('{"years_enrolled": ' + value + ', "leaves": ' + "9" * 100 + "}", "utf-8")
        code, out, err = evaluate(book, path)
        assert code == 0, err


def test_the_api_holds_numbers_to_the_same_limit(book):
    with pytest.raises(BookErrors) as e:
        regdsl.load(book).evaluate({"leaves": 10 ** 100}, "2026-04-01")
    assert e.value.errors[0].code == "E606"
    assert regdsl.load(book).evaluate({"leaves": 10 ** 100 - 1}, "2026-04-01")


# ------------------------------------------------------------------ F4: nesting


@pytest.mark.parametrize(("name", "prefix", "open_", "close"), [
    ("deep.json", '{"subjects": ', "[", "]}"),
    ("deep.yaml", "subjects: ", "[", "]\n"),
    ("deep.toml", "subjects = ", "[", "]\n"),
    ("braces.json", '{"subjects": ', '{"a": ', "1}"),
])
def test_values_nested_too_deep(book, tmp_path, name, prefix, open_, close):
    """The file's own mapping is the first level: the 100th bracket inside it is one too many."""
    path = tmp_path / name
    path.write_text(prefix + open_ * 7990 + close[0] * 7990 + close[1:], "utf-8")
    code, out, err = evaluate(book, path)
    assert code == 2 and not out
    m = finding(err, path, "E606")
    assert "nested more than 100 deep" in m.group(3)
    assert int(m.group(2)) == len(prefix) + 99 * len(open_) + 1


@pytest.mark.parametrize("name", ["ok.json", "ok.yaml", "ok.toml"])
def test_values_nested_to_the_limit_are_read(book, tmp_path, name):
    fmt = name.split(".")[1]
    nested = "[" * 99 + "]" * 99
    text = {"json": '{"subjects": ' + nested + "}", "yaml": "subjects: " + nested,
            "toml": "subjects = " + nested}[fmt]
    path = tmp_path / name
    path.write_text(text + "\n", "utf-8")
    code, _, err = evaluate(book, path)
    assert "E606" not in err and "E602" in err  # read, then refused as not a list of text


def test_nesting_by_toml_dotted_keys(book, tmp_path):
    path = tmp_path / "dotted.toml"
    path.write_text("subjects." + ".".join(["a"] * 500) + " = 1\n", "utf-8")
    code, _, err = evaluate(book, path)
    assert code == 2
    assert "fact `subjects` has values nested more than 100 deep" in finding(err, path, "E606").group(3)


def test_brackets_in_strings_are_not_nesting(book, tmp_path):
    path = tmp_path / "strings.json"
    path.write_text(json.dumps({"subjects": ["[" * 500, "{" * 500, '"[[[' * 100]}), "utf-8")
    assert evaluate(book, path)[0] == 0


def test_a_deep_value_given_through_the_api_is_an_error_not_a_crash(book):
    deep: list = []
    for _ in range(10_000):
        deep = [deep]
    with pytest.raises(BookErrors) as e:
        regdsl.load(book).evaluate({"subjects": deep}, "2026-04-01")
    assert e.value.errors[0].code == "E602"


# ------------------------------------------------------------------ F5: size and type, before reading


def test_dev_zero_is_refused_by_its_name_before_it_is_opened(book):
    code, out, err = evaluate(book, "/dev/zero")
    assert code == 2 and "facts files are .json, .yaml, .yml or .toml" in err


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_with_a_facts_name_is_not_read(book, tmp_path):
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    code, _, err = evaluate(book, link)
    assert code == 2
    assert "not a regular file" in finding(err, link, "E603").group(3)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_not_waited_on(book, tmp_path):
    fifo = tmp_path / "facts.json"
    os.mkfifo(fifo)
    code, _, err = evaluate(book, fifo)  # a blocking open would never return
    assert code == 2 and "not a regular file" in err


def test_a_file_over_the_size_limit_is_not_read(book, tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    path.write_text('{"years_enrolled": 9, "pad": "' + " " * MAX_FILE_BYTES + '"}', "utf-8")
    code, _, err = evaluate(book, path)
    assert code == 2
    assert "larger than the limit of 1 MiB (1,048,576 bytes)" in finding(err, path, "E109").group(3)
    reads = []
    real = files._read_upto
    monkeypatch.setattr(files, "_read_upto", lambda f, n: reads.append(n) or real(f, n))
    with pytest.raises(FactsError, match="larger than the limit"):
        facts.read_facts(str(path))
    assert reads == []  # refused by its size alone


class Endless(io.RawIOBase):
    """A stream that never ends, as /dev/zero on standard input."""

    def __init__(self):
        self.given = 0

    def readable(self):
        return True

    def readinto(self, b):
        b[:] = b" " * len(b)
        self.given += len(b)
        return len(b)


def test_standard_input_is_read_only_up_to_the_limit(book, monkeypatch):
    endless = Endless()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(endless)))
    code, _, err = run_cli("eval", str(book), "-", "--as-of", "2026-04-01")
    assert code == 2 and "<stdin>:1:1: E109: this facts file is larger than the limit" in err
    assert endless.given <= MAX_FILE_BYTES + 1 + io.DEFAULT_BUFFER_SIZE


# ------------------------------------------------------------------ F6: minor


def test_a_file_that_is_not_utf8_gets_a_position(book, tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"entry": "first_year",\n "note": "caf\xe9"}')
    code, _, err = evaluate(book, path)
    assert code == 2
    m = finding(err, path, "E603")
    assert m.group(1, 2) == ("2", "14") and "not UTF-8" in m.group(3)


@pytest.mark.parametrize("day", ["2025-W14", "2025-W14-2", "20250401", "2025-091", "2025-04-01T00:00"])
def test_only_yyyy_mm_dd_is_a_date(book, tmp_path, day):
    path = tmp_path / "day.json"
    path.write_text(json.dumps({"admitted": day}), "utf-8")
    code, _, err = evaluate(book, path)
    assert code == 2
    assert f'should be a date (YYYY-MM-DD), but "{day}" was given' in finding(err, path, "E602").group(3)


@pytest.mark.parametrize("day", ["2025-W14", "20250401"])
def test_as_of_is_yyyy_mm_dd_too(book, tmp_path, day):
    path = tmp_path / "ok.json"
    path.write_text("{}", "utf-8")
    code, _, err = run_cli("eval", str(book), str(path), "--as-of", day)
    assert code == 2 and "E701" in err


@pytest.mark.parametrize(("name", "text", "shown"), [
    ("e3.json", '{"leaves": 1e3}', "1e3"),
    ("point.json", '{"leaves": 2.0}', "2.0"),
    ("e3.toml", "leaves = 1e3\n", "1e3"),
    ("e3.yaml", "leaves: 1.0e+3\n", "1000.0"),
])
def test_a_number_with_a_point_or_exponent_is_not_an_integer(book, tmp_path, name, text, shown):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    code, _, err = evaluate(book, path)
    assert code == 2
    assert f"should be an integer, but {shown} was given" in finding(err, path, "E602").group(3)


def test_toml_errors_are_placed_where_tomllib_says(book, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('leaves = 1\nentry = "first_year\n', "utf-8")
    code, _, err = evaluate(book, path)
    assert code == 2
    assert finding(err, path, "E603").group(1) == "2"


def test_parse_facts_raises_facts_errors_only():
    for text, fmt in [("[" * 5000, "json"), ("[" * 5000, "toml"), ("[" * 5000, "yaml"), ("\x00", "yaml")]:
        with pytest.raises(FactsError):
            facts.parse_facts(text, fmt, "x")


def test_a_case_table_that_is_not_utf8_gets_a_position(tmp_path):
    path = tmp_path / "latin1.test.yaml"
    path.write_bytes(b"book: ..\ncases:\n  - name: caf\xe9\n")
    code, _, err = run_cli("test", str(path))
    assert code == 2 and "internal error" not in err
    assert finding(err, path, "E603").group(1, 2) == ("3", "14")


def test_a_case_table_over_its_limit_is_not_read(tmp_path):
    path = tmp_path / "big.test.yaml"
    path.write_text("book: ..\ncases: []\n" + "# padding\n" * (MAX_CASES_BYTES // 10), "utf-8")
    code, _, err = run_cli("test", str(path))
    assert code == 2
    assert "this case table is larger than the limit of 8 MiB" in finding(err, path, "E109").group(3)


def test_a_case_table_may_name_only_a_book(tmp_path):
    """(A case table naming `book: /etc/passwd` read it as a .reg file and quoted its first line.)"""
    secret = tmp_path / "passwd"
    secret.write_text("TOP-SECRET:x:0:0\n", "utf-8")
    path = tmp_path / "t.test.yaml"
    path.write_text(f"book: {secret}\ncases:\n  - name: x\n    expect: {{over: no}}\n", "utf-8")
    code, out, err = run_cli("test", str(path))
    assert code == 2 and "TOP-SECRET" not in out + err
    assert "is not a book" in finding(err, path, "E702").group(3)


NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
VALUES = st.one_of(st.integers(-10**6, 10**6), st.booleans(), st.text("abc xyz.", max_size=8), st.none(),
                   st.lists(st.integers(0, 9), max_size=3))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(NAMES, VALUES, min_size=1, max_size=12),
       st.sampled_from(["json", "json1", "yaml", "toml"]))
def test_one_pass_locates_each_name_where_a_search_for_it_does(data, fmt):
    """The one-pass Locator places every name where the search per name (the old way) did."""
    if fmt == "toml":
        text = "".join(f"{k} = {json.dumps(v if v is not None else 0)}\n" for k, v in data.items())
    elif fmt == "yaml":
        text = yaml.safe_dump(data, default_flow_style=None)
    else:
        text = json.dumps(data, indent=None if fmt == "json1" else 2)
    where = factsfile.Locator(text, "f")
    for key in data:
        m = re.search(r'(^|[\s{,"\'])(' + re.escape(key) + r')["\']?\s*[:=]', text, re.M)
        span, _ = where(key)
        start = m.start(2)
        assert (span.line, span.column) == (text.count("\n", 0, start) + 1,
                                            start - (text.rfind("\n", 0, start) + 1) + 1)
    assert where._searches == 0
