"""Random mutations of books, and random students for them: what tests/fuzzing.py feeds regdsl.

Every choice is drawn from a `random.Random`, so a mutant is replayed from its seed (and
hypothesis, passing its own, can shrink one).
"""

from __future__ import annotations

import re
from random import Random

from regdsl.api import Book


# ---------------------------------------------------------------------- mutations

KEYWORDS = """article articles paragraph paragraphs item items subitem section part book deleted to and
or not if then else when unless notwithstanding overrides however of the preceding following this
any all lookup in for table column row total as fact outcome define decision by upon approval body
unit per one range list true false none is exceeds at least most more than less uses from
established amended force until supplementary provisions refers applies mutatis mutandis reading
except amendment takes effect applying affects delegated cited duties administered""".split()
FUNCTIONS = """min max age years_between months_between days_between calendar_months month_start
month_end next_month_start previous_month_end day_of_month is_first_of_month is_weekend
is_national_holiday floor ceil title administrator parent administers parts duties""".split()
SYMBOLS = ["=", "+", "-", "*", "/", "(", ")", ",", ":", "<", "<=", ">", ">=", "|", "#", '"', "\\"]
LITERALS = ["0", "1", "2", "13.2", "0.5", "300000000", "9" * 100, "9" * 101, "1" + "0" * 30,
            "2025-04-01", "0001-01-01", "9999-12-31", "2025-02-30", "8:30", "25:99", '"text"', '""',
            "years", "days", "months", "credits", "yen", "as_of", "1 year", "10000 years"]
ODD = ["\t", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\u00a0", "\ufeff",
       "\x00", "é", "学", "\\\"", "  ", "\n", "\n\n"]
_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|\d+(?:\.\d+)?(?:-\d\d-\d\d)?|[A-Za-z_]\w*|\S')


def _pool(text: str) -> list[str]:
    names = sorted(set(re.findall(r"[A-Za-z_]\w*", text)))[:400]
    return KEYWORDS + FUNCTIONS + SYMBOLS + LITERALS + ODD + names


def _lines_op(rnd: Random, lines: list[str], donor: list[str]) -> None:
    if not lines:
        lines.append(rnd.choice(donor) if donor else "")
        return
    i = rnd.randrange(len(lines))
    op = rnd.randrange(8)
    if op == 0:
        del lines[i]
    elif op == 1:
        lines.insert(rnd.randrange(len(lines) + 1), lines[i])
    elif op == 2:
        j = rnd.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == 3 and donor:
        lines.insert(i, rnd.choice(donor))
    elif op == 4:
        lines[i] = " " * rnd.choice([0, 1, 2, 3, 4, 6, 8]) + lines[i].lstrip(" ")
    elif op == 5:  # a block of lines moved
        k = rnd.randint(1, 12)
        block = lines[i:i + k]
        del lines[i:i + k]
        at = rnd.randrange(len(lines) + 1)
        lines[at:at] = block
    elif op == 6 and donor:  # a whole top-level block (an article, a table...) of another file
        starts = [k for k, line in enumerate(donor) if line[:1].isalpha()]
        if starts:
            k = rnd.choice(starts)
            end = next((j for j in range(k + 1, len(donor)) if donor[j][:1].isalpha()), len(donor))
            tops = [j for j, line in enumerate(lines) if line[:1].isalpha()] + [len(lines)]
            at = rnd.choice(tops)
            lines[at:at] = donor[k:end]
    else:
        del lines[i:i + rnd.randint(1, 30)]


def _token_op(rnd: Random, text: str, pool: list[str]) -> str:
    spans = [m.span() for m in _TOKEN.finditer(text)]
    if not spans:
        return text + rnd.choice(pool)
    a, b = rnd.choice(spans)
    op = rnd.randrange(3)
    if op == 0:
        return text[:a] + rnd.choice(pool) + text[b:]
    if op == 1:
        return text[:a] + rnd.choice(pool) + " " + text[a:]
    return text[:a] + text[b:]


def _char_op(rnd: Random, text: str) -> str:
    i = rnd.randrange(len(text) + 1)
    op = rnd.randrange(3)
    if op == 0:
        return text[:i] + rnd.choice(ODD + SYMBOLS + ["a", "1", " "]) + text[i:]
    if op == 1:
        return text[:i] + text[i + 1:]
    return text[:i] + chr(rnd.randrange(1, 0x3000)) + text[i + 1:]


_RULE = re.compile(r"^(\s*(?:however\s+)?[A-Za-z_]\w*\s*(?:=|\bif\b)\s*)(.+)$", re.M)


