"""Write the keyword lists of the VS Code and Vim syntaxes from `regdsl.syntax.keywords`.

    python -m tools.keywords          # rewrite the lists in place
    python -m tools.keywords --check  # exit 1, naming the files, if a list is not as written here

Only the keyword lists change: the TextMate grammar's `repository.keywords`
patterns and the Vim syntax's `syn keyword` lines of the six keyword groups.
Editors cannot import Python, so their copies are generated; tests/test_keywords_agree.py
checks that they are up to date.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from regdsl.syntax.keywords import CATEGORIES  # noqa: E402

TEXTMATE = ROOT / "tools" / "vscode" / "syntaxes" / "regdsl.tmLanguage.json"
VIM = ROOT / "tools" / "vim" / "syntax" / "regdsl.vim"

# Category -> the TextMate scope and the Vim highlight group of its keywords.
SCOPES = {
    "structure": "keyword.other.structure.regdsl",
    "declaration": "storage.type.regdsl",
    "control": "keyword.control.regdsl",
    "operator": "keyword.operator.word.regdsl",
    "constant": "constant.language.regdsl",
    "other": "keyword.other.regdsl",
}
GROUPS = {
    "structure": "regdslStructure",
    "declaration": "regdslDeclaration",
    "control": "regdslControl",
    "operator": "regdslOperatorWord",
    "constant": "regdslConstant",
    "other": "regdslKeyword",
}
VIM_WIDTH = 90


def textmate(text: str) -> str:
    """The TextMate grammar with its keyword patterns written from CATEGORIES."""
    grammar = json.loads(text)
    grammar["repository"]["keywords"]["patterns"] = [
        {"match": r"\b(?:" + "|".join(words) + r")\b", "name": SCOPES[category]}
        for category, words in CATEGORIES.items()]
    return json.dumps(grammar, indent=2, ensure_ascii=False) + "\n"


def vim(text: str) -> str:
    """The Vim syntax with the `syn keyword` lines of the keyword groups written from CATEGORIES."""
    width = max(len(g) for g in GROUPS.values())
    lines: list[str] = []
    for category, words in CATEGORIES.items():
        head = f"syn keyword {GROUPS[category]:<{width}} "
        line = head
        for word in words:
            if line != head and len(line) + len(word) + 1 > VIM_WIDTH:
                lines.append(line.rstrip())
                line = head
            line += word + " "
        lines.append(line.rstrip())
    groups = "|".join(GROUPS.values())
    block = re.compile(rf"(?:^syn keyword (?:{groups}) .*\n)+", re.M)
    found = list(block.finditer(text))
    if len(found) != 1:
        raise ValueError(f"{VIM}: expected one block of `syn keyword` lines for {groups}, found {len(found)}")
    m = found[0]
    return text[:m.start()] + "\n".join(lines) + "\n" + text[m.end():]


def main(argv: list[str]) -> int:
    """Rewrite the editor syntaxes' keyword lists, or with --check say which are out of date."""
    check = "--check" in argv
    stale = []
    for path, write in ((TEXTMATE, textmate), (VIM, vim)):
        old = path.read_text("utf-8")
        new = write(old)
        if new != old:
            stale.append(path)
            if not check:
                path.write_text(new, "utf-8")
    for path in stale:
        print(f"{'out of date' if check else 'rewrote'}: {path.relative_to(ROOT)}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
