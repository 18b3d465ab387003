"""The main window: the releases table, its filters, the Problems panel, menus and status bar.

The planning analyses (check, schedule) run off the GUI thread through :class:`PlanAnalyser`
after the workspace opens and after every write that can move dates; the window only swaps the
results into the releases table (Float, Slip, CP) and the Problems panel.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QPoint, QSettings, QSize, Qt, QTimer, Slot, qVersion
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSizePolicy,
    QToolBar,
    QWidget,
)

from relplan import __version__, config
from relplan.domain.model import Team
from relplan.ui._compat import override
from relplan.ui.analysis import Clock, ImpactPreviewer, PlanAnalyser, PlanAnalysis
from relplan.ui.dialogs.whatif import WhatIfDialog
from relplan.ui.errors import present_error
from relplan.ui.icons import SEVERITY_COLORS
from relplan.ui.models.releases import Col, ReleaseTableModel
from relplan.ui.session import Refresh, WorkspaceSession
from relplan.ui.views.problems import ProblemsDock
from relplan.ui.views.releases import ReleaseTableView

if TYPE_CHECKING:
    from relplan.planning.impact import Impact

WORKSPACE_FILTER = "relplan workspaces (*.relplan);;All files (*)"
JSON_FILTER = "Workspace JSON (*.json);;All files (*)"
#: Busy work shorter than this shows no indicator, so quick edits do not flicker.
BUSY_DELAY_MS = 250
FILTER_DELAY_MS = 120


def qsettings() -> QSettings:
    """The Qt settings store for window state (geometry, column widths)."""
    return QSettings("relplan", "relplan")


class PreserveGeometry:
    """Saves and restores a window's geometry and state under ``geometry_key`` (Picard)."""

    geometry_key = "main_window"

    def restore_geometry(self, window: QMainWindow) -> bool:
        """Restore the saved geometry; False when none was saved."""
        store = qsettings()
        geometry = store.value(f"{self.geometry_key}/geometry")
        if geometry is None:
            return False
        window.restoreGeometry(geometry)
        state = store.value(f"{self.geometry_key}/state")
        if state is not None:
            window.restoreState(state)
        return True

    def save_geometry(self, window: QMainWindow) -> None:
        """Remember the window's geometry and state."""
        store = qsettings()
        store.setValue(f"{self.geometry_key}/geometry", window.saveGeometry())
        store.setValue(f"{self.geometry_key}/state", window.saveState())


