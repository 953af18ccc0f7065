"""`regdsl diff OLD NEW STUDENTS...`: which outcomes an amendment changes, for whom.

Evaluates the same students against two versions of a book (say the book
before and after an amendment) and reports every outcome whose value or
status differs, with the provisions behind the new answer.  Students are
facts files, directories of them, or case tables (`*.test.yaml`), whose
cases each count as a student.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Iterator

import attrs

from .errors import BookErrors, RegdslError, UsageError

FACT_SUFFIXES = (".json", ".yaml", ".yml", ".toml")


@attrs.frozen
class Student:
    """One set of facts to evaluate, and where it came from."""

    label: str
    facts: dict
    as_of: object = None


@attrs.frozen
class Change:
    """An outcome that differs between the two books for one student."""

    student: str
    outcome: str
    before: str
    after: str
    cited: tuple[str, ...]


def students(paths) -> Iterator[Student]:
    """The students named by facts files, directories and case tables."""
    from .facts import read_facts
    from .testing import load_cases

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.suffix in FACT_SUFFIXES and f.is_file()
                           and "expected" not in f.parts)
        elif p.is_file():
            files = [p]
        else:
            raise UsageError(f"{raw}: no such file or directory", code="E702")
        for f in files:
            if f.name.endswith(".test.yaml"):
                for case in load_cases(f):
                    yield Student(f"{case.file}:{case.line} {case.name}", case.facts, case.as_of)
            else:
                data, _, _ = read_facts(str(f))
                if isinstance(data, dict):
                    yield Student(str(f), data)


def _show(o) -> str:
    from .results.report import show_value

    if o is None:
        return "(no such outcome)"
    if o.status == "determined":
        return show_value(o.value, o.unit)
    if o.status == "discretionary":
        return "pending a decision by " + "; ".join(o.decided_by)
    what = ", ".join(o.missing) or "; ".join(o.reasons)
    return f"undetermined ({what})"


def compare(old, new, people, as_of=None) -> tuple[list[Change], int, list[str]]:
    """The changes between two books for these students; also how many were compared
    and the students a book could not evaluate (with why)."""
    changes: list[Change] = []
    failed: list[str] = []
    count = 0
    names = list(dict.fromkeys(list(old.outcome_names) + list(new.outcome_names)))
    for s in people:
        count += 1
        day = s.as_of or as_of
        try:
            a = old.evaluate(_only(old, s.facts), day)
            b = new.evaluate(_only(new, s.facts), day)
        except (BookErrors, RegdslError) as e:
            errs = e.errors if isinstance(e, BookErrors) else [e]
            failed.append(f"{s.label}: " + "; ".join(err.message for err in errs))
            continue
        for name in names:
            before = a.outcomes.get(name)
            after = b.outcomes.get(name)
            if _same(before, after):
                continue
            cited = tuple(c.cite for c in after.citations) if after is not None else ()
            changes.append(Change(s.label, name, _show(before), _show(after), cited))
    return changes, count, failed


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return (a.value, a.unit, a.status, a.missing, a.decided_by, a.reasons) == \
        (b.value, b.unit, b.status, b.missing, b.decided_by, b.reasons)


def _only(book, facts: dict) -> dict:
    """The facts a book knows: an amendment may add or remove facts."""
    known = set(book.ir.inputs) | set(book.ir.names)
    return {k: v for k, v in facts.items() if k in known}


def main(args) -> int:
    from .api import load

    old, new = load(args.old), load(args.new)
    changes, count, failed = compare(old, new, list(students(args.students)), args.as_of)
    for f in failed:
        print(f"cannot evaluate {f}", file=sys.stderr)
    if args.format == "json":
        data = {"old": args.old, "new": args.new, "students": count,
                "changes": [attrs.asdict(c) for c in changes]}
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        current = None
        for c in changes:
            if c.student != current:
                current = c.student
                print(current)
            print(f"  {c.outcome}: {c.before} -> {c.after}")
            if c.cited:
                print(f"    now by {'; '.join(c.cited)}")
        who = len({c.student for c in changes})
        print(f"{count} student(s) compared, {who} with changed outcomes, {len(changes)} outcome(s) changed")
    return 1 if changes else 0
