"""Derived data the analyses keep between commands, keyed by a data version.

The counters of ``analysis_version`` in the workspace are changed by triggers on every write to
what entries derive from (see :data:`relplan.store.migrations.CACHE_TRIGGERS`): ``links`` on
writes to dependencies, the work items' releases and which releases exist; ``items`` on those
and on any write to a work item. The triggers set them to random values, so a value never comes
back for other data. An entry stored at value ``v`` of its counter is valid exactly while the
counter still reads ``v``, whatever wrote since: a command, undo, an import, a sync or another
program. The counters live in a table because ``PRAGMA data_version`` does not persist across
connections.

The entries live in a file next to the workspace (:func:`sidecar_path`), not in it: storing one
from a command that only reads must not look like a change to a window that has the workspace
open (it reloads on any other connection's commit). Copying or deleting the workspace without
that file loses nothing but the cache.

Reading never fails a command: a workspace without the counters (or with a trigger missing) has
no cache, and a cache that cannot be read or written (read-only, busy, inside a caller's
transaction) is simply not used.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal, TypeVar

from relplan.store.migrations import CACHE_TRIGGERS

__all__ = [
    "BULK_ROWS",
    "SIDECAR_SUFFIX",
    "Counter",
    "bulk",
    "cached",
    "links_version",
    "read_snapshot",
    "sidecar_path",
    "store",
    "stored",
    "version",
]

log = logging.getLogger(__name__)

T = TypeVar("T")
#: The counters of ``analysis_version``.
Counter = Literal["links", "items"]

#: Milliseconds a cache write waits for another process's write before it gives up (it is only
#: a cache: the command has its answer already).
_WRITE_WAIT_MS = 200


def version(conn: sqlite3.Connection, counter: Counter = "links") -> int | None:
    """The current value of a counter, or None when this workspace keeps no analysis cache
    (no tables, or a trigger that keeps the counters honest is missing)."""
    try:
        triggers = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
            f"({', '.join('?' * len(CACHE_TRIGGERS))})",
            CACHE_TRIGGERS,
        ).fetchone()[0]
        if triggers != len(CACHE_TRIGGERS):
            return None
        column = "items" if counter == "items" else "links"
        row = conn.execute(f"SELECT {column} FROM analysis_version WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # no such table: an older schema opened read-only
        return None
    return None if row is None else int(row[0])


#: From this many rows written in one transaction, :func:`bulk` sets the counters once instead
#: of letting the triggers set them per row (~2 µs a row: 0.5 s of a 250,000-row import).
BULK_ROWS = 5000


@contextlib.contextmanager
def bulk(conn: sqlite3.Connection, rows: int) -> Iterator[None]:
    """Write ``rows`` rows inside the caller's transaction with the counters changed once.

    For a large write the triggers are dropped, and at the end created again with the counters
    set to new random values, in the same transaction: no other connection ever sees the
    triggers missing (uncommitted schema is private), and the writes and the new counters
    commit or roll back together, so no entry computed before the write is used after it.
    """
    if rows < BULK_ROWS or not conn.in_transaction:
        yield
        return
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN "
        f"({', '.join('?' * len(CACHE_TRIGGERS))})",
        CACHE_TRIGGERS,
    ).fetchall()
    if len(triggers) != len(CACHE_TRIGGERS):  # no cache kept here: nothing to keep honest
        yield
        return
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        # Also when the block failed: a caller that goes on and commits keeps its triggers.
        for _, sql in triggers:
            conn.execute(sql)
        conn.execute("UPDATE analysis_version SET links = random(), items = random()")


def links_version(conn: sqlite3.Connection) -> int | None:
    """:func:`version` of the ``links`` counter."""
    return version(conn, "links")


Entry = tuple[str, str, "Counter"]
"""``(name, key, counter)`` of a cache entry: one entry per name, valid for its key only."""

#: Entries computed inside a :func:`read_snapshot`, by connection id: written when it ends.
_PENDING: dict[int, list[tuple[Entry, int, str, Callable[[], bool]]]] = {}


@contextlib.contextmanager
def read_snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """One read transaction, so that a version and the data read with it belong together
    (joins the caller's transaction when there is one). Entries :func:`cached` computes inside
    it are stored when it ends."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    pending: list[tuple[Entry, int, str, Callable[[], bool]]] = []
    _PENDING[id(conn)] = pending
    try:
        yield
    finally:
        del _PENDING[id(conn)]
        # Still open unless the block ended it (mypy would narrow conn.in_transaction to False).
        if getattr(conn, "in_transaction"):  # noqa: B009
            conn.execute("COMMIT")
    for entry, at, value, may_write in pending:
        if may_write():
            store(conn, entry, at, value)


#: What the file next to a workspace that keeps its cache entries is called after it.
SIDECAR_SUFFIX = "-analysis"


def sidecar_path(path: str | os.PathLike[str]) -> Path:
    """The file that keeps the cache entries of the workspace at ``path``."""
    file = Path(path)
    return file.with_name(file.name + SIDECAR_SUFFIX)


def _sidecar(conn: sqlite3.Connection) -> Path | None:
    for _, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return sidecar_path(file) if file else None
    return None  # pragma: no cover - every connection has a main database


def stored(conn: sqlite3.Connection, entry: Entry, at: int) -> str | None:
    """The entry's value when it was stored for its key at version ``at``, else None."""
    name, key, _ = entry
    path = _sidecar(conn)
    if path is None or not path.exists():
        return None
    try:
        side = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=_WRITE_WAIT_MS / 1000)
        try:
            row = side.execute(
                "SELECT value FROM entries WHERE name = ? AND key = ? AND version = ?",
                (name, key, at),
            ).fetchone()
        finally:
            side.close()
    except sqlite3.Error as exc:  # busy, no table yet, not a database: no entry
        log.info("analysis cache %s not read: %s", name, exc)
        return None
    return None if row is None else str(row[0])


