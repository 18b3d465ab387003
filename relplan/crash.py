"""Crash reports and one-line descriptions of failures, for the command line and the window.

An error relplan did not foresee is never shown as a traceback: the traceback goes into a crash
report in the data folder (``crash-reports/``), and the user sees one line naming that file.
The report holds the versions, the command's name and the traceback; never the arguments' values,
the environment or anything from the keyring.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import platform
import sqlite3
import sys
import traceback
from pathlib import Path

from relplan import __version__, config
from relplan.domain.bounds import clip

__all__ = ["describe_failure", "write_crash_report"]

_ERRNO_WORDS = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
    errno.ENAMETOOLONG: "file name too long",
    errno.EISDIR: "is a folder, not a file",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.ENOENT: "no such file or folder",
    errno.EIO: "input/output error (the disk may be failing)",
}


def describe_os_error(exc: OSError) -> str:
    """One line for a failed file operation: the file and what went wrong, in plain words."""
    what = _ERRNO_WORDS.get(exc.errno or -1) or exc.strerror or str(exc) or type(exc).__name__
    where = exc.filename if exc.filename is not None else ""
    return f"{clip(str(where), 200)}: {what}" if where else what


def describe_sqlite_error(exc: sqlite3.Error) -> str:
    """One line for an SQLite failure, saying "disk full" when that is what it was."""
    text = str(exc)
    code = getattr(exc, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_FULL or "database or disk is full" in text:
        return "disk full: the workspace could not be written (nothing was changed)"
    if code == sqlite3.SQLITE_READONLY or "readonly database" in text:
        return "the workspace is read-only here (the file or its folder cannot be written)"
    if code == sqlite3.SQLITE_BUSY or "database is locked" in text:
        return "the workspace is busy (another relplan is writing to it); try again"
    return f"the workspace refused the operation: {clip(text, 200)}"


def describe_failure(exc: BaseException) -> str | None:
    """One line for a failure of the environment (disk, files, memory), or None if it is a bug."""
    if isinstance(exc, OSError):
        return describe_os_error(exc)
    if isinstance(exc, sqlite3.Error):
        return describe_sqlite_error(exc)
    if isinstance(exc, MemoryError):
        return "out of memory"
    return None


def write_crash_report(exc: BaseException, *, command: str = "") -> Path | None:
    """Write a crash report for ``exc`` into the data folder; returns its path (None on failure).

    Args:
        exc: The unexpected exception, with its traceback.
        command: The command's name (``check``, ``window``), never its arguments.
    """
    now = dt.datetime.now(dt.UTC)
    folder = config.data_dir() / "crash-reports"
    name = f"crash-{now:%Y%m%d-%H%M%S}-{os.getpid()}.txt"
    lines = [
        f"relplan {__version__} crash report, {now.isoformat(timespec='seconds')}",
        f"python {platform.python_version()} on {platform.platform()}",
        f"command: {command or '(none)'}",
        "",
        *traceback.format_exception(type(exc), exc, exc.__traceback__),
    ]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_text("".join(line if line.endswith("\n") else line + "\n" for line in lines))
    except OSError:
        return None
    return path


def crash_line(exc: BaseException, *, command: str = "") -> str:
    """The one line shown for an unexpected exception (a report is written as a side effect)."""
    path = write_crash_report(exc, command=command)
    kind = type(exc).__name__
    if path is None:
        return f"internal error ({kind}); no crash report could be written"
    return f"internal error ({kind}); please report it with the crash report {path}"


def excepthook_line(exc: BaseException) -> str:
    """What the window's last-resort hook prints to standard error for ``exc``."""
    known = describe_failure(exc)
    return known if known is not None else crash_line(exc, command="window")


if __name__ == "__main__":  # pragma: no cover - a manual check of the report's layout
    try:
        raise RuntimeError("example")
    except RuntimeError as error:
        sys.stderr.write(crash_line(error, command="example") + "\n")
