"""`regdsl diff`: the outcomes an amendment changes."""

from __future__ import annotations

import json
import shutil

from conftest import ROOT, run_cli

STUDENT = {"entry": "first_year", "years_enrolled": 4, "total_leave": 0, "non_degree_period_counted": 0,
           "took_prescribed_courses": True, "credits_earned": 124, "media_credits": 0}


def amended(tmp_path):
    """The slice with the 125-credit requirement of Article 44 lowered to 124."""
    new = tmp_path / "new"
    shutil.copytree(ROOT / "benchmarks" / "slice", new)
    f = new / "27-part7-graduation.reg"
    f.write_text(f.read_text().replace("is at least 125 credits", "is at least 124 credits"))
    return new


def test_changed_outcomes_are_listed_with_their_provisions(tmp_path):
    (tmp_path / "students").mkdir()
    (tmp_path / "students" / "a.json").write_text(json.dumps(STUDENT))
    (tmp_path / "students" / "b.json").write_text(json.dumps({**STUDENT, "credits_earned": 130}))
    code, out, err = run_cli("diff", str(ROOT / "benchmarks" / "slice"), str(amended(tmp_path)),
                             str(tmp_path / "students"), "--as-of", "2026-04-01")
    assert code == 1, err
    assert "a.json\n  may_graduate: no -> pending a decision by the President, upon approval by the " \
           "Faculty Meeting" in out
    assert "meets_graduation_requirements: no -> yes" in out
    assert "b.json" not in out
    assert out.endswith("2 student(s) compared, 1 with changed outcomes, 3 outcome(s) changed\n")


def test_no_change_exits_zero_and_json(tmp_path):
    (tmp_path / "s.json").write_text(json.dumps({**STUDENT, "credits_earned": 130}))
    code, out, _ = run_cli("diff", str(ROOT / "benchmarks" / "slice"), str(amended(tmp_path)),
                           str(tmp_path / "s.json"), "--as-of", "2026-04-01", "--format", "json")
    assert code == 0
    assert json.loads(out)["changes"] == []


def test_case_tables_are_students_too(tmp_path):
    tests = tmp_path / "t.test.yaml"
    tests.write_text("book: .\nas_of: 2026-04-01\ncases:\n  - name: one credit short\n    facts:\n"
                     + "".join(f"      {k}: {json.dumps(v)}\n" for k, v in STUDENT.items()))
    code, out, _ = run_cli("diff", str(ROOT / "benchmarks" / "slice"), str(amended(tmp_path)), str(tests))
    assert code == 1 and "t.test.yaml:4 one credit short" in out
