"""Time what a user waits for in the real main window on a big plan (issue #12).

Everything runs in the real :class:`~relplan.ui.main_window.MainWindow`, offscreen at 1280x760,
on a copy of a workspace (default ``/work/data/large.relplan``: 2,000 releases, 100,000 items).
An event-loop *heartbeat* (a ``QTimer`` every 10 ms) records the longest gap between its ticks:
the longest the GUI thread was busy, i.e. frozen for the user ("stall").

In one process, after the plan is loaded and analysed:

* change the team filter on each view: time until settled (no task left, analysis current),
  and the longest stall;
* open the Dashboard, change the filter there: stall, and time until the charts are drawn;
* an edit of a release's dates, then Undo: time until Float, Slip and Problems show the new
  analysis, and the longest stall;
* the Map in Releases mode: time until shown;
* map scroll repaint (teams, and a hub release's neighbours at depth 2): repaint times.

In fresh processes (the whole launch, ``python -m relplan``-like through ``relplan.app.main``):

* the window opened on the Timeline or the Map (the view saved from the last session): time
  from process start until that view painted with data;
* quit: time from closing the settled window until the process exited.

Timings are noisy (2 shared cores): the fresh-process rows take the best of ``--repeat`` runs.

Run: ``python scripts/bench_window.py [--db PATH] [--repeat N] [--json OUT]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DEFAULT_DB = Path("/work/data/large.relplan")
SIZE = (1280, 760)
TIMEOUT_S = 120.0
#: (row, target seconds settled/shown, target stall ms)
TARGETS = {
    "filter": (0.5, 100.0),
    "dashboard": (2.0, 100.0),
    "edit": (1.5, 100.0),
    "map releases": (1.0, 100.0),
    "scroll": (0.050, None),
    "quit": (1.0, None),
    "launch": (1.5, None),
}


class Heartbeat:
    """A 10 ms timer that records the longest gap between its ticks since :meth:`reset`."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.longest = 0.0
        self.timer.start()

    def reset(self) -> None:
        """Start a new measurement."""
        self.last = time.perf_counter()
        self.longest = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def stall_ms(self) -> float:
        """The longest gap (ms), the one still open included."""
        return max(self.longest, time.perf_counter() - self.last) * 1000


