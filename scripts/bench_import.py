"""Benchmark of ``relplan import`` of the large demo (issue #12), and of its undo and redo.

Run: python scripts/bench_import.py [--source FILE.json] [--runs 3] [--workdir DIR] (default
source: the large demo, made in the work folder when missing)

Prints, best of ``--runs`` (a fresh process each, as a user runs them): the whole import command
into a new workspace (target 4 s), then its undo and its redo; and one in-process import split
into its phases (reading the JSON, checking it into rows and objects, the command with its
commit). It asserts nothing. The machine is shared: the load average is printed, figures are
noisy.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = 4.0

PHASES = """
import gc, sys, time
from relplan.formats import workspace_io
from relplan.store.workspace import Workspace

ws = Workspace.open(sys.argv[1])
marks = [("start", time.perf_counter())]
# parse_workspace before the rows existed: the script also gives the figures from before.
parser = "parse_for_import" if hasattr(workspace_io, "parse_for_import") else "parse_workspace"
read, parse = workspace_io.read_json_file, getattr(workspace_io, parser)

def timed_read(*a, **k):
    r = read(*a, **k); marks.append(("read the JSON", time.perf_counter())); return r

def timed_parse(*a, **k):
    r = parse(*a, **k); marks.append(("check into rows", time.perf_counter())); return r

workspace_io.read_json_file = timed_read
setattr(workspace_io, parser, timed_parse)
workspace_io.import_file(ws, sys.argv[2])
marks.append(("write and commit", time.perf_counter()))
ws.close()
marks.append(("close", time.perf_counter()))
for (_, t0), (name, t1) in zip(marks, marks[1:]):
    print(f"{name}\\t{t1 - t0:.3f}")
"""


def _remove(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".cache"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def _run(argv: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source", type=Path, default=None, help="default: the large demo, made if needed"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="relplan-bench-import-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "import.relplan"
    if args.source is None:  # the large demo, as bench_large.py makes it
        args.source = workdir / "large.json"
        if not args.source.exists():
            subprocess.run(
                [sys.executable, "-m", "relplan", "demo", "--out", str(args.source),
                 "--scale", "large", "--seed", "1", "--today", "2026-12-04"],
                check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
    relplan = [sys.executable, "-m", "relplan", "--db", str(db)]
    # What pip install does for a user: the commands start from bytecode.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "relplan")])
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{args.source}; best of {args.runs}; load average {load} (shared machine: noisy)")

    imports, undos, redos = [], [], []
    for _ in range(args.runs):
        _remove(db)
        imports.append(_run([*relplan, "import", str(args.source)]))
        undos.append(_run([*relplan, "undo"]))
        redos.append(_run([*relplan, "redo"]))
    print(f"{'whole command':<32}{'best s':>8}{'runs':>24}{'target':>8}")
    for name, walls, target in (
        ("import", imports, f"{TARGET:.1f}"),
        ("undo of the import", undos, "-"),
        ("redo of the import", redos, "-"),
    ):
        runs = " ".join(f"{w:.2f}" for w in walls)
        print(f"{name:<32}{min(walls):>8.2f}{runs:>24}{target:>8}")

    _remove(db)
    out = subprocess.run(
        [sys.executable, "-c", PHASES, str(db), str(args.source)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    print("\nin-process import, one run")
    total = 0.0
    for line in out.splitlines():
        name, seconds = line.split("\t")
        total += float(seconds)
        print(f"  {name:<30}{float(seconds):>8.2f}")
    print(f"  {'total':<30}{total:>8.2f}")
    _remove(db)


if __name__ == "__main__":
    main()
