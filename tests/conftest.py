"""Shared fixtures: paths, loaded books, a CLI runner."""

from __future__ import annotations

import io
import os
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REGULATIONS = ROOT / "regulations"
EXAMPLES = ROOT / "examples"
# The text each book was written from travels with the book (regulations/BOOK/source.txt;
# where it came from is in regulations/BOOK/SOURCE.md).  Tests never read outside the repository.
SOURCE = "source.txt"


def source_of(book: str) -> Path:
    """The source text the book `regulations/<book>` encodes."""
    return REGULATIONS / book / SOURCE
UPDATE = bool(os.environ.get("REGDSL_UPDATE_GOLDEN"))

# Tests use a cache of their own, never the user's, and remove it afterwards.
if "REGDSL_CACHE_DIR" not in os.environ:
    import atexit
    import shutil
    import tempfile

    _cache = tempfile.mkdtemp(prefix="regdsl-test-cache-")
    os.environ["REGDSL_CACHE_DIR"] = _cache
    atexit.register(shutil.rmtree, _cache, ignore_errors=True)


# Tests never read outside the repository: a newcomer's clone has nothing beside it.  Every file
# opened in this process under the repository's parent but not inside the repository is
# recorded, and the session fails if there is one.
_OUTSIDE: list[str] = []
_INSIDE, _PARENT = str(ROOT) + os.sep, str(ROOT.parent) + os.sep


def _audit(event: str, args: tuple) -> None:
    if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.abspath(os.fsdecode(args[0]))
        if path.startswith(_PARENT) and not (path + os.sep).startswith(_INSIDE):
            _OUTSIDE.append(path)


sys.addaudithook(_audit)


def pytest_sessionfinish(session, exitstatus):
    if _OUTSIDE:
        sys.stderr.write("\ntests read outside the repository: " + ", ".join(sorted(set(_OUTSIDE))) + "\n")
        session.exitstatus = 1


def run_cli(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """Run `regdsl ARGS` in-process: (exit code, stdout, stderr)."""
    from regdsl.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue(), err.getvalue()


def golden(path: Path, actual: str) -> None:
    """Compare with a golden file (or rewrite it when REGDSL_UPDATE_GOLDEN is set)."""
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, "utf-8")
        if not UPDATE:
            pytest.fail(f"golden file {path} was missing and has been written; check it and rerun")
    assert actual == path.read_text("utf-8"), f"output differs from {path} (REGDSL_UPDATE_GOLDEN=1 to update)"


@pytest.fixture(scope="session")
def university():
    import regdsl

    return regdsl.load(REGULATIONS / "university")


@pytest.fixture(scope="session")
def docs_site(tmp_path_factory):
    """The documentation site, built once (`mkdocs build --strict`): its directory."""
    import subprocess

    pytest.importorskip("mkdocs", reason="mkdocs is installed with the test extras")
    site = tmp_path_factory.mktemp("site")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return site


# Folders of files a test keeps for people to look at (screenshots): listed at the end of the run.
ARTIFACTS: list[str] = []


def pytest_terminal_summary(terminalreporter):
    for folder in ARTIFACTS:
        terminalreporter.write_line(f"artifacts kept in {folder}")


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    """Golden outputs name files relative to the repository root."""
    monkeypatch.chdir(ROOT)
