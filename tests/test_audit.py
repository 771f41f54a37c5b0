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

from connver.cli.main import cli
from golden import check_golden
from connver import Level, diff, load_connector
from connver.audit import PUBLIC_PATHS, Status, audit, connector_folders
from connver.version import bump_level, check_version

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
    assert connector_folders(paths, PUBLIC_PATHS) == ["certified-connectors/A", "custom-connectors/E",
                                                      "independent-publisher-connectors/F G"]
    # by default, every folder that holds a definition file (a team's own layout needs no option)
    assert connector_folders(paths) == ["certified-connectors/A", "certified-connectors/D/sub", "custom-connectors/E",
                                        "independent-publisher-connectors/F G", "other/H", "schemas"]
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
        "certified-connectors/dox42", "certified-connectors/Tilkee", "independent-publisher-connectors/XSOAR",
        "schemas"}  # any folder with a definition is audited: one that is no swagger is an error, not skipped
    assert by_path["schemas"].status is Status.ERROR and "not a Swagger 2.0 definition" in by_path["schemas"].error
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


def assert_line_declares(lines: list[str], line: int, column: int, pointer: tuple, where) -> None:
    """Line ``line`` (1-based) declares the element at ``pointer``: its key, or for an array
    item (and the document itself) the start of its value."""
    text = lines[line - 1]
    if pointer and isinstance(pointer[-1], str):
        assert json.dumps(pointer[-1], ensure_ascii=False) in text, (where, text)
    else:
        assert text[column - 1] in '{["-0123456789tfn', (where, text)


def resolve(doc, pointer: tuple):
    for key in pointer:
        doc = doc[key]
    return doc


def test_lines_point_at_the_element_in_the_new_file(dvd_repo):
    """Every located finding's line is in the NEW file (GitHub shows annotations there) and
    declares the element; a removal's line declares its nearest ancestor that the new file
    still holds, and its old_line declares the element in the old file."""
    from connver.jsonload import load_json

    result = audit(dvd_repo, "master..dev", lines=True)
    checked = removals = 0
    for entry in result.connectors:
        if entry.status is not Status.CHANGED:
            continue
        texts, docs = {}, {}
        for rev in ("master", "dev"):
            for name in {c.file for c in entry.changes if c.file and c.file.endswith(".json")}:
                data = subprocess.run(["git", "-C", str(dvd_repo), "show", f"{rev}:{entry.file_path(name)}"],
                                      capture_output=True, check=True).stdout
                texts[(rev, name)] = data.decode("utf-8", "replace").split("\n")
                docs[(rev, name)] = load_json(data, name)[0]
        for change, position in zip(entry.changes, entry.positions):
            if change.file is None or not change.file.endswith(".json") or not change.pointer:
                continue
            where = (entry.path, change.rule, change.location, position)
            assert position.side == "new", where  # every file here exists on both sides
            if change.side != "old":
                assert position.anchor is None and position.old_line is None, where
                assert_line_declares(texts[("dev", change.file)], position.line, position.column, change.pointer,
                                     where)
                checked += 1
                continue
            anchor, pointer = position.anchor, change.pointer
            assert [k for k in anchor if isinstance(k, str)] == [k for k in pointer[:len(anchor)]
                                                                 if isinstance(k, str)], where
            held = resolve(docs[("dev", change.file)], anchor)  # it is in the new file...
            if len(anchor) < len(pointer) and isinstance(held, dict) and isinstance(pointer[len(anchor)], str):
                assert pointer[len(anchor)] not in held, where  # ...and nothing nearer is
            assert_line_declares(texts[("dev", change.file)], position.line, position.column, anchor, where)
            assert_line_declares(texts[("master", change.file)], position.old_line, position.old_column, pointer,
                                 where)
            checked += 1
            removals += 1
        swagger = git(dvd_repo, "show", f"dev:{entry.file_path(entry.swagger_name)}").split("\n")
        assert '"version"' in swagger[entry.version_position.line - 1], entry.path
    assert checked > 2000 and removals > 80


# --------------------------------------------------------------------------- the command

@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, ["audit", *args], catch_exceptions=False)

    return invoke


@pytest.mark.parametrize("fmt,ext", [("text", "txt"), ("markdown", "md"), ("junit", "junit.xml"),
                                     ("github", "github.txt"), ("json", "json"), ("sarif", "sarif.json"),
                                     ("azure", "azure.txt")])
