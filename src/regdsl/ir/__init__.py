"""The typed intermediate representation between the checker and every evaluator."""

from .book import (
    Adoption, Domain, Input, IRBook, Item, Name, Organization, Prov, Rule, Table, Transition,
)
from .expr import (
    And, Arith, BodyCall, Call, Compare, Const, Expr, Fact, Fold, If, Items, Lookup, Neg, Not,
    OneOf, Or, Ref, Shown, Today, reads, walk,
)

__all__ = [
    "Adoption", "And", "Arith", "BodyCall", "Call", "Compare", "Const", "Domain", "Expr", "Fact", "Fold", "IRBook", "If", "Input",
    "Item", "Items", "Lookup", "Name", "Neg", "Not", "OneOf", "Or", "Organization", "Prov",
    "Ref", "Rule", "Shown", "Table", "Today", "Transition", "reads", "walk",
]
