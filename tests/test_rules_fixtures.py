"""One fixture pair per rule: ``fixtures/rules/<rule-id>/{old,new}`` where the rule fires, and
``fixtures/rules/<rule-id>/not/{old,new}`` where it must not (a near miss). Each case folder's
``expected.txt`` lists the exact set of rule ids the diff reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES
from connver import all_rules, diff, load_connector

RULES_DIR = FIXTURES / "rules"


def cases() -> list[tuple[str, str, Path]]:
    found = []
    for folder in sorted(p for p in RULES_DIR.iterdir() if p.is_dir()):
        found.append((folder.name, "fire", folder))
        if (folder / "not").is_dir():
            found.append((folder.name, "not", folder / "not"))
    return found


def expected_ids(case: Path) -> set[str]:
    lines = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip()}


@pytest.mark.parametrize("rule_id,variant,case", [pytest.param(*c, id=f"{c[0]}:{c[1]}") for c in cases()])
def test_fixture_reports_exactly_the_expected_rules(rule_id, variant, case):
    expected = expected_ids(case)
    # the folder's own rule is what the fire case is about, and what the near miss avoids
    assert (rule_id in expected) == (variant == "fire"), f"{case}/expected.txt"
    result = diff(load_connector(case / "old"), load_connector(case / "new"))
    assert {c.rule for c in result.changes} == expected
    assert not result.warnings


def test_every_rule_has_a_fixture_and_every_fixture_names_a_rule():
    registered = {r.id for r in all_rules()}
    folders = {p.name for p in RULES_DIR.iterdir() if p.is_dir()}
    assert registered - folders == set(), "rules without fixtures/rules/<id>/"
    assert folders - registered == set(), "fixture folders naming no registered rule"
    for name in folders:
        assert (RULES_DIR / name / "not" / "expected.txt").is_file(), f"{name} has no near-miss case"


def test_each_case_holds_an_old_and_a_new_definition():
    for _, _, case in cases():
        for side in ("old", "new"):
            assert (case / side / "apiDefinition.swagger.json").is_file(), f"{case}/{side}"


def test_every_message_renders_from_its_template():
    """A template naming a value the rule does not provide falls back to the description."""
    from connver.rules import get_rule

    for _, _, case in cases():
        for change in diff(load_connector(case / "old"), load_connector(case / "new")).changes:
            spec = get_rule(change.rule)
            assert change.message != f"{spec.description} ({change.location})", (case, change.rule)


def test_examples_are_real_before_and_after_snippets():
    import json

    not_json = {"script-changed", "icon-changed"}  # C# code and an image
    for spec in all_rules():
        before, after = spec.example
        assert before and after and before != after, spec.id
        assert "..." not in before + after, spec.id
        if spec.id in not_json:
            continue
        for snippet in spec.example:
            parsed = []
            for candidate in (snippet, "{" + snippet + "}"):
                try:
                    parsed.append(json.loads(candidate))
                except ValueError:
                    pass
            assert parsed, f"{spec.id}: {snippet}"