def test_demo_audit_matches_golden_file(run, demo_repo, fmt, ext):
    result = run("--repo", str(demo_repo), "-f", fmt)
    assert result.exit_code == 0, result.output
    check_golden(f"audit/demo.{ext}", result.output)


@pytest.mark.parametrize("fmt,ext", [("junit", "junit.xml"), ("github", "github.txt"), ("sarif", "sarif.json"),
                                     ("azure", "azure.txt")])
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


REMOVED_NOTE = re.compile(r"removed: the line is that of its nearest remaining parent, (\S*|the document root); "
                          r"it was declared at line (\d+) of the old file\)$")


def pointer_keys(text: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p.replace("~1", "/").replace("~0", "~") for p in text.split("/")[1:])


def test_github_annotations_carry_real_lines_of_the_new_file(run, demo_repo):
    """GitHub shows an annotation on the new file: every line is the new file's, a removal's
    is its nearest remaining parent's, and the message gives the old file's line."""
    out = run("--repo", str(demo_repo), "-f", "github", "--annotations", "0").output.splitlines()
    annotations = [ANNOTATION.match(line) for line in out if line.startswith("::")]
    assert annotations and all(annotations)
    assert not out[-1].startswith("::") and out[-1].startswith("connver audit master..dev: 4 connector(s)")
    new_swagger = git(demo_repo, "show", "dev:certified-connectors/Demo/apiDefinition.swagger.json").split("\n")
    old_swagger = git(demo_repo, "show", "master:certified-connectors/Demo/apiDefinition.swagger.json").split("\n")
    lined = removals = 0
    for match in annotations:
        props = dict(p.split("=", 1) for p in match.group(2).split(","))
        if props.get("file") != "certified-connectors/Demo/apiDefinition.swagger.json" or "line" not in props:
            continue
        line, column = int(props["line"]), int(props["col"])
        assert new_swagger[line - 1].strip().startswith(('"', "{")), (props, new_swagger[line - 1])
        note = REMOVED_NOTE.search(match.group(3))
        if props["title"] in ("operation-removed", "response-property-removed", "request-property-removed"):
            assert note, match.group(3)
            anchor = pointer_keys(note.group(1)) if note.group(1) != "the document root" else ()
            assert_line_declares(new_swagger, line, column, anchor, props)
            removed = match.group(3).split(" of ")[0].split()[-1].split("/")[-1]  # assignee, notes...
            if props["title"] == "operation-removed":
                removed = "operationId"  # the old line is the operation's method key; its id follows
                assert '"get"' in old_swagger[int(note.group(2)) - 1]
            else:
                assert f'"{removed}"' in old_swagger[int(note.group(2)) - 1], (props, note.group(2))
            removals += 1
        else:
            assert note is None
        lined += 1
    assert lined >= 10 and removals == 5
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


def test_report_file_is_replaced_whole_or_not_at_all(run, demo_repo, tmp_path, monkeypatch):
    from faults import disk_full

    report = tmp_path / "reports" / "audit.json"
    report.parent.mkdir()
    assert run("--repo", str(demo_repo), "-f", "json", "-o", str(report)).exit_code == 0
    before = report.read_bytes()
    assert json.loads(before)["schema"] == 1
    link = tmp_path / "latest.json"
    link.symlink_to(report)  # a link is followed: it stays a link and its target gets the report
    assert run("--repo", str(demo_repo), "-f", "json", "-o", str(link)).exit_code == 0
    assert link.is_symlink() and report.read_bytes() == before
    failed = disk_full(monkeypatch, tmp_path)
    result = run("--repo", str(demo_repo), "-f", "json", "-o", str(report))
    assert failed and result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"connver: error: {report}: cannot write it: no space left on the device")
    assert report.read_bytes() == before and os.listdir(report.parent) == ["audit.json"]  # no half report, no leftovers


