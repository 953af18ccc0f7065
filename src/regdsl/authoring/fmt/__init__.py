"""`regdsl fmt`: one canonical layout for every book.

The formatter prints the syntax tree back, so `parse(fmt(x)) == parse(x)`, and
puts every comment back next to the statement it was written at.  Formatting
twice changes nothing.  docs/fmt.md is the user's description; the rules:

* Indentation: two spaces per block level; no trailing blanks; one final newline.
* Blank lines: one between top-level items, except that two declarations (without
  a block) or two deleted articles in a row keep the author's choice; one around
  every `paragraph` and `item` block of a provision (not around the items of a
  `duties` list, nor sub-items); elsewhere inside a block one blank line is kept
  where the author left one or more, and none is added.  No blank line opens a
  block.
* `|` lines keep their words exactly; only the indentation and the single space
  after `|` change (an empty line prints as `|`).
* Keywords, operators and commas are spelled and spaced one way; comparisons keep
  the author's word (`>` or `exceeds`); references use the singular for one number
  (`item 1`) and the plural otherwise (`items 1 and 2`, `articles 1 to 3`); strings
  are re-quoted with every `\\` and `"` escaped; numbers and times as written, dates
  ISO; a reading keeps its quoted or bare form.
* Parentheses: the fewest that keep the tree, plus those that keep words apart
  (`(a of items 1) and 2 > 3`, `x is (one of article 2)`, a condition that would
  start with a statement word), plus a pair added to break a long expression.
* Long lines (over 100 columns): a rule's clauses go on indented lines beneath, in
  the order when, unless, notwithstanding/overrides, as of; a top-level `and`/`or`
  chain breaks onto continuation lines one level deeper, one operand per line,
  each starting with its operator (an `and` chain inside an `or` chain one level
  deeper again); any other long expression breaks inside parentheses, its own or
  a pair added for it, before each operator, `is ...`, `then`, `else` or argument,
  aligned after the `(`; a declaration's description goes on its own indented
  line, pieces written as several strings stay separate, and a piece wider than
  the line is split at spaces.  Names, numbers and references are never split.
* Comments: an own-line comment stays before the statement that follows it, or at
  the end of the block it closes (decided by its indentation); a trailing comment
  stays at the end of its statement's line.  Inside a statement printed on several
  lines a comment stays with its clause, continuation line or description piece;
  otherwise (a statement now printed on fewer lines) it moves to the line before
  the statement.  Trailing blanks of comments are removed.
"""

from __future__ import annotations

from .files import FmtReport, FormattedFile, format_file, format_paths
from .layout import Formatter, format_module, format_text
from .source import WIDTH, quote

__all__ = ["WIDTH", "FmtReport", "FormattedFile", "Formatter", "format_file", "format_module", "format_paths",
           "format_text", "quote"]