def _structure_op(rnd: Random, text: str) -> str:
    """Mutations aimed at the limits: deep nesting, long chains, huge runs and numbers, far dates."""
    op = rnd.randrange(8)
    rules = list(_RULE.finditer(text))
    if op <= 1 and rules:
        m = rnd.choice(rules)
        depth = rnd.choice([1, 2, 5, 50, 99, 100, 101, 150, 1000])
        left, right = rnd.choice([("not (", ")"), ("-(", ")"), ("(", ")"), ("if true then 1 else (", ")"),
                                  ("max(1, ", ")")])
        return text[:m.start(2)] + left * depth + m.group(2) + right * depth + text[m.end(2):]
    if op == 2 and rules:
        m = rnd.choice(rules)
        k = rnd.choice([2, 10, 300, 3000])
        sep = rnd.choice([" + ", " and ", " * ", " or ", " - "])
        return text[:m.start(2)] + sep.join([f"({m.group(2)})"] * k) + text[m.end(2):]
    if op == 3:
        a = rnd.choice([1, 2, 50])
        b = a + rnd.choice([1, 10, 999, 1000, 100_000, 300_000_000])
        line = rnd.choice([f"articles {a} to {b} deleted", f"  refers to articles {a} to {b}",
                           f"  x = any of items {a} to {b}", f"  refers to items {a} to {b}"])
        lines = text.split("\n")
        lines.insert(rnd.randrange(len(lines) + 1), line)
        return "\n".join(lines)
    if op == 4:
        numbers = list(re.finditer(r"(?<![\w.-])\d+(?:\.\d+)?(?![\w-])", text))
        if numbers:
            m = rnd.choice(numbers)
            return text[:m.start()] + rnd.choice(["9" * 100, "9" * 101, "0." + "1" * 99, "1" + "0" * 99,
                                                  "99999999999", "0"]) + text[m.end():]
    if op == 5:
        dates = list(re.finditer(r"\d{4}-\d\d-\d\d", text))
        if dates:
            m = rnd.choice(dates)
            return text[:m.start()] + rnd.choice(["0001-01-01", "9999-12-31", "9999-12-01", "0001-02-28"]) \
                + text[m.end():]
    if op == 6 and rules:
        m = rnd.choice(rules)
        clause = rnd.choice([" notwithstanding the preceding article of university_regulations",
                             " notwithstanding the preceding paragraph", " overrides this article",
                             " when d + 1 days > 9999-12-31", " unless next_month_start(9999-12-31) is as_of"])
        return text[:m.end(2)] + clause + text[m.end(2):]
    if op == 7 and rnd.randrange(2):  # versions and transitional rules
        articles = list(re.finditer(r'^article (\d+(?:\.\d+)?) "[^"\n]*"', text, re.M))
        if articles:
            m = rnd.choice(articles)
            extra = rnd.choice([" in force from 2020-04-01", " in force until 2025-03-31",
                                " in force from 0001-01-01 until 9999-12-31", " in force from 2030-04-01"])
            at = text.find("\n", m.end())
            text = text[:m.end()] + extra + text[m.end():] if at < 0 or "in force" not in text[m.end():at] else text
            if rnd.randrange(2):
                block = (f'\n  amendment "Revision {rnd.randrange(3)}" takes effect '
                         f'{rnd.choice(["2025-04-01", "0001-01-01", "9999-12-31"])}\n'
                         f'    not applying when {rnd.choice(["true", "as_of < 2026-01-01", "x"])}\n'
                         f'    affects article {m.group(1)}')
                text = text[:m.end()] + text[m.end():].replace("\n", block + "\n", 1)
            return text
    if rules:  # a date computation at the edge of the calendar
        m = rnd.choice(rules)
        expr = rnd.choice(["as_of + 1000000000000000000000000000000 years", "next_month_start(9999-12-31)",
                           "previous_month_end(0001-01-01)", "9999-12-31 + 1 days", "as_of - 3650000 days"])
        return text[:m.start(2)] + expr + text[m.end(2):]
    return text


_NUMBER = re.compile(r"(?<![\w.:-])\d+(?:\.\d+)?(?![\w:-])")
_DATE = re.compile(r"\b\d{4}-\d\d-\d\d\b")
_SWAPS = {"<": ">=", ">=": "<", ">": "<=", "<=": ">", "+": "-", "-": "+", "*": "/", "/": "*",
          " and ": " or ", " or ": " and ", " is ": " is not ", "exceeds": "is at most"}


