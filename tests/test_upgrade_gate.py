"""A merged connector is checked before it is written, and upgrade-check speaks the formats
and gates of diff and audit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from connver.consistency import Origin
from connver.render import RENDERERS, available
from connver.upgrade_run import run_upgrade, run_upgrade_check

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ROOT / "fixtures" / "consistency" / "clean"
SCHEMA = Path(__file__).resolve().parent / "schemas" / "sarif-schema-2.1.0.json"
PROPS = "apiProperties.json"
SWAGGER = "apiDefinition.swagger.json"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def edit(folder: Path, name: str, change) -> None:
    path = folder / name
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


def sides(tmp_path: Path, fork_edit=None, upstream_edit=None) -> tuple[Path, Path, Path]:
    folders = []
    for name, change in (("base", None), ("fork", fork_edit), ("upstream", upstream_edit)):
        dest = tmp_path / name
        shutil.copytree(CLEAN, dest)
        if change is not None:
            change(dest)
        folders.append(dest)
    return tuple(folders)


def drop_region(folder: Path) -> None:
    """Upstream drops the region parameter and the policy that used it (the issue's case)."""
    def change(doc):
        del doc["properties"]["connectionParameters"]["region"]
        doc["properties"]["policyTemplateInstances"] = []
    edit(folder, PROPS, change)


def own_region_header(folder: Path) -> None:
    """The fork adds a header policy of its own that reads region."""
    def change(doc):
        doc["properties"]["policyTemplateInstances"].append({"templateId": "setheader", "title": "Region header",
            "parameters": {"x-ms-apimTemplateParameter.name": "X-Region",
                           "x-ms-apimTemplateParameter.value": "@connectionParameters('region')"}})
    edit(folder, PROPS, change)


def test_the_merge_itself_leaving_a_reference_dangling_is_named_and_refused(tmp_path):
    base, fork, upstream = sides(tmp_path, own_region_header, drop_region)
    report = run_upgrade_check(str(fork), str(upstream), str(base))
    assert report.consistency is not None and report.blocking
    assert {(i.dangling.kind.value, i.dangling.target, i.origin) for i in report.blocking} >= {
        ("unknown-connection-parameter", "region", Origin.MERGE)}
    assert report.exit_code == 1

    out = tmp_path / "out"
    result = run_upgrade(str(fork), str(upstream), str(base), output=out)
    assert result.refused and result.written == () and result.exit_code == 1
    assert not out.exists() or not any(out.iterdir())

    shown = run("upgrade", str(fork), "--upstream", str(upstream), "--base", str(base), "-o", str(out))
    assert shown.exit_code == 1
    assert "nothing written" in shown.stdout and "reads connection parameter 'region'" in shown.stdout
    assert "from the merge" in shown.stdout and "[blocks]" in shown.stdout
    assert not (out / SWAGGER).exists()

    forced = run("upgrade", str(fork), "--upstream", str(upstream), "--base", str(base), "-o", str(out), "--force")
    assert (out / PROPS).exists() and "nothing written" not in forced.stdout
    merged = json.loads((out / PROPS).read_text(encoding="utf-8"))["properties"]
    assert "region" not in merged["connectionParameters"]


def test_a_reference_upstream_breaks_is_upstreams_and_one_the_fork_has_does_not_block(tmp_path):
    def upstream_script(folder):
        edit(folder, PROPS, lambda doc: doc["properties"].__setitem__("scriptOperations", ["ListTickets", "GetTicket"]))

    def fork_summary(folder):
        edit(folder, SWAGGER, lambda doc: doc["paths"]["/tickets"]["get"].__setitem__("summary", "Tickets"))

    base, fork, upstream = sides(tmp_path, fork_summary, upstream_script)
    report = run_upgrade_check(str(fork), str(upstream), str(base))
    assert [(i.dangling.target, i.origin) for i in report.blocking] == [("GetTicket", Origin.UPSTREAM)]
    assert report.verdict.value == "inconsistent"
    checked = run("upgrade-check", str(fork), "--upstream", str(upstream), "--base", str(base), "-f", "json")
    assert checked.exit_code == 1
    doc = json.loads(checked.stdout)
    assert doc["verdict"] == "inconsistent"
    (item,) = doc["consistency"]["dangling"]
    assert item["origin"] == "upstream" and item["blocks"] is True and item["kind"] == "unknown-script-operation"

    # the fork already refers to an operation that does not exist: updating makes nothing worse
    def fork_script(folder):
        edit(folder, PROPS, lambda doc: doc["properties"].__setitem__("scriptOperations", ["ListTickets", "Gone"]))

    def upstream_summary(folder):
        edit(folder, SWAGGER, lambda doc: doc["paths"]["/queues"]["get"].__setitem__("summary", "Queues"))

    base, fork, upstream = sides(tmp_path / "second", fork_script, upstream_summary)
    result = run_upgrade(str(fork), str(upstream), str(base), output=tmp_path / "second" / "out")
    assert not result.refused and result.written
    assert [(i.dangling.target, i.origin) for i in result.report.consistency.items] == [("Gone", Origin.FORK)]
    assert result.report.verdict.value == "safe"


def test_a_clean_update_reports_no_dangling_reference(tmp_path):
    def upstream_summary(folder):
        edit(folder, SWAGGER, lambda doc: doc["paths"]["/queues"]["get"].__setitem__("summary", "Queues"))

    base, fork, upstream = sides(tmp_path, own_region_header, upstream_summary)
    shown = run("upgrade-check", str(fork), "--upstream", str(upstream), "--base", str(base))
    assert shown.exit_code == 0, shown.stdout
    assert "5. Dangling references in the result (0)" in shown.stdout and "safe to update" in shown.stdout


def breaking_sides(tmp_path: Path, operations: int = 0):
    """Upstream makes a parameter required (breaking) and renames a summary (cosmetic);
    ``operations`` more operations are added upstream (additive rows for folding)."""
    def upstream(folder):
        def change(doc):
            get = doc["paths"]["/tickets"]["get"]
            get["parameters"][0]["required"] = True
            doc["paths"]["/queues"]["get"]["summary"] = "All queues"
            for n in range(operations):
                doc["paths"][f"/extra{n}"] = {"get": {"operationId": f"Extra{n:03}", "summary": f"Extra {n} " + "x" * 80,
                                                      "responses": {"200": {"description": "OK"}}}}
        edit(folder, SWAGGER, change)
    return sides(tmp_path, None, upstream)


def check(fork, upstream, base, *args):
    return run("upgrade-check", str(fork), "--upstream", str(upstream), "--base", str(base), *args)


def test_every_format_diff_and_audit_offer_is_offered_for_upgrade_check():
    upgrade = set(available("upgrade"))
    assert {"text", "markdown", "json", "junit", "github", "azure", "sarif"} <= upgrade
    assert {fmt for (kind, fmt) in RENDERERS if kind == "upgrade"} == upgrade
    assert set(available("upgrade-result")) == {"text", "markdown", "json"}


def test_fail_on_counts_incoming_changes_as_diff_does(tmp_path):
    def cosmetic(folder):
        edit(folder, SWAGGER, lambda doc: doc["paths"]["/queues"]["get"].__setitem__("summary", "All queues"))

    base, fork, upstream = sides(tmp_path, None, cosmetic)
    assert check(fork, upstream, base).exit_code == 0
    assert check(fork, upstream, base, "--fail-on", "risky").exit_code == 0
    assert check(fork, upstream, base, "--fail-on", "cosmetic").exit_code == 1
    (tmp_path / ".connver.toml").write_text('fail-on = "cosmetic"\nformat = "json"\n')
    configured = check(fork, upstream, base, "--config", str(tmp_path / ".connver.toml"))
    assert configured.exit_code == 1 and json.loads(configured.stdout)["verdict"] == "safe"
    (tmp_path / "html.toml").write_text('format = "csv"\n')
    refused = check(fork, upstream, base, "--config", str(tmp_path / "html.toml"))
    assert refused.exit_code == 2 and "not a format of connver upgrade-check" in refused.stderr


def test_github_annotations_capped_with_the_summary_written(tmp_path, monkeypatch):
    base, fork, upstream = breaking_sides(tmp_path, operations=14)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    shown = check(fork, upstream, base, "-f", "github")
    assert shown.exit_code == 1
    lines = shown.stdout.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    notices = [line for line in lines if line.startswith("::notice ")]
    assert len(errors) == 1 and "parameter-became-required" in errors[0]
    assert f"file={fork}/{SWAGGER}," in errors[0]
    assert len(notices) == 10 and "more annotation(s) not shown" in notices[-1]
    assert lines[-1].startswith(f"connver upgrade-check {fork}: not safe to update")
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("# Upgrade check") and "Extra013" in written


def test_sarif_junit_and_azure(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    base, fork, upstream = breaking_sides(tmp_path)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())
    doc = json.loads(check(fork, upstream, base, "-f", "sarif").stdout)
    assert not list(validator.iter_errors(doc))
    results = doc["runs"][0]["results"]
    assert {(r["ruleId"], r["level"]) for r in results} >= {("parameter-became-required", "error")}
    import xml.etree.ElementTree as ET

    suites = ET.fromstring(check(fork, upstream, base, "-f", "junit").stdout)
    assert suites.get("failures") == "1" and int(suites.get("tests")) >= 2
    azure = check(fork, upstream, base, "-f", "azure").stdout.splitlines()
    assert any(line.startswith("##vso[task.logissue type=error;") and "code=parameter-became-required" in line
               for line in azure)
    assert azure[-1].startswith("##vso[task.complete result=Failed;]")


def test_markdown_stays_under_the_comment_limit_and_limit_cuts_rows(tmp_path):
    base, fork, upstream = breaking_sides(tmp_path, operations=700)
    full = check(fork, upstream, base, "-f", "markdown", "--limit", "0").stdout
    assert len(full) > 65_536
    folded = check(fork, upstream, base, "-f", "markdown").stdout
    assert len(folded) <= 60_000 and "more (see `connver upgrade-check --format json`)" in folded
    assert "Required" in folded or "required" in folded  # the breaking row stays
    limited = check(fork, upstream, base, "-f", "markdown", "--limit", "3").stdout
    total = len(json.loads(check(fork, upstream, base, "-f", "json").stdout)["upstream_changes"])
    assert total == 702 and f"… and {total - 3} more" in limited
    section = limited.split("## 1. Upstream changes since base")[1].split("## 2.")[0]
    assert len([line for line in section.splitlines() if line.startswith("| ") and "---" not in line]) == 1 + 3
    misuse = check(fork, upstream, base, "--limit", "3")
    assert misuse.exit_code == 2 and "--limit goes with --format markdown" in misuse.stderr


INVOICES = ROOT / "fixtures" / "upgrade" / "invoices"


@pytest.mark.parametrize("fmt,suffix", [("github", "github.txt"), ("azure", "azure.txt"), ("sarif", "sarif.json"),
                                        ("junit", "junit.xml"), ("markdown", "md")])
def test_upgrade_check_formats_match_golden_files(monkeypatch, fmt, suffix):
    from golden import check_golden

    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    base, fork, upstream = (f"fixtures/upgrade/invoices/{side}" for side in ("base", "fork", "upstream"))
    shown = run("upgrade-check", fork, "--upstream", upstream, "--base", base, "-f", fmt)
    assert shown.exit_code in (0, 1)
    check_golden(f"upgrade/invoices.{suffix}", shown.stdout.replace("connver\",\n          \"version\": \"" +
                                                                   _version() + "\"", "connver\",\n          \"version\": \"X\""))


@pytest.mark.parametrize("fmt,suffix", [("text", "txt"), ("github", "github.txt"), ("azure", "azure.txt"),
                                        ("sarif", "sarif.json"), ("markdown", "md"), ("json", "json")])
def test_check_formats_match_golden_files(monkeypatch, fmt, suffix):
    from golden import check_golden

    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    shown = run("check", "fixtures/consistency/dangling", "fixtures/consistency/clean", "-f", fmt)
    assert shown.exit_code == 1
    check_golden(f"check/dangling.{suffix}", shown.stdout.replace("connver\",\n          \"version\": \"" +
                                                                  _version() + "\"", "connver\",\n          \"version\": \"X\""))


def _version() -> str:
    from importlib.metadata import version

    return version("connver")


def test_html_page_shows_the_verdict_and_what_would_dangle(tmp_path):
    base, fork, upstream = sides(tmp_path, own_region_header, drop_region)
    page = check(fork, upstream, base, "-f", "html").stdout
    assert page.startswith("<!DOCTYPE html>")
    assert not any(tag in page for tag in ("<link", "<script", "src=", "@import"))  # self-contained
    assert "not safe to update" in page and "5. Dangling references in the result" in page
    assert "reads connection parameter &#x27;region&#x27;" in page and "[blocks]" in page
