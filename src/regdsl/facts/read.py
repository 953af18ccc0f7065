"""Facts files: read within their limits, parsed (JSON, YAML, TOML), and names found in the text.

What is checked, in order, before the work it guards: the file's name
(.json, .yaml, .yml, .toml), that it is a regular file, its size (E109), that
it is UTF-8; brackets nested too deep (before a parser recurses); for YAML,
aliases and expanded size (yamlload); then the number of names and the
nesting of every value (E606).
"""

from __future__ import annotations

import bisect
import json
import re
from pathlib import Path
from typing import Any

from ..core import files
from ..errors import FactsError, Span
from ..core.files import MAX_FILE_BYTES, FileRefused, not_utf8, read_bytes, too_large, utf8_error_at

FORMATS = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".toml": "toml"}

# Limits on a facts file (E606; its size is E109, see files.MAX_FILE_BYTES).  YAML has its own
# limits on aliases too (yamlload).  Chosen far above any real student's facts.
MAX_FACTS = 10_000  # names in one facts file (the Graduate School Regulations take 179)
MAX_DEPTH = 100  # collections inside collections (the file's own mapping is the first)
MAX_DIGITS = 100  # digits of a number, before and after its decimal point together (as for books)


def read_facts(path: str, stdin_text: str | None = None, fmt: str | None = None) -> tuple[Any, str, str]:
    """Read a facts file (or `-` for stdin): (data, file name, raw text).

    The name, type and size of the file are checked before it is read, and no
    more than the size limit is ever read.
    """
    if path == "-":
        text = stdin_text if stdin_text is not None else ""
        name = "<stdin>"
        if len(text) > MAX_FILE_BYTES:
            raise FactsError(too_large(MAX_FILE_BYTES, "facts file").message, Span(name, 1, 1), code="E109")
        fmt = fmt or _sniff(text)
        return parse_facts(text, fmt, name), name, text
    name = str(path)
    at = Span(name, 1, 1)
    if Path(path).is_dir():
        raise FactsError("this is a directory, not a facts file", at, code="E603",
                         hint="name one .json, .yaml, .yml or .toml file")
    fmt = fmt or FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise FactsError(f"{path}: facts files are .json, .yaml, .yml or .toml", code="E603")
    try:
        data = read_bytes(path, MAX_FILE_BYTES, "facts file")
    except FileNotFoundError:
        raise FactsError("facts file not found", at, code="E603") from None
    except FileRefused as e:
        raise FactsError(e.message, at, code=e.code if e.code == "E109" else "E603") from None
    except OSError as e:
        raise FactsError(f"cannot read this facts file: {e.strerror or e}", at, code="E603") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line, col = utf8_error_at(data, e)
        raise FactsError(not_utf8(data, e), Span(name, line, col), code="E603",
                         hint="save it again as UTF-8 text") from None
    return parse_facts(text, fmt, name), name, text


def read_stdin() -> str:
    """The facts on standard input, read up to the size limit (E109 beyond, E603 if not UTF-8)."""
    try:
        data = files.read_stdin(MAX_FILE_BYTES, "facts file")
    except FileRefused as e:
        raise FactsError(e.message, Span("<stdin>", 1, 1), code=e.code) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line, col = utf8_error_at(data, e)
        raise FactsError(not_utf8(data, e), Span("<stdin>", line, col), code="E603") from None


def _sniff(text: str) -> str:
    s = text.lstrip()
    return "json" if s.startswith(("{", "[")) else "yaml"