def wait_for(done: Callable[[], bool], timeout: float = TIMEOUT_S) -> float | None:
    """Run the event loop until ``done()`` (polled every 5 ms); when it became true."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    when: list[float] = []
    began = time.perf_counter()

    def poll() -> None:
        if done():
            when.append(time.perf_counter())
            loop.quit()
        elif time.perf_counter() - began > timeout:
            loop.quit()

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(poll)
    timer.start()
    poll()
    if not when:
        loop.exec()
    timer.stop()
    return when[0] if when else None


def settled(window: Any) -> bool:
    """No task queued or running, the latest analysis delivered, no view still updating."""
    busy = getattr(window, "views_busy", lambda: False)
    return bool(window.runner.idle and not window.analyser.pending and not busy())


class Bench:
    """The in-process measurements on one window."""

    def __init__(self, db: Path) -> None:
        from PySide6.QtWidgets import QApplication

        from relplan.store.workspace import Workspace
        from relplan.ui.main_window import MainWindow
        from relplan.ui.session import WorkspaceSession
        from relplan.ui.tasks import TaskRunner

        self.app = QApplication.instance() or QApplication([])
        self.runner = TaskRunner()
        self.session = WorkspaceSession(self.runner, Workspace.open(db))
        self.heart = Heartbeat()
        began = time.perf_counter()
        self.window = MainWindow(self.session)
        self.window.resize(*SIZE)
        self.window.show()
        end = wait_for(lambda: self.window.analyser.latest is not None and settled(self.window))
        assert end is not None, "the plan never finished loading"
        self.loaded_s = end - began
        self.rows: list[tuple[str, str, str, bool]] = []
        self.heart_began = time.perf_counter()

    def timed(self, action: Callable[[], Any], done: Callable[[], bool]) -> tuple[float, float]:
        """Seconds until ``done`` after ``action``, and the longest stall (ms) meanwhile."""
        self.heart.reset()
        began = self.heart_began = time.perf_counter()
        action()
        end = wait_for(done)
        stall = self.heart.stall_ms()
        return (float("inf") if end is None else end - began), stall

    def row(self, name: str, kind: str, seconds: float, stall: float | None) -> None:
        """Record and print a row."""
        target_s, target_stall = TARGETS[kind]
        ok = seconds <= target_s and (
            stall is None or target_stall is None or stall <= target_stall
        )
        figure = f"{seconds:6.2f} s"
        stall_text = f"stall {stall:6.0f} ms" if stall is not None else ""
        target = f"<= {target_s} s" + (f", stall <= {target_stall:.0f} ms" if target_stall else "")
        self.rows.append((name, f"{figure}  {stall_text}", target, ok))
        print(f"{name:<46} {figure}  {stall_text:<16} ({target})  {'ok' if ok else 'SLOW'}")
        sys.stdout.flush()

    def settle(self) -> None:
        """Wait until nothing is left to do."""
        wait_for(lambda: settled(self.window))

    def filters(self) -> None:
        """Change the team filter on each view, and back."""
        window = self.window
        combo = window.filter_bar.team_filter
        for title in ("Releases", "Calendar", "Timeline", "Map"):
            window.show_view(title)
            self.settle()
            for index in (min(3, combo.count() - 1), 0):
                seconds, stall = self.timed(
                    lambda i=index: combo.setCurrentIndex(i), lambda: settled(window)
                )
                which = "one team" if index else "all teams"
                self.row(f"team filter → {which} on {title}", "filter", seconds, stall)

    def dashboard(self) -> None:
        """Open the Dashboard, then change the filter on it."""
        window = self.window
        tab = window.dashboard
        results = [0]
        hooked: list[Any] = []

        def drawn(before: int) -> bool:
            if tab.view is not None and not hooked:
                hooked.append(tab.view)
                tab.view.result_shown.connect(lambda _d: results.__setitem__(0, results[0] + 1))
            return results[0] > before and settled(window)

        window.show_view("Releases")
        self.settle()
        seconds, stall = self.timed(lambda: window.show_view("Dashboard"), lambda: drawn(0))
        self.row("open the Dashboard → charts drawn", "dashboard", seconds, stall)
        combo = window.filter_bar.team_filter
        for index in (min(3, combo.count() - 1), 0):
            before = results[0]
            seconds, stall = self.timed(
                lambda i=index: combo.setCurrentIndex(i), lambda b=before: drawn(b)
            )
            which = "one team" if index else "all teams"
            self.row(f"Dashboard: team filter → {which}, charts", "dashboard", seconds, stall)

    def edits(self) -> None:
        """Move a release by a week, then undo it, on the Releases view and the Timeline."""
        window = self.window
        model = window.model
        rows = [model.row_at(i) for i in range(model.rowCount())]
        movable = [r for r in rows if r.start and r.target and r.status in ("planned", "active")]
        row = movable[len(movable) // 2] if movable else rows[len(rows) // 2]
        for title in ("Releases", "Timeline"):
            window.show_view(title)
            self.settle()
            since = [window.analyser.generation]

            def shown() -> bool:
                latest = window.analyser.latest
                return bool(
                    latest is not None
                    and window.analyser.generation > since[0]  # noqa: B023 (read when called)
                    and latest.generation == window.analyser.generation
                    and not window.analyser.pending
                    and not window.views_busy()
                )

            start = dt.date.fromisoformat(str(row.start)) + dt.timedelta(days=7)
            target = dt.date.fromisoformat(str(row.target)) + dt.timedelta(days=7)
            for what, action in (
                ("edit", lambda s=start, t=target: self.session.edit_release(
                    row.key, {"start": s, "target": t})),
                ("undo", window.undo_action.trigger),
            ):  # fmt: skip
                since[0] = window.analyser.generation
                seconds, stall = self.timed(action, shown)
                self.row(f"{what} on {title} → Float/Slip/Problems", "edit", seconds, stall)
                # The On time column's forecast follows the analysis (and the Dashboard's
                # train chart with it): no target of its own, shown so that nothing is hidden.
                rest = wait_for(lambda: settled(window))
                if rest is not None:
                    total = rest - self.heart_began
                    print(f"{'  ... and the On time column':<46} {total:6.2f} s")

    def map_rows(self, scrolls: int) -> None:
        """The map: Releases mode, then scroll repaints in teams mode and at depth 2."""
        window = self.window
        view = window.map
        window.show_view("Map")
        self.settle()
        view.set_mode("teams")
        self.settle()
        self.row("map scroll repaint, teams (max)", "scroll", self.scroll(view.view, scrolls), None)
        seconds, stall = self.timed(lambda: view.set_mode("releases"), lambda: settled(window))
        self.row("Map in Releases mode", "map releases", seconds, stall)
        graph = view.graph
        assert graph is not None
        links: dict[str, int] = {}
        for predecessor, successor in graph.links:
            links[successor] = links.get(successor, 0) + 1
            links[predecessor] = links.get(predecessor, 0) + 1
        hub = max(links, key=lambda k: links[k]) if links else None
        view.set_focus(hub, depth=2)
        self.settle()
        self.row(
            "map scroll repaint, depth 2 (max)", "scroll", self.scroll(view.view, scrolls), None
        )
        view.set_mode("teams")
        self.settle()

    def scroll(self, area: Any, scrolls: int) -> float:
        """The slowest repaint (s) while scrolling a page down / a third right at a time."""
        viewport = area.viewport()
        vertical, horizontal = area.verticalScrollBar(), area.horizontalScrollBar()
        times = []
        for n in range(scrolls):
            if n % 2:
                vertical.setValue((vertical.value() + viewport.height()) % (vertical.maximum() + 1))
            else:
                step = viewport.width() // 3
                horizontal.setValue((horizontal.value() + step) % (horizontal.maximum() + 1))
            began = time.perf_counter()
            viewport.repaint()
            times.append(time.perf_counter() - began)
        print(f"   median {statistics.median(times) * 1000:.1f} ms over {len(times)} repaints")
        return max(times)

    def close(self) -> None:
        """Close the window and the workspace."""
        self.window.close()
        self.session.close()
        self.runner.shutdown(10000)


# -- fresh processes --------------------------------------------------------------------------
CHILD = r"""
import os, sys, time, argparse
began_wall = float(sys.argv[1]); view = sys.argv[2]; db = sys.argv[3]; out = sys.argv[4]
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication
from relplan import app as relplan_app
marks = {}

