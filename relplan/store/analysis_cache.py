"""Derived data the analyses keep in the workspace between commands, keyed by a data version.

``analysis_version.links`` is bumped by triggers on every write to what release links derive
from (dependencies, the work items' releases, which releases exist; see
:data:`relplan.store.migrations.LINK_TRIGGERS`), so an entry stored at version ``v`` is valid
exactly while the counter still reads ``v``, whatever wrote since: a command, undo, an import, a
sync or another program. The counter lives in a table because ``PRAGMA data_version`` does not
persist across connections.

Reading never fails a command: a workspace without the tables (or with a trigger missing) has no
cache, and a cache that cannot be written (read-only, busy, inside a caller's transaction) is
simply not written.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Callable, Iterator
from typing import TypeVar

from relplan.store.migrations import LINK_TRIGGERS

__all__ = ["cached", "links_version", "read_snapshot", "store", "stored"]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Milliseconds a cache write waits for another process's write before it gives up (it is only
#: a cache: the command has its answer already).
_WRITE_WAIT_MS = 200


def links_version(conn: sqlite3.Connection) -> int | None:
    """The current links version, or None when this workspace keeps no analysis cache (no
    tables, or a trigger that keeps the counter honest is missing)."""
    try:
        triggers = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
            f"({', '.join('?' * len(LINK_TRIGGERS))})",
            LINK_TRIGGERS,
        ).fetchone()[0]
        if triggers != len(LINK_TRIGGERS):
            return None
        row = conn.execute("SELECT links FROM analysis_version WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # no such table: an older schema opened read-only
        return None
    return None if row is None else int(row[0])


#: Entries computed inside a :func:`read_snapshot`, by connection id: written when it ends.
_PENDING: dict[int, list[tuple[str, int, str, Callable[[], bool]]]] = {}


@contextlib.contextmanager
def read_snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """One read transaction, so that a version and the data read with it belong together
    (joins the caller's transaction when there is one). Entries :func:`cached` computes inside
    it are stored when it ends."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    pending: list[tuple[str, int, str, Callable[[], bool]]] = []
    _PENDING[id(conn)] = pending
    try:
        yield
    finally:
        del _PENDING[id(conn)]
        # Still open unless the block ended it (mypy would narrow conn.in_transaction to False).
        if getattr(conn, "in_transaction"):  # noqa: B009
            conn.execute("COMMIT")
    for name, version, value, may_write in pending:
        if may_write():
            store(conn, name, version, value)


def stored(conn: sqlite3.Connection, name: str, version: int) -> str | None:
    """The entry ``name`` when it was stored at ``version``, else None."""
    row = conn.execute(
        "SELECT value FROM analysis_cache WHERE name = ? AND version = ?", (name, version)
    ).fetchone()
    return None if row is None else str(row[0])


def store(conn: sqlite3.Connection, name: str, version: int, value: str) -> bool:
    """Keep ``value`` as the entry ``name`` computed at ``version``, if the workspace still is
    at that version; returns whether it was written.

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
            return _write(conn, name, version, value)
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    except sqlite3.Error as exc:  # busy, disk full, read-only file: the cache is optional
        log.info("analysis cache %s not written: %s", name, exc)
        return False


def _write(conn: sqlite3.Connection, name: str, version: int, value: str) -> bool:
    conn.execute("BEGIN IMMEDIATE")
    try:
        if links_version(conn) != version:  # written meanwhile: the value is stale already
            conn.execute("ROLLBACK")
            return False
        conn.execute(
            "INSERT OR REPLACE INTO analysis_cache (name, version, value) VALUES (?, ?, ?)",
            (name, version, value),
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return True


def cached(
    conn: sqlite3.Connection,
    name: str,
    compute: Callable[[], T],
    encode: Callable[[T], str],
    decode: Callable[[str], T],
    may_write: Callable[[], bool] = lambda: True,
) -> T:
    """The entry ``name`` for the workspace as it is: decoded from the cache when current,
    else computed (inside one read snapshot with the version) and stored.

    Args:
        conn: The workspace connection.
        name: The entry's name.
        compute: Computes the value from the workspace (called inside the read snapshot).
        encode: The value as stored text.
        decode: The value from stored text.
        may_write: Asked before storing (say, whether the file passed its damage check).

    Returns:
        The value.
    """
    with read_snapshot(conn):
        version = links_version(conn)
        text = None if version is None else stored(conn, name, version)
        if text is not None:
            try:
                return decode(text)
            except (ValueError, KeyError, TypeError, IndexError) as exc:  # damaged: recompute
                log.warning("analysis cache %s unreadable (%s); computing it again", name, exc)
        value = compute()
        if version is not None:
            pending = _PENDING.get(id(conn))
            if pending is not None:  # a snapshot of ours: stored when it ends
                pending.append((name, version, encode(value), may_write))
            elif not conn.in_transaction and may_write():
                store(conn, name, version, encode(value))
    return value
