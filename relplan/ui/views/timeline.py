"""The Timeline (Gantt): a row per release grouped by team or train, drawn from ``relplan.layout``.

The scene holds a single :class:`TimelineCanvas` item that paints only the rows and days exposed
(bars, stage segments, milestones, freeze bands, forecast ghosts, dependency arrows, today), so a
plan of 2,000 releases scrolls as fast as one of 20. The date header and the row labels are
widgets in the view's margins, like a table's headers. Dragging a bar moves the whole release,
dragging its right end moves the target; the view emits ``move_requested`` and the window turns it
into one undoable ``drag_release``. Ctrl+wheel zooms, Home goes to today.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace
from typing import TYPE_CHECKING, Final, Literal

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from relplan.domain.model import Plan
from relplan.layout.graph import PlanGraph, ViewFilter
from relplan.layout.timeline import TimelineLayout
from relplan.ui.palette import Theme
from relplan.ui.views.base import PlanView, export_widget_image
from relplan.ui.views.timeline_chart import TimelineChart
from relplan.ui.views.timeline_paint import ROW_PX, ZOOMS, timeline_legend
from relplan.ui.views.view_common import heading, plan_graph, without_chrome

if TYPE_CHECKING:
    from relplan.planning.level import Levelling
    from relplan.ui.analysis import PlanAnalysis

#: Above this many release edges only explicit ones (and the selected release's) are drawn.
ALL_ARROWS_LIMIT: Final = 600
EXPORT_MAX: Final = QSize(2400, 7000)
ARROW_MODES: Final = (
    ("All dependencies", "all"),
    ("Explicit + selected", "explicit"),
    ("Selected release", "selected"),
    ("No dependencies", "none"),
)


class TimelineView(QWidget, PlanView):
    """The Timeline tab: zoom, grouping and dependency controls, a search box and the chart.

    Args:
        parent: the owning widget.

    Signals:
        release_activated(str): a bar was double-clicked (the window opens the editor).
        move_requested(str, str, int): a bar was dragged: key, part (``"body"`` or ``"end"``)
            and days; the window writes it with ``WorkspaceSession.drag_release``.
    """

    move_requested = Signal(str, str, int)
    shows_sketch = True

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline-view")
        self._plan: Plan | None = None
        self._analysis: PlanAnalysis | None = None
        self._graph: PlanGraph | None = None
        self._today = dt.date.today()  # replaced by the analysis' day in set_data
        # Released and cancelled releases are folded away until "Show done" is on.
        self._filter = ViewFilter(hide_done=True)
        self._group_by: Literal["team", "train"] = "team"
        self._scrolled = False
        #: Appended to the title (an export that shows only some releases says so).
        self.title_note = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 6, 8, 4)
        self.zoom_buttons: dict[str, QToolButton] = {}
        for name in ZOOMS:
            button = QToolButton(self)
            button.setText(name.title())
            button.setCheckable(True)
            button.setAutoExclusive(True)
            button.setToolTip(f"{name.title()} zoom (Ctrl+wheel zooms freely)")
            button.clicked.connect(lambda _=False, n=name: self.set_zoom(n))
            bar.addWidget(button)
            self.zoom_buttons[name] = button
        today = QToolButton(self)
        today.setText("Today")
        today.setToolTip("Scroll to today (Home)")
        today.clicked.connect(self.go_today)
        bar.addWidget(today)
        bar.addSpacing(12)
        self.group_box = QComboBox(self)
        self.group_box.addItem("Group by team", "team")
        self.group_box.addItem("Group by train", "train")
        self.group_box.currentIndexChanged.connect(self._on_group_box_changed)
        bar.addWidget(self.group_box)
        self.arrow_box = QComboBox(self)
        for label, mode in ARROW_MODES:
            self.arrow_box.addItem(label, mode)
        self.arrow_box.currentIndexChanged.connect(self._on_arrow_box_changed)
        bar.addWidget(self.arrow_box)
        self.done_button = QToolButton(self)
        self.done_button.setText("Show done")
        self.done_button.setCheckable(True)
        self.done_button.setToolTip("Show released and cancelled releases too")
        self.done_button.toggled.connect(self.set_show_done)
        bar.addWidget(self.done_button)
        bar.addStretch(1)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Find release…")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        bar.addWidget(self.search)
        layout.addLayout(bar)
        self.canvas = QWidget(self)
        self.canvas.setObjectName("timeline-canvas")
        self.canvas.setAutoFillBackground(True)
        body = QVBoxLayout(self.canvas)
        body.setContentsMargins(8, 4, 8, 8)
        self.title = heading("Timeline", self.canvas)
        body.addWidget(self.title)
        self.chart = TimelineChart(self.canvas)
        body.addWidget(self.chart, 1)
        # Below the chart, as on the Map and the Calendar: beside the title it lost its last
        # chips (milestone, rollout step, monitoring, today) at 1280 px.
        self.legend = QLabel("", self.canvas)
        self.legend.setWordWrap(True)
        body.addWidget(self.legend)
        layout.addWidget(self.canvas, 1)
        self.chart.move_requested.connect(self.move_requested)
        self.chart.release_activated.connect(self.release_activated)
        self.chart.zoom_changed.connect(self._sync_zoom_buttons)
        self._sync_zoom_buttons()

    # -- the protocol -------------------------------------------------------------------------
    def set_data(self, plan: Plan, analysis: PlanAnalysis | None) -> None:
        """Show ``plan`` with the schedule and problems ``analysis`` found."""
        from relplan.ui.analysis import zone_today

        self._plan, self._analysis = plan, analysis
        self._today = analysis.today if analysis is not None else zone_today(plan.timezone)
        self._graph = plan_graph(plan, analysis)
        if self.arrow_box.property("chosen") is None:  # until the user picks, by plan size
            mode = "all" if len(self._graph.links) <= ALL_ARROWS_LIMIT else "explicit"
            self.arrow_box.blockSignals(True)
            self.arrow_box.setCurrentIndex(self.arrow_box.findData(mode))
            self.arrow_box.blockSignals(False)
            self.chart.arrow_mode = mode
        self.relayout()

    def set_filter(self, teams: frozenset[str], train: str | None, environment: str | None) -> None:
        """Show only these teams (empty: all), train and environment (None: any)."""
        self._filter = replace(
            self._filter, teams=frozenset(teams), train=train, environment=environment
        )
        self.relayout()

    def set_date_range(self, first: dt.date | None, last: dt.date | None) -> None:
        """Show only these days (None: from the first release, to the last)."""
        self._filter = replace(self._filter, first=first, last=last)
        self.relayout()

    def set_level_preview(self, levelling: Levelling | None, pins: frozenset[str]) -> None:
        """Draw the moves of a levelling preview as ghost bars (None: clear them); ``pins``:
        the releases the preview kept in place (their context menu offers to unpin)."""
        self.chart.set_level_preview(levelling.moved if levelling is not None else (), pins)
        self._set_legend()

    def _set_legend(self) -> None:
        chart = self.chart
        self.legend.setText(
            timeline_legend(
                chart.env_colors, chart.theme, preview=bool(chart.level_moves or chart.level_pins)
            )
        )

    def focus_search(self) -> bool:
        """Focus the search box (Ctrl+F)."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
        return True

    def set_theme(self, theme: Theme) -> None:
        """Repaint with another theme."""
        self.chart.apply_theme(theme)

    def export_widget(self) -> QWidget:
        """The title and the chart, without the controls."""
        return self.canvas

    def export_image(self, path: str) -> None:
        """Write every row of the shown days (all days when never shown) as PNG, SVG or PDF.

        An offscreen copy sized to fit the rows and days (within :data:`EXPORT_MAX`) is
        rendered, so the file does not depend on this view's size or scrolling.
        """
        copy = TimelineView()
        try:
            copy.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
            copy._filter, copy._group_by, copy._scrolled = self._filter, self._group_by, True
            copy.title_note = self.title_note
            chart = copy.chart
            chart.apply_theme(self.chart.theme)
            chart.arrow_mode, chart.selected = self.chart.arrow_mode, self.chart.selected
            copy.arrow_box.setProperty("chosen", True)
            without_chrome(chart)
            copy.resize(900, 600)
            copy.show()
            if self._plan is not None:
                copy.set_data(self._plan, self._analysis)
            timeline = chart.timeline
            days, rows = (timeline.span_days, len(timeline.rows)) if timeline else (90, 1)
            first_x = 0.0
            if self.isVisible() and self.chart.timeline is not None:  # the days in view
                first_x = self.chart.mapToScene(0, 0).x() / self.chart.day_px
                days = math.ceil(self.chart.viewport().width() / self.chart.day_px)
            QApplication.sendPostedEvents()
            chrome = copy.size() - chart.viewport().size()
            day_px = (EXPORT_MAX.width() - chrome.width()) / max(days, 1)
            if not self.isVisible():  # no zoom to keep: as wide as reads well
                day_px = min(day_px, max(ZOOMS["month"], 1600 / max(days, 1)))
            chart.day_px = min(ZOOMS["week"], max(1.0, day_px))
            width = chrome.width() + math.ceil(days * chart.day_px)
            height = chrome.height() + math.ceil(rows * ROW_PX)
            copy.resize(min(width, EXPORT_MAX.width()), min(height, EXPORT_MAX.height()))
            QApplication.sendPostedEvents()
            # The legend wraps at the first width and not at the last: measure the chrome again.
            chrome_h = copy.height() - chart.viewport().height()
            height = chrome_h + math.ceil(rows * ROW_PX)
            copy.resize(copy.width(), min(height, EXPORT_MAX.height()))
            QApplication.sendPostedEvents()
            chart.relayout_scene()
            chart.horizontalScrollBar().setValue(round(first_x * chart.day_px))
            chart.verticalScrollBar().setValue(0)
            if timeline is not None and self.isVisible():
                first = timeline.day(first_x)
                copy.set_title(timeline, first, first + dt.timedelta(days=days - 1))
            export_widget_image(copy.canvas, path)
        finally:
            copy.hide()
            copy.deleteLater()

    # -- state --------------------------------------------------------------------------------
    def shows_data(self) -> bool:
        """Whether rows of a plan are laid out (the start-up probe waits for it)."""
        timeline = self.chart.timeline
        return timeline is not None and len(timeline.rows) > 0

    @property
    def graph(self) -> PlanGraph | None:
        """The plan graph shown (None before ``set_data``)."""
        return self._graph

    def relayout(self) -> None:
        """Lay the rows out again from the plan, analysis, filter and grouping."""
        if self._graph is None:
            return
        today = self._today
        anchor = self.chart.view_anchor() if self._scrolled else None
        layout = TimelineLayout(self._graph, self._filter, group_by=self._group_by, today=today)
        self.chart.set_layout(self._graph, layout, today)
        if anchor is not None:  # a new analysis or filter keeps the days and rows in view
            self.chart.restore_anchor(anchor)
        self.set_title(layout, layout.origin, layout.day(layout.span_days - 1))
        self._set_legend()
        if not self._scrolled:
            self._scrolled = True
            self.chart.scroll_to_day(today - dt.timedelta(days=30))

    def set_title(self, layout: TimelineLayout, first: dt.date, last: dt.date) -> None:
        """Name the days shown and how many releases."""
        count = len(layout.rows) - len({row.group for row in layout.rows})
        folded = ""
        if self._filter.hide_done and self._graph is not None:
            done = sum(
                r.status in ("released", "cancelled")
                and replace(self._filter, hide_done=False).keeps(r)
                for r in self._graph.releases.values()
            )
            folded = f" ({done} done hidden)" if done else ""
        # A sketch has no forecast, critical path or problems yet: say so until they come.
        updating = " · updating…" if self._analysis is not None and self._analysis.sketch else ""
        self.title.setText(
            f"Timeline — {count} release{'s' * (count != 1)}{folded}"
            f"{' ' + self.title_note if self.title_note else ''}, "
            f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}{updating}"
        )
        # Lay the title row out again now: a title set while the tab was switching kept the
        # width of the old one otherwise.
        rows = self.canvas.layout()
        if rows is not None:
            rows.invalidate()
            rows.activate()

    def set_show_done(self, shown: bool) -> None:
        """Show released and cancelled releases too (else they are folded away)."""
        if self.done_button.isChecked() != shown:
            self.done_button.setChecked(shown)  # comes back here through ``toggled``
            return
        self._filter = replace(self._filter, hide_done=not shown)
        self.relayout()

    def set_zoom(self, name: str) -> None:
        """Zoom to ``week``, ``month`` or ``quarter``."""
        self.chart.set_zoom(ZOOMS[name])
        self._sync_zoom_buttons()

    def set_group_by(self, group_by: Literal["team", "train"]) -> None:
        """Group rows by ``team`` or ``train``."""
        self.group_box.setCurrentIndex(self.group_box.findData(group_by))

    def set_arrow_mode(self, mode: str) -> None:
        """Draw ``all``, ``explicit`` (+ the selected release's), ``selected`` or ``none``."""
        self.arrow_box.setCurrentIndex(self.arrow_box.findData(mode))

    def go_today(self) -> None:
        """Scroll to today."""
        if self.chart.today is not None:
            self.chart.scroll_to_day(self.chart.today)

    def _sync_zoom_buttons(self) -> None:
        for name, button in self.zoom_buttons.items():
            button.setAutoExclusive(False)  # else the checked one cannot be unchecked
            button.setChecked(abs(ZOOMS[name] - self.chart.day_px) < 0.01)
            button.setAutoExclusive(True)

    def _on_group_box_changed(self) -> None:
        self._group_by = self.group_box.currentData()
        self.relayout()

    def _on_arrow_box_changed(self) -> None:
        self.arrow_box.setProperty("chosen", True)
        self.chart.arrow_mode = self.arrow_box.currentData()
        self.chart.viewport().update()

    def _on_search_return_pressed(self) -> None:
        layout = self.chart.timeline
        if layout is None or self._graph is None:
            return
        shown = [row.key for row in layout.rows if row.kind == "release"]
        found = self._graph.search(self.search.text(), shown)
        if found:
            self.chart.scroll_to_release(found[0])