def test_report_goes_straight_through_to_a_pipe_and_bad_targets_are_refused_first(run, demo_repo, tmp_path, monkeypatch):
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = run("--repo", str(demo_repo), "-f", "json", "-o", str(fifo))
    reader.join(10)
    assert result.exit_code == 0 and json.loads(got[0])["range"]["to"] == "dev"  # as `-o /dev/stdout` in a CI step
    import connver.audit

    def must_not_run(*args, **kwargs):
        raise AssertionError("the audit ran although its report could not be written")

    monkeypatch.setattr(connver.audit, "audit", must_not_run)
    missing = run("--repo", str(demo_repo), "-o", str(tmp_path / "no-such-folder" / "r.txt"))
    assert missing.exit_code == 2 and "no-such-folder" in missing.stderr
    read_only = tmp_path / "old.txt"
    read_only.write_text("previous report")
    read_only.chmod(0o444)
    refused = run("--repo", str(demo_repo), "-o", str(read_only))
    assert refused.exit_code == 2 and refused.stderr.strip().splitlines() == [
        f"connver: error: {read_only}: is a read-only file (make it writable (chmod u+w) and run again)"]
    assert read_only.read_text() == "previous report"


def test_progress_bar_only_when_asked_or_on_a_terminal(run, demo_repo, monkeypatch):
    assert "auditing" not in run("--repo", str(demo_repo)).stderr
    shown = run("--repo", str(demo_repo), "--progress")
    assert shown.exit_code == 0 and "auditing" in shown.stderr
    monkeypatch.setenv("CI", "true")
    from connver.cli.audit import show_progress

    class Terminal:
        def isatty(self):
            return True

    assert show_progress(Terminal()) is False
    monkeypatch.delenv("CI")
    assert show_progress(Terminal()) is True


def test_junit_escapes_what_xml_cannot_carry():
    from connver.render.findings import Finding
    from connver.render.junit import _document

    text = _document("t", [("s<&>", [Finding("s<&>", "finding", "r", 'a <b> & "c"\x01\x1b', failed=True)])])
    case = ET.fromstring(text.encode()).find("testsuite/testcase/failure")
    assert case.get("message") == 'a <b> & "c"??'


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
    words = {hook: shlex.split(entry) for hook, entry in entries.items()}
    assert all(w[:2] == ["connver", "audit"] for w in words.values())
    # nothing staged (pre-commit's --all-files): not a silent pass
    idle = runner.invoke(cli, [*words["connver-audit"][1:], "--repo", str(demo_repo)], catch_exceptions=False)
    assert idle.exit_code == 2 and "nothing was audited" in idle.stderr
    # pre-push: the refs pre-commit passes, not a guessed branch
    push = runner.invoke(cli, [*words["connver-audit-push"][1:], "--repo", str(demo_repo)], catch_exceptions=False,
                         env={"PRE_COMMIT_FROM_REF": "master", "PRE_COMMIT_TO_REF": "dev"})
    assert push.exit_code == 1 and "certified-connectors/Demo" in push.stdout
    unset = runner.invoke(cli, [*words["connver-audit-push"][1:], "--repo", str(demo_repo)], catch_exceptions=False,
                          env={"PRE_COMMIT_FROM_REF": "", "PRE_COMMIT_TO_REF": ""})
    assert unset.exit_code == 2 and "PRE_COMMIT_FROM_REF" in unset.stderr
    pattern = re.search(r"^  files: (.+)$", text, re.M).group(1)
    assert re.search(pattern, "certified-connectors/X Y/apiDefinition.swagger.json")
    assert re.search(pattern, "De Lijn/De-Lijn-Zoek.swagger.json") and re.search(pattern, "apiProperties.json")
    assert not re.search(pattern, "certified-connectors/X/Readme.md")
    # the hook runs for every file the audit reads (a connector file in another case too)
    from connver.audit import is_definition_file

    for name in ("apiDefinition.swagger.json", "apiDefinition.json", "apiProperties.json", "script.csx", "icon.png",
                 "Script.csx", "ApiProperties.json", "Icon.PNG", "De-Lijn-Zoek.swagger.json", "Contoso_openapidefinition.json"):
        assert is_definition_file(name) and re.search(pattern, f"certified-connectors/X/{name}"), name
    for name in ("settings.json", "Readme.md", "x.schema.json"):
        assert not is_definition_file(name) and not re.search(pattern, f"certified-connectors/X/{name}"), name


