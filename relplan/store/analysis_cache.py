"""Derived data the analyses keep in the workspace between commands, keyed by a data version.

The counters of ``analysis_version`` are bumped by triggers on every write to what entries
derive from (see :data:`relplan.store.migrations.CACHE_TRIGGERS`): ``links`` on writes to
dependencies, the work items' releases and which releases exist; ``items`` on those and on any
write to a work item. An entry stored at version ``v`` of its counter is valid exactly while
the counter still reads ``v``, whatever wrote since: a command, undo, an import, a sync or
another program. The counters live in a table because ``PRAGMA data_version`` does not persist
across connections.

Reading never fails a command: a workspace without the tables (or with a trigger missing) has no
cache, and a cache that cannot be written (read-only, busy, inside a caller's transaction) is
simply not written.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Callable, Iterator
from typing import Literal, TypeVar

from relplan.store.migrations import CACHE_TRIGGERS

__all__ = [
    "Counter",
    "bulk_write",
    "cached",
    "links_version",
    "read_snapshot",
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


#: From this many rows written in one go, the counters are bumped once instead of per row.
BULK_ROWS = 1000


@contextlib.contextmanager
def bulk_write(conn: sqlite3.Connection, rows: int) -> Iterator[None]:
    """Write ``rows`` rows with the counters bumped once, not by a trigger per row.

    The triggers cost ~12 µs per row (each updates the counters' row): 3.3 s of an import of
    the large demo. Inside the caller's write transaction, a bulk write drops them, bumps both
    counters, writes, and creates them again before the transaction ends; DDL is transactional
    in SQLite, so no other connection ever sees the workspace without them, and a failure
    rolls the drop back with the rest. Outside a transaction, or for a few rows, or in a
    workspace without the cache, it changes nothing.
    """
    if rows < BULK_ROWS or not conn.in_transaction:
        yield
        return
    from relplan.store.migrations import cache_trigger_sql

    wanted = cache_trigger_sql()
    present = {
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'analysis_%'"
        )
    }
    if present != set(wanted):  # no cache here (or not ours to manage): leave it as it is
        yield
        return
    for name in wanted:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("UPDATE analysis_version SET links = links + 1, items = items + 1")
    yield
    for statement in wanted.values():
        conn.execute(statement)


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


def stored(conn: sqlite3.Connection, entry: Entry, at: int) -> str | None:
    """The entry's value when it was stored for its key at version ``at``, else None."""
    name, key, _ = entry
    row = conn.execute(
        "SELECT value FROM analysis_cache WHERE name = ? AND key = ? AND version = ?",
        (name, key, at),
    ).fetchone()
    return None if row is None else str(row[0])


def store(conn: sqlite3.Connection, entry: Entry, at: int, value: str) -> bool:
    """Keep ``value`` as the entry computed at version ``at`` of its counter (replacing the
    entry of the same name, whatever its key), if the workspace still is at that version;
    returns whether it was written.

    Outside any caller's transaction only (the entry must not ride on a write that may still
    roll back), never waiting long for the write lock, and never failing.
    """
    if conn.in_transaction:
        return False
    try:
        if conn.execute("PRAGMA query_only").fetchone()[0]:
            return False
        timeout = conn.execute("PRAGMA busy_timeout").fetchone()[0]
        conn.execute(f"PRAGMA busy_timeout = {_WRITE_WAIT_MS}")
        try:
            return _write(conn, entry, at, value)
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    except sqlite3.Error as exc:  # busy, disk full, read-only file: the cache is optional
        log.info("analysis cache %s not written: %s", entry[0], exc)
        return False


def _write(conn: sqlite3.Connection, entry: Entry, at: int, value: str) -> bool:
    name, key, counter = entry
    conn.execute("BEGIN IMMEDIATE")
    try:
        if version(conn, counter) != at:  # written meanwhile: the value is stale already
            conn.execute("ROLLBACK")
            return False
        conn.execute("DELETE FROM analysis_cache WHERE name = ?", (name,))
        conn.execute(
            "INSERT INTO analysis_cache (name, key, version, value) VALUES (?, ?, ?, ?)",
            (name, key, at, value),
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return True


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
