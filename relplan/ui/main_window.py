"""The main window: a desk of views (Releases, Calendar, ...), the shared filter bar, the
Problems panel, the editors, menus and status bar.

The planning analyses (check, schedule) run off the GUI thread through :class:`PlanAnalyser`
after the workspace opens and after every write that can move dates; each analysis carries the
plan it analysed, and the window hands both to the plan view shown (``set_data``) and swaps the
results into the releases table (Float, Slip, CP) and the Problems panel. Only the view shown is
kept up to date: a hidden view gets the latest analysis and filter when its tab is shown, so a
big plan is not laid out again for views nobody looks at.

Views are tabs added with :meth:`MainWindow.add_view` (``Ctrl+1`` .. ``Ctrl+5`` in the order of
:data:`VIEW_ORDER`); a view that follows :class:`~relplan.ui.views.base.PlanView` also gets the
shared filter and opens the Release editor when it emits ``release_activated``. The Dashboard
(:class:`~relplan.ui.views.dashboard_tab.DashboardTab`) is built when its tab is first shown.
Deployments and the calendar export live in :mod:`relplan.ui.plan_actions`, the Sync menu and
its dock in :mod:`relplan.ui.sync_actions`; the editors, What If It Slips… and Level the Plan…
in the window's base class :class:`~relplan.ui.dialog_actions.DialogActions`, and where the
window's state is kept between runs in :mod:`relplan.ui.window_state`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Final

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QProgressBar,
    QTabWidget,
    QWidget,
)

from relplan.domain.model import Plan, Team
from relplan.ui._compat import override
from relplan.ui.actions import PROBLEMS_SHORTCUT
from relplan.ui.analysis import Clock, ImpactPreviewer, PlanAnalyser, PlanAnalysis
from relplan.ui.dialog_actions import DialogActions
from relplan.ui.dialogs.level import LevelPreviewer
from relplan.ui.editors import EditorLauncher
from relplan.ui.errors import present_error
from relplan.ui.filter_bar import FilterBar
from relplan.ui.icons import SEVERITY_COLORS
from relplan.ui.level_timeline import LevelTimelineLink
from relplan.ui.lifecycle_actions import LifecycleActions
from relplan.ui.models.releases import Col, ReleaseTableModel
from relplan.ui.on_time import OnTimeForecaster
from relplan.ui.palette import Theme, ThemeWatcher
from relplan.ui.plan_actions import PlanActions
from relplan.ui.push_actions import PushActions
from relplan.ui.refresh import Refresh
from relplan.ui.release_status import release_edit_handler
from relplan.ui.session import WorkspaceSession
from relplan.ui.sync_actions import SyncActions
from relplan.ui.views.base import PlanView
from relplan.ui.views.calendar import CalendarView
from relplan.ui.views.dashboard_tab import DashboardTab
from relplan.ui.views.dora_drilldown import attach_dora_drilldown
from relplan.ui.views.graph_map import DependencyMapView
from relplan.ui.views.problems import ProblemsDock
from relplan.ui.views.releases import ReleaseTableView
from relplan.ui.views.timeline import TimelineView
from relplan.ui.window_state import PreserveGeometry, qsettings

#: The views' places in the tab bar (and their Ctrl+N shortcuts); others go after them.
VIEW_ORDER: Final = ("Releases", "Calendar", "Timeline", "Map", "Dashboard")
#: What the status bar adds to the problem counts while a new analysis is on its way.
UPDATING: Final = " · updating…"
#: Busy work shorter than this shows no indicator, so quick edits do not flicker.
BUSY_DELAY_MS = 250


class MainWindow(DialogActions, PreserveGeometry):
    """relplan's main window over one open workspace.

    Args:
        session: the open workspace and its task runner.
        parent: the parent widget (normally None).
        today: the day the analyses judge gates against; None: today in the planning zone.
    """

    def __init__(
        self,
        session: WorkspaceSession,
        parent: QWidget | None = None,
        *,
        today: Clock | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("main-window")
        self.session = session
        self.runner = session.runner
        self.clock = today  # the Status Report's day too
        self.runner.set_error_handler(functools.partial(present_error, self))
        self.analyser = PlanAnalyser(session, today=today, parent=self)
        self.impact_previewer = ImpactPreviewer(session, today=today, parent=self)
        self.level_previewer = LevelPreviewer(session, today=today, parent=self)
        self.on_time = OnTimeForecaster(session, today=today, parent=self)
        self.whatif_dialog = None
        self.theme_watcher = ThemeWatcher(self)
        self.editors = EditorLauncher(self, session)
        self._plan_views: list[PlanView] = []
        # What each plan view was last handed: (analysis, filter), by id(view).
        self._view_state: dict[int, tuple[PlanAnalysis | None, object]] = {}
        # A first look at the plan before its first analysis, for the views that show one.
        self._sketch: PlanAnalysis | None = None
        store = qsettings()
        self._restore_view: str | None = store.value(f"{self.geometry_key}/view")

        self.model = ReleaseTableModel(self, edit_handler=release_edit_handler(self, session))
        self.table = ReleaseTableView(self)
        self.table.setModel(self.model)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("views")
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self.problems_dock = ProblemsDock(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.problems_dock)
        self.resizeDocks([self.problems_dock], [200], Qt.Orientation.Vertical)

        self.filter_bar = FilterBar(self)
        self.addToolBar(self.filter_bar)
        self.team_filter = self.filter_bar.team_filter
        self.train_filter = self.filter_bar.train_filter
        self.environment_filter = self.filter_bar.environment_filter
        self.search = self.filter_bar.search
        self._build_status_bar()
        self._build_menus()
        self.empty_state = self._build_empty_state(self.tabs)
        self.view_group = QActionGroup(self)
        self.view_actions: dict[str, QAction] = {}
        self.add_view("Releases", self.table, "Ctrl+1")
        self.calendar = CalendarView(self)
        self.add_view("Calendar", self.calendar, "Ctrl+2")
        kind = store.value("calendar/kind")
        if kind in ("week", "month", "quarter"):
            self.calendar.set_kind(kind)
        self.calendar.set_show_all(store.value("calendar/show_all") in (True, "true"))
        self.timeline = TimelineView(self)
        self.add_view("Timeline", self.timeline, "Ctrl+3")
        # A dragged body moves the whole release, a dragged end its target: one undoable edit.
        self.timeline.move_requested.connect(self.session.drag_release)
        self.map = DependencyMapView(self, runner=self.runner)
        self.add_view("Map", self.map, "Ctrl+4")
        self.dashboard = DashboardTab(self, runner=self.runner)
        attach_dora_drilldown(self.dashboard, self.session)  # pulled data, notes, drill-down
        self.add_view("Dashboard", self.dashboard, "Ctrl+5")
        self.plan_actions = PlanActions(self, today=today)
        self.lifecycle_actions = LifecycleActions(self, today=today)
        self.sync_actions = SyncActions(self)
        self.push_actions = PushActions(self, self.sync_actions)
        self._connect()
        self.level_link = LevelTimelineLink(self, self.level_previewer, self.timeline)

        self._update_title()
        self._set_undo_labels(None, None)
        if not self.restore_geometry(self):
            self.resize(1280, 760)
        header_state = store.value(f"{self.geometry_key}/header")
        if header_state is not None:
            self.table.horizontalHeader().restoreState(header_state)
        session.reload()
        # Another window or program may write to the same file: reload when it does.
        session.watch_external_changes(self)

    # -- construction -----------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.busy_label = QLabel("Working…", status)
        self.busy_bar = QProgressBar(status)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(120)
        self.busy_bar.setMaximumHeight(14)
        self.busy_bar.setTextVisible(False)
        self.problems_label = QLabel("", status)
        self.problems_label.setObjectName("problems-label")
        self.problems_label.setTextFormat(Qt.TextFormat.RichText)
        self.count_label = QLabel("", status)
        self.zone_label = QLabel("", status)
        self.zone_label.setToolTip("Every date is a day in the workspace's planning zone")
        for widget in (
            self.busy_label,
            self.busy_bar,
            self.problems_label,
            self.count_label,
            self.zone_label,
        ):
            status.addPermanentWidget(widget)
        self._set_busy_visible(False)
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_DELAY_MS)

    def _connect(self) -> None:
        self.session.refreshed.connect(self._on_session_refreshed)
        self.session.opened.connect(self._on_session_opened)
        self.session.message.connect(self.show_message)
        self.session.failed.connect(self._on_session_failed)
        self.model.message.connect(self.show_message)
        self.model.counts_changed.connect(self._on_model_counts_changed)
        self.filter_bar.filter_changed.connect(self._on_filter_bar_changed)
        self.filter_bar.search_changed.connect(self.model.set_text_filter)
        self.runner.busy_changed.connect(self._on_runner_busy_changed)
        self._busy_timer.timeout.connect(lambda: self._set_busy_visible(True))
        self.analyser.started.connect(self.problems_dock.set_checking)
        self.analyser.started.connect(self._on_analyser_started)
        self.analyser.sketched.connect(self._on_analyser_sketched)
        self.analyser.analysed.connect(self._on_analyser_analysed)
        self.analyser.analysed.connect(self.on_time.request)
        self.analyser.analysed.connect(self.dashboard.warm_up)
        self.on_time.computed.connect(self.model.set_on_time)
        self.on_time.computed.connect(lambda odds: self.dashboard.set_forecast(odds.forecast))
        self.analyser.failed.connect(self._on_session_failed)
        self.impact_previewer.computed.connect(self._on_impact_previewer_computed)
        self.impact_previewer.failed.connect(self._on_impact_previewer_failed)
        self.problems_dock.release_activated.connect(self.reveal_release)
        self.problems_dock.message.connect(self.show_message)
        self.table.customContextMenuRequested.connect(self._on_table_context_menu)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.model.modelReset.connect(self._on_current_row_changed)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.theme_watcher.changed.connect(self._on_theme_changed)
        self.calendar.freeze_activated.connect(self.open_freeze_editor)

    # -- views ------------------------------------------------------------------------------
    def add_view(self, title: str, widget: QWidget, shortcut: str = "") -> QAction:
        """Add a view as a tab, with a View-menu entry and a shortcut (``"Ctrl+3"``).

        Tabs are kept in the order of :data:`VIEW_ORDER` whatever order views are added in. A
        :class:`PlanView` also gets the current filter and the latest analysis at once, and its
        ``release_activated`` opens the Release editor.

        Args:
            title: The tab's title (one of :data:`VIEW_ORDER` for a known place).
            widget: The view.
            shortcut: Its key sequence.

        Returns:
            The View-menu action that shows the view.
        """
        # An explicit minimum overrides the view's toolbar hint, so that a narrow screen can
        # still hold the window (toolbars then clip instead of widening every tab).
        widget.setMinimumSize(320, 200)

        def rank_of(name: str) -> int:
            # Unknown views rank after the known ones, in the order they were added.
            return VIEW_ORDER.index(name) if name in VIEW_ORDER else len(VIEW_ORDER)

        rank = rank_of(title)
        position = sum(1 for i in range(self.tabs.count()) if rank_of(self.tabs.tabText(i)) <= rank)
        self.tabs.insertTab(position, widget, title)
        if shortcut:
            self.tabs.setTabToolTip(position, f"{title} ({shortcut})")
        action = QAction(f"&{title}", self)
        action.setCheckable(True)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _=False, w=widget: self.tabs.setCurrentWidget(w))
        self.view_group.addAction(action)
        following = self.tabs.tabText(position + 1) if position + 1 < self.tabs.count() else ""
        before = self.view_actions.get(following)
        self.view_menu.insertAction(before or self.views_end, action)
        self.view_actions[title] = action
        if isinstance(widget, PlanView):
            self._plan_views.append(widget)
            widget.release_activated.connect(self.open_release_editor)
            current = self.filter_bar.current()
            widget.set_filter(*current)  # cheap before data; the data follows when shown
            self._view_state[id(widget)] = (None, current)
        if title == self._restore_view:
            self.tabs.setCurrentWidget(widget)
        self._on_tabs_current_changed()
        return action

    def current_view(self) -> QWidget | None:
        """The widget of the current tab."""
        return self.tabs.currentWidget()

    def view(self, title: str) -> QWidget | None:
        """The view with this tab title, if added."""
        for i in range(self.tabs.count()):
            if self.tabs.tabText(i) == title:
                return self.tabs.widget(i)
        return None

    def show_view(self, title: str) -> bool:
        """Make the view with this title current; whether there is one."""
        widget = self.view(title)
        if widget is not None:
            self.tabs.setCurrentWidget(widget)
        return widget is not None

    @Slot()
    def _on_tabs_current_changed(self) -> None:
        title = self.tabs.tabText(self.tabs.currentIndex())
        action = self.view_actions.get(title)
        if action is not None:
            action.setChecked(True)
        self.filter_bar.set_search_visible(self.tabs.currentWidget() is self.table)
        self.sync_view(self.tabs.currentWidget())

    def sync_view(self, view: object) -> None:
        """Hand a plan view the latest filter and analysis it has not seen yet (the window
        keeps only the view shown up to date; the others catch up here when shown)."""
        if not isinstance(view, PlanView) or id(view) not in self._view_state:
            return
        sent_analysis, sent_filter = self._view_state[id(view)]
        current, latest = self.filter_bar.current(), self.analyser.latest
        if latest is None and view.shows_sketch:
            latest = self._sketch
        if current != sent_filter:
            view.set_filter(*current)
        if latest is not None and latest is not sent_analysis:
            view.set_data(latest.plan, latest)
        self._view_state[id(view)] = (latest, current)

    def view_shows_data(self) -> bool:
        """Whether the view shown displays the plan yet (the start-up probe's signal)."""
        view = self.tabs.currentWidget()
        if view is self.table:
            return self.model.rowCount() > 0
        if view is self.timeline:
            return self.timeline.shows_data()
        if view is self.map:
            return self.map.shows_data()
        return self.analyser.latest is not None

    def views_busy(self) -> bool:
        """Whether the view shown is still computing what it shows (benchmarks wait for it)."""
        view = self.tabs.currentWidget()
        busy = getattr(view, "busy", None)
        return bool(busy()) if callable(busy) else False

    @Slot(object, object, object)
    def _on_filter_bar_changed(
        self, teams: frozenset[str], train: str | None, environment: str | None
    ) -> None:
        # The table (and so the status bar's count) follows the train too, as every view does.
        self.model.set_filters(set(teams) or None, train)
        self.problems_dock.set_filter(teams, train)
        self.sync_view(self.tabs.currentWidget())

    @Slot(object)
    def _on_theme_changed(self, theme: Theme) -> None:
        for view in self._plan_views:
            view.set_theme(theme)

    # -- status -----------------------------------------------------------------------------
    @Slot(str)
    def show_message(self, text: str) -> None:
        """Show a transient status-bar message (empty text: nothing)."""
        if text:
            self.statusBar().showMessage(text, 6000)

    def _update_title(self) -> None:
        # A workspace whose file or folder cannot be written opens read-only: say so up front.
        suffix = " (read-only)" if self.session.workspace.read_only else ""
        self.setWindowTitle(f"relplan — {self.session.path}{suffix}")

    def _set_busy_visible(self, visible: bool) -> None:
        self.busy_label.setVisible(visible)
        self.busy_bar.setVisible(visible)

    @Slot(bool)
    def _on_runner_busy_changed(self, busy: bool) -> None:
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self._set_busy_visible(False)

    @Slot(int, int)
    def _on_model_counts_changed(self, shown: int, total: int) -> None:
        noun = "release" if total == 1 else "releases"
        if shown == total:
            self.count_label.setText(f"  {total} {noun}  ")
        else:
            self.count_label.setText(f"  Showing {shown} of {total} {noun}  ")

    def _set_undo_labels(self, undo: str | None, redo: str | None) -> None:
        self.undo_action.setText(f"&Undo {undo}" if undo else "&Undo")
        self.undo_action.setEnabled(undo is not None)
        self.redo_action.setText(f"&Redo {redo}" if redo else "&Redo")
        self.redo_action.setEnabled(redo is not None)

    # -- session results --------------------------------------------------------------------
    @Slot(object)
    def _on_session_refreshed(self, refresh: Refresh) -> None:
        if refresh.rows is not None:
            self.model.set_rows(refresh.rows)
        elif refresh.changed:
            self.model.apply_changes(refresh.changed)
        if refresh.teams is not None:
            self._fill_team_filter(refresh.teams)
        self.zone_label.setText(f"  Zone: {refresh.timezone}  ")
        self._set_undo_labels(refresh.undo_label, refresh.redo_label)
        self.empty_state.set_redo(refresh.redo_label)
        self.empty_state.show_for(refresh.empty)
        # The analyser reads again only what the write touched (a load or an import: all).
        full = refresh.rows is not None and refresh.changes.empty
        touched = None if full else refresh.changes.touched
        if refresh.plan_changed:
            self.analyser.request(touched)
        else:
            self.analyser.note_changes(touched)

    # -- analyses ---------------------------------------------------------------------------
    @Slot()
    def _on_analyser_started(self) -> None:
        # The last analysis stays on screen until the new one arrives, marked as updating.
        text = self.problems_label.text()
        if self.analyser.latest is not None and UPDATING not in text:
            self.problems_label.setText(f"{text.rstrip()}{UPDATING}  ")

    @Slot(object)
    def _on_analyser_sketched(self, sketch: PlanAnalysis) -> None:
        self._sketch = sketch
        self.sync_view(self.tabs.currentWidget())

    @Slot(object)
    def _on_analyser_analysed(self, analysis: PlanAnalysis) -> None:
        self._sketch = None
        self.model.set_schedule(analysis.schedule, error=analysis.schedule_error)
        self.model.set_phases(analysis.phases)
        self.problems_dock.show_analysis(analysis)
        self._show_plan(analysis.plan, analysis)
        if analysis.schedule_error:
            color = SEVERITY_COLORS["error"]
            self.problems_label.setText(
                f"<span style='color:{color}'>  No schedule: cycle  </span>"
            )
            self.problems_label.setToolTip(analysis.schedule_error)
            self.show_message(f"No schedule: {analysis.schedule_error}")
            return
        self.problems_label.setToolTip(
            f"Problems found by the plan check ({PROBLEMS_SHORTCUT} shows them)"
        )
        parts = []
        for severity, count in (("error", analysis.errors), ("warning", analysis.warnings)):
            if count:
                noun = severity if count == 1 else f"{severity}s"
                parts.append(
                    f"<span style='color:{SEVERITY_COLORS[severity]}'>{count} {noun}</span>"
                )
        self.problems_label.setText(f"  {', '.join(parts) or 'No problems'}  ")

    def _show_plan(self, plan: Plan, analysis: PlanAnalysis) -> None:
        self.filter_bar.set_trains(sorted(plan.trains, key=lambda t: t.key))
        self.filter_bar.set_environments(plan.environments)
        self.sync_view(self.tabs.currentWidget())
        self.editors.plan_changed(plan)

    @Slot()
    def _on_check(self) -> None:
        self.analyser.request()
        self.show_message("Checking the plan…")

    @Slot(object)
    def _on_session_opened(self, _path: Path) -> None:
        self._update_title()
        self.editors.close_all()  # what they edit belongs to the workspace just closed
        if self.whatif_dialog is not None:
            self.whatif_dialog.reject()

    @Slot(object)
    def _on_session_failed(self, exc: BaseException) -> None:
        present_error(self, exc)

    # -- filters ----------------------------------------------------------------------------
    def _fill_team_filter(self, teams: list[Team]) -> None:
        self.filter_bar.set_teams(teams)

    @Slot()
    def _on_find(self) -> None:
        view: object = self.current_view()
        if isinstance(view, PlanView) and view.focus_search():
            return
        if view is not self.table:
            self.show_view("Releases")
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def clear_filters(self) -> None:
        """Show every release: no team, train or environment, no filter text."""
        self.filter_bar.clear()

    @Slot(str)
    def reveal_release(self, key: str) -> bool:
        """Show the Releases view with a release selected, clearing filters that hide it.

        Returns:
            Whether the release is in the table.
        """
        if self.model.row_for(key) is None:
            self.show_message(f"{key} is not in the workspace")
            return False
        self.show_view("Releases")
        if self.model.row_of(key) is None:
            self.clear_filters()
        row = self.model.row_of(key)
        if row is None:
            return False
        index = self.model.index(row, Col.KEY)
        self.table.setCurrentIndex(index)
        self.table.selectRow(row)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    # -- closing ----------------------------------------------------------------------------
    @override
    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_geometry(self)
        store = qsettings()
        store.setValue(f"{self.geometry_key}/header", self.table.horizontalHeader().saveState())
        store.setValue(f"{self.geometry_key}/view", self.tabs.tabText(self.tabs.currentIndex()))
        store.setValue("calendar/kind", self.calendar.kind)
        store.setValue("calendar/show_all", self.calendar.table.show_all)
        self.editors.close_all()
        super().closeEvent(event)
