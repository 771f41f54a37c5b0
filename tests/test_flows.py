"""Flow usage extraction: solution zips, legacy package zips, Logic Apps JSON, and `connver usage`."""

from __future__ import annotations

import json
import zipfile

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from flowkit import API_ID, FLOWS, INVOICES, logic_app_json, package_zip, solution_zip
from connver import load_connector
from connver.errors import InputError
from connver.flows import OutputRead, ReadKind, StepType, api_matches, extract_flows, read_flows
from connver.impact import bind_steps


def steps_of(flow_set, flow_name):
    flow = next(f for f in flow_set.flows if f.name == flow_name)
    return {s.step: s for s in flow.steps}


def test_solution_zip_steps_at_any_depth(tmp_path):
    flows = read_flows([solution_zip(tmp_path)])
    assert [f.name for f in flows.flows] == ["Invoice sync"]  # the name comes from customizations.xml
    assert flows.flows[0].source.endswith("!Workflows/Invoicesync-4F1E2D3C-5B6A-4978-8C9D-0E1F2A3B4C5D.json")
    steps = steps_of(flows, "Invoice sync")
    # Get_invoice sits in If > Foreach; Create_credit_note in If.else > Scope
    assert list(steps) == ["List_invoices", "Get_invoice", "Send_reminder", "Create_credit_note"]
    assert steps["Get_invoice"].operation_id == "GetInvoice"
    assert steps["Get_invoice"].step_type is StepType.OPENAPI
    assert steps["Get_invoice"].api == API_ID
    assert steps["Get_invoice"].parameters == ("invoiceId",)
    assert steps["Create_credit_note"].parameters == ("body/amount", "body/customerId", "body/note")
    assert steps["Send_reminder"].api.endswith("shared_office365")


def test_output_reads_through_body_outputs_and_loops(tmp_path):
    steps = steps_of(read_flows([solution_zip(tmp_path)]), "Invoice sync")
    assert [r.path for r in steps["Get_invoice"].reads] == ["currency", "customer/email", "number", "total"]
    # items('Apply_to_each') over outputs('List_invoices')?['body/value'] reads value/items/...
    assert steps["List_invoices"].reads == (
        OutputRead("value", ReadKind.ITERATE),
        OutputRead("value/items/dueDate"),
        OutputRead("value/items/id"),
        OutputRead("value/items/number"),
        OutputRead("value/items/total"),
    )
    assert steps["Create_credit_note"].reads == ()


def test_legacy_package_trigger_split_on_and_switch(tmp_path):
    flows = read_flows([package_zip(tmp_path)])
    assert [f.name for f in flows.flows] == ["Invoice alert"]
    steps = steps_of(flows, "Invoice alert")
    assert list(steps) == ["When_invoices_are_created", "Delete_draft", "Get_invoice_details"]
    trigger = steps["When_invoices_are_created"]
    assert trigger.trigger and trigger.operation_id == "OnNewInvoices"
    # splitOn @triggerOutputs()?['body/value']: triggerBody() is one element of value
    assert [r.path for r in trigger.reads] == [
        "value", "value/items/currency", "value/items/customer/name", "value/items/id", "value/items/number"]
    # no apiId on the host: the api comes from the connection reference
    assert steps["Get_invoice_details"].api == API_ID
    assert steps["Get_invoice_details"].parameters == ("invoiceId", "tenant")
    assert steps["Delete_draft"].operation_id == "DeleteInvoice"  # Switch default > Until


def test_logic_apps_step_binds_by_method_and_path():
    flows = read_flows([logic_app_json()])
    step = flows.flows[0].steps[0]
    assert (step.step_type, step.method, step.operation_id) == (StepType.API, "get", None)
    assert step.path == "/invoices/@{encodeURIComponent(triggerBody()?['invoiceId'])}"
    assert step.api.endswith("/customApis/contoso-20invoices-5f7d2c0e4b1a9f3e8d")
    assert [r.path for r in step.reads] == ["number", "total"]
    fork = load_connector(str(INVOICES / "fork"))
    bound, notes = bind_steps(flows, fork, [fork.connector_id])
    assert notes == []
    assert [(b.step, b.operation, sorted(b.keys)) for b in bound] == [("Get_invoice", "GetInvoice", ["invoiceId"])]


def test_unpacked_exports_and_folders_are_walked():
    flows = read_flows([FLOWS])
    assert sorted(f.name for f in flows.flows) == ["Invoice alert", "Invoice sync", "logicapp-invoice-lookup"]
    assert flows.warnings == ()


def test_api_matching_ignores_prefix_and_case():
    assert api_matches(API_ID, "shared_contoso-20invoices-5f7d2c0e4b1a9f3e8d")
    assert api_matches("contoso-20INVOICES-5f7d2c0e4b1a9f3e8d", API_ID)
    assert not api_matches(API_ID, "shared_office365")


