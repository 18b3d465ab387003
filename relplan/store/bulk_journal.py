"""A large first write into an empty workspace goes through a rollback journal, not the WAL.

In WAL mode every page of a write goes twice to disk: into the WAL at commit, then into the
file at the checkpoint (the commit's automatic one, or the one on close). Importing the large
demo into an empty workspace writes 68 MB; the copy and its syncs were 0.4-0.6 s of the command.
With a rollback journal, SQLite journals only the pages that existed before the transaction
(pages past the old end of the file need no copy: a rollback cuts the file back), so the new
pages are written once, into the file. The write stays all or nothing, also across a crash (the
journal, left "hot", is rolled back by the next connection that can write; see
:func:`relplan.store.database.open_connection`, which does so before its read-only probe).

Switching the mode needs the only connection to the file: when another is open (a window on the
same workspace, a second import), the switch is refused at once and the write goes through the
WAL as always. Readers of another process may wait for the commit while the file is in
rollback mode (no snapshot isolation then): the page cache is made large enough that the write
takes its exclusive lock only at the commit, not when the cache spills.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator
from typing import Final

log = logging.getLogger(__name__)

#: From this many rows, a write into an empty workspace skips the WAL.
MIN_ROWS: Final = 5000
#: The page cache during such a write (KiB, as ``PRAGMA cache_size`` takes a negative value):
#: enough for the large demo's 68 MB, used only as far as needed.
_CACHE_KIB: Final = 262_144


def _pragma(conn: sqlite3.Connection, name: str) -> str:
    return str(conn.execute(f"PRAGMA {name}").fetchone()[0])


@contextlib.contextmanager
def direct_writes(conn: sqlite3.Connection, rows: int) -> Iterator[bool]:
    """Run the block (one write transaction) in rollback-journal mode when that is possible.

    Yields whether it is; the connection is back in WAL mode afterwards in any case (or, when
    another process opened the file meanwhile, at the next open: every open sets WAL).

    Args:
        conn: A workspace connection outside any transaction, whose plan tables are empty (the
            caller's check; a non-empty workspace is only slower, never wrong).
        rows: How many rows the block writes.
    """
    if rows < MIN_ROWS or conn.in_transaction or _pragma(conn, "journal_mode") != "wal":
        yield False
        return
    timeout = _pragma(conn, "busy_timeout")
    conn.execute("PRAGMA busy_timeout = 0")  # another connection open: give up at once
    try:
        switched = _pragma(conn, "journal_mode = DELETE") == "delete"
    except sqlite3.OperationalError:  # "database is locked": not the only connection
        switched = False
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    if not switched:
        yield False
        return
    synchronous, cache = _pragma(conn, "synchronous"), _pragma(conn, "cache_size")
    # FULL: with a rollback journal, NORMAL may leave a damaged file after a power cut.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
    try:
        yield True
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
        conn.execute(f"PRAGMA synchronous = {int(synchronous)}")
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:  # a reader came in: the next open sets it
            log.info("the workspace stays in rollback-journal mode until it is opened: %s", exc)
