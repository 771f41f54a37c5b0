"""Everything about a rule is in its row: each row has what its level requires, and what
notes, changelogs and flow impact read comes from the row, not from lists of rule ids."""

from __future__ import annotations

import pytest

from connver.changes import Change, Level
from connver.impact import impact_class
from connver.notes import Section, noun_for, section_for, template_fields, todo_for
from connver.rules import FlowImpact, Kind, all_rules

RULES = all_rules()
IDS = [r.id for r in RULES]
#: Placeholders every what-to-do sentence may use besides its rule's message's.
STANDARD_FIELDS = {"operation", "location", "old", "new", "name", "key", "kind", "replacement"}
#: The impact classes that make sense for each kind of node.
FITS = {
    Kind.CONNECTOR: {FlowImpact.CONNECTS, FlowImpact.CALLS, FlowImpact.NONE},
    Kind.CONNECTION_PARAMETER: {FlowImpact.CONNECTS, FlowImpact.NONE},
    Kind.DOCUMENT: {FlowImpact.NONE},
    Kind.OPERATION: {FlowImpact.CALLS, FlowImpact.ROUTE, FlowImpact.NONE},
    Kind.PARAMETER: {FlowImpact.SENDS, FlowImpact.OMITS, FlowImpact.NONE},
    Kind.REQUEST_PROPERTY: {FlowImpact.SENDS, FlowImpact.OMITS, FlowImpact.NONE},
    Kind.RESPONSE: {FlowImpact.READS, FlowImpact.READS_ANY, FlowImpact.NONE},
    Kind.RESPONSE_PROPERTY: {FlowImpact.READS, FlowImpact.READS_ANY, FlowImpact.NONE},
}


@pytest.mark.parametrize("spec", RULES, ids=IDS)
def test_every_row_has_what_its_level_requires(spec):
    missing = []
    if spec.impact is None:
        missing.append("impact")
    if spec.section is None:
        missing.append("section")
    if spec.level in (Level.BREAKING, Level.DEPRECATION) or spec.section is Section.SECURITY:
        if not spec.todo:
            missing.append("todo")
    if spec.level is Level.COSMETIC and not spec.noun:
        missing.append("noun")
    assert not missing, f"{spec.id}: the row has no {', '.join(missing)} (see versioning/rules/__init__.py)"


@pytest.mark.parametrize("spec", RULES, ids=IDS)
def test_every_row_is_consistent(spec):
    assert spec.section not in (Section.BREAKING, Section.FIXED), "the level decides Breaking; Fixed is hand-written"
    if spec.level is Level.DEPRECATION:
        assert spec.section is Section.DEPRECATED
    if spec.impact is not None:
        assert spec.impact in FITS[spec.kind], f"{spec.id}: {spec.impact} does not fit a {spec.kind.value} rule"
        if spec.level is Level.BREAKING:
            assert spec.impact is not FlowImpact.NONE, f"{spec.id} breaks flows but hits none"
    if spec.todo:
        allowed = STANDARD_FIELDS | template_fields(spec.message)
        assert template_fields(spec.todo) <= allowed, f"{spec.id}: todo names values the change does not have"


@pytest.mark.parametrize("spec", RULES, ids=IDS)
def test_notes_and_impact_read_the_row(spec):
    change = Change(spec.id, spec.level, "x")
    expected = {Level.BREAKING: Section.BREAKING, Level.DEPRECATION: Section.DEPRECATED}.get(spec.level, spec.section)
    assert section_for(change) is expected
    assert impact_class(spec.id) is spec.impact
    if spec.noun:
        assert noun_for(spec.id) == spec.noun
    if spec.level is Level.BREAKING:
        assert todo_for(change, kind="action", replacement="X") is not None


def test_a_lowered_rule_goes_to_its_rows_section_not_to_one_spelt_from_its_id():
    lowered = [r for r in RULES if r.level is Level.BREAKING]
    assert {section_for(Change(r.id, Level.RISKY, "x")) for r in lowered} >= {Section.REMOVED, Section.CHANGED,
                                                                             Section.SECURITY}
    for spec in lowered:
        assert section_for(Change(spec.id, Level.RISKY, "x")) is spec.section


def test_an_unknown_rule_falls_back_by_level():
    assert section_for(Change("from-a-newer-connver", Level.ADDITIVE, "x")) is Section.ADDED
    assert section_for(Change("from-a-newer-connver", Level.RISKY, "x")) is Section.CHANGED
    assert noun_for("from-a-newer-connver") == "from-a-newer-connver"
    assert impact_class("from-a-newer-connver") is FlowImpact.CONNECTS


def test_no_side_tables_of_rule_ids_are_left():
    import connver.impact as impact
    import connver.notes as notes

    for module in (notes, impact):
        for name, value in vars(module).items():
            if isinstance(value, (set, frozenset, dict)) and value and not name.startswith("__"):
                assert not (set(value) & set(IDS)), f"{module.__name__}.{name} lists rule ids"
