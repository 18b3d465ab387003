"""Time the release lifecycle on a workspace (default: a copy of the large demo); prints figures.

Usage: ``python scripts/bench_lifecycle.py [--db PATH] [--runs 3] [--today D]``. The workspace is
copied to a temporary folder first, so it is never changed. Best of ``--runs``, in seconds:

- ``relplan check`` and ``relplan status`` as a user runs them (a process each);
- the five lifecycle check kinds alone, and every release's phase, on the loaded plan;
- ``release new`` and ``train new --every 2w --count 12`` (all teams) with their undo;
- what the window does on its GUI thread: the New Train dialog's preview for all teams and 12
  trains, the Phase column's update, and the Timeline's lifecycle marks of every release;
- with ``--window``: the real main window on the workspace, driven as a user would (New Release
  from Template…, New Train from Template… for every team, the Timeline shown), with the
  longest stall of the GUI thread measured by a 5 ms heartbeat.
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
from typing import Any

DEFAULT_DB = Path("/work/data/large.relplan")


def best(runs: int, job: Callable[[], Any]) -> float:
    """The shortest of ``runs`` timings of ``job``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    """Run the timings and print them; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 12, 4))
    parser.add_argument("--window", action="store_true", help="also drive the main window")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = Path(tempfile.mkdtemp(prefix="relplan-bench-lifecycle-"))
    db = folder / "bench.relplan"
    shutil.copy(args.db, db)
    today = args.today.isoformat()

    def cli(*words: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "relplan", "--db", str(db), *words],
            check=False,
            capture_output=True,
        )

    cli("status", "--today", today)  # migrates the copy once, outside the timings
    print("workspace:".ljust(32) + f"{args.db} (copied to {db}); best of {args.runs}, seconds")
    for command in ("check", "status"):
        took = best(args.runs, lambda c=command: cli(c, "--today", today))  # type: ignore[misc]
        print(f"relplan {command}:".ljust(32) + f"{took:.3f}")

    from relplan.domain.templates import SHIPPED, release_from_template
    from relplan.edits.lifecycle import new_release, new_train
    from relplan.layout.lifecycle import lifecycle_marks
    from relplan.planning.lifecycle import lifecycle_problems, phases
    from relplan.store.workspace import Workspace

    with Workspace.open(db) as ws:
        plan = ws.release_plan()
        teams = [t.key for t in plan.teams]
        print(
            "releases:".ljust(32)
            + f"{len(plan.releases)}, teams: {len(teams)}, flags: {len(plan.flags)}"
        )
        kinds = best(args.runs, lambda: lifecycle_problems(plan, today=args.today))
        print("lifecycle kinds (in process):".ljust(32) + f"{kinds:.4f}")
        phase_time = best(args.runs, lambda: phases(plan.releases, args.today))
        print("phases of every release:".ljust(32) + f"{phase_time:.4f}")
        origin = args.today - dt.timedelta(days=365)
        marks = best(args.runs, lambda: [lifecycle_marks(r, origin) for r in plan.releases])
        print("timeline marks, every release:".ljust(32) + f"{marks:.4f}")

        def release_and_undo() -> None:
            new_release(ws, key="BENCH-REL", team=teams[0], template="standard", target=args.today)
            ws.undo()

        def train_and_undo() -> None:
            new_train(
                ws, key="BENCH", target=args.today, teams=teams, template="standard",
                every_days=14, count=12,
            )  # fmt: skip
            ws.undo()

        print("release new + undo:".ljust(32) + f"{best(args.runs, release_and_undo):.3f}")
        print(
            f"train new ({12 * len(teams)} releases) + undo: {best(args.runs, train_and_undo):.3f}"
        )
        release = release_from_template(SHIPPED[0], key="K", team=teams[0], target=args.today)
        assert release.stages

        from PySide6.QtWidgets import QApplication

        from relplan.ui.dialogs.lifecycle import NewTrainDialog
        from relplan.ui.lifecycle_actions import lifecycle_choices
        from relplan.ui.models.releases import ReleaseTableModel

        app = QApplication.instance() or QApplication(sys.argv[:1])
        choices_time = best(args.runs, lambda: lifecycle_choices(ws, args.today))
        print("dialog choices (DB lane):".ljust(32) + f"{choices_time:.3f}")
        choices = lifecycle_choices(ws, args.today)
        dialog = NewTrainDialog(choices)
        dialog.key.setText("R")
        dialog.set_teams(teams)
        dialog.every.setValue(2)

        def preview() -> None:
            dialog.count.setValue(12 if dialog.count.value() != 12 else 11)

        print("train preview (GUI thread):".ljust(32) + f"{best(args.runs, preview):.4f}")
        from relplan.ui.dialogs.flags import FlagsDialog
        from relplan.ui.dialogs.lifecycle import NewReleaseDialog, TemplatesDialog

        for name, make in (
            ("New Train dialog", NewTrainDialog),
            ("New Release dialog", NewReleaseDialog),
            ("Flags dialog", FlagsDialog),
            ("Templates dialog", TemplatesDialog),
        ):
            took = best(args.runs, lambda make=make: make(choices).deleteLater())  # type: ignore[misc]
            print(f"{name} opens (GUI):".ljust(32) + f"{took:.4f}")
        model = ReleaseTableModel()
        model.set_rows(ws.release_rows())
        found = phases(plan.releases, args.today)
        column = best(args.runs, lambda: model.set_phases(found))
        print("Phase column update (GUI):".ljust(32) + f"{column:.4f}")
        if args.window:
            _drive_window(app, ws, args.today, teams)
        del app
    shutil.rmtree(folder, ignore_errors=True)
    return 0


def _drive_window(app: Any, ws: Any, today: dt.date, teams: list[str]) -> None:
    """Open the main window on ``ws`` and time the lifecycle flows and the GUI thread's stalls."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    from relplan.ui.main_window import MainWindow
    from relplan.ui.session import WorkspaceSession
    from relplan.ui.tasks import TaskRunner

    runner = TaskRunner()
    window = MainWindow(WorkspaceSession(runner, ws), today=lambda: today)
    window.resize(1400, 860)
    window.show()
    clock = QElapsedTimer()
    clock.start()
    gaps: list[int] = []
    last = [clock.elapsed()]

    def beat() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    def stall() -> str:
        """The longest gap of the heartbeat since the last call (ms), then forget them."""
        worst = max(gaps, default=0)
        gaps.clear()
        return f" (longest stall {worst} ms)"

    def wait(done: Callable[[], bool], limit_s: float = 120) -> float:
        start = time.perf_counter()
        while not done() and time.perf_counter() - start < limit_s:
            app.processEvents()
            time.sleep(0.002)
        return time.perf_counter() - start

    opened = wait(lambda: runner.idle and window.analyser.latest is not None)
    print("window open and analysed:".ljust(32) + f"{opened:.2f}")
    heartbeat = QTimer()
    heartbeat.timeout.connect(beat)
    last[0] = clock.elapsed()  # stalls are counted from here, not from the window's opening
    heartbeat.start(5)
    actions = window.lifecycle_actions
    actions.new_release_action.trigger()
    took = wait(lambda: actions.release_dialog is not None)
    print("New Release dialog shown:".ljust(32) + f"{took:.3f}" + stall())
    dialog = actions.release_dialog
    assert dialog is not None
    dialog.key.setText("BENCH-WIN")
    dialog.buttons.accepted.emit()
    took = wait(lambda: runner.idle and window.model.row_for("BENCH-WIN") is not None)
    print("release made, row shown:".ljust(32) + f"{took:.3f}" + stall())
    actions.new_train_action.trigger()
    wait(lambda: actions.train_dialog is not None)
    train = actions.train_dialog
    assert train is not None
    train.key.setText("BW")
    train.set_teams(teams)
    train.every.setValue(2)
    train.count.setValue(6)
    profile = None
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    train.buttons.accepted.emit()
    took = wait(lambda: runner.idle and window.model.row_for(f"{teams[-1]}-BW.6") is not None)
    print(f"train series ({6 * len(teams)} releases) shown:".ljust(32) + f"{took:.3f}" + stall())
    if profile is not None:
        import pstats

        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    window.show_view("Timeline")
    window.timeline.set_zoom("week")
    window.timeline.chart.scroll_to_release(f"{teams[0]}-BW.1")
    took = wait(lambda: runner.idle, 10)
    print("Timeline shown on the series:".ljust(32) + f"{took:.3f}" + stall())
    heartbeat.stop()
    print("longest GUI-thread stall (ms):".ljust(32) + f"{max(gaps, default=0)}")
    window.session.close()
    runner.shutdown(5000)


if __name__ == "__main__":
    raise SystemExit(main())
