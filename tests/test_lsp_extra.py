"""`regdsl lsp` without the `lsp` extra: a message that says what to install, never a traceback."""

from __future__ import annotations

import sys

import pytest

from conftest import run_cli


def test_without_the_lsp_extra_the_command_says_what_to_install(monkeypatch):
    monkeypatch.delitem(sys.modules, "regdsl.authoring.lsp.server", raising=False)
    monkeypatch.setitem(sys.modules, "pygls.lsp.server", None)  # as if pygls were not installed
    code, out, err = run_cli("lsp")
    assert (code, out) == (2, "")
    assert err.startswith("E701: the language server needs pygls and lsprotocol")
    assert "pip install 'regdsl[lsp]'" in err


def test_without_the_lsp_extra_the_library_raises_the_usage_error(monkeypatch):
    from regdsl.authoring.lsp import serve_stdio
    from regdsl.errors import UsageError

    monkeypatch.delitem(sys.modules, "regdsl.authoring.lsp.server", raising=False)
    monkeypatch.setitem(sys.modules, "pygls.lsp.server", None)
    with pytest.raises(UsageError) as e:
        serve_stdio()
    assert e.value.code == "E701" and "pip install 'regdsl[lsp]'" in e.value.message
