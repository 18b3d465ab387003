"""Background work: a database lane, a network lane and one bridge back to the main thread.

Every call into the open :class:`~relplan.store.workspace.Workspace` runs on the *DB lane*: one
worker thread that runs its tasks one after another, in the order they were submitted, so the
SQLite connection is never used by two threads at once. Work that does not touch the database
(HTTP, parsing big files) goes to the *network lane*, a small ``QThreadPool``.

Results come back through the runner itself, a long-lived ``QObject`` on the main thread that
emits a queued signal (STYLE §6). No runnable owns a signals object, so the pool can never delete
one on the wrong thread (novelWriter #2926).
"""

from __future__ import annotations

import gc
import logging
import queue
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

Lane = Literal["db", "net"]
#: How long (seconds) a thread may hold the GIL while another waits for it. Python's 5 ms let a
#: worker running pure-Python work (a map layout, an analysis) make every Python callback of a
#: paint wait up to 5 ms: a frame of 50 map boxes took 0.2-0.5 s while a layout ran.
SWITCH_INTERVAL = 0.0005
OnDone = Callable[[Any], None]
OnError = Callable[[BaseException], None]


@dataclass(frozen=True, slots=True)
class _Task:
    fn: Callable[[], Any]
    on_done: OnDone | None
    on_error: OnError | None


def _log_error(exc: BaseException) -> None:
    log.error("background task failed", exc_info=(type(exc), exc, exc.__traceback__))


class BaseTaskRunner(QObject):
    """What the window needs of a task runner: submit work, learn when it is busy, shut down.

    Signals:
        busy_changed(bool): True when the first task starts, False when the last one finished
            (its callback included).
    """

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending = 0
        self._error_handler: OnError = _log_error

    @property
    def pending(self) -> int:
        """How many submitted tasks have not had their callback run yet."""
        return self._pending

    @property
    def idle(self) -> bool:
        """Whether no task is queued, running or waiting for its callback."""
        return self._pending == 0

    def set_error_handler(self, handler: OnError) -> None:
        """Use ``handler`` for tasks submitted without ``on_error`` (the window's present_error)."""
        self._error_handler = handler

    def submit(
        self,
        fn: Callable[[], Any],
        *,
        lane: Lane = "db",
        on_done: OnDone | None = None,
        on_error: OnError | None = None,
    ) -> None:
        """Run ``fn`` in ``lane``, then ``on_done(result)`` or ``on_error(exc)`` on the main thread.

        Args:
            fn: the work; on the DB lane it may use the workspace.
            lane: ``"db"`` (serial, owns the workspace) or ``"net"`` (parallel, no database).
            on_done: called with the result on the main thread.
            on_error: called with the exception on the main thread; defaults to the runner's
                error handler.
        """
        raise NotImplementedError

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop accepting tasks and wait for the running ones; True when all finished in time."""
        raise NotImplementedError

    def _task_started(self) -> None:
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)

    def _task_finished(self) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)

    def _deliver(self, task: _Task, ok: bool, value: Any) -> None:
        """Run a task's callback; the task counts as pending until the callback returned."""
        try:
            if ok:
                if task.on_done is not None:
                    task.on_done(value)
            else:
                (task.on_error or self._error_handler)(value)
        finally:
            self._task_finished()


#: Young (generation-1) collections between two full ones of the cyclic GC (CPython: 10).
FULL_GC_EVERY = 100


