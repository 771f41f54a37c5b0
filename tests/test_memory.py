"""Memory stays within a small multiple of the input: diff and snapshot of a 20 MB swagger.

Measured with benchmarks/memory.py (peak resident set, VmHWM, of a fresh process, minus the
interpreter's own baseline, over the bytes of the definitions read): diff -f json of two
18 MB definitions peaks at 8.1 to 8.7 times their 36 MB (the parsed JSON alone is about 3.3
times the text in CPython, and both sides are held with their model), snapshot of one at
5.4 times. The bounds leave room for allocator noise, not for another copy of the input.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import memory  # noqa: E402  (benchmarks/memory.py)

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")

#: peak minus baseline, per byte of definition read
DIFF_BOUND = 11.0
SNAPSHOT_BOUND = 7.5


def test_diff_and_snapshot_peak_memory_stays_within_a_small_multiple(tmp_path):
    old, new = tmp_path / "old" / "big", tmp_path / "new" / "big"
    size = memory.build(old, 20, changed=False)
    size_new = memory.build(new, 20, changed=True)
    assert size > 15 * 2**20
    env = dict(os.environ, CONNVER_MAX_FILE_SIZE="1G", SOURCE_DATE_EPOCH="1700000000")
    base, peak, code = memory.measure(["diff", str(old), str(new), "-f", "json"], env)
    assert code == 0
    ratio = (peak - base) / (size + size_new)
    assert ratio < DIFF_BOUND, f"diff peaked at {peak / 2**20:.0f} MB: {ratio:.2f} times its input"
    base, peak, code = memory.measure(["snapshot", str(old), "--channel", "dev", "--store", str(tmp_path / "s")], env)
    assert code == 0
    ratio = (peak - base) / size
    assert ratio < SNAPSHOT_BOUND, f"snapshot peaked at {peak / 2**20:.0f} MB: {ratio:.2f} times its input"
