"""`regdsl init DIRECTORY`: a new book with one article, one fact, one outcome and one test.

The files it writes are the smallest book that runs: `regdsl check`, `regdsl
test` and `regdsl eval` all work on it straight away, so a tutorial (or a new
university) starts from something that works and changes it one step at a time.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import UsageError
from ..syntax.keywords import KEYWORDS

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

# A date the author replaces: the day the regulation was established.  Chosen in
# the past so that `regdsl eval` (which asks "as of today") finds the book in force.
PLACEHOLDER_DATE = "2000-04-01"

BOOK = '''\
# {title}: the header of the book.
#
# Each `|` line is the regulation's own words; everything else is for regdsl.
# Replace the placeholder date {date} below with the dates of your regulation:
# `established` is when it was first enacted, one `amended DATE "Regulation No. N"` line
# follows for every amendment (oldest first), and `in force from` is the date from which the
# text in this book holds.  Questions about earlier dates are answered "not encoded".

book {name} "{title_q}"
  established {date}
  in force from {date}

# The bodies that take decisions named in the regulation, e.g.
# body President "the President"
'''

ARTICLES = '''\
# The articles, in order.  Put each rule under the sentence it encodes; see
# docs/language.md for paragraphs, items, exceptions and references.

article 1 "Limit on Years Enrolled"
  | The maximum number of years a student may be enrolled shall be eight.
  fact years_enrolled : years "Time since the student's admission, including any leave of absence."
  outcome years_limit_exceeded : boolean
    "Whether the student has been enrolled for longer than Article 1 allows."
  years_limit_exceeded if years_enrolled exceeds 8 years
'''

TESTS = '''\
# Cases for Article 1.  Run them with `regdsl test {directory}`.
# `book: ..` is the directory above this file; each case gives a student's facts and what
# some outcomes must be.  See docs/testing.md for everything a case can say.
book: ..
cases:
  - name: seven years is within the limit
    sentence: The maximum number of years a student may be enrolled shall be eight.
    facts: {{years_enrolled: 7}}
    expect:
      years_limit_exceeded: false

  - name: nine years exceeds the limit
    sentence: The maximum number of years a student may be enrolled shall be eight.
    facts: {{years_enrolled: 9}}
    expect:
      years_limit_exceeded: {{value: true, citations: [art_1]}}
'''

STUDENT = '''\
{
  "years_enrolled": 9
}
'''

README = '''\
# {title}

This directory is a regdsl book: the regulation's text with the rules that apply it.

| file | what it holds |
|---|---|
| `00-book.reg` | the header: the book's name, title and history (replace the placeholder dates) |
| `10-articles.reg` | the articles, each rule under the sentence it encodes |
| `tests/limits.test.yaml` | cases: a student's facts and the answers the book must give |
| `examples/student.json` | one student's facts, to try the book with |

What to run next (from the directory where you ran `regdsl init`):

```sh
{commands}
```

Then add the next article to `10-articles.reg` (or a new file, read in name order), a case
for it under `tests/`, and run `regdsl check` and `regdsl test` again.  The language is
described in docs/language.md of regdsl; the case tables in docs/testing.md.
'''


def files(directory: str, name: str, title: str) -> dict[str, str]:
    """The files of a new book, by path relative to its directory."""
    title_q = title.replace("\\", "\\\\").replace('"', '\\"')
    d = _shell_word(directory)
    commands = [
        (f"regdsl check {d}", "syntax, references, types and numbering"),
        (f"regdsl test {d}", "the cases in tests/"),
        (f"regdsl eval {d} {_shell_word(directory.rstrip('/') + '/examples/student.json')} --explain",
         "one student's answers"),
        (f"regdsl render {d} -o {name}.html", "the book as a person reads it"),
        (f"regdsl schema {d}", "the facts the book needs"),
    ]
    width = max(len(c) for c, _ in commands)
    fmt = {"name": name, "title": title, "title_q": title_q, "date": PLACEHOLDER_DATE, "directory": d,
           "commands": "\n".join(f"{c:<{width}}  # {why}" for c, why in commands)}
    return {
        "00-book.reg": BOOK.format(**fmt),
        "10-articles.reg": ARTICLES,
        "tests/limits.test.yaml": TESTS.format(**fmt),
        "examples/student.json": STUDENT,
        "README.md": README.format(**fmt),
    }


def _shell_word(text: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_./-]+", text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"


def _check_args(directory: Path, name: str, title: str) -> None:
    if not NAME.match(name) or name in KEYWORDS:
        raise UsageError(f"--name {name!r}: a book's name is letters, digits and underscores, starting "
                         "with a letter, and not a keyword (e.g. my_university)", code="E701")
    if not title.strip() or any(ord(c) < 32 for c in title):
        raise UsageError("--title: give the book's title on one line", code="E701")
    if directory.exists():
        if not directory.is_dir():
            raise UsageError(f"{directory}: exists and is not a directory; choose a new directory",
                             code="E701")
        if any(directory.iterdir()):
            raise UsageError(f"{directory}: the directory is not empty; regdsl init writes a new book "
                             "only into a new or empty directory", code="E701")


def init(directory: str | Path, name: str = "my_regulations",
         title: str = "My University Regulations") -> list[Path]:
    """Write a new book into `directory` (new or empty); returns the files written."""
    root = Path(directory)
    _check_args(root, name, title)
    written = []
    try:
        for rel, text in files(str(directory), name, title).items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
            written.append(path)
    except OSError as e:
        raise UsageError(f"cannot write the book into {directory}: {e.strerror or e}", code="E702") from None
    return written



def next_commands(directory: str) -> str:
    """The commands, joined by `&&`, that check, test and try the book `init` wrote into `directory`."""
    d = _shell_word(directory)
    student = _shell_word(str(Path(directory) / "examples" / "student.json"))
    return f"regdsl check {d} && regdsl test {d} && regdsl eval {d} {student}"
