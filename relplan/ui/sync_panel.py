"""The sync panel: runs one or more connections' syncs in the background with progress and Cancel.

Each run goes prepare (DB lane) -> fetch (network lane, no database) -> apply (DB lane), for a
tracker (relplan.sync.engine) as for a delivery tool (relplan.sync.delivery.connections), so the
window stays responsive and the workspace connection stays on its own thread. Progress comes
from worker threads; the panel re-emits it as a queued signal to itself (a long-lived QObject),
so widgets are only touched on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from relplan.errors import Cancelled
from relplan.store import sync_state
from relplan.store.workspace import Workspace
from relplan.sync import engine
from relplan.sync.credentials import CredentialStore
from relplan.sync.delivery import connections as delivery
from relplan.sync.tracker import CancelToken, Progress
from relplan.ui.dialogs.connections import describe_error
from relplan.ui.tasks import BaseTaskRunner


class SyncPanel(QWidget):
    """Progress of a sync run, with a Cancel button.

    Signals:
        progress_received(object): a :class:`Progress`, re-emitted on the GUI thread.
        sync_finished(object): the list of :class:`~relplan.sync.engine.SyncReport` of a run
            (the window refreshes from their ``changes``).
        sync_failed(object): the exception that ended a connection's run (not for Cancel).
    """

    progress_received = Signal(object)
    sync_finished = Signal(object)
    sync_failed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("Not synced yet.")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout()
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addLayout(row)
        self.progress_received.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._token: CancelToken | None = None
        self._reports: list[engine.SyncReport] = []
        self._queue: list[str] = []

    @property
    def running(self) -> bool:
        """Whether a run is in progress."""
        return self._token is not None

    def report_progress(self, progress: Progress) -> None:
        """A progress callback safe to call from any thread."""
        self.progress_received.emit(progress)

    def cancel(self) -> None:
        """Ask the running sync to stop (it stops between pages; nothing is written)."""
        if self._token is not None:
            self._token.cancel()
            self.label.setText("Cancelling ...")
            self.cancel_button.setEnabled(False)

    def start(
        self,
        runner: BaseTaskRunner,
        ws: Workspace,
        names: Sequence[str],
        credentials: CredentialStore,
        *,
        full: bool = False,
    ) -> CancelToken:
        """Sync ``names`` one after another in the background.

        Raises:
            RuntimeError: a run is already in progress.
        """
        if self._token is not None:
            raise RuntimeError("a sync is already running")
        self._token = CancelToken()
        self._reports = []
        self._queue = list(names)
        self.cancel_button.setEnabled(True)
        self.bar.setRange(0, 0)
        self._next(runner, ws, credentials, full)
        return self._token

    def _next(
        self, runner: BaseTaskRunner, ws: Workspace, creds: CredentialStore, full: bool
    ) -> None:
        token = self._token
        if token is None:
            return
        if not self._queue or token.cancelled:
            self._done()
            return
        name = self._queue.pop(0)
        self.label.setText(f"Syncing {name} ...")
        progress = self.report_progress

        def failed(job: Any) -> Any:
            def on_error(exc: BaseException) -> None:
                runner.submit(
                    lambda: engine.record_failure(ws, job, exc),
                    lane="db",
                    on_done=lambda _: self._failed(exc, runner, ws, creds, full),
                    on_error=lambda _e: self._failed(exc, runner, ws, creds, full),
                )

            return on_error

        def applied(report: engine.SyncReport) -> None:
            self._reports.append(report)
            self._next(runner, ws, creds, full)

        def fetched(job: engine.SyncJob) -> Any:
            def on_done(result: Any) -> None:
                runner.submit(
                    lambda: engine.apply(ws, job, result), lane="db", on_done=applied,
                    on_error=failed(job),
                )  # fmt: skip

            return on_done

        def prepared(job: Any) -> None:
            if isinstance(job, delivery.DeliveryJob):  # a delivery tool: pull, then write
                runner.submit(
                    lambda: delivery.fetch(job, creds, token), lane="net",
                    on_done=lambda got: runner.submit(
                        lambda: delivery.apply(ws, job, got), lane="db", on_done=applied,
                        on_error=failed(name),
                    ),
                    on_error=failed(name),
                )  # fmt: skip
                return
            runner.submit(
                lambda: engine.fetch(job, creds, progress=progress, cancel=token),
                lane="net", on_done=fetched(job), on_error=failed(job),
            )  # fmt: skip

        runner.submit(
            lambda: delivery.prepare(ws, name)
            if delivery.is_delivery(sync_state.connection(ws.conn, name).kind)
            else engine.prepare(ws, name, full=full),
            lane="db", on_done=prepared, on_error=failed(name),
        )  # fmt: skip

    def _failed(
        self, exc: BaseException, runner: BaseTaskRunner, ws: Workspace, creds: CredentialStore,
        full: bool,
    ) -> None:  # fmt: skip
        if isinstance(exc, Cancelled):
            self._queue.clear()
        else:
            self.sync_failed.emit(exc)
            self.label.setText(describe_error(exc))
        self._next(runner, ws, creds, full)

    def _done(self) -> None:
        cancelled = self._token is not None and self._token.cancelled
        self._token = None
        self.cancel_button.setEnabled(False)
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        if cancelled:
            self.label.setText("Sync cancelled; nothing was changed.")
        elif self._reports:
            self.label.setText("\n".join(r.summary() for r in self._reports))
        self.sync_finished.emit(list(self._reports))

    @Slot(object)
    def _on_progress(self, progress: Progress) -> None:
        if self._token is None:
            return
        total = f" of {progress.total}" if progress.total else ""
        self.label.setText(
            f"{progress.connection}: {progress.phase}, {progress.items}{total} items, "
            f"{progress.pages} pages"
        )
        if progress.total:
            self.bar.setRange(0, progress.total)
            self.bar.setValue(min(progress.items, progress.total))
