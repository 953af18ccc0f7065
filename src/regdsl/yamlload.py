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
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MERGE_TAG = "tag:yaml.org,2002:merge"
VALUE_TAG = "tag:yaml.org,2002:value"
STR_TAG = "tag:yaml.org,2002:str"


def _key(node: Node) -> tuple[str, str] | None:
    """A hashable identity of a mapping key (None for a key that is not a scalar)."""
    if isinstance(node, ScalarNode):
        return (node.tag, node.value)
    return None


class SafeLoader(yaml.SafeLoader):
    """PyYAML's SafeLoader with spec-conformant merge keys."""

    def flatten_mapping(self, node: MappingNode) -> None:  # type: ignore[override]
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


def load(text: str, loader: type[SafeLoader] = SafeLoader) -> Any:
    """Parse YAML text with `loader` (a subclass of this module's SafeLoader)."""
    return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass
