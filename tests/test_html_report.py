"""``--format html``: one self-contained page, loaded in a real headless browser (Chromium from
Debian's packages; skipped when it is absent), which renders the text and takes a screenshot."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from connver.cli.main import cli

from test_ci_layouts import many_breaking_repo

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_the_page_is_self_contained_and_escapes_definition_text(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(DEMO / "old", old)
    shutil.copytree(DEMO / "new", new)
    swagger = new / "apiDefinition.swagger.json"
    swagger.write_text(swagger.read_text().replace('"enum": ["normal", "high"]', '"enum": ["normal", "<script>x</script>"]'))
    page = CliRunner().invoke(cli, ["diff", str(old), str(new), "-f", "html"], catch_exceptions=False).stdout
    assert page.startswith("<!DOCTYPE html>") and "ListTasks" in page
    assert "<script" not in page and "&lt;script&gt;" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # no network, no external asset
    assert "<link" not in page


def browser(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                           "--no-first-run", "--hide-scrollbars", *args], capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_an_audit_page_in_a_real_browser(tmp_path):
    repo = many_breaking_repo(tmp_path, 3)
    page = tmp_path / "audit.html"
    result = CliRunner().invoke(cli, ["audit", "--repo", str(repo), "-f", "html", "-o", str(page)],
                                catch_exceptions=False)
    assert result.exit_code == 0 and page.stat().st_size > 1000
    dom = browser("--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = re.sub(r"<[^>]+>", " ", dom.stdout)
    assert "connver audit master..dev" in text and "connectors/C00" in text
    assert "parameter project of ListTasks became required" in text
    shot = tmp_path / "audit.png"
    done = browser(f"--screenshot={shot}", "--window-size=1200,900", page.as_uri())
    assert done.returncode == 0 and shot.exists() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000  # a rendered page, not a blank one
