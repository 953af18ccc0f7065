"""Tests of the VS Code extension in tools/vscode.

The grammar itself is exercised under Node by tools/vscode/test/tokenize.mjs
(vscode-textmate with VS Code's Oniguruma build); this runs it, installing the
npm dev-dependencies first when node_modules is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXTENSION = ROOT / "tools" / "vscode"


def test_manifest_contributes_the_language_and_grammar() -> None:
    manifest = json.loads((EXTENSION / "package.json").read_text("utf-8"))
    (language,) = manifest["contributes"]["languages"]
    (grammar,) = manifest["contributes"]["grammars"]
    assert language["id"] == grammar["language"] == "regdsl"
    assert language["extensions"] == [".reg"]
    assert (EXTENSION / language["configuration"]).is_file()
    tm = json.loads((EXTENSION / grammar["path"]).read_text("utf-8"))
    assert grammar["scopeName"] == tm["scopeName"] == "source.regdsl"
    config = json.loads((EXTENSION / language["configuration"]).read_text("utf-8"))
    assert config["comments"]["lineComment"] == "#"
    assert config["folding"]["offSide"] is True


def test_textmate_grammar_tokenizes_books_and_golden_lines() -> None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are not on PATH; the VS Code grammar test needs them")
    if not (EXTENSION / "node_modules" / "vscode-textmate").is_dir():
        command = "ci" if (EXTENSION / "package-lock.json").exists() else "install"
        installed = subprocess.run(
            [npm, command, "--no-audit", "--no-fund"],
            cwd=EXTENSION, capture_output=True, text=True, timeout=600,
        )
        if installed.returncode != 0:
            pytest.skip(f"npm {command} failed (offline?):\n{installed.stderr[-2000:]}")
    run = subprocess.run(
        [node, "test/tokenize.mjs"], cwd=EXTENSION, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_manifest_starts_the_language_server_with_a_setting_for_the_command() -> None:
    manifest = json.loads((EXTENSION / "package.json").read_text("utf-8"))
    assert (EXTENSION / manifest["main"]).is_file()
    assert "onLanguage:regdsl" in manifest["activationEvents"]
    settings = manifest["contributes"]["configuration"]["properties"]
    assert settings["regdsl.server.command"]["default"] == "regdsl"
    assert settings["regdsl.server.args"]["default"] == ["lsp"]
    assert "vscode-languageclient" in manifest["dependencies"]


def test_extension_starts_regdsl_lsp_over_stdio() -> None:
    """extension.js under stand-ins for the VS Code API: the command it starts, default and configured."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH")
    run = subprocess.run([node, "test/extension.cjs"], cwd=EXTENSION, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    started = json.loads(run.stdout)
    assert [(s["command"], s["args"]) for s in started] == [("regdsl", ["lsp"]), ("/opt/venv/bin/regdsl", ["lsp"])]
    assert started[0]["selector"] == [{"scheme": "file", "language": "regdsl"}]
