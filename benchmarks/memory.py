"""Benchmark: peak memory (VmHWM) of connver commands on a large synthetic swagger.

    python benchmarks/memory.py            # 50 MB and 200 MB
    python benchmarks/memory.py 20 100     # other sizes, in MB

The definition is built by repeating the operations of fixtures/demo (each copy under new
paths and operationIds); the new side changes one parameter per copy. Each command runs
in its own process; the peak resident set size (``/proc/self/status`` VmHWM, else
``getrusage``) is printed with its ratio to the bytes of the definitions read (two for
``diff``), and with the interpreter's own baseline taken off.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_MEASURE = r"""
import resource, sys
def peak():
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
import connver.cli.main as m
base = peak()
try:
    m.cli.main(sys.argv[1:], prog_name="connver", standalone_mode=True)
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print("PEAK", base, peak(), code, file=sys.stderr)
"""


def build(folder: Path, megabytes: float, *, changed: bool) -> int:
    """A connector folder whose swagger is about ``megabytes`` MB; its size in bytes."""
    demo = json.loads((ROOT / "fixtures" / "demo" / "old" / "apiDefinition.swagger.json").read_text("utf-8"))
    one = json.dumps(demo["paths"])
    copies = max(1, int(megabytes * 1024 * 1024 / (2.2 * len(one))))  # indent=2 about doubles it
    paths = {}
    for i in range(copies):
        for path, item in json.loads(one).items():
            for op in item.values():
                if isinstance(op, dict) and "operationId" in op:
                    op["operationId"] += f"_{i}"
                    if changed:
                        for parameter in op.get("parameters", []):
                            if parameter.get("in") == "query":
                                parameter["required"] = True
            paths[f"/c{i}{path}"] = item
    demo["paths"] = paths
    folder.mkdir(parents=True)
    data = json.dumps(demo, indent=2).encode("utf-8")
    (folder / "apiDefinition.swagger.json").write_bytes(data)
    (folder / "apiProperties.json").write_bytes((ROOT / "fixtures" / "demo" / "old" / "apiProperties.json").read_bytes())
    return len(data)


def measure(args: list[str], env=None) -> tuple[int, int, int]:
    """(baseline, peak, exit status) of ``connver ARGS`` in a fresh process."""
    done = subprocess.run([sys.executable, "-c", _MEASURE, *args], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    line = next((l for l in done.stderr.splitlines() if l.startswith("PEAK ")), None)
    if line is None:
        raise SystemExit(f"connver {' '.join(args)} did not finish: {done.stderr.strip()[-500:]}")
    _, base, peak, code = line.split()
    return int(base), int(peak), int(code)


def main() -> int:
    sizes = [float(a) for a in sys.argv[1:]] or [50.0, 200.0]
    import os

    for megabytes in sizes:
        with tempfile.TemporaryDirectory(prefix="connver-memory-") as tmp:
            old, new = Path(tmp) / "old" / "big", Path(tmp) / "new" / "big"
            size = build(old, megabytes, changed=False)
            size_new = build(new, megabytes, changed=True)
            env = dict(os.environ, CONNVER_MAX_FILE_SIZE="2G", SOURCE_DATE_EPOCH="1700000000")
            store = Path(tmp) / "store"
            for name, args, read in (
                ("diff -f json", ["diff", str(old), str(new), "-f", "json"], size + size_new),
                ("snapshot", ["snapshot", str(old), "--channel", "dev", "--store", str(store)], size),
            ):
                base, peak, code = measure(args, env)
                print(f"{size / 2**20:7.1f} MB  {name:14s} peak {peak / 2**20:8.1f} MB  "
                      f"peak/input {peak / read:5.2f}  (without the {base / 2**20:.0f} MB interpreter: "
                      f"{(peak - base) / read:5.2f}; input = the definitions read)  exit {code}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
