"""Opening, creating and migrating a workspace file.

A workspace is one SQLite file with ``PRAGMA application_id`` set to relplan's id and
``PRAGMA user_version`` set to its schema version. A file that is not one is never modified:
it is first probed through a read-only connection, which also checks that it is not damaged
(``PRAGMA quick_check``) before anything is written into it.

A workspace whose file or folder cannot be written (a read-only folder or mount) is opened
read-only (``query_only``; ``immutable`` when not even the WAL index can be made), so it can
still be checked and exported; a write then fails with "the workspace is read-only".
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from relplan import config
from relplan.errors import (
    MigrationError,
    NewerSchemaError,
    NotAWorkspaceError,
    StoreError,
    WorkspaceBusyError,
)
from relplan.store.analysis_cache import SIDECAR_SUFFIX
from relplan.store.migrations import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)

_SQLITE_MAGIC = b"SQLite format 3\x00"

#: Seconds a write waits for another process's write to the same file to finish (a big import
#: takes a while) before it gives up with WorkspaceBusyError.
BUSY_TIMEOUT = 60.0


_DAMAGED_CODES = frozenset((sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB))


def _damaged(path: Path, detail: str) -> NotAWorkspaceError:
    backups = sorted(path.parent.glob(f"{glob_escape(path.name)}.v*.bak"))
    hint = (
        f"restore the automatic backup {backups[-1]} or a copy you exported"
        if backups
        else "no automatic backup was found next to it; restore a copy you exported"
    )
    return NotAWorkspaceError(str(path), f"the file is damaged ({detail}); {hint}")


def glob_escape(name: str) -> str:
    """``name`` with glob wildcards escaped."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def _read_only_uri(path: Path, *, immutable: bool) -> str:
    return f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")


