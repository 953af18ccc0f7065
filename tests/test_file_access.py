"""What a book may read and `regdsl fmt` may write (issue 11, S1 and S2).

A book reads only `.reg` files: those of the book named and of the books its
`uses` name, which must lie in the directory that holds the book named.  An
absolute `uses`, one that climbs out, and a symbolic link that leads out are
E703, and nothing of what they point at is read or quoted.  `fmt` never
writes through a symbolic link.

Every file here is made under pytest's tmp_path: the "secrets" outside a
book are files the test plants, and the test checks they are never opened.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import run_cli
from regdsl import read as api  # the module that reads books

SECRET = "TOP-SECRET-TOKEN-41"

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")


def book_text(name: str, uses: str | None = None) -> str:
    header = f'book {name} "The {name} regulations"\n'
    if uses:
        header += f"  uses other from \"{uses}\"\n"
    return header + '\narticle 1 "Purpose"\n  | These regulations have a purpose.\n'


@pytest.fixture
def layout(tmp_path):
    """tmp/library/{main,other}: two books side by side; tmp/secret.reg and tmp/secret/ outside."""
    library = tmp_path / "library"
    (library / "main").mkdir(parents=True)
    (library / "other").mkdir()
    (library / "other" / "book.reg").write_text(book_text("other"), "utf-8")
    (tmp_path / "secret.reg").write_text(SECRET + "\n", "utf-8")
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "book.reg").write_text(SECRET + "\n", "utf-8")
    (tmp_path / "passwd").write_text(SECRET + ":x:0:0\n", "utf-8")
    return tmp_path


@pytest.fixture
def opened(monkeypatch):
    """Every file regdsl reads a book from (its path, resolved)."""
    paths: list[Path] = []
    real = api.read_bytes

    def spy(path, *args, **kwargs):
        paths.append(Path(path).resolve())
        return real(path, *args, **kwargs)

    monkeypatch.setattr(api, "read_bytes", spy)
    return paths


def check(path) -> tuple[int, str]:
    code, out, err = run_cli("check", str(path))
    assert "Traceback" not in err and "internal error" not in err, err
    assert SECRET not in out + err
    return code, err


def main_uses(layout, uses: str) -> Path:
    main = layout / "library" / "main" / "book.reg"
    main.write_text(book_text("main", uses), "utf-8")
    return main


def test_a_book_beside_this_one_is_read(layout, opened):
    main_uses(layout, "../other")
    code, err = check(layout / "library" / "main")
    assert code == 0, err
    assert layout / "library" / "other" / "book.reg" in opened


@pytest.mark.parametrize("uses", ["/etc/passwd", "/proc/self/environ", "~/secret", "{tmp}/passwd",
                                  "{tmp}/secret.reg"])
def test_an_absolute_uses_is_refused_without_reading_it(layout, opened, uses):
    main = main_uses(layout, uses.format(tmp=layout))
    code, err = check(layout / "library" / "main")
    assert code == 1
    place = rf"^{re.escape(str(main))}:2:3: E703: `uses other`: .* is an absolute path"
    assert re.search(place, err, re.M), err
    assert opened == [main]


@pytest.mark.parametrize("uses", ["../../secret.reg", "../../secret", "../../passwd", "../other/../../secret"])
def test_a_uses_that_climbs_out_of_the_root_is_refused(layout, opened, uses):
    main = main_uses(layout, uses)
    code, err = check(layout / "library" / "main")
    assert code == 1
    m = re.search(rf"^{re.escape(str(main))}:2:3: E703: `uses other`: (.*)$", err, re.M)
    assert m and "leads outside" in m.group(1), err
    assert opened == [main]


def test_a_uses_through_a_link_that_leads_out_is_refused(layout, opened):
    (layout / "library" / "linked").symlink_to(layout / "secret")  # inside tmp_path, like every layout here
    main = main_uses(layout, "../linked")
    code, err = check(layout / "library" / "main")
    assert code == 1
    assert re.search(r"E703: `uses other`: \"\.\./linked\" leads through a symbolic link to a place outside",
                     err), err
    assert opened == [main]


def test_a_book_used_by_a_used_book_stays_in_the_first_root(layout, opened):
    """The root does not move with each `uses`: a chain of books cannot climb out step by step."""
    main_uses(layout, "../other")
    (layout / "library" / "other" / "book.reg").write_text(
        'book other "Other"\n  uses third from "../../secret"\n\narticle 1 "P"\n  | Text.\n', "utf-8")
    code, err = check(layout / "library" / "main")
    assert code == 1 and "E703" in err
    assert layout / "secret" / "book.reg" not in opened


def test_a_uses_naming_a_file_that_is_not_a_reg_file_is_refused(layout, opened):
    (layout / "library" / "notes.txt").write_text(SECRET, "utf-8")
    main_uses(layout, "../notes.txt")
    code, err = check(layout / "library" / "main")
    assert code == 1 and "E702: `uses other`: \"../notes.txt\" is not a book" in err
    assert layout / "library" / "notes.txt" not in opened


def test_a_linked_reg_file_leading_out_of_the_book_is_not_read(layout, opened):
    main = main_uses(layout, None)
    link = main.parent / "zz-link.reg"
    link.symlink_to(layout / "secret.reg")
    code, err = check(main.parent)
    assert code == 1
    assert re.search(rf"^{re.escape(str(link))}:1:1: E703: this file is a symbolic link to a place outside",
                     err, re.M), err
    assert layout / "secret.reg" not in opened


def test_a_linked_reg_file_inside_the_root_is_read(layout, opened):
    main = main_uses(layout, None)
    (main.parent / "zz-link.reg").symlink_to(layout / "library" / "other" / "book.reg")
    code, err = check(main.parent)
    assert "E703" not in err
    assert layout / "library" / "other" / "book.reg" in opened


def test_a_linked_book_directory_leading_out_is_not_read(layout, opened):
    main_uses(layout, None)
    (layout / "library" / "evil").symlink_to(layout / "secret")
    code, err = check(layout / "library")
    assert code == 1
    assert "E703: " in err and "evil is a symbolic link to a place outside" in err
    assert layout / "secret" / "book.reg" not in opened


def test_a_file_named_on_the_command_line_is_read_whatever_its_name(layout):
    """The user may name any file; it is a book's own `uses` that may not."""
    path = layout / "library" / "book.txt"
    path.write_text(book_text("plain"), "utf-8")
    assert check(path)[0] == 0


