"""The consistency check (``connver check``): every reference a connector makes names
something it defines."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver import check_consistency, load_connector
from connver.cli.main import cli
from connver.consistency import DanglingKind, check_source, introduced
from connver.sources import read_folder

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ROOT / "fixtures" / "consistency" / "clean"
DANGLING = ROOT / "fixtures" / "consistency" / "dangling"
SCHEMA = Path(__file__).resolve().parent / "schemas" / "sarif-schema-2.1.0.json"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def copy(tmp_path: Path, source: Path = CLEAN, name: str = "c") -> Path:
    dest = tmp_path / name
    shutil.copytree(source, dest)
    return dest


def edit(folder: Path, name: str, change) -> None:
    path = folder / name
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


def kinds(folder: Path) -> list[tuple[str, str]]:
    return [(d.kind.value, d.target) for d in check_source(read_folder(folder)).dangling]


def test_a_consistent_connector_has_no_dangling_reference():
    report = check_consistency(load_connector(str(CLEAN)))
    assert report.ok and report.exit_code == 0 and report.dangling == ()


def test_every_kind_of_dangling_reference_is_found_on_its_line():
    report = check_source(read_folder(DANGLING))
    assert sorted((d.kind.value, d.target) for d in report.dangling) == sorted([
        ("unknown-operation", "ListQueues"),  # x-ms-dynamic-values
        ("unknown-operation", "ListQueues"),  # x-ms-capabilities testConnection
        ("unknown-operation", "ListQueues"),  # the policy's operation list
        ("duplicate-operation-id", "ListTickets"),
        ("unresolved-ref", "#/definitions/Ticket"),
        ("unknown-connection-parameter", "region"),
        ("unknown-script-operation", "GetTicket"),
    ])
    lines = {name: (DANGLING / name).read_text(encoding="utf-8").split("\n")
             for name in ("apiDefinition.swagger.json", "apiProperties.json")}
    for item in report.dangling:
        assert item.line, item
        text = lines[item.file][item.line - 1]
        shown = item.target if item.kind is not DanglingKind.UNKNOWN_CONNECTION_PARAMETER else "@connectionParameters"
        assert shown in text, (item, text)
    # the $ref inside an example is sample data, and API_KEY names api_key (names ignore case)
    assert "#/definitions/NotADefinition" not in {d.target for d in report.dangling}
    assert "API_KEY" not in {d.target for d in report.dangling}


def test_connection_parameters_of_parameter_sets_and_token_fields_count(tmp_path):
    folder = copy(tmp_path)

    def to_sets(doc):
        props = doc["properties"]
        params = props.pop("connectionParameters")
        props["connectionParameterSets"] = {"uiDefinition": {"displayName": "Auth"}, "values": [
            {"name": "key", "parameters": {"api_key": params["api_key"]}},
            {"name": "oauth", "parameters": {"token": {"type": "oauthSetting"}, "region": params["region"]}},
        ]}
        props["policyTemplateInstances"].append({"templateId": "setheader", "title": "Tenant", "parameters": {
            "x-ms-apimTemplateParameter.value": "@connectionParameters('token:TenantId')"}})

    edit(folder, "apiProperties.json", to_sets)
    assert kinds(folder) == []

    def drop_token(doc):
        doc["properties"]["connectionParameterSets"]["values"].pop()

    edit(folder, "apiProperties.json", drop_token)
    assert sorted(kinds(folder)) == [("unknown-connection-parameter", "Region"),
                                     ("unknown-connection-parameter", "token:TenantId")]


def test_references_in_every_dynamic_extension_are_checked(tmp_path):
    folder = copy(tmp_path)

    def add(doc):
        param = doc["paths"]["/tickets"]["get"]["parameters"][0]
        param["x-ms-dynamic-list"] = {"operationId": "GoneList", "itemValuePath": "id"}
        param["x-ms-dynamic-tree"] = {"settings": {"canSelectParentNodes": True},
                                      "open": {"operationId": "GoneOpen"}, "browse": {"operationId": "ListQueues"}}
        schema = doc["paths"]["/tickets"]["get"]["responses"]["200"]["schema"]
        schema["x-ms-dynamic-schema"] = {"operationId": "GoneSchema", "parameters": {"operationId": "not a call"},
                                         "value-path": "schema"}
        doc["definitions"]["Queue"]["x-ms-dynamic-properties"] = {"operationId": "GoneProps"}
        doc["definitions"]["Queue"]["properties"]["x-ms-capabilities"] = {"type": "string"}  # a property so named

    edit(folder, "apiDefinition.swagger.json", add)
    assert sorted(kinds(folder)) == [("unknown-operation", t) for t in ("GoneList", "GoneOpen", "GoneProps", "GoneSchema")]


def test_refs_with_escapes_and_percent_encoding_resolve_and_external_ones_do_not(tmp_path):
    folder = copy(tmp_path)

    def add(doc):
        doc["definitions"]["a/b c"] = {"type": "string"}
        props = doc["definitions"]["Queue"]["properties"]
        props["x"] = {"$ref": "#/definitions/a~1b c"}
        props["y"] = {"$ref": "#/definitions/a~1b%20c"}
        props["z"] = {"$ref": "other.json#/definitions/Queue"}

    edit(folder, "apiDefinition.swagger.json", add)
    assert kinds(folder) == [("unresolved-ref", "other.json#/definitions/Queue")]


def test_introduced_leaves_out_references_that_dangled_before(tmp_path):
    before = check_source(read_folder(DANGLING))
    folder = copy(tmp_path, DANGLING)

    def more(doc):
        doc["properties"]["policyTemplateInstances"].insert(0, {"templateId": "setheader", "title": "New", "parameters": {
            "x-ms-apimTemplateParameter.value": "@connectionParameters('secret')"}})

    edit(folder, "apiProperties.json", more)
    after = check_source(read_folder(folder))
    assert len(after.dangling) == len(before.dangling) + 1
    # the old policy moved from index 0 to 1: still the same reference
    assert [(d.kind.value, d.target) for d in introduced(after, before)] == [("unknown-connection-parameter", "secret")]


def test_check_command_exit_statuses(tmp_path):
    clean = run("check", str(CLEAN))
    assert clean.exit_code == 0 and "every reference resolves" in clean.stdout
    dangling = run("check", str(CLEAN), str(DANGLING))
    assert dangling.exit_code == 1
    assert "7 dangling reference(s) in 1 of 2 connector(s)" in dangling.stdout
    assert "apiProperties.json:24:41 /properties/scriptOperations/1" in dangling.stdout
    missing = run("check", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2 and missing.stderr.count("\n") == 1 and "Traceback" not in missing.stderr
    assert missing.stdout.splitlines()[-1] == "no connector checked: 1 could not be read"
    broken = copy(tmp_path)
    (broken / "apiDefinition.swagger.json").write_text('{"swagger": "2.0",\n  "paths": {]\n}\n')
    bad = run("check", str(broken))
    assert bad.exit_code == 2 and "apiDefinition.swagger.json:2:" in bad.stderr and "Traceback" not in bad.stderr
    # one connector that cannot be read does not stop the others from being checked
    several = run("check", str(CLEAN), str(broken), str(DANGLING))
    assert several.exit_code == 2, several.output
    (line,) = several.stderr.splitlines()
    assert line.startswith(f"connver: error: {broken}/apiDefinition.swagger.json:2:")
    out = several.stdout.splitlines()
    assert out[0] == f"{CLEAN}: consistent" and out[1].startswith(f"{broken}: error: {broken}/apiDefinition.swagger.json:2:")
    assert f"{DANGLING}: 7 dangling reference(s)" in out
    assert out[-1] == "7 dangling reference(s) in 1 of 3 connector(s); 1 could not be read"
    data = json.loads(run("check", str(CLEAN), str(broken), "-f", "json").stdout)
    assert data["ok"] is False and data["errors"] == 1 and data["dangling"] == 0
    assert [c["error"] is None for c in data["connectors"]] == [True, False]
    github = run("check", str(CLEAN), str(broken), "-f", "github")
    assert github.exit_code == 2
    assert f"::error file={broken}/apiDefinition.swagger.json,line=2," in github.stdout


def test_check_json_and_a_git_source(tmp_path):
    import subprocess

    repo = tmp_path / "repo"
    shutil.copytree(DANGLING, repo / "Contoso")
    env_args = ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(repo), *env_args, "commit", "-q", "-m", "c"], check=True)
    result = run("check", "HEAD:Contoso", "--repo", str(repo), "-f", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["schema"] == 1 and doc["ok"] is False and doc["dangling"] == 7
    (entry,) = doc["connectors"]
    assert entry["connector"] == "HEAD:Contoso"
    assert {d["kind"] for d in entry["dangling"]} == {k.value for k in DanglingKind}
    gh = run("check", "HEAD:Contoso", "--repo", str(repo), "-f", "github")
    assert "::error file=Contoso/apiProperties.json,line=24,col=41,title=dangling-reference::" in gh.stdout
    # a broken definition in another commit: annotated at its path in the repository
    (repo / "Contoso" / "apiDefinition.swagger.json").write_text('{"swagger": "2.0",\n  "paths": {]\n}\n')
    subprocess.run(["git", "-C", str(repo), *env_args, "commit", "-q", "-am", "broken"], check=True)
    both = run("check", "HEAD~1:Contoso", "HEAD:Contoso", "--repo", str(repo), "-f", "github")
    assert both.exit_code == 2 and "::error file=Contoso/apiProperties.json,line=24," in both.stdout
    assert "::error file=Contoso/apiDefinition.swagger.json,line=2,col=" in both.stdout


def test_check_github_annotations_are_capped_and_the_summary_is_written(tmp_path, monkeypatch):
    folder = copy(tmp_path)

    def many(doc):
        doc["properties"]["scriptOperations"] = [f"Gone{n:02}" for n in range(14)]

    edit(folder, "apiProperties.json", many)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = run("check", str(folder), "-f", "github")
    assert result.exit_code == 1
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 10
    assert "4 more annotation(s) not shown (4 error)" in result.stdout
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("# Consistency check") and "Gone13" in written


def test_check_sarif_validates_and_azure_completes(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())
    doc = json.loads(run("check", str(DANGLING), "-f", "sarif").stdout)
    errors = list(validator.iter_errors(doc))
    assert not errors, [e.message for e in errors[:3]]
    (rule,) = doc["runs"][0]["tool"]["driver"]["rules"]
    assert rule["id"] == "dangling-reference" and rule["defaultConfiguration"]["level"] == "error"
    results = doc["runs"][0]["results"]
    assert len(results) == 7 and {r["level"] for r in results} == {"error"}
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results)
    azure = run("check", str(CLEAN), "-f", "azure")
    assert azure.exit_code == 0 and azure.stdout.splitlines()[-1].startswith("##vso[task.complete result=Succeeded;]")
    failing = run("check", str(DANGLING), "-f", "azure").stdout.splitlines()
    assert failing[-1].startswith("##vso[task.complete result=Failed;]") and sum(
        line.startswith("##vso[task.logissue type=error;") for line in failing) == 7


def test_check_format_from_the_configuration(tmp_path, monkeypatch):
    (tmp_path / ".connver.toml").write_text('format = "json"\n')
    monkeypatch.chdir(tmp_path)
    result = run("check", str(CLEAN))
    assert json.loads(result.stdout)["ok"] is True
    (tmp_path / ".connver.toml").write_text('format = "junit"\n')
    refused = run("check", str(CLEAN))
    assert refused.exit_code == 2 and "not a format of connver check" in refused.stderr


@pytest.mark.corpus
def test_real_connectors_are_nearly_all_consistent(corpus):
    """The platform runs these connectors: a check that flagged many of them would be wrong
    about the platform (case of connection parameter names, references in sample data...)."""
    checked = flagged = 0
    for folder in sorted(p for p in (corpus / "history").iterdir() if p.is_dir()):
        versions = sorted(p for p in folder.iterdir() if p.is_dir())
        if not versions:
            continue
        checked += 1
        flagged += not check_source(read_folder(versions[-1])).ok
    assert checked >= 20
    assert flagged <= checked // 10, f"{flagged} of {checked} flagged"


# --------------------------------------------------------------------------- in audit


def dangling_repo(tmp_path: Path) -> Path:
    """master: the dangling fixture (7 references dangle); dev: one more policy that reads a
    connection parameter nobody declares, and nothing else fixed or broken."""
    from test_ci_layouts import git

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "master")
    shutil.copytree(DANGLING, repo / "connectors" / "Contoso")
    shutil.copytree(CLEAN, repo / "connectors" / "Clean")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "old")
    git(repo, "checkout", "-q", "-b", "dev")

    def more(doc):
        doc["properties"]["policyTemplateInstances"].insert(0, {"templateId": "setheader", "title": "Tenant",
            "parameters": {"x-ms-apimTemplateParameter.value": "@connectionParameters('tenant')"}})

    edit(repo / "connectors" / "Contoso", "apiProperties.json", more)
    edit(repo / "connectors" / "Clean", "apiDefinition.swagger.json",
         lambda doc: doc["paths"]["/queues"]["get"].__setitem__("summary", "Queues"))
    git(repo, "commit", "-q", "-am", "new")
    return repo


def test_audit_fails_only_for_references_the_range_made_dangling(tmp_path):
    from connver.audit import audit

    repo = dangling_repo(tmp_path)
    result = audit(repo, "master..dev", lines=True)
    entry = next(e for e in result.connectors if e.path == "connectors/Contoso")
    assert [(d.kind.value, d.target) for d in entry.dangling] == [("unknown-connection-parameter", "tenant")]
    assert len(entry.dangling_before) == 7 and entry.dangling[0].line
    clean = next(e for e in result.connectors if e.path == "connectors/Clean")
    assert clean.dangling == [] and clean.dangling_before == []

    shown = run("audit", "--repo", str(repo), "--fail-on", "breaking")
    assert shown.exit_code == 1
    assert "reads connection parameter 'tenant'" in shown.stdout and "(dangled before)" in shown.stdout
    assert "1 new dangling reference(s); 7 dangling reference(s) from before" in shown.stdout
    assert run("audit", "--repo", str(repo)).exit_code == 0  # like any finding: a gate needs --fail-on

    gh = run("audit", "--repo", str(repo), "-f", "github", "--fail-on", "breaking").stdout.splitlines()
    errors = [line for line in gh if line.startswith("::error ") and "dangling-reference" in line]
    assert len(errors) == 1 and "file=connectors/Contoso/apiProperties.json,line=" in errors[0]
    assert sum(1 for line in gh if line.startswith("::warning ") and "dangling-reference" in line) == 7
    doc = json.loads(run("audit", "--repo", str(repo), "-f", "json").stdout)
    contoso = next(c for c in doc["connectors"] if c["path"] == "connectors/Contoso")
    assert contoso["dangling"][0]["target"] == "tenant"
    assert contoso["dangling"][0]["path"] == "connectors/Contoso/apiProperties.json"
    sarif = json.loads(run("audit", "--repo", str(repo), "-f", "sarif", "--fail-on", "breaking").stdout)
    levels = [r["level"] for r in sarif["runs"][0]["results"] if r["ruleId"] == "dangling-reference"]
    assert sorted(levels) == ["error"] + ["warning"] * 7


def test_an_added_connector_with_dangling_references_fails(tmp_path):
    from test_ci_layouts import git

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "master")
    (repo / "README.md").write_text("x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "old")
    git(repo, "checkout", "-q", "-b", "dev")
    shutil.copytree(DANGLING, repo / "Contoso")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "add")
    shown = run("audit", "--repo", str(repo), "--fail-on", "breaking")
    assert shown.exit_code == 1 and "7 new dangling reference(s)" in shown.stdout


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "github", "azure", "sarif"])
def test_every_check_format_keeps_the_load_warnings(tmp_path, fmt):
    folder = copy(tmp_path)
    swagger = folder / "apiDefinition.swagger.json"
    swagger.write_text(swagger.read_text().replace('"swagger": "2.0",', '"swagger": "2.0", // a comment', 1))
    shown = run("check", str(folder), "-f", fmt)
    assert shown.exit_code == 0
    assert "comment" in shown.stdout.lower() and "apiDefinition.swagger.json" in shown.stdout
