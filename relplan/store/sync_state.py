"""What sync keeps in the workspace: connections, runs, sources, snapshots, conflicts.

Three kinds of sync bookkeeping are plan entities (registered in :data:`~relplan.store.entities.
TABLES` on import), so that a sync's command writes them in the same transaction as the synced
objects and undo restores them together:

- ``source``: which connection and remote object a team, release, work item or dependency came
  from, with the values it had at the last sync (``snapshot``), to tell local edits from source
  changes, and whether it was deleted or moved out at the source.
- ``sync_conflict``: a field changed both here and at the source since the last sync.
- ``sync_state``: per connection the incremental watermark and cursors.

Connections and runs are not undoable: they are settings and a log.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from relplan.domain.model import Dependency, Release, Team, WorkItem
from relplan.errors import UnknownObjectError
from relplan.store.database import transaction
from relplan.store.entities import (
    TABLES,
    EntityTable,
    Row,
    composite_key,
    item_from_row,
    release_children,
    release_from_row,
    split_composite,
)


@dataclass(frozen=True, slots=True)
class Source:
    """Where a synced object came from, and its values at the last sync.

    Attributes:
        entity: ``team``, ``release``, ``work_item`` or ``dependency``.
        key: the object's key in the workspace.
        connection: the connection's name.
        source_id: the remote id (Jira issue id, Azure work item id, ``version:ID``...).
        source_key: the remote key or name (``ABC-12``), when there is one.
        url: where the object is shown at the source.
        updated: the source's last-change time, when known.
        synced: when it was last synced.
        deleted: deleted or moved out of scope at the source (the object is kept).
        snapshot: the synced fields as last synced (JSON text).
    """

    entity: str
    key: str
    connection: str
    source_id: str
    source_key: str | None = None
    url: str | None = None
    updated: str | None = None
    synced: str | None = None
    deleted: bool = False
    snapshot: str | None = None

    def values(self) -> dict[str, Any] | None:
        """The snapshot as a dict."""
        return None if self.snapshot is None else dict(json.loads(self.snapshot))


@dataclass(frozen=True, slots=True)
class SyncConflict:
    """A field changed both in the workspace and at the source; the local value was kept.

    ``field`` ``*`` means the object itself: deleted here but changed there, or removed there but
    edited here. Values are JSON text.
    """

    connection: str
    entity: str
    key: str
    field: str
    local_value: str | None
    remote_value: str | None
    detected: str
    resolved: str | None = None

    @property
    def ident(self) -> str:
        """The conflict's key (``connection|entity|key|field``)."""
        return f"{self.connection}|{self.entity}|{self.key}|{self.field}"


@dataclass(frozen=True, slots=True)
class SyncState:
    """Per connection: the watermark for the next incremental run and the clients' cursors."""

    connection: str
    watermark: str | None = None
    state: str = "{}"

    def data(self) -> dict[str, Any]:
        """The cursors as a dict."""
        return dict(json.loads(self.state or "{}"))


def _split_conflict(ident: str) -> tuple[str, ...]:
    connection, entity, rest = ident.split("|", 2)
    obj, field = rest.rsplit("|", 1)
    return (connection, entity, obj, field)


def source_key(s: Source) -> str:
    """The store key of a source row: the synced object's kind and key."""
    return composite_key(s.entity, s.key)


def conflict_key(c: SyncConflict) -> str:
    """The store key of a conflict: connection, kind, key and field."""
    return composite_key(c.connection, c.entity, c.key, c.field)


def conflict_key_of_ident(ident: str) -> str:
    """The store key of the conflict a person names by its ``connection|entity|key|field``."""
    return composite_key(*_split_conflict(ident))


def _source_row(s: Source) -> Row:
    return (
        s.entity, s.key, s.connection, s.source_id, s.source_key, s.url, s.updated, s.synced,
        int(s.deleted), s.snapshot,
    )  # fmt: skip


def _plain(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


SYNC_TABLES: tuple[EntityTable, ...] = (
    EntityTable(
        "source", "sources", ("entity", "key"),
        ("entity", "key", "connection", "source_id", "source_key", "url", "updated", "synced",
         "deleted", "snapshot"),
        _source_row,
        lambda _c, r: Source(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]), r[9]),
        source_key, split_composite, _plain, lambda d: Source(**d),
    ),
    EntityTable(
        "sync_conflict", "sync_conflicts", ("connection", "entity", "key", "field"),
        ("connection", "entity", "key", "field", "local_value", "remote_value", "detected",
         "resolved"),
        lambda c: (c.connection, c.entity, c.key, c.field, c.local_value, c.remote_value,
                   c.detected, c.resolved),
        lambda _c, r: SyncConflict(*r),
        conflict_key, split_composite, _plain, lambda d: SyncConflict(**d),
    ),
    EntityTable(
        "sync_state", "sync_state", ("connection",), ("connection", "watermark", "state"),
        lambda s: (s.connection, s.watermark, s.state),
        lambda _c, r: SyncState(*r),
        lambda s: s.connection, lambda k: (k,),
        _plain, lambda d: SyncState(**d),
    ),
)  # fmt: skip

