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
import logging
import os
import sqlite3
import stat
from pathlib import Path

import sqlite_utils

from relplan import config
from relplan.errors import MigrationError, NewerSchemaError, NotAWorkspaceError, StoreError
from relplan.store.migrations import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)

_SQLITE_MAGIC = b"SQLite format 3\x00"


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


def _probe(path: Path, *, immutable: bool = False) -> tuple[int, int, bool]:
    """Read (application_id, user_version, has_tables) without writing to the file.

    A workspace of relplan's is also checked for damage (``quick_check``), so that nothing is
    ever written into a damaged file.
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
        if app_id == APPLICATION_ID:
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
        script = MIGRATIONS[version - 1]
        try:
            conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise MigrationError(
                f"{path}: migrating the workspace to schema version {version} failed ({exc}); "
                f"the workspace was left at version {version - 1}"
            ) from exc


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
    """Open (and if needed create or migrate) the workspace at ``path``.

    Args:
        path: the workspace file.
        create: create a new workspace when the file does not exist.

    Returns:
        A sqlite-utils Database with foreign keys on and WAL journaling.

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
    if not fresh:
        app_id, version, has_tables = _probe(file, immutable=not folder_writable)
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
        raise FileNotFoundError(f"no workspace at {file}")
    if fresh:
        if not writable:
            raise StoreError(f"{file}: cannot make a workspace here: the folder is read-only")
        version = 0
    elif not writable:
        return _open_read_only(file, version, immutable=not folder_writable)
    # The stdlib's implicit transactions would commit behind sqlite-utils' back; use explicit ones.
    conn = sqlite3.connect(str(file), isolation_level=None, check_same_thread=False)
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
    except BaseException:
        conn.close()
        raise
    return sqlite_utils.Database(conn, execute_plugins=False)


def _open_read_only(file: Path, version: int, *, immutable: bool) -> sqlite_utils.Database:
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
    return sqlite_utils.Database(conn, execute_plugins=False)


def is_read_only(conn: sqlite3.Connection) -> bool:
    """Whether a workspace connection was opened read-only."""
    return bool(conn.execute("PRAGMA query_only").fetchone()[0])


def close_database(db: sqlite_utils.Database) -> None:
    """Close a workspace, folding the WAL back into the main file."""
    with contextlib.suppress(sqlite3.Error):
        if not is_read_only(db.conn):
            db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
