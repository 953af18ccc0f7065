"""The LALR tables of the grammar as JSON: shipped in the package, so no grammar cache is needed.

Building the parser from grammar/regdsl.lark takes a few hundred
milliseconds; loading its tables takes a few tens.  The package ships the
tables, `parser_tables.json`, made from the grammar by `python -m
regdsl.syntax.tables` (run it after changing the grammar; a test says so when they
differ).  The file names the grammar, Lark release and options it was made
for, and is used only for exactly those.  When it does not fit (an edited
grammar, another Lark), the tables are built and kept in the per-user cache,
as JSON with an integrity hash (see cache.py), never as a pickle: Lark's own
`cache=` option unpickles the file it finds before checking anything.

The JSON is Lark's own serialization (what its standalone generator writes
as Python literals), with the dictionaries that have integer keys written
`{"#": [[key, value], ...]}`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..core import cache

if TYPE_CHECKING:
    from lark import Lark

SHIPPED = "parser_tables.json"
_LIVE = ("postlex", "lexer_callbacks", "propagate_positions")  # objects, given again when loading


@lru_cache(maxsize=1)
def grammar_text() -> str:
    """The grammar, from the installed package or, in a source checkout, grammar/."""
    package = Path(__file__).resolve().parents[1]  # src/regdsl, or site-packages/regdsl
    for path in (package / "grammar" / "regdsl.lark", package.parents[1] / "grammar" / "regdsl.lark"):
        try:
            return path.read_text("utf-8")
        except OSError:
            pass
    return _package_text("grammar/regdsl.lark")  # a zipped package


def _package_text(name: str) -> str:
    from importlib import resources

    return resources.files("regdsl").joinpath(name).read_text("utf-8")


@lru_cache(maxsize=1)
def lark_version() -> str:
    """The installed Lark's version, read without importing Lark when it is not loaded yet:
    a book whose files are all in the cache is read without the parser."""
    if "lark" not in sys.modules:
        spec = importlib.util.find_spec("lark")
        try:
            text = Path(spec.origin).read_text("utf-8") if spec and spec.origin else ""
        except OSError:
            text = ""
        m = re.search(r"^__version__\s*(?::\s*str\s*)?=\s*['\"]([^'\"]+)['\"]", text, re.M)
        if m:
            return m.group(1)
    import lark

    return lark.__version__


def key(grammar: str, options: dict[str, Any]) -> str:
    """What a set of tables was made from: the grammar, the Lark release and the options."""
    fixed = {k: v for k, v in sorted(options.items()) if k not in _LIVE}
    fixed["always_accept"] = sorted(getattr(options.get("postlex"), "always_accept", ()))  # in the tables
    text = "\0".join((grammar, lark_version(), json.dumps(fixed, sort_keys=True)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def load(grammar: str, options: dict[str, Any]) -> Lark:
    """The parser: from the shipped tables, else the cached ones, else built (and cached)."""
    want = key(grammar, options)
    live = {k: options[k] for k in _LIVE if k in options}
    shipped = _from_json(_shipped_text(), want, live)
    if shipped is not None:
        return shipped
    where = cache.cache_dir()
    path = where / f"grammar-{want}.json" if where is not None else None
    if path is not None:
        data = cache.load(path)
        cached = _from_json(data.decode("utf-8", "replace"), want, live) if data is not None else None
        if cached is not None:
            return cached
    from lark import Lark

    parser = Lark(grammar, **options)
    if where is not None and path is not None:
        cache.remove_legacy(where)
        for old in where.glob("grammar-*.json"):  # the tables of an older grammar
            if old != path:
                old.unlink(missing_ok=True)
        cache.store(path, dumps(parser, want).encode("utf-8"))
    return parser


def _shipped_text() -> str | None:
    try:
        return Path(__file__).with_name(SHIPPED).read_text("utf-8")
    except OSError:
        pass
    try:
        return _package_text(SHIPPED)
    except (OSError, ModuleNotFoundError):
        return None


def _from_json(text: str | None, want: str, live: dict[str, Any]) -> Lark | None:
    """A parser from tables made for `want`; None if they are missing, made for something
    else, or cannot be read (any error: the tables are then built again)."""
    if not text:
        return None
    try:
        data = json.loads(text, object_hook=_int_keys)
        if data.get("key") != want:
            return None
        from lark import Lark

        return Lark._load_from_dict(data["data"], data["memo"], **live)
    except Exception:  # noqa: BLE001 - tables from another Lark or a damaged file: build instead
        return None


def dumps(parser: Lark, made_for: str) -> str:
    """The tables of a built parser as JSON text (ValueError if they hold what JSON cannot)."""
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    data, memo = parser.memo_serialize([TerminalDef, Rule])
    data["options"] = {k: v for k, v in data["options"].items() if k not in _LIVE}
    return json.dumps({"key": made_for, "lark": lark_version(), "data": _plain(data), "memo": _plain(memo)},
                      separators=(",", ":"), sort_keys=True)


def _plain(v: Any) -> Any:
    if isinstance(v, dict):
        if all(type(k) is str for k in v):
            if "#" in v:
                raise ValueError("a key `#` would be read back as integer keys")
            return {k: _plain(x) for k, x in v.items()}
        if all(type(k) is int for k in v):
            return {"#": [[k, _plain(x)] for k, x in v.items()]}
        raise ValueError("a dictionary with keys of mixed types")
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if v is None or type(v) in (str, int, bool, float):
        return v
    raise ValueError(f"cannot write a {type(v).__name__} as JSON")


def _int_keys(d: dict) -> Any:
    return {k: v for k, v in d["#"]} if len(d) == 1 and "#" in d else d


def write_shipped(make: Callable[[], tuple[str, dict[str, Any]]]) -> Path:
    """Build the parser and write its tables into the package (in a source checkout)."""
    from lark import Lark

    grammar, options = make()
    path = Path(__file__).with_name(SHIPPED)
    path.write_text(dumps(Lark(grammar, **options), key(grammar, options)) + "\n", "utf-8")
    return path


if __name__ == "__main__":  # `python -m regdsl.syntax.tables`, after changing the grammar
    from .parser import parser_options

    print(f"wrote {write_shipped(parser_options)}", file=sys.stderr)
