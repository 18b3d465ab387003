"""The workspace: one open SQLite file and the operations every client uses."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from relplan.domain.model import (
    Dependency,
    Deployment,
    Flag,
    Plan,
    Release,
    Team,
    WorkItem,
)
from relplan.domain.rules import release_issues
from relplan.errors import UnknownObjectError, ValidationError
from relplan.store import analysis_cache, bulk_journal, commands, repository, undo
from relplan.store.commands import ChangeSet, Command, Edit
from relplan.store.database import (
    close_connection,
    is_read_only,
    open_connection,
    transaction,
    verify_before_write,
    wrap,
)
from relplan.store.entities import TABLES
from relplan.store.origin import terminal_origin
from relplan.store.undo import UndoStep

if TYPE_CHECKING:
    import sqlite_utils

T = TypeVar("T")


class Workspace:
    """An open workspace file.

    The connection may be used from one thread at a time; the window runs every call on its
    single database worker.

    Attributes:
        origin: where this workspace's changes are made from (see :mod:`relplan.store.origin`);
            undo and redo without an id act on this origin's changes only.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        origin: str | None = None,
        *,
        verified: bool = True,
    ) -> None:
        self._conn = conn
        # False when opened without the damage check: it runs before a cache write instead.
        self._verified = verified
        # Whether it was opened so: a file only read is not checkpointed on close (that would
        # look like a change to a window that has it open), even once checked for the cache.
        self._opened_verified = verified
        self._db: sqlite_utils.Database | None = None
        self.path = path
        self.origin = origin or terminal_origin()
        # Fixed for the connection's life; kept so any thread (the window's title) may ask.
        self._read_only = is_read_only(conn)

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        origin: str | None = None,
        verify: bool = True,
    ) -> Workspace:
        """Open, create or migrate the workspace at ``path`` (see :func:`open_connection`).

        Args:
            path: the workspace file.
            create: create it when missing.
            origin: where its changes are made from (default: this terminal session).
            verify: check the file for damage first; a command that only reads may pass
                False (the analysis cache then checks before it writes).
        """
        file = Path(path).expanduser()
        conn = open_connection(file, create=create, verify=verify)
        return cls(conn, file.resolve(), origin, verified=verify)

    @property
    def conn(self) -> sqlite3.Connection:
        """The raw SQLite connection."""
        return self._conn

    @property
    def db(self) -> sqlite_utils.Database:
        """The connection as a sqlite-utils Database (made on first use: importing sqlite-utils
        costs a command that only reads ~0.2 s)."""
        if self._db is None:
            self._db = wrap(self._conn)
        return self._db

    @property
    def read_only(self) -> bool:
        """Whether the file was opened read-only (its file or folder cannot be written)."""
        return self._read_only

    def close(self) -> None:
        """Close the file."""
        close_connection(
            self._conn, checkpoint=self._opened_verified or self._conn.total_changes > 0
        )

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ------------------------------------------------------------------------------
    def plan(self) -> Plan:
        """Everything in the workspace."""
        return repository.load_plan(self.conn)

    def release_plan(self) -> Plan:
        """The plan without work items, dependencies and deployments (see
        :func:`repository.load_release_plan`); pair it with :meth:`item_releases` and
        :meth:`dependency_rows` for release-level analyses."""
        return repository.load_release_plan(self.conn)

    def item_releases(self) -> dict[str, str]:
        """The release key of every work item that has one, by ``item:KEY`` ref."""
        return repository.item_releases(self.conn)

    def release_tallies(self) -> list[tuple[str, int, int, int, float, float, float, int]]:
        """Each release's work items counted in SQL (see :func:`repository.release_tallies`)."""
        return repository.release_tallies(self.conn)

    def items_version(self) -> int | None:
        """A value that changes with every write of work items or dependencies (None: this
        workspace keeps no counter), so that what was derived from them can be kept meanwhile."""
        return analysis_cache.version(self.conn, "items")

    def readiness_rows(self, since: dt.datetime) -> repository.ReadinessRows:
        """What readiness reads of the work items and dependencies, grouped in SQL (see
        :func:`repository.readiness_rows`): for ``ItemFacts.of_rows``."""
        entry: analysis_cache.Entry = ("readiness_rows", since.isoformat(), "items")
        return analysis_cache.cached(
            self.conn,
            entry,
            lambda: repository.readiness_rows(self.conn, since),
            _encode_rows,
            _decode_rows,
            self._may_write,
        )

    def dependency_rows(self) -> list[tuple[str, str, str, int]]:
        """``(from_ref, to_ref, type, lag_days)`` of every dependency, by from and to."""
        return repository.dependency_rows(self.conn)

    def item_links_between(
        self, pairs: Collection[tuple[str, str]]
    ) -> list[tuple[str, str, str, str]]:
        """``(from_ref, to_ref, from release, to release)`` of the item dependencies between
        these release key pairs (see :func:`repository.item_links_between`)."""
        return repository.item_links_between(self.conn, pairs)

    @contextlib.contextmanager
    def read_snapshot(self) -> Iterator[None]:
        """Reads inside see one state of the workspace (one read transaction; inside a
        :meth:`write`, its own)."""
        with analysis_cache.read_snapshot(self.conn):
            yield

    def cached(
        self,
        name: str,
        compute: Callable[[], T],
        encode: Callable[[T], str],
        decode: Callable[[str], T],
        *,
        key: str = "",
    ) -> T:
        """Derived data of the release links kept in the workspace while they are unchanged
        (see :func:`relplan.store.analysis_cache.cached`); ``key`` tells apart entries of the
        same name computed from other inputs besides the links (say, a digest of them)."""
        entry: analysis_cache.Entry = (name, key, "links")
        return analysis_cache.cached(self.conn, entry, compute, encode, decode, self._may_write)

    def _may_write(self) -> bool:
        if not self._verified:
            self._verified = verify_before_write(self.conn)
        return self._verified

    def work_items(self, releases: Iterable[str] | None = None) -> tuple[WorkItem, ...]:
        """The work items (of these releases only, when given), by key."""
        return repository.load_work_items(self.conn, releases)

    def work_item_rows(self) -> list[tuple[Any, ...]]:
        """Every work item's columns (those of :class:`WorkItem`, times as ``isoformat()``
        text), by key: for writing them out without building the objects."""
        return repository.work_item_rows(self.conn)

    def linked_item_rows(
        self,
    ) -> list[tuple[str, str, str, str | None, str | None, float | None]]:
        """``(key, title, category, team, release, points)`` of the work items a dependency
        names, by key (see :func:`repository.linked_item_rows`)."""
        return repository.linked_item_rows(self.conn)

    def deployments(self) -> tuple[Deployment, ...]:
        """Every deployment, by finish time, release and environment."""
        return repository.load_deployments(self.conn)

    def dependencies_from_open_items(self) -> tuple[Dependency, ...]:
        """The dependencies whose prerequisite is a work item not done, by from and to."""
        return repository.dependencies_from_open_items(self.conn)

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

    def import_plan(
        self,
        plan: Plan,
        *,
        replace: bool = False,
        label: str = "Import",
        rows: Mapping[str, Sequence[tuple[Any, ...]]] | None = None,
    ) -> ChangeSet:
        """Bring ``plan`` in as one undoable command (see :func:`repository.import_command`,
        also for ``rows``).

        The difference to the stored plan is computed inside the write transaction, so the
        befores in the audit log are what the import really replaced.
        """
        size = len(plan.work_items) + len(plan.dependencies) + len(plan.releases)
        size += sum(map(len, (rows or {}).values()))
        # Into an empty workspace, a large import writes its pages once (see bulk_journal).
        with bulk_journal.direct_writes(self.conn, size if self.is_empty() else 0), self.write():
            command = repository.import_command(
                self.conn, plan, replace=replace, label=label, rows=rows
            )
            if command.empty:
                return ChangeSet(label=label)
            return self.execute(command)

    def update_releases(
        self, releases: list[Release], label: str, *, flags: Sequence[Flag] = ()
    ) -> ChangeSet:
        """Store new versions of existing releases (and of their ``flags``) as one command.

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
            stored = TABLES["flag"].load(self.conn, [f.key for f in flags])
            for flag in flags:
                if flag.key not in stored:
                    raise UnknownObjectError("flag", flag.key)
                if stored[flag.key] != flag:
                    edits.append(Edit("flag", flag.key, stored[flag.key], flag))
            if not edits:
                return ChangeSet(label=label)
            return self.execute(Command(label, tuple(edits)))

    def flags_of(self, releases: Iterable[str]) -> list[Flag]:
        """The feature flags that ship with these releases, by key."""
        keys = [
            r[0]
            for r in self.conn.execute(
                "SELECT f.key FROM json_each(?) j JOIN flags f ON f.release = j.value ORDER BY 1",
                (json.dumps(sorted(set(releases))),),
            )
        ]
        found = TABLES["flag"].load(self.conn, keys)
        return [found[k] for k in keys]

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

    def next_undo(self) -> UndoStep | None:
        """The change undo from this origin would take back now, with how many objects it
        touched."""
        return undo.next_undo(self.conn, self.origin)


def _encode_rows(rows: repository.ReadinessRows) -> str:
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def _decode_rows(text: str) -> repository.ReadinessRows:
    tallies, done, blockers = json.loads(text)
    return [tuple(r) for r in tallies], [tuple(r) for r in done], [tuple(r) for r in blockers]
