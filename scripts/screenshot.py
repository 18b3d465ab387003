"""Render the main window on the demo workspace, offscreen, to docs/screenshots/main-window.png.

Usage: ``python scripts/screenshot.py [--out PATH] [--width 1400] [--height 860]``. Settings and
the workspace go to a temporary folder, so the user's own are never touched. The table is sorted
by target and scrolled to the releases around ``--today``, with the Float, Slip and CP columns
and the Problems panel filled in. ``--whatif PATH`` also renders the "What if it slips…" dialog,
and ``--calendar PATH`` the Calendar's month view of ``--today``'s month, exported as the
Calendar view exports itself (File → Export View Image), and ``--dashboard PATH`` the window
on the Dashboard tab (its charts computed for ``--today``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "screenshots" / "main-window.png"
DEFAULT_WHATIF_OUT = ROOT / "docs" / "screenshots" / "what-if.png"
DEFAULT_CALENDAR_OUT = ROOT / "docs" / "screenshots" / "calendar.png"
DEFAULT_DASHBOARD_OUT = ROOT / "docs" / "screenshots" / "desk-dashboard.png"


def main(argv: list[str] | None = None) -> int:
    """Render the window (and optionally the what-if dialog) and save PNGs; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--whatif", type=Path, default=DEFAULT_WHATIF_OUT)
    parser.add_argument("--calendar", type=Path, default=DEFAULT_CALENDAR_OUT)
    parser.add_argument("--dashboard", type=Path, default=DEFAULT_DASHBOARD_OUT)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=860)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 6, 1))
    args = parser.parse_args(argv)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="relplan-shot-"))
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_DATA_HOME"] = str(home / "data")

    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget

    from relplan.demo import generate
    from relplan.formats.workspace_json import parse_workspace
    from relplan.store.workspace import Workspace
    from relplan.ui.main_window import MainWindow
    from relplan.ui.models.releases import Col
    from relplan.ui.session import WorkspaceSession
    from relplan.ui.tasks import SyncTaskRunner

    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(home / "qsettings"))
    app = QApplication(sys.argv[:1])
    app.setApplicationName("relplan")

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    def save(widget: QWidget, out: Path) -> bool:
        out.parent.mkdir(parents=True, exist_ok=True)
        if not widget.grab().save(str(out)):
            sys.stderr.write(f"could not write {out}\n")
            return False
        print(f"wrote {out} ({widget.width()}x{widget.height()})")
        return True

    ws = Workspace.open(home / "data" / "relplan" / "demo.relplan")
    plan = parse_workspace(generate("small", seed=1, today=args.today))
    ws.import_plan(plan, replace=True, label="Demo")
    runner = SyncTaskRunner()
    session = WorkspaceSession(runner, ws)
    window = MainWindow(session, today=lambda: args.today)
    window.resize(args.width, args.height)
    window.show()
    window.resizeDocks([window.problems_dock], [215], Qt.Orientation.Vertical)
    window.table.sortByColumn(Col.TARGET, Qt.SortOrder.AscendingOrder)
    settle()

    # Let the table show whole rows only (the dock takes the remainder), then scroll so that the
    # releases still to ship fill it, with a few shipped ones above them.
    row_px = window.table.verticalHeader().defaultSectionSize()
    spare_px = window.table.viewport().height() % row_px
    dock = window.problems_dock
    window.resizeDocks([dock], [dock.height() + spare_px], Qt.Orientation.Vertical)
    settle()
    model, today = window.model, args.today.isoformat()
    upcoming = next(
        (r for r in range(model.rowCount()) if (model.row_at(r).target or "") >= today), 0
    )
    top = model.index(max(upcoming - 3, 0), Col.KEY)
    window.table.scrollTo(top, QAbstractItemView.ScrollHint.PositionAtTop)
    window.show_message("Sorted by target; hover Float, Slip or CP for the dates behind them")
    settle()
    ok = save(window, args.out)

    if ok and args.whatif:
        schedule = model.schedule
        key = schedule.critical_path[0] if schedule and schedule.critical_path else None
        dialog = window.open_whatif(key)
        if dialog is not None:
            dialog.request_now()
            settle()
            ok = save(dialog, args.whatif)
            dialog.reject()

    if ok and args.calendar:
        window.show_view("Calendar")
        window.calendar.set_kind("month")
        window.calendar.show_day(args.today)
        settle()
        args.calendar.parent.mkdir(parents=True, exist_ok=True)
        window.calendar.export_image(str(args.calendar))
        print(f"wrote {args.calendar}")

    if ok and args.dashboard:
        window.problems_dock.hide()  # the charts get the whole window
        window.show_view("Dashboard")  # the charts are computed inline (SyncTaskRunner)
        window.show_message("Dashboard: the filter bar's team and train choose what is charted")
        settle()
        ok = save(window, args.dashboard)

    window.close()
    session.close()
    runner.shutdown()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
