"""Connectors kept in Dataverse solutions: unpacked folders, their Connectors/ folder, .zip files.

``fixtures/solutions/ContosoSolution`` is a small unpacked solution (two connectors and a
flow) and ``fixtures/solutions/paconn`` holds the same two connectors in paconn form.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from connver import read_source
from connver.cli.main import cli

SOLUTION = FIXTURES / "solutions" / "ContosoSolution"
PACONN = FIXTURES / "solutions" / "paconn"
NAMES = ("contoso_5Fdemo", "contoso_5Fweather")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def solution_zip(folder: Path, dest: Path) -> Path:
    """The solution as `pac solution pack` / an export writes it: customizations.xml and
    solution.xml at the root, the connectors in Connector/."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = file.relative_to(folder).as_posix()
            if rel.startswith("Other/"):
                rel = rel[len("Other/"):].lower()
            elif rel.startswith("Connectors/"):
                rel = "Connector/" + rel[len("Connectors/"):]
            archive.write(file, rel)
    return dest


def changes(old: str, new: str) -> list[tuple[str, str, str, str]]:
    result = run("diff", "-f", "json", old, new)
    assert result.exit_code == 0, result.output
    return sorted((c["rule"], c["location"], c["file"], c["pointer"]) for c in json.loads(result.stdout)["changes"])


@pytest.mark.parametrize("name", NAMES)
def test_paconn_form_and_solution_form_are_the_same_connector(name, tmp_path):
    archive = solution_zip(SOLUTION, tmp_path / "ContosoSolution_1_0_0_0.zip")
    for solution in (f"{SOLUTION}::{name}", f"{SOLUTION / 'Connectors'}::{name}", f"{archive}::{name}"):
        result = run("diff", "-f", "json", str(PACONN / name), solution)
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["changes"] == [] and data["summary"] == dict.fromkeys(data["summary"], 0), solution


def test_the_solution_parts_become_api_properties():
    source = read_source(f"{SOLUTION}::contoso_5Fdemo")
    assert sorted(source.files) == ["apiDefinition.swagger.json", "apiProperties.json", "icon.png"]
    props = json.loads(source.files["apiProperties.json"])["properties"]
    assert props["iconBrandColor"] == "#0F6CBD" and props["capabilities"] == ["actions"]
    assert props["connectionParameters"]["api_key"]["type"] == "securestring"
    assert props["policyTemplateInstances"][0]["templateId"] == "setheader"
    assert source.meta["displayName"] == "Contoso Demo"
    weather = read_source(f"{SOLUTION}::Contoso Weather")  # the display name picks it too
    assert weather.files["script.csx"] == (SOLUTION / "Connectors" / "contoso_5Fweather_customcodeblobcontent.csx").read_bytes()


def test_one_connector_file_names_its_connector():
    source = read_source(str(SOLUTION / "Connectors" / "contoso_5Fweather_openapidefinition.json"))
    assert source.meta["connector"] == "contoso_5Fweather" and "script.csx" in source.files


def test_several_connectors_are_listed_when_none_is_picked(tmp_path):
    for where in (SOLUTION, solution_zip(SOLUTION, tmp_path / "s.zip")):
        result = run("diff", str(where), str(PACONN / "contoso_5Fdemo"))
        assert result.exit_code == 2
        (line,) = [l for l in result.stderr.splitlines() if l.startswith("connver: error")]
        assert "2 connectors (contoso_5Fdemo, contoso_5Fweather)" in line and f"{where}::NAME" in line
        assert "Traceback" not in result.output


def test_an_unknown_connector_name_lists_the_ones_there():
    result = run("diff", f"{SOLUTION}::nope", str(PACONN / "contoso_5Fdemo"))
    assert result.exit_code == 2 and "no connector 'nope'" in result.stderr and "contoso_5Fweather" in result.stderr


def test_a_broken_customizations_xml_is_one_line(tmp_path):
    copy = shutil.copytree(SOLUTION, tmp_path / "s")
    (copy / "Other" / "Customizations.xml").write_text("<ImportExportXml>\n  <Connectors>\n")
    result = run("diff", f"{copy}::contoso_5Fdemo", str(PACONN / "contoso_5Fdemo"))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "Other/Customizations.xml:3:" in result.stderr


def _edit(folder: Path, file: str, edit) -> None:
    path = folder / file
    path.write_text(json.dumps(edit(json.loads(path.read_text())), indent=2))


def _drop_policies(_doc):
    return []


def _drop_get_order(doc):
    del doc["paths"]["/orders/{id}"]
    return doc


