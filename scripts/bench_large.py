"""Benchmark of whole commands on the large demo (issue #12): wall time and peak memory.

Run: python scripts/bench_large.py [--workdir DIR] [--runs 3] [--skip-import] [--skip-commands]
[--skip-exports] [--skip-window]. It builds (or reuses) the large demo workspace in a work folder,
then runs every command as a user would, in a fresh process, best of ``--runs``; the peak memory
is each child's own maximum resident set size (``os.wait4``'s rusage, the per-child form of
``getrusage(RUSAGE_CHILDREN).ru_maxrss``). It also times loading the plan in-process. ``level``
and ``forecast`` are held to their own analysis time: the row shows the whole command, the
analysis alone (in-process, on a plan already loaded) and the difference, whose target is 1 s.
Before timing, it compiles the package's bytecode, as ``pip install`` does for a user (an
editable install under ``PYTHONDONTWRITEBYTECODE`` would otherwise compile every module again in
every command). If ``scripts/bench_exports.py`` (the graphml and picture exports of the issue's
table) and ``scripts/bench_window.py`` (the window's figures) exist, it runs them on the same
workspace and prints their output too (``--skip-exports``, ``--skip-window`` leave them out;
``--skip-commands`` leaves out the analysis commands). It prints figures and targets; it is not a
test and asserts nothing. The machine is shared: figures are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TODAY = "2026-12-04"
#: (label, target seconds) of the whole-command rows.
TARGETS = {
    "check": 1.0,
    "schedule": 1.0,
    "impact": 1.0,
    "readiness": 1.0,
    "metrics": 1.0,
    "import": 4.0,
    "undo of the import": float("nan"),  # no target in the issue
}
MEMORY_TARGET_MB = 600
#: Seconds a whole ``level`` or ``forecast`` command may take beyond its analysis alone.
OVERHEAD_TARGET = 1.0


def run_child(argv: list[str]) -> tuple[float, float, int]:
    """Run ``argv`` to the end; return (wall seconds, peak RSS in MB, exit status)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.stderr is not None:
        err = proc.stderr.read().decode(errors="replace").strip()
        proc.stderr.close()
        if proc.returncode not in (0, 1) and err:
            print(f"  ! {' '.join(argv[2:])}: {err.splitlines()[-1]}")
    return wall, usage.ru_maxrss / 1024, proc.returncode  # ru_maxrss is in KiB on Linux


def best_of(argv: list[str], runs: int, before: list[str] | None = None) -> tuple[float, float]:
    """Best wall time and largest peak RSS of ``runs`` runs (``before`` runs first, untimed)."""
    walls, peaks = [], []
    for _ in range(runs):
        if before:
            subprocess.run(before, check=True, capture_output=True)
        wall, peak, _ = run_child(argv)
        walls.append(wall)
        peaks.append(peak)
    return min(walls), max(peaks)


def relplan(db: Path, *args: str) -> list[str]:
    """The command line of ``relplan --db DB ARGS``."""
    return [sys.executable, "-m", "relplan", "--db", str(db), *args]


def build(workdir: Path) -> tuple[Path, Path]:
    """The large demo as JSON and as an imported workspace (reused when present)."""
    source = workdir / "large.json"
    db = workdir / "large.relplan"
    if not source.exists():
        shipped = Path("/work/data/large.json")
        if shipped.exists():
            source.write_bytes(shipped.read_bytes())
        else:
            subprocess.run(
                [sys.executable, "-m", "relplan", "demo", "--out", str(source), "--scale", "large",
                 "--seed", "1", "--today", TODAY],
                check=True, capture_output=True,
            )  # fmt: skip
    if not db.exists():
        subprocess.run(relplan(db, "import", str(source)), check=True, capture_output=True)
    return source, db


def slipping_release(db: Path) -> str:
    """A release whose slip moves others: the first of the critical path."""
    out = subprocess.run(
        relplan(db, "schedule", "--json"), check=True, capture_output=True, text=True
    ).stdout
    path: list[str] = json.loads(out)["critical_path"]
    return path[0]