def test_diff_json_lines_on_request(monkeypatch):
    """``line`` is in the new file (a removal: its nearest remaining parent); ``old_line``
    is where a removed element was declared in the old file."""
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    plain = json.loads(runner.invoke(cli, ["diff", "fixtures/demo/old", "fixtures/demo/new", "-f", "json"]).output)
    lined = json.loads(runner.invoke(cli, ["diff", "fixtures/demo/old", "fixtures/demo/new", "-f", "json",
                                           "--lines"]).output)
    assert all("line" not in c and "old_line" not in c for c in plain["changes"])
    assert [{k: v for k, v in c.items() if k not in ("line", "old_line")} for c in lined["changes"]] == plain["changes"]
    texts = {side: (DEMO / side / "apiDefinition.swagger.json").read_text().split("\n") for side in ("old", "new")}
    removals = 0
    for change in lined["changes"]:
        if change["file"] == "apiDefinition.swagger.json" and change["pointer"]:
            last = change["pointer"].rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
            assert texts["new"][change["line"] - 1].strip().startswith(('"', "{")), change["location"]
            if change["side"] == "old":
                line = texts["old"][change["old_line"] - 1]
                removals += 1
            else:
                assert change["old_line"] is None
                line = texts["new"][change["line"] - 1]
            assert f'"{last}"' in line or last.isdigit(), (change["location"], line)
    assert removals == 5


# --------------------------------------------------------------------------- input defects, --strict

@pytest.fixture(scope="module")
def defects_repo(tmp_path_factory):
    """master..dev: Cut's apiProperties.json is truncated on dev (the swagger is unchanged);
    Fixed's swagger had a trailing comma on master that dev removes; Same does not change."""
    repo = tmp_path_factory.mktemp("defects") / "repo"
    init(repo)
    put(repo, "certified-connectors/Cut", DEMO / "new")
    put(repo, "certified-connectors/Fixed", DEMO / "old")
    put(repo, "certified-connectors/Same", DEMO / "old")
    swagger = repo / "certified-connectors/Fixed/apiDefinition.swagger.json"
    swagger.write_bytes(swagger.read_bytes().replace(b'"version": "1.0"\n', b'"version": "1.0",\n', 1))
    commit(repo, "master")
    git(repo, "checkout", "-q", "-b", "dev")
    properties = repo / "certified-connectors/Cut/apiProperties.json"
    properties.write_bytes(properties.read_bytes()[:200])
    put(repo, "certified-connectors/Fixed", DEMO / "old")
    commit(repo, "dev")
    return repo


def test_load_warnings_are_printed_in_every_format(run, defects_repo):
    repo = str(defects_repo)
    text = run("--repo", repo, "--fail-on", "breaking")
    assert text.exit_code == 0, text.output  # tolerated: without --strict the audit passes
    cut = re.search(r"^  warning +dev:certified-connectors/Cut/apiProperties\.json:(\d+):(\d+): .*"
                    r"apiProperties\.json could not be read", text.output, re.M)
    fixed = re.search(r"^  warning +master:certified-connectors/Fixed/apiDefinition\.swagger\.json:6:\d+: "
                      r"trailing comma", text.output, re.M)
    assert cut and fixed, text.output
    assert text.output.rstrip().endswith("; 2 load warning(s)")
    markdown = run("--repo", repo, "-f", "markdown").output
    assert "- warning: `dev:certified-connectors/Cut/apiProperties.json:" in markdown
    assert "<code>certified-connectors/Cut</code>: changed, 1 load warning(s)</summary>" in markdown
    assert "- warning: `master:certified-connectors/Fixed/apiDefinition.swagger.json:6:" in markdown
    data = json.loads(run("--repo", repo, "-f", "json").output)
    warnings = {c["path"]: c["warnings"] for c in data["connectors"]}
    assert [len(warnings["certified-connectors/Cut"]), len(warnings["certified-connectors/Fixed"])] == [1, 1]
    suites = {s.get("name"): s for s in validate_junit(run("--repo", repo, "-f", "junit").output)}
    case = suites["certified-connectors/Cut"].find("testcase[@name='load-warning']")
    assert case.get("file") == "certified-connectors/Cut/apiProperties.json" and case.get("line") == cut.group(1)
    old = suites["certified-connectors/Fixed"].find("testcase[@name='load-warning']")
    assert old.get("file") == "certified-connectors/Fixed/apiDefinition.swagger.json" and old.get("line") is None
    assert "(line 6 of the old file)" in old.find("system-out").text
    github = run("--repo", repo, "-f", "github").output.splitlines()
    assert (f"::warning file=certified-connectors/Cut/apiProperties.json,line={cut.group(1)},col={cut.group(2)},"
            "title=load-warning::Cut: dev:certified-connectors/Cut/apiProperties.json:") in "\n".join(github)
    old_line = next(line for line in github if "title=load-warning::Fixed" in line)
    assert old_line.startswith("::warning file=certified-connectors/Fixed/apiDefinition.swagger.json,title=")
    assert old_line.endswith("(line 6 of the old file)")  # no line on the new file: it has no defect there
    assert github[-1].endswith("; 2 load warning(s)")


