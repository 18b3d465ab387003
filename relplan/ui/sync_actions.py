"""The Sync menu: Connections… and Sync Now (Ctrl+Shift+S), with the sync panel in a dock.

:class:`SyncActions` adds the menu to the main window. Connections are read and stored on the DB
lane; tokens go to the OS keyring (:class:`~relplan.sync.credentials.KeyringStore`) and nowhere
else. Sync Now runs :class:`~relplan.ui.sync_panel.SyncPanel` (prepare and apply on the DB lane,
fetch on the network lane), so the window stays responsive; when the run finishes, the session
refreshes the table and the analyses from the reports' ChangeSets; when a delivery tool's pull
wrote deployments or incidents, the session's ``delivery_changed`` tells the views that show them
(the Dashboard's DORA chart, an open release editor's Shipped tab) to read them again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDockWidget, QMenu

from relplan.store import sync_state
from relplan.sync import engine
from relplan.sync.credentials import KeyringStore
from relplan.sync.delivery import connections as delivery
from relplan.sync.delivery.connections import DeliverySpec
from relplan.sync.tracker import ConnectionConfig
from relplan.ui.dialogs.connections import ConnectionsDialog
from relplan.ui.errors import present_error
from relplan.ui.sync_panel import SyncPanel

if TYPE_CHECKING:
    from relplan.store.workspace import Workspace
    from relplan.ui.actions import WindowActions

SYNC_SHORTCUT: Final = "Ctrl+Shift+S"


@dataclass(frozen=True, slots=True)
class ConnectionChanges:
    """What the Connections dialog changed: added connections (with tokens), removed names,
    added delivery connections (with tokens)."""

    added: list[tuple[ConnectionConfig, str]]
    removed: list[str]
    delivery: list[tuple[DeliverySpec, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Whether nothing changed."""
        return not self.added and not self.removed and not self.delivery

    def message(self) -> str:
        """The status-bar message after they were stored."""
        parts = []
        added = [c.name for c, _ in self.added] + [s.name for s, _ in self.delivery]
        if added:
            parts.append("added " + ", ".join(added))
        if self.removed:
            parts.append("removed " + ", ".join(self.removed))
        return "Connections: " + "; ".join(parts) + " (tokens are in the keyring)"


def read_connections(ws: Workspace) -> list[ConnectionConfig | DeliverySpec]:
    """Every connection of the workspace (DB lane): trackers' configs, delivery tools' specs."""
    return [
        DeliverySpec.from_row(row)
        if delivery.is_delivery(row.kind)
        else engine.load_config(ws, row.name)
        for row in sync_state.connections(ws.conn)
    ]


def store_connections(ws: Workspace, changes: ConnectionChanges, store: KeyringStore) -> None:
    """Remove, then add, connections and their tokens (DB lane), as ``relplan connection`` does.

    A connection removed and added again in the same dialog gets its new token. The token of a
    connection that cannot be saved is deleted again, so no orphan secret is left behind.

    Raises:
        CredentialError: the keyring refused; the connections stored before stay.
        UnknownObjectError: a removed connection was already gone.
    """
    for name in changes.removed:
        engine.remove_connection(ws, name, store)
    for config, token in changes.added:
        engine.add_connection(ws, config, token, store)
    for spec, token in changes.delivery:  # after the trackers: jira_incidents reads through one
        delivery.add_delivery_connection(
            ws, kind=spec.kind, name=spec.name, url=spec.url, team=spec.team,
            production=spec.production, scope=spec.scope, token=token, store=store,
        )  # fmt: skip


def delivery_tester(
    ws: Workspace, store: KeyringStore
) -> Callable[[DeliverySpec, str, bool], tuple[Callable[[], Any], Callable[[Any], str]]]:
    """The Connections dialog's test of a delivery tool: ``relplan connection test``'s two steps
    (:func:`~relplan.sync.delivery.connections.check`), the read for the DB lane and the sign-in
    for the network lane; a connection not stored yet is read from its fields."""

    def steps(
        spec: DeliverySpec, token: str, stored: bool
    ) -> tuple[Callable[[], Any], Callable[[Any], str]]:
        def prepare() -> delivery.DeliveryJob:
            if stored:
                return delivery.prepare(ws, spec.name, history=False)
            return delivery.prepare_unsaved(ws, spec)

        return prepare, lambda job: delivery.probe(job, store, token or None)

    return steps


