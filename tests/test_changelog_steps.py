"""A version kept through breaking commits: the changelog lists each breaking step."""

from __future__ import annotations

import json
import subprocess

import pytest
from click.testing import CliRunner

from connver.cli.main import cli


@pytest.fixture(scope="module")
def bundle_clone(corpus, tmp_path_factory):
    bundle = corpus / "PowerPlatformConnectors.bundle"
    if not bundle.exists():
        pytest.skip("the bundle is not in ../shared/corpus")
    repo = tmp_path_factory.mktemp("ppc") / "ppc.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(bundle), str(repo)], check=True)
    return repo


def test_docusign_on_dev_lists_its_breaking_steps(bundle_clone):
    args = ["changelog", "--repo", str(bundle_clone), "--path", "certified-connectors/DocuSign", "--ref", "dev"]
    data = json.loads(CliRunner().invoke(cli, [*args, "--format", "json"]).stdout)
    (only,) = [v for v in data["versions"] if v["version"] == "1.0"]
    steps = only["breaking_steps"]
    assert len(steps) >= 2 and sum(len(s["breaking"]) for s in steps) == 27
    assert all(c["level"] == "breaking" for s in steps for c in s["breaking"])
    named = [s["commit"]["id"][:7] for s in steps]
    assert all(n in only["note"] for n in named)

    text = CliRunner().invoke(cli, args).stdout
    block = text.split("### Breaking steps under 1.0", 1)[1]
    assert all(f"#### `{n}`" in block for n in named)
    assert block.count("\n- ") == 27
