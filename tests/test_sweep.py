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
