"""Errors that point at the real mistake: one slip in 26-part6-leave.reg gives one error.

Each case copies regulations/university, makes one slip an author makes in an amendment,
and runs `regdsl check` on the copy: the output (tests/golden/slips/CASE.out) names the
slip, with a did-you-mean or a message that says what is wrong, and nothing else -- no
"does not exist" or "unknown name" in the files that use what the broken part declares.
"""

from __future__ import annotations

import shutil

import pytest

from conftest import REGULATIONS, ROOT, golden, run_cli

LEAVE = "26-part6-leave.reg"

# case: (the text as the book has it, the text with the slip)
SLIPS = {
    "paragraph-misspelt": ("\n  paragraph 3\n    | Leaves of absence shall not count",
                           "\n  paragrph 3\n    | Leaves of absence shall not count"),
    "article-misspelt": ('\narticle 39 "Reenrollment"', '\nartcle 39 "Reenrollment"'),
    "item-misspelt": ("\n  item 2\n", "\n  itme 2\n"),
    "outcome-misspelt": ("    outcome max_total_leave : years", "    outcom max_total_leave : years"),
    "notwithstanding-misspelt": ("    when leave_extension_period > 0 months\n",
                                 "    when leave_extension_period > 0 months\n    notwithstandng paragraph 2\n"),
    "when-misspelt": ("    when leave_extension_period > 0 months\n", "    whne leave_extension_period > 0 months\n"),
    "quote-unclosed": ('years "The limit on all leaves of absence taken together."',
                       'years "The limit on all leaves of absence taken together.'),
    "indent-three-spaces": ("\n  paragraph 3\n    | Leaves of absence shall not count",
                            "\n   paragraph 3\n    | Leaves of absence shall not count"),
    "two-slips-two-errors": ("\n  paragraph 3\n    | Leaves of absence shall not count",
                             "\n  paragrph 3\n    | Leaves of absence shall not count"),
}
SECOND = {"two-slips-two-errors": ('\narticle 39 "Reenrollment"', '\nartcle 39 "Reenrollment"')}


@pytest.mark.parametrize("case", sorted(SLIPS))
def test_one_slip_one_error(case: str, tmp_path, monkeypatch) -> None:
    book = tmp_path / "university"
    shutil.copytree(REGULATIONS / "university", book, ignore=shutil.ignore_patterns("tests"))
    leave = book / LEAVE
    text = leave.read_text("utf-8")
    for old, new in (SLIPS[case], *([SECOND[case]] if case in SECOND else [])):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    leave.write_text(text, "utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("check", "university")
    assert code == 1 and out == ""
    slips = 2 if case in SECOND else 1
    assert sum(line.startswith("university/") for line in err.splitlines()) == slips, err
    golden(ROOT / "tests" / "golden" / "slips" / f"{case}.out", f"$ regdsl check university\n{err}")
