"""The planted secrets of test_secret_shapes, in every encoding connver reads, never reach
an output: every diff and audit format, bump, notes, changelog (from git history), and
upgrade-check's and upgrade's conflict reports. (test_secret_shapes covers the store's
objects and diff's json, text, markdown, github and junit for UTF-8.)
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from conftest import FIXTURES
from connver.secrets import MARKER


def _shapes():
    """The planted secrets of test_secret_shapes.py (tests import in importlib mode)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("_secret_shapes", Path(__file__).with_name("test_secret_shapes.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_SHAPES = _shapes()
ENCODINGS, SECRETS, planted = _SHAPES.ENCODINGS, _SHAPES.SECRETS, _SHAPES.planted

DIFF_FORMATS = ["text", "json", "markdown", "github", "junit", "sarif", "azure", "html"]


def _clean(tmp_path, name="clean"):
    folder = tmp_path / name / "planted"
    shutil.copytree(FIXTURES / "demo" / "old", folder)
    return folder


def _no_secret(result, what):
    assert "this is a bug" not in result.output, result.output
    for value in SECRETS:
        assert value not in result.output, (what, SECRETS[value])


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_diff_bump_and_notes_in_every_format_and_encoding(run, tmp_path, encoding):
    clean, secret = _clean(tmp_path), planted(tmp_path, encoding)
    for old, new in ((clean, secret), (secret, clean)):
        for fmt in DIFF_FORMATS:
            result = run("diff", old, new, "-f", fmt)
            assert result.exit_code in (0, 1), result.output
            _no_secret(result, f"diff -f {fmt}")
        for fmt in ("text", "markdown", "json"):
            _no_secret(run("bump", old, new, "-f", fmt), f"bump -f {fmt}")
            _no_secret(run("notes", old, new, "-f", fmt), f"notes -f {fmt}")


def _read(path):
    data = path.read_bytes()
    encoding = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}.get(data[:2], "utf-8")
    return data.decode(encoding), encoding


def _bump(folder, suffix):
    """Change every planted secret to itself + ``suffix``, in the file's own encoding."""
    for name in ("apiProperties.json", "settings.json"):
        text, encoding = _read(folder / name)
        for secret in SECRETS:
            text = text.replace(secret, secret + suffix)
        (folder / name).write_bytes(text.encode(encoding))


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_upgrade_conflicts_never_print_either_side_s_secret(run, tmp_path, encoding):
    base = planted(tmp_path / "base", encoding)
    fork = planted(tmp_path / "fork", encoding)
    upstream = planted(tmp_path / "upstream", encoding)
    _bump(fork, "FORK")
    _bump(upstream, "UPSTREAM")
    changed = [s + suffix for s in SECRETS for suffix in ("FORK", "UPSTREAM")]
    assert "OAUTHSECRET1aFORK" in _read(fork / "apiProperties.json")[0]
    for fmt in ("text", "markdown", "json"):
        result = run("upgrade-check", fork, "--upstream", upstream, "--base", base, "-f", fmt)
        assert result.exit_code in (0, 1), result.output
        _no_secret(result, f"upgrade-check -f {fmt}")
        for value in changed:
            assert value not in result.output, (fmt, value)
    out = tmp_path / "merged"
    result = run("upgrade", fork, "--upstream", upstream, "--base", base, "-o", out, "-f", "json")
    assert result.exit_code in (0, 1), result.output
    for value in changed:
        assert value not in result.output, value
    report = out / "connver-conflicts.json"
    if report.exists():
        text = report.read_text("utf-8")
        for value in changed:
            assert value not in text, ("connver-conflicts.json", value)


def _git(*args, cwd):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True,
                   capture_output=True, env={"GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
                                             "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
                                             "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(cwd)})


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_audit_changelog_and_import_from_git_never_show_a_secret(run, tmp_path, encoding, store_dir):
    repo = tmp_path / "repo"
    folder = repo / "certified-connectors" / "planted"
    shutil.copytree(FIXTURES / "demo" / "old", folder)
    _git("init", "-q", "-b", "master", cwd=repo)
    _git("add", "-A", cwd=repo)
    _git("commit", "-qm", "clean", cwd=repo)
    shutil.rmtree(folder)
    shutil.copytree(planted(tmp_path, encoding), folder)
    new = json.loads((folder / "apiDefinition.swagger.json").read_text("utf-8"))
    new["info"]["version"] = "1.1"
    (folder / "apiDefinition.swagger.json").write_text(json.dumps(new, indent=2), "utf-8")
    _git("add", "-A", cwd=repo)
    _git("commit", "-qm", "secrets", cwd=repo)
    for fmt in ["text", "markdown", "json", "junit", "github", "azure", "sarif", "html"]:
        result = run("audit", "HEAD~1..HEAD", "--repo", repo, "-f", fmt)
        assert result.exit_code in (0, 1), result.output
        _no_secret(result, f"audit -f {fmt}")
    for fmt in ("markdown", "json"):
        result = run("changelog", "--repo", repo, "--path", "certified-connectors/planted", "-f", fmt)
        assert result.exit_code == 0, result.output
        _no_secret(result, f"changelog -f {fmt}")
    result = run("import", repo, "--history")
    assert result.exit_code == 0, result.output
    _no_secret(result, "import")
    objects = subprocess.run(["git", "--git-dir", str(store_dir), "grep", "-a", "-c", "-e", "SECRET", "-e", "KEY",
                              "main", "--"], capture_output=True)
    found = objects.stdout.decode("utf-8", "replace")
    for value in SECRETS:
        assert value not in found
    restored = run("restore", "planted@deployed", tmp_path / "back")
    assert restored.exit_code == 0, restored.output
    for name in ("apiProperties.json", "settings.json"):
        data = (tmp_path / "back" / name).read_bytes()
        assert data[:2] == (folder / name).read_bytes()[:2]  # the encoding is kept
        enc = "utf-16-le" if data[:2] == b"\xff\xfe" else "utf-16-be" if data[:2] == b"\xfe\xff" else "utf-8"
        text = data.decode(enc)
        assert MARKER in text
        for value in SECRETS:
            assert value not in text
