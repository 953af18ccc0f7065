"""The Vim compiler plugin: `:make` in a .reg buffer runs `regdsl check` and fills the quickfix list.

Runs real Vim (`vim -es`, no vimrc) on a copy of tests/books/broken; skipped where Vim is not
installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

VIM = shutil.which("vim")
pytestmark = pytest.mark.skipif(VIM is None, reason="Vim is not installed (apt-get install vim-nox)")

SCRIPT = r"""
set nocompatible
let &rtp = '{rtp},' . &rtp
filetype plugin on
edit {file}
silent make {extra}
let lines = [&l:makeprg]
for e in getqflist()
  call add(lines, printf('%s|%d|%d|%s|%d|%s|%d', fnamemodify(bufname(e.bufnr), ':t'), e.lnum, e.col, e.type,
        \ e.nr, substitute(e.text, '\n', ' / ', 'g'), e.valid))
endfor
call writefile(lines, '{out}')
qa!
"""


def quickfix(tmp_path, extra: str = "") -> list[str]:
    book = tmp_path / "book"
    shutil.copytree(ROOT / "tests" / "books" / "broken", book)
    out, script = tmp_path / "qf.txt", tmp_path / "run.vim"
    script.write_text(SCRIPT.format(rtp=ROOT / "tools" / "vim", file=book / "10-articles.reg", out=out, extra=extra))
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    subprocess.run([VIM, "-Nu", "NONE", "-i", "NONE", "-es", "-S", str(script)], env=env, cwd=tmp_path,
                   capture_output=True, timeout=120)
    return out.read_text().splitlines()


def test_make_checks_the_book_and_lists_each_finding_at_its_place(tmp_path):
    makeprg, *entries = quickfix(tmp_path)
    assert makeprg == "regdsl check %:p:h:S"
    assert entries[0] == ("10-articles.reg|9|46|E|405|`part_tme` is not one of full_time, part_time"
                          " / did you mean `part_time`?|1")
    assert [e.split("|")[:5] for e in entries] == [
        ["10-articles.reg", "9", "46", "E", "405"],
        ["10-articles.reg", "10", "40", "E", "402"],
        ["10-articles.reg", "12", "3", "E", "202"],
        ["10-articles.reg", "14", "15", "E", "303"],
        ["10-articles.reg", "19", "19", "E", "301"],
        ["20-more.reg", "3", "3", "E", "302"],
        ["20-more.reg", "9", "20", "E", "409"],
    ]
    assert all(e.endswith("|1") for e in entries)  # each one jumps to its place


def test_a_finding_without_a_place_is_listed_too(tmp_path):
    _, *entries = quickfix(tmp_path, "no-such-book")
    assert [e.split("|", 1)[1] for e in entries if "|702|" in e] == [
        "0|0|E|702|no-such-book: no such file or directory|1"]
