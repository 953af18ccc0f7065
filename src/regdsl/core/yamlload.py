"""YAML as the project reads it: safe, with the merge-key semantics of the YAML spec.

PyYAML's own handling of merge lists (`<<: [*a, *b]`) changed in 6.0.4: for
keys longer than one character the *later* mapping wins (yaml/pyyaml#953),
where the merge-key specification says the earlier one does.  Case tables
and facts files written with merge lists would be read differently by
different installations, silently.  This loader flattens merges itself, so
the answer does not depend on the PyYAML release:

- a key written in the mapping itself wins over every merged key;
- among merged mappings, the earlier one in a merge list wins;
- a merged mapping is flattened (its own merges applied) before it is merged.

See https://yaml.org/type/merge.html.

Every YAML file is also held to limits, checked as it is read, before the
Python objects are built: aliases (`*name`) make a small file stand for a
huge tree (the "billion laughs"), so the number of aliases and the size of
the tree with every alias expanded are bounded, and so is the nesting depth
(also of merges).  A file over a limit raises LimitExceeded at the place it
is exceeded.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.error import Mark
from yaml.events import AliasEvent, Event, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..facts.read import MAX_DEPTH, MAX_DIGITS  # collections in collections (and merges); digits of a number

MERGE_TAG = "tag:yaml.org,2002:merge"
VALUE_TAG = "tag:yaml.org,2002:value"
STR_TAG = "tag:yaml.org,2002:str"

MAX_ALIASES = 10_000  # `*name` in one file (the bundled case tables use at most 36)
MAX_NODES = 1_000_000  # values in the tree once every alias is expanded


class LimitExceeded(yaml.error.MarkedYAMLError):
    """YAML over one of this module's limits (E606), with the place it was exceeded."""

    code = "E606"

    def __init__(self, problem: str, mark: Mark | None):
        super().__init__(problem=problem, problem_mark=mark)


def _start(event: Event) -> Mark | None:
    """Where an event starts (the stubs allow libyaml's Mark too, which only the C loaders make)."""
    mark = event.start_mark
    assert mark is None or isinstance(mark, Mark), "SafeLoader is PyYAML's pure-Python loader"
    return mark


def _key(node: Node) -> tuple[str, str] | None:
    """A hashable identity of a mapping key (None for a key that is not a scalar)."""
    if isinstance(node, ScalarNode):
        return (node.tag, node.value)
    return None


class SafeLoader(yaml.SafeLoader):
    """PyYAML's SafeLoader with spec-conformant merge keys and limits on size, depth and digits."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self._sizes: dict[int, int] = {}  # id(node) -> its size with aliases expanded

    def compose_node(self, parent: Node | None, index: int) -> Node:
        """PyYAML's node for the next event, counted against the limits on aliases, depth and size."""
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise LimitExceeded(f"more than {MAX_ALIASES:,} aliases", _start(event))
            node = super().compose_node(parent, index)
            assert node is not None, "PyYAML composes an alias as the node its anchor names"
            if id(node) not in self._sizes:
                raise LimitExceeded(f"an alias (*{event.anchor}) inside the value it names", _start(event))
            return node
        if isinstance(event, ScalarEvent):
            node = super().compose_node(parent, index)
        else:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise LimitExceeded(f"values nested more than {MAX_DEPTH} deep", _start(event))
            try:
                node = super().compose_node(parent, index)
            finally:
                self._depth -= 1
        assert node is not None, "PyYAML composes a node for every scalar, sequence and mapping"
        sizes = self._sizes
        if isinstance(node, SequenceNode):
            size = 1 + sum(sizes[id(v)] for v in node.value)
        elif isinstance(node, MappingNode):
            size = 1 + sum(sizes[id(k)] + sizes[id(v)] for k, v in node.value)
        else:
            size = 1
        if size > MAX_NODES:
            raise LimitExceeded(f"more than {MAX_NODES:,} values once its aliases are expanded",
                                node.start_mark)
        sizes[id(node)] = size
        return node

    def construct_yaml_int(self, node: ScalarNode) -> int:
        """PyYAML's integer, once its digits are within MAX_DIGITS."""
        digits = node.value.lstrip("+-").replace("_", "").lower()
        self._check_digits(node, len(digits.removeprefix("0x").removeprefix("0o").removeprefix("0b")))
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: ScalarNode) -> float:
        """PyYAML's float, once its digits are within MAX_DIGITS."""
        mantissa = node.value.lstrip("+-").replace("_", "").lower().partition("e")[0]
        self._check_digits(node, len(mantissa) - mantissa.count("."))
        return super().construct_yaml_float(node)

    @staticmethod
    def _check_digits(node: ScalarNode, digits: int) -> None:
        """Before Python converts it (it refuses more than 4,300 digits, and not in hexadecimal)."""
        if digits > MAX_DIGITS:
            raise LimitExceeded(f"a number of more than {MAX_DIGITS} digits", node.start_mark)

    def flatten_mapping(self, node: MappingNode) -> None:
        """Apply the merges (`<<`) of a mapping as the merge-key specification says (module docstring)."""
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise LimitExceeded(f"merges (<<) nested more than {MAX_DEPTH} deep", node.start_mark)
            self._flatten(node)
        finally:
            self._depth -= 1

    def _flatten(self, node: MappingNode) -> None:
        merged: list[tuple[Node, Node]] = []
        own: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                if isinstance(value_node, MappingNode):
                    sources = [value_node]
                elif isinstance(value_node, SequenceNode):
                    sources = value_node.value
                else:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        f"expected a mapping or list of mappings for merging, but found {value_node.id}",
                        value_node.start_mark)
                for sub in sources:
                    if not isinstance(sub, MappingNode):
                        raise yaml.constructor.ConstructorError(
                            "while constructing a mapping", node.start_mark,
                            f"expected a mapping for merging, but found {sub.id}", sub.start_mark)
                    self.flatten_mapping(sub)
                    merged.extend(sub.value)
            else:
                if key_node.tag == VALUE_TAG:
                    key_node.tag = STR_TAG
                own.append((key_node, value_node))
        if not merged:
            node.value = own
            return
        taken = {k for k in (_key(key) for key, _ in own) if k is not None}
        kept: list[tuple[Node, Node]] = []
        for key_node, value_node in merged:
            k = _key(key_node)
            if k is not None:
                if k in taken:
                    continue  # an explicit key, or an earlier merged mapping, has it
                taken.add(k)
            kept.append((key_node, value_node))
        node.value = kept + own


SafeLoader.add_constructor("tag:yaml.org,2002:int", SafeLoader.construct_yaml_int)
SafeLoader.add_constructor("tag:yaml.org,2002:float", SafeLoader.construct_yaml_float)


def load(text: str, loader: type[SafeLoader] = SafeLoader) -> Any:
    """Parse YAML text with `loader` (a subclass of this module's SafeLoader)."""
    return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass
