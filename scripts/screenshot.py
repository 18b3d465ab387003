"""Render the main window on the demo workspace, offscreen, to docs/screenshots/main-window.png.

Usage: ``python scripts/screenshot.py [--out PATH] [--width 1400] [--height 800]``. Settings and
the workspace go to a temporary folder, so the user's own are never touched.
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


def main(argv: list[str] | None = None) -> int:
    """Render the window and save the PNG; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 6, 1))
    args = parser.parse_args(argv)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="relplan-shot-"))
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_DATA_HOME"] = str(home / "data")

    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

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

    ws = Workspace.open(home / "data" / "relplan" / "demo.relplan")
    plan = parse_workspace(generate("small", seed=1, today=args.today))
    ws.import_plan(plan, replace=True, label="Demo")
    runner = SyncTaskRunner()
    session = WorkspaceSession(runner, ws)
    window = MainWindow(session)
    window.resize(args.width, args.height)
    window.show()
    window.table.sortByColumn(Col.TARGET, Qt.SortOrder.AscendingOrder)
    window.table.selectRow(3)
    window.show_message("Sorted by target; double-click a date or status to edit it")
    for _ in range(5):
        app.processEvents()

    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(args.out)):
        sys.stderr.write(f"could not write {args.out}\n")
        return 1
    print(f"wrote {args.out} ({args.width}x{args.height})")
    window.close()
    session.close()
    runner.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
