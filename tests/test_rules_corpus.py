"""Findings on real connector histories (../shared/corpus), checked by hand against the files.

Each test names one pair and what a connector's users would want to hear about it; counts
were verified by reading the two definitions (see the comments)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from connver import Level, diff, load_connector

pytestmark = pytest.mark.corpus


def run(corpus: Path, where: str, old: str, new: str):
    base = corpus / where
    return diff(load_connector(base / old), load_connector(base / new)).changes


def by_rule(changes, rule: str) -> list:
    return [c for c in changes if c.rule == rule]


def test_case_only_trigger_rename_is_a_rename(corpus):
    changes = run(corpus, "history/tyntec-wa", "13_314e7c84", "14_16218058")
    (renamed,) = by_rule(changes, "operation-renamed")
    assert (renamed.old, renamed.new, renamed.level) == ("incoming", "Incoming", Level.BREAKING)
    assert renamed.location == "operation/incoming"
    assert renamed.detail["reason"] == "only the case differs"
    assert not by_rule(changes, "operation-removed")
    # the old operations were kept and marked deprecated; 21 new ones, IncomingV2 among them
    assert {c.operation for c in by_rule(changes, "operation-deprecated")} == {
        "SendFreeformMessage", "SendWhatsApp", "StatusCheck", "incoming"}
    added = {c.new for c in by_rule(changes, "operation-added")}
    assert len(added) == 21 and "IncomingV2" in added and "Incoming" not in added


def test_renames_on_the_same_route(corpus):
    changes = run(corpus, "history/tyntec-wa", "01_415f1176", "02_5bd9f8d4")
    assert {(c.old, c.new) for c in by_rule(changes, "operation-renamed")} == {
        ("Send_WhatsApp", "SendWhatsApp"), ("Status_Check", "StatusCheck")}


def test_dime_scheduler_renames_are_reported_as_renames(corpus):
    # 29 operationIds left, 66 came; 28 of the leavers have a newcomer on the same method + path
    changes = run(corpus, "deployed-vs-dev/dime.scheduler", "deployed", "dev")
    renamed = by_rule(changes, "operation-renamed")
    assert len(renamed) == 28
    assert ("Appointment", "appointmentUpsert") in {(c.old, c.new) for c in renamed}
    assert [c.operation for c in by_rule(changes, "operation-removed")] == ["Category"]
    assert len(by_rule(changes, "operation-added")) == 66 - 28
    # the three webhook triggers are new operations, not a change of kind
    assert not by_rule(changes, "trigger-type-changed")


def test_required_internal_parameters_with_a_default_are_not_breaking(corpus):
    # GetAirmeets gained allAirmeets and crmName: required, x-ms-visibility internal, with a default
    changes = run(corpus, "history/airmeet", "02_f8fbbd1a", "03_fdaede35")
    assert not by_rule(changes, "parameter-added-required")
    filled = {c.detail["name"] for c in by_rule(changes, "parameter-added-optional") if c.detail["internal_default"]}
    assert filled == {"allAirmeets", "crmName"}
    # ... and in 06 both became required: still filled in by the platform
    changes = run(corpus, "history/airmeet", "05_b1f2e52e", "06_1d0d51ae")
    assert not by_rule(changes, "parameter-became-required")
    assert {c.detail["key"] for c in by_rule(changes, "request-property-added-required")} == {
        "body/firstName", "body/lastName", "body/registerAttendee", "body/sendEmailInvite"}


def test_snowflake_required_header_added_to_three_operations(corpus):
    changes = run(corpus, "history/snowflake", "08_6673c52b", "09_e90b1350")
    added = by_rule(changes, "parameter-added-required")
    assert {(c.operation, c.location) for c in added} == {
        (op, f"operation/{op}/parameter/Domain") for op in ("Cancel", "ExecuteSqlStatement", "GetResults")}
    assert [c for c in changes if c.level is Level.BREAKING] == added


def test_operations_made_internal(corpus):
    changes = run(corpus, "history/cardsforpowerapps", "05_abc8af3c", "06_b38432e5")
    assert [(c.rule, c.location, c.level) for c in changes] == [
        ("operation-hidden", "operation/SearchCards/x-ms-visibility", Level.BREAKING)]
    changes = run(corpus, "history/zohosign", "03_25fed315", "04_e63c5f89")
    assert {c.operation for c in by_rule(changes, "operation-hidden")} == {"GetDocumentTypelList", "GetFolderList"}
    assert {c.operation for c in by_rule(changes, "operation-removed")} == {
        "delete-user", "get-account-details", "get-users", "get-webhook", "get-webhooks-list", "invite-users",
        "update-user"}


def test_sociabble_outputs_moved_from_200_to_201_are_not_removed(corpus):
    # CreateExternalContent and CreateInternalNews answer 201 instead of 200 with the same
    # schema: the outputs are unchanged (a per-status-code count sees 68 removed fields)
    changes = run(corpus, "history/sociabble", "06_3f09e276", "07_9e8e1155")
    assert {(c.operation, c.old, c.new) for c in by_rule(changes, "response-code-changed")} == {
        ("CreateExternalContent", "200", "201"), ("CreateInternalNews", "200", "201")}
    assert not by_rule(changes, "response-property-removed")
    assert not by_rule(changes, "response-removed")


def test_impower_parameter_type_and_format_changes(corpus):
    # 18 parameters went from format int64 to int32, one from type string to array
    changes = run(corpus, "history/impower", "03_e7dba186", "04_256093a7")
    found = Counter((c.detail["attribute"], c.old, c.new) for c in by_rule(changes, "parameter-type-changed"))
    assert found == Counter({("format", "int64", "int32"): 18, ("type", "string", "array"): 1})
    assert all(c.location.endswith("/" + c.detail["attribute"]) for c in by_rule(changes, "parameter-type-changed"))


def test_hubspot_body_parameters_renamed(corpus):
    # every Create/Update body parameter got a new name (body/properties -> company, contact...):
    # 12 renames, which a per-name count sees as 12 removed and 12 required added
    changes = run(corpus, "history/hubspot-crm", "04_a9e24528", "05_f0ebbda2")
    renamed = by_rule(changes, "body-parameter-renamed")
    assert len(renamed) == 12
    assert ("CompaniesCreate", "body", "company") in {(c.operation, c.old, c.new) for c in renamed}
    assert {c.location for c in by_rule(changes, "parameter-removed")} == {
        "operation/CompaniesRead/parameter/properies", "operation/ContactsList/parameter/properties[]"}
    assert not by_rule(changes, "parameter-added-required")
    # the old "default" responses declared an empty schema: the new 200 schemas are new outputs
    assert not by_rule(changes, "response-removed")


def test_three_e_events_connection_parameter_sets(corpus):
    changes = run(corpus, "history/3e-events", "02_711e5231", "03_f1b476bb")
    assert len(by_rule(changes, "connection-parameter-sets-introduced")) == 1
    # 05 -> 06: eleven sets dropped, three kept; the plain connectionParameters beside the
    # sets (emptied in 06) are not how connections were created
    changes = run(corpus, "history/3e-events", "05_195f9f37", "06_f181422b")
    assert {c.old for c in by_rule(changes, "connection-parameter-set-removed")} == {
        "liveus", "liveuks", "livecac", "liveweu", "liveanz", "nonprod",
        "previewus", "previewuk", "previewca", "previeweu", "previewau"}
    assert not by_rule(changes, "connection-parameter-removed")
    assert not by_rule(changes, "auth-type-changed")


def test_sanctioned_revisions_are_additive_and_deprecation(corpus):
    # kanbanize 06 deprecates 16 operations and adds a *_V2 revision in the family of 14 of them
    # (BlockUnblockCard and DeleteCard give way to new, differently named operations)
    changes = run(corpus, "history/kanbanize", "05_cba9032e", "06_9417bd42")
    revisions = by_rule(changes, "operation-new-revision")
    assert len(revisions) == 14
    assert ("AddComment_V2", "AddComment") in {(c.new, c.detail["replaces"]) for c in revisions}
    assert len(by_rule(changes, "operation-deprecated")) == 16
    assert not [c for c in changes if c.level is Level.BREAKING]
    # clockify: revision 0 kept and deprecated, revision 1 added
    changes = run(corpus, "history/clockify", "01_10570c99", "02_a29414fc")
    assert {c.new for c in by_rule(changes, "operation-new-revision")} == {
        "GetAllUsers_v1", "GetClients_v1", "GetProjects_v1", "GetTimeEntriesForUser_v1", "GetWorkspaces_v1"}
    assert {c.operation for c in by_rule(changes, "operation-deprecated")} == {
        "GetAllUsers", "GetClients", "GetProjects", "GetTimeEntriesForUser", "GetWorkspaces"}


def test_converter_deprecations(corpus):
    changes = run(corpus, "history/converter-by-power2apps", "06_e5edead4", "07_01e6af6a")
    assert {c.operation for c in by_rule(changes, "operation-deprecated")} == {
        "ConvertCsvdataToExcel", "ConvertCsvdataToJson", "ConvertFileToPdf", "ConvertJsonToCsvdata",
        "ConvertJsonToExcel", "ConvertJsonToXml", "ConvertXmlToJson"}
