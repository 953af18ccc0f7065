"""The limits on what a book may say, in one place.

Each limit is far beyond anything a real regulation needs and far below what
would exhaust memory, Python's stack or a registrar's patience; each is
checked before the work it guards, and has its own error code.
docs/language.md ("Limits on books") lists them for authors.
"""

from __future__ import annotations

import datetime as dt

# E106: digits in a number as written (`60`, `0.5`, `13.2`): an amount in yen has at most 15.
MAX_DIGITS = 100
# E106: a number computed by an evaluation (a product, a quotient, a sum of fractions) whose
# numerator or denominator would need more bits than this (about 1,000 decimal digits) is not
# computed: the answer is undetermined.  Squaring a definition in a chain of forty would
# otherwise need a number with a trillion digits.
MAX_COMPUTED_BITS = 3322

# E107: numbers in one run (`articles 2 to 40 deleted`, `items 1 to 5`).
MAX_RUN = 1000
# E107: articles that the runs of deleted articles of one book make, together.
MAX_RUN_TOTAL = 10_000

# E108: operators, calls and types nested inside each other in one expression or type.  A
# chain of one kind of operator (`a + b - c + d`, `x and y and z`) is one level however long.
MAX_NESTING = 100
# E108: definitions nested in one another, each read by the one before (the evaluator goes
# this deep, and no deeper, E802).
MAX_CHAIN = 200

# E1xx: syntax errors reported in one file; parsing goes on after each (syntax/recover.py)
# until this many, and the rest of the file is then given up.
MAX_SYNTAX_ERRORS = 10
# E1xx: a file larger than this that does not parse reports its first syntax error only
# (recovery parses the file again once per error).
MAX_RECOVER_BYTES = 256 * 1024

# E804: the calendar evaluation computes in (Python's dates).
FIRST_DAY = dt.date.min
LAST_DAY = dt.date.max


def digits(token: str) -> int:
    """The digits of a number as written (`13.2` has 3)."""
    return len(token) - token.count(".")


def chain_group(op: str) -> str:
    """Operators of one precedence that chain without nesting: `+` and `-`, `*` and `/`."""
    return {"-": "+", "/": "*"}.get(op, op)
