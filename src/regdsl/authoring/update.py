"""`regdsl test --update`: rewrite the expectations of failing cases to the book's current answers.

Only the values that change are rewritten, in place: every other byte of the
file — comments, anchors, the layout of flow mappings broken over several
lines, blank lines — stays as it was.  The positions come from the YAML
parser's marks (PyYAML's node start and end), and each edit replaces exactly
the text of one value.  A general round-trip (load, modify, dump) would be
simpler, but it re-lays what it does not change: ruamel.yaml, tried on the
bundled case tables, joined every multi-line flow mapping into one line.

What changes, for a failing expectation:

- the short form (`may_graduate: false`) becomes the new value, or, when the
  answer is no longer determined, `{status: ..., missing: [...]}` (or
  `decided_by`, or `reasons`);
- in the long form, each key that fails is set to what the answer now is
  (`value`, `status`, `unit`, `missing`, `decided_by`, `reasons`); citations
  no longer made are dropped and the deciding provision added; `not_cited`
  loses the provisions now cited; keys that no longer apply go;
- a `sentence:` that an amendment changed becomes the book's new words, when
  the book has a passage close enough to be the same sentence amended.

Cases whose facts cannot be evaluated, expectations that come from a YAML
anchor (shared with other cases) and unknown expectation keys are left for
the author, and said so.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import attrs
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from ..core.units import format_number
from ..core.yamlload import SafeLoader

ORDER = ("value", "status", "unit", "missing", "decided_by", "reasons", "citations", "not_cited")


@attrs.frozen
class Edit:
    """Replace the characters [start, end) of a file with `text`."""

    start: int
    end: int
    text: str


def flow(value: object, in_flow: bool = True) -> str:
    """A value as one line of YAML that reads back as the same value: mappings and lists in flow
    style; a scalar quoted only where it must be (more often inside a flow mapping, `in_flow`)."""
    if isinstance(value, (dict, list)):
        return _dump(value, flow_style=True).strip()
    if in_flow:
        return _dump([value], flow_style=True).strip()[1:-1]
    return _dump(value).removesuffix("\n").removesuffix("\n...").strip()


def _dump(value: object, flow_style: bool = False) -> str:
    """PyYAML's text of a value, never wrapped, keys in their order (False is PyYAML's own default)."""
    return yaml.safe_dump(value, default_flow_style=flow_style, width=10**9, allow_unicode=True, sort_keys=False)


def yaml_value(value, unit: str | None = None):
    """An answer's value as a case table writes it (`8 years` for a quantity with a unit)."""
    if isinstance(value, tuple):
        return [yaml_value(v) for v in value]
    if isinstance(value, Decimal):
        number = int(value) if value == value.to_integral_value() else _decimal(value)
        return f"{format_number(value)} {unit}" if unit else number
    if isinstance(value, dt.time):
        return f"{value.hour}:{value.minute:02d}"
    return value


def _decimal(value: Decimal):
    f = float(value)
    return f if Decimal(repr(f)) == value else str(value)


def new_expectation(want, got, short: bool):
    """What the expectation `want` becomes for the answer `got` (a regdsl Outcome)."""
    if short:
        if got.status == "determined":
            return yaml_value(got.value, got.unit)
        return _not_determined({}, got)
    new = dict(want)
    if got.status == "determined":
        if "value" in new or new.get("status", "determined") != "determined":
            new["value"] = _value_like(new.get("value"), got)
        for key in ("missing", "decided_by", "reasons"):
            new.pop(key, None)
        if "status" in new:
            new["status"] = "determined"
    else:
        new.pop("value", None)
        new = _not_determined(new, got)
    if "unit" in new:
        if got.unit:
            new["unit"] = got.unit
        else:
            del new["unit"]
    cited = {c.eid for c in got.citations} | {c.cite for c in got.citations}
    if "citations" in new:
        kept = [c for c in new["citations"] or [] if c in cited]
        if len(kept) < len(new["citations"] or []) and got.citations and got.citations[0].eid not in kept:
            kept.append(got.citations[0].eid)
        new["citations"] = kept
    if "not_cited" in new:
        new["not_cited"] = [c for c in new["not_cited"] or [] if c not in cited]
    for key in ("citations", "not_cited"):
        if key in new and not new[key]:
            del new[key]
    return {k: new[k] for k in sorted(new, key=lambda k: ORDER.index(k) if k in ORDER else len(ORDER))}