def _require_key(doc):
    doc["api_key"]["uiDefinition"]["tooltip"] = "Your key"
    return doc


@pytest.mark.parametrize("paconn_file,solution_file,edit", [
    ("apiDefinition.swagger.json", "contoso_5Fdemo_openapidefinition.json", _drop_get_order),
    ("apiProperties.json", "contoso_5Fdemo_policytemplateinstances.json", _drop_policies),
    ("apiProperties.json", "contoso_5Fdemo_connectionparameters.json", _require_key),
])
def test_a_change_in_either_form_is_reported_at_the_same_locations(tmp_path, paconn_file, solution_file, edit):
    paconn = shutil.copytree(PACONN / "contoso_5Fdemo", tmp_path / "paconn")
    solution = shutil.copytree(SOLUTION, tmp_path / "solution")
    if paconn_file == "apiProperties.json":
        part = {"contoso_5Fdemo_policytemplateinstances.json": "policyTemplateInstances",
                "contoso_5Fdemo_connectionparameters.json": "connectionParameters"}[solution_file]

        def edit_properties(doc):
            doc["properties"][part] = edit(doc["properties"][part])
            return doc
        _edit(paconn, paconn_file, edit_properties)
    else:
        _edit(paconn, paconn_file, edit)
    _edit(solution / "Connectors", solution_file, edit)
    in_paconn = changes(str(PACONN / "contoso_5Fdemo"), str(paconn))
    in_solution = changes(f"{SOLUTION}::contoso_5Fdemo", f"{solution}::contoso_5Fdemo")
    across = changes(str(PACONN / "contoso_5Fdemo"), f"{solution}::contoso_5Fdemo")
    assert in_paconn and in_paconn == in_solution == across


def test_an_environment_variable_host_is_not_a_host_change(tmp_path):
    solution = shutil.copytree(SOLUTION, tmp_path / "s")

    def env_host(doc):
        doc["host"] = '@environmentVariables("contoso_DemoHost")'
        return doc
    _edit(solution / "Connectors", "contoso_5Fdemo_openapidefinition.json", env_host)
    assert changes(str(PACONN / "contoso_5Fdemo"), f"{solution}::contoso_5Fdemo") == []

    def other_host(doc):
        doc["host"] = "api-eu.contoso.com"
        return doc
    _edit(solution / "Connectors", "contoso_5Fdemo_openapidefinition.json", other_host)
    assert [c[0] for c in changes(str(PACONN / "contoso_5Fdemo"), f"{solution}::contoso_5Fdemo")] == ["host-changed"]


def test_snapshot_keeps_the_solution_files_and_restore_gives_them_back(tmp_path):
    store = tmp_path / "store"
    result = run("snapshot", f"{SOLUTION}::contoso_5Fweather", "--channel", "deployed", "--store", str(store))
    assert result.exit_code == 0, result.output
    assert "recorded contoso_5Fweather@deployed 2.1.0" in result.stdout
    result = run("restore", "contoso_5Fweather@deployed", str(tmp_path / "out"), "--store", str(store))
    assert result.exit_code == 0, result.output
    restored = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert restored == ["Connectors/contoso_5Fweather_connectionparameters.json",
                        "Connectors/contoso_5Fweather_customcodeblobcontent.csx",
                        "Connectors/contoso_5Fweather_iconblob.Png",
                        "Connectors/contoso_5Fweather_openapidefinition.json",
                        "Other/Customizations.xml"]
    for rel in restored:
        assert (tmp_path / "out" / rel).read_bytes() == (SOLUTION / rel).read_bytes(), rel
    # the snapshot reads back as the same connector, in either form
    result = run("diff", "-f", "json", "--store", str(store), "contoso_5Fweather@deployed", str(PACONN / "contoso_5Fweather"))
    assert result.exit_code == 0 and json.loads(result.stdout)["changes"] == []


def test_a_secret_in_a_solution_is_redacted_before_it_is_stored(tmp_path):
    solution = shutil.copytree(SOLUTION, tmp_path / "s")

    def with_secret(doc):
        doc["token"]["oAuthSettings"]["clientSecret"] = "s3cr3t-value-123"
        return doc
    _edit(solution / "Connectors", "contoso_5Fweather_connectionparameters.json", with_secret)
    store = tmp_path / "store"
    result = run("snapshot", f"{solution}::contoso_5Fweather", "--channel", "dev", "--store", str(store))
    assert result.exit_code == 0, result.output
    assert "redacted a secret" in result.stderr and "/token/oAuthSettings/clientSecret" in result.stderr
    result = run("restore", "contoso_5Fweather@dev", str(tmp_path / "out"), "--store", str(store))
    kept = (tmp_path / "out" / "Connectors" / "contoso_5Fweather_connectionparameters.json").read_text()
    assert "s3cr3t-value-123" not in kept and "clientSecret" in kept


