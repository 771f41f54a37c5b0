"""Only versioning/store talks to GitPython, and only when a store command needs it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from connver.store import default_store_dir
from connver.store.refs import looks_like_store_reference, parse_reference, safe_connector_id

ROOT = Path(__file__).resolve().parents[2]


def _imports_git(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in ("git", "gitdb") for a in node.names):
            lines.append(node.lineno)
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("git", "gitdb") and not node.level:
            lines.append(node.lineno)
    return lines


def test_gitpython_is_imported_only_inside_the_git_layer_and_only_in_functions():
    for path in sorted((ROOT / "versioning").rglob("*.py")) + sorted((ROOT / "cli").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = _imports_git(tree)
        if path.parent.name != "git" or path.parent.parent.name != "versioning":
            assert not found, f"{path.relative_to(ROOT)} imports GitPython"
        top_level = [n.lineno for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        assert not set(found) & set(top_level), f"{path.relative_to(ROOT)} imports GitPython at module level"


def test_store_modules_and_commands_load_without_git_or_click_in_the_core():
    code = ("import sys\n"
            "import connver.store, connver.store.snapshots, connver.store.refs, connver.store.redact\n"
            "import connver.store.records, connver.store.lock, connver.paconn\n"
            "print(sorted(m for m in ('git', 'gitdb', 'click') if m in sys.modules))\n"
            "import connver.cli.snapshot, connver.cli.log, connver.cli.show, connver.cli.restore, connver.cli.list_, connver.cli.import_, connver.cli.download, connver.cli.store\n"
            "print(sorted(m for m in ('git', 'gitdb') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[:2] == ["[]", "[]"]


def test_default_store_dir_follows_connver_store_then_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("CONNVER_STORE", str(tmp_path / "explicit"))
    assert default_store_dir() == tmp_path / "explicit"
    monkeypatch.delenv("CONNVER_STORE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_store_dir() == tmp_path / "xdg" / "connver" / "store"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_store_dir() == tmp_path / "home" / ".local" / "share" / "connver" / "store"


def test_the_default_store_is_used_without_store_or_environment(run, monkeypatch, tmp_path, contoso):
    monkeypatch.delenv("CONNVER_STORE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert run("snapshot", contoso["contoso-v1"], "--channel", "dev").exit_code == 0
    assert (tmp_path / "xdg" / "connver" / "store" / "HEAD").is_file()


def test_reference_syntax(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert looks_like_store_reference("contoso@dev")
    assert not looks_like_store_reference("old/contoso")
    assert not looks_like_store_reference("master:certified-connectors/X")
    (tmp_path / "contoso@dev").mkdir()
    assert not looks_like_store_reference("contoso@dev")  # it exists on disk
    ref = parse_reference("c@deployed~3")
    assert (ref.kind, ref.channel, ref.back) == ("channel", "deployed", 3)
    assert parse_reference("c").spec == "~0"
    assert safe_connector_id("Ünïcode Connector") == "Ünïcode-Connector"
