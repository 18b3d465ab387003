"""The workspace: one open SQLite file and the operations every client uses."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import sqlite_utils

from relplan.domain.model import Plan, Release, Team
from relplan.domain.rules import release_issues
from relplan.errors import UnknownObjectError, ValidationError
from relplan.store import commands, repository
from relplan.store.commands import ChangeSet, Command, Edit
from relplan.store.database import close_database, open_database
from relplan.store.entities import TABLES


class Workspace:
    """An open workspace file.

    The connection may be used from one thread at a time; the window runs every call on its
    single database worker.
    """

    def __init__(self, db: sqlite_utils.Database, path: Path) -> None:
        self.db = db
        self.path = path

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = True) -> Workspace:
        """Open, create or migrate the workspace at ``path`` (see :func:`open_database`)."""
        file = Path(path).expanduser()
        return cls(open_database(file, create=create), file.resolve())

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
        """Whether the workspace holds no plan objects (cheap: one row per table at most)."""
        return repository.is_empty(self.conn)

    # -- writing ------------------------------------------------------------------------------
    def execute(self, command: Command) -> ChangeSet:
        """Apply a command in one transaction and record it for undo."""
        return commands.execute(self.conn, command)

    def import_plan(self, plan: Plan, *, replace: bool = False, label: str = "Import") -> ChangeSet:
        """Bring ``plan`` in as one undoable command (see :func:`repository.import_command`)."""
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
        old = self.release(key)
        new = replace(old, start=start, target=target)
        return self.update_releases([new], f"Move {key}")

    def undo(self) -> ChangeSet:
        """Undo the latest command."""
        return commands.undo(self.conn)

    def redo(self) -> ChangeSet:
        """Redo the command undone last."""
        return commands.redo(self.conn)

    def undo_labels(self) -> tuple[str | None, str | None]:
        """What undo and redo would do now."""
        return commands.next_labels(self.conn)

    def next_undo(self) -> commands.UndoStep | None:
        """The command undo would take back now, with how many objects it touched."""
        return commands.next_undo(self.conn)
