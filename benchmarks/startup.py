"""Benchmark: ``connver diff`` of the largest real pair as a whole process, against a Python
process that only parses the same two files (the issue's start-up target: at most 3 times).

    python benchmarks/startup.py [OLD NEW] [--repeat N] [--python PATH]   # default: the largest pair of ../shared/corpus/history

``--python`` runs both processes with another environment's interpreter (one where connver is
installed with ``pip install .``): an editable install (``pip install -e``) adds its import
hook to the start of every process of its environment, the parse-only one included, which
makes the ratio look smaller than a user's install gives.

``--against PATH`` also runs ``connver diff`` with a second environment's interpreter (an
earlier release, say), alternating with the first in every repetition, and prints its median
and ratio too: on a shared machine, two releases compare fairly only in the same sitting.

Each repetition runs both processes once, alternating; the medians and their ratio are
printed. Three more processes are timed the same way and printed as ratios too, to show
where the time goes: the floor (importing click and semver, which every ``connver`` command
needs, and parsing the two files: what no change to connver's own code can remove), importing
what ``connver diff`` imports, and that plus loading both connectors (no comparison). The last
line splits the diff's time over the floor and connver's own share. Both run with byte-code caching on, into a temporary ``PYTHONPYCACHEPREFIX`` (as
an installed package has its ``.pyc`` files), after one warm-up run that writes them.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HISTORY = ROOT.parent / "shared" / "corpus" / "history"
PARSE_ONLY = ("import json, sys\n"
              "for folder in sys.argv[1:]:\n"
              "    with open(folder + '/apiDefinition.swagger.json', 'rb') as f:\n"
              "        json.loads(f.read())\n")
FLOOR = "import click, semver\n" + PARSE_ONLY
IMPORTS = ("import connver.cli.main, connver.cli.diff, connver.diff, connver.engine, connver.residual, "
           "connver.bump, connver.secrets, connver.render.text, connver.rules.residual\n")
LOAD = IMPORTS + ("import sys\nfrom connver import load_connector\n"
                  "for folder in sys.argv[1:]:\n    load_connector(folder)\n")


def largest_pair() -> tuple[Path, Path]:
    """The consecutive versions whose two swagger files are the largest together."""
    best: tuple[int, Path, Path] | None = None
    for connector in sorted(p for p in HISTORY.iterdir() if p.is_dir()):
        versions = sorted(p for p in connector.iterdir() if (p / "apiDefinition.swagger.json").is_file())
        for a, b in zip(versions, versions[1:]):
            size = (a / "apiDefinition.swagger.json").stat().st_size + (b / "apiDefinition.swagger.json").stat().st_size
            if best is None or size > best[0]:
                best = (size, a, b)
    if best is None:
        raise SystemExit("no pair found under ../shared/corpus/history")
    return best[1], best[2]


def timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old", nargs="?")
    parser.add_argument("new", nargs="?")
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--python", default=sys.executable, help="the interpreter to run both processes with")
    parser.add_argument("--against", metavar="PATH", help="another environment's interpreter whose connver diff "
                                                          "is timed in the same repetitions (an earlier release)")
    args = parser.parse_args()
    if args.old and args.new:
        old, new = Path(args.old), Path(args.new)
    elif HISTORY.is_dir():
        old, new = largest_pair()
    else:
        print("no ../shared/corpus: pass OLD NEW", file=sys.stderr)
        return 2
    python = args.python
    diff_cmd = [python, "-m", "connver", "diff", str(old), str(new)]
    parse_cmd = [python, "-c", PARSE_ONLY, str(old), str(new)]
    stage_cmds = {"floor (click + semver + parsing)": [python, "-c", FLOOR, str(old), str(new)],
                  "imports only": [python, "-c", IMPORTS],
                  "imports + loading both": [python, "-c", LOAD, str(old), str(new)]}
    against_cmd = [args.against, "-m", "connver", "diff", str(old), str(new)] if args.against else None
    with tempfile.TemporaryDirectory(prefix="connver-pyc-") as prefix:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = prefix
        timed(diff_cmd, env), timed(parse_cmd, env)  # warm the file cache, write the byte code
        if against_cmd:
            timed(against_cmd, env)
        for cmd in stage_cmds.values():
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
        diffs, parses, againsts = [], [], []
        stages: dict[str, list[float]] = {name: [] for name in stage_cmds}
        for _ in range(args.repeat):
            diffs.append(timed(diff_cmd, env))
            parses.append(timed(parse_cmd, env))
            if against_cmd:
                againsts.append(timed(against_cmd, env))
            for name, cmd in stage_cmds.items():
                stages[name].append(timed(cmd, env))
    d, p = statistics.median(diffs), statistics.median(parses)
    print(f"pair: {old.parent.name}/{old.name} -> {new.name}; interpreter: {python}")
    for name, times in stages.items():
        t = statistics.median(times)
        print(f"  {name}: {t:.3f} s; ratio {t / p:.2f}")
    print(f"connver diff: {d:.3f} s, parse only: {p:.3f} s (medians of {args.repeat}); ratio {d / p:.2f} (target <= 3)")
    floor = statistics.median(stages["floor (click + semver + parsing)"])
    print(f"  of which the floor {floor:.3f} s and connver's own share {d - floor:.3f} s "
          f"({(d - floor) / p:.2f} parse-only times; 3 x parse-only leaves it {max(0.0, 3 * p - floor):.3f} s)")
    if againsts:
        a = statistics.median(againsts)
        print(f"against {args.against}: connver diff {a:.3f} s; ratio {a / p:.2f}; this one takes {d / a:.2f} of its time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
