"""One printer of expressions, types and references: on one line, in their canonical words.

`regdsl fmt` writes code with it (and breaks long lines on top of it, authoring/fmt/),
the checker's messages quote references with it (`describe_ref`), and `render` and
`show` describe references in the same words; the model names each provision in a
citation's words with `cite_step`.  The printed text parses back to the
same tree: the fewest parentheses that keep it, plus those that keep words apart.
"""

from __future__ import annotations

import re

from . import nodes as n

# A reference that ends in "items 1 and 2" would swallow a following "and 3 ...".
NUMLIST_END = re.compile(r"\b(articles|paragraphs|items)\s+\d+(\.\d+)?(\s+and\s+\d+(\.\d+)?)+\Z")
# After `is` / `is not`, these words would be read as part of the comparison word.
AFTER_IS = re.compile(r"(not|one\s+of|at\s+(least|most)|more\s+than|less\s+than)\b")

# Precedence levels of the grammar (higher binds tighter).
IF, OR, AND, NOT, CMP, SUM, PROD, UNARY, ATOM = range(9)

CHAINS = {"and": ("and",), "or": ("or",), "+": ("+", "-"), "-": ("+", "-"),
          "*": ("*", "/"), "/": ("*", "/")}
LEVELS = {"or": OR, "and": AND, "+": SUM, "-": SUM, "*": PROD, "/": PROD}


