"""syntax/printer.py: the one printer of expressions, types and references."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from regdsl.syntax import nodes as n
from regdsl.syntax.parser import parse
from regdsl.syntax.printer import Printer, describe_ref, expr_text, type_text

ROOT = Path(__file__).resolve().parents[1]


def test_fewest_parentheses_that_keep_the_tree():
    a, b, c = n.Name("a"), n.Name("b"), n.Name("c")
    assert expr_text(n.Binary("*", n.Binary("+", a, b), c)) == "(a + b) * c"
    assert expr_text(n.Binary("+", a, n.Binary("*", b, c))) == "a + b * c"
    assert expr_text(n.Binary("-", a, n.Binary("-", b, c))) == "a - (b - c)"
    assert expr_text(n.Not(n.Compare(">", a, n.Quantity("2", "years")))) == "not a > 2 years"
    assert expr_text(n.Neg(n.Neg(a))) == "- -a"
    assert expr_text(n.OneOf(a, ("x", "y"), negated=True)) == "a is not one of (x, y)"
    assert expr_text(n.TimeLit(dt.time(8, 5))) == "8:05"
    assert expr_text(n.String('say "hi"')) == '"say \\"hi\\""'


def test_types_and_references():
    assert type_text(n.ListType(n.RangeType(n.SimpleType("marks")))) == "list of range of marks"
    assert type_text(n.PerType("hours", "week")) == "hours per week"
    ref = n.Ref(((n.Selector("item", ("1", "2")),), (n.Selector("preceding", target="article"),)))
    assert describe_ref(ref) == "items 1 and 2 of the preceding article"
    assert describe_ref(n.Ref(((n.Selector("article", ("3",), through="5"),),), "univ")) == "articles 3 to 5 of univ"


def test_every_rule_of_the_bundled_books_prints_as_fmt_prints_it():
    """fmt's one-line form is the printer's (fmt only spells times as written and breaks lines)."""
    from regdsl.authoring.fmt import Formatter

    count = 0
    for path in sorted((ROOT / "regulations").glob("*/*.reg")):
        text = path.read_text("utf-8")
        module = parse(text, str(path))
        fmt = Formatter(module, text)
        assert isinstance(fmt, Printer)
        for node in module.walk():
            if isinstance(node, n.Rule) and not any(isinstance(x, n.TimeLit) for x in node.expr.walk()):
                assert fmt.expr(node.expr) == expr_text(node.expr)
                count += 1
    assert count > 100
