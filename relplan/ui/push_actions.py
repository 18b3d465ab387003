"""Sync → Push Changes… and Sync → Conflicts…, and the open-conflict badge on the Sync menu.

:class:`PushActions` adds both to the Sync menu of :class:`~relplan.ui.sync_actions.SyncActions`.
The badge ("Sync (3)") counts the open conflicts; it is read again (a cheap count on the DB
lane) after every write of the window's session, each sync run and each push, so a sync, a
push, a resolve or an undo shows at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction

from relplan.store.commands import ChangeSet
from relplan.sync import conflicts, engine
from relplan.sync.credentials import CredentialStore, KeyringStore
from relplan.sync.push_plan import TrackerFor
from relplan.ui.dialogs.conflicts_panel import ConflictsDialog
from relplan.ui.dialogs.push_changes import PushChangesDialog

if TYPE_CHECKING:
    from relplan.ui.actions import WindowActions
    from relplan.ui.sync_actions import SyncActions


def badge_title(count: int) -> str:
    """The Sync menu's title with ``count`` open conflicts."""
    return f"&Sync ({count})" if count else "&Sync"


class PushActions(QObject):
    """Push Changes… and Conflicts… in the Sync menu (see the module docs).

    Args:
        window: the main window (its session, status bar and the dialogs' parent).
        sync: the window's Sync menu and panel, whose menu gets the actions.

    Attributes:
        credentials: where tokens are read (the OS keyring).
        tracker_for: the tracker client of a connection kind (tests swap in fast retries).
    """

    def __init__(self, window: WindowActions, sync: SyncActions) -> None:
        super().__init__(window)
        self.window = window
        self.credentials: CredentialStore = KeyringStore()
        self.tracker_for: TrackerFor = engine.tracker_for
        self.push_dialog: PushChangesDialog | None = None
        self.conflicts_dialog: ConflictsDialog | None = None
        self.conflict_count = 0
        self.menu = sync.menu
        self.push_action = QAction("&Push Changes…", window)
        self.push_action.setStatusTip(
            "Preview the edits to write back to Jira and Azure Boards, then push them"
        )
        self.push_action.triggered.connect(self.push_changes)
        self.conflicts_action = QAction("Con&flicts…", window)
        self.conflicts_action.setStatusTip("Fields changed both here and at the source")
        self.conflicts_action.triggered.connect(self.open_conflicts)
        self.menu.addSeparator()
        self.menu.addAction(self.push_action)
        self.menu.addAction(self.conflicts_action)
        window.session.refreshed.connect(self.update_badge)
        window.session.opened.connect(self._on_opened)
        sync.panel.sync_finished.connect(self.update_badge)
        self.update_badge()

    # -- badge ------------------------------------------------------------------------------
    @Slot()
    @Slot(object)
    def update_badge(self, _why: Any = None) -> None:
        """Count the open conflicts again (DB lane) and show the number on the menu."""
        if not self.window.session.closed:
            self.window.session.read(conflicts.count_open, self._set_badge, lambda _exc: None)

    def _set_badge(self, count: int) -> None:
        self.conflict_count = count
        self.menu.setTitle(badge_title(count))
        self.conflicts_action.setText(f"Con&flicts ({count})…" if count else "Con&flicts…")

    @Slot(object)
    def _on_opened(self, _path: Any) -> None:
        # The preview belongs to the workspace it was read from: close it (a running push
        # finishes first, as the DB lane runs the other workspace's opening after it).
        if self.push_dialog is not None:
            self.push_dialog.reject()

    # -- push -------------------------------------------------------------------------------
    @Slot()
    def push_changes(self) -> None:
        """Open the push preview (read in the background); nothing is written before Push."""
        if self.push_dialog is not None:
            self.push_dialog.raise_()
            self.push_dialog.activateWindow()
            return
        session = self.window.session
        dialog = PushChangesDialog(
            session.runner, session.workspace, self.credentials, self.tracker_for, self.window
        )
        dialog.pushed.connect(self._on_pushed)
        dialog.finished.connect(lambda _result: self._push_closed(dialog))
        self.push_dialog = dialog
        dialog.open()
        dialog.start()

    def _on_pushed(self, outcomes: list[Any]) -> None:
        # A push stores what it wrote as synced and its conflicts, as one command: refresh the
        # undo labels and the badge (no plan row changed).
        self.window.session.refresh_after(
            [ChangeSet(touched={"source": set(), "sync_conflict": set()}, label="Push")]
        )
        self.window.show_message("; ".join(o.line() for o in outcomes) or "Nothing was pushed")

    def _push_closed(self, dialog: PushChangesDialog) -> None:
        if self.push_dialog is dialog:
            self.push_dialog = None
        dialog.deleteLater()

    # -- conflicts --------------------------------------------------------------------------
    @Slot()
    def open_conflicts(self) -> None:
        """Open the Conflicts panel (read in the background)."""
        if self.conflicts_dialog is not None:
            self.conflicts_dialog.raise_()
            self.conflicts_dialog.activateWindow()
            return
        dialog = ConflictsDialog(self.window.session, self.window)
        dialog.loaded.connect(self._set_badge)
        dialog.finished.connect(lambda _result: self._conflicts_closed(dialog))
        self.conflicts_dialog = dialog
        dialog.open()
        dialog.reload()

    def _conflicts_closed(self, dialog: ConflictsDialog) -> None:
        if self.conflicts_dialog is dialog:
            self.conflicts_dialog = None
        dialog.session.refreshed.disconnect(dialog._on_refreshed)
        dialog.deleteLater()
