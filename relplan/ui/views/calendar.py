"""The Calendar view: a week, month or quarter of releases, stage windows, freezes and problems.

A month model (:class:`~relplan.ui.views.calendar_table.CalendarModel`, one row per week, one
column per day) in a :class:`~relplan.ui.views.calendar_table.CalendarTable`; the model holds a
:class:`~relplan.layout.calendar.CalendarLayout` computed by the core and the table only
paints it (:mod:`relplan.ui.views.calendar_paint`).
Click a release to open it; the "+N more" line of a full day lists the releases that do not fit.
PgUp/PgDn go to the previous/next period, Home to today; Ctrl+F focuses the search box, which
highlights the matching releases (Enter jumps to the first one).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import QRect, Qt, Signal, Slot
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from relplan.domain.model import Plan
from relplan.ui.palette import Theme, current_theme, environment_colors, team_colors
from relplan.ui.views.base import PlanView, export_widget_image
from relplan.ui.views.calendar_legend import LegendBar
from relplan.ui.views.calendar_paint import COMPACT, ROOMY, Hit, PaintContext
from relplan.ui.views.calendar_table import CalendarModel, CalendarTable

if TYPE_CHECKING:
    from relplan.layout.calendar import CalendarDay, CalendarLayout, PeriodKind
    from relplan.ui.analysis import PlanAnalysis

#: The width of exported images, in pixels (at least the view's own width).
EXPORT_WIDTH: Final = 1400
_KIND_LABELS: Final = (("week", "Week"), ("month", "Month"), ("quarter", "Quarter"))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


class CalendarView(QWidget, PlanView):
    """The Calendar: navigation bar, the period's heading, the grid of days and a legend.

    Args:
        parent: the owning widget.

    Signals:
        release_activated(str): a release was clicked (the window opens its editor).
        freeze_activated(str): a freeze band was clicked; the freeze's name.
    """

    freeze_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendar-view")
        self.context = PaintContext(theme=current_theme())
        self.model = CalendarModel(self)
        self._plan: Plan | None = None
        self._analysis: PlanAnalysis | None = None
        self._teams: frozenset[str] = frozenset()
        self._train: str | None = None
        self._environment: str | None = None
        self._kind: PeriodKind = "month"
        self._anchor: dt.date | None = None
        self._today: dt.date | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_navigation())
        self.canvas = QWidget(self)
        self.canvas.setObjectName("calendar-canvas")
        self.canvas.setAutoFillBackground(True)
        body = QVBoxLayout(self.canvas)
        body.setContentsMargins(10, 6, 10, 6)
        body.setSpacing(4)
        heading = QHBoxLayout()
        self.title = QLabel("Calendar", self.canvas)
        self.title.setObjectName("calendar-title")
        title_font = QFont(self.title.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.45)
        title_font.setBold(True)
        self.title.setFont(title_font)
        heading.addWidget(self.title)
        heading.addStretch(1)
        self.subtitle = QLabel("", self.canvas)
        self.subtitle.setObjectName("calendar-subtitle")
        heading.addWidget(self.subtitle, 0, Qt.AlignmentFlag.AlignBottom)
        body.addLayout(heading)
        self.table = CalendarTable(self.context, self.canvas)
        self.table.setModel(self.model)
        body.addWidget(self.table, 1)
        self.legend = LegendBar(self.context, self.canvas)
        body.addWidget(self.legend)
        layout.addWidget(self.canvas, 1)

        self.table.hit_clicked.connect(self._on_table_hit_clicked)
        for keys, slot in (
            (QKeySequence.StandardKey.MoveToPreviousPage, self.previous_period),
            (QKeySequence.StandardKey.MoveToNextPage, self.next_period),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        today = QShortcut(QKeySequence(Qt.Key.Key_Home), self.table)
        today.setContext(Qt.ShortcutContext.WidgetShortcut)
        today.activated.connect(self.go_today)
        self._apply_theme_to_canvas()

    def _build_navigation(self) -> QWidget:
        bar = QWidget(self)
        bar.setObjectName("calendar-navigation")
        row = QHBoxLayout(bar)
        row.setContentsMargins(8, 6, 8, 2)
        row.setSpacing(4)
        self.today_button = self._tool_button(bar, "Today", "Go to today (Home)", self.go_today)
        self.previous_button = self._tool_button(
            bar, "‹", "Previous period (PgUp)", self.previous_period
        )
        self.next_button = self._tool_button(bar, "›", "Next period (PgDn)", self.next_period)
        for button in (self.today_button, self.previous_button, self.next_button):
            row.addWidget(button)
        row.addSpacing(12)
        self.kind_group = QButtonGroup(bar)
        self.kind_group.setExclusive(True)
        self.kind_buttons: dict[str, QToolButton] = {}
        for kind, label in _KIND_LABELS:
            button = self._tool_button(bar, label, f"Show a {kind}", None)
            button.setCheckable(True)
            button.setChecked(kind == self._kind)
            self.kind_group.addButton(button)
            self.kind_buttons[kind] = button
            button.clicked.connect(lambda _=False, k=kind: self.set_kind(k))
            row.addWidget(button)
        row.addSpacing(12)
        self.show_all_button = self._tool_button(
            bar, "Show all", "Let weeks grow to show every release (else: +N more)", None
        )
        self.show_all_button.setCheckable(True)
        self.show_all_button.toggled.connect(self.set_show_all)
        row.addWidget(self.show_all_button)
        row.addStretch(1)
        self.search = QLineEdit(bar)
        self.search.setObjectName("calendar-search")
        self.search.setPlaceholderText("Find a release (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(240)
        self.search.setToolTip("Highlights matching releases; Enter jumps to the first one")
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        row.addWidget(self.search)
        return bar

    @staticmethod
    def _tool_button(parent: QWidget, text: str, tip: str, slot: Any) -> QToolButton:
        button = QToolButton(parent)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setMinimumWidth(28)
        if slot is not None:
            button.clicked.connect(slot)
        return button

    # -- the protocol -----------------------------------------------------------------------
    def set_data(self, plan: Plan, analysis: PlanAnalysis | None) -> None:
        """Show ``plan`` with the problems ``analysis`` found (see :class:`PlanView`)."""
        from relplan.ui.analysis import zone_today

        self._plan, self._analysis = plan, analysis
        self._today = analysis.today if analysis is not None else zone_today(plan.timezone)
        if self._anchor is None:
            self._anchor = self._today
        self.context.teams = team_colors(plan.teams)
        self.context.team_names = {team.key: team.name for team in plan.teams}
        self.context.environments = environment_colors(plan.environments)
        self.legend.set_environments(plan.environments)
        self.relayout()

    def set_filter(self, teams: frozenset[str], train: str | None, environment: str | None) -> None:
        """Show only these teams (empty: all), train and environment (None: any)."""
        self._teams, self._train, self._environment = frozenset(teams), train, environment
        self.relayout()

    def focus_search(self) -> bool:
        """Focus the search box (Ctrl+F)."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
        return True

    def export_widget(self) -> QWidget:
        """The heading, the grid and the legend, without the navigation bar."""
        return self.canvas

    def export_image(self, path: str) -> None:
        """Write the period as PNG, SVG or PDF (by suffix), every release shown.

        An offscreen copy of the view is laid out with rows tall enough for all their lanes, so
        the file shows the same whatever this view's size, scrolling or visibility.

        Raises:
            ValueError: the suffix is not ``.png``, ``.svg`` or ``.pdf``.
            OSError: the file could not be written.
        """
        copy = CalendarView()
        try:
            copy.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
            copy.context.theme = self.context.theme
            copy._apply_theme_to_canvas()
            copy._kind, copy._anchor = self._kind, self._anchor
            copy.search.setText(self.search.text())
            copy.context.selected = self.context.selected
            copy._teams, copy._train = self._teams, self._train
            copy._environment = self._environment
            copy.table.set_show_all(True)
            copy.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            width = max(self.canvas.width(), EXPORT_WIDTH) if self.isVisible() else EXPORT_WIDTH
            copy.resize(width, 900)
            copy.show()
            if self._plan is not None:
                copy.set_data(self._plan, self._analysis)
            QApplication.sendPostedEvents()
            chrome = copy.canvas.height() - copy.table.height()
            height = chrome + copy.table.content_height()
            copy.resize(width, copy.height() - copy.canvas.height() + height)
            QApplication.sendPostedEvents()
            copy.table.fit_rows()
            export_widget_image(copy.canvas, path)
        finally:
            copy.hide()
            copy.deleteLater()

    # -- state ------------------------------------------------------------------------------
    @property
    def layout_model(self) -> CalendarLayout | None:
        """The layout shown (None before the first ``set_data``)."""
        return self.context.layout

    @property
    def kind(self) -> PeriodKind:
        """``week``, ``month`` or ``quarter``."""
        return self._kind

    @property
    def anchor(self) -> dt.date | None:
        """A day of the period shown."""
        return self._anchor

    def set_theme(self, theme: Theme) -> None:
        """Repaint with another theme (the OS switched between light and dark)."""
        self.context.theme = theme
        self._apply_theme_to_canvas()
        self.table.viewport().update()
        self.legend.update()

    def _apply_theme_to_canvas(self) -> None:
        theme = self.context.theme
        self.subtitle.setStyleSheet(f"color: {theme.muted};")
        # Flat headers (the styles' gradients also upset the PDF engine).
        self.table.setStyleSheet(
            f"QTableView#calendar-table {{ background: {theme.base}; border: 1px solid "
            f"{theme.grid}; }}"
            f"QHeaderView::section {{ background: {theme.outside}; color: {theme.muted}; "
            f"border: none; border-right: 1px solid {theme.grid}; "
            f"border-bottom: 1px solid {theme.grid}; padding: 3px 4px; }}"
            f"QTableCornerButton::section {{ background: {theme.outside}; border: none; }}"
        )

    def relayout(self) -> None:
        """Lay the period out again from the plan, analysis, filter and period."""
        if self._plan is None or self._anchor is None or self._today is None:
            return
        from relplan.layout.calendar import CalendarFilter, layout_calendar

        flt = CalendarFilter(self._teams, self._train, self._environment)
        problems = self._analysis.problems if self._analysis is not None else ()
        self.context.geometry = COMPACT if self._kind == "quarter" else ROOMY
        layout = layout_calendar(
            self._plan,
            day=self._anchor,
            today=self._today,
            kind=self._kind,
            problems=problems,
            flt=flt,
        )
        self.context.layout = layout
        self.context.highlighted = frozenset(layout.find(self.search.text()))
        self.model.set_layout(layout)
        self.table.fit_rows()
        self.title.setText(layout.title)
        self.subtitle.setText(self._describe_filter(layout))
        self.legend.update()

    def _describe_filter(self, layout: CalendarLayout) -> str:
        parts = []
        if self._teams:
            parts.append("Teams: " + ", ".join(sorted(self._teams)))
        if self._train:
            parts.append(f"Train: {self._train}")
        if self._environment:
            parts.append(f"{self._environment} windows only")
        parts.append(_count(len(layout.releases), "release"))
        freezes = len({band.name for band in layout.bands})
        if freezes:
            parts.append(_count(freezes, "freeze"))
        problem_days = len(layout.problem_days())
        if problem_days:
            parts.append(_count(problem_days, "day") + " with problems")
        parts.append(f"dates in {layout.zone}")
        return "  ·  ".join(parts)

    # -- navigation -------------------------------------------------------------------------
    @Slot(bool)
    def set_show_all(self, show_all: bool) -> None:
        """Let weeks grow to show every release, or fit the month in the view (+N more)."""
        if self.show_all_button.isChecked() != show_all:
            self.show_all_button.setChecked(show_all)
        self.table.set_show_all(show_all)
        self.table.viewport().update()

    def set_kind(self, kind: PeriodKind) -> None:
        """Show a week, a month or a quarter (around the same day)."""
        self._kind = kind
        button = self.kind_buttons.get(kind)
        if button is not None and not button.isChecked():
            button.setChecked(True)
        self.relayout()

    def show_day(self, day: dt.date) -> None:
        """Show the period that holds ``day``."""
        self._anchor = day
        self.relayout()

    @Slot()
    def go_today(self) -> None:
        """Show the period that holds today."""
        if self._today is not None:
            self.show_day(self._today)

    @Slot()
    def previous_period(self) -> None:
        """Show the period before."""
        self._step(-1)

    @Slot()
    def next_period(self) -> None:
        """Show the period after."""
        self._step(1)

    def _step(self, steps: int) -> None:
        if self._anchor is None:
            return
        from relplan.layout.calendar import shift_period

        self.show_day(shift_period(self._kind, self._anchor, steps))

    # -- search and clicks ------------------------------------------------------------------
    @Slot(str)
    def _on_search_text_changed(self, text: str) -> None:
        layout = self.context.layout
        self.context.highlighted = (
            frozenset(layout.find(text)) if layout is not None else frozenset()
        )
        self.table.viewport().update()

    @Slot()
    def _on_search_return_pressed(self) -> None:
        """Jump to the first matching release, even outside the period shown, and select it."""
        text = self.search.text().strip().casefold()
        if not text or self._plan is None:
            return
        from relplan.layout.calendar import CalendarFilter, locate_release

        flt = CalendarFilter(self._teams, self._train, self._environment)
        matches = sorted(
            (r for r in self._plan.releases if flt.admits(r)),
            key=lambda r: (text not in r.key.casefold(), r.key),
        )
        for release in matches:
            if text in release.key.casefold() or text in release.name.casefold():
                day = locate_release(release, flt)
                layout = self.context.layout
                if day is not None and (layout is None or release.key not in layout.releases):
                    self.show_day(day)
                self.select(release.key)
                return

    def select(self, key: str | None) -> None:
        """Mark a release as picked (outlined)."""
        self.context.selected = key
        self.table.viewport().update()

    @Slot(object)
    def _on_table_hit_clicked(self, hit: Hit) -> None:
        if hit.kind == "release" and hit.key is not None:
            self.select(hit.key)
            self.release_activated.emit(hit.key)
        elif hit.kind == "freeze" and hit.key is not None:
            self.freeze_activated.emit(hit.key)
        elif hit.kind == "more":
            self._show_more_menu(hit.day, list(hit.hidden))

    def _show_more_menu(self, day: CalendarDay, keys: list[str]) -> None:
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.setToolTipsVisible(True)
        title = menu.addAction(f"{day.date:%A %d %B}")
        title.setEnabled(False)
        layout = self.context.layout
        for key in keys:
            release = None if layout is None else layout.releases.get(key)
            action = menu.addAction(key if release is None else f"{key}  —  {release.name}")
            action.triggered.connect(lambda _=False, k=key: self._activate(k))
        index = self.model.index_of(day.date)
        rect: QRect = self.table.visualRect(index)
        menu.popup(self.table.viewport().mapToGlobal(rect.bottomLeft()))

    def _activate(self, key: str) -> None:
        self.select(key)
        self.release_activated.emit(key)
