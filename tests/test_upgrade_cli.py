"""`connver upgrade-check` and `connver upgrade` on the invoice fixtures, through the real CLI.

The fixtures: BASE is Contoso Invoices 1.0. The FORK moved the host, removed stackOwner,
added GetInvoicePdf, added the enum value "overdue" (as upstream did) and changed the default
of GetInvoice's `tenant`. UPSTREAM 2.0 made `tenant` required with another default (a
conflict with the fork's default), dropped ListInvoices' `value/items/dueDate` (read by the
"Invoice sync" flow), added a required `region` to GetCustomer (no flow calls it), and added
ArchiveInvoice.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import faults
from connver.cli.main import cli
from flowkit import INVOICES, logic_app_json, package_zip, solution_zip
from connver import load_connector

FORK, UPSTREAM, BASE = (str(INVOICES / name) for name in ("fork", "upstream", "base"))


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def check_json(*args: str) -> tuple[int, dict]:
    result = run("upgrade-check", *args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def disjoint_fork(tmp_path: Path) -> Path:
    """The fork without its edit of tenant's default: its edits and upstream's are disjoint."""
    fork = tmp_path / "fork-disjoint"
    shutil.copytree(FORK, fork)
    swagger = fork / "apiDefinition.swagger.json"
    text = swagger.read_bytes()
    assert text.count(b'"default": "fabrikam"') == 1
    swagger.write_bytes(text.replace(b'"default": "fabrikam"', b'"default": "contoso"'))
    return fork


# --------------------------------------------------------------------------- upgrade-check


def test_report_parts_with_flows(tmp_path):
    code, data = check_json(FORK, "--upstream", UPSTREAM, "--base", BASE,
                            "--flows", str(solution_zip(tmp_path)), "--flows", str(package_zip(tmp_path)),
                            "--flows", str(logic_app_json()))
    assert code == 1
    assert data["verdict"] == "breaks-used-and-conflicts"
    assert data["base"]["detected"] is False
    # 1. upstream changes, with what becomes of each
    assert [(c["rule"], c["location"], c["status"]) for c in data["upstream_changes"]] == [
        ("parameter-added-required", "operation/GetCustomer/parameter/region", "applies"),
        ("parameter-became-required", "operation/GetInvoice/parameter/tenant/required", "applies"),
        ("response-property-removed", "operation/ListInvoices/responses/200/schema/value/items/dueDate", "applies"),
        ("parameter-default-changed", "operation/GetInvoice/parameter/tenant/default", "conflict"),
        ("operation-added", "operation/ArchiveInvoice", "applies"),
        ("parameter-enum-values-added", "operation/ListInvoices/parameter/status/enum", "in-fork"),
        ("connector-metadata-changed", "iconBrandColor", "applies"),
        ("description-changed", "info/description", "applies"),
        ("operation-summary-changed", "operation/DeleteInvoice/summary", "applies"),
    ]
    # 2. the fork's own edits
    assert sorted((c["rule"], c["location"]) for c in data["local_changes"]) == [
        ("connector-metadata-changed", "stackOwner"),
        ("host-changed", "host"),
        ("operation-added", "operation/GetInvoicePdf"),
        ("parameter-default-changed", "operation/GetInvoice/parameter/tenant/default"),
        ("parameter-enum-values-added", "operation/ListInvoices/parameter/status/enum"),
    ]
    # 3. the conflict on the same parameter
    assert data["conflicts"] == [{
        "file": "apiDefinition.swagger.json", "location": "operation/GetInvoice/parameter/tenant/default",
        "kind": "both-changed", "base": "contoso", "fork": "fabrikam", "upstream": "global", "kept": "fork",
        "pointer": "/paths/~1invoices~1{invoiceId}/get/parameters/1/default", "side": "fork",
    }]
    # 4. impact: the steps hit, and the breaking change no flow uses
    hits = {(c["rule"], h["flow"], h["step"], h["reason"], h["subject"])
            for c in data["impact"]["affecting"] for h in c["hits"]}
    assert hits == {
        ("parameter-became-required", "Invoice sync", "Get_invoice", "omits", "tenant"),
        ("parameter-became-required", "logicapp-invoice-lookup", "Get_invoice", "omits", "tenant"),
        ("response-property-removed", "Invoice sync", "List_invoices", "reads", "value/items/dueDate"),
    }
    assert [c["location"] for c in data["impact"]["unused"]] == ["operation/GetCustomer/parameter/region"]
    assert data["impact"]["flows"] == ["Invoice sync", "Invoice alert", "logicapp-invoice-lookup"]


def test_text_report_names_flow_and_step(tmp_path):
    result = run("upgrade-check", FORK, "--upstream", UPSTREAM, "--base", BASE, "--flows", str(solution_zip(tmp_path)))
    assert result.exit_code == 1
    out = result.output
    assert ("  flow 'Invoice sync', step 'Get_invoice': parameter tenant of GetInvoice became required "
            "(the step does not send tenant)") in out
    assert ("  flow 'Invoice sync', step 'List_invoices': output field value/items/dueDate of ListInvoices "
            "was removed (the flow reads value/items/dueDate)") in out
    assert "  not used by any flow:\n    required parameter region was added to GetCustomer" in out
    assert ('operation/GetInvoice/parameter/tenant/default (apiDefinition.swagger.json): base "contoso", '
            'yours "fabrikam", upstream "global"') in out
    assert out.rstrip().endswith(
        "Verdict: not safe to update: 2 breaking changes hit what your flows use; 1 conflict with your edits")


def test_markdown_report(tmp_path):
    result = run("upgrade-check", FORK, "--upstream", UPSTREAM, "--base", BASE,
                 "--flows", str(solution_zip(tmp_path)), "--format", "markdown")
    assert result.exit_code == 1
    assert result.stdout.startswith("# Upgrade check\n")
    # the fork's tolerated defect is said once, on stderr (it was not said at all)
    assert result.stderr.startswith(f"connver: warning: {FORK}/apiProperties.json:1:1: UTF-8 byte order mark")
    assert "## 3. Conflicts (1)" in result.output
    assert "| `operation/GetInvoice/parameter/tenant/default` | \"contoso\" | \"fabrikam\" | \"global\" | fork |" in result.output
    assert "- flow **Invoice sync**, step `List_invoices`: output field value/items/dueDate" in result.output
    # the header is Markdown (no text-format `[Title 1.0]  (given)`), and says things once
    assert f"- **Base:** `{BASE}` (Contoso Invoices 1.0), given\n" in result.output
    assert "- **Updating brings:** 7 changes (3 breaking)\n" in result.output
    assert "[Contoso Invoices" not in result.output and "Updating brings 7" not in result.output
    # every change is located, as in `connver diff`
    assert "| Level | Change | Location | Rule | Status |" in result.output
    assert ("| breaking | parameter tenant of GetInvoice became required | "
            "`operation/GetInvoice/parameter/tenant/required` | `parameter-became-required` | applies |") in result.output
    assert "| Level | Change | Location | Rule |\n" in result.output.split("## 2. Your edits")[1]


def test_markdown_report_names_a_detected_base(tmp_path):
    from history_repo import build_history

    repo = tmp_path / "upstream"
    shas = build_history(repo, "certified/Contoso", [(INVOICES / "base", "2024-01-01T10:00:00+00:00", "1.0"),
                                                     (INVOICES / "upstream", "2024-03-01T10:00:00+00:00", "2.0")])
    result = run("upgrade-check", FORK, "--upstream", UPSTREAM, "--upstream-repo", str(repo),
                 "--path", "certified/Contoso", "--format", "markdown")
    assert result.exit_code == 1, result.output
    base = next(line for line in result.output.splitlines() if line.startswith("- **Base:**"))
    assert base.startswith(f"- **Base:** `{shas[0][:10]}:certified/Contoso` (Contoso Invoices 1.0), detected: ")
    assert f"; next best `{shas[1][:10]}:certified/Contoso` at " in base


def test_without_flows_every_breaking_change_affects():
    code, data = check_json(FORK, "--upstream", UPSTREAM, "--base", BASE)
    assert code == 1
    assert data["impact"]["flows_given"] is False
    assert len(data["impact"]["affecting"]) == 3 and data["impact"]["unused"] == []


def test_safe_when_breaking_changes_miss_the_flows_and_edits_are_disjoint(tmp_path):
    # "Invoice alert" sends tenant, never reads dueDate and never calls GetCustomer
    code, data = check_json(str(disjoint_fork(tmp_path)), "--upstream", UPSTREAM, "--base", BASE,
                            "--flows", str(package_zip(tmp_path)))
    assert (code, data["verdict"]) == (0, "safe")
    assert data["conflicts"] == [] and data["impact"]["affecting"] == []
    assert len(data["impact"]["unused"]) == 3


def test_conflict_alone_fails_the_check(tmp_path):
    code, data = check_json(FORK, "--upstream", UPSTREAM, "--base", BASE, "--flows", str(package_zip(tmp_path)))
    assert (code, data["verdict"]) == (1, "conflicts")


def test_api_name_that_no_flow_uses_is_noted(tmp_path):
    code, data = check_json(str(disjoint_fork(tmp_path)), "--upstream", UPSTREAM, "--base", BASE,
                            "--flows", str(solution_zip(tmp_path)), "--api-name", "shared_something-else")
    assert code == 0
    assert any("no flow step calls shared_something-else" in note for note in data["notes"])


def test_fork_without_connector_id_needs_api_name(tmp_path):
    fork = tmp_path / "fork"
    shutil.copytree(FORK, fork)
    (fork / "settings.json").unlink()
    result = run("upgrade-check", str(fork), "--upstream", UPSTREAM, "--base", BASE, "--flows", str(logic_app_json()))
    assert result.exit_code == 2
    assert "pass --api-name" in result.output
    ok = run("upgrade-check", str(fork), "--upstream", UPSTREAM, "--base", BASE, "--flows", str(logic_app_json()),
             "--api-name", "contoso-20invoices-5f7d2c0e4b1a9f3e8d")
    assert ok.exit_code == 1 and "step 'Get_invoice': parameter tenant" in ok.output


@pytest.mark.parametrize("args, message", [
    (["--base", BASE, "--flows", "nowhere/flows"], "nowhere/flows: no such file or folder"),
    (["--base", "no/such/base"], "no/such/base: no such file or folder"),
    ([], "no base version"),
    (["--upstream-repo", "."], "--upstream-repo needs --path"),
])
def test_bad_input_exits_2(args, message):
    result = run("upgrade-check", FORK, "--upstream", UPSTREAM, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_flow_that_is_not_json_exits_2(tmp_path):
    bad = tmp_path / "flow.json"
    bad.write_text("<html>exported the wrong thing</html>")
    result = run("upgrade-check", FORK, "--upstream", UPSTREAM, "--base", BASE, "--flows", str(bad))
    assert result.exit_code == 2 and "flow.json:1:1" in result.output


# --------------------------------------------------------------------------- upgrade


def test_upgrade_applies_keeps_and_reports_conflicts(tmp_path):
    out = tmp_path / "out"
    result = run("upgrade", FORK, "--upstream", UPSTREAM, "--base", BASE, "--output", str(out))
    assert result.exit_code == 1, result.output  # merged, with a conflict
    assert sorted(p.name for p in out.iterdir()) == [
        "apiDefinition.swagger.json", "apiProperties.json", "connver-conflicts.json", "settings.json"]

    merged = load_connector(str(out))
    # it loads as cleanly as the fork (whose apiProperties.json starts with a BOM, kept)
    assert [w.message for w in merged.warnings] == [w.message for w in load_connector(FORK).warnings]
    assert len(merged.warnings) == 1
    ops = merged.operations
    assert "ArchiveInvoice" in ops and "GetInvoicePdf" in ops                 # upstream's and the fork's
    tenant = ops["GetInvoice"].parameters[("query", "tenant")]
    assert (tenant.required, tenant.default) == (True, "fabrikam")           # applied + conflict kept
    assert merged.swagger["host"] == "invoices.fabrikam.com"                  # local edit kept
    assert "stackOwner" not in merged.properties                              # local removal kept
    assert merged.properties["iconBrandColor"] == "#0078D4"                  # upstream's cosmetic change
    assert merged.swagger["paths"]["/invoices"]["get"]["parameters"][0]["enum"] == ["open", "paid", "overdue"]
    assert "dueDate" not in json.dumps(ops["ListInvoices"].raw["responses"])

    conflicts = json.loads((out / "connver-conflicts.json").read_text())
    assert conflicts["prefer"] == "fork"
    assert [(c["location"], c["fork"], c["upstream"], c["kept"]) for c in conflicts["conflicts"]] == [
        ("operation/GetInvoice/parameter/tenant/default", "fabrikam", "global", "fork")]
    assert "Result: merged into" in result.output and "with 1 conflict (kept yours)" in result.output


def test_upgrade_keeps_the_forks_formatting(tmp_path):
    out = tmp_path / "out"
    run("upgrade", FORK, "--upstream", UPSTREAM, "--base", BASE, "--output", str(out))
    fork_swagger = (INVOICES / "fork" / "apiDefinition.swagger.json").read_bytes()
    new_swagger = (out / "apiDefinition.swagger.json").read_bytes()
    assert b"\r\n" in new_swagger and new_swagger.count(b"\n") == new_swagger.count(b"\r\n")  # CRLF only
    assert new_swagger.startswith(b'{\r\n    "swagger": "2.0",\r\n    "info": {\r\n        "title"')  # 4 spaces
    assert new_swagger.endswith(b"}\r\n")
    # a line diff shows only the merged changes: nothing else was re-indented or reordered
    diff = [line for line in difflib.unified_diff(fork_swagger.decode().split("\r\n"), new_swagger.decode().split("\r\n"),
                                                  lineterm="", n=0) if line[:1] in "+-" and line[:3] not in ("---", "+++")]
    removed = [line[1:].strip() for line in diff if line.startswith("-")]
    added = [line[1:].strip() for line in diff if line.startswith("+")]
    assert removed == [
        '"description": "Read and create invoices in Contoso Billing.",', '"version": "1.0",',
        "},", '"dueDate": {', '"type": "string",', '"format": "date",', '"x-ms-summary": "Due date"',
        '"required": false,',
        '"summary": "Delete an invoice",',
    ]
    assert added[:4] == ['"description": "Read, create and archive invoices in Contoso Billing.",', '"version": "2.0",',
                         '"required": true,', '"summary": "Delete a draft invoice",']
    assert '"operationId": "ArchiveInvoice",' in added and '"name": "region",' in added
    assert len(added) == 4 + 24 + 7
    props = (out / "apiProperties.json").read_bytes()
    assert props.startswith(b"\xef\xbb\xbf{\r\n    \"properties\"")  # BOM, CRLF, 4 spaces kept
    assert (out / "settings.json").read_bytes() == (INVOICES / "fork" / "settings.json").read_bytes()


def test_upgraded_copy_has_nothing_left_to_apply(tmp_path):
    out = tmp_path / "out"
    run("upgrade", FORK, "--upstream", UPSTREAM, "--base", BASE, "--output", str(out))
    code, data = check_json(str(out), "--upstream", UPSTREAM, "--base", BASE)
    assert data["incoming"] == []
    assert {c["status"] for c in data["upstream_changes"]} == {"in-fork", "conflict"}
    assert [c["location"] for c in data["conflicts"]] == ["operation/GetInvoice/parameter/tenant/default"]
    # once merged, upstream is the new base: nothing to report
    code, data = check_json(str(out), "--upstream", UPSTREAM, "--base", UPSTREAM)
    assert (code, data["upstream_changes"], data["conflicts"], data["incoming"]) == (0, [], [], [])


def test_clean_merge_of_disjoint_edits(tmp_path):
    out = tmp_path / "out"
    result = run("upgrade", str(disjoint_fork(tmp_path)), "--upstream", UPSTREAM, "--base", BASE, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert not (out / "connver-conflicts.json").exists()
    tenant = load_connector(str(out)).operations["GetInvoice"].parameters[("query", "tenant")]
    assert (tenant.required, tenant.default) == (True, "global")
    assert "Result: merged cleanly" in result.output


def test_prefer_upstream(tmp_path):
    out = tmp_path / "out"
    result = run("upgrade", FORK, "--upstream", UPSTREAM, "--base", BASE, "-o", str(out), "--prefer", "upstream")
    assert result.exit_code == 1
    tenant = load_connector(str(out)).operations["GetInvoice"].parameters[("query", "tenant")]
    assert tenant.default == "global"
    assert json.loads((out / "connver-conflicts.json").read_text())["conflicts"][0]["kept"] == "upstream"


def test_in_place_keeps_a_backup(tmp_path):
    fork = disjoint_fork(tmp_path)
    before = (fork / "apiDefinition.swagger.json").read_bytes()
    result = run("upgrade", str(fork), "--upstream", UPSTREAM, "--base", BASE, "--in-place", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["in_place"] is True and data["conflicts"] == []
    assert (fork / "apiDefinition.swagger.json.orig").read_bytes() == before
    assert (fork / "apiDefinition.swagger.json").read_bytes() != before
    assert not (fork / "settings.json.orig").exists()  # unchanged files are left alone
    assert {Path(p).name for p in data["written"]} == {"apiDefinition.swagger.json", "apiProperties.json"}


def test_in_place_writes_back_to_the_forks_own_file_names(tmp_path):
    # a fork made on Windows may call its script Script.csx: updating it in place rewrites
    # that file, and leaves no second script.csx beside it (which Linux would keep)
    base, upstream = tmp_path / "base", tmp_path / "upstream"
    shutil.copytree(BASE, base)
    shutil.copytree(UPSTREAM, upstream)
    fork = disjoint_fork(tmp_path)
    script = "public class Script : ScriptBase\n{\n    // retries: 1\n}\n"
    (base / "script.csx").write_text(script)
    (upstream / "script.csx").write_text(script.replace("retries: 1", "retries: 3"))
    (fork / "Script.csx").write_text(script + "// ours\n")
    result = run("upgrade", str(fork), "--upstream", str(upstream), "--base", str(base), "--in-place",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    assert {Path(p).name for p in json.loads(result.stdout)["written"]} >= {"Script.csx"}
    assert sorted(p.name for p in fork.glob("*.csx*")) == ["Script.csx", "Script.csx.orig"]
    assert (fork / "Script.csx").read_text() == script.replace("retries: 1", "retries: 3") + "// ours\n"
    assert (fork / "Script.csx.orig").read_text() == script + "// ours\n"


@pytest.mark.parametrize("extra, message", [
    ([], "give exactly one of --output DIR and --in-place"),
    (["--output", "OUT", "--in-place"], "give exactly one of --output DIR and --in-place"),
])
def test_upgrade_usage_errors(extra, message, tmp_path):
    args = [a.replace("OUT", str(tmp_path / "o")) for a in extra]
    result = run("upgrade", FORK, "--upstream", UPSTREAM, "--base", BASE, *args)
    assert result.exit_code == 2 and message in result.output


def test_upgrade_refuses_to_overwrite_a_connector(tmp_path):
    out = tmp_path / "out"
    shutil.copytree(BASE, out)
    result = run("upgrade", FORK, "--upstream", UPSTREAM, "--base", BASE, "-o", str(out))
    assert result.exit_code == 2 and "already holds a connector" in result.output
    assert run("upgrade", FORK, "--upstream", UPSTREAM, "--base", BASE, "-o", str(out), "--force").exit_code == 1


def test_upgrade_into_the_fork_itself_points_to_in_place_not_force(tmp_path, monkeypatch):
    fork = disjoint_fork(tmp_path)
    before = {p.name: p.read_bytes() for p in fork.iterdir()}
    monkeypatch.chdir(tmp_path)
    for output in (str(fork), "fork-disjoint/../fork-disjoint", "fork-disjoint/"):
        for force in ([], ["--force"]):  # --force would overwrite the fork with no backup
            result = run("upgrade", str(fork), "--upstream", UPSTREAM, "--base", BASE, "-o", output, *force)
            assert result.exit_code == 2, result.output
            assert "--output is FORK's own folder" in result.stderr
            assert "use --in-place instead" in result.stderr and "--force" not in result.stderr
            assert len(result.stderr.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in fork.iterdir()} == before


def test_upgrade_markdown_report(tmp_path):
    out = tmp_path / "out"
    result = run("upgrade", FORK, "--upstream", UPSTREAM, "--base", BASE, "-o", str(out), "--format", "markdown")
    assert result.exit_code == 1
    assert result.stdout.startswith("# Upgrade\n")
    assert f"- **Base:** `{BASE}` (Contoso Invoices 1.0), given\n" in result.output
    assert "## Applied from upstream (7)" in result.output
    assert "- **breaking** parameter tenant of GetInvoice became required (`parameter-became-required`)" in result.output
    assert f"- `{out / 'connver-conflicts.json'}`" in result.output


# --------------------------------------------------------------------------- writing safely


def _one_line(result, *needles: str) -> None:
    faults.one_line_error(result, *needles)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_in_place_is_all_or_nothing_when_a_later_file_cannot_be_written(tmp_path, monkeypatch):
    fork = disjoint_fork(tmp_path)
    before = _files(fork)
    failed = faults.fail_replace(monkeypatch, "apiProperties.json")  # written after the swagger
    result = run("upgrade", str(fork), "--upstream", UPSTREAM, "--base", BASE, "--in-place")
    _one_line(result, "apiProperties.json", "permission denied", "nothing was changed")
    assert failed
    assert _files(fork) == before  # the swagger was put back, no backup or temp file is left
    assert faults.hidden_leftovers(fork) == []


def test_in_place_on_a_full_disk_changes_nothing(tmp_path, monkeypatch):
    fork = disjoint_fork(tmp_path)
    before = _files(fork)
    faults.disk_full(monkeypatch, fork, after=1000)
    _one_line(run("upgrade", str(fork), "--upstream", UPSTREAM, "--base", BASE, "--in-place"), "no space left")
    assert _files(fork) == before and faults.hidden_leftovers(fork) == []


def test_in_place_refuses_read_only_and_hard_linked_files_before_writing(tmp_path):
    fork = disjoint_fork(tmp_path)
    before = _files(fork)
    (fork / "apiProperties.json").chmod(0o444)
    _one_line(run("upgrade", str(fork), "--upstream", UPSTREAM, "--base", BASE, "--in-place"),
              "apiProperties.json: is a read-only file")
    (fork / "apiProperties.json").chmod(0o644)
    os.link(fork / "apiProperties.json", tmp_path / "elsewhere.json")
    _one_line(run("upgrade", str(fork), "--upstream", UPSTREAM, "--base", BASE, "--in-place"), "has 2 hard links")
    assert _files(fork) == before


def test_in_place_follows_a_symlinked_file(tmp_path):
    fork = disjoint_fork(tmp_path)
    (fork / "kept").mkdir()
    shared = fork / "kept" / "shared-swagger.json"  # a link inside the folder is followed
    (fork / "apiDefinition.swagger.json").rename(shared)
    (fork / "apiDefinition.swagger.json").symlink_to(shared)
    before = shared.read_bytes()
    assert run("upgrade", str(fork), "--upstream", UPSTREAM, "--base", BASE, "--in-place").exit_code == 0
    assert (fork / "apiDefinition.swagger.json").is_symlink() and shared.read_bytes() != before
    assert (fork / "apiDefinition.swagger.json.orig").read_bytes() == before


@pytest.mark.parametrize("output, message", [
    ("/dev/null", "/dev/null exists and is not a folder"),
    ("{tmp}/a-file", "a-file' is a file"),
    ("{tmp}/a-file/out", "cannot create it: a part of the path is not a folder"),
    ("/proc/connver-out", "/proc/connver-out: cannot create it"),
])
def test_an_output_folder_that_cannot_be_made_is_one_line(tmp_path, output, message):
    if output.startswith("/") and not Path(output).parent.exists() or output == "/dev/null" and not Path(output).exists():
        pytest.skip(f"no {Path(output).parent} here")
    (tmp_path / "a-file").write_text("x")
    _one_line(run("upgrade", FORK, "--upstream", UPSTREAM, "--base", BASE, "--output", output.format(tmp=tmp_path)),
              message)


def test_an_output_folder_that_fails_midway_is_removed_again(tmp_path, monkeypatch):
    out = tmp_path / "new" / "out"
    faults.fail_replace(monkeypatch, "apiProperties.json")
    _one_line(run("upgrade", FORK, "--upstream", UPSTREAM, "--base", BASE, "--output", str(out)), "permission denied")
    assert not (tmp_path / "new").exists()


def test_output_files_get_the_usual_mode(tmp_path):
    out = tmp_path / "out"
    old = os.umask(0o027)
    try:
        assert run("upgrade", FORK, "--upstream", UPSTREAM, "--base", BASE, "--output", str(out)).exit_code == 1
    finally:
        os.umask(old)
    assert {p.name: p.stat().st_mode & 0o777 for p in out.iterdir()} == dict.fromkeys(
        ["apiDefinition.swagger.json", "apiProperties.json", "settings.json", "connver-conflicts.json"], 0o640)


def _utf16_fork(tmp_path: Path, codec: str) -> Path:
    fork = disjoint_fork(tmp_path)
    swagger = fork / "apiDefinition.swagger.json"
    text = swagger.read_bytes().decode("utf-8")
    assert "\r\n" in text
    swagger.write_bytes(text.encode(codec) if codec == "utf-16" else b"\xfe\xff" + text.encode(codec))
    return fork


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_a_utf16_file_stays_utf16_with_its_bom_line_endings_and_indent(tmp_path, codec):
    fork = _utf16_fork(tmp_path, codec)
    swagger = fork / "apiDefinition.swagger.json"
    original = swagger.read_bytes()
    out = tmp_path / "out"
    assert run("upgrade", str(fork), "--upstream", UPSTREAM, "--base", BASE, "-o", str(out)).exit_code == 0
    data = (out / "apiDefinition.swagger.json").read_bytes()
    assert data[:2] == original[:2]  # the same byte order mark
    text, before = data.decode("utf-16"), original.decode("utf-16")
    assert text.count("\n") == text.count("\r\n") and text.startswith('{\r\n    "swagger": "2.0"')
    assert '"version": "2.0"' in text and '"operationId": "ArchiveInvoice"' in text
    changed = [line for line in difflib.unified_diff(before.split("\r\n"), text.split("\r\n"), lineterm="", n=0)
               if line[:1] in "+-" and line[:3] not in ("---", "+++")]
    assert '-    "host": "invoices.fabrikam.example",' not in changed and len(changed) < 60
    assert load_connector(str(out)).operations["ArchiveInvoice"]


def test_a_windows_1252_file_keeps_its_bytes_and_new_text_is_escaped(tmp_path):
    fork = disjoint_fork(tmp_path)
    swagger = fork / "apiDefinition.swagger.json"
    data = swagger.read_bytes().replace(b'"title": "Contoso Invoices"', b'"title": "Contoso Invoices \xe9t\xe9"')
    swagger.write_bytes(data)
    out = tmp_path / "out"
    assert run("upgrade", str(fork), "--upstream", UPSTREAM, "--base", BASE, "-o", str(out)).exit_code == 0
    written = (out / "apiDefinition.swagger.json").read_bytes()
    assert b'"title": "Contoso Invoices \xe9t\xe9"' in written  # Windows-1252 bytes, not UTF-8
    assert all(byte < 0x80 for byte in written.replace(b"\xe9", b""))
    assert load_connector(str(out)).title == "Contoso Invoices été"
