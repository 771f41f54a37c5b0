"""What start-up work the command and the library skip, and that skipping it changes nothing
else: the collector paused while parsing and diffing comes back as it was found, and the
command's quick exit still runs atexit handlers and flushes its output."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from connver import JSONDefectError, diff, load_connector

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "demo"


@pytest.mark.parametrize("enabled", [True, False])
def test_loading_and_diffing_leave_the_collector_as_they_found_it(enabled):
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        result = diff(load_connector(DEMO / "old"), load_connector(DEMO / "new"))
        assert result.changes
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_the_collector_comes_back_when_loading_fails(tmp_path):
    (tmp_path / "apiDefinition.swagger.json").write_text("{ not json", encoding="utf-8")
    assert gc.isenabled()
    with pytest.raises(JSONDefectError):
        load_connector(tmp_path)
    assert gc.isenabled()


def test_the_command_skips_the_final_collection_but_not_atexit_or_its_output():
    code = ("import atexit, gc, sys\n"
            "atexit.register(lambda: print('atexit ran, frozen:', gc.get_freeze_count() > 0, file=sys.stderr))\n"
            "from connver.cli.main import main\n"
            "sys.argv = ['connver', 'diff', sys.argv[1], sys.argv[2], '--format', 'json']\n"
            "try:\n    main()\nexcept SystemExit:\n"
            "    print('frozen before exit:', gc.get_freeze_count() > 0, file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(DEMO / "old"), str(DEMO / "new")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip().endswith("}") and '"summary"' in proc.stdout
    assert "frozen before exit: False" in proc.stderr  # a caller going on after main() is left as it was
    assert "atexit ran, frozen: True" in proc.stderr


def test_the_start_up_benchmark_prints_its_ratios_and_a_comparison():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "startup.py"), str(DEMO / "old"), str(DEMO / "new"),
                           "--repeat", "1", "--against", sys.executable], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("pair: demo/old -> new")
    assert any(line.startswith("connver diff: ") and "(target <= 3)" in line for line in lines)
    assert any(line.startswith("  floor (click + semver + parsing): ") and "; ratio " in line for line in lines)
    assert any(line.startswith("  of which the floor ") and "connver's own share" in line for line in lines)
    against = [line for line in lines if line.startswith(f"against {sys.executable}: connver diff ")]
    assert len(against) == 1 and "of its time" in against[0]