def _upstream(tmp_path: Path, drop: str, properties=None) -> Path:
    """The paconn connector, one output field of ListOrders removed (and apiProperties edited)."""
    folder = shutil.copytree(PACONN / "contoso_5Fdemo", tmp_path / f"upstream-{drop}")

    def drop_field(doc):
        del doc["paths"]["/orders"]["get"]["responses"]["200"]["schema"]["properties"]["value"]["items"]["properties"][drop]
        return doc
    _edit(folder, "apiDefinition.swagger.json", drop_field)
    if properties:
        _edit(folder, "apiProperties.json", properties)
    return folder


@pytest.mark.parametrize("drop,verdict,code", [("total", "breaks-used", 1), ("customer", "safe", 0)])
def test_upgrade_check_of_a_solution_fork_uses_the_solutions_flows(tmp_path, drop, verdict, code):
    upstream = _upstream(tmp_path, drop)
    result = run("upgrade-check", f"{SOLUTION}::contoso_5Fdemo", "--upstream", str(upstream),
                 "--base", str(PACONN / "contoso_5Fdemo"), "-f", "json")
    assert result.exit_code == code, result.output
    data = json.loads(result.stdout)
    assert data["verdict"] == verdict
    text = run("upgrade-check", f"{SOLUTION}::contoso_5Fdemo", "--upstream", str(upstream),
               "--base", str(PACONN / "contoso_5Fdemo")).stdout
    assert "4. Impact (1 flow(s), 1 step(s) calling this connector)" in text
    if drop == "total":
        assert "flow 'Order digest', step 'List_orders'" in text and "(the flow reads value/items/total)" in text


def test_flows_given_replace_the_solutions_own(tmp_path):
    other = tmp_path / "flows"
    other.mkdir()
    (other / "nothing.json").write_text(json.dumps({"properties": {"definition": {
        "triggers": {"manual": {"type": "Request"}}, "actions": {}}}}))
    result = run("upgrade-check", f"{SOLUTION}::contoso_5Fdemo", "--upstream", str(_upstream(tmp_path, "total")),
                 "--base", str(PACONN / "contoso_5Fdemo"), "--flows", str(other))
    assert result.exit_code == 0, result.output
    assert "0 step(s) calling this connector" in result.stdout


def _props(doc):
    doc["properties"]["iconBrandColor"] = "#112233"
    doc["properties"]["connectionParameters"]["api_key"]["uiDefinition"]["tooltip"] = "Your shop key"
    doc["properties"]["publisher"] = "Contoso"
    return doc


def test_upgrade_in_place_writes_back_in_the_solutions_layout_and_formatting(tmp_path):
    fork = shutil.copytree(SOLUTION, tmp_path / "fork")
    result = run("upgrade", f"{fork}::contoso_5Fdemo", "--upstream", str(_upstream(tmp_path, "customer", _props)),
                 "--base", str(PACONN / "contoso_5Fdemo"), "--in-place")
    assert result.exit_code == 0, result.output
    assert "publisher: upstream's apiProperties.json has it, a solution has no place for it" in result.stdout
    changed = {p.relative_to(fork).as_posix() for p in fork.rglob("*") if p.is_file()
               and not p.name.endswith(".orig") and p.read_bytes() != (SOLUTION / p.relative_to(fork)).read_bytes()}
    assert changed == {"Connectors/contoso_5Fdemo_openapidefinition.json",
                       "Connectors/contoso_5Fdemo_connectionparameters.json", "Other/Customizations.xml"}
    assert not (fork / "apiDefinition.swagger.json").exists() and not (fork / "apiProperties.json").exists()
    # formatting kept: only the changed lines differ
    for rel, gone, came in (
        ("Other/Customizations.xml", "<iconbrandcolor>#0F6CBD</iconbrandcolor>", "<iconbrandcolor>#112233</iconbrandcolor>"),
        ("Connectors/contoso_5Fdemo_connectionparameters.json", '"tooltip": "Provide your API key"', '"tooltip": "Your shop key"'),
    ):
        before, after = (SOLUTION / rel).read_text(), (fork / rel).read_text()
        assert after == before.replace(gone, came), rel
    swagger = (fork / "Connectors/contoso_5Fdemo_openapidefinition.json").read_text()
    assert '"customer"' not in swagger and swagger.startswith('{\n  "swagger": "2.0"')
    # the weather connector beside it is untouched, and the result reads as upstream's changes
    assert (fork / "Connectors/contoso_5Fweather_openapidefinition.json").read_bytes() == \
        (SOLUTION / "Connectors/contoso_5Fweather_openapidefinition.json").read_bytes()
    upstream = tmp_path / "upstream-customer"
    assert [c[:2] for c in changes(str(upstream), f"{fork}::contoso_5Fdemo")] == [
        ("connector-metadata-changed", "publisher")]  # all but what a solution cannot hold


