"""`regdsl diff OLD NEW STUDENTS...`: which outcomes an amendment changes, for whom, and why.

Evaluates the same students against two versions of a book (say the book
before and after an amendment).  The report reads from the general to the
particular, in 80 columns:

1. a summary: per outcome, how many students' answers changed, from what to
   what (value and status);
2. the provisions the amendment changed (see regdsl.amended): their text with
   the changed words marked, and their changed rules;
3. the students (the first `--limit`, ordered by outcome), each changed
   answer with the provisions now behind it.

Students are facts files, directories of them, or case tables (`*.test.yaml`),
whose cases each count as a student.  A fact that neither book declares is
ignored with a warning (a misspelled name would otherwise silently change
nothing).  `--format json` gives the same, structured.
"""

from __future__ import annotations

import difflib
import json
import textwrap
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

import attrs

from ..errors import BookErrors, RegdslError, UsageError

if TYPE_CHECKING:
    from ..results.outcome import Outcome
    from .amended import Amended

FACT_SUFFIXES = (".json", ".yaml", ".yml", ".toml")
WIDTH = 80
LIMIT = 20


@attrs.frozen
class Student:
    """One set of facts to evaluate, and where it came from."""

    label: str
    facts: dict
    as_of: object = None
    file: str = ""
    text: str | None = None  # the file's text, to place warnings


@attrs.frozen
class Change:
    """An outcome that differs between the two books for one student (the outcomes as evaluated)."""

    student: str
    outcome: str
    before: Outcome | None  # None when the book has no such outcome
    after: Outcome | None

    def to_dict(self) -> dict:
        """The change as data: the student, the outcome, and its state before and after."""
        return {"student": self.student, "outcome": self.outcome,
                "before": state(self.before), "after": state(self.after)}


@attrs.frozen
class Comparison:
    """What `compare` found: the changes, how many students were compared, those that could not be
    evaluated (and why), and the facts no book declares (name -> the students that give it)."""

    changes: tuple[Change, ...]
    students: int
    failed: tuple[str, ...]
    unknown: dict

    @property
    def changed_students(self) -> int:
        """How many students have at least one changed answer."""
        return len({c.student for c in self.changes})


def students(paths: Iterable[str]) -> Iterator[Student]:
    """The students named by facts files, directories and case tables."""
    from ..facts import read_facts
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
                text = f.read_text("utf-8")
                for case in load_cases(f):
                    yield Student(f"{case.file}:{case.line} {case.name}", case.facts, case.as_of, str(f), text)
            else:
                data, name, text = read_facts(str(f))
                if isinstance(data, dict):
                    yield Student(str(f), data, None, name, text)


# ------------------------------------------------------------------ comparing


def state(o: Outcome | None) -> dict | None:
    """An answer as data: value, unit, status, what it waits for, the provisions behind it."""
    from ..results.outcome import json_value

    if o is None:
        return None
    return {"value": json_value(o.value), "unit": o.unit, "status": o.status, "missing": list(o.missing),
            "decided_by": list(o.decided_by), "reasons": list(o.reasons),
            "citations": [c.to_dict() for c in o.citations]}


def compare(old: Any, new: Any, people: Iterable[Student], as_of: Any = None) -> Comparison:
    """The changes between two books (regdsl.Book) for these students."""

    changes: list[Change] = []
    failed: list[str] = []
    unknown: dict[str, list[Student]] = {}
    count = 0
    names = list(dict.fromkeys(list(old.outcome_names) + list(new.outcome_names)))
    known_old, known_new = old.ir.inputs, new.ir.inputs
    for s in people:
        for k in s.facts:
            if k not in known_old and k not in known_new:
                unknown.setdefault(str(k), []).append(s)
        day = s.as_of or as_of
        try:
            a = old.evaluate(_only(known_old, s.facts), day)
            b = new.evaluate(_only(known_new, s.facts), day)
        except (BookErrors, RegdslError) as e:
            errs = e.errors if isinstance(e, BookErrors) else [e]
            failed.append(f"{s.label}: " + "; ".join(err.message for err in errs))
            continue
        count += 1
        for name in names:
            before, after = a.outcomes.get(name), b.outcomes.get(name)
            if not _same(before, after):
                changes.append(Change(s.label, name, before, after))
    return Comparison(tuple(changes), count, tuple(failed), unknown)