def plan_load_times(db: Path) -> list[tuple[str, float]]:
    """In-process seconds (best of 3, in a fresh process each) of the plan loads."""
    loads = {
        "Workspace.plan (everything)": "plan",
        "Workspace.release_plan (release-level)": "release_plan",
    }
    rows = []
    for label, method in loads.items():
        # 'nan' before the method exists, so the script also gives the figures from before.
        code = (
            "import time\n"
            "from relplan.store.workspace import Workspace\n"
            f"ws = Workspace.open({str(db)!r}, create=False)\n"
            f"load = getattr(ws, {method!r}, None)\n"
            "t0 = time.perf_counter()\n"
            "if load is not None: load()\n"
            "print(time.perf_counter() - t0 if load is not None else 'nan')\n"
        )
        best = float("inf")
        for _ in range(3):
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            )
            if out.stdout.strip() != "nan":  # the method does not exist (yet)
                best = min(best, float(out.stdout))
        rows.append((label, best))
    return rows


def analysis_times(db: Path) -> dict[str, float]:
    """In-process seconds (best of 3, in a fresh process each) of the level and forecast
    analyses alone, on a plan loaded before the clock starts (as their commands load it)."""
    code = (
        "import datetime as dt, sys, time\n"
        "from relplan.cli.common import release_level\n"
        "from relplan.planning.forecast import throughput_cutoff\n"
        "from relplan.planning.level import level_plan\n"
        "from relplan.planning.portfolio_forecast import portfolio_forecast\n"
        "from relplan.planning.readiness import ItemFacts\n"
        "from relplan.store.workspace import Workspace\n"
        f"today = dt.date.fromisoformat({TODAY!r})\n"
        f"ws = Workspace.open({str(db)!r}, create=False)\n"
        "plan, index = release_level(ws)\n"
        "if sys.argv[1] == 'level':\n"
        "    t0 = time.perf_counter()\n"
        "    level_plan(plan, today=today, train=None, pins=[], index=index)\n"
        "else:\n"
        "    rows = ws.readiness_rows(throughput_cutoff(plan, today=today))\n"
        "    facts = ItemFacts.of_rows(*rows)\n"
        "    t0 = time.perf_counter()\n"
        "    portfolio_forecast(plan, today=today, train=None, runs=2000, seed=0, facts=facts,\n"
        "                       index=index)\n"
        "print(time.perf_counter() - t0)\n"
    )
    times = {}
    for name in ("level", "forecast"):
        runs = [
            float(
                subprocess.run(
                    [sys.executable, "-c", code, name], capture_output=True, text=True, check=True
                ).stdout
            )
            for _ in range(3)
        ]
        times[name] = min(runs)
    return times


