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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from relplan import config
from relplan.domain.model import Deployment, Environment, Freeze, Team
from relplan.plan_edits import (
    ReleaseEdit,
    ReleaseEditorInput,
    editor_input,
    environments_command,
    freeze_command,
    release_edit_command,
)
from relplan.store.commands import ChangeSet, Command, UndoStep
from relplan.store.repository import ReleaseRow
from relplan.store.workspace import Workspace
from relplan.ui.tasks import BaseTaskRunner

#: Above this many touched releases a write reloads the whole table instead of patching rows.
PATCH_LIMIT = 200


@dataclass(slots=True)
class Refresh:
    """What the views need after a read or a write, gathered on the DB lane.

    Attributes:
        changes: the write's ChangeSet (empty for a plain load).
        rows: a full snapshot of the releases table, or None when ``changed`` suffices.
        changed: the new rows of touched releases (None: deleted).
        timezone: the workspace's planning zone.
        undo_label: what Undo would undo now.
        redo_label: what Redo would redo now.
        teams: every team of the workspace, when they may have changed (else None).
        empty: whether the workspace holds no plan objects (the window then shows what to do).
    """

    changes: ChangeSet
    rows: list[ReleaseRow] | None = None
    changed: dict[str, ReleaseRow | None] = field(default_factory=dict)
    timezone: str = "UTC"
    undo_label: str | None = None
    redo_label: str | None = None
    teams: list[Team] | None = None
    empty: bool = False

    @property
    def plan_changed(self) -> bool:
        """Whether the analyses (check, schedule) and the plan views must be refreshed.

        Deployments move no date, but the views show them (the Dashboard's DORA metrics).
        """
        return (
            self.rows is not None
            or self.changes.schedule_dirty
            or "deployment" in self.changes.touched
        )


def gather_refresh(ws: Workspace, changes: ChangeSet, *, full: bool = False) -> Refresh:
    """Read what the table needs after ``changes`` (run on the DB lane)."""
    undo_label, redo_label = ws.undo_labels()
    refresh = Refresh(
        changes,
        timezone=ws.timezone,
        undo_label=undo_label,
        redo_label=redo_label,
        empty=ws.is_empty(),
    )
    touched = changes.touched.get("release", set())
    if full or len(touched) > PATCH_LIMIT:
        refresh.rows = ws.release_rows()
    elif touched:
        rows = {row.key: row for row in ws.release_rows(touched)}
        refresh.changed = {key: rows.get(key) for key in sorted(touched)}
    if full or "team" in changes.touched:
        refresh.teams = ws.teams()
    return refresh


class _UndoNeedsConfirmationError(Exception):
    """Undo stopped before a large command (carries its :class:`UndoStep`)."""

    def __init__(self, step: UndoStep) -> None:
        super().__init__(step.label)
        self.step = step


def _edit_label(key: str, fields: Mapping[str, Any]) -> str:
    return f"Edit {key} {next(iter(fields))}" if len(fields) == 1 else f"Edit {key}"