class SyncActions(QObject):
    """The Sync menu of a main window, and the dock that shows a run (see the module docs).

    Args:
        window: the main window; the menu goes before its Help menu.
    """

    def __init__(self, window: WindowActions) -> None:
        super().__init__(window)
        self.window = window
        self.connections_dialog: ConnectionsDialog | None = None
        self.menu = menu = QMenu("&Sync", window)
        window.menuBar().insertMenu(window.help_menu.menuAction(), menu)
        self.connections_action = QAction("&Connections…", window)
        self.connections_action.setStatusTip(
            "Add, test or remove trackers (Jira, Azure Boards) and delivery tools"
        )
        self.connections_action.triggered.connect(self.open_connections)
        self.sync_now_action = QAction("Sync &Now", window)
        self.sync_now_action.setShortcut(QKeySequence(SYNC_SHORTCUT))
        self.sync_now_action.setStatusTip("Fetch every connection's changes (Edit → Undo reverts)")
        self.sync_now_action.triggered.connect(self.sync_now)
        menu.addAction(self.sync_now_action)
        menu.addAction(self.connections_action)

        self.panel = SyncPanel()
        self.panel.setObjectName("sync-panel")
        self.dock = QDockWidget("Sync", window)
        self.dock.setObjectName("sync-dock")
        self.dock.setWidget(self.panel)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()
        self.panel.sync_finished.connect(self._on_panel_sync_finished)
        self.panel.sync_failed.connect(self._on_panel_sync_failed)

    # -- connections ------------------------------------------------------------------------
    @Slot()
    def open_connections(self) -> None:
        """Open the Connections dialog (the connections are read on the DB lane first)."""
        if self.connections_dialog is not None:
            self.connections_dialog.raise_()
            self.connections_dialog.activateWindow()
            return
        self.window.session.read(read_connections, self._show_connections)

    def _show_connections(self, configs: list[ConnectionConfig]) -> None:
        if self.connections_dialog is not None:
            return
        runner = self.window.runner
        dialog = ConnectionsDialog(
            configs,
            submit=runner.submit,
            tester=lambda c, t: engine.check_connection(c, KeyringStore(), t),
            delivery_tester=delivery_tester(self.window.session.workspace, KeyringStore()),
            parent=self.window,
        )
        dialog.finished.connect(lambda result: self._on_connections_finished(dialog, result))
        self.connections_dialog = dialog
        dialog.open()

    def _on_connections_finished(self, dialog: ConnectionsDialog, result: int) -> None:
        self.connections_dialog = None
        dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted:
            return
        changes = ConnectionChanges(dialog.added(), dialog.removed(), dialog.added_delivery())
        if changes.empty:
            return
        window = self.window
        store = KeyringStore()
        window.session.read(
            lambda ws: store_connections(ws, changes, store),
            lambda _none: window.show_message(changes.message()),
            lambda exc: present_error(window, exc),
        )

    # -- sync now ---------------------------------------------------------------------------
    @Slot()
    def sync_now(self) -> None:
        """Sync every connection in the background, showing progress and Cancel in the dock."""
        if self.panel.running:
            self.dock.show()
            self.window.show_message("A sync is already running")
            return
        self.window.session.read(engine.names, self._start)

    def _start(self, names: list[str]) -> None:
        window = self.window
        if not names:
            window.show_message("No connections to sync: add one in Sync → Connections…")
            return
        if self.panel.running:
            return
        self.dock.show()
        self.dock.raise_()
        session = window.session
        self.panel.start(session.runner, session.workspace, names, KeyringStore())

    @Slot(object)
    def _on_panel_sync_finished(
        self, reports: Sequence[engine.SyncReport | delivery.PullReport]
    ) -> None:
        changes = [r.changes for r in reports]
        if any(not c.empty for c in changes):
            self.window.session.refresh_after(changes)
        if any(isinstance(r, delivery.PullReport) and r.wrote for r in reports):
            self.window.session.delivery_changed.emit()
        if reports:
            self.window.show_message("; ".join(r.summary() for r in reports))

    @Slot(object)
    def _on_panel_sync_failed(self, exc: BaseException) -> None:
        present_error(self.window, exc)