def test_strict_fails_a_connector_whose_new_files_have_defects(run, defects_repo):
    assert audit(defects_repo).fails(None) is False
    result = audit(defects_repo, strict=True)
    by_path = {e.path: e for e in result.connectors}
    cut, fixed = by_path["certified-connectors/Cut"], by_path["certified-connectors/Fixed"]
    assert cut.status is Status.ERROR and cut.error.startswith("--strict: 1 input defect(s)")
    assert (cut.error_position.file, cut.error_position.side) == ("apiProperties.json", "new")
    assert fixed.status is Status.CHANGED and len(fixed.warnings) == 1  # fixed on dev: no failure
    assert result.fails(None) is True and fixed.fails(None, strict=True) is False
    strict = run("--repo", str(defects_repo), "--strict")
    assert strict.exit_code == 1, strict.output
    assert re.search(r"^certified-connectors/Cut +error ", strict.output, re.M)
    assert re.search(r"^certified-connectors/Fixed +changed ", strict.output, re.M)
    assert "; 1 could not be read or had input defects (--strict); 2 load warning(s)" in strict.output
    data = json.loads(run("--repo", str(defects_repo), "--strict", "-f", "json").output)
    assert [(c["path"], c["status"]) for c in data["connectors"]] == [
        ("certified-connectors/Cut", "error"), ("certified-connectors/Fixed", "changed")]
    github = run("--repo", str(defects_repo), "--strict", "-f", "github").output
    assert "::error file=certified-connectors/Cut/apiProperties.json,line=" in github
    assert ",title=load-error::Cut: --strict: 1 input defect(s)" in github


def test_a_change_that_mends_an_unreadable_definition_passes_and_says_so(run, tmp_path):
    # A real pull request of the public repository ("one comma", #2362) added the comma its
    # dev side lacked: the previous version cannot be read, so there is nothing to classify,
    # and the change that mends it must not fail the gate (breaking it still does).
    repo = tmp_path / "repo"
    init(repo)
    put(repo, "certified-connectors/Mended", DEMO / "old")
    put(repo, "certified-connectors/Broken", DEMO / "old")
    mended = repo / "certified-connectors/Mended/apiDefinition.swagger.json"
    good = mended.read_bytes()
    bad = good.replace(b'"Manage tasks in Contoso Tasks.",', b'"Manage tasks in Contoso Tasks."', 1)  # a missing comma
    assert bad != good
    mended.write_bytes(bad)
    commit(repo, "master")
    git(repo, "checkout", "-q", "-b", "dev")
    mended.write_bytes(good)
    (repo / "certified-connectors/Broken/apiDefinition.swagger.json").write_bytes(bad)
    commit(repo, "dev")
    gate = ("--repo", str(repo), "--fail-on", "cosmetic", "--strict", "--check-version")
    both = run(*gate)
    assert both.exit_code == 1, both.output  # Broken: its new files cannot be read
    assert re.search(r"^certified-connectors/Broken +error ", both.output, re.M)
    row = re.search(r"^certified-connectors/Mended +changed +\? → 1\.0 ", both.output, re.M)
    assert row, both.output
    assert re.search(r"^  warning +master:certified-connectors/Mended/apiDefinition\.swagger\.json:\d+:\d+: the "
                     r"previous version could not be read, so this change is not classified", both.output, re.M)
    alone = run("--repo", str(repo), "--fail-on", "cosmetic", "--check-version", "--path", "certified-connectors/Mended")
    assert alone.exit_code == 0, alone.output
    (entry,) = audit(repo, paths=["certified-connectors/Mended"], strict=True).connectors
    assert entry.status is Status.CHANGED and entry.old_unreadable and not entry.changes
    assert not entry.fails(Level.COSMETIC, check_version=True, strict=True)
    assert entry.version_ok is None and entry.bump is None and entry.warning_sides == ["old"]
    github = run("--repo", str(repo), "--path", "certified-connectors/Mended", "-f", "github").output
    assert "::warning file=certified-connectors/Mended/apiDefinition.swagger.json,title=load-warning::" in github


