"""Benchmark: every ``relplan export`` on a copy of the large demo, as a user runs it.

Each figure is a whole command (``relplan --db COPY export ...``) in a fresh process, best of
``--runs`` (default 3), with its peak memory (max RSS, from the child's rusage). With
``--parts`` the in-process serialisers are timed too (plan already loaded), which separates
what the exports themselves cost from loading the plan.

Targets (issue 12, 2 cores): ics <= 2 s, graphml <= 0.5 s (releases) and <= 3 s (--items),
json <= 2.5 s, png timeline / graph / dora <= 3 s each. The machine is shared and noisy: read
the figures as best-of-N under whatever load there was (the load average is printed).

    python scripts/bench_exports.py [--db /work/data/large.relplan] [--runs 3] [--parts]
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = "2026-12-04"

#: name -> (export arguments, target seconds or None)
EXPORTS: dict[str, tuple[list[str], float | None]] = {
    "ics": (["ics"], 2.0),
    "json": (["json"], 2.5),
    "csv": (["csv"], None),
    "csv --items": (["csv", "--items"], None),
    "dot": (["dot"], None),
    "graphml": (["graphml"], 0.5),
    "graphml --items": (["graphml", "--items"], 3.0),
    "png --view timeline": (["png", "--view", "timeline"], 3.0),
    "png --view graph": (["png", "--view", "graph"], 3.0),
    "png --chart dora": (["png", "--chart", "dora"], 3.0),
}
SUFFIX = {"ics": ".ics", "json": ".json", "csv": ".csv", "dot": ".dot", "graphml": ".graphml"}


def run_once(db: Path, out_dir: Path, words: list[str]) -> tuple[float, float]:
    """Seconds and peak MB of one export in a fresh process."""
    out = out_dir / f"out{SUFFIX.get(words[0], '.' + words[0])}"
    argv = [sys.executable, "-m", "relplan", "--db", str(db), "export", *words]
    argv += ["--out", str(out), "--today", TODAY]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    start = time.perf_counter()
    pid = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(pid.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        assert pid.stderr is not None
        raise SystemExit(f"export {' '.join(words)} failed: {pid.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024


def commands(db: Path, runs: int, only: set[str] | None) -> None:
    print(f"whole commands, best of {runs} (fresh process each), load {os.getloadavg()[0]:.1f}")
    print(f"{'export':<22} {'best s':>7} {'peak MB':>8} {'target':>7}")
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as tmp:
        for name, (words, target) in EXPORTS.items():
            if only and name not in only:
                continue
            results = [run_once(db, Path(tmp), words) for _ in range(runs)]
            best = min(r[0] for r in results)
            peak = max(r[1] for r in results)
            goal = f"<= {target:g}" if target is not None else ""
            print(f"{name:<22} {best:>7.2f} {peak:>8.0f} {goal:>7}", flush=True)


def best_of(runs: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def parts(db: Path, runs: int) -> None:
    """The serialisers alone, in process, on a loaded plan (what the exports themselves cost)."""
    import datetime as dt

    from relplan.formats.graph_export import graph_records
    from relplan.formats.graphml_writer import write_graph_records
    from relplan.formats.ics import workspace_context, write_calendar
    from relplan.formats.workspace_json import iter_plan
    from relplan.planning.graph import PlanIndex
    from relplan.store.workspace import Workspace

    with Workspace.open(db, create=False) as ws:
        start = time.perf_counter()
        plan = ws.plan()
        loading = time.perf_counter() - start
        start = time.perf_counter()
        bare = ws.release_plan()
        index = PlanIndex.from_columns(bare, ws.item_releases(), ws.dependency_rows())
        columns = time.perf_counter() - start
        print(
            f"\nin process, best of {runs}; loading the whole plan took {loading:.2f} s, the "
            f"release-level plan and its columns (what ics, dot, graphml and the timeline and "
            f"map pictures read) {columns:.2f} s"
        )
        context = workspace_context(ws, plan, today=dt.date.fromisoformat(TODAY))
        figures: dict[str, Callable[[], object]] = {
            "ics: write 18,000 events": lambda: write_calendar(
                plan, context, io.StringIO(newline="")
            ),
            "json: encode and write": lambda: "".join(iter_plan(plan)),
        }
        graph = graph_records(bare, index=index)  # what `export graphml` builds and writes
        figures["graphml: build graph"] = lambda: graph_records(bare, index=index)
        figures["graphml: write"] = lambda: write_graph_records(graph, io.StringIO())
        for name, action in figures.items():
            print(f"{name:<28} {best_of(runs, action):>7.2f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/work/data/large.relplan", help="workspace to copy")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", help="comma-separated export names (as printed)")
    parser.add_argument("--parts", action="store_true", help="also time the serialisers alone")
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with tempfile.TemporaryDirectory(prefix="bench-exports-db-") as tmp:
        copy = Path(tmp) / "large.relplan"
        shutil.copy(args.db, copy)  # exports never write the workspace, but be safe
        only = set(args.only.split(",")) if args.only else None
        commands(copy, args.runs, only)
        if args.parts:
            parts(copy, args.runs)


if __name__ == "__main__":
    main()
