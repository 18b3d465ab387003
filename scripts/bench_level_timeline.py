"""Benchmark and pictures: the levelling preview on the Timeline, pinning from a bar's menu, and
the Dashboard's train forecast chart, in the real window on a copy of a workspace (issue #17).

Opens the main window offscreen (1280x760) on a copy of ``--db`` with the real task runner. An
event-loop heartbeat (a ``QTimer`` every 10 ms, as in ``scripts/bench_window.py``) records the
longest the GUI thread was busy ("stall", limit 100 ms) while:

* Plan → Level the Plan… is opened on the Timeline, until its ghosts are drawn;
* a moved release is pinned from its bar's context menu, until the new preview is drawn;
* the dialog closes (ghosts cleared);
* the Dashboard is opened, until its four charts are drawn and the forecast is in;
* its Train forecast page is shown, until that chart is drawn.

Saves the Timeline with the preview and the Dashboard as PNGs in ``--out`` to look at. Timings
are noisy (2 shared cores): the best of ``--repeat`` rounds is printed, with the load average.

    python scripts/bench_level_timeline.py [--db /work/data/large.relplan] [--out /tmp] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from scripts.bench_window import Heartbeat, settled, wait_for  # noqa: E402


def _round(window: Any, beat: Heartbeat, out: Path, stem: str) -> dict[str, tuple[float, float]]:
    """One round: (seconds until shown, longest stall ms) per step."""
    from relplan.ui.dialogs.level import LevelDialog

    figures: dict[str, tuple[float, float]] = {}
    chart = window.timeline.chart
    window.show_view("Timeline")
    wait_for(lambda: settled(window))
    wait_for(lambda: False, 1.0)  # its first paint (which indexes the arrows) comes first
    beat.reset()
    start = time.perf_counter()
    window.level_action.trigger()
    dialog = window.level_link.dialog  # (findChild may find the last round's, deleted later)
    assert isinstance(dialog, LevelDialog)
    wait_for(lambda: (dialog.levelling is not None and bool(chart.level_moves)) or
             (dialog.levelling is not None and not dialog.levelling.moved))  # fmt: skip
    figures["level preview on the timeline"] = (time.perf_counter() - start, beat.stall_ms())
    levelling = dialog.levelling
    assert levelling is not None
    moved = levelling.moved
    if moved:
        # The biggest move, scrolled into view, with the dialog moved aside for the picture.
        move = max(moved, key=lambda m: (m.days, m.key))
        chart.scroll_to_release(move.key)
        chart.scroll_to_day(move.start - dt.timedelta(days=10))
        wait_for(lambda: True)
        window.timeline.grab().save(str(out / f"{stem}-timeline-preview.png"))
        beat.reset()
        start = time.perf_counter()
        before = dialog.levelling
        chart.context_actions(move.key)[0].trigger()  # "Pin for levelling"
        wait_for(lambda: dialog.levelling is not before and move.key in chart.level_pins)
        figures["pin from the bar's menu"] = (time.perf_counter() - start, beat.stall_ms())
        wait_for(lambda: True)
        window.timeline.grab().save(str(out / f"{stem}-timeline-pinned.png"))
    beat.reset()
    start = time.perf_counter()
    dialog.reject()
    wait_for(lambda: not chart.level_moves)
    figures["close: ghosts cleared"] = (time.perf_counter() - start, beat.stall_ms())
    dashboard = window.dashboard
    beat.reset()
    start = time.perf_counter()
    window.show_view("Dashboard")

    def view_ready() -> bool:
        view = dashboard.view
        return view is not None and not dashboard.busy() and view.forecast_shown()

    wait_for(view_ready)
    figures["dashboard open (forecast in)"] = (time.perf_counter() - start, beat.stall_ms())
    window.grab().save(str(out / f"{stem}-dashboard.png"))
    view = dashboard.view
    assert view is not None
    beat.reset()
    start = time.perf_counter()
    view.pages.setCurrentIndex(1)
    wait_for(lambda: view.charts_fit() and settled(window))
    figures["train forecast page drawn"] = (time.perf_counter() - start, beat.stall_ms())
    window.grab().save(str(out / f"{stem}-train-forecast.png"))
    view.pages.setCurrentIndex(0)
    window.show_view("Releases")
    wait_for(lambda: settled(window))
    return figures


def _preview_costs(window: Any) -> dict[str, float]:
    """Time what the preview adds on the GUI thread: handing the moves to the Timeline and a
    full repaint of the chart with and without ghosts (best of 5 each, ms)."""
    from relplan.planning.level import Levelling
    from relplan.ui.dialogs.level import LevelDialog

    window.show_view("Timeline")
    window.level_action.trigger()
    dialog = window.level_link.dialog
    assert isinstance(dialog, LevelDialog)
    wait_for(lambda: dialog.levelling is not None)
    levelling = dialog.levelling
    assert isinstance(levelling, Levelling)
    chart, timeline = window.timeline.chart, window.timeline
    move = max(levelling.moved, key=lambda m: (m.days, m.key)) if levelling.moved else None
    if move is not None:
        chart.scroll_to_release(move.key)

    def best(work: Any) -> float:
        took = []
        for _ in range(5):
            start = time.perf_counter()
            work()
            took.append((time.perf_counter() - start) * 1000)
        return min(took)

    pins = frozenset(dialog.requested_pins)
    costs = {
        f"set the preview on the timeline ({len(levelling.moved)} moves)": best(
            lambda: timeline.set_level_preview(levelling, pins)
        ),
        "repaint the chart with the ghosts": best(lambda: chart.viewport().grab()),
    }
    dialog.reject()
    wait_for(lambda: not chart.level_moves)
    costs["repaint the chart without them"] = best(lambda: chart.viewport().grab())
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/work/data/large.relplan"))
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 11, 27))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="relplan-level-tl-"))
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_DATA_HOME"] = str(home / "data")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from relplan.store.workspace import Workspace
    from relplan.ui.main_window import MainWindow
    from relplan.ui.session import WorkspaceSession
    from relplan.ui.tasks import TaskRunner

    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(home / "qsettings"))
    app = QApplication(sys.argv[:1])
    db = home / "copy.relplan"
    shutil.copy(args.db, db)
    runner = TaskRunner()
    window = MainWindow(WorkspaceSession(runner, Workspace.open(db)), today=lambda: args.today)
    window.resize(1280, 760)
    window.show()
    beat = Heartbeat()
    # Settled, and the first forecast (On time column, train chart) delivered.
    wait_for(lambda: settled(window) and len(window.model._on_time) > 0)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"workspace {args.db} (a copy), today {args.today}, load average {load}")
    rounds = [_round(window, beat, args.out, args.db.stem) for _ in range(args.repeat)]
    # The first round opens the Dashboard for the first time (later rounds find it drawn).
    print(f"{'step':<36} {'shown after (s), per round':>28} {'longest stall (ms)':>22}")
    for step in rounds[0]:
        shown = " ".join(f"{r[step][0]:6.2f}" for r in rounds)
        stalls = [r[step][1] for r in rounds]
        flag = "" if min(stalls) <= 100 else "  > 100 ms"
        print(f"{step:<36} {shown:>28} {' '.join(f'{x:6.0f}' for x in stalls):>22}{flag}")
    print("GUI-thread work of the preview itself (best of 5, ms):")
    for name, took in _preview_costs(window).items():
        print(f"  {name:<44} {took:7.1f}")
    print(f"pictures: {args.out}/{args.db.stem}-*.png")
    window.session.close()
    runner.shutdown(5000)
    del app


if __name__ == "__main__":
    main()
