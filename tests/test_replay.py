"""A bounded slice of benchmarks/replay.py: forks of the public repository's master, with a
maker's typical edits, upgraded to dev keep every fork edit and every upstream change."""

from __future__ import annotations

import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.corpus
SLICE = 40


@pytest.fixture(scope="module")
def replay_module():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import replay
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return replay


def test_forks_of_master_upgraded_to_dev_keep_both_sides(bundle_mirror, replay_module):
    folders = replay_module.changed_folders(bundle_mirror, "master", "dev")
    assert len(folders) > 100
    outcomes = {"held": [], "failed": [], "skipped": []}
    kinds: set[str] = set()
    for folder in folders[:SLICE]:
        outcome, reasons, edits = replay_module.replay(bundle_mirror, folder)
        outcomes[outcome].append((folder, reasons))
        kinds |= set(edits)
    assert outcomes["failed"] == []
    assert len(outcomes["held"]) >= 10
    assert kinds >= {"host", "operation", "policy", "summary"}


def test_a_lost_fork_edit_is_noticed(replay_module):
    """The check can fail: merged files without the fork's policy and operation are caught."""
    import json

    swagger = {"swagger": "2.0", "host": replay_module.FORK_HOST, "paths": {}}
    props = {"properties": {"policyTemplateInstances": []}}
    files = {"apiDefinition.swagger.json": json.dumps(swagger).encode(),
             "apiProperties.json": json.dumps(props).encode(), "script.csx": b"class Script {}\n"}
    edits = {"host": replay_module.FORK_HOST, "operation": replay_module.OPERATION_PATH,
             "policy": replay_module.POLICY["title"], "script": replay_module.SCRIPT_LINE}
    lost = replay_module.missing_edits(files, edits)
    assert lost == ["the added operation is gone", "the fork's policy is gone", "the fork's script line is gone"]
