"""Time readiness (with forecasts) and the DORA dashboard on the large demo.

The large demo (``relplan.demo.generate("large", seed=1)``): 2,000 releases of 50 teams, 100,000
work items, 150,000 dependencies and a year of Production deployments, placed around a fixed
day so that every run times the same plan. Targets (issue 6): readiness with Monte Carlo
forecasts for every release <= 2 s; the DORA dashboard rendered to PNG <= 1 s.

Run: ``python scripts/bench_metrics.py`` (``--repeat N`` for best of N, default 3).
``--shot PATH`` also renders the Dashboard view offscreen on the small demo and saves it as a PNG
(the README's screenshot).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from relplan.charts.dashboard import save_figure
from relplan.charts.dora import dora_figure
from relplan.demo import generate
from relplan.domain.model import Plan
from relplan.formats.workspace_json import parse_workspace
from relplan.metrics.dashboard import compute_dashboard
from relplan.metrics.dora import dora_weekly
from relplan.metrics.scope import resolve_window
from relplan.planning.readiness import readiness_of

TODAY = dt.date(2026, 6, 1)
TARGETS = {"readiness": 2.0, "dora png": 1.0}


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    """The fastest of ``repeat`` runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - began)
    return best


def render_dora_png(plan: Plan) -> int:
    """Compute the weekly DORA figures and render the dashboard to PNG; returns the bytes."""
    weekly = dora_weekly(plan, window=resolve_window(None, None, today=TODAY))
    with tempfile.TemporaryDirectory() as folder:
        return save_figure(dora_figure(weekly), Path(folder) / "dora.png")


def shot(path: Path) -> None:
    """Render the Dashboard view on the small demo, offscreen, to ``path``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from relplan.ui.views.dashboard import DashboardView

    app = QApplication.instance() or QApplication(sys.argv[:1])
    plan = parse_workspace(generate("small", seed=1, today=TODAY))
    view = DashboardView(clock=lambda _plan: TODAY)
    view.resize(1500, 1000)
    view.show()
    view.refresh(plan)
    # The charts are drawn again for their panels once the layout has settled.
    deadline = time.monotonic() + 30
    while (view.busy() or not view.charts_fit()) and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not view.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(f"wrote {path} (the dashboard on the small demo, {TODAY})")
    view.close()


def main() -> None:
    """Build the large demo, time the analyses and print the figures with their targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shot", type=Path, help="also save a screenshot of the dashboard")
    args = parser.parse_args()

    began = time.perf_counter()
    plan = parse_workspace(generate("large", seed=1, today=TODAY))
    print(
        f"large demo ({TODAY}): {len(plan.releases):,} releases, {len(plan.work_items):,} items, "
        f"{len(plan.dependencies):,} dependencies, {len(plan.deployments):,} deployments "
        f"(built in {time.perf_counter() - began:.1f} s)"
    )
    result = readiness_of(plan, today=TODAY)
    verdicts = Counter(r.verdict for r in result.releases)
    print(
        f"readiness: {len(result.releases):,} releases, {result.runs:,} runs each; "
        + ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items()))
    )
    figures = {
        "readiness": best_of(args.repeat, lambda: readiness_of(plan, today=TODAY)),
        "dora png": best_of(args.repeat, lambda: render_dora_png(plan)),
    }
    for name, seconds in figures.items():
        target = TARGETS[name]
        verdict = "ok" if seconds <= target else "SLOW"
        print(f"{name:<10} {seconds:6.3f} s  (target <= {target:.1f} s)  {verdict}")
    whole = best_of(1, lambda: compute_dashboard(plan, today=TODAY))
    print(f"{'dashboard':<10} {whole:6.3f} s  (every analysis the dashboard shows; no target)")
    if args.shot is not None:
        shot(args.shot)


if __name__ == "__main__":
    main()
