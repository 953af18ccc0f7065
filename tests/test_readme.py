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
    command = second.split(" && ")[-1]
    assert command == ".venv/bin/python -m pytest -n auto"
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert command in ci


def test_both_set_up_commands_install_the_tested_versions():
    """README and CI install with constraints.txt, which pins every package the suite uses."""
    first, second = README.split("```sh\n", 1)[1].splitlines()[:2]
    assert "-c constraints.txt" in first and "-c constraints.txt" in second
    assert "-c constraints.txt" in (ROOT / ".ci" / "run").read_text()
    pins = {line.split("==")[0] for line in (ROOT / "constraints.txt").read_text().splitlines()
            if "==" in line and not line.startswith("#")}
    assert {"lark", "attrs", "pygments", "holidays", "pyyaml", "pytest", "hypothesis"} <= pins


def test_upgrade_check_reports_what_changed():
    from importlib.machinery import SourceFileLoader
    from importlib.util import module_from_spec, spec_from_loader

    loader = SourceFileLoader("upgrade_check", str(ROOT / "tools" / "upgrade-check"))
    module = module_from_spec(spec_from_loader("upgrade_check", loader))
    loader.exec_module(module)
    old = module.read_pins("# c\nPyYAML==6.0.3\nlark==1.3.1\nsix==1.0\n")
    new = module.read_pins("pyyaml==6.0.4\nlark==1.3.1\nrich==14.0\n")
    assert module.changes(old, new) == [
        "  ~ pyyaml 6.0.3 -> 6.0.4", "  + rich 14.0 (new)", "  - six 1.0 (no longer installed)"]


def test_the_python_example():
    code = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    code = code.split("for r in book.evaluate_many")[0]
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)  # noqa: S102 - our own README, in a test
    o = scope["outcome"]
    assert (o.value, o.status, [c.eid for c in o.citations]) == (
        True, "determined", ["art_15__para_1", "art_38__para_3"])