def test_a_reg_file_over_the_size_limit_is_a_finding(layout, opened):
    main = main_uses(layout, None)
    big = main.parent / "zz-big.reg"
    big.write_text("# padding\n" * 110_000, "utf-8")
    code, err = check(main.parent)
    assert code == 1
    assert re.search(rf"^{re.escape(str(big))}:1:1: E109: this \.reg file is larger than the limit of 1 MiB",
                     err, re.M), err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_in_a_book_is_not_waited_on(layout):
    main = main_uses(layout, None)
    os.mkfifo(main.parent / "zz-fifo.reg")
    assert check(main.parent)[0] == 0


# ------------------------------------------------------------------ fmt


UNFORMATTED = 'book other   "Other"\n\narticle 1 "Purpose"\n  |   Text.\n'


def fmt(*args) -> tuple[int, str]:
    code, out, err = run_cli("fmt", *map(str, args))
    assert "Traceback" not in err and "internal error" not in err, err
    return code, out + err


def test_fmt_does_not_write_through_a_link_leading_out_of_the_directory(layout):
    outside = layout / "secret" / "victim.reg"
    outside.write_text(UNFORMATTED, "utf-8")
    book = layout / "library" / "other"
    (book / "victim.reg").symlink_to(outside)
    code, out = fmt(book)
    assert code == 2
    assert "E703: " in out and "victim.reg is a symbolic link to a place outside" in out
    assert outside.read_text("utf-8") == UNFORMATTED


def test_fmt_does_not_write_through_a_link_named_on_the_command_line(layout):
    target = layout / "library" / "other" / "book.reg"
    target.write_text(UNFORMATTED, "utf-8")
    link = layout / "library" / "link.reg"
    link.symlink_to(target)
    code, out = fmt(link)
    assert code == 2 and "E701: " in out and "does not write through links" in out
    assert target.read_text("utf-8") == UNFORMATTED and link.is_symlink()


def test_fmt_formats_a_linked_file_once_as_itself(layout):
    book = layout / "library" / "other"
    (book / "book.reg").write_text(UNFORMATTED, "utf-8")
    (book / "a-link.reg").symlink_to(book / "book.reg")
    code, out = fmt(book)
    assert code == 0, out
    assert "1 file(s) reformatted" in out
    assert (book / "a-link.reg").is_symlink()
    assert (book / "book.reg").read_text("utf-8") != UNFORMATTED


def test_fmt_keeps_the_file_itself(layout):
    """Rewritten in place: the same file (inode), mode and hard links, not a new file."""
    path = layout / "library" / "other" / "book.reg"
    path.write_text(UNFORMATTED, "utf-8")
    path.chmod(0o640)
    twin = layout / "library" / "twin.reg"
    os.link(path, twin)
    before = os.stat(path)
    assert fmt(path)[0] == 0
    after = os.stat(path)
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    assert twin.read_text("utf-8") == path.read_text("utf-8") != UNFORMATTED


def test_fmt_refuses_a_file_over_the_size_limit(layout):
    path = layout / "library" / "big.reg"
    path.write_text("# padding\n" * 110_000, "utf-8")
    code, out = fmt(path)
    assert code == 2 and "E109: this .reg file is larger than the limit" in out


def test_links_that_lead_nowhere_are_skipped_not_crashed_on(layout):
    """A loop of links, or a link to a missing file, in a book or given to fmt, is not a crash."""
    book = layout / "library" / "other"
    (book / "loop1.reg").symlink_to("loop2.reg")
    (book / "loop2.reg").symlink_to("loop1.reg")
    (book / "gone.reg").symlink_to(layout / "no-such-file.reg")
    assert check(book)[0] == 0
    assert check(layout / "library")[0] == 0
    assert fmt("--check", book)[0] == 0
    code, err = check(book / "loop1.reg")
    assert code == 2 and "E702" in err
