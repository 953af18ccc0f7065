"""The syntax tree of a .reg file: frozen attrs classes, each with its source span.

Spans are excluded from equality, so two parses of the same book laid out
differently compare equal (what `regdsl fmt` relies on).

Every stage reads the tree as `from regdsl.syntax import nodes as n; n.Rule`;
the classes live by family in tree.py (the API every node shares),
expressions.py (expressions, references, types), statements.py (what a
provision's body holds) and structure.py (articles to the parsed file).
"""

from __future__ import annotations

import attrs

from . import expressions, statements, structure
# The classes and type aliases, re-exported: `n.Rule` is the name every stage uses.
from .expressions import (AllOf, AnyOf, Binary, Bool, Call, Compare, DateLit, EnumType, Expr, IfExpr, ListType,
                          Lookup, Name, Neg, Not, Number, OneOf, PerType, Qualified, Quantity, RangeType, Ref,
                          Selector, SimpleType, String, TimeLit, TypeExpr)  # noqa: F401
from .statements import (Affects, Amendment, Applies, AsOf, Body, Bound, Cell, Column, Condition, Decision,
                         Declaration, Define, Delegated, Duties, ExceptionClause, ExceptRefs, Fact, NotApplying,
                         Outcome, Reading, Refers, Relation, Row, Rule, Statement, Table, Text, Unit)  # noqa: F401
from .structure import (Amended, Article, BookHeader, CitedAs, Deleted, Established, InForce, Item, Module,
                        Paragraph, Part, Section, SubItem, Supplementary, TopLevel, Uses, Validity)  # noqa: F401
from .tree import Comment, Node  # noqa: F401

#: Every class of the tree: the nodes in the order they are declared, then `Comment`.
CLASSES: tuple[type, ...] = (*(c for m in (expressions, statements, structure) for c in vars(m).values()
                               if isinstance(c, type) and c.__module__ == m.__name__ and attrs.has(c)), Comment)