def quote(value: str) -> str:
    """A string literal for `value`: every `\\` and `"` escaped with a backslash."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


_RELATIVE = {"items_here": "the items", "supplementary": "the supplementary provisions"}

# Each kind of step as a citation prints it (`Article 20, Paragraph 2`); the book's words are in lower
# case, `subitem` without the hyphen (describe_selector).  citations.py reads both.
PRINTED = {"article": "Article", "section": "Section", "paragraph": "Paragraph", "item": "Item",
           "subitem": "Sub-item", "supplementary": "Supplementary Provisions"}


def cite_step(kind: str, number: str = "") -> str:
    """One step of a citation as regdsl prints it: `Article 20`, `Sub-item a`, `Supplementary Provisions`."""
    word = PRINTED[kind]
    return f"{word} {number}" if number else word


def describe_selector(s: n.Selector) -> str:
    """One step of a reference in its canonical words (`items 1 and 2`, `the preceding article`)."""
    if s.kind in ("preceding", "following"):
        return f"the {s.kind} {s.target}"
    if s.kind == "this":
        return f"this {s.target}"
    if s.kind in _RELATIVE:
        return _RELATIVE[s.kind]
    if s.through is not None:
        return f"{s.kind}s {s.numbers[0]} to {s.through}"
    if len(s.numbers) > 1:
        return f"{s.kind}s " + " and ".join(s.numbers)
    return f"{s.kind} {s.numbers[0]}"


def describe_ref(ref: n.Ref) -> str:
    """A reference in its canonical words: for messages, and as `regdsl fmt` writes it."""
    text = " of ".join(" ".join(describe_selector(s) for s in g) for g in ref.groups)
    return f"{text} of {ref.book}" if ref.book else text


class Printer:
    """Prints expressions on one line with the fewest parentheses (memoised per node).

    `time` may be overridden to spell a time of day as the source wrote it (fmt does)."""

    def __init__(self) -> None:
        self._memo: dict[int, tuple[str, int]] = {}  # id(expression) -> _e(expression)

    def expr(self, e: n.Expr) -> str:
        """An expression on one line."""
        return self._e(e)[0]

    def time(self, e: n.TimeLit) -> str:
        """A time of day: H:MM."""
        return f"{e.value.hour}:{e.value.minute:02d}"

    def bounds(self, s) -> str:
        """A fact's bounds as written after its type: `, at least 0 credits, whole`."""
        return "".join(f", {b.kind}" if b.value is None else f", {b.kind} {self._need(b.value, SUM)}"
                       for b in getattr(s, "bounds", ()))

    def type_(self, t) -> str:
        """A type as it is written."""
        if isinstance(t, n.SimpleType):
            return t.name
        if isinstance(t, n.PerType):
            return f"{t.num} per {t.den}"
        if isinstance(t, n.EnumType):
            return "one of " + ", ".join(t.members)
        if isinstance(t, n.RangeType):
            return "range of " + self.type_(t.inner)
        if isinstance(t, n.ListType):
            return "list of " + self.type_(t.inner)
        raise TypeError(f"cannot print type {type(t).__name__}")

    def ref(self, r: n.Ref) -> str:
        """A reference in its canonical words."""
        return describe_ref(r)

    def _need(self, e, level: int) -> str:
        """`e` on one line, in parentheses when it binds more loosely than `level`."""
        text, own = self._e(e)
        return text if own >= level else f"({text})"

    def _chain(self, e: n.Binary) -> tuple[list[str | None], list, list[int]]:
        """A left-leaning chain of operators of one precedence: operators, operands and the
        precedence each operand must have (99: parentheses whatever it is)."""
        ops = CHAINS[e.op]
        level = LEVELS[e.op]
        rights = []
        x: n.Expr = e
        while isinstance(x, n.Binary) and x.op in ops:
            rights.append((x.op, x.right))
            x = x.left
        rights.reverse()
        items = [x] + [r for _, r in rights]
        signs: list[str | None] = [None] + [op for op, _ in rights]
        needs = [level] + [level + 1] * len(rights)
        if "and" in ops:
            texts = [self._need(x, nd) for x, nd in zip(items, needs)]
            for i in range(1, len(texts)):
                if texts[i][:1].isdigit() and NUMLIST_END.search(texts[i - 1]):
                    needs[i - 1] = 99
                    texts[i - 1] = f"({texts[i - 1]})"
        return signs, items, needs

    def _e(self, e) -> tuple[str, int]:
        """`e` on one line with the fewest parentheses, and the precedence it binds with."""
        got = self._memo.get(id(e))
        if got is None:
            got = self._memo[id(e)] = self._e1(e)
        return got

    def _e1(self, e) -> tuple[str, int]:
        if isinstance(e, n.Number):
            return e.value, ATOM
        if isinstance(e, n.Quantity):
            per = f" per {e.per}" if e.per is not None else ""
            return f"{e.value} {e.unit}{per}", ATOM
        if isinstance(e, n.String):
            return quote(e.value), ATOM
        if isinstance(e, n.DateLit):
            return e.value.isoformat(), ATOM
        if isinstance(e, n.TimeLit):
            return self.time(e), ATOM
        if isinstance(e, n.Bool):
            return ("true" if e.value else "false"), ATOM
        if isinstance(e, n.Name):
            return e.name, ATOM
        if isinstance(e, n.Qualified):
            return f"{e.name} of {self.ref(e.ref)}", ATOM
        if isinstance(e, n.Call):
            return f"{e.func}(" + ", ".join(self._need(a, IF) for a in e.args) + ")", ATOM
        if isinstance(e, n.AnyOf):
            return f"any of {self.ref(e.ref)}", ATOM
        if isinstance(e, n.AllOf):
            return f"all of {self.ref(e.ref)}", ATOM
        if isinstance(e, n.Lookup):
            return f"{self._lookup_head(e)}{self._need(e.key, UNARY)}", ATOM
        if isinstance(e, n.Neg):
            operand = self._need(e.expr, UNARY)
            return ("- " if operand.startswith("-") else "-") + operand, UNARY
        if isinstance(e, n.Not):
            return "not " + self._need(e.expr, NOT), NOT
        if isinstance(e, n.Binary):
            signs, items, needs = self._chain(e)
            text = "".join((f" {sign} " if sign else "") + self._need(x, nd)
                           for sign, x, nd in zip(signs, items, needs))
            return text, LEVELS[e.op]
        if isinstance(e, n.Compare):
            return f"{self._need(e.left, SUM)} {self._word(e)} {self._right(e)}", CMP
        if isinstance(e, n.OneOf):
            return f"{self._need(e.expr, SUM)} {self._one_of(e)}({', '.join(e.names)})", CMP
        if isinstance(e, n.IfExpr):
            return (f"if {self._need(e.cond, IF)} then {self._need(e.then, IF)} "
                    f"else {self._need(e.else_, IF)}"), IF
        raise TypeError(f"cannot print expression {type(e).__name__}")

    @staticmethod
    def _word(e: n.Compare) -> str:
        return e.word or {"is": "is", "isnot": "is not"}.get(e.op, e.op)

    def _right_need(self, e: n.Compare) -> int:
        if self._word(e) in ("is", "is not") and AFTER_IS.match(self._need(e.right, SUM)):
            return 99
        return SUM

    def _right(self, e: n.Compare) -> str:
        return self._need(e.right, self._right_need(e))

    @staticmethod
    def _one_of(e: n.OneOf) -> str:
        return "is not one of " if e.negated else "is one of "

    @staticmethod
    def _lookup_head(e: n.Lookup) -> str:
        return f"lookup {e.column} in {e.table} for "


def expr_text(e: n.Expr) -> str:
    """An expression on one line, as `regdsl fmt` writes it when it fits."""
    return Printer().expr(e)


def type_text(t: n.TypeExpr) -> str:
    """A type as it is written: `years`, `hours per week`, `one of a, b`, `list of text`."""
    return Printer().type_(t)