def _value_like(old, got):
    """The new value, written with its unit when the old one was (`8 years`), else as a number."""
    with_unit = isinstance(old, str) and got.unit is not None
    return yaml_value(got.value, got.unit if with_unit else None)


def _not_determined(new: dict, got) -> dict:
    new["status"] = got.status
    for key in ("missing", "decided_by", "reasons"):
        new.pop(key, None)
    if got.status == "discretionary":
        new["decided_by"] = list(got.decided_by)
    elif got.missing:
        new["missing"] = list(got.missing)
    elif got.reasons:
        new["reasons"] = list(got.reasons)
    return new


# ------------------------------------------------------------------ editing the file


def _get(node: Node | None, key: str) -> tuple[Node, Node] | None:
    if not isinstance(node, MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value == key:
            return k, v
    return None


def _inside(node: Node, outer: Node) -> bool:
    """Whether `node` is written inside `outer` (not an alias of an anchor written elsewhere)."""
    return outer.start_mark.index <= node.start_mark.index < outer.end_mark.index


def case_nodes(text: str) -> list[Node]:
    """The YAML node of each case of a case table, in order."""
    root = yaml.compose(text, Loader=SafeLoader)
    found = _get(root, "cases")
    return list(found[1].value) if found is not None and hasattr(found[1], "value") else []


def expectation_edits(text: str, case: Node, name: str, want, new) -> list[Edit] | str:
    """The edits that make outcome `name` of this case expect `new`; or why it cannot be edited."""
    expect = _get(case, "expect")
    if expect is None or not _inside(expect[1], case):
        return "its `expect` comes from an anchor shared with other cases"
    holder = expect[1]
    found = _get(holder, name)
    if found is None or not _inside(found[1], holder):
        return f"`{name}` comes from a merged anchor"
    assert isinstance(holder, MappingNode), "_get finds a key only in a mapping"
    node = found[1]
    if not isinstance(node, MappingNode) or not isinstance(new, dict) or not isinstance(want, dict):
        return [Edit(node.start_mark.index, node.end_mark.index, flow(new, holder.flow_style))]
    if node.flow_style and set(new) != set(want):
        return [Edit(node.start_mark.index, node.end_mark.index, flow(new))]
    edits = []
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value in new and new[k.value] != want[k.value]:
            edits.append(Edit(v.start_mark.index, v.end_mark.index, flow(new[k.value], node.flow_style)))
    if set(new) != set(want):
        edits += _block_keys(text, node, [k for k in new if k not in want], set(want) - set(new), new)
    return edits


def _block_keys(text: str, node: MappingNode, added: list[str], removed: set[str], new: dict) -> list[Edit]:
    """Edits of a block mapping that remove the lines of `removed` keys and add lines for `added` ones,
    where the first removed key was (or after the last key), at the mapping's indentation."""
    lines = "".join(f"{' ' * node.start_mark.column}{k}: {flow(new[k], False)}\n" for k in added)
    edits = []
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value in removed:
            start = k.start_mark.index - k.start_mark.column
            edits.append(Edit(start, _line_end(text, v.end_mark.index), lines))
            lines = ""
    if lines:
        end = _line_end(text, node.value[-1][1].end_mark.index)
        edits.append(Edit(end, end, lines if text[end - 1:end] == "\n" else "\n" + lines))
    return edits


def _line_end(text: str, at: int) -> int:
    """The index just past the end of the line holding index `at`."""
    nl = text.find("\n", at)
    return len(text) if nl < 0 else nl + 1


def sentence_edit(case: Node, words: str) -> Edit | str:
    """The edit that makes this case's `sentence` read `words`; or why it cannot be edited."""
    found = _get(case, "sentence")
    if found is None or not _inside(found[1], case):
        return "its `sentence` comes from an anchor"
    assert isinstance(case, MappingNode), "_get finds a key only in a mapping"
    return Edit(found[1].start_mark.index, found[1].end_mark.index, flow(words, case.flow_style))


def apply(text: str, edits: list[Edit]) -> str:
    """The text with the edits made (they must not overlap)."""
    out = text
    for e in sorted(edits, key=lambda e: e.start, reverse=True):
        out = out[:e.start] + e.text + out[e.end:]
    return out


# ------------------------------------------------------------------ the command


def update(paths) -> list[str]:
    """Rewrite the failing expectations under `paths`; the lines that say what changed."""
    from .testing import evaluate_case, load_all

    books: dict = {}
    texts: dict = {}
    lines: list[str] = []
    changed_files = changed_cases = 0
    for path, cases in load_all(paths):
        text = path.read_text("utf-8")
        nodes = case_nodes(text)
        edits: list[Edit] = []
        said: list[str] = []
        cases_here = 0
        for index, case in enumerate(cases):
            result, failures = evaluate_case(case, books, None, texts)
            if not failures:
                continue
            where = f"{case.file}:{case.line}: {case.name}"
            node = nodes[index] if index < len(nodes) else None
            mine = _case_edits(text, case, result, failures, node, texts, said, where)
            if mine:
                edits += mine
                cases_here += 1
        if edits:
            new_text = apply(text, edits)
            problem = _reads_back(path, new_text, cases)
            if problem:
                lines.append(f"{path}: not updated: {problem}")
                continue
            try:
                path.write_text(new_text, "utf-8")
            except OSError as e:
                lines.append(f"{path}: not updated: cannot write it ({e.strerror or e})")
                continue
            changed_files += 1
            changed_cases += cases_here
        lines += said
    lines.append(f"updated {changed_cases} case(s) in {changed_files} file(s)")
    return lines


def _case_edits(text, case, result, failures, node, texts, said, where) -> list[Edit]:
    from .testing import expectation

    edits: list[Edit] = []
    outcomes = list(dict.fromkeys(f.outcome for f in failures))
    if node is None:
        said.append(f"{where}: not updated: the case was not found in the file")
        return []
    for name in outcomes:
        if name == "sentence":
            near = texts[case.book].nearest(case.sentence)
            got = sentence_edit(node, near.text) if near is not None else "no passage of the book is close"
            _record(got, edits, said, f"{where}: sentence", "the book's text" if near else "")
        elif name == "facts" or result is None:
            said.append(f"{where}: facts: not updated: the facts cannot be evaluated")
        else:
            want = case.expect[name]
            long = expectation(want)
            if set(long) - set(ORDER):
                said.append(f"{where}: {name}: not updated: unknown expectation key(s)")
                continue
            new = new_expectation(long, result[name], short=long is not want)
            _record(expectation_edits(text, node, name, want, new), edits, said, f"{where}: {name}", flow(new))
    return edits


def _record(got, edits: list, said: list, where: str, what: str) -> None:
    if isinstance(got, str):
        said.append(f"{where}: not updated: {got}")
        return
    edits.extend(got if isinstance(got, list) else [got])
    said.append(f"{where}: updated to {what}")


def _reads_back(path: Path, text: str, before) -> str | None:
    """None when the edited table reads back with the same cases; else what went wrong."""
    from ..errors import RegdslError
    from .testing import load_text

    try:
        after = load_text(text, path)
    except RegdslError as e:
        return f"the edited file would not read back ({e.message}); this is a bug in regdsl"
    if [c.name for c in after] != [c.name for c in before]:
        return "the edited file would not have the same cases; this is a bug in regdsl"
    return None
