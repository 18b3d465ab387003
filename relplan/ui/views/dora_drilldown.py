"""The Dashboard's DORA chart with pulled deployments, its data-quality notes and a drill-down.

:func:`attach_dora_drilldown` (one line in the main window) hooks into the Dashboard when it is
built:

- the charts' worker also reads the deployments and incidents pulled from delivery tools
  (:func:`relplan.metrics.delivery_facts.load_pulled`, on its own connection), so the DORA chart
  counts them as ``relplan metrics`` does;
- the DORA chart's tooltip gives the rework rate and the data-quality notes of every figure,
  and the status line the rework rate;
- clicking a week on the chart lists the deployments, changes and incidents behind it
  (:func:`relplan.metrics.dora_drill.week_behind`, read on the DB lane) in a small dialog;
- after a delivery sync (the session's ``delivery_changed``) the charts are computed again.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QMouseEvent

from relplan.metrics.dashboard import DashboardData
from relplan.metrics.dora import DoraMetrics

if TYPE_CHECKING:
    from relplan.metrics.delivery_facts import Pulled
    from relplan.metrics.dora_drill import WeekBehind
    from relplan.ui.session import WorkspaceSession
    from relplan.ui.views.dashboard import DashboardView
    from relplan.ui.views.dashboard_tab import DashboardTab

__all__ = ["DoraDrillDown", "attach_dora_drilldown", "dora_tooltip"]

_EPOCH = dt.date(1970, 1, 1)  # matplotlib's date numbers count days from here
_TITLES = {
    "deployment_frequency": "Deployment frequency",
    "lead_time_hours": "Lead time",
    "change_failure_rate": "Change failure rate",
    "time_to_restore_hours": "Time to restore",
    "rework_rate": "Rework rate",
}


def dora_tooltip(figures: DoraMetrics) -> str:
    """The DORA chart's tooltip: the rework rate and the data-quality notes per figure."""
    rate = figures.rework_rate
    band = figures.rework_band
    lines = [
        "Rework rate: "
        + ("-" if rate is None else f"{rate:.1%}")
        + (f" ({band})" if band else f" (no band in {figures.report.name})")
    ]
    for figure, notes in figures.quality.figure_notes().items():
        lines += [f"{_TITLES[figure]}: {note}" for note in notes]
    lines.append("Click a week to list its deployments, changes and incidents.")
    return "\n".join(lines)


def _read_pulled(session: WorkspaceSession) -> Pulled | None:
    """The pulled facts, on the charts' worker, through a read-only connection of its own (a
    writable one would checkpoint on close, which the window takes for another program's
    change and reloads, which recomputes the charts, which read again: a loop)."""
    from relplan.metrics.delivery_facts import load_pulled
    from relplan.store.database import open_reader

    conn = open_reader(session.workspace.path)
    try:
        return load_pulled(conn)
    finally:
        conn.close()


class DoraDrillDown(QObject):
    """Watches the DORA chart for clicks and keeps its tooltip.

    Args:
        view: The dashboard.
        session: The open workspace (reads the week on its DB lane).
    """

    def __init__(self, view: DashboardView, session: WorkspaceSession) -> None:
        super().__init__(view)
        self.view = view
        self.session = session
        self.data: DashboardData | None = None
        self.dialog: QObject | None = None
        self.canvas = view.panels["dora"].canvas
        self.canvas.installEventFilter(self)
        view.result_shown.connect(self.on_result)

    def on_result(self, data: DashboardData) -> None:
        """Keep the figures shown; put the notes in the tooltip, the rework rate in the status."""
        self.data = data
        overall = data.dora.overall
        self.canvas.setToolTip(dora_tooltip(overall))
        if overall.rework_rate is not None:
            self.view.status.setText(
                f"{self.view.status.text()} · rework rate {overall.rework_rate:.1%}"
            )

    def week_at(self, pos: QPoint) -> DoraMetrics | None:
        """The week (bucket) under a point of the chart, if the point is on one of its plots."""
        data, figure, image = self.data, self.canvas.figure, self.canvas.image
        if data is None or figure is None or image is None or not data.dora.buckets:
            return None
        size = image.deviceIndependentSize().toSize()
        if size != self.canvas.size():
            size = size.scaled(self.canvas.size(), Qt.AspectRatioMode.KeepAspectRatio)
        x0 = (self.canvas.width() - size.width()) // 2
        y0 = (self.canvas.height() - size.height()) // 2
        fx = (pos.x() - x0) / max(size.width(), 1)
        fy = 1.0 - (pos.y() - y0) / max(size.height(), 1)
        for ax in figure.axes:
            box = ax.get_position()  # figure fractions, as last drawn
            if box.x0 <= fx <= box.x1 and box.y0 <= fy <= box.y1:
                left, right = ax.get_xlim()
                x = left + (fx - box.x0) / box.width * (right - left)
                day = _EPOCH + dt.timedelta(days=round(x))
                buckets = data.dora.buckets
                for bucket in buckets:
                    if bucket.window.start <= day <= bucket.window.end:
                        return bucket
                return min(buckets, key=lambda b: abs((b.window.end - day).days))
        return None

    def open_week(self, bucket: DoraMetrics) -> None:
        """Read what is behind ``bucket`` on the DB lane, then show it."""
        from relplan.metrics.dora_drill import week_behind

        data = self.data
        team = data.filter.team if data is not None else None
        train = data.filter.train if data is not None else None
        window = bucket.window

        def show(week: WeekBehind) -> None:
            from relplan.ui.dialogs.dora_week import DoraWeekDialog

            dialog = DoraWeekDialog(week, bucket, self.view)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.dialog = dialog
            dialog.show()

        self.session.read(lambda ws: week_behind(ws, window, team=team, train=train), show)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Open the week under a left click on the chart."""
        if watched is self.canvas and event.type() == QEvent.Type.MouseButtonRelease:
            assert isinstance(event, QMouseEvent)
            if event.button() == Qt.MouseButton.LeftButton:
                bucket = self.week_at(event.position().toPoint())
                if bucket is not None:
                    self.open_week(bucket)
                    return True
        return False


def attach_dora_drilldown(tab: DashboardTab, session: WorkspaceSession) -> None:
    """Hook the pulled data, the notes and the drill-down into the Dashboard once it is built."""

    def setup(view: DashboardView) -> None:
        view.pulled_source = lambda: _read_pulled(session)
        view.dora_drilldown = DoraDrillDown(view, session)  # type: ignore[attr-defined]

    tab.setup_view = setup
    session.delivery_changed.connect(tab.reload_pulled)  # a delivery sync wrote deployments
