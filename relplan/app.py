"""The composition root of the window: choose and open the workspace, build Qt, run the loop.

``relplan`` (no sub-command) lands in :func:`main`. Start-up imports only what the first paint
needs; planning, charts and file formats are imported when first used.

Set ``RELPLAN_QUIT_AFTER_PAINT=1`` to print start-up timings once the view the window opens on
(the releases table, the Timeline, the Map, ...) has painted with data
and exit; the benchmark script uses it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import logging
import os
import sys
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import NoReturn

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from relplan import config
from relplan.store.workspace import Workspace
from relplan.ui._compat import override
from relplan.ui.errors import present_error

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILURE = 2
QUIT_AFTER_PAINT_ENV = "RELPLAN_QUIT_AFTER_PAINT"
SHUTDOWN_TIMEOUT_MS = 5000


def choose_workspace(args: argparse.Namespace) -> Path:
    """The workspace to open: ``--demo``, ``--db``, the last one opened, else the default."""
    if getattr(args, "demo", False):
        return config.demo_workspace()
    if getattr(args, "db", None):
        return Path(args.db).expanduser()
    last = config.load_settings().last_workspace
    return Path(last) if last else config.default_workspace()


def build_demo_workspace(
    path: Path,
    *,
    seed: int | None = None,
    today: dt.date | None = None,
    origin: str | None = None,
) -> Workspace:
    """Delete ``path`` (with its WAL files) and fill a fresh workspace with the small demo.

    The demo is :func:`relplan.demo.generate`'s, with its defaults (seed and day) unless
    given: the very portfolio ``relplan demo`` writes. ``origin`` is the window's that will show
    it (see :mod:`relplan.store.origin`), so that the window's Undo can take the demo back.
    """
    from relplan.demo import DEMO_SEED, import_demo
    from relplan.store.database import remove_workspace_files

    remove_workspace_files(path)
    ws = Workspace.open(path, origin=origin)
    try:
        import_demo(ws, seed=DEMO_SEED if seed is None else seed, today=today)
    except BaseException:
        ws.close()
        raise
    return ws


def process_age_ms() -> float | None:
    """Milliseconds since this process started, from ``/proc`` (None where unavailable)."""
    try:
        stat = Path("/proc/self/stat").read_text()
        uptime_s = float(Path("/proc/uptime").read_text().split()[0])
        # Field 22 (starttime, clock ticks since boot) counts from after the ")" of the name.
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])
        return (uptime_s - start_ticks / os.sysconf("SC_CLK_TCK")) * 1000
    except (OSError, ValueError, IndexError):
        return None


class FirstPaintProbe(QObject):
    """Reports start-up timings once the current view painted with data, then quits.

    The view the window opens on is the one the last session showed (the Releases table, the
    Timeline, the Map, ...): every paint in the application is watched, and the report is made
    after the first paint that happened while ``has_data()`` held.

    Args:
        app: the application (its event filter sees every widget's paints).
        has_data: whether the current view shows the plan yet.
        started: ``time.perf_counter()`` at the start of :func:`main`.
    """

    def __init__(self, app: QApplication, has_data: Callable[[], bool], started: float) -> None:
        super().__init__(app)
        self._has_data = has_data
        self._started = started
        self._first: float | None = None
        self._done = False
        self._queued = False
        app.installEventFilter(self)

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Note the first paint and the first paint with data."""
        if event.type() == QEvent.Type.Paint and not self._done and not self._queued:
            # The paint happens right after this filter returns; measure when it is over.
            self._queued = True
            QTimer.singleShot(0, functools.partial(self._painted, self._has_data()))
        return False

    def _painted(self, had_data: bool) -> None:
        self._queued = False
        if self._done:
            return
        now = time.perf_counter()
        if self._first is None:
            self._first = now
        if not had_data:
            return
        self._done = True
        age = process_age_ms()
        since_main = (self._first - self._started) * 1000
        proc = f"{age - (now - self._first) * 1000:.0f}" if age is not None else "n/a"
        sys.stdout.write(
            f"first_paint_ms={since_main:.0f} "
            f"rows_paint_ms={(now - self._started) * 1000:.0f} "
            f"first_paint_ms_since_process_start={proc}\n"
        )
        sys.stdout.flush()
        QTimer.singleShot(0, QApplication.quit)


def install_excepthook(window: QWidget) -> Callable[[], None]:
    """Show uncaught exceptions (from slots, too) instead of losing them; returns an uninstaller."""
    previous = sys.excepthook
    ref = weakref.ref(window)
    busy = False

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        nonlocal busy
        if busy or issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        busy = True
        try:
            log.warning("uncaught %s: %s", exc_type.__name__, exc)
            present_error(ref(), exc.with_traceback(tb))
        finally:
            busy = False

    sys.excepthook = hook

    def uninstall() -> None:
        sys.excepthook = previous

    return uninstall


def _qapplication() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(config.APP_NAME)
    app.setOrganizationName(config.APP_NAME)
    app.setDesktopFileName(config.APP_NAME)
    return app


def main(args: argparse.Namespace) -> int:
    """Open the window on the chosen workspace and run until it is closed.

    Args:
        args: the parsed command line (``db``: a path or None; ``demo``: a bool).

    Returns:
        The exit status: 0, or 2 when the window cannot open here (no display, missing system
        libraries: one line on standard error says what) or the workspace cannot be opened (it
        is left untouched).
    """
    started = time.perf_counter()
    from relplan.ui.display import display_problem

    # Qt aborts with a core dump when its platform plugin cannot load: say why before it does.
    problem = display_problem() if QApplication.instance() is None else None
    if problem is not None:
        sys.stderr.write(f"relplan: {problem}\n")
        return EXIT_FAILURE
    path = choose_workspace(args)
    own_app = QApplication.instance() is None
    app = _qapplication()
    from relplan.store.origin import window_origin

    origin = window_origin()
    try:
        if getattr(args, "demo", False):
            ws = build_demo_workspace(path, origin=origin)
        else:
            ws = Workspace.open(path, origin=origin)
    except Exception as exc:
        # Nothing is running yet, so a blocking box is fine; the file was not modified.
        present_error(None, exc, wait=True)
        return EXIT_FAILURE
    config.save_settings(config.load_settings().opened(ws.path))

    from relplan.ui.main_window import MainWindow
    from relplan.ui.session import WorkspaceSession
    from relplan.ui.tasks import TaskRunner

    runner = TaskRunner()
    session = WorkspaceSession(runner, ws, origin=origin)
    window = MainWindow(session)
    uninstall_hook = install_excepthook(window)
    if os.environ.get(QUIT_AFTER_PAINT_ENV):
        FirstPaintProbe(app, window.view_shows_data, started)
    window.show()
    try:
        status = app.exec()
    finally:
        uninstall_hook()
        session.close()
        runner.shutdown(SHUTDOWN_TIMEOUT_MS)
    if own_app:
        exit_now(status)
    return status


def exit_now(status: int) -> NoReturn:
    """End the process once the window closed and the workspace is closed and saved.

    Tearing down the interpreter frees the whole plan and every widget one by one (1.5 s and
    more for a big plan) while the user waits for the window to go away; nothing is left to
    save by then (the DB lane finished, settings are written), so the process exits at once.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)
