"""What the designer exposes decides the verdict (internal helpers, webhooks, dynamic extensions, subtypes, notes):

* an internal helper's outputs are no flow's dynamic content: only the paths its x-ms-dynamic-*
  callers read are contract, and a break there is reported at the calling parameter;
* a webhook trigger's outputs are its notification payload, not its registration response;
* dynamic extensions appearing or vanishing are reported at their own levels;
* discriminator subtypes' properties are compared like the base's own;
* release notes and changelogs do not announce helpers as actions, nor ask flow owners to act.
"""

from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from connver import diff, load_connector
from connver.changes import Level
from connver.cli.main import cli
from history_repo import build_history

BASE = json.loads((FIXTURES / "rules/dynamic-reference-broken/old/apiDefinition.swagger.json").read_text())


def _write(folder, doc):
    folder.mkdir(parents=True)
    (folder / "apiDefinition.swagger.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return folder


def run(tmp_path, change_old, change_new):
    old, new = copy.deepcopy(BASE), copy.deepcopy(BASE)
    change_old(old)
    change_new(new)
    return diff(load_connector(_write(tmp_path / "old", old)), load_connector(_write(tmp_path / "new", new)))


def found(result):
    return sorted((c.rule, c.level.value, c.location) for c in result.changes)


def same(doc):
    pass


def helper(doc):
    return doc["paths"]["/projects"]["get"]


def items(doc):
    return helper(doc)["responses"]["200"]["schema"]["items"]["properties"]


def project(doc):
    return doc["paths"]["/tasks"]["get"]["parameters"][0]


def task(doc):
    return doc["definitions"]["Task"]["properties"]


# --- class 1: internal helpers ----------------------------------------------------------------

def test_a_helper_output_no_call_reads_is_risky_and_names_its_callers(tmp_path):
    result = run(tmp_path, lambda d: items(d).update(owner={"type": "string"}), same)
    assert found(result) == [("internal-output-changed", "risky",
                              "operation/ListProjects/responses/200/schema/items/owner")]
    message = result.changes[0].message
    assert "internal helper" in message and "operation/ListTasks/parameter/project/x-ms-dynamic-values" in message


def test_a_helper_output_retyped_where_no_call_reads_it_is_not_breaking(tmp_path):
    def sized(kind):
        return lambda d: items(d).update(size={"type": kind})
    result = run(tmp_path, sized("integer"), sized("string"))
    assert [(c.rule, c.level) for c in result.changes] == [("internal-output-changed", Level.RISKY)]
    assert "type changed from integer to string" in result.changes[0].message


def test_a_path_a_dropdown_reads_that_vanishes_breaks_at_the_calling_parameter(tmp_path):
    result = run(tmp_path, same, lambda d: items(d).update(key=items(d).pop("name")))
    broken = [c for c in result.changes if c.rule == "dynamic-reference-path-broken"]
    assert [(c.level, c.location, c.operation) for c in broken] == [
        (Level.BREAKING, "operation/ListTasks/parameter/project/x-ms-dynamic-values", "ListTasks")]
    assert broken[0].detail["key"] == "value-title" and "ListProjects" in broken[0].message
    # at the helper itself the removal is no break: nobody reads it as dynamic content
    assert {c.level for c in result.changes if c.operation == "ListProjects"} <= {Level.RISKY, Level.ADDITIVE}


def test_a_path_a_dropdown_reads_that_changes_type_breaks_at_the_caller(tmp_path):
    result = run(tmp_path, same, lambda d: items(d)["id"].update(type="integer"))
    broken = [c for c in result.changes if c.rule == "dynamic-reference-path-broken"]
    assert len(broken) == 1 and "type changed from string to integer" in broken[0].message


def test_dynamic_list_item_paths_below_items_path_are_read(tmp_path):
    def listing(doc):
        del project(doc)["x-ms-dynamic-values"]
        project(doc)["x-ms-dynamic-list"] = {"operationId": "ListProjects", "itemsPath": "value",
                                             "itemValuePath": "id", "itemTitlePath": "name"}
        helper(doc)["responses"]["200"]["schema"] = {"type": "object", "properties": {"value": {
            "type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "string"}, "name": {"type": "string"}}}}}}

    def renamed(doc):
        listing(doc)
        props = helper(doc)["responses"]["200"]["schema"]["properties"]["value"]["items"]["properties"]
        props["title"] = props.pop("name")

    result = run(tmp_path, listing, renamed)
    broken = [c for c in result.changes if c.rule == "dynamic-reference-path-broken"]
    assert [(c.detail["key"], c.detail["path"]) for c in broken] == [("itemTitlePath", "value/name")]
    assert run(tmp_path / "near", listing, listing).changes == []


def test_a_dynamic_schema_value_path_that_vanishes_breaks_the_dynamic_fields(tmp_path):
    def dynamic(doc):
        task(doc)["extra"] = {"type": "object", "x-ms-dynamic-schema": {
            "operationId": "ListProjects", "value-path": "schema"}}
        helper(doc)["responses"]["200"]["schema"] = {"type": "object", "properties": {"schema": {"type": "object"}}}

    def moved(doc):
        dynamic(doc)
        helper(doc)["responses"]["200"]["schema"]["properties"] = {"definition": {"type": "object"}}

    result = run(tmp_path, dynamic, moved)
    assert [c.detail["key"] for c in result.changes if c.rule == "dynamic-reference-path-broken"] == ["value-path"]


def test_a_helper_that_declares_no_outputs_is_not_judged_by_paths(tmp_path):
    def free(doc):
        helper(doc)["responses"]["200"]["schema"] = {"type": "array", "items": {"type": "object"}}
    result = run(tmp_path, free, lambda d: (free(d), helper(d).update(summary="Projects")))
    assert [c.rule for c in result.changes] == ["operation-summary-changed"]


def test_an_output_field_marked_internal_is_not_dynamic_content(tmp_path):
    def marked(doc):
        task(doc)["etag"] = {"type": "string", "x-ms-visibility": "internal"}
    result = run(tmp_path, marked, same)
    assert [(c.rule, c.level, c.detail["owner"]) for c in result.changes] == [
        ("internal-output-changed", Level.RISKY, "a field marked internal")]
    # the same field, visible, is a breaking removal
    visible = run(tmp_path / "visible", lambda d: task(d).update(etag={"type": "string"}), same)
    assert [(c.rule, c.level) for c in visible.changes] == [("response-property-removed", Level.BREAKING)]


def test_an_action_that_becomes_visible_keeps_the_output_rules(tmp_path):
    result = run(tmp_path, same, lambda d: (helper(d).pop("x-ms-visibility"), items(d).pop("name")))
    assert "response-property-removed" not in {c.rule for c in result.changes}  # it was a helper before
    assert "operation-visibility-changed" in {c.rule for c in result.changes}


def test_a_helper_parameter_newly_required_breaks_at_the_caller_only_when_the_call_does_not_fill_it(tmp_path):
    def required(doc):
        helper(doc)["parameters"] = [{"name": "site", "in": "query", "type": "string", "required": True}]

    def filled(doc):
        required(doc)
        project(doc)["x-ms-dynamic-values"]["parameters"] = {"site": "contoso"}

    unfilled = run(tmp_path / "a", same, required)
    assert sorted((c.rule, c.level.value, c.operation) for c in unfilled.changes) == [
        ("dynamic-reference-broken", "breaking", "ListTasks"), ("internal-input-changed", "risky", "ListProjects")]
    helper_side = [c for c in unfilled.changes if c.rule == "internal-input-changed"][0]
    assert helper_side.detail["was"] == "parameter-added-required" and "site" in helper_side.message
    assert {c.level for c in run(tmp_path / "b", filled, filled).changes} == set()
    assert sorted(c.rule for c in run(tmp_path / "c", same, filled).changes) == [
        "dynamic-reference-changed", "internal-input-changed"]


def test_the_explain_command_documents_the_new_rules():
    runner = CliRunner()
    for rule_id in ("internal-output-changed", "internal-response-changed", "internal-route-changed",
                    "internal-input-changed", "internal-body-field-changed",
                    "dynamic-reference-path-broken",
                    "webhook-response-changed", "dynamic-values-added", "dynamic-values-removed",
                    "dynamic-output-schema-removed", "dynamic-input-schema-removed", "dynamic-schema-added"):
        out = runner.invoke(cli, ["explain", rule_id])
        assert out.exit_code == 0 and rule_id in out.output and "Why it matters" in out.output, rule_id


# --- class 2: webhook triggers -----------------------------------------------------------------

def _hook(registration, payload):
    def apply(doc):
        doc["paths"]["/hooks"] = {
            "x-ms-notification-content": {"schema": {"type": "object", "properties": payload}},
            "post": {"operationId": "OnTask", "x-ms-trigger": "batch", "parameters": [
                {"name": "body", "in": "body", "schema": {"type": "object", "properties": {
                    "callback": {"type": "string", "x-ms-notification-url": True, "x-ms-visibility": "internal"}}}}],
                "responses": {"201": {"description": "Created", "schema": {"type": "object",
                                                                           "properties": registration}}}}}
    return apply


def test_a_webhook_registration_response_is_not_an_output(tmp_path):
    payload = {"id": {"type": "string"}}
    result = run(tmp_path, _hook({"id": {"type": "string"}}, payload), _hook({"id": {"type": "integer"}}, payload))
    assert found(result) == [("webhook-response-changed", "cosmetic", "operation/OnTask/responses/201")]


def test_a_webhook_payload_is_judged_as_outputs(tmp_path):
    registration = {"id": {"type": "string"}}
    result = run(tmp_path, _hook(registration, {"id": {"type": "string"}}),
                 _hook(registration, {"id": {"type": "integer"}}))
    assert found(result) == [("response-property-type-changed", "breaking",
                              "operation/OnTask/x-ms-notification-content/schema/id/type")]


def test_a_polling_trigger_response_stays_an_output(tmp_path):
    def polling(kind):
        def apply(doc):
            doc["paths"]["/tasks"]["get"]["x-ms-trigger"] = "batch"
            task(doc)["done"]["type"] = kind
        return apply
    assert [c.rule for c in run(tmp_path, polling("boolean"), polling("string")).changes] == [
        "response-property-type-changed"]


# --- class 3: dynamic extensions appearing or vanishing ---------------------------------------------

def test_a_dropdown_removed_is_risky_and_added_is_additive(tmp_path):
    removed = run(tmp_path / "a", same, lambda d: project(d).pop("x-ms-dynamic-values"))
    added = run(tmp_path / "b", lambda d: project(d).pop("x-ms-dynamic-values"), same)
    assert found(removed) == [("dynamic-values-removed", "risky",
                               "operation/ListTasks/parameter/project/x-ms-dynamic-values")]
    assert found(added) == [("dynamic-values-added", "additive",
                             "operation/ListTasks/parameter/project/x-ms-dynamic-values")]
    assert removed.changes[0].side == "old" and added.changes[0].side == "new"


def test_a_removed_parameter_does_not_also_report_its_dropdown(tmp_path):
    result = run(tmp_path, same, lambda d: d["paths"]["/tasks"]["get"].update(parameters=[]))
    assert [c.rule for c in result.changes] == ["parameter-removed"]


def test_a_new_field_with_a_dropdown_is_a_new_field_not_an_added_dropdown(tmp_path):
    def body(doc):
        doc["paths"]["/tasks"]["post"] = {"operationId": "AddTask", "parameters": [
            {"name": "body", "in": "body", "schema": {"$ref": "#/definitions/NewTask"}}],
            "responses": {"200": {"description": "OK"}}}
        doc["definitions"]["NewTask"] = {"type": "object", "properties": {"title": {"type": "string"}}}

    def with_project(doc):
        body(doc)
        doc["definitions"]["NewTask"]["properties"]["project"] = {
            "type": "string", "x-ms-dynamic-values": {"operationId": "ListProjects", "value-path": "id"}}

    assert [c.rule for c in run(tmp_path, body, with_project).changes] == ["request-property-added-optional"]


def _rows(response, body):
    def apply(doc):
        doc["paths"]["/rows"] = {"post": {"operationId": "AddRow", "parameters": [
            {"name": "row", "in": "body", "schema": copy.deepcopy(body)}],
            "responses": {"200": {"description": "OK", "schema": copy.deepcopy(response)}}}}
        helper(doc)["responses"]["200"]["schema"] = {"type": "object", "properties": {"schema": {"type": "object"}}}
    return apply


DYNAMIC = {"type": "object", "x-ms-dynamic-schema": {"operationId": "ListProjects", "value-path": "schema"}}
STATIC = {"type": "object", "properties": {"id": {"type": "string"}}}


def test_dynamic_outputs_replaced_by_a_static_schema_break(tmp_path):
    result = run(tmp_path, _rows(DYNAMIC, STATIC), _rows(STATIC, STATIC))
    assert ("dynamic-output-schema-removed", "breaking",
            "operation/AddRow/responses/200/schema/x-ms-dynamic-schema") in found(result)


def test_dynamic_inputs_replaced_by_a_static_schema_are_risky(tmp_path):
    result = run(tmp_path, _rows(STATIC, DYNAMIC), _rows(STATIC, STATIC))
    assert [(c.rule, c.level) for c in result.changes if c.rule.startswith("dynamic-")] == [
        ("dynamic-input-schema-removed", Level.RISKY)]


def test_a_static_schema_that_becomes_dynamic_is_risky_and_its_placeholders_are_not_removed_fields(tmp_path):
    result = run(tmp_path, _rows(STATIC, STATIC), _rows(STATIC, DYNAMIC))
    assert found(result) == [
        ("dynamic-schema-added", "risky", "operation/AddRow/parameter/row/schema/x-ms-dynamic-schema")]


# --- class 8: discriminator subtypes ---------------------------------------------------------------

def test_discriminator_subtypes_are_compared_like_the_base_properties():
    result = diff(load_connector(FIXTURES / "discriminator/old"), load_connector(FIXTURES / "discriminator/new"))
    assert found(result) == [
        ("request-property-added-optional", "additive", "operation/AddPet/parameter/pet/schema/wingspan"),
        ("request-property-removed", "breaking", "operation/AddPet/parameter/pet/schema/packSize"),
        ("request-property-type-changed", "breaking", "operation/AddPet/parameter/pet/schema/huntingSkill/type"),
        ("response-property-added", "additive", "operation/GetPet/responses/200/schema/wingspan"),
        ("response-property-removed", "breaking", "operation/GetPet/responses/200/schema/packSize"),
        ("response-property-type-changed", "breaking", "operation/GetPet/responses/200/schema/huntingSkill/type"),
    ]


def test_an_all_of_without_a_discriminator_adds_nothing_to_its_base(tmp_path):
    def extended(kind):
        def apply(doc):
            doc["definitions"]["Special"] = {"allOf": [{"$ref": "#/definitions/Task"}, {
                "type": "object", "properties": {"priority": {"type": kind}}}]}
        return apply
    # Special is used by nothing: no typed finding; the residual pass still tells the difference
    changes = run(tmp_path, extended("integer"), extended("string")).changes
    assert [(c.rule, c.pointer) for c in changes] == [
        ("unclassified-change", ("definitions", "Special", "allOf", 1, "properties", "priority", "type"))]


# --- class 9: release notes and changelogs -----------------------------------------------------------

def _notes(tmp_path, change_old, change_new, *args):
    old, new = copy.deepcopy(BASE), copy.deepcopy(BASE)
    change_old(old)
    change_new(new)
    out = CliRunner().invoke(cli, ["notes", str(_write(tmp_path / "old", old)), str(_write(tmp_path / "new", new)),
                                   "--date", "2026-12-03", *args], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    return out.output


def _without_helper(doc):
    del doc["paths"]["/projects"]
    del project(doc)["x-ms-dynamic-values"]


def test_a_new_helper_is_not_announced_as_a_new_action(tmp_path):
    data = json.loads(_notes(tmp_path, _without_helper, same, "-f", "json"))
    entries = {e["operation"]: (s["name"], e["kind"]) for s in data["sections"] for e in s["entries"]}
    assert entries["ListProjects"] == ("Changed", "internal helper")
    added = [e["operation"] for s in data["sections"] if s["name"] == "Added" for e in s["entries"]]
    assert "ListProjects" not in added


def test_a_helper_change_is_not_something_flow_owners_must_do(tmp_path):
    def required_parameter(doc):
        helper(doc)["parameters"] = [{"name": "site", "in": "query", "type": "string", "required": True}]
    markdown = _notes(tmp_path / "md", same, required_parameter, "--pr")
    table = markdown.split("## Breaking changes")[1].split("## Other changes")[0]
    rows = table.split("To change an operation")[0]
    assert "(`ListTasks`, action)" in rows and "(`ListProjects`, internal helper)" not in rows
    data = json.loads(_notes(tmp_path / "json", same, required_parameter, "-f", "json"))
    own = [e for s in data["sections"] for e in s["entries"] if e["operation"] == "ListProjects"]
    assert own and all(e["section"] == "Changed" and e["todo"] is None for e in own)
    consumer = [e for s in data["sections"] for e in s["entries"] if e["rule"] == "dynamic-reference-broken"]
    assert consumer[0]["section"] == "Breaking changes" and "site" in consumer[0]["todo"]


def test_the_changelog_counts_helpers_apart_from_actions(tmp_path):
    first, second = tmp_path / "v1", tmp_path / "v2"
    doc = copy.deepcopy(BASE)
    _write(first, doc)
    doc = copy.deepcopy(doc)
    doc["info"]["version"] = "1.1"
    items(doc)["owner"] = {"type": "string"}
    _write(second, doc)
    repo = tmp_path / "repo"
    build_history(repo, "certified-connectors/Contoso Tasks", [
        (first, "2024-01-15T10:00:00+00:00", "Contoso Tasks (#1)"),
        (second, "2024-02-15T10:00:00+00:00", "Contoso Tasks: owners (#2)")])
    out = CliRunner().invoke(cli, ["changelog", "--repo", str(repo), "--path", "certified-connectors/Contoso Tasks"],
                             catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert "First version in this history: 1 action and 0 triggers, with 1 internal helper" in out.output
    newest = out.output.split("## [1.1]")[1].split("## [1.0]")[0]
    assert "### Added" not in newest and "(`ListProjects`, internal helper)" in newest