def import_rate(source: Path, db: Path) -> tuple[int, float]:
    """Plan rows and in-process seconds of importing ``source`` into a new workspace ``db``.

    A fresh process, as `relplan import` runs: the generator's objects do not weigh on it.
    """
    from relplan.store.database import remove_workspace_files

    remove_workspace_files(db)
    code = (
        "import time\n"
        "from relplan.formats.workspace_io import import_file\n"
        "from relplan.store.workspace import Workspace\n"
        f"ws = Workspace.open({str(db)!r})\n"
        "t0 = time.perf_counter()\n"
        f"import_file(ws, {str(source)!r})\n"
        "print(time.perf_counter() - t0)\n"
        "tables = ('teams', 'environments', 'trains', 'releases', 'stages', 'milestones', "
        "'gates', 'freezes', 'work_items', 'dependencies', 'deployments')\n"
        "print(sum(ws.conn.execute(f'SELECT count(*) FROM {t}').fetchone()[0] for t in tables))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, rows = out.stdout.split()
    return int(rows), float(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="reuse this folder (default: a temp dir)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-commands", action="store_true", help="no analysis commands")
    parser.add_argument("--skip-exports", action="store_true", help="no scripts/bench_exports.py")
    parser.add_argument("--skip-window", action="store_true", help="no scripts/bench_window.py")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="relplan-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    source, db = build(workdir)
    # What pip install does for a user: the commands below then start from bytecode.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(HERE.parent / "relplan")], check=False
    )
    release = "" if args.skip_commands else slipping_release(db)
    print(f"large demo in {workdir}; best of {args.runs}, a fresh process each (noisy: shared CPU)")

    commands = {
        "check": relplan(db, "check", "--json", "--today", TODAY),
        "schedule": relplan(db, "schedule", "--json"),
        "impact": relplan(db, "impact", release, "--slip", "5", "--json", "--today", TODAY),
        "readiness": relplan(db, "readiness", "--json", "--today", TODAY),
        "metrics": relplan(db, "metrics", "--json", "--today", TODAY),
    }
    rows: list[tuple[str, float, float, float]] = []
    for name, argv in commands.items() if not args.skip_commands else ():
        wall, peak = best_of(argv, args.runs)
        rows.append((name, wall, peak, TARGETS[name]))
    # What a user waits for right after a change: the workspace's analysis cache is stale.
    stale = [sys.executable, "-c", (
        "import sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1])\n"
        "try:\n"
        "    c.execute('UPDATE analysis_version SET links = links + 1, items = items + 1')\n"
        "    c.commit()\n"
        "except sqlite3.OperationalError:\n"
        "    pass  # a workspace from before the cache\n"
    ), str(db)]  # fmt: skip
    for name in ("check", "readiness") if not args.skip_commands else ():
        wall, peak = best_of(commands[name], args.runs, before=stale)
        rows.append((f"{name}, cache stale", wall, peak, TARGETS[name]))
    extra = {
        "level": relplan(db, "level", "--json", "--today", TODAY),
        "forecast": relplan(db, "forecast", "--json", "--today", TODAY),
    }
    whole = {
        name: best_of(argv, args.runs)
        for name, argv in (extra.items() if not args.skip_commands else ())
    }
    if not args.skip_import:
        target = workdir / "import.relplan"
        clean = [sys.executable, "-c", (
            "import pathlib, sys\n"
            "for s in ('', '-wal', '-shm'): pathlib.Path(sys.argv[1] + s).unlink(missing_ok=True)"
        ), str(target)]  # fmt: skip
        wall, peak = best_of(relplan(target, "import", str(source)), args.runs, before=clean)
        rows.append(("import", wall, peak, TARGETS["import"]))
        # Undo of that import (255,000 rows out again): a fresh import before each run.
        walls, peaks = [], []
        for _ in range(args.runs):
            subprocess.run(clean, check=True, capture_output=True)
            subprocess.run(relplan(target, "import", str(source)), check=True, capture_output=True)
            wall, peak, _ = run_child(relplan(target, "undo"))
            walls.append(wall)
            peaks.append(peak)
        rows.append(("undo of the import", min(walls), max(peaks), TARGETS["undo of the import"]))

    print(f"\n{'whole command':<28}{'wall s':>9}{'target':>9}{'peak MB':>10}{'target':>9}")
    for name, wall, peak, target in rows:
        label = f"{name} (impact {release} +5)" if name == "impact" else name
        goal = "-" if target != target else f"{target:.1f}"  # NaN: no target
        print(f"{label[:27]:<28}{wall:>9.2f}{goal:>9}{peak:>10.0f}{MEMORY_TARGET_MB:>9}")

    print(f"\n{'whole command vs analysis':<28}{'wall s':>9}{'analysis':>9}{'beyond':>9}"
          f"{'target':>9}{'peak MB':>10}")  # fmt: skip
    for name, seconds in analysis_times(db).items() if not args.skip_commands else ():
        wall, peak = whole[name]
        print(f"{name:<28}{wall:>9.2f}{seconds:>9.2f}{wall - seconds:>9.2f}"
              f"{OVERHEAD_TARGET:>9.1f}{peak:>10.0f}")  # fmt: skip

    print(f"\n{'in-process':<44}{'seconds':>9}{'target':>9}")
    for label, seconds in plan_load_times(db) if not args.skip_commands else ():
        target = "0.3" if "release-level" in label else "-"
        shown = "n/a" if seconds == float("inf") else f"{seconds:.2f}"
        print(f"{label:<44}{shown:>9}{target:>9}")
    if not args.skip_import:
        n, seconds = import_rate(source, workdir / "rate.relplan")
        print(f"{'import (in-process, ' + format(n, ',') + ' rows)':<44}{seconds:>9.2f}"
              f"{'':>9}  = {n / seconds:,.0f} rows/s (target >= 100,000)")  # fmt: skip

    exports = HERE / "bench_exports.py"
    if exports.exists() and not args.skip_exports:
        print("\nexports (scripts/bench_exports.py):", flush=True)
        only = "graphml,graphml --items,png --view timeline,png --view graph,png --chart dora"
        argv = [sys.executable, str(exports), "--db", str(db), "--runs", str(args.runs)]
        subprocess.run([*argv, "--only", only], check=False)

    window = HERE / "bench_window.py"
    if window.exists() and not args.skip_window:
        print("\nwindow (scripts/bench_window.py):", flush=True)
        subprocess.run([sys.executable, str(window), "--db", str(db)], check=False)


if __name__ == "__main__":
    main()