def test_expression_forms():
    definition = {
        "triggers": {"manual": {"type": "Request"}},
        "actions": {
            "Get_x": {"type": "OpenApiConnection",
                      "inputs": {"host": {"apiId": "/apis/shared_x", "operationId": "GetX"},
                                 "parameters": {"item": {"name": "a", "address": {"zip": "1"}}}}},
            "Select": {"type": "Select", "inputs": {"from": "@body('Get_x')?['rows']",
                                                     "select": {"n": "@item()?['name']"}}},
            "Use": {"type": "Compose", "inputs": [
                "@first(body('Get_x')?['rows'])?['id']",
                "@body('get_x')?['rows']?[0]?['code']",
                "@outputs('Get_x')?['headers']?['etag']",
                "@outputs('Get_x')?['body']?['meta']?['count']",
                "@body('Get_x').total",
            ]},
        },
    }
    flows = extract_flows({"properties": {"definition": definition, "displayName": "Forms"}}, name="f", source="f.json")
    step = flows[0].steps[0]
    assert flows[0].name == "Forms"
    assert step.parameters == ("item", "item/address", "item/address/zip", "item/name")
    assert [(r.path, r.kind.value) for r in step.reads] == [
        ("meta/count", "field"),
        ("rows", "iterate"),
        ("rows/items/code", "field"),
        ("rows/items/id", "field"),
        ("rows/items/name", "field"),
        ("total", "field"),
    ]


def test_read_flows_errors_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        read_flows([tmp_path / "missing"])
    bad = tmp_path / "broken.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match="not a readable zip file"):
        read_flows([bad])
    empty = tmp_path / "other.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(InputError, match="neither a solution"):
        read_flows([empty])
    not_flow = tmp_path / "settings.json"
    not_flow.write_text('{"connectorId": "x"}')
    with pytest.raises(InputError, match="not a flow definition"):
        read_flows([not_flow])


# --------------------------------------------------------------------------- connver usage


def test_usage_cli_text(tmp_path):
    result = CliRunner().invoke(cli, ["usage", str(solution_zip(tmp_path)), "--api-name", "shared_contoso-20invoices-5f7d2c0e4b1a9f3e8d"])
    assert result.exit_code == 0, result.output
    assert "flow 'Invoice sync'" in result.output
    assert "  Get_invoice: GetInvoice  [action, OpenApiConnection, shared_contoso-20invoices-5f7d2c0e4b1a9f3e8d]" in result.output
    assert "      reads: currency, customer/email, number, total" in result.output
    assert "Send_reminder" not in result.output  # another connector, filtered out


def test_usage_cli_json_binds_logic_apps_steps_with_connector(tmp_path):
    result = CliRunner().invoke(cli, ["usage", str(logic_app_json()), str(package_zip(tmp_path)),
                                      "--definition", str(INVOICES / "fork"), "--format", "json"])
    assert result.exit_code == 0, result.output
    old_spelling = CliRunner().invoke(cli, ["usage", str(logic_app_json()), str(package_zip(tmp_path)),
                                            "--connector", str(INVOICES / "fork"), "--format", "json"])
    assert old_spelling.exit_code == 0 and old_spelling.output == result.output  # kept for one release
    data = json.loads(result.output)
    bound = {(f["name"], s["step"]): s["bound_operation"] for f in data["flows"] for s in f["steps"]}
    assert bound == {
        ("logicapp-invoice-lookup", "Get_invoice"): "GetInvoice",
        ("Invoice alert", "When_invoices_are_created"): "OnNewInvoices",
        ("Invoice alert", "Delete_draft"): "DeleteInvoice",
        ("Invoice alert", "Get_invoice_details"): "GetInvoice",
    }


@pytest.mark.parametrize("content, message", [
    (b"{ not json", "broken.json:1:3"),
    (b"PK\x03\x04garbage", "not a readable zip file"),
])
def test_usage_cli_bad_input_exits_2_without_traceback(tmp_path, content, message):
    path = tmp_path / ("broken.zip" if content.startswith(b"PK") else "broken.json")
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["usage", str(path)])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_usage_cli_missing_folder_exits_2(tmp_path):
    result = CliRunner().invoke(cli, ["usage", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


def test_usage_cli_markdown(tmp_path):
    result = CliRunner().invoke(cli, ["usage", str(package_zip(tmp_path)), "--format", "markdown"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Flow usage\n\n## Invoice alert\n")
    assert ("| `Get_invoice_details` | `GetInvoice` | `shared_contoso-20invoices-5f7d2c0e4b1a9f3e8d` "
            "| `invoiceId`, `tenant` | `total` |") in result.output
