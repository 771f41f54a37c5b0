"""`connver changelog` over every connector history in ../shared/corpus/history.

Each history is rebuilt as a real git repository (one commit per corpus version, at the
connector's folder, with the commit's original date and subject), then
`connver changelog --repo ... --path ...` runs on it. The changelog must be well formed,
and its version sections must be versions.tsv's info_version column with consecutive equal
values collapsed (a version that is not valid JSON is an "unreadable" section), newest
first, each dated by its last commit.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from conftest import CORPUS
from history_repo import build_history
from connver import load_connector
from connver.changelog import END_MARKER, START_MARKER
from connver.errors import VersioningError
from connver.notes import SECTION_ORDER

pytestmark = pytest.mark.corpus

HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\] - (?P<date>\d{4}-\d{2}-\d{2})$")
COMMITS = re.compile(r"^(?P<n>\d+) commits?: ")


def _slugs() -> list[str]:
    index = CORPUS / "history" / "index.tsv"
    if not index.exists():
        return []
    with index.open(encoding="utf-8") as fh:
        return [row["slug"] for row in csv.DictReader(fh, delimiter="\t")]


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def expected_sections(rows: list[dict[str, str]], lenient=lambda row: "unreadable") -> list[tuple[str, str, int]]:
    """(version, date of the last commit, commits) per section, newest first.

    ``lenient(row)`` gives the version of a row whose swagger is not strict JSON.

    >>> expected_sections([{"info_version": "1.0", "date": "2020-01-01T10:00:00+02:00"},
    ...                    {"info_version": "1.0", "date": "2020-02-01T10:00:00+02:00"},
    ...                    {"info_version": "(not strict JSON: X)", "date": "2020-03-01T01:00:00+05:30"}])
    [('unreadable', '2020-03-01', 1), ('1.0', '2020-02-01', 2)]
    """
    sections: list[list] = []
    for row in rows:
        version = lenient(row) if row["info_version"].startswith("(not strict JSON") else row["info_version"]
        if sections and sections[-1][0] == version:
            sections[-1][1] = row["date"][:10]
            sections[-1][2] += 1
        else:
            sections.append([version, row["date"][:10], 1])
    return [tuple(s) for s in reversed(sections)]


@pytest.mark.parametrize("slug", _slugs() or ["(corpus absent)"])
def test_changelog_sections_follow_versions_tsv(corpus, slug, tmp_path):
    history = corpus / "history"
    index = {row["slug"]: row["connector"] for row in _read_tsv(history / "index.tsv")}
    rows = _read_tsv(history / slug / "versions.tsv")
    folders = {p.name.split("_", 1)[0]: p for p in (history / slug).iterdir() if p.is_dir()}
    repo = tmp_path / "PowerPlatformConnectors"
    build_history(repo, index[slug], [(folders[r["NN"]], r["date"], r["subject"]) for r in rows])

    result = CliRunner().invoke(cli, ["changelog", "--repo", str(repo), "--path", index[slug]],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    lines = text.splitlines()

    # well formed
    assert lines[0] == "# Changelog"
    assert sum(line.startswith(START_MARKER) for line in lines) == 1
    assert lines.count(END_MARKER) == 1 and lines[-1] == END_MARKER
    sections = []
    for line in lines:
        if line.startswith("## "):
            match = HEADING.match(line)
            assert match, f"bad version heading {line!r}"
            sections.append([match["version"], match["date"], None, []])
        elif line.startswith("### "):
            assert sections, f"{line!r} outside a version section"
            sections[-1][3].append(line[4:])
        elif COMMITS.match(line):
            sections[-1][2] = int(COMMITS.match(line)["n"])
    for version, _, _, subsections in sections:
        steps = [s for s in subsections if s.startswith("Breaking steps under ")]
        assert steps in ([], [f"Breaking steps under {version}"]) and subsections[len(subsections) - len(steps):] == steps
        subsections = subsections[:len(subsections) - len(steps)]
        names = [s.value for s in SECTION_ORDER]
        assert all(s in names for s in subsections), (version, subsections)
        assert subsections == sorted(subsections, key=names.index), (version, subsections)
        assert len(set(subsections)) == len(subsections)

    # the version sections are versions.tsv's, consecutive equal versions collapsed
    def lenient(row):  # a swagger that is not strict JSON: what the tolerant loader makes of it
        folder = folders[row["NN"]]
        try:
            version = load_connector(str(folder)).version
        except VersioningError:
            return "unreadable"
        raw = (folder / "apiDefinition.swagger.json").read_bytes().decode("utf-8", "replace")
        assert re.search(r'"version"\s*:\s*"' + re.escape(version) + '"', raw)  # the text really says so
        return version

    assert [tuple(s[:3]) for s in sections] == expected_sections(rows, lenient)
    assert sum(s[2] for s in sections) == len(rows)
    # every breaking change says what to do
    assert text.count("- **What to do:**") >= sum(1 for line in lines if line == "### Breaking changes")
    # a swagger that needed repairs is said so, in its section and on stderr
    repaired = [r for r in rows if r["info_version"].startswith("(not strict JSON") and lenient(r) != "unreadable"]
    if repaired:
        assert "> Repaired when read: " in text
        assert result.stderr.count("connver: warning: ") >= len(repaired)
