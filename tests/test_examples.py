"""Golden outputs of `regdsl eval` for every sample student in examples/.

examples/<book>/<student>.(json|yaml|toml) is evaluated against
regulations/<book> as of 2026-04-01 (or the date in <student>.as_of); the
text and JSON outputs are kept in examples/<book>/expected/.
Set REGDSL_UPDATE_GOLDEN=1 to rewrite them after a deliberate change.
"""

from __future__ import annotations

import pytest

from conftest import EXAMPLES, REGULATIONS, golden, run_cli

AS_OF = "2026-04-01"
FACTS = sorted(p for ext in ("json", "yaml", "toml") for p in EXAMPLES.glob(f"*/*.{ext}"))


def _as_of(facts) -> str:
    side = facts.with_suffix(".as_of")
    return side.read_text().strip() if side.exists() else AS_OF


@pytest.mark.parametrize("facts", FACTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_example_output(facts, fmt):
    book = REGULATIONS / facts.parent.name
    args = ["eval", str(book.relative_to(REGULATIONS.parent)), str(facts.relative_to(EXAMPLES.parent)),
            "--as-of", _as_of(facts), "--format", fmt]
    if fmt == "text":
        args.append("--explain")
    code, out, err = run_cli(*args)
    assert code == 0, err
    suffix = ".txt" if fmt == "text" else ".json"
    golden(facts.parent / "expected" / (facts.stem + suffix), out)


def test_examples_exist():
    assert FACTS, "examples/ has no sample students"