def _same(a: Outcome | None, b: Outcome | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.value, a.unit, a.status, a.missing, a.decided_by, a.reasons) == \
        (b.value, b.unit, b.status, b.missing, b.decided_by, b.reasons)


def _only(known, facts: dict) -> dict:
    """The facts a book knows: an amendment may add or remove facts."""
    return {k: v for k, v in facts.items() if k in known}


# ------------------------------------------------------------------ the summary


def label(o: Outcome | None, brief: bool = True) -> str:
    """An answer in words: the value, or the status and what it waits for; `brief` (for the
    summary, which groups students by it) leaves out the missing facts, which vary from student to
    student."""
    from ..results.report import show_value

    if o is None:
        return "(no such outcome)"
    if o.status == "determined":
        return show_value(o.value, o.unit)
    if o.status == "discretionary":
        who = "; ".join(o.decided_by)
        return f"discretionary ({who})" if brief else f"pending a decision by {who}"
    return "undetermined" if brief else f"undetermined ({', '.join(o.missing) or '; '.join(o.reasons)})"


def _transition(c: Change) -> tuple[str, str]:
    before, after = label(c.before), label(c.after)
    a, b = c.before, c.after
    if before == after and a is not None and b is not None:  # the same in a few words: say what else differs
        what = ("the unit" if a.unit != b.unit else "the missing facts" if a.missing != b.missing
                else "the deciding body" if a.decided_by != b.decided_by else "the reasons")
        after += f" ({what} differ{'s' if what == 'the unit' else ''})"
    return before, after


def summary(changes: Iterable[Change]) -> list[tuple[str, int, list[tuple[tuple[str, str], int, Change]]]]:
    """Per outcome (most students first): how many students changed, and each transition
    (before, after in a few words) with its count and its first change."""
    by: dict[str, Counter] = {}
    first: dict[tuple[str, tuple[str, str]], Change] = {}
    for c in changes:
        t = _transition(c)
        by.setdefault(c.outcome, Counter())[t] += 1
        first.setdefault((c.outcome, t), c)
    rows = [(name, sum(t.values()), [(tr, k, first[(name, tr)]) for tr, k in
                                     sorted(t.items(), key=lambda kv: (-kv[1], kv[0]))]) for name, t in by.items()]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def brief(o: Outcome | None) -> dict | None:
    """An answer's value and status, as data (what the summary groups students by)."""
    full = state(o)
    if o is None or full is None:
        return None
    d = {k: v for k, v in full.items() if k in ("value", "unit", "status")}
    if o.status == "discretionary":
        d["decided_by"] = list(o.decided_by)
    return d


