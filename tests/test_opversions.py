"""Operation families and revisions (versioning.opversions)."""

from __future__ import annotations

import json

import pytest

from connver.changes import Change, Level
from connver.model import Connector
from connver.opversions import analyse, families
from connver.sourcefiles import SourceFiles


def connector(*ops: tuple):
    """ops: (operationId, family or None, revision or None, deprecated)."""
    paths = {}
    for op_id, family, revision, deprecated in ops:
        raw = {"operationId": op_id, "responses": {"200": {"description": "ok"}}}
        if family is not None:
            raw["x-ms-api-annotation"] = {"family": family, **({"revision": revision} if revision else {})}
        if deprecated:
            raw["deprecated"] = True
        paths[f"/{op_id}"] = {"get": raw}
    doc = {"swagger": "2.0", "info": {"title": "T", "version": "1.0"}, "paths": paths}
    return Connector.from_files(SourceFiles("t", {"apiDefinition.swagger.json": json.dumps(doc).encode()}))


def kinds(report):
    return sorted((f.kind.value, f.operations) for f in report.findings)


def test_families_and_revisions_are_reported():
    c = connector(("GetItems", None, None, True), ("GetItems_V2", "GetItems", 2, False),
                  ("Other", None, None, False))
    (fam,) = families(c.operations)
    assert fam.name == "GetItems"
    assert [(m.operation, m.revision, m.deprecated, m.implied) for m in fam.members] == [
        ("GetItems", 1, True, True), ("GetItems_V2", 2, False, False)]
    assert analyse(c).findings == ()


def test_the_sanctioned_pattern_has_no_findings():
    old = connector(("GetItems", None, None, False))
    new = connector(("GetItems", "GetItems", 1, True), ("GetItems_V2", "GetItems", 2, False))
    assert analyse(new, old, []).findings == ()


def test_more_than_two_active_operations_in_a_family():
    c = connector(("A", "A", 1, False), ("A_V2", "A", 2, False), ("A_V3", "A", 3, False))
    report = analyse(c, c)
    assert kinds(report) == [("family-too-many-active", ("A", "A_V2", "A_V3"))]
    assert report.findings[0].message.startswith("family A: 3 operations are not deprecated")
    two = connector(("A", "A", 1, False), ("A_V2", "A", 2, False))
    assert analyse(two, two).findings == ()


def test_duplicate_revisions():
    c = connector(("A", "A", 1, True), ("A_V2", "A", 2, False), ("A_Two", "A", 2, True))
    assert kinds(analyse(c, c)) == [("family-duplicate-revision", ("A_Two", "A_V2"))]


def test_a_missing_revision_counts_as_revision_one():
    c = connector(("A", "A", None, True), ("A_1", "A", 1, True))
    assert kinds(analyse(c, c)) == [("family-duplicate-revision", ("A", "A_1"))]


def test_new_revision_whose_old_one_was_not_deprecated():
    old = connector(("GetItems", None, None, False))
    new = connector(("GetItems", None, None, False), ("GetItems_V2", "GetItems", 2, False))
    report = analyse(new, old, [])
    assert kinds(report) == [("revision-predecessor-not-deprecated", ("GetItems_V2", "GetItems"))]
    assert "set deprecated: true on GetItems" in report.findings[0].message
    # an old pair that was already there is not "new"
    assert analyse(new, new, []).findings == ()
    # without an old side, every later revision counts as new
    assert len(analyse(new).findings) == 1


def test_breaking_change_that_could_have_been_a_revision():
    old = connector(("GetItems", "GetItems", 1, False), ("Gone", None, None, False))
    new = connector(("GetItems", "GetItems", 1, False))
    changes = [
        Change("request-parameter-removed", Level.BREAKING, "operation/GetItems/parameter/q", "GetItems"),
        Change("response-property-removed", Level.BREAKING, "operation/GetItems/responses/200/schema/a",
               "GetItems"),
        Change("operation-removed", Level.BREAKING, "operation/Gone", "Gone"),
        Change("summary-changed", Level.COSMETIC, "operation/GetItems/summary", "GetItems"),
        Change("auth-type-changed", Level.BREAKING, "securityDefinitions"),
    ]
    report = analyse(new, old, changes)
    assert kinds(report) == [("breaking-could-be-revision", ("GetItems",)),
                             ("breaking-could-be-revision", ("Gone",))]
    by_op = {f.operations[0]: f for f in report.findings}
    changed = by_op["GetItems"]
    assert changed.detail["suggested_id"] == "GetItems_V2" and changed.detail["revision"] == 2
    assert changed.detail["rules"] == ("request-parameter-removed", "response-property-removed")
    assert "family GetItems, revision 2" in changed.message
    assert "keep GetItems as it was with deprecated: true" in changed.message
    removed = by_op["Gone"]
    assert removed.detail["removed"] is True
    assert "instead of removing it" in removed.message
    assert removed.to_dict()["details"]["rules"] == ["operation-removed"]


@pytest.mark.corpus
def test_real_revision_steps_are_clean(corpus):
    from connver.sources import read_source

    def load(rel):
        return Connector.from_files(read_source(str(corpus / "history" / rel)))

    for old, new in [("kanbanize/05_cba9032e", "kanbanize/06_9417bd42"),
                     ("clockify/01_10570c99", "clockify/02_a29414fc")]:
        report = analyse(load(new), load(old), [])
        assert report.families, new
        assert report.findings == (), (new, [f.message for f in report.findings])
    kanbanize = {f.name: f for f in analyse(load("kanbanize/06_9417bd42")).families}
    assert [m.operation for m in kanbanize["MoveCard"].active] == ["MoveCard_V2"]


def test_a_rename_could_have_kept_the_old_id_as_a_deprecated_revision():
    old = connector(("Send_WhatsApp", None, None, False))
    new = connector(("SendWhatsApp", None, None, False))
    changes = [Change("operation-renamed", Level.BREAKING, "operation/Send_WhatsApp", "Send_WhatsApp",
                      old="Send_WhatsApp", new="SendWhatsApp", details=(("renamed_to", "SendWhatsApp"),))]
    (finding,) = analyse(new, old, changes).findings
    assert finding.detail["suggested_id"] == "SendWhatsApp"
    assert finding.message == (
        "Send_WhatsApp: operation-renamed could have been a new revision: keep Send_WhatsApp with "
        "deprecated: true beside SendWhatsApp instead of renaming it, and give SendWhatsApp "
        "x-ms-api-annotation family Send_WhatsApp, revision 2")


def test_suggested_ids_never_collide():
    old = connector(("GetItems", None, None, False), ("GetItems_V2", None, None, False))
    new = connector(("GetItems_V2", None, None, False))
    changes = [Change("operation-removed", Level.BREAKING, "operation/GetItems", "GetItems")]
    (finding,) = analyse(new, old, changes).findings
    assert finding.detail["suggested_id"] == "GetItems_V3" and finding.detail["revision"] == 3
