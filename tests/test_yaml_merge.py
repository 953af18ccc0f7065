"""YAML merge keys follow the spec, whatever PyYAML release is installed (issue 9).

PyYAML 6.0.4 lets the later mapping of a merge list win for keys longer than
one character (yaml/pyyaml#953); the merge-key spec says the earlier one wins.
"""

import json

import pytest

from regdsl.facts import parse_facts, read_facts
from regdsl.core.yamlload import load

MERGE_LIST = """
base: &base
  completed_high_school_advanced_course: true
  years_enrolled: 1
  x: 1
other: &other
  completed_high_school_advanced_course: false
  years_enrolled: 2
  x: 2
  only_other: yes
case:
  <<: [*base, *other]
  years_enrolled: 3
"""


def test_earlier_mapping_in_a_merge_list_wins_for_long_keys():
    case = load(MERGE_LIST)["case"]
    assert case["completed_high_school_advanced_course"] is True
    assert case["x"] == 1  # one-character keys too


def test_explicit_key_wins_over_merged_ones():
    assert load(MERGE_LIST)["case"]["years_enrolled"] == 3


def test_keys_only_in_a_later_mapping_are_merged():
    assert load(MERGE_LIST)["case"]["only_other"] is True


def test_nested_merges_are_flattened_first():
    text = """
a: &a {k_long_name: from_a}
b: &b {<<: *a, other_key: from_b}
c: {<<: [*b, {k_long_name: from_literal}]}
"""
    assert load(text)["c"] == {"k_long_name": "from_a", "other_key": "from_b"}


def test_single_mapping_merge_and_repeated_alias():
    text = """
a: &a {long_key: 1, another_long_key: 2}
b: {<<: *a, long_key: 5}
c: {<<: *a}
"""
    data = load(text)
    assert data["b"] == {"long_key": 5, "another_long_key": 2}
    assert data["c"] == {"long_key": 1, "another_long_key": 2}


def test_merging_a_scalar_is_a_yaml_error():
    import yaml

    with pytest.raises(yaml.YAMLError):
        load("a: 1\nb: {<<: 3}\n")


def test_facts_file_with_a_merge_list(tmp_path):
    path = tmp_path / "student.yaml"
    path.write_text(
        "defaults: &defaults\n"
        "  still_in_first_year: false\n"
        "  years_enrolled: 4\n"
        "override: &override\n"
        "  still_in_first_year: true\n"
        "  years_enrolled: 9\n"
        "student:\n"
        "  <<: [*defaults, *override]\n"
        "  entry: first_year\n", "utf-8")
    data, _, _ = read_facts(str(path))
    assert data["student"] == {"still_in_first_year": False, "years_enrolled": 4, "entry": "first_year"}
    assert parse_facts(path.read_text("utf-8"), "yaml")["student"]["years_enrolled"] == 4


def test_case_table_with_a_merge_list(tmp_path):
    """The case-table loader (which also records lines) uses the same merge rules."""
    from regdsl.authoring.testing import _Loader

    data = _Loader.load(MERGE_LIST, "t.test.yaml")
    assert data["case"]["completed_high_school_advanced_course"] is True
    assert data["case"]["years_enrolled"] == 3
    assert json.dumps(data["case"]["__line__"])