def test_a_connector_file_named_in_another_case_is_read_and_said(run, tmp_path):
    # certified-connectors/jbhunt holds Script.csx: a change to it is a change to the connector
    repo = tmp_path / "repo"
    init(repo)
    folder = "certified-connectors/Cased"
    put(repo, folder, DEMO / "old")
    (repo / folder / "Script.csx").write_text("public class Script { }\n")
    commit(repo, "master")
    git(repo, "checkout", "-q", "-b", "dev")
    (repo / folder / "Script.csx").write_text("public class Script { int retries = 3; }\n")
    commit(repo, "dev")
    result = run("--repo", str(repo), "-f", "json")
    (entry,) = json.loads(result.output)["connectors"]
    assert [c["rule"] for c in entry["changes"]] == ["script-changed"]
    assert any("Script.csx" in w and "read as the connector's script.csx" in w for w in entry["warnings"])
    for spec in (f"master:{folder}", str(repo / folder)):  # a REV:PATH and a folder read it too
        source = load_connector(spec, repo=repo)
        assert source.source.files["script.csx"].startswith(b"public class Script")
    changed = diff(load_connector(f"master:{folder}", repo=repo), load_connector(f"dev:{folder}", repo=repo))
    assert [c.rule for c in changed.changes] == ["script-changed"]
    said = [str(w) for w in load_connector(str(repo / folder)).warnings]
    assert said == [f"{repo / folder}/Script.csx:1:1: read as the connector's script.csx: the name differs from it in "
                    "case, which Windows and macOS ignore and Linux does not; rename it script.csx"]


def test_a_swagger_under_another_name_is_read_by_every_reader(run, tmp_path):
    # five folders of the public repository (De-Lijn-Zoek.swagger.json, apidefinition.swagger.json...)
    repo = tmp_path / "repo"
    init(repo)
    folder = "independent-publisher-connectors/De Lijn"
    put(repo, folder, DEMO / "old")
    (repo / folder / "apiDefinition.swagger.json").rename(repo / folder / "De-Lijn-Zoek.swagger.json")
    commit(repo, "master")
    git(repo, "checkout", "-q", "-b", "dev")
    shutil.copy(DEMO / "new" / "apiDefinition.swagger.json", repo / folder / "De-Lijn-Zoek.swagger.json")
    commit(repo, "dev")
    audited = json.loads(run("--repo", str(repo), "-f", "json").output)["connectors"]
    read = diff(load_connector(f"master:{folder}", repo=repo), load_connector(f"dev:{folder}", repo=repo))
    assert read.new.swagger_name == "De-Lijn-Zoek.swagger.json" and len(read.changes) > 5
    assert [(c["rule"], c["location"]) for c in audited[0]["changes"]] == [(c.rule, c.location) for c in read.changes]
    for source in (load_connector(f"dev:{folder}", repo=repo), load_connector(str(repo / folder))):
        assert source.swagger_name == "De-Lijn-Zoek.swagger.json"
        assert any("read as the connector's definition" in str(w) for w in source.warnings)
    log = CliRunner().invoke(cli, ["changelog", "--repo", str(repo), "--path", folder, "-f", "json"])
    assert log.exit_code == 0, log.output
    assert [v["heading"] for v in json.loads(log.stdout)["versions"]] == ["1.1", "1.0"]
    store = tmp_path / "store"
    imported = CliRunner().invoke(cli, ["import", str(repo), "--ref", "dev", "--store", str(store), "--path", folder, "-q"])
    assert imported.exit_code == 0, imported.output
    listed = json.loads(CliRunner().invoke(cli, ["list", "--store", str(store), "-f", "json"]).stdout)
    assert [(e["latest"]["dev"]["version"]) for e in listed] == ["1.1"]


def test_strict_fails_a_connector_that_cannot_be_loaded_without_fail_on(run, demo_repo):
    args = ("--repo", str(demo_repo), "--path", "independent-publisher-connectors/*")  # Broken only
    assert run(*args).exit_code == 0
    assert run(*args, "--strict").exit_code == 1


