"""The main window's release commands: the editors, What If It Slips… and Level the Plan….

:class:`DialogActions` sits between :class:`~relplan.ui.actions.WindowActions`, which builds the
menus, and the window (:mod:`relplan.ui.main_window`): it implements what the Plan menu and the
releases table's context menu and double-click call. The Release, Freeze and Environment editors
open through the window's :class:`~relplan.ui.editors.EditorLauncher`; the what-if dialog gets
its impact from the window's :class:`~relplan.ui.analysis.ImpactPreviewer` (off the GUI thread),
and Level the Plan opens through :class:`~relplan.ui.level_timeline.LevelTimelineLink`, which
draws its preview in the Timeline too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, Qt, Slot
from PySide6.QtWidgets import QMenu

from relplan.ui.actions import WindowActions
from relplan.ui.dialogs.whatif import WhatIfDialog

if TYPE_CHECKING:
    from relplan.planning.impact import Impact
    from relplan.ui.analysis import ImpactPreviewer
    from relplan.ui.dialogs.level import LevelDialog
    from relplan.ui.editors import EditorLauncher
    from relplan.ui.level_timeline import LevelTimelineLink
    from relplan.ui.models.releases import ReleaseTableModel
    from relplan.ui.sync_actions import SyncActions
    from relplan.ui.views.calendar import CalendarView
    from relplan.ui.views.releases import ReleaseTableView


class DialogActions(WindowActions):
    """The editors, what-if and levelling commands of the main window (see the module docs).

    The window provides the parts below (its table and model, the Calendar, the editors, the
    previewer, the levelling link and the Sync menu's actions).
    """

    model: ReleaseTableModel
    table: ReleaseTableView
    calendar: CalendarView
    editors: EditorLauncher
    impact_previewer: ImpactPreviewer
    level_link: LevelTimelineLink
    sync_actions: SyncActions
    #: The open "What if it slips…" dialog, if any.
    whatif_dialog: WhatIfDialog | None

    # -- the releases table -----------------------------------------------------------------
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
        menu.addAction(self.edit_release_action)
        menu.addAction(self.whatif_action)
        menu.addSeparator()
        menu.addAction(self.check_action)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    @Slot(object)
    def _on_table_double_clicked(self, index: Any) -> None:
        # Editable cells start editing on double-click; the others open the editor.
        if index.isValid() and not self.model.flags(index) & Qt.ItemFlag.ItemIsEditable:
            self.open_release_editor(self.model.row_at(index.row()).key)

    # -- editors ----------------------------------------------------------------------------
    @Slot(str)
    def open_release_editor(self, key: str) -> None:
        """Open the Release editor on release ``key`` (it loads on the DB lane first)."""
        self.editors.open_release(key)

    @Slot()
    def _on_edit_release(self) -> None:
        view = self.current_view()
        key = self.calendar.context.selected if view is self.calendar else self.current_release()
        if key is None:
            self.show_message("Select a release to edit")
            return
        self.open_release_editor(key)

    @Slot()
    def open_freeze_editor(self, name: str | None = None) -> None:
        """Open the Freeze editor (with freeze ``name`` selected)."""
        self.editors.open_freezes(name)

    @Slot()
    def open_environment_editor(self) -> None:
        """Open the Environment editor."""
        self.editors.open_environments()

    @Slot()
    def open_connections(self) -> None:
        """Open the Connections dialog (also offered when a tracker rejects the credentials)."""
        self.sync_actions.open_connections()

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

    @Slot()
    def _on_level(self) -> None:
        self.open_level()

    def open_level(self) -> LevelDialog:
        """Open Plan → Level the Plan… (computed on the task runner, applied on confirm)."""
        return self.level_link.open()

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