def _gentle_op(rnd: Random, text: str) -> str:
    """A mutation that usually keeps a book valid, so that it is evaluated: another number,
    date or operator, a comment or blank line, parentheses or a double `not`."""
    op = rnd.randrange(6)
    if op == 0:
        spots = [m for m in _NUMBER.finditer(text) if not text[:m.start()].rstrip().endswith(
            ("article", "articles", "paragraph", "item", "to", "section", "part", "and"))]
        if spots:
            m = rnd.choice(spots)
            return text[:m.start()] + rnd.choice(["0", "1", "2", "3", "7", "8", "60", "124", "0.5", "1.25",
                                                  "1000000", "9" * 40]) + text[m.end():]
    if op == 1:
        spots = list(_DATE.finditer(text))
        if spots:
            m = rnd.choice(spots)
            return text[:m.start()] + rnd.choice(["2025-04-01", "2026-03-31", "1999-12-31", "2030-01-01",
                                                  "0001-01-01", "9999-12-31"]) + text[m.end():]
    if op == 2:
        spots = [(m.start(), m.end(), m.group()) for k in _SWAPS for m in re.finditer(re.escape(k), text)]
        rules = [sp for sp in spots if "|" not in text[text.rfind("\n", 0, sp[0]) + 1:sp[0]]
                 and "#" not in text[text.rfind("\n", 0, sp[0]) + 1:sp[0]]]
        if rules:
            a, b, k = rnd.choice(rules)
            return text[:a] + _SWAPS[k] + text[b:]
    if op == 3:
        lines = text.split("\n")
        i = rnd.randrange(len(lines) + 1)
        indent = " " * rnd.choice([0, 2, 4, 6])
        lines.insert(i, rnd.choice(["", indent + "# a comment", indent + "#", "   "]))
        return "\n".join(lines)
    rules = list(_RULE.finditer(text))
    if rules:
        m = rnd.choice(rules)
        if op == 4:
            left, right = rnd.choice([("(", ")"), ("not not (", ")"), ("- -(", ")")])
            depth = rnd.choice([1, 1, 2, 20, 49])
            return text[:m.start(2)] + left * depth + m.group(2) + right * depth + text[m.end(2):]
        return text[:m.end(2)] + rnd.choice(["  # trailing", " when true", " unless false"]) + text[m.end(2):]
    return text


MAX_TEXT = 300_000  # characters a mutant may grow to (parsing is linear; this keeps cases short)


def mutate(text: str, rnd: Random, donor: str = "") -> str:
    """`text` after one to four random mutations (lines from `donor` may be spliced in);
    a third of the time only gentle ones, which mostly keep the book valid.  A mutation
    that would make the text longer than MAX_TEXT is left out."""
    if rnd.randrange(3) == 0:
        for _ in range(rnd.randint(1, 3)):
            text = _gentle_op(rnd, text)
        return text
    pool = _pool(text)
    donor_lines = donor.split("\n") if donor else []
    for _ in range(rnd.randint(1, 4)):
        kind = rnd.randrange(10)
        if kind <= 2:
            lines = text.split("\n")
            _lines_op(rnd, lines, donor_lines)
            new = "\n".join(lines)
        elif kind <= 5:
            new = _token_op(rnd, text, pool)
        elif kind <= 6:
            new = _char_op(rnd, text)
        else:
            new = _structure_op(rnd, text)
        if len(new) <= MAX_TEXT:
            text = new
    return text


# ---------------------------------------------------------------------- facts

_EXTREME_DATES = ["0001-01-01", "9999-12-31", "2025-04-01", "1999-12-31", "2025-02-29"]


def _value(entry: dict, rnd: Random):
    kind = entry.get("type")
    wrong = rnd.randrange(8) == 0  # now and then a value of the wrong kind: a positioned E602
    if wrong:
        return rnd.choice([True, "x", 1.5, [1], {"a": 1}, None, "2025-13-01", -1, 10 ** 40, "1e3", ""])
    if kind == "boolean":
        return rnd.choice([True, False])
    if kind == "enum":
        return rnd.choice(list(entry.get("values") or ["none"]))
    if kind == "date":
        return rnd.choice(_EXTREME_DATES)
    if kind == "quantity":
        unit = entry.get("unit") or ""
        return rnd.choice([0, 1, 4, 8, 60, 124, -1, 0.5, 10 ** 20, f"2 {unit}", "18 months"])
    if kind in ("integer", "number", "decimal"):
        return rnd.choice([0, 1, 2, -3, 10 ** 30, 123456789] + ([0.25, 1.5] if kind != "integer" else []))
    if kind == "text":
        return rnd.choice(["", "Medicine", "a\u2028b", "x" * 50])
    return rnd.choice([None, [], "?", 1])


def students(book: Book, rnd: Random, count: int) -> list[dict]:
    """`count` students for a book: the first gives nothing, the others random facts."""
    schema = book.schema()
    entries = list(schema.get("decisions", [])) + list(schema.get("facts", []))
    out: list[dict] = [{}]
    for _ in range(count - 1):
        out.append({e["name"]: _value(e, rnd) for e in entries if rnd.randrange(3)})
    return out
