"""Render the release lifecycle in the window, offscreen, to PNGs (to look at them).

Usage: ``python scripts/screenshot_lifecycle.py [--out-dir DIR] [--today D]``. On the small demo
(in a temporary folder), it makes a release from the ``standard`` template with canary steps, a
blue-green switch and a feature flag, through the same edits as the command line, then writes:
``lifecycle-timeline.png`` (the Timeline around it, at week zoom), ``lifecycle-calendar.png``
(its month, the monitoring days hatched), ``lifecycle-train.png`` (New
Train from Template with its preview) and ``lifecycle-table.png`` (the releases table with the
Phase column).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    """Render and save the PNGs; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 6, 1))
    args = parser.parse_args(argv)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="relplan-shot-"))
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_DATA_HOME"] = str(home / "data")

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QWidget

    from relplan.demo import generate
    from relplan.domain.model import Flag, RolloutStep
    from relplan.edits.lifecycle import new_release, save_flag
    from relplan.formats.workspace_json import parse_workspace
    from relplan.store.workspace import Workspace
    from relplan.ui.dialogs.lifecycle import NewTrainDialog
    from relplan.ui.lifecycle_actions import lifecycle_choices
    from relplan.ui.main_window import MainWindow
    from relplan.ui.session import WorkspaceSession
    from relplan.ui.tasks import SyncTaskRunner

    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(home / "qsettings"))
    app = QApplication(sys.argv[:1])

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    def save(widget: QWidget, name: str) -> bool:
        out = args.out_dir / name
        out.parent.mkdir(parents=True, exist_ok=True)
        ok = widget.grab().save(str(out))
        print(f"wrote {out} ({widget.width()}x{widget.height()})" if ok else f"failed {out}")
        return ok

    ws = Workspace.open(home / "demo.relplan")
    ws.import_plan(parse_workspace(generate("small", seed=1, today=args.today)), label="Demo")
    target = args.today + dt.timedelta(days=20)
    release, _ = new_release(
        ws, key="PAY-LIFE", team="PAY", template="standard", target=target, name="Lifecycle demo"
    )
    steps = (RolloutStep(target - dt.timedelta(days=1), 10), RolloutStep(target, 100))
    stages = tuple(
        dataclasses.replace(s, steps=steps)
        if s.environment == "Production"
        else dataclasses.replace(s, switch=s.end)
        if s.strategy == "blue_green"
        else s
        for s in release.stages
    )
    ws.update_releases([dataclasses.replace(release, stages=stages)], "Add rollout steps")
    flag_steps = (RolloutStep(target, 10), RolloutStep(target + dt.timedelta(days=6), 100))
    save_flag(ws, None, Flag("pay-new-checkout", "PAY-LIFE", "Production", "pay", flag_steps))

    window = MainWindow(WorkspaceSession(SyncTaskRunner(), ws), today=lambda: args.today)
    window.resize(1400, 860)
    window.show()
    settle()
    ok = save(window, "lifecycle-table.png")
    window.show_view("Timeline")
    settle()
    window.timeline.set_zoom("week")
    window.timeline.chart.scroll_to_release("PAY-LIFE")
    window.timeline.chart.scroll_to_day(target)
    settle()
    ok = save(window, "lifecycle-timeline.png") and ok
    window.show_view("Calendar")
    bar = window.filter_bar.team_filter
    bar.setCurrentIndex(max(bar.findData("PAY"), 0))  # the Payments releases only
    settle()
    ok = save(window, "lifecycle-calendar.png") and ok
    dialog = NewTrainDialog(lifecycle_choices(ws, args.today), window)
    dialog.key.setText("R26")
    dialog.template.setCurrentText("standard")
    dialog.set_teams(["PAY", "WEB", "API"])
    dialog.every.setValue(2)
    dialog.count.setValue(4)
    dialog.show()
    settle()
    ok = save(dialog, "lifecycle-train.png") and ok
    window.close()
    ws.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
