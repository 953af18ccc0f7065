"""The README's examples are true."""

from __future__ import annotations

import re

from conftest import ROOT, run_cli

README = (ROOT / "README.md").read_text()


def test_the_first_set_up_command_runs_a_real_evaluation():
    first = README.split("```sh\n", 1)[1].splitlines()[0]
    args = first.split(".venv/bin/regdsl ", 1)[1].split()
    assert args[0] == "eval"
    code, out, err = run_cli(*args)
    assert code == 0, err
    assert "[determined]" in out


def test_the_second_set_up_command_is_what_ci_runs():
    second = README.split("```sh\n", 1)[1].splitlines()[1]
    assert second.endswith(".venv/bin/python -m pytest")
    assert ".venv/bin/python -m pytest" in (ROOT / ".ci" / "run").read_text()


def test_the_python_example():
    code = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    code = code.split("for r in book.evaluate_many")[0]
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)  # noqa: S102 - our own README, in a test
    o = scope["outcome"]
    assert (o.value, o.status, [c.eid for c in o.citations]) == (
        True, "determined", ["art_15__para_1", "art_38__para_3"])