class TaskRunner(BaseTaskRunner):
    """The application's task runner: a DB-lane thread, a network pool and a result bridge.

    Signals:
        busy_changed(bool): see :class:`BaseTaskRunner`.
    """

    # Emitted from worker threads with (task, ok, value); connected queued to the main thread.
    _delivered = Signal(object)

    def __init__(self, parent: QObject | None = None, *, net_threads: int = 4) -> None:
        super().__init__(parent)
        # The window's thread gets the GIL back quickly from busy workers (see the constant).
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
        # After gc.freeze() (see the analyser) few objects count as long-lived, so full
        # collections ran every ~10 young ones during an edit's re-analysis: 20-70 ms each on a
        # worker, holding the GIL (measured: the window's 100-160 ms stalls). Run them rarer.
        gen0, gen1, gen2 = gc.get_threshold()
        gc.set_threshold(gen0, gen1, max(gen2, FULL_GC_EVERY))
        self._delivered.connect(self._on_delivered, Qt.ConnectionType.QueuedConnection)
        self._accepting = True
        self._closed = False
        self._queue: queue.SimpleQueue[_Task | None] = queue.SimpleQueue()
        # A daemon thread, so that a task hung in SQLite cannot keep the process alive at exit.
        self._db_thread = threading.Thread(target=self._db_loop, name="relplan-db", daemon=True)
        self._db_thread.start()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(net_threads)

    def submit(
        self,
        fn: Callable[[], Any],
        *,
        lane: Lane = "db",
        on_done: OnDone | None = None,
        on_error: OnError | None = None,
    ) -> None:
        """Queue ``fn`` (see :meth:`BaseTaskRunner.submit`).

        Raises:
            RuntimeError: the runner was shut down.
            ValueError: ``lane`` is unknown.
        """
        if not self._accepting:
            raise RuntimeError("the task runner is shut down")
        task = _Task(fn, on_done, on_error)
        if lane == "db":
            self._task_started()
            self._queue.put(task)
        elif lane == "net":
            self._task_started()
            self._pool.start(lambda: self._execute(task))
        else:
            raise ValueError(f"unknown lane {lane!r}")

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Finish queued DB tasks (writes must not be lost), then stop; late results are dropped.

        Returns:
            Whether every lane finished within ``timeout_ms``.
        """
        if self._closed:
            return not self._db_thread.is_alive()
        self._accepting = False
        self._queue.put(None)
        deadline = time.monotonic() + timeout_ms / 1000
        self._db_thread.join(max(0.0, deadline - time.monotonic()))
        remaining_ms = max(0, int((deadline - time.monotonic()) * 1000))
        pool_done = self._pool.waitForDone(remaining_ms)
        self._closed = True
        db_done = not self._db_thread.is_alive()
        if not (db_done and pool_done):
            log.warning("background tasks still running after %d ms at shutdown", timeout_ms)
        return db_done and pool_done

    def _db_loop(self) -> None:
        while (task := self._queue.get()) is not None:
            self._execute(task)

    def _execute(self, task: _Task) -> None:
        # The thread boundary: every failure is carried to the main thread, never lost here.
        try:
            value = task.fn()
        except Exception as exc:
            self._delivered.emit((task, False, exc))
        else:
            self._delivered.emit((task, True, value))

    @Slot(object)
    def _on_delivered(self, payload: tuple[_Task, bool, Any]) -> None:
        if self._closed:
            return
        task, ok, value = payload
        self._deliver(task, ok, value)


class SyncTaskRunner(BaseTaskRunner):
    """Runs every task inline, callbacks included, for widget tests (Picard ``FakeThreadPool``).

    Signals:
        busy_changed(bool): see :class:`BaseTaskRunner`.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._closed = False

    def submit(
        self,
        fn: Callable[[], Any],
        *,
        lane: Lane = "db",
        on_done: OnDone | None = None,
        on_error: OnError | None = None,
    ) -> None:
        """Run ``fn`` now and then its callback (see :meth:`BaseTaskRunner.submit`).

        Raises:
            RuntimeError: the runner was shut down.
        """
        if self._closed:
            raise RuntimeError("the task runner is shut down")
        self._task_started()
        task = _Task(fn, on_done, on_error)
        try:
            value = fn()
        except Exception as exc:
            self._deliver(task, False, exc)
        else:
            self._deliver(task, True, value)

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop accepting tasks; nothing ever runs in the background here."""
        self._closed = True
        return True
