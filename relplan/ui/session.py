"""The open workspace, as the window sees it: every call runs on the DB lane.

:class:`WorkspaceSession` holds the open :class:`Workspace` and turns user actions (edit a
release, undo, import, open another file) into DB-lane tasks. Each write returns a
:class:`ChangeSet`; the same task then reads what the views need to refresh, so that the main
thread only swaps snapshots in.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from relplan import config
from relplan.domain.model import Deployment, Environment, Freeze
from relplan.edits.environments import environments_command
from relplan.edits.freezes import freeze_command
from relplan.edits.releases import (
    ReleaseEdit,
    ReleaseEditorInput,
    apply_slip,
    drag_release,
    edit_label,
    edit_release,
    editor_input,
    release_edit_command,
)
from relplan.store.commands import ChangeSet, Command
from relplan.store.origin import window_origin
from relplan.store.undo import UndoStep
from relplan.store.workspace import Workspace
from relplan.ui.refresh import Refresh, data_version, full_refresh, gather_refresh
from relplan.ui.tasks import BaseTaskRunner

#: How often the window looks for changes another process committed (milliseconds).
EXTERNAL_POLL_MS = 1500


class _UndoNeedsConfirmationError(Exception):
    """Undo stopped before a large command (carries its :class:`UndoStep`)."""

    def __init__(self, step: UndoStep) -> None:
        super().__init__(step.label)
        self.step = step


class WorkspaceSession(QObject):
    """The open workspace and the commands the window runs on it.

    Args:
        runner: the task runner whose DB lane owns the workspace.
        workspace: the workspace opened at start-up.
        parent: the owning QObject.

    Each session is one origin (see :mod:`relplan.store.origin`): its undo and redo act on the
    changes made from it only. It polls the workspace's ``data_version`` on the DB lane and
    reloads when another process (another window, a script) committed a change.

    Signals:
        refreshed(Refresh): rows, labels and zone after a load or a write.
        opened(Path): another workspace was opened (a ``refreshed`` with all rows follows).
        undo_needs_confirmation(UndoStep): Undo met a large command; ask before undoing it.
        message(str): a transient status-bar message.
        failed(BaseException): an error for ``present_error``.
    """

    refreshed = Signal(object)
    #: Deployments or incidents pulled from a delivery tool changed (they are no plan objects).
    delivery_changed = Signal()
    undo_needs_confirmation = Signal(object)
    opened = Signal(object)
    message = Signal(str)
    failed = Signal(object)

    def __init__(
        self,
        runner: BaseTaskRunner,
        workspace: Workspace,
        parent: QObject | None = None,
        *,
        origin: str | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        # A window that filled its workspace before it opened (``relplan --demo``) passes the
        # origin it did that with, so that its Undo takes that back.
        self.origin = origin or window_origin()
        workspace.origin = self.origin
        self._ws: Workspace | None = workspace
        # Bumped when the workspace is swapped, so late results of the old one are dropped.
        self._generation = 0
        self.data_version: int | None = None
        self._polling = False
        self._poll_timer: QTimer | None = None

    @property
    def path(self) -> Path:
        """The open workspace file."""
        return self.workspace.path

    @property
    def workspace(self) -> Workspace:
        """The open workspace; only use it inside DB-lane tasks.

        Raises:
            RuntimeError: the session was closed.
        """
        if self._ws is None:
            raise RuntimeError("the workspace session is closed")
        return self._ws

    @property
    def runner(self) -> BaseTaskRunner:
        """The task runner the session submits to."""
        return self._runner

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._ws is None

    # -- plumbing ---------------------------------------------------------------------------
    def read(
        self,
        job: Callable[[Workspace], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run ``job(workspace)`` on the DB lane, after every write queued before it.

        The callbacks run on the main thread, and not at all when another workspace was opened
        meanwhile.

        Args:
            job: the read; it must not write.
            on_done: receives the job's result.
            on_error: receives its exception (default: the ``failed`` signal).
        """
        self._run(job, on_done, on_error)

    def _run(
        self,
        job: Callable[[Workspace], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        ws, generation = self.workspace, self._generation

        def done(result: Any) -> None:
            if generation == self._generation:
                on_done(result)

        def error(exc: BaseException) -> None:
            if generation == self._generation:
                (on_error or self.failed.emit)(exc)

        self._runner.submit(lambda: job(ws), on_done=done, on_error=error)

    def _write(
        self,
        write: Callable[[Workspace], ChangeSet],
        message: Callable[[ChangeSet], str],
        *,
        full: bool = False,
        on_error: Callable[[BaseException], None] | None = None,
        on_done: Callable[[ChangeSet], None] | None = None,
    ) -> None:
        def job(ws: Workspace) -> Refresh:
            return gather_refresh(ws, write(ws), full=full)

        def done(refresh: Refresh) -> None:
            self.refreshed.emit(refresh)
            self.message.emit(message(refresh.changes))
            if on_done is not None:
                on_done(refresh.changes)

        self._run(job, done, on_error)

    # -- changes made elsewhere --------------------------------------------------------------
    def watch_external_changes(self, owner: QObject, interval_ms: int = EXTERNAL_POLL_MS) -> None:
        """Look for other processes' changes every ``interval_ms`` while ``owner`` lives.

        The timer belongs to ``owner`` (the window), so it stops when the window goes.
        """
        timer = QTimer(owner)
        timer.setInterval(interval_ms)
        timer.timeout.connect(self.check_external_changes)
        timer.start()
        self._poll_timer = timer

    def check_external_changes(self) -> None:
        """Reload when another process committed to the workspace since the last look.

        ``PRAGMA data_version`` changes only with other connections' commits, so the window's
        own writes never trigger it. The check runs on the DB lane, and only when the lane is
        idle, so it never queues behind (or delays) real work.
        """
        if self.closed or self._polling or not self._runner.idle:
            return
        self._polling = True

        def seen(version: int) -> None:
            self._polling = False
            if self.data_version is None:
                self.data_version = version
            elif version != self.data_version:
                self._run(full_refresh, external)

        def external(result: tuple[int, Refresh]) -> None:
            self.data_version = result[0]
            self.refreshed.emit(result[1])
            self.message.emit("Reloaded: the workspace was changed by another window or program")

        def failed(_exc: BaseException) -> None:
            self._polling = False

        self._run(data_version, seen, failed)

    # -- reading ----------------------------------------------------------------------------
    def reload(self) -> None:
        """Load the whole releases table again."""

        def done(result: tuple[int, Refresh]) -> None:
            # Read before the load: a change landing during it shows at the next look.
            self.data_version = result[0]
            self.refreshed.emit(result[1])

        self._run(full_refresh, done)

    def refresh_after(self, changes: Sequence[ChangeSet]) -> None:
        """Refresh the views after writes made elsewhere on the DB lane (a sync's ChangeSets).

        Args:
            changes: what the writes touched; all empty: nothing happens.
        """
        touched: dict[str, set[str]] = {}
        for change in changes:
            for entity, keys in change.touched.items():
                touched.setdefault(entity, set()).update(keys)
        if not touched:
            return
        merged = ChangeSet(touched=touched, label=changes[-1].label)
        self._run(lambda ws: gather_refresh(ws, merged), self.refreshed.emit)

    # -- writing ----------------------------------------------------------------------------
    def edit_release(self, key: str, fields: Mapping[str, Any]) -> None:
        """Change fields of one release, and nothing else, as one undoable command.

        A date cell changes that one date (``relplan.edits.releases.edit_release``). A refused
        edit is reported through ``failed`` and the release's row is reloaded, so a cell that
        showed the new value at once goes back to the stored one.
        """
        label = edit_label(key, fields)
        changes = dict(fields)
        self._release_write(key, lambda ws: edit_release(ws, key, changes, label), label)

    def drag_release(self, key: str, part: str, days: int) -> None:
        """A timeline bar was dragged ``days``: its body moves the whole release (stages and
        milestones too), its end only the target (``relplan.edits.releases.drag_release``)."""
        which: Any = "end" if part == "end" else "body"
        label = f"Edit {key} target" if which == "end" else f"Move {key} by {days:+d} days"
        self._release_write(key, lambda ws: drag_release(ws, key, which, days), label)

    def reload_releases(self, keys: Sequence[str]) -> None:
        """Read these releases' rows again (a cell that showed an edit not made goes back)."""
        touched = {"release": set(keys)}
        self._run(lambda ws: gather_refresh(ws, ChangeSet(touched=touched)), self.refreshed.emit)

    def _release_write(self, key: str, write: Callable[[Workspace], ChangeSet], label: str) -> None:
        def failed(exc: BaseException) -> None:
            self.failed.emit(exc)
            self.reload_releases([key])

        self._write(write, lambda cs: f"Saved: {label}" if cs.count() else "", on_error=failed)

    def slip_release(self, key: str, slip_days: int) -> None:
        """Apply a what-if slip: the release and every release it pushes take their new dates.

        The impact is computed again on the DB lane from the plan as it is then, by the same
        operation as ``relplan impact --apply`` (``relplan.edits.releases.apply_slip``), and
        written as one undoable command (``Slip KEY by +5 days``).

        Args:
            key: the release that slips.
            slip_days: how many days its start and target move (negative: earlier).
        """
        label = f"Slip {key} by {slip_days:+d} days"

        def write(ws: Workspace) -> ChangeSet:
            # ``today`` only judges gates in new_problems; which releases move does not use it.
            return apply_slip(ws, key, slip_days, today=dt.date.today())[1]

        def message(cs: ChangeSet) -> str:
            if cs.empty:
                return f"{label}: nothing moves"
            moved = len(cs.touched.get("release", ()))
            return f"{label}: {moved} release{'s' if moved != 1 else ''} moved (Edit → Undo)"

        self._write(write, message)

    def level_plan(
        self,
        pins: Sequence[str],
        today: Callable[[Workspace], dt.date],
        on_done: Callable[[ChangeSet], None] | None = None,
    ) -> None:
        """Apply a levelling: every move as one undoable command (``Level the plan (N releases)``).

        The levelling is computed again on the DB lane from the plan as it is then, by the same
        operation as ``relplan level --apply`` (``relplan.edits.level.apply_levelling``).

        Args:
            pins: Releases that keep their dates.
            today: Gives the day releases that have started are judged by (DB lane).
            on_done: Receives the change written.
        """
        from relplan.edits.level import apply_levelling

        def write(ws: Workspace) -> ChangeSet:
            changes = apply_levelling(ws, today=today(ws), pins=pins)[1]
            return ChangeSet(label="No change") if changes is None else changes

        def message(cs: ChangeSet) -> str:
            moved = len(cs.touched.get("release", ()))
            if not moved:
                return "Level the plan: nothing moves"
            return f"Level the plan: {moved} release{'s' if moved != 1 else ''} moved (Edit → Undo)"

        self._write(write, message, on_done=on_done)

    def load_release_editor(
        self,
        key: str,
        on_done: Callable[[ReleaseEditorInput], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Read what the release editor needs about release ``key`` (DB lane).

        Args:
            key: the release.
            on_done: receives the :class:`ReleaseEditorInput`.
            on_error: receives the error (default: ``failed``), e.g. UnknownObjectError.
        """
        self._run(lambda ws: editor_input(ws.plan(), key), on_done, on_error)

    def save_release(
        self,
        edit: ReleaseEdit,
        *,
        on_done: Callable[[ChangeSet], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Store a release editor's save as ONE undoable command (release and dependencies).

        A dependency that would close a cycle, or an invalid release, refuses the whole save
        (``DependencyCycleError`` / ``ValidationError`` to ``on_error``); nothing is written.
        """
        self._execute(lambda ws: release_edit_command(ws, edit), on_done, on_error)

    def save_freeze(
        self,
        before: Freeze | None,
        after: Freeze | None,
        *,
        on_done: Callable[[ChangeSet], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Add (``before`` None), change or remove (``after`` None) a freeze: one command."""
        self._execute(lambda ws: freeze_command(ws, before, after), on_done, on_error)

    def save_environments(
        self,
        changes: Sequence[tuple[Environment | None, Environment | None]],
        *,
        on_done: Callable[[ChangeSet], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Add, change and remove environments (``(before, after)`` pairs) as one command."""
        pairs = list(changes)
        self._execute(lambda ws: environments_command(ws, pairs), on_done, on_error)

    def run_command(
        self,
        build: Callable[[Workspace], Command | None],
        *,
        on_done: Callable[[ChangeSet], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Build a command from what is read inside the write (DB lane) and execute it: one
        undoable change, refreshed like every other edit (see :mod:`relplan.edits`)."""
        self._execute(build, on_done, on_error)

    def _execute(
        self,
        build: Callable[[Workspace], Command | None],
        on_done: Callable[[ChangeSet], None] | None,
        on_error: Callable[[BaseException], None] | None,
    ) -> None:
        def write(ws: Workspace) -> ChangeSet:
            # Built from what is read inside the write, so another process cannot slip between.
            with ws.write():
                command = build(ws)
                return ChangeSet(label="No change") if command is None else ws.execute(command)

        def message(cs: ChangeSet) -> str:
            return f"{cs.label} (Edit → Undo reverts it)" if cs.count() else "Nothing changed"

        self._write(write, message, on_error=on_error, on_done=on_done)

    def link_deployment(
        self,
        connection: str,
        source_id: str,
        release: str | None,
        *,
        on_done: Callable[[ChangeSet], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Link a pulled deployment to ``release`` (None: none) by hand: ONE undoable command
        (:func:`relplan.edits.deployment_links.link_deployment`, as ``relplan deployment link``)."""
        from relplan.edits.deployment_links import link_deployment

        def write(ws: Workspace) -> ChangeSet:
            changes = link_deployment(ws, connection, source_id, release)
            return ChangeSet(label="No change") if changes is None else changes

        def message(cs: ChangeSet) -> str:
            return f"{cs.label} (Edit → Undo reverts it)" if cs.count() else "Nothing changed"

        self._write(write, message, on_error=on_error, on_done=on_done)

    def add_deployment(
        self,
        deployment: Deployment,
        *,
        on_done: Callable[[ChangeSet], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Store a deployment entered by hand as one undoable command ("Add deployment").

        One with the same release, environment and finish instant as a stored one updates it.
        """
        from relplan.formats.deployments_csv import deployments_command
        from relplan.store.entities import TABLES

        def build(ws: Workspace) -> Command:
            existing = TABLES["deployment"].all(ws.conn, "finished")
            return deployments_command(existing, [deployment], "Add deployment")

        self._execute(build, on_done, on_error)

    def import_deployments(
        self,
        path: str | os.PathLike[str],
        *,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Import a deployments CSV file as one undoable command (all or nothing).

        A file with problems writes nothing; its ``ValidationError`` names every row.
        """
        from relplan.formats.deployments_csv import import_deployments

        name = Path(path).name
        counts: list[int] = []

        def write(ws: Workspace) -> ChangeSet:
            changes, count = import_deployments(ws, path)
            counts.append(count)
            return changes

        def message(cs: ChangeSet) -> str:
            rows = f"{counts[-1]} deployment{'s' if counts[-1] != 1 else ''}" if counts else ""
            if cs.empty:
                return f"{name}: {rows}, nothing to change"
            return f"Imported {name}: {rows}, {cs.count()} stored (Edit → Undo reverts it)"

        self._write(write, message, on_error=on_error)

    def undo(self, command_id: int | None = None, *, confirmed: int | None = None) -> None:
        """Undo this window's latest change, or change ``command_id`` (whoever made it).

        A change whose objects were changed since is refused (``ChangedSinceError`` through
        ``failed``), naming the later change. This window's latest change, when it touched more
        than ``CONFIRM_UNDO_ABOVE`` objects (an import, a sync), is not undone:
        ``undo_needs_confirmation`` carries its :class:`UndoStep` instead, and the window asks;
        ``undo(confirmed=step.command_id)`` then undoes it, if it is still the latest. A change
        picked by id (Undo from History) was confirmed when it was picked.

        Args:
            command_id: the change to undo (default: this window's latest).
            confirmed: the large change the user agreed to undo.
        """

        def write(ws: Workspace) -> ChangeSet:
            if command_id is None:
                step = ws.next_undo()
                if step is not None and step.needs_confirmation and step.command_id != confirmed:
                    raise _UndoNeedsConfirmationError(step)  # nothing written
            return ws.undo(command_id)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, _UndoNeedsConfirmationError):
                self.undo_needs_confirmation.emit(exc.step)
            else:
                self.failed.emit(exc)

        self._write(write, lambda cs: f"Undid {cs.label}", on_error=failed)

    def load_demo(self) -> None:
        """Fill the workspace with the demo portfolio, one undoable command (as ``--demo``)."""
        from relplan.demo import import_demo

        def message(cs: ChangeSet) -> str:
            return f"Loaded the demo: {cs.count():,} objects (Edit → Undo reverts it)"

        self._write(lambda ws: import_demo(ws), message, full=True)

    def redo(self) -> None:
        """Redo the change this window undid last."""
        self._write(lambda ws: ws.redo(), lambda cs: f"Redid {cs.label}")

    def load_history(self, on_done: Callable[[list[dict[str, Any]]], None]) -> None:
        """Read the latest changes of everyone (see :meth:`Workspace.history`), newest first."""
        self._run(lambda ws: ws.history(), on_done)

    def import_json(self, path: str | os.PathLike[str], *, replace: bool = False) -> None:
        """Import a workspace JSON file as one undoable command (all or nothing)."""
        from relplan.formats.workspace_io import import_file

        name = Path(path).name

        def message(cs: ChangeSet) -> str:
            if cs.empty:
                return f"{name}: nothing to change"
            return f"Imported {name}: {cs.count()} objects changed (Edit → Undo reverts it)"

        self._write(lambda ws: import_file(ws, path, replace=replace), message, full=True)

    def export_json(self, path: str | os.PathLike[str]) -> None:
        """Write the workspace as a JSON file."""
        from relplan.formats.workspace_io import export_file

        self._run(
            lambda ws: export_file(ws, path),
            lambda size: self.message.emit(f"Exported {size:,} bytes to {path}"),
        )

    # -- switching --------------------------------------------------------------------------
    def open_workspace(self, path: str | os.PathLike[str], *, create: bool = False) -> None:
        """Open (or with ``create``, create) another workspace and switch to it.

        The current one stays open if the new one cannot be opened.
        """
        target = Path(path)

        def job(_old: Workspace) -> tuple[Workspace, Refresh]:
            ws = Workspace.open(target, create=create, origin=self.origin)
            try:
                return ws, gather_refresh(ws, ChangeSet(), full=True)
            except BaseException:
                ws.close()
                raise

        def done(result: tuple[Workspace, Refresh]) -> None:
            ws, refresh = result
            old = self._ws
            self._ws = ws
            self._generation += 1
            self.data_version = None
            if old is not None:
                self._runner.submit(old.close)
            config.save_settings(config.load_settings().opened(ws.path))
            self.opened.emit(ws.path)
            self.refreshed.emit(refresh)
            self.message.emit(f"Opened {ws.path}")

        self._run(job, done)

    def close(self) -> None:
        """Close the workspace on the DB lane, after every task queued before."""
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None
        if self._ws is not None:
            ws, self._ws = self._ws, None
            self._generation += 1
            self._runner.submit(ws.close)
