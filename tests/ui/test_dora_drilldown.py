"""The Dashboard's DORA chart counts pulled deployments, notes their data quality, shows the
rework rate, and a click on a week lists what is behind it (issue #15)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from relplan.metrics.delivery import PulledCommit, PulledDeployment, PulledIncident
from relplan.metrics.dora import dora_metrics
from relplan.store import delivery
from relplan.store.workspace import Workspace
from relplan.ui.dialogs.dora_week import DoraWeekDialog
from relplan.ui.main_window import MainWindow
from relplan.ui.views.dashboard import DashboardView
from relplan.ui.views.dora_drilldown import DoraDrillDown

# The demo's today is 2026-06-01: the DORA window is the 90 days before it.
T0 = dt.datetime(2026, 5, 4, 10, tzinfo=dt.UTC)  # a Monday in the window


def _pulled(ws: Workspace) -> None:
    deps = []
    for n in range(6):
        finished = T0 + dt.timedelta(days=n)
        deps.append(
            PulledDeployment(
                "gh", "github", str(n), "production", True, f"{n:040x}",
                "fix-INC-1" if n == 4 else "main",
                ("failure",) if n == 2 else ("success",), finished,
                commits=() if n == 3 else (
                    PulledCommit(f"{n}{k:039x}", finished - dt.timedelta(hours=5 + k),
                                 f"PAY-45{k} step {n}")
                    for k in range(2)
                ),
                team="PAY", release="PAY-2026.06" if n % 2 else None,
                link="inferred" if n % 2 else "",
            )
        )  # fmt: skip
    with ws.write():
        delivery.save_deployments(ws.conn, deps)
        delivery.save_incidents(
            ws.conn,
            [
                PulledIncident("pd", "1", ("INC-1",), T0 + dt.timedelta(days=1, hours=2),
                               T0 + dt.timedelta(days=1, hours=4), team="PAY",
                               text=f"broke after {1:040x}"[:30]),
                PulledIncident("pd", "2", ("INC-2",), T0 + dt.timedelta(days=3, hours=2),
                               team="PAY", text="slow"),
            ],
        )  # fmt: skip


def _point(drill: DoraDrillDown, day: dt.date) -> QPoint:
    """Where ``day`` is on the first plot of the DORA chart (the inverse of week_at)."""
    figure, canvas = drill.canvas.figure, drill.canvas
    assert figure is not None
    assert canvas.image is not None
    ax = figure.axes[0]
    box = ax.get_position()
    left, right = ax.get_xlim()
    x = (day - dt.date(1970, 1, 1)).days
    fx = box.x0 + (x - left) / (right - left) * box.width
    fy = box.y0 + box.height / 2
    size = canvas.image.deviceIndependentSize().toSize()
    x0 = (canvas.width() - size.width()) // 2
    y0 = (canvas.height() - size.height()) // 2
    return QPoint(x0 + round(fx * size.width()), y0 + round((1 - fy) * size.height()))


def test_dora_chart_counts_pulled_notes_quality_and_drills_into_a_week(
    qtbot: Any, demo_ws: Workspace, runner: Any
) -> None:
    from tests.ui.conftest import make_window

    _pulled(demo_ws)
    window: MainWindow = make_window(qtbot, demo_ws, runner)
    try:
        window.resize(1280, 800)
        window.show_view("Dashboard")
        view = window.dashboard.view
        assert isinstance(view, DashboardView)
        qtbot.waitUntil(lambda: view.charts_fit() and window.runner.idle, timeout=30_000)
        drill = view.dora_drilldown  # type: ignore[attr-defined]
        assert isinstance(drill, DoraDrillDown)
        assert drill.data is not None
        overall = drill.data.dora.overall
        plain = dora_metrics(demo_ws.plan(), window=overall.window)
        assert overall.deployments == plain.deployments + 6  # the six pulled ones count
        tip = drill.canvas.toolTip()
        assert "Rework rate:" in tip
        assert "3 deployments linked to a release only by inference" in tip
        assert "1 successful deployment without commits (no lead time)" in tip
        assert "1 incident naming no deployment (1 only suggested): not counted" in tip
        assert "rework rate" in view.status.text()
        shots = os.environ.get("RELPLAN_SHOTS")
        if shots:
            window.grab().save(str(Path(shots) / "dashboard-dora.png"))

        week = drill.week_at(_point(drill, dt.date(2026, 5, 6)))
        assert week is not None
        assert week.window.start <= dt.date(2026, 5, 6) <= week.window.end
        QTest.mouseClick(
            drill.canvas, Qt.MouseButton.LeftButton, pos=_point(drill, dt.date(2026, 5, 6))
        )
        qtbot.waitUntil(lambda: isinstance(drill.dialog, DoraWeekDialog), timeout=30_000)
        dialog = drill.dialog
        assert isinstance(dialog, DoraWeekDialog)
        tree = dialog.tree
        pulled = [
            tree.topLevelItem(0).child(i).text(0)
            for i in range(tree.topLevelItem(0).childCount())
            if tree.topLevelItem(0).child(i).text(0).startswith("gh:")
        ]
        in_week = [
            n for n in range(6)
            if week.window.start <= (T0 + dt.timedelta(days=n)).date() <= week.window.end
        ]  # fmt: skip
        assert pulled == [f"gh:{n} ({0 if n == 3 else 2} commits)" for n in in_week]
        incidents = tree.topLevelItem(2)
        names = {incidents.child(i).text(0): incidents.child(i).text(1)
                 for i in range(incidents.childCount())}  # fmt: skip
        assert names == {"INC-1": "named: counted", "INC-2": "suggested: not counted"}
        changes = tree.topLevelItem(1)
        assert any(changes.child(i).text(1) == "PAY-450" for i in range(changes.childCount()))
        if shots:
            dialog.grab().save(str(Path(shots) / "dora-week.png"))
    finally:
        window.session.close()
        qtbot.waitUntil(lambda: runner.idle)


def test_drawing_the_dashboard_is_not_taken_for_another_programs_change(
    qtbot: Any, demo_ws: Workspace, runner: Any
) -> None:
    """The DORA chart reads pulled facts on a worker; that read must leave the workspace as it
    was, or the window reloads, which redraws the charts, which read again: a loop."""
    from tests.ui.conftest import make_window

    _pulled(demo_ws)
    window: MainWindow = make_window(qtbot, demo_ws, runner)
    messages: list[str] = []
    window.session.message.connect(messages.append)
    try:
        before = demo_ws.conn.execute("PRAGMA data_version").fetchone()[0]
        window.show_view("Dashboard")
        view = window.dashboard.view
        assert isinstance(view, DashboardView)
        qtbot.waitUntil(lambda: view.charts_fit() and window.runner.idle, timeout=30_000)
        drill = view.dora_drilldown  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: drill.data is not None, timeout=30_000)
        assert demo_ws.conn.execute("PRAGMA data_version").fetchone()[0] == before
        window.session.check_external_changes()
        qtbot.waitUntil(lambda: window.runner.idle)
        window.session.check_external_changes()
        qtbot.waitUntil(lambda: window.runner.idle)
        assert not [m for m in messages if m.startswith("Reloaded")]
    finally:
        window.session.close()
        qtbot.waitUntil(lambda: runner.idle)
