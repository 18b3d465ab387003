"""Importing a workspace file into, and exporting one from, an open workspace."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from relplan.formats.workspace_json import (
    KnownKeys,
    dump_plan,
    parse_workspace,
    read_json_file,
)
from relplan.store.commands import ChangeSet
from relplan.store.entities import TABLES
from relplan.store.workspace import Workspace


def _known(ws: Workspace) -> KnownKeys:
    def keys(entity: str) -> frozenset[str]:
        return frozenset(TABLES[entity].existing_keys(ws.conn))

    return KnownKeys(
        teams=keys("team"),
        environments=keys("environment"),
        trains=keys("train"),
        releases=keys("release"),
        work_items=keys("work_item"),
    )


def import_file(ws: Workspace, path: str | os.PathLike[str], *, replace: bool = False) -> ChangeSet:
    """Import a workspace JSON file as one undoable command; nothing is written on any error.

    Raises:
        ValidationError: the file is unreadable, not JSON, or breaks the format.
        sqlite3.Error: the database refused the write (it was rolled back).
    """
    document = read_json_file(path)
    known = KnownKeys() if replace else _known(ws)
    plan = parse_workspace(document, known=known, source=str(path))
    return ws.import_plan(plan, replace=replace, label=f"Import {Path(path).name}")


def _umask() -> int:
    """The process umask, read without changing it (os.umask would, for every thread)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022


def write_text_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so a failure leaves no half file."""
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        # Name the file the user asked for, not the temporary one.
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        # mkstemp makes the file private (0600); give it the permissions a plain open() would.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_file(ws: Workspace, path: str | os.PathLike[str]) -> int:
    """Write the workspace as JSON; returns the number of bytes written."""
    text = dump_plan(ws.plan())
    write_text_atomically(path, text)
    return len(text.encode("utf-8"))