def parse_facts(text: str, fmt: str, name: str = "<facts>") -> Any:
    """Parse the text of a facts file in the given format, within the limits on facts."""
    if fmt in ("json", "toml"):
        _check_nesting(text, fmt, name)
    try:
        if fmt == "json":
            data = json.loads(text, parse_float=WrittenFloat, parse_int=_json_int)
        elif fmt == "toml":
            import tomllib

            data = tomllib.loads(text, parse_float=WrittenFloat)
        else:
            data = _load_yaml(text, name)
            _check_shape(data, name, text, walk=False)  # the loader bounds depth and size itself
            return data
    except json.JSONDecodeError as e:
        raise FactsError(f"not valid JSON: {e.msg}", Span(name, e.lineno, e.colno), code="E603",
                         source_line=_line(text, e.lineno, e.colno)) from None
    except FactsError:
        raise
    except ValueError as e:
        if fmt != "toml" or type(e) is not ValueError:  # a TOMLDecodeError
            raise _at_mark(e, name, text, "E603", None) from None
        # tomllib converts integers itself, and Python refuses more than 4,300 digits
        start = next((m.start() for m in re.finditer(r"[0-9_]+", text) if len(m.group()) > 4000), 0)
        line = text.count("\n", 0, start) + 1
        col = start - (text.rfind("\n", 0, start) + 1) + 1
        raise FactsError(f"the facts file has {too_many_digits()}", Span(name, line, col), code="E606",
                         source_line=_line(text, line, col)) from None
    except Exception as e:  # noqa: BLE001 - a TOML error of another kind
        raise _at_mark(e, name, text, "E603", None) from None
    _check_shape(data, name, text)
    return data


def _load_yaml(text: str, name: str) -> Any:
    from ..core import yamlload  # PyYAML is imported only for YAML

    try:
        return yamlload.load(text)
    except yamlload.LimitExceeded as e:
        raise _at_mark(e, name, text, "E606", f"the facts file has {e.problem}") from None
    except Exception as e:  # noqa: BLE001 - yaml.YAMLError, and what PyYAML raises on odd input
        raise _at_mark(e, name, text, "E603", None) from None


def _at_mark(e: Exception, name: str, text: str, code: str, msg: str | None) -> FactsError:
    """The error for a YAML or TOML parser's exception, at the place it names."""
    mark = getattr(e, "problem_mark", None)
    first = str(e).splitlines()[0] if str(e) else type(e).__name__
    at = re.search(r" \(at line ([0-9]+), column ([0-9]+)\)$", first)  # how tomllib says where
    if mark is not None:
        span = Span(name, mark.line + 1, mark.column + 1)
    elif at:
        span = Span(name, int(at.group(1)), int(at.group(2)))
        first = first[: at.start()]
    else:
        span = Span(name, 1, 1)
    if msg is None:
        msg = f"not valid {'YAML' if hasattr(e, 'problem_mark') else 'TOML'}: {first}"
    return FactsError(msg, span, code=code, source_line=_line(text, span.line, span.column))


class LongNumber:
    """A JSON integer too long to convert (Python refuses more than 4,300 digits): E606, not E603."""

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return f"a number of {len(self.text.lstrip('-')):,} digits"


def _json_int(text: str) -> int | LongNumber:
    return int(text) if len(text) <= 4000 else LongNumber(text)


class WrittenFloat(float):
    """A number written with a point or an exponent, remembered as written ("1e3", not 1000.0)."""

    __slots__ = ("text",)
    text: str

    def __new__(cls, text: str):
        value = super().__new__(cls, text)
        value.text = text
        return value


_BRACKETS = {
    "json": re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]'),
    "toml": re.compile(r'"""[\s\S]*?(?:"""|\Z)|\'\'\'[\s\S]*?(?:\'\'\'|\Z)|"(?:[^"\\\n]|\\.)*"?'
                       r"|'[^'\n]*'?|#[^\n]*|[\[\]{}]"),
}


