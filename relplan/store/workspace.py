"""The workspace: one open SQLite file and the operations every client uses."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import sqlite_utils

from relplan.domain.model import Plan, Release, Team
from relplan.domain.rules import release_issues
from relplan.errors import UnknownObjectError, ValidationError
from relplan.store import commands, repository, undo
from relplan.store.commands import ChangeSet, Command, Edit
from relplan.store.database import close_database, open_database, transaction
from relplan.store.entities import TABLES
from relplan.store.origin import terminal_origin


class Workspace:
    """An open workspace file.

    The connection may be used from one thread at a time; the window runs every call on its
    single database worker.

    Attributes:
        origin: where this workspace's changes are made from (see :mod:`relplan.store.origin`);
            undo and redo without an id act on this origin's changes only.
    """

    def __init__(self, db: sqlite_utils.Database, path: Path, origin: str | None = None) -> None:
        self.db = db
        self.path = path
        self.origin = origin or terminal_origin()

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, create: bool = True, origin: str | None = None
    ) -> Workspace:
        """Open, create or migrate the workspace at ``path`` (see :func:`open_database`).

        Args:
            path: the workspace file.
            create: create it when missing.
            origin: where its changes are made from (default: this terminal session).
        """
        file = Path(path).expanduser()
        return cls(open_database(file, create=create), file.resolve(), origin)

    @property
    def conn(self) -> sqlite3.Connection:
        """The raw SQLite connection."""
        return self.db.conn

    def close(self) -> None:
        """Close the file."""
        close_database(self.db)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ------------------------------------------------------------------------------
    def plan(self) -> Plan:
        """Everything in the workspace."""
        return repository.load_plan(self.conn)

    def release(self, key: str) -> Release:
        """One release.

        Raises:
            UnknownObjectError: no release has this key.
        """
        found = repository.get_release(self.conn, key)
        if found is None:
            raise UnknownObjectError("release", key)
        return found

    def release_rows(self, keys: Iterable[str] | None = None) -> list[repository.ReleaseRow]:
        """The rows of the releases table (of these keys only, when given), by key."""
        return repository.release_rows(self.conn, keys)

    def teams(self) -> list[Team]:
        """Every team, by key."""
        return list(TABLES["team"].all(self.conn, "key"))

    @property
    def timezone(self) -> str:
        """The planning zone."""
        return repository.timezone(self.conn)

    def is_empty(self) -> bool:
        """Whether the workspace holds no plan objects."""
        return not any(repository.counts(self.conn).values())

    # -- writing ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def write(self) -> Iterator[Workspace]:
        """One write transaction for a read-decide-write.

        Every read inside sees the state the write applies to, and :meth:`execute` joins it;
        another process's write waits until it ends (see
        :func:`relplan.store.database.transaction`). Use it wherever what is written depends on
        what is read::

            with ws.write():
                old = ws.release(key)
                ws.update_releases([replace(old, target=day)], "Move")

        Raises:
            WorkspaceBusyError: another process kept the workspace locked past the busy timeout.
        """
        with transaction(self.conn):
            yield self

    def execute(self, command: Command) -> ChangeSet:
        """Apply a command in one transaction (or in the current :meth:`write`) and record it."""
        return commands.execute(self.conn, command, self.origin)

    def import_plan(self, plan: Plan, *, replace: bool = False, label: str = "Import") -> ChangeSet:
        """Bring ``plan`` in as one undoable command (see :func:`repository.import_command`).

        The difference to the stored plan is computed inside the write transaction, so the
        befores in the audit log are what the import really replaced.
        """
        with self.write():
            command = repository.import_command(self.conn, plan, replace=replace, label=label)
            if not command.edits:
                return ChangeSet(label=label)
            return self.execute(command)

    def update_releases(self, releases: list[Release], label: str) -> ChangeSet:
        """Store new versions of existing releases as one command.

        Raises:
            UnknownObjectError: one of them is not in the workspace.
            ValidationError: one of them breaks a rule (say, start after target); nothing is
                written.
        """
        issues = [issue for new in releases for issue in release_issues(new)]
        if issues:
            raise ValidationError(issues)
        with self.write():
            edits = []
            for new in releases:
                old = self.release(new.key)
                if old != new:
                    edits.append(Edit("release", new.key, old, new))
            if not edits:
                return ChangeSet(label=label)
            return self.execute(Command(label, tuple(edits)))

    def set_release_dates(
        self, key: str, start: dt.date | None, target: dt.date | None
    ) -> ChangeSet:
        """Move one release (a convenience over :meth:`update_releases`)."""
        with self.write():
            old = self.release(key)
            new = replace(old, start=start, target=target)
            return self.update_releases([new], f"Move {key}")

    def undo(self, command_id: int | None = None) -> ChangeSet:
        """Undo this origin's latest change, or the change ``command_id`` (anyone's).

        Raises:
            NothingToUndoError: nothing to undo from this origin, or not that change.
            ChangedSinceError: a later change touched its objects; nothing was written.
        """
        return undo.replay(self.conn, self.origin, undo=True, command_id=command_id)

    def redo(self, command_id: int | None = None) -> ChangeSet:
        """Redo the change this origin undid last, or the change ``command_id``.

        Raises:
            NothingToUndoError: nothing to redo from this origin, or not that change.
            ChangedSinceError: a later change touched its objects; nothing was written.
        """
        return undo.replay(self.conn, self.origin, undo=False, command_id=command_id)

    def undo_labels(self) -> tuple[str | None, str | None]:
        """What undo and redo from this origin would do now."""
        return undo.next_labels(self.conn, self.origin)

    def history(self, limit: int = 50) -> list[dict[str, Any]]:
        """The latest changes of everyone, newest first (see :func:`undo.history`)."""
        return undo.history(self.conn, limit)