def window():
    for w in QApplication.topLevelWidgets():
        if w.objectName() == "main-window":
            return w
    return None

def target(w):
    if view == "Timeline":
        chart = w.timeline.chart
        return chart.viewport(), chart.timeline is not None and len(chart.timeline.rows) > 0
    if view == "Map":
        return w.map.view.viewport(), w.map.map is not None and len(w.map.map.nodes) > 0
    return w.table.viewport(), w.model.rowCount() > 0

class Painted(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "painted" not in marks:
            w = window()
            if w is not None:
                port, ready = target(w)
                if obj is port and ready:
                    QTimer.singleShot(0, lambda: marks.setdefault("painted", time.time()))
        return False

keep = []
make_app = relplan_app._qapplication

def patched():
    # The application relplan.app.main makes (so that its own start and exit are measured).
    app = make_app()
    QSettings("relplan", "relplan").setValue("main_window/view", view)
    painted = Painted()
    app.installEventFilter(painted)
    timer = QTimer(); timer.setInterval(10); timer.timeout.connect(poll); timer.start()
    keep.extend([painted, timer])
    return app

relplan_app._qapplication = patched

def poll():
    w = window()
    if w is None or "painted" not in marks:
        return
    busy = getattr(w, "views_busy", lambda: False)
    if w.runner.idle and not w.analyser.pending and not busy() and "closed" not in marks:
        marks["closed"] = time.time()
        with open(out, "w") as f:
            f.write(f"{marks['painted'] - began_wall} {marks['closed']}")
        w.close()

relplan_app.main(argparse.Namespace(db=db, demo=False))
"""


def fresh_launch(db: Path, view: str, env: dict[str, str]) -> tuple[float, float]:
    """Launch in a new process opened on ``view``; (seconds to painted data, seconds to quit)."""
    with tempfile.NamedTemporaryFile("r", suffix=".txt", delete=False) as handle:
        out = handle.name
    began = time.time()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(began), view, str(db), out],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    ended = time.time()
    text = Path(out).read_text().split()
    os.unlink(out)
    if len(text) != 2:
        raise RuntimeError(f"the launch on {view} did not report: {proc.stderr[-500:]}")
    painted, closed = float(text[0]), float(text[1])
    return painted, ended - closed


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--repeat", type=int, default=2, help="fresh launches per view")
    parser.add_argument("--scrolls", type=int, default=40)
    parser.add_argument("--skip-launch", action="store_true")
    parser.add_argument("--only-launch", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-window-") as tmp:
        folder = Path(tmp)
        os.environ["XDG_CONFIG_HOME"] = str(folder / "config")
        os.environ["XDG_DATA_HOME"] = str(folder / "data")
        db = folder / "plan.relplan"
        shutil.copy(options.db, db)
        rows: list[tuple[str, str, str, bool]] = []
        if not options.only_launch:
            bench = Bench(db)
            print(f"window opened and plan analysed in {bench.loaded_s:.2f} s (in-process)")
            bench.filters()
            bench.dashboard()
            bench.edits()
            bench.map_rows(options.scrolls)
            bench.close()
            rows += bench.rows
        if not options.skip_launch:
            env = dict(os.environ)
            for view in ("Timeline", "Map", "Releases"):
                runs = [fresh_launch(db, view, env) for _ in range(options.repeat)]
                painted = min(r[0] for r in runs)
                quit_s = min(r[1] for r in runs)
                for name, kind, value in (
                    (f"opened on {view} → painted with data", "launch", painted),
                    (f"quit (opened on {view}, settled)", "quit", quit_s),
                ):
                    ok = value <= TARGETS[kind][0]
                    rows.append((name, f"{value:6.2f} s", f"<= {TARGETS[kind][0]} s", ok))
                    verdict = "ok" if ok else "SLOW"
                    print(f"{name:<46} {value:6.2f} s  (<= {TARGETS[kind][0]} s)  {verdict}")
                    sys.stdout.flush()
        print("\n| what | measured | target | |\n|---|---|---|---|")
        for name, figure, target, ok in rows:
            print(f"| {name} | {figure.strip()} | {target} | {'ok' if ok else 'SLOW'} |")
        if options.json:
            options.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