def store(conn: sqlite3.Connection, entry: Entry, at: int, value: str) -> bool:
    """Keep ``value`` as the entry computed at version ``at`` of its counter (replacing the
    entry of the same name, whatever its key), if the workspace still is at that version;
    returns whether it was written.

    The entry goes to the file next to the workspace (:func:`sidecar_path`), never into the
    workspace: a commit there would look like a change to every window that has it open.
    Outside any caller's transaction only (the entry must not ride on a write that may still
    roll back), never waiting long, and never failing.
    """
    if conn.in_transaction:
        return False
    try:
        path = _sidecar(conn)
        if path is None or conn.execute("PRAGMA query_only").fetchone()[0]:
            return False
        if version(conn, entry[2]) != at:  # written meanwhile: the value is stale already
            return False
        _write(path, entry, at, value)
    except sqlite3.Error as exc:  # busy, disk full, read-only folder: the cache is optional
        log.info("analysis cache %s not written: %s", entry[0], exc)
        return False
    return True


def _write(path: Path, entry: Entry, at: int, value: str) -> None:
    # A race with a write to the workspace after the check above stores an entry tagged with
    # a version the workspace has left: it is never read (the counters never repeat a value).
    name, key, _ = entry
    side = sqlite3.connect(path, timeout=_WRITE_WAIT_MS / 1000, isolation_level=None)
    try:
        side.execute(
            "CREATE TABLE IF NOT EXISTS entries (name TEXT NOT NULL, key TEXT NOT NULL, "
            "version INTEGER NOT NULL, value TEXT NOT NULL, PRIMARY KEY (name, key))"
        )
        side.execute("BEGIN IMMEDIATE")
        try:
            side.execute("DELETE FROM entries WHERE name = ?", (name,))
            side.execute(
                "INSERT INTO entries (name, key, version, value) VALUES (?, ?, ?, ?)",
                (name, key, at, value),
            )
            side.execute("COMMIT")
        except BaseException:
            side.execute("ROLLBACK")
            raise
    finally:
        side.close()


def cached(
    conn: sqlite3.Connection,
    entry: Entry,
    compute: Callable[[], T],
    encode: Callable[[T], str],
    decode: Callable[[str], T],
    may_write: Callable[[], bool] = lambda: True,
) -> T:
    """The entry for the workspace as it is: decoded from the cache when current, else
    computed (inside one read snapshot with the version) and stored.

    Args:
        conn: The workspace connection.
        entry: ``(name, key, counter)``: what is kept, for which parameters, and the counter
            whose writes make it stale.
        compute: Computes the value from the workspace (called inside the read snapshot).
        encode: The value as stored text.
        decode: The value from stored text.
        may_write: Asked before storing (say, whether the file passed its damage check).

    Returns:
        The value.
    """
    with read_snapshot(conn):
        at = version(conn, entry[2])
        text = None if at is None else stored(conn, entry, at)
        if text is not None:
            try:
                return decode(text)
            except (ValueError, KeyError, TypeError, IndexError) as exc:  # damaged: recompute
                log.warning("analysis cache %s unreadable (%s); computing it again", entry, exc)
        value = compute()
        if at is not None:
            pending = _PENDING.get(id(conn))
            if pending is not None:  # a snapshot of ours: stored when it ends
                pending.append((entry, at, encode(value), may_write))
            elif not conn.in_transaction and may_write():
                store(conn, entry, at, encode(value))
    return value