# Undo and redo look kinds up in TABLES: register ours (idempotent).
for _table in SYNC_TABLES:
    TABLES.setdefault(_table.entity, _table)


def now_iso() -> str:
    """The current UTC time, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# -- connections --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ConnectionRow:
    """A ``connections`` row: never a secret."""

    name: str
    kind: str
    url: str
    settings: str
    created: str


def connections(conn: sqlite3.Connection) -> list[ConnectionRow]:
    """Every connection, by name."""
    rows = conn.execute("SELECT name, kind, url, settings, created FROM connections ORDER BY name")
    return [ConnectionRow(*r) for r in rows]


def connection(conn: sqlite3.Connection, name: str) -> ConnectionRow:
    """One connection.

    Raises:
        UnknownObjectError: there is none of that name.
    """
    row = conn.execute(
        "SELECT name, kind, url, settings, created FROM connections WHERE name = ?", (name,)
    ).fetchone()
    if row is None:
        raise UnknownObjectError("connection", name)
    return ConnectionRow(*row)


def save_connection(conn: sqlite3.Connection, row: ConnectionRow) -> None:
    """Add a connection, or replace the one of the same name."""
    with transaction(conn):
        conn.execute(
            "INSERT INTO connections (name, kind, url, settings, created) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, url = excluded.url, "
            "settings = excluded.settings",
            (row.name, row.kind, row.url, row.settings, row.created),
        )


def delete_connection(conn: sqlite3.Connection, name: str) -> None:
    """Remove a connection and its incremental state; synced objects stay (as local ones).

    Raises:
        UnknownObjectError: there is none of that name.
    """
    connection(conn, name)
    with transaction(conn):
        conn.execute("DELETE FROM connections WHERE name = ?", (name,))
        conn.execute("DELETE FROM sync_state WHERE connection = ?", (name,))
        conn.execute("DELETE FROM sources WHERE connection = ?", (name,))
        conn.execute(
            "UPDATE sync_conflicts SET resolved = ? WHERE connection = ? AND resolved IS NULL",
            (now_iso(), name),
        )


# -- runs ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SyncRun:
    """A ``sync_runs`` row: one run of one connection and how it ended."""

    connection: str
    started: str
    finished: str | None
    status: str
    error: str | None = None
    fetched: int = 0
    changed: int = 0
    watermark: str | None = None
    id: int | None = None


def record_run(conn: sqlite3.Connection, run: SyncRun) -> int:
    """Log a run (its own tiny transaction) and return its id."""
    with transaction(conn):
        cursor = conn.execute(
            "INSERT INTO sync_runs (connection, started, finished, status, error, fetched, "
            "changed, watermark) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run.connection, run.started, run.finished, run.status, run.error, run.fetched,
                run.changed, run.watermark,
            ),
        )  # fmt: skip
    return int(cursor.lastrowid or 0)


#: The status of a run that has started and not yet ended; one left behind was interrupted.
RUNNING = "running"
INTERRUPTED = "interrupted"
_INTERRUPTED_MESSAGE = "the run was interrupted (killed or crashed) before it ended"


def start_run(conn: sqlite3.Connection, connection_name: str, started: str) -> int:
    """Log a run as started (committed at once, so a killed run leaves a trace); its id."""
    return record_run(conn, SyncRun(connection_name, started, None, RUNNING))


def finish_run(conn: sqlite3.Connection, run_id: int, run: SyncRun) -> None:
    """Record how a run that :func:`start_run` logged ended."""
    with transaction(conn):
        conn.execute(
            "UPDATE sync_runs SET finished = ?, status = ?, error = ?, fetched = ?, changed = ?, "
            "watermark = ? WHERE id = ?",
            (run.finished, run.status, run.error, run.fetched, run.changed, run.watermark, run_id),
        )


def mark_interrupted(conn: sqlite3.Connection, connection_name: str) -> list[SyncRun]:
    """Mark this connection's runs that started and never ended as interrupted; returns them."""
    left = [r for r in runs(conn, connection_name, limit=1000) if r.status == RUNNING]
    if left:
        with transaction(conn):
            conn.executemany(
                "UPDATE sync_runs SET status = ?, error = ? WHERE id = ?",
                [(INTERRUPTED, _INTERRUPTED_MESSAGE, r.id) for r in left],
            )
    return left


