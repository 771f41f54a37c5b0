"""`connver audit` over real git repositories built from the corpus and from the demo pair.

Each connector's audit is checked against diffing the same two folders directly.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from golden import check_golden
from versioning import diff, load_connector
from versioning.audit import Status, audit, connector_folders
from versioning.version import bump_level, check_version

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "connver tests", "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "connver tests", "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
}
HISTORY = ("timeghost", "dox42", "zohosign", "airmeet", "snowflake")


# --------------------------------------------------------------------------- building repos

def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          env={**os.environ, **GIT_ENV})
    return done.stdout.decode()


def init(repo: Path) -> None:
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "master")


def put(repo: Path, path: str, source: Path | None) -> None:
    """Make folder ``path`` hold exactly the files of ``source`` (None: delete it)."""
    target = repo / path
    if target.exists():
        shutil.rmtree(target)
    if source is not None:
        shutil.copytree(source, target, copy_function=shutil.copy)  # new mtimes: git sees every change


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)


def index(corpus: Path, part: str) -> dict[str, str]:
    with open(corpus / part / "index.tsv", newline="") as handle:
        return {row["slug"]: row["connector"] for row in csv.DictReader(handle, delimiter="\t")}


def versions(corpus: Path, slug: str) -> list[Path]:
    return sorted(p for p in (corpus / "history" / slug).iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def history_repo(corpus, tmp_path_factory):
    """One commit per version step (tags h01, h02...): each connector's version N is in
    commit N (a connector with fewer versions stays at its last)."""
    repo = tmp_path_factory.mktemp("history") / "repo"
    init(repo)
    paths = index(corpus, "history")
    steps = max(len(versions(corpus, slug)) for slug in HISTORY)
    for step in range(steps):
        for slug in HISTORY:
            found = versions(corpus, slug)
            if step < len(found):
                put(repo, paths[slug], found[step])
        commit(repo, f"step {step + 1}")
        git(repo, "tag", f"h{step + 1:02d}")
    return repo


@pytest.fixture(scope="module")
def dvd_repo(corpus, tmp_path_factory):
    """master holds every deployed side, dev every dev side, plus: a connector removed on
    dev, one added, one added that cannot be loaded, and changes that are not to a
    definition (Readme.md, settings.json, a file outside the connector folders)."""
    repo = tmp_path_factory.mktemp("dvd") / "repo"
    init(repo)
    paths = index(corpus, "deployed-vs-dev")
    kanbanize = versions(corpus, "kanbanize")[-1]
    for slug, path in paths.items():
        put(repo, path, corpus / "deployed-vs-dev" / slug / "deployed")
    put(repo, "certified-connectors/dox42", versions(corpus, "dox42")[0])
    put(repo, "certified-connectors/Kanbanize", kanbanize)
    (repo / "certified-connectors/Kanbanize/Readme.md").write_text("# Kanbanize\n")
    (repo / "schemas").mkdir()
    (repo / "schemas/apiDefinition.json").write_text("{}\n")
    commit(repo, "master")
    git(repo, "checkout", "-q", "-b", "dev")
    for slug, path in paths.items():
        put(repo, path, corpus / "deployed-vs-dev" / slug / "dev")
    put(repo, "certified-connectors/dox42", None)
    put(repo, "certified-connectors/Tilkee", versions(corpus, "tilkee")[-1])
    broken = repo / "independent-publisher-connectors/XSOAR"
    broken.mkdir()
    shutil.copy(corpus / "malformed/06_xsoar__apiDefinition.swagger.json", broken / "apiDefinition.swagger.json")
    (repo / "certified-connectors/Kanbanize/Readme.md").write_text("# Kanbanize\n\nMore.\n")
    (repo / "certified-connectors/Kanbanize/settings.json").write_text('{"connectorId": "x"}\n')
    (repo / "schemas/apiDefinition.json").write_text('{"a": 1}\n')
    commit(repo, "dev")
    return repo


@pytest.fixture(scope="module")
def demo_repo(tmp_path_factory):
    """The demo pair (no corpus needed): changed, removed, added and unloadable connectors."""
    repo = tmp_path_factory.mktemp("demo") / "repo"
    init(repo)
    put(repo, "certified-connectors/Demo", DEMO / "old")
    put(repo, "certified-connectors/Gone", DEMO / "old")
    commit(repo, "master")
    git(repo, "checkout", "-q", "-b", "dev")
    put(repo, "certified-connectors/Demo", DEMO / "new")
    put(repo, "certified-connectors/Gone", None)
    put(repo, "custom-connectors/Fresh", DEMO / "new")
    broken = repo / "independent-publisher-connectors/Broken"
    put(repo, "independent-publisher-connectors/Broken", DEMO / "new")
    swagger = broken / "apiDefinition.swagger.json"
    text = swagger.read_bytes()
    swagger.write_bytes(text.replace(b'",\n', b'"\n', 1))  # a missing comma
    commit(repo, "dev")
    return repo


# --------------------------------------------------------------------------- comparing

def key(change) -> tuple:
    return (change.rule, change.level, change.location, change.operation, repr(change.old), repr(change.new),
            change.file, change.pointer, change.side, change.details)


def assert_same_as_direct_diff(entry, old_dir: Path, new_dir: Path) -> None:
    old, new = load_connector(str(old_dir)), load_connector(str(new_dir))
    expected = diff(old, new)
    assert [key(c) for c in entry.changes] == [key(c) for c in expected.changes], entry.path
    assert entry.status is Status.CHANGED
    assert (entry.old_version, entry.new_version) == (old.version, new.version)
    assert entry.bump == bump_level(expected.changes)
    if entry.version_check is not None:
        assert entry.version_check == check_version(old.version, new.version, entry.bump)
    else:
        assert entry.version_problem.startswith("cannot check the version")
    assert [(w.line, w.column, w.message) for w in entry.warnings] == [
        (w.line, w.column, w.message) for w in [*old.warnings, *new.warnings]]


# --------------------------------------------------------------------------- the core

def test_finding_connector_folders():
    paths = ["certified-connectors/A/apiDefinition.swagger.json", "certified-connectors/A/icon.png",
             "certified-connectors/B/Readme.md", "certified-connectors/C/settings.json",
             "certified-connectors/D/sub/apiProperties.json", "custom-connectors/E/apiDefinition.json",
             "independent-publisher-connectors/F G/script.csx", "schemas/apiDefinition.json",
             "other/H/apiProperties.json"]
    assert connector_folders(paths) == ["certified-connectors/A", "custom-connectors/E",
                                        "independent-publisher-connectors/F G"]
    assert connector_folders(paths, ["other/*"]) == ["other/H"]
    assert connector_folders(paths, ["**/D/*"]) == ["certified-connectors/D/sub"]
    assert connector_folders(paths, ["./certified-connectors/[AD]/"]) == ["certified-connectors/A"]


def test_each_history_step_matches_diffing_the_folders(corpus, history_repo):
    paths = index(corpus, "history")
    steps = max(len(versions(corpus, slug)) for slug in HISTORY)
    seen = 0
    for step in range(1, steps):
        result = audit(history_repo, f"h{step:02d}..h{step + 1:02d}", jobs=1)
        expected = {paths[s]: s for s in HISTORY if step < len(versions(corpus, s))}
        assert {e.path for e in result.connectors} == set(expected), step
        for entry in result.connectors:
            found = versions(corpus, expected[entry.path])
            assert_same_as_direct_diff(entry, found[step - 1], found[step])
            seen += 1
    assert seen == sum(len(versions(corpus, s)) - 1 for s in HISTORY)


def test_whole_history_range_and_parallel_workers_agree(corpus, history_repo):
    paths = index(corpus, "history")
    serial = audit(history_repo, f"h01..h{max(len(versions(corpus, s)) for s in HISTORY):02d}", jobs=1)
    parallel = audit(history_repo, serial.range.spec, jobs=3)
    assert parallel.jobs == 3
    assert [e.to_dict() for e in parallel.connectors] == [e.to_dict() for e in serial.connectors]
    by_path = {e.path: e for e in serial.connectors}
    for slug in HISTORY:
        found = versions(corpus, slug)
        assert_same_as_direct_diff(by_path[paths[slug]], found[0], found[-1])


def test_deployed_vs_dev_range(corpus, dvd_repo):
    result = audit(dvd_repo, "master..dev")
    paths = index(corpus, "deployed-vs-dev")
    by_path = {e.path: e for e in result.connectors}
    assert set(by_path) == set(paths.values()) | {
        "certified-connectors/dox42", "certified-connectors/Tilkee", "independent-publisher-connectors/XSOAR"}
    for slug, path in paths.items():
        assert_same_as_direct_diff(by_path[path], corpus / "deployed-vs-dev" / slug / "deployed",
                                   corpus / "deployed-vs-dev" / slug / "dev")
    removed, added, broken = (by_path["certified-connectors/dox42"], by_path["certified-connectors/Tilkee"],
                              by_path["independent-publisher-connectors/XSOAR"])
    assert (removed.status, removed.changes, removed.worst.value) == (Status.REMOVED, [], "breaking")
    assert removed.old_version == load_connector(str(versions(corpus, "dox42")[0])).version
    assert (added.status, added.new_version, added.changes) == (Status.ADDED, "2.0.0", [])
    assert broken.status is Status.ERROR
    assert broken.error.startswith("dev:independent-publisher-connectors/XSOAR/apiDefinition.swagger.json:10:7: ")
    assert (broken.error_position.file, broken.error_position.line) == ("apiDefinition.swagger.json", 10)
    factset = by_path["certified-connectors/FactSet"]  # master's swagger has trailing commas
    assert factset.warnings and all(str(w).startswith("master:certified-connectors/FactSet/") for w in factset.warnings)
    assert result.fails(None) is False and result.fails(result.connectors[0].worst) is True


def test_merge_base_compares_with_where_the_branch_started(corpus, tmp_path):
    repo = tmp_path / "repo"
    init(repo)
    kanbanize, dox42 = versions(corpus, "kanbanize"), versions(corpus, "dox42")
    put(repo, "certified-connectors/Kanbanize", kanbanize[0])
    put(repo, "certified-connectors/dox42", dox42[0])
    commit(repo, "base")
    git(repo, "checkout", "-q", "-b", "pr")
    put(repo, "certified-connectors/Kanbanize", kanbanize[1])
    commit(repo, "the pull request")
    git(repo, "checkout", "-q", "master")
    put(repo, "certified-connectors/dox42", dox42[1])
    commit(repo, "master moves on")
    two_dot = audit(repo, "master..pr")
    assert [e.path for e in two_dot.connectors] == ["certified-connectors/Kanbanize", "certified-connectors/dox42"]
    for spec, flag in (("master...pr", False), ("master..pr", True)):
        result = audit(repo, spec, merge_base=flag)
        assert result.range.merge_base and result.range.old_commit == git(repo, "rev-parse", "master~1").strip()
        assert [e.path for e in result.connectors] == ["certified-connectors/Kanbanize"]
        assert_same_as_direct_diff(result.connectors[0], kanbanize[0], kanbanize[1])


def test_lines_point_at_the_element_in_the_right_file(dvd_repo):
    """Every located finding's line, in the new file (the old one for a removal), holds
    the key of the element it is about."""
    result = audit(dvd_repo, "master..dev", lines=True)
    checked = 0
    for entry in result.connectors:
        if entry.status is not Status.CHANGED:
            continue
        texts = {}
        for change, position in zip(entry.changes, entry.positions):
            if change.file is None or not change.file.endswith(".json") or not change.pointer:
                continue
            rev = "master" if position.side == "old" else "dev"
            if (rev, change.file) not in texts:
                data = subprocess.run(["git", "-C", str(dvd_repo), "show", f"{rev}:{entry.file_path(change.file)}"],
                                      capture_output=True, check=True).stdout
                texts[(rev, change.file)] = data.decode("utf-8", "replace").split("\n")
            line = texts[(rev, change.file)][position.line - 1]
            last = change.pointer[-1]
            if isinstance(last, str):
                assert json.dumps(last, ensure_ascii=False) in line, (entry.path, change.location, position)
            else:  # an array item: its value starts there
                assert line[position.column - 1] in '{["-0123456789tfn', (entry.path, change.location, position)
            checked += 1
        swagger = git(dvd_repo, "show", f"dev:{entry.file_path(entry.swagger_name)}").split("\n")
        assert '"version"' in swagger[entry.version_position.line - 1], entry.path
    assert checked > 2000


# --------------------------------------------------------------------------- the command

@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, ["audit", *args], catch_exceptions=False)

    return invoke


@pytest.mark.parametrize("fmt,ext", [("text", "txt"), ("markdown", "md"), ("junit", "junit.xml"),
                                     ("github", "github.txt"), ("json", "json")])
def test_demo_audit_matches_golden_file(run, demo_repo, fmt, ext):
    result = run("--repo", str(demo_repo), "-f", fmt)
    assert result.exit_code == 0, result.output
    check_golden(f"audit/demo.{ext}", result.output)


@pytest.mark.parametrize("fmt,ext", [("junit", "junit.xml"), ("github", "github.txt")])
def test_diff_speaks_the_ci_formats_too(fmt, ext, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["diff", "fixtures/demo/old", "fixtures/demo/new", "-f", fmt],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    check_golden(f"diff/demo.{ext}", result.output)


def validate_junit(text: str) -> ET.Element:
    """The common JUnit XML shape: testsuites > testsuite > testcase > failure|error."""
    root = ET.fromstring(text.encode())
    assert root.tag == "testsuites"
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in root:
        assert suite.tag == "testsuite" and suite.get("name")
        cases = list(suite)
        assert all(case.tag == "testcase" and case.get("name") and case.get("classname") for case in cases)
        failures = sum(1 for case in cases if case.find("failure") is not None)
        errors = sum(1 for case in cases if case.find("error") is not None)
        assert (int(suite.get("tests")), int(suite.get("failures")), int(suite.get("errors"))) == (
            len(cases), failures, errors)
        for case in cases:
            for child in case:
                assert child.tag in ("failure", "error", "system-out")
                if child.tag != "system-out":
                    assert child.get("message") is not None and child.get("type")
        totals["tests"] += len(cases)
        totals["failures"] += failures
        totals["errors"] += errors
    assert {k: int(root.get(k)) for k in totals} == totals
    return root


def test_junit_shape_and_fail_on(run, demo_repo, dvd_repo):
    root = validate_junit(run("--repo", str(demo_repo), "-f", "junit").output)
    suites = {s.get("name"): s for s in root}
    assert suites["independent-publisher-connectors/Broken"].find("testcase/error") is not None
    assert suites["certified-connectors/Gone"].find("testcase/failure").get("type") == "breaking"
    demo = suites["certified-connectors/Demo"]
    failed_types = {c.find("failure").get("type") for c in demo if c.find("failure") is not None}
    assert failed_types == {"breaking"}
    strict = validate_junit(run("--repo", str(demo_repo), "-f", "junit", "--fail-on", "risky",
                                "--check-version").output)
    demo = {s.get("name"): s for s in strict}["certified-connectors/Demo"]
    assert {c.find("failure").get("type") for c in demo if c.find("failure") is not None} >= {
        "breaking", "risky"}
    assert demo.find("testcase[@name='declared-version info/version']/failure") is not None
    validate_junit(run("--repo", str(dvd_repo), "-f", "junit").output)


ANNOTATION = re.compile(r"^::(error|warning|notice) ((?:[a-z]+=[^,:]*,?)*)::(.*)$")


def test_github_annotations_carry_real_lines(run, demo_repo):
    out = run("--repo", str(demo_repo), "-f", "github").output.splitlines()
    annotations = [ANNOTATION.match(line) for line in out if line.startswith("::")]
    assert annotations and all(annotations)
    new_swagger = git(demo_repo, "show", "dev:certified-connectors/Demo/apiDefinition.swagger.json").split("\n")
    old_swagger = git(demo_repo, "show", "master:certified-connectors/Demo/apiDefinition.swagger.json").split("\n")
    lined = 0
    for match in annotations:
        props = dict(p.split("=", 1) for p in match.group(2).split(","))
        if props.get("file") != "certified-connectors/Demo/apiDefinition.swagger.json" or "line" not in props:
            continue
        line = int(props["line"])
        removal = props["title"] in ("operation-removed", "parameter-removed", "response-property-removed",
                                      "request-property-removed", "operation-renamed")
        text = (old_swagger if removal else new_swagger)[line - 1]
        assert text.strip().startswith(('"', "{")), (props, text)
        lined += 1
    assert lined >= 10
    assert any(m.group(1) == "error" and "title=load-error" in m.group(2) and "line=" in m.group(2)
               for m in annotations)


def test_exit_statuses(run, demo_repo, history_repo):
    assert run("--repo", str(demo_repo)).exit_code == 0
    assert run("--repo", str(demo_repo), "--fail-on", "breaking").exit_code == 1
    quiet = run("--repo", str(history_repo), "h01..h02", "--ignore", "*", "--fail-on", "cosmetic")
    assert quiet.exit_code == 0, quiet.output
    assert run("--repo", str(history_repo), "h01..h02", "--ignore", "*", "--check-version").exit_code == 0
    assert run("--repo", str(history_repo), "h01..h02", "--check-version").exit_code == 1


@pytest.mark.parametrize("args,message", [
    (("nosuch..dev",), "nosuch: unknown revision"),
    (("--", "-x..dev"), "is not a git revision"),
    (("master..dev", "--fail-on", "worst"), "Invalid value for '--fail-on'"),
])
def test_bad_input_is_one_line_and_status_2(run, demo_repo, args, message):
    result = run("--repo", str(demo_repo), *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_not_a_repository(run, tmp_path):
    result = run("--repo", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"connver: error: {tmp_path}: not a git repository "
                                                  "(pass a clone with --repo DIR)"]


def test_json_output_lines_path_and_output_file(run, demo_repo, tmp_path):
    data = json.loads(run("--repo", str(demo_repo), "-f", "json", "--lines").output)
    assert data["schema"] == 1 and data["range"]["from"] == "master" and data["range"]["to"] == "dev"
    demo = next(c for c in data["connectors"] if c["path"] == "certified-connectors/Demo")
    assert demo["old_version"] == "1.0" and demo["new_version"] == "1.1" and demo["bump"] == "major"
    assert demo["version_ok"] is False and demo["version_status"] == "under-bumped"
    assert all(isinstance(c["line"], int) for c in demo["changes"] if c["file"].endswith(".json"))
    assert "line" not in json.loads(run("--repo", str(demo_repo), "-f", "json").output)["connectors"][0]["changes"][0]
    only = json.loads(run("--repo", str(demo_repo), "-f", "json", "--path", "custom-connectors/*").output)
    assert [c["path"] for c in only["connectors"]] == ["custom-connectors/Fresh"]
    report = tmp_path / "report.xml"
    result = run("--repo", str(demo_repo), "-f", "junit", "-o", str(report))
    assert result.exit_code == 0 and result.output.startswith("connver audit master..dev")
    validate_junit(report.read_text(encoding="utf-8"))


def test_progress_bar_only_when_asked_or_on_a_terminal(run, demo_repo, monkeypatch):
    assert "auditing" not in run("--repo", str(demo_repo)).stderr
    shown = run("--repo", str(demo_repo), "--progress")
    assert shown.exit_code == 0 and "auditing" in shown.stderr
    monkeypatch.setenv("CI", "true")
    from cli.audit import show_progress

    class Terminal:
        def isatty(self):
            return True

    assert show_progress(Terminal()) is False
    monkeypatch.delenv("CI")
    assert show_progress(Terminal()) is True


def test_junit_escapes_what_xml_cannot_carry():
    from versioning.render.findings import Finding
    from versioning.render.junit import _document

    text = _document("t", [("s<&>", [Finding("s<&>", "finding", "r", 'a <b> & "c"\x01\x1b', failed=True)])])
    case = ET.fromstring(text.encode()).find("testsuite/testcase/failure")
    assert case.get("message") == 'a <b> & "c"\ufffd\ufffd'


def test_staged_compares_head_with_the_index(run, tmp_path):
    repo = tmp_path / "repo"
    init(repo)
    put(repo, "certified-connectors/Demo", DEMO / "old")
    first = run("--repo", str(repo), "--staged", "-f", "json")  # no commit yet: all added
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["connectors"] == []  # nothing staged yet
    git(repo, "add", "-A")
    data = json.loads(run("--repo", str(repo), "--staged", "-f", "json").output)
    assert [(c["path"], c["status"]) for c in data["connectors"]] == [("certified-connectors/Demo", "added")]
    commit(repo, "first")
    put(repo, "certified-connectors/Demo", DEMO / "new")
    assert json.loads(run("--repo", str(repo), "--staged", "-f", "json").output)["connectors"] == []
    git(repo, "add", "-A")
    staged = run("--repo", str(repo), "--staged", "--fail-on", "breaking")
    assert staged.exit_code == 1 and "certified-connectors/Demo  changed  1.0 → 1.1" in staged.output
    direct = diff(load_connector(str(DEMO / "old")), load_connector(str(DEMO / "new")))
    result = audit(repo, staged=True)
    assert [key(c) for c in result.connectors[0].changes] == [key(c) for c in direct.changes]
    assert run("--repo", str(repo), "--staged", "HEAD..dev").exit_code == 2


def test_pre_commit_hook_entries_run(demo_repo, tmp_path):
    """Each hook in .pre-commit-hooks.yaml runs as written (minus the executable)."""
    import shlex

    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    entries = dict(zip(re.findall(r"^- id: (\S+)$", text, re.M), re.findall(r"^  entry: (.+)$", text, re.M)))
    assert set(entries) == {"connver-audit", "connver-audit-push"}
    runner = CliRunner()
    for hook, entry in entries.items():
        words = shlex.split(entry)
        assert words[:2] == ["connver", "audit"]
        result = runner.invoke(cli, [*words[1:], "--repo", str(demo_repo)], catch_exceptions=False)
        assert result.exit_code == 0, (hook, result.output)  # nothing staged; dev..HEAD is empty
    pattern = re.search(r"^  files: (.+)$", text, re.M).group(1)
    assert re.search(pattern, "certified-connectors/X Y/apiDefinition.swagger.json")
    assert not re.search(pattern, "certified-connectors/X/Readme.md")


def test_diff_json_lines_on_request(monkeypatch):
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    plain = json.loads(runner.invoke(cli, ["diff", "fixtures/demo/old", "fixtures/demo/new", "-f", "json"]).output)
    lined = json.loads(runner.invoke(cli, ["diff", "fixtures/demo/old", "fixtures/demo/new", "-f", "json",
                                           "--lines"]).output)
    assert all("line" not in c for c in plain["changes"])
    assert [{k: v for k, v in c.items() if k != "line"} for c in lined["changes"]] == plain["changes"]
    texts = {side: (DEMO / side / "apiDefinition.swagger.json").read_text().split("\n") for side in ("old", "new")}
    for change in lined["changes"]:
        if change["file"] == "apiDefinition.swagger.json" and change["pointer"]:
            last = change["pointer"].rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
            line = texts[change["side"]][change["line"] - 1]
            assert f'"{last}"' in line or last.isdigit(), (change["location"], line)
