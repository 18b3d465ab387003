"""Sync → Push Changes…: preview every remote change, confirm, push with progress and Cancel.

The preview (:func:`relplan.sync.push_plan.preview`) and the push
(:func:`relplan.sync.push_plan.push_all`) run on the DB lane of the task runner: they read the
workspace and talk to the trackers, so the window stays responsive. Nothing is written until
Push is clicked; the push re-reads every object before writing it, so a remote change made
while the preview was open becomes a conflict, never an overwrite. Progress comes from worker
threads and is re-emitted as a queued signal to the dialog, so widgets are only touched on the
GUI thread.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from relplan.store.workspace import Workspace
from relplan.sync import push_plan
from relplan.sync.credentials import CredentialStore
from relplan.sync.push_guard import PlanChangedError
from relplan.sync.push_plan import ConnectionPush, PushOutcome, TrackerFor
from relplan.sync.tracker import CancelToken
from relplan.ui.models.text_rows import TextRowsModel
from relplan.ui.tasks import BaseTaskRunner

NO_CONNECTION = "No Jira or Azure Boards connection: add one in Sync → Connections…"
PROGRESS_EVERY_S = 0.05
HEADERS = ("Connection", "Object", "Field", "Remote now", "New value", "State")


class PushChangesDialog(QDialog):
    """The preview of a push, then its result.

    Args:
        runner: the task runner (its DB lane owns ``workspace``).
        workspace: the open workspace.
        credentials: where tokens are read.
        tracker_for: the tracker client of a connection kind.
        parent: the window.

    Signals:
        progress_received(str, int, int): connection, objects done, objects in all (queued).
        previewed(object): the list of :class:`ConnectionPush` once the preview is in.
        pushed(object): the list of :class:`PushOutcome` once a push ended.
    """

    progress_received = Signal(str, int, int)
    previewed = Signal(object)
    pushed = Signal(object)

    def __init__(
        self,
        runner: BaseTaskRunner,
        workspace: Workspace,
        credentials: CredentialStore,
        tracker_for: TrackerFor,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Push Changes")
        self.setObjectName("push-changes-dialog")
        self.resize(900, 480)
        self._runner = runner
        self._ws = workspace
        self._credentials = credentials
        self._tracker_for = tracker_for
        self._token: CancelToken | None = None
        self._close_when_done = False
        self._phase = "Reading"
        self._last_progress = 0.0
        self.previews: list[ConnectionPush] = []
        self.outcomes: list[PushOutcome] = []
        #: Why the preview was made again (the plan changed before Push was clicked).
        self._notice = ""

        self.header = QLabel("Reading what would be pushed…")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = TextRowsModel(HEADERS)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((80, 150, 150, 110, 110)):
            self.table.setColumnWidth(column, width)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setObjectName("push-status")
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.push_button = QPushButton("Push")
        self.push_button.setEnabled(False)
        self.push_button.clicked.connect(self.confirm)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.bar, 1)
        buttons.addStretch()
        buttons.addWidget(self.push_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.progress_received.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)

    # -- state ------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Whether a preview or a push is in progress."""
        return self._token is not None

    def pushable_count(self) -> int:
        """How many previewed changes a push would write (connections with push on)."""
        return sum(len(p.changes) for p in self.previews if p.push and p.error is None)

    def report_progress(self, name: str, done: int, total: int) -> None:
        """A progress callback safe to call from any thread (at most every 50 ms, and the end).

        Thousands of objects would otherwise queue thousands of label updates, which the GUI
        thread would then work through in one go.
        """
        now = time.monotonic()
        if done < total and now - self._last_progress < PROGRESS_EVERY_S:
            return
        self._last_progress = now
        self.progress_received.emit(name, done, total)

    def _busy(self, token: CancelToken | None) -> None:
        self._token = token
        self.cancel_button.setEnabled(token is not None)
        self.close_button.setEnabled(token is None)
        if token is not None:
            self.push_button.setEnabled(False)
            self.bar.setRange(0, 0)
        self.bar.setVisible(token is not None)

    # -- preview ----------------------------------------------------------------------------
    def start(self) -> None:
        """Compute the preview in the background (nothing is written)."""
        token = CancelToken()
        self._busy(token)
        ws, creds, trackers, progress = (
            self._ws, self._credentials, self._tracker_for, self.report_progress
        )  # fmt: skip

        def job() -> tuple[list[ConnectionPush], list[push_plan.Row]]:
            found = push_plan.preview(
                ws, creds, tracker_for=trackers, cancel=token, progress=progress
            )
            return found, push_plan.rows(found)

        self._runner.submit(job, lane="db", on_done=self._on_previewed, on_error=self._on_failed)

    def _on_previewed(self, result: tuple[list[ConnectionPush], list[push_plan.Row]]) -> None:
        self._busy(None)
        self.previews, rows = result
        self.model.set_rows(rows)
        if not self.previews:
            self.header.setText(NO_CONNECTION)
        else:
            self.header.setText("\n".join(p.line() for p in self.previews))
        n = self.pushable_count()
        self.push_button.setText(f"Push {n} Change{'s' if n != 1 else ''}")
        self.push_button.setEnabled(n > 0)
        self.status.setText(
            self._notice
            + (
                "Nothing is written until you click Push; each object is read again just before "
                "its write, and a remote change since the last sync becomes a conflict."
                if n
                else "Nothing to push."
            )
        )
        self._notice = ""
        self.previewed.emit(self.previews)
        self._maybe_close()

    # -- push -------------------------------------------------------------------------------
    @Slot()
    def confirm(self) -> None:
        """Push the connections with push on (after the preview)."""
        if self.running or not self.pushable_count():
            return
        token = CancelToken()
        self._busy(token)
        self._phase = "Pushing"
        self.status.setText("Pushing…")
        previews = list(self.previews)
        names = [p.name for p in previews if p.push and p.error is None and p.changes]
        # Exactly what was previewed: an edit made since makes the push refuse (push_guard).
        expected = {p.name: p.fingerprint for p in previews if p.name in names}
        ws, creds, trackers, progress = (
            self._ws, self._credentials, self._tracker_for, self.report_progress
        )  # fmt: skip

        def job() -> tuple[list[PushOutcome], list[push_plan.Row]]:
            done = push_plan.push_all(
                ws, creds, names, tracker_for=trackers, cancel=token, progress=progress,
                expected=expected,
            )  # fmt: skip
            return done, push_plan.rows(previews, done)

        self._runner.submit(job, lane="db", on_done=self._on_pushed, on_error=self._on_failed)

    def _on_pushed(self, result: tuple[list[PushOutcome], list[push_plan.Row]]) -> None:
        cancelled = self._token is not None and self._token.cancelled
        self._busy(None)
        self.outcomes, rows = result
        self.model.set_rows(rows)
        self.push_button.setText("Pushed")
        nothing = "Cancelled: nothing was written." if cancelled else "Nothing was pushed."
        lines = [o.line() for o in self.outcomes]
        if any(o.report.conflicts for o in self.outcomes):
            lines.append("Conflicts are listed in Sync → Conflicts…: choose what to keep there.")
        self.status.setText("\n".join(lines) or nothing)
        self.pushed.emit(self.outcomes)
        self._maybe_close()

    def _on_failed(self, exc: BaseException) -> None:
        self._busy(None)
        if isinstance(exc, PlanChangedError) and not self._close_when_done:
            # Show what would be pushed now; the person confirms again.
            self._notice = f"Not pushed: {exc}.\n"
            self._phase = "Reading"
            self.status.setText(self._notice)
            self.start()
            return
        self.status.setText(push_plan.failure_line(exc))
        self._maybe_close()

    # -- cancel and close -------------------------------------------------------------------
    @Slot()
    def cancel(self) -> None:
        """Stop the preview or the push (a push says which writes were made and which not)."""
        if self._token is not None:
            self._token.cancel()
            self.status.setText("Cancelling…")
            self.cancel_button.setEnabled(False)

    def _maybe_close(self) -> None:
        if self._close_when_done:
            self.reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing while running cancels, and closes once the work stopped."""
        if self._token is not None:
            self._close_when_done = True
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)

    def reject(self) -> None:
        """Close (Escape, Close): while running, cancel first and close once the work stopped."""
        if self._token is not None:
            self._close_when_done = True
            self.cancel()
            return
        super().reject()

    @Slot(str, int, int)
    def _on_progress(self, name: str, done: int, total: int) -> None:
        if self._token is None:
            return
        if not self._token.cancelled:
            self.status.setText(f"{self._phase} {name}: {done} of {total} objects")
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