class MainWindow(QMainWindow, PreserveGeometry):
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
        self.runner.set_error_handler(functools.partial(present_error, self))
        self.analyser = PlanAnalyser(session, today=today, parent=self)
        self.impact_previewer = ImpactPreviewer(session, today=today, parent=self)
        self.whatif_dialog: WhatIfDialog | None = None

        self.model = ReleaseTableModel(self, edit_handler=session.edit_release)
        self.table = ReleaseTableView(self)
        self.table.setModel(self.model)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setCentralWidget(self.table)
        self.problems_dock = ProblemsDock(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.problems_dock)
        self.resizeDocks([self.problems_dock], [200], Qt.Orientation.Vertical)

        self._build_toolbar()
        self._build_status_bar()
        self._build_menus()
        self._connect()

        self._update_title()
        self._set_undo_labels(None, None)
        if not self.restore_geometry(self):
            self.resize(1280, 760)
        header_state = qsettings().value(f"{self.geometry_key}/header")
        if header_state is not None:
            self.table.horizontalHeader().restoreState(header_state)
        session.reload()

    # -- construction -----------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        bar = QToolBar("Filters", self)
        bar.setObjectName("filters-toolbar")
        bar.setMovable(False)
        bar.setIconSize(QSize(16, 16))
        self.addToolBar(bar)
        bar.addWidget(QLabel(" Team ", bar))
        self.team_filter = QComboBox(bar)
        self.team_filter.setObjectName("team-filter")
        self.team_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.team_filter.addItem("All teams", None)
        bar.addWidget(self.team_filter)
        spacer = QWidget(bar)
        spacer.setFixedWidth(16)
        bar.addWidget(spacer)
        self.search = QLineEdit(bar)
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Filter by key, name, team, train or status  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(340)
        self.search.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        bar.addWidget(self.search)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)

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

    def _action(
        self, menu: QMenu, text: str, slot: object, shortcut: QKeySequence.StandardKey | str = ""
    ) -> QAction:
        action = menu.addAction(text)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        menus = self.menuBar()
        file = menus.addMenu("&File")
        self.new_action = self._action(file, "&New…", self._on_new, "Ctrl+N")
        self.open_action = self._action(file, "&Open…", self._on_open, "Ctrl+O")
        self.recent_menu = file.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file.addSeparator()
        self.import_action = self._action(file, "&Import JSON…", self._on_import, "Ctrl+I")
        self.export_action = self._action(file, "&Export JSON…", self._on_export, "Ctrl+E")
        file.addSeparator()
        self.quit_action = self._action(file, "&Quit", self.close, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        edit = menus.addMenu("&Edit")
        self.undo_action = self._action(edit, "&Undo", self.session.undo)
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = self._action(edit, "&Redo", self.session.redo)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        edit.addSeparator()
        self.find_action = self._action(edit, "&Filter Releases", self._on_find, "Ctrl+F")

        view = menus.addMenu("&View")
        self.problems_action = self.problems_dock.toggleViewAction()
        self.problems_action.setText("&Problems")
        self.problems_action.setShortcut(QKeySequence("Ctrl+4"))
        view.addAction(self.problems_action)

        planning = menus.addMenu("&Planning")
        self.check_action = self._action(planning, "&Check Plan", self._on_check, "F5")
        self.check_action.setStatusTip("Run the plan's checks and schedule again")
        self.whatif_action = self._action(
            planning, "&What If It Slips…", self._on_whatif, "Ctrl+Shift+W"
        )
        self.whatif_action.setStatusTip("Preview what a slip of the selected release moves")
        self.whatif_action.setEnabled(False)

        help_menu = menus.addMenu("&Help")
        self.about_action = self._action(help_menu, "&About relplan", self._on_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

    def _connect(self) -> None:
        self.session.refreshed.connect(self._on_session_refreshed)
        self.session.opened.connect(self._on_session_opened)
        self.session.message.connect(self.show_message)
        self.session.failed.connect(self._on_session_failed)
        self.model.message.connect(self.show_message)
        self.model.counts_changed.connect(self._on_model_counts_changed)
        self.team_filter.currentIndexChanged.connect(self._on_team_filter_changed)
        self.search.textChanged.connect(self._filter_timer.start)
        self._filter_timer.timeout.connect(self._on_filter_timer_timeout)
        self.runner.busy_changed.connect(self._on_runner_busy_changed)
        self._busy_timer.timeout.connect(lambda: self._set_busy_visible(True))
        self.analyser.started.connect(self.problems_dock.set_checking)
        self.analyser.analysed.connect(self._on_analyser_analysed)
        self.analyser.failed.connect(self._on_session_failed)
        self.impact_previewer.computed.connect(self._on_impact_previewer_computed)
        self.impact_previewer.failed.connect(self._on_impact_previewer_failed)
        self.problems_dock.release_activated.connect(self.reveal_release)
        self.problems_dock.message.connect(self.show_message)
        self.table.customContextMenuRequested.connect(self._on_table_context_menu)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.model.modelReset.connect(self._on_current_row_changed)

    # -- status -----------------------------------------------------------------------------
    @Slot(str)
    def show_message(self, text: str) -> None:
        """Show a transient status-bar message (empty text: nothing)."""
        if text:
            self.statusBar().showMessage(text, 6000)

    def _update_title(self) -> None:
        self.setWindowTitle(f"relplan — {self.session.path}")

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
        if refresh.plan_changed:
            self.analyser.request()

    # -- analyses ---------------------------------------------------------------------------
    @Slot(object)
    def _on_analyser_analysed(self, analysis: PlanAnalysis) -> None:
        self.model.set_schedule(analysis.schedule, error=analysis.schedule_error)
        self.problems_dock.show_analysis(analysis)
        if analysis.schedule_error:
            color = SEVERITY_COLORS["error"]
            self.problems_label.setText(
                f"<span style='color:{color}'>  No schedule: cycle  </span>"
            )
            self.problems_label.setToolTip(analysis.schedule_error)
            self.show_message(f"No schedule: {analysis.schedule_error}")
            return
        self.problems_label.setToolTip("Problems found by the plan check (Ctrl+4 shows them)")
        parts = []
        for severity, count in (("error", analysis.errors), ("warning", analysis.warnings)):
            if count:
                noun = severity if count == 1 else f"{severity}s"
                parts.append(
                    f"<span style='color:{SEVERITY_COLORS[severity]}'>{count} {noun}</span>"
                )
        self.problems_label.setText(f"  {', '.join(parts) or 'No problems'}  ")

    @Slot()
    def _on_check(self) -> None:
        self.analyser.request()
        self.show_message("Checking the plan…")

    @Slot(object)
    def _on_session_opened(self, _path: Path) -> None:
        self._update_title()
        if self.whatif_dialog is not None:
            self.whatif_dialog.reject()  # its release belongs to the workspace just closed

    @Slot(object)
    def _on_session_failed(self, exc: BaseException) -> None:
        present_error(self, exc)

    # -- filters ----------------------------------------------------------------------------
    def _fill_team_filter(self, teams: list[Team]) -> None:
        entries = [(f"{team.name} ({team.key})", team.key) for team in teams]
        combo = self.team_filter
        current = [(combo.itemText(i), combo.itemData(i)) for i in range(1, combo.count())]
        if entries == current:
            return
        selected = self.team_filter.currentData()
        self.team_filter.blockSignals(True)
        try:
            self.team_filter.clear()
            self.team_filter.addItem("All teams", None)
            for text, key in entries:
                self.team_filter.addItem(text, key)
            self.team_filter.setCurrentIndex(max(self.team_filter.findData(selected), 0))
        finally:
            self.team_filter.blockSignals(False)
        self._on_team_filter_changed()

    @Slot()
    def _on_team_filter_changed(self) -> None:
        team = self.team_filter.currentData()
        self.model.set_team_filter(None if team is None else {team})

    @Slot()
    def _on_filter_timer_timeout(self) -> None:
        self.model.set_text_filter(self.search.text())

    @Slot()
    def _on_find(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def clear_filters(self) -> None:
        """Show every release: no team, no filter text."""
        self.search.clear()
        self._filter_timer.stop()  # clear() started it; a late refilter would drop the selection
        self.model.set_text_filter("")
        self.team_filter.setCurrentIndex(0)

    @Slot(str)
    def reveal_release(self, key: str) -> bool:
        """Select a release in the table and scroll to it, clearing filters that hide it.

        Returns:
            Whether the release is in the table.
        """
        if self.model.row_for(key) is None:
            self.show_message(f"{key} is not in the workspace")
            return False
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

    def current_release(self) -> str | None:
        """The key of the release of the table's current row, if any."""
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.row_at(index.row()).key

    @Slot()
    def _on_current_row_changed(self) -> None:
        self.whatif_action.setEnabled(self.current_release() is not None)

    @Slot(QPoint)
    def _on_table_context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        self.table.setCurrentIndex(self.model.index(index.row(), index.column()))
        menu = QMenu(self)
        menu.addAction(self.whatif_action)
        menu.addSeparator()
        menu.addAction(self.check_action)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    # -- what-if ----------------------------------------------------------------------------
    def open_whatif(self, key: str | None = None) -> WhatIfDialog | None:
        """Open the "What if it slips…" dialog for a release (default: the current one).

        Returns:
            The dialog, or None when there is no such release.
        """
        key = key or self.current_release()
        row = None if key is None else self.model.row_for(key)
        if row is None:
            self.show_message("Select a release to see what its slip would move")
            return None
        if self.whatif_dialog is not None:
            self.whatif_dialog.reject()
        dialog = WhatIfDialog(row, self)
        dialog.impact_requested.connect(self.impact_previewer.request)
        dialog.apply_requested.connect(self.session.slip_release)
        dialog.finished.connect(self._on_whatif_dialog_finished)
        self.whatif_dialog = dialog
        dialog.open()
        dialog.request_now()
        return dialog

    @Slot()
    def _on_whatif(self) -> None:
        self.open_whatif()

    @Slot(object)
    def _on_impact_previewer_computed(self, impact: Impact) -> None:
        if self.whatif_dialog is not None:
            self.whatif_dialog.show_impact(impact)

    @Slot(object)
    def _on_impact_previewer_failed(self, exc: BaseException) -> None:
        if self.whatif_dialog is not None:
            self.whatif_dialog.show_error(str(exc))

    @Slot()
    def _on_whatif_dialog_finished(self) -> None:
        self.impact_previewer.cancel()
        dialog, self.whatif_dialog = self.whatif_dialog, None
        if dialog is not None:
            dialog.deleteLater()

    # -- file menu --------------------------------------------------------------------------
    def _start_dir(self) -> str:
        return str(self.session.path.parent)

    @Slot()
    def _on_new(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "New workspace",
            str(Path(self._start_dir()) / "plan.relplan"),
            WORKSPACE_FILTER,
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if not path:
            return
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(".relplan")
        if target.exists() and target.stat().st_size > 0:
            QMessageBox.warning(
                self,
                "New workspace",
                f"{target} already exists.\n\nChoose another name, or use File → Open.",
            )
            return
        self.session.open_workspace(target, create=True)

    @Slot()
    def _on_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open workspace", self._start_dir(), WORKSPACE_FILTER
        )
        if path:
            self.session.open_workspace(path)

    @Slot()
    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = [p for p in config.load_settings().recent if Path(p) != self.session.path]
        if not recent:
            self.recent_menu.addAction("No other recent workspaces").setEnabled(False)
            return
        for i, path in enumerate(recent, start=1):
            action = self.recent_menu.addAction(f"&{i % 10}  {path}")
            action.triggered.connect(lambda _=False, p=path: self.session.open_workspace(p))

    @Slot()
    def _on_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import workspace JSON", self._start_dir(), JSON_FILTER
        )
        if path:
            self.show_message(f"Importing {Path(path).name}…")
            self.session.import_json(path)

    @Slot()
    def _on_export(self) -> None:
        default = Path(self._start_dir()) / f"{self.session.path.stem}.json"
        path, _ = QFileDialog.getSaveFileName(
            self, "Export workspace JSON", str(default), JSON_FILTER
        )
        if path:
            self.session.export_json(path)

    # -- help -------------------------------------------------------------------------------
    def about_text(self) -> str:
        """The text of the About box."""
        return (
            f"<h3>relplan {__version__}</h3>"
            "<p>Release planning for release managers.</p>"
            f"<p><b>Workspace:</b> {self.session.path}<br>"
            f"<b>Data folder:</b> {config.data_dir()}<br>"
            f"<b>Settings:</b> {config.settings_file()}<br>"
            f"<b>Qt:</b> {qVersion()} (PySide6 {pyside_version})</p>"
        )

    @Slot()
    def _on_about(self) -> None:
        QMessageBox.about(self, "About relplan", self.about_text())

    # -- closing ----------------------------------------------------------------------------
    @override
    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_geometry(self)
        qsettings().setValue(
            f"{self.geometry_key}/header", self.table.horizontalHeader().saveState()
        )
        super().closeEvent(event)
