"""Benchmark and picture: Plan → Level the Plan… on a copy of a workspace, in the real window.

Opens the main window offscreen on a copy of ``--db`` with the real task runner, triggers the
menu action, and prints how long the GUI thread spent in the action's handler and in showing
the preview (each must stay under 100 ms), and how long the preview took to arrive (computed
on the task runner). Saves the dialog as a PNG (``--out``) to look at. The machine is shared and
noisy: read the figures under the load average printed.

    python scripts/bench_level_window.py [--db /work/data/large.relplan] [--out /tmp/level.png]
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/work/data/large.relplan"))
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "level.png")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 11, 27))
    args = parser.parse_args()

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="relplan-level-"))
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_DATA_HOME"] = str(home / "data")
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from relplan.store.workspace import Workspace
    from relplan.ui.dialogs.level import LevelDialog
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
    window.resize(1400, 860)
    window.show()

    def wait(done: object, limit: float = 120.0) -> None:
        end = time.perf_counter() + limit
        while not done() and time.perf_counter() < end:  # type: ignore[operator]
            app.processEvents()
            time.sleep(0.005)

    wait(lambda: runner.idle and not window.analyser.pending)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"workspace {args.db} (a copy), today {args.today}, load average {load}")

    start = time.perf_counter()
    window.level_action.trigger()
    handler = time.perf_counter() - start
    dialog = window.findChild(LevelDialog)
    assert dialog is not None
    shown: list[float] = []
    original = dialog.show_levelling

    def timed(levelling: object) -> None:
        t = time.perf_counter()
        original(levelling)  # type: ignore[arg-type]
        shown.append(time.perf_counter() - t)

    window.level_previewer.computed.disconnect(dialog.show_levelling)
    window.level_previewer.computed.connect(timed)
    wait(lambda: dialog.levelling is not None)
    arrived = time.perf_counter() - start
    app.processEvents()
    print(f"menu action handler (GUI thread)   {handler * 1000:7.1f} ms  (limit 100 ms)")
    print(f"show the preview (GUI thread)      {shown[0] * 1000 if shown else -1:7.1f} ms")
    print(f"preview arrives after              {arrived:7.2f} s   (task runner)")
    levelling = dialog.levelling
    assert levelling is not None
    print(f"  {len(levelling.moved)} moves, {len(levelling.unresolved)} unresolved")
    dialog.grab().save(str(args.out))
    print(f"wrote {args.out}")
    window.level_previewer.computed.disconnect(timed)
    window.level_previewer.computed.connect(dialog.show_levelling)
    dialog.reject()

    # The On time column: the forecast arrives from the task runner after the first analysis.
    from relplan.ui.models.releases import Col

    model = window.model
    took: list[float] = []
    set_on_time = model.set_on_time

    def timed_set(odds: object) -> None:
        t = time.perf_counter()
        set_on_time(odds)  # type: ignore[arg-type]
        took.append(time.perf_counter() - t)

    window.on_time.computed.disconnect(model.set_on_time)
    window.on_time.computed.connect(timed_set)
    start = time.perf_counter()
    window.on_time.request()
    wait(lambda: bool(took))
    print(
        f"On time forecast arrives after     {time.perf_counter() - start:7.2f} s   (task runner)"
    )
    print(f"set the On time column (GUI)       {took[0] * 1000 if took else -1:7.1f} ms")
    window.table.sortByColumn(Col.ON_TIME, Qt.SortOrder.AscendingOrder)
    app.processEvents()
    table_png = args.out.with_name(args.out.stem + "-table.png")
    window.grab().save(str(table_png))
    print(f"wrote {table_png}")
    window.session.close()
    runner.shutdown(5000)


if __name__ == "__main__":
    main()