def _check_nesting(text: str, fmt: str, name: str) -> None:
    """E606 at the first bracket nested more than MAX_DEPTH deep (before the parser recurses)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth = 1 if fmt == "toml" else 0  # a TOML file is a table without braces
    for m in _BRACKETS[fmt].finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, m.start()) + 1
                col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
                raise FactsError(f"the facts file has values nested more than {MAX_DEPTH} deep",
                                 Span(name, line, col), code="E606", source_line=_line(text, line, col))
        elif c in "]}":
            depth -= 1


def _check_shape(data: Any, name: str, text: str, walk: bool = True) -> None:
    """E606 for more than MAX_FACTS names, or (with `walk`) values nested more than MAX_DEPTH deep."""
    if not isinstance(data, dict):
        return
    if len(data) > MAX_FACTS:
        raise FactsError(f"the facts file gives {len(data):,} names; at most {MAX_FACTS:,} are read",
                         Span(name, 1, 1), code="E606")
    where = Locator(text, name)
    for key, value in data.items() if walk else ():
        stack = [(value, 2)]  # the file's own mapping is the first level
        while stack:
            v, depth = stack.pop()
            if isinstance(v, (dict, list)):
                if depth > MAX_DEPTH:
                    span, line = where(str(key))
                    raise FactsError(f"fact `{key}` has values nested more than {MAX_DEPTH} deep",
                                     span, code="E606", source_line=line)
                stack.extend((x, depth + 1) for x in (v.values() if isinstance(v, dict) else v))


def _line(text: str, no: int, col: int = 1, starts: list[int] | None = None) -> str | None:
    """Line `no` of a facts file, to quote under a message pointing at `col`; a long line is cut
    (a file may be one line of a megabyte), and not quoted when `col` is past the cut."""
    if starts is None:
        starts = _line_starts(text)
    if not 0 < no <= len(starts):
        return None
    start = starts[no - 1]
    end = starts[no] - 1 if no < len(starts) else len(text)
    line = text[start:min(end, start + _QUOTED + 1)].rstrip("\r")
    if end - start <= _QUOTED:
        return line
    return line[:_QUOTED] + " ..." if col < _QUOTED - 20 else None


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


_QUOTED = 200


class Locator:
    """Where each name is written in a facts file's text, for messages: one pass over the text.

    A name is found where it is followed by `:` or `=` (JSON, YAML, TOML), as
    written or in quotes; the first place wins.  A name written some other way
    (with escapes, or spaces in YAML) is searched for on its own, a few times
    at most, so a file of many such names is not searched once per name.
    """

    _KEY = re.compile(r'(?:^|(?<=[\s{,]))(?:"((?:[^"\\\n]|\\.)*)"|\'([^\'\n]*)\'|([^\s"\'{},:=#]+))[ \t]*[:=]',
                      re.M)
    _SEARCHES = 20

    def __init__(self, text: str | None, file: str):
        self.text, self.file = text, file
        self._found: dict[str, int] | None = None
        self._starts: list[int] = []
        self._searches = 0

    def __call__(self, key: str) -> tuple[Span | None, str | None]:
        text, file = self.text, self.file
        if not text:
            return (Span(file, 1, 1) if file else None), None
        if self._found is None:
            self._found = {}
            for m in self._KEY.finditer(text):
                g = 1 if m.group(1) is not None else 2 if m.group(2) is not None else 3
                self._found.setdefault(m.group(g), m.start(g))
            self._starts = _line_starts(text)
        start = self._found.get(key)
        if start is None and self._searches < self._SEARCHES:
            self._searches += 1
            written = re.search(r'(^|[\s{,"\'])(' + re.escape(key) + r')["\']?\s*[:=]', text, re.M)
            start = written.start(2) if written else None
        if start is None:
            return Span(file, 1, 1), None
        line = bisect.bisect_right(self._starts, start)
        col = start - self._starts[line - 1] + 1
        return Span(file, line, col, line, col + len(key)), _line(text, line, col, self._starts)


def locate(text: str | None, file: str, key: str) -> tuple[Span | None, str | None]:
    """Where `key` is written in a facts file's text, for messages."""
    return Locator(text, file)(key)


def too_many_digits() -> str:
    """What E606 says of a number over MAX_DIGITS."""
    return f"a number of more than {MAX_DIGITS} digits"
