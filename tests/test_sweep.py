"""A bounded slice of the real-world sweep (benchmarks/sweep.py) over the public repository's
history in ../shared/corpus: no crash, every finding located, every differing leaf reported."""

from __future__ import annotations

import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.corpus
SLICE = 250


def test_a_slice_of_the_dev_history_has_no_crash_and_nothing_silent(bundle_mirror):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import sweep
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    results = list(sweep.sweep(str(bundle_mirror), "dev", limit=SLICE, pattern=None, jobs=1))
    summary = sweep.summarise(results)
    assert summary["pairs"] > SLICE * 0.9
    assert summary["crashes"] == []
    assert summary["unlocated"] == {}  # every finding names its file and a pointer that exists
    assert summary["differing"] > 1000 and summary["covered"] < summary["differing"]
    assert summary["silent"] == []  # 100% reported: every differing leaf under some finding
    assert summary["unclassified"] <= summary["differing"] - summary["covered"]
    assert set(summary["exits"]) <= {"0", "1", "2"}


def test_the_pull_request_sweep_audits_real_commits_without_a_crash(bundle_mirror):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import prs
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    found = prs.audit_prs(str(bundle_mirror), "dev", limit=120)
    assert found["commits"] + sum(found["refused"].values()) == 120
    assert found["crashes"] == []
    assert sum(found["status"].values()) >= found["commits"] * 0.9  # nearly every pull request changes a connector
    assert found["failing"] <= found["commits"] and sum(found["breaking"].values()) > 0
    assert set(found["status"]) <= {"added", "changed", "removed", "error"}
    assert not set(found["mended"]) & set(found["unreadable"])


def test_the_real_pull_request_that_mends_a_definition_passes_the_gate(bundle_mirror):
    # #2362 "Update to Create New File action, one comma": its dev side lacked that comma
    from connver.audit import audit
    from connver.changes import Level

    result = audit(str(bundle_mirror), "d631dda8a2f80f7279a1806e6f90d33be8711cf4^1..d631dda8a2f80f7279a1806e6f90d33be8711cf4")
    (entry,) = result.connectors
    assert entry.path == "certified-connectors/InfoQuery Title Explorer" and entry.status.value == "changed"
    assert entry.old_unreadable and entry.warning_sides == ["old"]
    assert "apiDefinition.swagger.json:280:25: the previous version could not be read" in str(entry.warnings[0])
    assert not result.fails(Level.COSMETIC, check_version=True, strict=True)