def test_summary_counts_removed_connectors_as_breaking_and_unreadable_ones_apart(run, demo_repo):
    result = audit(demo_repo)
    assert result.counts["breaking"] == result.summary["breaking"] + 1  # Gone
    gone = next(e for e in result.connectors if e.status is Status.REMOVED)
    assert (gone.summary["breaking"], gone.counts["breaking"]) == (0, 1)
    text = run("--repo", str(demo_repo)).output
    assert re.search(r"^certified-connectors/Gone +removed +1\.0 → +- +- +1 +0 +0 +0 +0$", text, re.M)
    assert re.search(r"^independent-publisher-connectors/Broken +error +\? +- +- +\? +\? +\? +\? +\?$", text, re.M)
    summary = f"{result.counts['breaking']} breaking (incl. 1 removed connector), "
    assert text.splitlines()[-1].startswith("Summary: " + summary)
    assert "; 1 could not be read;" in text.splitlines()[-1]
    github = run("--repo", str(demo_repo), "-f", "github").output.splitlines()[-1]
    assert github.startswith(f"connver audit master..dev: 4 connector(s), 3 failing; {summary}")
    assert "; 1 could not be read;" in github
    markdown = run("--repo", str(demo_repo), "-f", "markdown").output
    assert f"Summary: {summary}" in markdown
    assert "| `certified-connectors/Gone` | removed | 1.0 → | - | - | 1 | 0 | 0 | 0 | 0 |" in markdown


def test_diff_github_files_an_old_file_defect_on_the_old_file(tmp_path, monkeypatch):
    for side in ("old", "new"):
        shutil.copytree(DEMO / side, tmp_path / side)
    swagger = tmp_path / "old" / "apiDefinition.swagger.json"
    swagger.write_bytes(swagger.read_bytes().replace(b'"version": "1.0"\n', b'"version": "1.0",\n', 1))
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(cli, ["diff", "old", "new", "-f", "github"], catch_exceptions=False).output.splitlines()
    warning = next(line for line in out if "title=load-warning" in line)
    assert warning.startswith("::warning file=old/apiDefinition.swagger.json,line=6,col=")
    assert warning.endswith("(line in the old file)")
    # the demo pair's second cosmetic finding is the residual pass's (an x-ms-api-annotation added)
    assert out[-1] == ("connver diff old new: 22 finding(s), 11 failing; 11 breaking, 1 risky, 1 deprecation, "
                       "7 additive, 2 cosmetic; 1 load warning(s)")


# --------------------------------------------------------------------------- --path, --lines, ASCII

def test_a_path_pattern_that_matches_no_folder_is_reported(run, demo_repo, defects_repo):
    none = run("--repo", str(demo_repo), "--path", "Demo")
    assert none.exit_code == 2 and none.stdout == ""
    assert none.stderr.splitlines() == [
        "connver: warning: --path 'Demo' matches no connector folder in master or dev (a pattern names connector "
        "folders relative to the repository root, e.g. 'certified-connectors/Demo')",
        "connver: error: --path matched no connector folder (see the warning(s) above)"]
    some = run("--repo", str(demo_repo), "--path", "Demo", "--path", "custom-connectors/*", "-f", "json")
    assert some.exit_code == 0
    assert [c["path"] for c in json.loads(some.stdout)["connectors"]] == ["custom-connectors/Fresh"]
    assert some.stderr.count("connver: warning: --path 'Demo' matches no connector folder") == 1
    folder = run("--repo", str(demo_repo), "--path", "certified-connectors")  # the parent, not a connector
    assert folder.exit_code == 2 and "e.g. 'certified-connectors/*'" in folder.stderr
    # A folder that exists but did not change is no typo: no warning, nothing to audit.
    same = run("--repo", str(defects_repo), "--path", "certified-connectors/Same")
    assert same.exit_code == 0 and same.stderr == "" and "No connector definitions changed" in same.output
    gone = run("--repo", str(demo_repo), "--path", "certified-connectors/Gone")  # only on the old side
    assert gone.exit_code == 0 and gone.stderr == ""


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_lines_is_refused_where_no_line_is_shown(run, demo_repo, fmt):
    result = run("--repo", str(demo_repo), "-f", fmt, "--lines")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [f"connver: error: --lines does not apply to --format {fmt} (it adds line "
                                          "numbers to --format json; junit and github always have them)"]
    assert run("--repo", str(demo_repo), "-f", "github", "--lines").exit_code == 0


def test_ci_formats_are_ascii_where_the_data_is(run, demo_repo):
    """Nothing but the data itself (and the table's arrow) needs more than ASCII, so that a
    report redirected under a legacy code page (cp1252) does not depend on it."""
    for fmt in ("github", "junit", "json"):
        assert run("--repo", str(demo_repo), "-f", fmt).output.isascii(), fmt
    for fmt in ("text", "markdown"):
        assert run("--repo", str(demo_repo), "-f", fmt).output.replace("→", "").isascii(), fmt
