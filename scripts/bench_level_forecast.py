"""Benchmark: ``relplan level`` and ``relplan forecast`` on a copy of the large demo.

Prints, best of ``--runs`` (default 3):

- the analyses alone, in process, with the plan already loaded: ``level_plan`` and
  ``portfolio_forecast`` with 2,000 runs;
- loading what each needs (the release-level plan and index; for the forecast also the
  grouped item rows);
- both whole commands in a fresh process (``relplan --db COPY level --json`` and
  ``forecast --json``), as a user runs them.

Targets (issue 17): level <= 3 s of analysis, forecast with 2,000 runs <= 3 s; the whole
commands within 1 s of that once the large-portfolio loading work has landed. The machine is
shared and noisy: read the figures as best-of-N under whatever load there was (printed).

    python scripts/bench_level_forecast.py [--db /work/data/large.relplan] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = "2026-11-27"


def best(fn: Callable[[], object], runs: int) -> float:
    """The fastest of ``runs`` calls, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def command(db: Path, words: list[str]) -> Callable[[], None]:
    """A whole command in a fresh process (fails loudly on exit status 2)."""
    argv = [sys.executable, "-m", "relplan", "--db", str(db), *words, "--today", TODAY, "--json"]

    def run() -> None:
        done = subprocess.run(argv, capture_output=True, check=False)
        if done.returncode not in (0, 1):
            raise SystemExit(done.stderr.decode())

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/work/data/large.relplan"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from relplan.cli.common import release_level
    from relplan.planning.forecast import throughput_cutoff
    from relplan.planning.level import level_plan
    from relplan.planning.portfolio_forecast import portfolio_forecast
    from relplan.planning.readiness import ItemFacts
    from relplan.store.workspace import Workspace

    today = dt.date.fromisoformat(TODAY)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "large.relplan"
        shutil.copy(args.db, db)
        print(f"workspace {args.db} (a copy), today {TODAY}, best of {args.runs}")
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"load average {load} on {os.cpu_count()} cores")
        with Workspace.open(db, create=False) as ws:

            def load_plan() -> object:
                return release_level(ws)

            plan, index = release_level(ws)

            def load_facts() -> ItemFacts:
                return ItemFacts.of_rows(*ws.readiness_rows(throughput_cutoff(plan, today=today)))

            facts = load_facts()
            t_load = best(load_plan, args.runs)
            t_facts = best(load_facts, args.runs)
        levelling = level_plan(plan, today=today, index=index)
        t_level = best(lambda: level_plan(plan, today=today, index=index), args.runs)
        t_fc = best(
            lambda: portfolio_forecast(plan, today=today, runs=2000, facts=facts, index=index),
            args.runs,
        )
        print(
            f"  releases {len(plan.releases)}, moves {len(levelling.moved)}, "
            f"unresolved {len(levelling.unresolved)}"
        )
        print(f"load release-level plan + index    {t_load:6.2f} s")
        print(f"load item rows for the forecast    {t_facts:6.2f} s")
        print(f"level analysis                     {t_level:6.2f} s   (target <= 3 s)")
        print(f"forecast analysis, 2,000 runs      {t_fc:6.2f} s   (target <= 3 s)")
        # The window's one forecast (On time column and the Dashboard's train chart) adds
        # each train's criticality.
        t_fc_trains = best(
            lambda: portfolio_forecast(
                plan, today=today, runs=2000, facts=facts, index=index, train_criticality=True
            ),
            args.runs,
        )
        print(f"  + each train's criticality       {t_fc_trains:6.2f} s   (the window's forecast)")
        t_cmd_level = best(command(db, ["level"]), args.runs)
        t_cmd_fc = best(command(db, ["forecast", "--runs", "2000"]), args.runs)
        print(f"relplan level --json (whole)       {t_cmd_level:6.2f} s")
        print(f"relplan forecast --json (whole)    {t_cmd_fc:6.2f} s")


if __name__ == "__main__":
    main()