class WorkspaceSession(QObject):
    """The open workspace and the commands the window runs on it.

    Args:
        runner: the task runner whose DB lane owns the workspace.
        workspace: the workspace opened at start-up.
        parent: the owning QObject.

    Signals:
        refreshed(Refresh): rows, labels and zone after a load or a write.
        opened(Path): another workspace was opened (a ``refreshed`` with all rows follows).
        undo_needs_confirmation(UndoStep): Undo met a large command; ask before undoing it.
        message(str): a transient status-bar message.
        failed(BaseException): an error for ``present_error``.
    """

    refreshed = Signal(object)
    undo_needs_confirmation = Signal(object)
    opened = Signal(object)
    message = Signal(str)
    failed = Signal(object)

    def __init__(
        self, runner: BaseTaskRunner, workspace: Workspace, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._ws: Workspace | None = workspace
        # Bumped when the workspace is swapped, so late results of the old one are dropped.
        self._generation = 0

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

    # -- reading ----------------------------------------------------------------------------
    def reload(self) -> None:
        """Load the whole releases table again."""
        self._run(lambda ws: gather_refresh(ws, ChangeSet(), full=True), self.refreshed.emit)

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
        """Change fields of one release as one undoable command (``Edit KEY target``).

        A refused edit is reported through ``failed`` and the release's row is reloaded, so a
        cell that showed the new value at once goes back to the stored one.
        """
        label = _edit_label(key, fields)
        changes = dict(fields)

        def write(ws: Workspace) -> ChangeSet:
            # update_releases refuses a release that breaks a rule (ValidationError).
            return ws.update_releases([replace(ws.release(key), **changes)], label)

        def failed(exc: BaseException) -> None:
            self.failed.emit(exc)
            self._run(
                lambda ws: gather_refresh(ws, ChangeSet(touched={"release": {key}})),
                self.refreshed.emit,
            )

        self._write(write, lambda cs: f"Saved: {label}" if cs.count() else "", on_error=failed)

    def slip_release(self, key: str, slip_days: int) -> None:
        """Apply a what-if slip: the release and every release it pushes take their new dates.

        The impact is computed again on the DB lane from the plan as it is then, exactly as
        ``relplan impact --apply`` does, and written as one undoable command
        (``Slip KEY by +5 days``).

        Args:
            key: the release that slips.
            slip_days: how many days its start and target move (negative: earlier).
        """
        label = f"Slip {key} by {slip_days:+d} days"

        def write(ws: Workspace) -> ChangeSet:
            from relplan.planning.impact import apply_impact, impact_of_slip

            plan = ws.plan()
            # ``today`` only judges gates in new_problems; which releases move does not use it.
            impact = impact_of_slip(plan, key, slip_days, today=dt.date.today())
            old = {release.key: release for release in plan.releases}
            changed = [r for r in apply_impact(plan, impact).releases if r != old[r.key]]
            return ws.update_releases(changed, label)

        def message(cs: ChangeSet) -> str:
            if cs.empty:
                return f"{label}: nothing moves"
            moved = len(cs.touched.get("release", ()))
            return f"{label}: {moved} release{'s' if moved != 1 else ''} moved (Edit → Undo)"

        self._write(write, message)

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

    def _execute(
        self,
        build: Callable[[Workspace], Command | None],
        on_done: Callable[[ChangeSet], None] | None,
        on_error: Callable[[BaseException], None] | None,
    ) -> None:
        def write(ws: Workspace) -> ChangeSet:
            command = build(ws)
            return ChangeSet(label="No change") if command is None else ws.execute(command)

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

    def undo(self, *, confirmed: int | None = None) -> None:
        """Undo the latest command, unless it is large and not confirmed yet.

        A command of more than ``CONFIRM_UNDO_ABOVE`` objects (an import, a sync) is not undone:
        ``undo_needs_confirmation`` carries its :class:`UndoStep` instead, and the window asks;
        ``undo(confirmed=step.command_id)`` then undoes it, if it is still the latest.

        Args:
            confirmed: the command the user agreed to undo.
        """

        def write(ws: Workspace) -> ChangeSet:
            step = ws.next_undo()
            if step is not None and step.needs_confirmation and step.command_id != confirmed:
                raise _UndoNeedsConfirmationError(step)  # nothing written
            return ws.undo()

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
        """Redo the command undone last."""
        self._write(lambda ws: ws.redo(), lambda cs: f"Redid {cs.label}")

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
            ws = Workspace.open(target, create=create)
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
            if old is not None:
                self._runner.submit(old.close)
            config.save_settings(config.load_settings().opened(ws.path))
            self.opened.emit(ws.path)
            self.refreshed.emit(refresh)
            self.message.emit(f"Opened {ws.path}")

        self._run(job, done)

    def close(self) -> None:
        """Close the workspace on the DB lane, after every task queued before."""
        if self._ws is not None:
            ws, self._ws = self._ws, None
            self._generation += 1
            self._runner.submit(ws.close)
