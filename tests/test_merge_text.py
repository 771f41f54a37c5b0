"""script.csx merges by lines (git merge-file through connver.git); icon.png stays whole.

The first test reproduces a real report: the fork added one comment line to script.csx,
upstream added 25 operations and their code; the merged script has both.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from connver.merge import ConflictKind, Prefer, merge_text
from flowkit import INVOICES

HEAD = """public class Script : ScriptBase
{
    public override async Task<HttpResponseMessage> ExecuteAsync()
    {
        switch (this.Context.OperationId)
        {
"""
TAIL = """        }
        return await this.Context.SendAsync(this.Context.Request, this.CancellationToken);
    }
}
"""


def case(op: str) -> str:
    return f'            case "{op}":\n                return await Handle{op}().ConfigureAwait(false);\n'


BASE = HEAD + case("GetInvoice") + TAIL
FORK = "// Fabrikam: routed through our gateway\n" + BASE
UPSTREAM = HEAD + case("GetInvoice") + "".join(case(f"Op{i}") for i in range(25)) + TAIL


def test_fork_comment_and_upstream_operations_both_kept():
    merged = merge_text(BASE.encode(), FORK.encode(), UPSTREAM.encode(), file="script.csx")
    assert merged.conflicts == ()
    text = merged.text.decode()
    assert text == "// Fabrikam: routed through our gateway\n" + UPSTREAM
    assert merged.marked == merged.text


def test_overlapping_hunks_are_conflicts_with_line_ranges():
    base = "a\nb\nc\nd\ne\n"
    fork = "a\nB fork\nc\nd\ne\nfork tail\n"
    upstream = "a\nB upstream\nextra\nc\nd\ne\n"
    for prefer, middle in ((Prefer.FORK, "B fork\n"), (Prefer.UPSTREAM, "B upstream\nextra\n")):
        merged = merge_text(base.encode(), fork.encode(), upstream.encode(), file="script.csx", prefer=prefer)
        assert merged.text.decode() == "a\n" + middle + "c\nd\ne\nfork tail\n"   # the clean hunk applies
        [conflict] = merged.conflicts
        assert (conflict.kind, conflict.location, conflict.kept) == (ConflictKind.BOTH_CHANGED, "lines/2", prefer)
        assert conflict.base == {"lines": [2, 2], "text": "b\n"}
        assert conflict.fork == {"lines": [2, 2], "text": "B fork\n"}
        assert conflict.upstream == {"lines": [2, 3], "text": "B upstream\nextra\n"}
        marked = merged.marked.decode()
        assert "<<<<<<< yours\nB fork\n=======\nB upstream\nextra\n>>>>>>> upstream\n" in marked


def test_both_inserting_at_the_same_place_is_a_conflict_after_that_line():
    merged = merge_text(b"a\nb\n", b"a\nmine\nb\n", b"a\ntheirs\nb\n", file="script.csx")
    [conflict] = merged.conflicts
    assert conflict.location == "lines/after-1"
    assert conflict.base == {"lines": [2, 1], "text": ""}
    assert merged.text == b"a\nmine\nb\n"


def test_same_change_on_both_sides_is_not_a_conflict():
    merged = merge_text(b"a\nb\n", b"a\nB\n", b"a\nB\n", file="script.csx")
    assert merged.conflicts == () and merged.text == b"a\nB\n"


# --------------------------------------------------------------------------- through the CLI


def folders(tmp_path: Path, scripts: dict[str, bytes], icons: dict[str, bytes] | None = None) -> list[Path]:
    out = []
    for name in ("base", "fork", "upstream"):
        folder = tmp_path / name
        shutil.copytree(INVOICES / "base", folder)
        (folder / "script.csx").write_bytes(scripts[name])
        if icons:
            (folder / "icon.png").write_bytes(icons[name])
        out.append(folder)
    return out


def upgrade(base: Path, fork: Path, upstream: Path, out: Path, *extra: str):
    return CliRunner().invoke(cli, ["upgrade", str(fork), "--upstream", str(upstream), "--base", str(base),
                                    "--output", str(out), "--format", "json", *extra])


def test_upgrade_merges_the_script_and_check_finds_nothing_left(tmp_path):
    base, fork, upstream = folders(tmp_path, {"base": BASE.encode(), "fork": FORK.encode(),
                                              "upstream": UPSTREAM.encode()})
    out = tmp_path / "out"
    result = upgrade(base, fork, upstream, out)
    assert result.exit_code == 0, result.output
    assert (out / "script.csx").read_text() == "// Fabrikam: routed through our gateway\n" + UPSTREAM
    check = CliRunner().invoke(cli, ["upgrade-check", str(out), "--upstream", str(upstream), "--base", str(base),
                                     "--format", "json"])
    assert json.loads(check.stdout)["incoming"] == []


@pytest.mark.parametrize("markers", [False, True])
def test_script_conflict_is_listed_and_markers_only_when_asked(tmp_path, markers):
    scripts = {"base": BASE.encode(),
               "fork": BASE.replace("GetInvoice()", "GetInvoiceFabrikam()").encode(),
               "upstream": BASE.replace("GetInvoice()", "GetInvoiceV2()").encode()}
    base, fork, upstream = folders(tmp_path, scripts)
    out = tmp_path / "out"
    result = upgrade(base, fork, upstream, out, *(["--conflict-markers"] if markers else []))
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    [conflict] = data["conflicts"]
    assert conflict["file"] == "script.csx" and conflict["location"] == "lines/8"
    assert "GetInvoiceFabrikam" in conflict["fork"]["text"] and "GetInvoiceV2" in conflict["upstream"]["text"]
    written = (out / "script.csx").read_text()
    saved = json.loads((out / "connver-conflicts.json").read_text())
    assert saved["conflicts"][0]["upstream"]["lines"] == [8, 8]
    if markers:
        assert data["conflict_markers"] == ["script.csx"] and saved["conflict_markers"] == ["script.csx"]
        assert "<<<<<<< yours" in written and "GetInvoiceFabrikam" in written and "GetInvoiceV2" in written
    else:
        assert data["conflict_markers"] == []
        assert written == scripts["fork"].decode()          # the overlapping lines are yours, nothing else lost


def test_icon_stays_whole_file(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"
    icons = {"base": png + b"base", "fork": png + b"fork", "upstream": png + b"upstream"}
    base, fork, upstream = folders(tmp_path, {n: BASE.encode() for n in ("base", "fork", "upstream")}, icons)
    out = tmp_path / "out"
    result = upgrade(base, fork, upstream, out, "--prefer", "upstream")
    assert result.exit_code == 1
    [conflict] = json.loads(result.stdout)["conflicts"]
    assert conflict["file"] == "icon.png" and conflict["fork"].startswith("sha256:")
    assert (out / "icon.png").read_bytes() == icons["upstream"]


DOCS_BASE = """public class Script : ScriptBase
{
    public override async Task<HttpResponseMessage> ExecuteAsync()
    {
        var timeout = TimeSpan.FromSeconds(30);

        this.Context.Request.Headers.Add("X-Client", "connector");
        return await this.Context.SendAsync(this.Context.Request, this.CancellationToken);
    }
}
"""


def test_docs_example_script():
    """The worked example in docs/upgrade.md, "What merges how"."""
    fork = "// Fabrikam: routed through our gateway\n" + DOCS_BASE.replace("(30)", "(60)")
    upstream = DOCS_BASE.replace("(30)", "(45)").replace('"connector"', '"connector/2.0"')
    merged = merge_text(DOCS_BASE.encode(), fork.encode(), upstream.encode(), file="script.csx")
    assert merged.text.decode() == fork.replace('"connector"', '"connector/2.0"')
    [conflict] = merged.conflicts
    assert conflict.to_dict() == {
        "file": "script.csx", "location": "lines/5", "kind": "both-changed",
        "base": {"lines": [5, 5], "text": "        var timeout = TimeSpan.FromSeconds(30);\n"},
        "fork": {"lines": [6, 6], "text": "        var timeout = TimeSpan.FromSeconds(60);\n"},
        "upstream": {"lines": [5, 5], "text": "        var timeout = TimeSpan.FromSeconds(45);\n"},
        "kept": "fork", "pointer": "", "side": "fork"}
    assert ("    {\n<<<<<<< yours\n        var timeout = TimeSpan.FromSeconds(60);\n=======\n"
            "        var timeout = TimeSpan.FromSeconds(45);\n>>>>>>> upstream\n\n") in merged.marked.decode()
