"""The common API of syntax tree nodes: children, walk, replace."""

from __future__ import annotations

import attrs

from regdsl.syntax import nodes as n
from regdsl.syntax.parser import parse

SOURCE = '''book b "B"

fact years : years
outcome over : boolean

article 1 "One"
  | Text.
  over = years > 2 years + 1 years when years of article 1 > 0 years
'''


def test_every_tree_class_is_a_node():
    classes = list(n.CLASSES)
    assert set(classes) == {c for c in vars(n).values() if isinstance(c, type) and attrs.has(c)}
    assert [c.__name__ for c in classes if not issubclass(c, n.Node)] == ["Comment"]
    assert [c.__name__ for c in classes if c.__dictoffset__] == []  # still slotted: no __dict__


def test_children_are_the_nodes_of_the_fields_in_order():
    e = n.Binary("+", n.Name("a"), n.Number("1"))
    assert list(e.children()) == [n.Name("a"), n.Number("1")]
    ref = n.Ref(((n.Selector("item", ("1",)), n.Selector("paragraph", ("2",))), (n.Selector("article", ("3",)),)))
    assert [s.numbers for s in ref.children()] == [("1",), ("2",), ("3",)]  # groups flattened in order
    assert list(n.Number("1").children()) == []  # text and numbers are not children


def test_walk_is_preorder_and_finds_every_reference():
    m = parse(SOURCE, "b.reg")
    kinds = [type(x).__name__ for x in m.walk()]
    assert kinds[0] == "Module"
    rule = next(x for x in m.walk() if isinstance(x, n.Rule))
    inside = [type(x).__name__ for x in rule.walk()]
    assert inside[:4] == ["Rule", "Compare", "Name", "Binary"]
    assert [type(x).__name__ for x in m.walk() if isinstance(x, n.Ref)] == ["Ref"]


def test_walk_needs_no_recursion():
    e: n.Expr = n.Name("x")
    for i in range(20_000):
        e = n.Binary("+", e, n.Number(str(i)))
    assert sum(1 for x in e.walk() if isinstance(x, n.Number)) == 20_000


def test_replace_is_evolve():
    s = n.Selector("article", ("3",))
    t = s.replace(numbers=("4",))
    assert t == n.Selector("article", ("4",)) and s.numbers == ("3",)
    assert type(t) is n.Selector