def open_reader(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """A read-only connection to an existing workspace, for reading on another thread.

    It never writes (no migration, no checkpoint on close), so the window that owns the
    workspace does not see its use as a change made by another program.

    Raises:
        StoreError: the workspace cannot be opened.
    """
    try:
        conn = sqlite3.connect(_read_only_uri(Path(path), immutable=False), uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: SQLite cannot open it ({exc})") from exc
    conn.execute("PRAGMA query_only = ON")
    return conn


def _probe(path: Path, *, immutable: bool = False, verify: bool = True) -> tuple[int, int, bool]:
    """Read (application_id, user_version, has_tables) without writing to the file.

    A workspace of relplan's is also checked for damage (``quick_check``, unless ``verify`` is
    false), so that nothing is ever written into a damaged file.
    """
    with path.open("rb") as fh:
        header = fh.read(16)
    if header != _SQLITE_MAGIC:
        raise NotAWorkspaceError(str(path), "it is not an SQLite database")
    try:
        conn = sqlite3.connect(_read_only_uri(path, immutable=immutable), uri=True)
    except sqlite3.Error as exc:
        raise NotAWorkspaceError(str(path), f"SQLite cannot open it ({exc})") from exc
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        if app_id == APPLICATION_ID and verify:
            verdict = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
            if verdict != "ok":
                raise _damaged(path, str(verdict))
    except sqlite3.DatabaseError as exc:
        code = getattr(exc, "sqlite_errorcode", None)
        if code in _DAMAGED_CODES or "malformed" in str(exc) or "not a database" in str(exc):
            raise _damaged(path, str(exc)) from exc
        raise StoreError(f"{path}: SQLite cannot read it ({exc})") from exc
    finally:
        conn.close()
    return int(app_id), int(version), bool(has_tables)


def _writable(file: Path) -> tuple[bool, bool]:
    """Whether the file and its folder can be written (the folder holds the WAL side files)."""
    folder = os.access(file.parent, os.W_OK | os.X_OK)
    return (not file.exists() or os.access(file, os.W_OK)) and folder, folder


def _check_location(file: Path, *, create: bool) -> bool:
    """Refuse a path that cannot hold a workspace; returns whether the file exists.

    Raises:
        StoreError: the path is a folder, a part of it is a file, its folder is missing (only
            relplan's own data folder is made), or the name is too long.
    """
    try:
        st = file.stat()
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise StoreError(f"{file}: a part of the path is a file, not a folder") from None
    except OSError as exc:
        raise StoreError(f"{file}: cannot use this path ({exc.strerror or exc})") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise StoreError(f"{file}: is a folder, not a workspace file")
        return True
    parent = file.parent
    if not parent.is_dir():
        if parent.exists():
            raise StoreError(f"{file}: a part of the path is a file, not a folder")
        if create and parent.resolve() == config.data_dir().resolve():
            parent.mkdir(parents=True, exist_ok=True)
        else:
            raise StoreError(f"{file}: the folder {parent} does not exist")
    return False


def backup_path(path: Path, version: int) -> Path:
    """Where the copy taken before migrating from ``version`` goes."""
    return path.with_name(f"{path.name}.v{version}.bak")


def _migrate(conn: sqlite3.Connection, path: Path, start: int, stop: int) -> None:
    for version in range(start + 1, stop + 1):
        step = MIGRATIONS[version - 1]
        try:
            # IMMEDIATE: another process opening the same file waits, then sees it migrated.
            conn.execute("BEGIN IMMEDIATE")
            if conn.execute("PRAGMA user_version").fetchone()[0] >= version:
                conn.execute("COMMIT")
                continue
            if callable(step):
                step(conn)
            else:
                for statement in _statements(step):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except (sqlite3.Error, ValueError, KeyError, IndexError, TypeError) as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise MigrationError(
                f"{path}: migrating the workspace to schema version {version} failed ({exc}); "
                f"the workspace was left at version {version - 1}"
            ) from exc


def _statements(script: str) -> list[str]:
    """The statements of a migration script (none of them holds a ``;`` in a literal)."""
    return [part.strip() for part in script.split(";") if part.strip()]


def _take_backup(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    target = backup_path(path, version)
    dest = sqlite3.connect(str(target))
    try:
        conn.backup(dest)
    finally:
        dest.close()
    log.info("backed up %s (schema version %d) to %s", path, version, target)
    return target


def open_database(path: str | os.PathLike[str], *, create: bool = True) -> sqlite_utils.Database:
    """:func:`open_connection`, wrapped in a sqlite-utils Database.

    Raises:
        See :func:`open_connection`.
    """
    return wrap(open_connection(path, create=create))


def wrap(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """A sqlite-utils Database over an open workspace connection.

    sqlite-utils is imported here, not at the top: it imports numpy (~0.2 s), which a command
    that only reads the plan does not need.
    """
    import sqlite_utils

    return sqlite_utils.Database(conn, execute_plugins=False)


def remove_workspace_files(path: str | os.PathLike[str]) -> None:
    """Delete a workspace file and its sidecars (SQLite's ``-wal``, ``-shm``, and the analysis
    cache's, see :func:`relplan.store.analysis_cache.sidecar_path`), if present.

    Only for a workspace that was just created and holds nothing, after its connection closed.
    """
    file = Path(path)
    suffixes = ("-wal", "-shm", "-journal", SIDECAR_SUFFIX, f"{SIDECAR_SUFFIX}-journal")
    for name in (file, *(file.with_name(file.name + s) for s in suffixes)):
        name.unlink(missing_ok=True)


def open_connection(
    path: str | os.PathLike[str], *, create: bool = True, verify: bool = True
) -> sqlite3.Connection:
    """Open (and if needed create or migrate) the workspace at ``path``.

    Args:
        path: the workspace file.
        create: create a new workspace when the file does not exist.
        verify: check the file for damage before opening it (``quick_check`` reads the whole
            file: ~0.1 s on a large workspace). A command that only reads may skip it; the
            check then runs before its first write (:func:`verify_before_write`), and always
            before a migration.

    Returns:
        A connection with foreign keys on, WAL journaling and explicit transactions.

    Raises:
        NotAWorkspaceError: the file is not a relplan workspace; it was not touched.
        NewerSchemaError: the workspace comes from a newer relplan; it was not touched.
        MigrationError: a migration failed; a backup copy was taken first.
        FileNotFoundError: the file does not exist and ``create`` is false.
    """
    file = Path(path)
    exists = _check_location(file, create=create)
    writable, folder_writable = _writable(file)
    fresh = not exists or file.stat().st_size == 0
    if not fresh and writable:
        _roll_back_hot_journal(file)
    if not fresh:
        app_id, version, has_tables = _probe(file, immutable=not folder_writable, verify=verify)
        if not verify and app_id == APPLICATION_ID and version < SCHEMA_VERSION:
            _probe(file, immutable=not folder_writable)  # a migration writes: check first
        if app_id != APPLICATION_ID:
            if app_id != 0 or has_tables or version != 0:
                raise NotAWorkspaceError(str(file), "it is an SQLite database of another program")
            fresh = True
        elif version > SCHEMA_VERSION:
            raise NewerSchemaError(str(file), version, SCHEMA_VERSION)
    if fresh and not create:
        # A command that only reads never turns a file (even an empty one) into a workspace.
        if exists:
            raise NotAWorkspaceError(str(file), "it is empty (no workspace was ever saved in it)")
        raise FileNotFoundError(errno.ENOENT, "no workspace at this path", str(file))
    if fresh:
        if not writable:
            raise StoreError(f"{file}: cannot make a workspace here: the folder is read-only")
        version = 0
    elif not writable:
        return _open_read_only(file, version, immutable=not folder_writable)
    # The stdlib's implicit transactions would commit behind sqlite-utils' back; use explicit ones.
    conn = sqlite3.connect(
        str(file), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT
    )
    try:
        if fresh:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        elif version < SCHEMA_VERSION:
            _take_backup(conn, file, version)
        _migrate(conn, file, version, SCHEMA_VERSION)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        # A 64 MiB page cache (used only as needed) keeps big imports from spilling index pages.
        conn.execute("PRAGMA cache_size = -65536")
        # What sqlite-utils' Database sets on a connection it wraps, kept for every connection.
        conn.execute("PRAGMA recursive_triggers = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def _roll_back_hot_journal(file: Path) -> None:
    """Roll back a write of relplan's that a crash cut off in rollback-journal mode (see
    :mod:`relplan.store.bulk_journal`), so that the read-only probe can read the file.

    A read-only connection cannot roll a "hot" journal back, and refuses to read. Only a file
    whose header names relplan is touched; a journal that is not hot (another process is
    writing) is left to that process, as SQLite does on any read.
    """
    if not file.with_name(file.name + "-journal").exists():
        return
    with file.open("rb") as fh:
        header = fh.read(72)
    if header[:16] != _SQLITE_MAGIC or int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        return
    conn = sqlite3.connect(str(file), timeout=BUSY_TIMEOUT)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # rolls it back
    except sqlite3.Error as exc:  # the probe that follows names the problem
        log.info("could not roll back the journal of %s: %s", file, exc)
    finally:
        conn.close()


def verify_before_write(conn: sqlite3.Connection) -> bool:
    """Whether a workspace opened without ``verify`` passes ``quick_check``, so that something
    may be written into it."""
    return bool(conn.execute("PRAGMA quick_check(1)").fetchone()[0] == "ok")


def close_connection(conn: sqlite3.Connection, *, checkpoint: bool = True) -> None:
    """Close a workspace, folding the WAL back into the main file (unless ``checkpoint`` is
    false: a workspace opened without ``verify`` that wrote nothing is left as it was)."""
    with contextlib.suppress(sqlite3.Error):
        if checkpoint and not is_read_only(conn):
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _open_read_only(file: Path, version: int, *, immutable: bool) -> sqlite3.Connection:
    if version < SCHEMA_VERSION:
        raise StoreError(
            f"{file}: the workspace needs upgrading to schema version {SCHEMA_VERSION}, "
            "but it is read-only here; open it once where it can be written"
        )
    conn = sqlite3.connect(
        _read_only_uri(file, immutable=immutable),
        uri=True,
        isolation_level=None,
        check_same_thread=False,
    )
    conn.execute("PRAGMA query_only = ON")
    log.info("opened %s read-only", file)
    return conn


def is_read_only(conn: sqlite3.Connection) -> bool:
    """Whether a workspace connection was opened read-only."""
    return bool(conn.execute("PRAGMA query_only").fetchone()[0])


def close_database(db: sqlite_utils.Database) -> None:
    """Close a workspace opened with :func:`open_database`."""
    close_connection(db.conn)


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction: every read inside it sees the state it writes on.

    ``BEGIN IMMEDIATE`` takes the write lock at once, so two processes that read, decide and
    write never interleave: the second waits (up to the connection's busy timeout) and then
    reads what the first committed. Inside a transaction already, it joins it through a
    savepoint (a failure undoes only its own part and propagates). References are checked at
    COMMIT, so a change may delete and re-point in any order.

    Raises:
        WorkspaceBusyError: another process kept the write lock past the busy timeout.
    """
    if conn.in_transaction:
        conn.execute("SAVEPOINT relplan_write")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK TO relplan_write")
            conn.execute("RELEASE relplan_write")
            raise
        conn.execute("RELEASE relplan_write")
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise WorkspaceBusyError(
                "another relplan process kept writing to the workspace; nothing was written, "
                "try again"
            ) from exc
        raise
    try:
        conn.execute("PRAGMA defer_foreign_keys = ON")
        yield
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise


def _rollback(conn: sqlite3.Connection) -> None:
    # A failed COMMIT (say, disk full) may have ended the transaction already.
    if conn.in_transaction:
        conn.execute("ROLLBACK")