def _counted(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


# ------------------------------------------------------------------ output


def text_report(cmp: Comparison, provisions: Iterable[Amended], limit: int,
                shown: Callable[[str], str] = str) -> str:
    """The report for people: summary, amended provisions, students; 80 columns."""
    from . import amended as am

    out: list[str] = []
    rows = summary(cmp.changes)
    out.append(f"{cmp.changed_students:,} of {_counted(cmp.students, 'student')} "
               f"{'has' if cmp.changed_students == 1 else 'have'} changed answers.")
    if rows:
        out += ["", "Changed outcomes:"]
    for name, n, transitions in rows:
        out += ["", f"  {name}: {_counted(n, 'student')}"]
        width = max(len(f"{k:,}") for _, k, _ in transitions)
        for (before, after), k, _ in transitions:
            out += _wrap(f"{before} -> {after}", f"    {k:>{width},}  ", " " * (width + 8))
    out += ["", "Amended provisions:" if provisions else "No provision was amended."]
    for a in provisions:
        out += [""] + am.render(a, shown)
    order = {name: i for i, (name, _, _) in enumerate(rows)}
    people = list(dict.fromkeys(c.student for c in sorted(cmp.changes, key=lambda c: order[c.outcome])))
    listed = people if limit == 0 else people[:limit]
    if people:
        some = f" (the first {len(listed):,} of {len(people):,})" if len(listed) < len(people) else ""
        out += ["", f"Students, by outcome{some}:"]
    by_student: dict[str, list[Change]] = {}
    for c in cmp.changes:
        by_student.setdefault(c.student, []).append(c)
    for who in listed:
        out += [""] + _wrap(who, "  ", "    ")
        for c in sorted(by_student[who], key=lambda c: order[c.outcome]):
            out += _wrap(f"{c.outcome}: {label(c.before, False)} -> {label(c.after, False)}", "    ", "      ")
            if c.after is not None and c.after.citations:
                cites = c.after.citations
                more = f" (and {_counted(len(cites) - 1, 'other provision')})" if len(cites) > 1 else ""
                out += _wrap(f"now by {cites[0].cite}{more}", "      ", "        ")
    if len(listed) < len(people):
        out += ["", f"  ... and {_counted(len(people) - len(listed), 'more student')} (--limit 0 lists all)"]
    failed = f", {len(cmp.failed)} could not be evaluated" if cmp.failed else ""
    out += [""] + _wrap(f"{cmp.students} student(s) compared, {cmp.changed_students} with changed outcomes, "
                        f"{len(cmp.changes)} outcome(s) changed{failed}", "", "")
    return "\n".join(out) + "\n"


def _wrap(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False) or [first.rstrip()]


def json_report(old: str, new: str, cmp: Comparison, provisions: Iterable[Amended], warnings: list[dict]) -> str:
    """The report for programs (`old` and `new` name the books): every change, with before and after as data."""
    data = {
        "old": old, "new": new, "students": cmp.students, "changed_students": cmp.changed_students,
        "summary": [{"outcome": name, "students": n,
                     "transitions": [{"before": brief(c.before), "after": brief(c.after), "students": k,
                                      "text": f"{b} -> {a}"} for (b, a), k, c in transitions]}
                    for name, n, transitions in summary(cmp.changes)],
        "provisions": [a.to_dict() for a in provisions],
        "changes": [c.to_dict() for c in cmp.changes],
        "not_evaluated": list(cmp.failed),
        "unknown_facts": warnings,
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def unknown_facts(cmp: Comparison, old: Any, new: Any) -> list[dict]:
    """Each fact name that neither book declares: where it is first given, by how many students,
    and the declared name it is nearest to."""
    from ..facts import locate

    known = sorted(set(old.ir.inputs) | set(new.ir.inputs))
    out = []
    for name in sorted(cmp.unknown):
        who = cmp.unknown[name]
        span, _ = locate(who[0].text, who[0].file, name)
        close = difflib.get_close_matches(name, known, n=1)
        out.append({"fact": name, "where": str(span) if span is not None else who[0].file,
                    "students": len(who), "did_you_mean": close[0] if close else None})
    return out


def warning_text(w: dict) -> str:
    """`FILE:LINE:COL: warning: ...` for a fact no book declares."""
    more = f" (and by {_counted(w['students'] - 1, 'other student')})" if w["students"] > 1 else ""
    hint = f"; did you mean `{w['did_you_mean']}`?" if w["did_you_mean"] else ""
    return f"{w['where']}: warning: `{w['fact']}` is a fact neither book declares; it is ignored{more}{hint}"



# ------------------------------------------------------------------ two books


@attrs.frozen
class DiffReport:
    """What `diff_books` found: the changed answers, the amended provisions and the facts no book declares."""

    old: str  # the books' paths, as given
    new: str
    comparison: Comparison
    provisions: tuple[Amended, ...]
    warnings: tuple[dict, ...]  # `unknown_facts`

    def text(self, limit: int = LIMIT, shown: Callable[[str], str] = str) -> str:
        """The report for people (`text_report`): at most `limit` students listed (0: all)."""
        return text_report(self.comparison, self.provisions, limit, shown)

    def json(self) -> str:
        """The report for programs (`json_report`)."""
        return json_report(self.old, self.new, self.comparison, self.provisions, list(self.warnings))


def diff_books(old: str, new: str, student_paths: Iterable[str], as_of: Any = None) -> DiffReport:
    """Load two versions of a book and compare them for the students at `student_paths`
    (facts files, directories of them, case tables)."""
    from ..api import load
    from .amended import amended

    before, after = load(old), load(new)
    cmp = compare(before, after, list(students(student_paths)), as_of)
    provisions = tuple(amended(before.model, after.model))
    return DiffReport(old, new, cmp, provisions, tuple(unknown_facts(cmp, before, after)))