def test_upgrade_output_writes_the_solution_files_into_a_new_folder(tmp_path):
    result = run("upgrade", f"{SOLUTION}::contoso_5Fdemo", "--upstream", str(_upstream(tmp_path, "customer")),
                 "--base", str(PACONN / "contoso_5Fdemo"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert "Connectors/contoso_5Fdemo_openapidefinition.json" in written
    assert not any(name.startswith("apiDefinition") for name in written)


def test_upgrade_in_place_refuses_a_solution_zip(tmp_path):
    archive = solution_zip(SOLUTION, tmp_path / "s.zip")
    result = run("upgrade", f"{archive}::contoso_5Fdemo", "--upstream", str(_upstream(tmp_path, "customer")),
                 "--base", str(PACONN / "contoso_5Fdemo"), "--in-place")
    assert result.exit_code == 2 and "Traceback" not in result.output


def _git(repo: Path, *args: str) -> None:
    import subprocess

    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
                        "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z", "HOME": str(repo), "PATH": __import__("os").environ["PATH"]})


def test_audit_of_a_repository_holding_an_unpacked_solution(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "master")
    shutil.copytree(SOLUTION, repo / "ContosoSolution")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "solution")
    _git(repo, "checkout", "-q", "-b", "dev")
    connectors = repo / "ContosoSolution" / "Connectors"
    _edit(connectors, "contoso_5Fdemo_openapidefinition.json", _drop_get_order)
    _edit(connectors, "contoso_5Fdemo_policytemplateinstances.json", _drop_policies)
    _git(repo, "commit", "-q", "-am", "drop GetOrder and the policy")
    result = run("audit", "--repo", str(repo), "master..dev", "-f", "json", "--fail-on", "breaking")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    by_path = {c["path"]: c for c in data["connectors"]}
    demo = by_path["ContosoSolution/Connectors::contoso_5Fdemo"]
    assert demo["status"] == "changed"
    rules = sorted((c["rule"], c["location"]) for c in demo["changes"])
    assert rules == [("operation-removed", "operation/GetOrder"), ("policy-changed", "policy/Set the client header")]
    paths = {c["rule"]: c["path"] for c in demo["changes"]}  # the solution's own files
    assert paths["operation-removed"] == "ContosoSolution/Connectors/contoso_5Fdemo_openapidefinition.json"
    assert paths["policy-changed"] == "ContosoSolution/Connectors/contoso_5Fdemo_policytemplateinstances.json"
    # the same edits in paconn form are the same findings at the same locations
    paconn = shutil.copytree(PACONN / "contoso_5Fdemo", tmp_path / "paconn")
    _edit(paconn, "apiDefinition.swagger.json", _drop_get_order)

    def no_policies(doc):
        doc["properties"]["policyTemplateInstances"] = []
        return doc
    _edit(paconn, "apiProperties.json", no_policies)
    assert [c[:2] for c in changes(str(PACONN / "contoso_5Fdemo"), str(paconn))] == rules
    weather = by_path.get("ContosoSolution/Connectors::contoso_5Fweather")
    assert weather is None or not weather["changes"]


def test_bump_write_and_notes_on_a_solution_connector(tmp_path):
    solution = shutil.copytree(SOLUTION, tmp_path / "s")
    _edit(solution / "Connectors", "contoso_5Fdemo_policytemplateinstances.json", _drop_policies)
    notes = run("notes", str(PACONN / "contoso_5Fdemo"), f"{solution}::contoso_5Fdemo")
    assert notes.exit_code == 0 and "## [1.1]" in notes.stdout and "Set the client header" in notes.stdout
    result = run("bump", str(PACONN / "contoso_5Fdemo"), f"{solution}::contoso_5Fdemo", "--write")
    assert result.exit_code == 0, result.output
    written = solution / "Connectors" / "contoso_5Fdemo_openapidefinition.json"
    before = (SOLUTION / "Connectors" / "contoso_5Fdemo_openapidefinition.json").read_text()
    assert written.read_text() == before.replace('"version": "1.0"', '"version": "1.1"', 1)
    assert not (solution / "apiDefinition.swagger.json").exists()
