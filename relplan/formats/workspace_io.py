"""Importing a workspace file into, and exporting one from, an open workspace."""

from __future__ import annotations

import contextlib
import gc
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from relplan.errors import Issue, ValidationError
from relplan.formats.strict_json import read_json_file
from relplan.formats.workspace_json import KnownKeys, iter_plan, parse_for_import
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
    with _collector_paused():
        document = read_json_file(path)
        known = KnownKeys() if replace else _known(ws)
        # Work items and dependencies come as table rows: no object is built for them when
        # they go into empty tables (most of a large import).
        plan, rows = parse_for_import(document, known=known, source=str(path))
        del document  # the plan holds it all now: freeing it here lowers the peak memory
        return ws.import_plan(plan, replace=replace, label=f"Import {Path(path).name}", rows=rows)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (not reference counting) for the block.

    Reading a large plan allocates millions of containers (the parsed document, then 275,000
    objects and rows), none of them in a reference cycle; the collector's passes over them,
    triggered by the allocations alone, were a fifth of a large import. It runs again after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _umask() -> int:
    """The process umask, read without changing it (os.umask would, for every thread)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022


def check_output_folder(path: str | os.PathLike[str]) -> None:
    """Refuse an output path whose folder is missing (or no folder), naming that folder.

    Every export calls this (through :func:`open_output`, or before rendering a picture), so
    the message names the folder the user typed rather than a temporary file inside it.

    Raises:
        ValidationError: the folder does not exist or is not a folder.
    """
    folder = Path(path).parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise ValidationError([Issue(str(path), f"cannot write there: the folder {folder} {what}")])


@contextlib.contextmanager
def open_output(path: str | os.PathLike[str], *, binary: bool = False) -> Iterator[IO[Any]]:
    """A file to write an export into, which replaces ``path`` only when the block succeeds.

    The text is written through a temporary file beside ``path`` (UTF-8, line ends kept as
    given), so a failure leaves no half file; exports stream into it instead of building the
    whole document in memory.

    Args:
        path: Where the file goes.
        binary: Yield a binary file instead of a text one.

    Raises:
        ValidationError: the folder of ``path`` does not exist.
    """
    check_output_folder(path)
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        # Name the file the user asked for, not the temporary one.
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    try:
        mode = "wb" if binary else "w"
        encoding = None if binary else "utf-8"
        newline = None if binary else ""
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as fh:
            yield fh
        # mkstemp makes the file private (0600); give it the permissions a plain open() would.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so a failure leaves no half file.

    Raises:
        ValidationError: the folder of ``path`` does not exist.
    """
    with open_output(path) as fh:
        fh.write(text)


def export_file(ws: Workspace, path: str | os.PathLike[str]) -> int:
    """Write the workspace as JSON, section by section; returns the number of bytes written.

    Raises:
        ValidationError: the folder of ``path`` does not exist.
    """
    import dataclasses
    from itertools import starmap

    from relplan.domain.codec import dependency_json, work_item_json

    check_output_folder(path)
    # Work items and dependencies go from their rows to JSON without becoming objects (most
    # of a large workspace, whose objects took longer to build than to write).
    plan = dataclasses.replace(ws.release_plan(), deployments=ws.deployments())
    items = list(starmap(work_item_json, ws.work_item_rows()))
    dependencies = list(starmap(dependency_json, ws.dependency_rows()))
    with open_output(path) as out:
        out.writelines(iter_plan(plan, work_items=items, dependencies=dependencies))
    return os.path.getsize(path)