def runs(
    conn: sqlite3.Connection, connection_name: str | None = None, limit: int = 20
) -> list[SyncRun]:
    """The latest runs, newest first."""
    where, args = ("WHERE connection = ?", (connection_name,)) if connection_name else ("", ())
    rows = conn.execute(
        "SELECT connection, started, finished, status, error, fetched, changed, watermark, id "
        f"FROM sync_runs {where} ORDER BY id DESC LIMIT ?",
        (*args, limit),
    )
    return [SyncRun(*r) for r in rows]


# -- what a sync compares against ---------------------------------------------------------------
def sources(conn: sqlite3.Connection, connection_name: str) -> list[Source]:
    """Every source row of a connection."""
    table = TABLES["source"]
    cols = ", ".join(f'"{c}"' for c in table.columns)
    rows = conn.execute(f"SELECT {cols} FROM sources WHERE connection = ?", (connection_name,))
    return [table.from_row(conn, r) for r in rows]


def source_owners(conn: sqlite3.Connection, entity: str) -> dict[str, str]:
    """Key -> connection of every synced object of one kind."""
    rows = conn.execute("SELECT key, connection FROM sources WHERE entity = ?", (entity,))
    return dict(rows.fetchall())


def state(conn: sqlite3.Connection, connection_name: str) -> SyncState | None:
    """A connection's incremental state, if it ever synced."""
    found: dict[str, SyncState] = TABLES["sync_state"].load(conn, [connection_name])
    return found.get(connection_name)


def conflicts(
    conn: sqlite3.Connection, connection_name: str | None = None, *, open_only: bool = True
) -> list[SyncConflict]:
    """Conflicts (open ones by default), by connection, object and field."""
    where = ["resolved IS NULL"] if open_only else []
    args: list[str] = []
    if connection_name:
        where.append("connection = ?")
        args.append(connection_name)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = conn.execute(
        "SELECT connection, entity, key, field, local_value, remote_value, detected, resolved "
        f"FROM sync_conflicts {clause} ORDER BY connection, entity, key, field",
        args,
    )
    return [SyncConflict(*r) for r in rows]


def _json_keys(keys: Iterable[str]) -> str:
    return json.dumps(sorted(set(keys)))


def existing_keys(conn: sqlite3.Connection, entity: str, keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` exist as objects of ``entity`` (one query)."""
    table = TABLES[entity]
    if len(table.key_columns) != 1:
        wanted = set(keys)
        return wanted & table.existing_keys(conn)
    column = table.key_columns[0]
    rows = conn.execute(
        f'SELECT "{column}" FROM {table.table} '
        f'WHERE "{column}" IN (SELECT value FROM json_each(?))',
        (_json_keys(keys),),
    )
    return {r[0] for r in rows}


def work_items(conn: sqlite3.Connection, keys: Iterable[str]) -> dict[str, WorkItem]:
    """The work items with these keys, in one query."""
    rows = conn.execute(
        "SELECT key, title, team, release, type, status, category, points, created, resolved "
        "FROM work_items WHERE key IN (SELECT value FROM json_each(?))",
        (_json_keys(keys),),
    )
    return {r[0]: item_from_row(r) for r in rows}


def releases(conn: sqlite3.Connection, keys: Iterable[str]) -> dict[str, Release]:
    """The releases with these keys, children included."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    children = release_children(conn) if len(wanted) > 20 else None
    rows = conn.execute(
        "SELECT key, name, team, train, start, target, status, monitoring_days FROM releases "
        "WHERE key IN (SELECT value FROM json_each(?))",
        (json.dumps(wanted),),
    )
    found = {}
    for r in rows:
        kids = (
            children.get(r[0]) if children is not None else release_children(conn, r[0]).get(r[0])
        )
        found[r[0]] = release_from_row(r, kids)
    return found


def teams(conn: sqlite3.Connection, keys: Iterable[str]) -> dict[str, Team]:
    """The teams with these keys."""
    found: dict[str, Team] = TABLES["team"].load(conn, set(keys))
    return found


def dependencies(conn: sqlite3.Connection, keys: Sequence[str]) -> dict[str, Dependency]:
    """The dependencies with these keys (see :func:`~relplan.store.entities.dependency_key`)."""
    found: dict[str, Dependency] = TABLES["dependency"].load(conn, keys)
    return found
