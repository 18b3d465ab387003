"""Opens the editors (Release, Freezes, Environments) and stores what they return.

The dialogs take values and return values; this launcher reads their input on the DB lane
through the session, opens them, and turns each save into one undoable command through the
session. A save that is refused comes back to the dialog (``show_error``), which stays open.
While the Freeze and Environment editors are open, :meth:`EditorLauncher.plan_changed` keeps
them in step with the plan after every write (an undo included).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QWidget

from relplan.domain.model import Environment, Freeze, Plan
from relplan.edits.releases import ReleaseEdit, ReleaseEditorInput
from relplan.store.commands import ChangeSet
from relplan.ui.dialogs.environments import EnvironmentEditorDialog
from relplan.ui.dialogs.freezes import FreezeEditorDialog
from relplan.ui.dialogs.release_editor import ReleaseEditorDialog
from relplan.ui.dialogs.release_notes import ask_and_write_notes
from relplan.ui.dialogs.release_shipped import attach_shipped_tab
from relplan.ui.errors import present_error

if TYPE_CHECKING:
    from relplan.ui.session import WorkspaceSession


class EditorLauncher(QObject):
    """The open editors of a main window.

    Args:
        window: the main window (the dialogs' parent).
        session: the open workspace.
    """

    def __init__(self, window: QWidget, session: WorkspaceSession) -> None:
        super().__init__(window)
        self._window = window
        self._session = session
        self._release_request = 0
        self.release_editor: ReleaseEditorDialog | None = None
        self.freeze_editor: FreezeEditorDialog | None = None
        self.environment_editor: EnvironmentEditorDialog | None = None

    # -- release ----------------------------------------------------------------------------
    def open_release(self, key: str) -> None:
        """Open the Release editor on ``key`` once its data is read (replacing an open one)."""
        if self.release_editor is not None:
            self.release_editor.reject()
        self._release_request += 1
        request = self._release_request
        self._session.load_release_editor(
            key,
            lambda data: self._show_release(request, data),
            lambda exc: present_error(self._window, exc),
        )

    def _show_release(self, request: int, data: ReleaseEditorInput) -> None:
        if request != self._release_request:
            return  # another release was asked for meanwhile
        dialog = ReleaseEditorDialog(data, self._window)
        dialog.save_requested.connect(lambda edit: self._save_release(dialog, edit))
        dialog.notes_requested.connect(lambda key: ask_and_write_notes(self._session, key, dialog))
        dialog.finished.connect(lambda _result: self._forget(dialog))
        attach_shipped_tab(dialog, self._session)  # deployments, commits, incidents (issue #15)
        self.release_editor = dialog
        dialog.open()

    def _save_release(self, dialog: ReleaseEditorDialog, edit: ReleaseEdit) -> None:
        def done(_changes: ChangeSet) -> None:
            if self.release_editor is dialog:
                dialog.saved()

        def failed(exc: BaseException) -> None:
            if self.release_editor is dialog:
                dialog.show_error(exc)
            else:
                present_error(self._window, exc)

        self._session.save_release(edit, on_done=done, on_error=failed)

    # -- freezes ----------------------------------------------------------------------------
    def open_freezes(self, name: str | None = None) -> None:
        """Open the Freeze editor (or bring it up), with freeze ``name`` selected."""
        if self.freeze_editor is not None:
            self.freeze_editor.raise_()
            self.freeze_editor.activateWindow()
            if name:
                self.freeze_editor.select(name)
            return
        self._session.read(lambda ws: ws.plan(), lambda plan: self._show_freezes(plan, name))

    def _show_freezes(self, plan: Plan, name: str | None) -> None:
        if self.freeze_editor is not None:
            return
        dialog = FreezeEditorDialog(plan, self._window)
        dialog.save_requested.connect(
            lambda before, after: self._save_freeze(dialog, before, after)
        )
        dialog.finished.connect(lambda _result: self._forget(dialog))
        self.freeze_editor = dialog
        if name:
            dialog.select(name)
        dialog.show()

    def _save_freeze(
        self, dialog: FreezeEditorDialog, before: Freeze | None, after: Freeze | None
    ) -> None:
        def done(_changes: ChangeSet) -> None:
            if self.freeze_editor is dialog:
                dialog.saved(after)

        def failed(exc: BaseException) -> None:
            if self.freeze_editor is dialog:
                dialog.show_error(exc)
            else:
                present_error(self._window, exc)

        self._session.save_freeze(before, after, on_done=done, on_error=failed)

    # -- environments -----------------------------------------------------------------------
    def open_environments(self) -> None:
        """Open the Environment editor (or bring it up)."""
        if self.environment_editor is not None:
            self.environment_editor.raise_()
            self.environment_editor.activateWindow()
            return
        self._session.read(lambda ws: ws.plan(), self._show_environments)

    def _show_environments(self, plan: Plan) -> None:
        if self.environment_editor is not None:
            return
        dialog = EnvironmentEditorDialog(plan, self._window)
        dialog.save_requested.connect(lambda changes: self._save_environments(dialog, changes))
        dialog.finished.connect(lambda _result: self._forget(dialog))
        self.environment_editor = dialog
        dialog.show()

    def _save_environments(
        self,
        dialog: EnvironmentEditorDialog,
        changes: list[tuple[Environment | None, Environment | None]],
    ) -> None:
        def done(_changes: ChangeSet) -> None:
            if self.environment_editor is dialog:
                dialog.saved()

        def failed(exc: BaseException) -> None:
            if self.environment_editor is dialog:
                dialog.show_error(exc)
            else:
                present_error(self._window, exc)

        self._session.save_environments(changes, on_done=done, on_error=failed)

    # -- all --------------------------------------------------------------------------------
    def plan_changed(self, plan: Plan) -> None:
        """Show the plan as it is now in the open Freeze and Environment editors."""
        if self.freeze_editor is not None:
            self.freeze_editor.set_plan(plan)
        if self.environment_editor is not None:
            self.environment_editor.set_plan(plan)

    def close_all(self) -> None:
        """Close every editor (another workspace opened, or the window closes)."""
        for dialog in (self.release_editor, self.freeze_editor, self.environment_editor):
            if dialog is not None:
                dialog.reject()

    def _forget(self, dialog: QDialog) -> None:
        if dialog is self.release_editor:
            self.release_editor = None
        elif dialog is self.freeze_editor:
            self.freeze_editor = None
        elif dialog is self.environment_editor:
            self.environment_editor = None
        dialog.deleteLater()
