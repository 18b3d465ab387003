"""The one place where errors become words on screen (STYLE §7).

The core raises typed errors with structured fields; :func:`present_error` decides how each kind
is shown: not at all, in the status bar, or in a message box with details.
"""

from __future__ import annotations

import logging
import sqlite3
import traceback
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from relplan.crash import crash_line, describe_failure
from relplan.domain.bounds import clip
from relplan.errors import (
    Cancelled,
    MigrationError,
    NewerSchemaError,
    NotAWorkspaceError,
    NothingToUndoError,
    RelplanError,
    SyncError,
    UnknownObjectError,
    ValidationError,
)

log = logging.getLogger(__name__)

#: How many problem lines a validation box shows before "Show Details...".
MAX_SHOWN_LINES = 12
STATUS_TIMEOUT_MS = 6000


def show_status(parent: QWidget | None, text: str, timeout_ms: int = STATUS_TIMEOUT_MS) -> None:
    """Show a transient message in the status bar of ``parent``'s main window (or log it)."""
    window = parent.window() if parent is not None else None
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(text, timeout_ms)
    else:
        log.info("%s", text)


def _title(exc: BaseException) -> tuple[str, str]:
    """(window title, headline) for an error the user can act on."""
    if isinstance(exc, NotAWorkspaceError | NewerSchemaError):
        return "Cannot open workspace", "This file cannot be opened as a relplan workspace."
    if isinstance(exc, MigrationError):
        return "Cannot upgrade workspace", "The workspace could not be upgraded."
    if isinstance(exc, UnknownObjectError):
        return "Not found", "The object is no longer in the workspace."
    if isinstance(exc, sqlite3.Error):
        return "Database error", "The workspace refused the change; nothing was written."
    if isinstance(exc, OSError):
        return "File error", "The file could not be read or written."
    return "relplan", "The action could not be completed."


def message_box(
    parent: QWidget | None,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    *,
    informative: str = "",
    details: str = "",
    wait: bool = False,
    action: tuple[str, Callable[[], None]] | None = None,
) -> QMessageBox:
    """Build and show a message box; window-modal and non-blocking unless ``wait``.

    Args:
        parent: the widget the box belongs to.
        icon: the box's icon.
        title: its window title.
        text: its headline.
        informative: the text under the headline.
        details: the text under "Show Details...".
        wait: block until the box is closed (only before the event loop runs).
        action: an extra button's text and what clicking it does (after the box closed).
    """
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("relplan-error-box")
    if action is not None:
        label, run = action
        button = box.addButton(label, QMessageBox.ButtonRole.AcceptRole)
        button.setObjectName("relplan-error-action")
        button.clicked.connect(run)
    if informative:
        box.setInformativeText(informative)
        # Problem lines name JSON paths and values; wrapping them at ~40 characters hurts.
        box.setStyleSheet("QLabel#qt_msgbox_informativelabel { min-width: 560px; }")
    if details:
        box.setDetailedText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if wait:
        box.exec()
    elif parent is not None:
        # open() is window-modal and returns at once, so a callback never spins a nested loop.
        box.open()
    else:
        box.show()
    return box


def present_error(parent: QWidget | None, exc: BaseException, *, wait: bool = False) -> None:
    """Show ``exc`` to the user in the way its kind calls for.

    - :class:`Cancelled`: nothing.
    - :class:`NothingToUndoError`: a status-bar message only.
    - :class:`SyncError` of kind AUTH: "credentials rejected", with a button that opens the
      Connections dialog when the window has one (``open_connections``); the stored token is
      not touched: it is replaced by removing the connection and adding it again there.
    - :class:`ValidationError`: a warning box listing every problem line (all of them under
      "Show Details..." when there are many).
    - other :class:`RelplanError`, ``OSError`` and ``sqlite3.Error``: a warning box.
    - anything else is a bug: its traceback goes into a crash report (one line in the log) and
      it is shown in a critical box naming the report.

    Args:
        parent: the widget the message belongs to (its window gets the box or status message).
        exc: the error.
        wait: block until the box is closed (only before the event loop runs).
    """
    if isinstance(exc, Cancelled):
        return
    if isinstance(exc, NothingToUndoError):
        text = str(exc)
        show_status(parent, text[:1].upper() + text[1:] + ".")
        return
    warning = QMessageBox.Icon.Warning
    if isinstance(exc, SyncError) and exc.kind == SyncError.AUTH:
        _credentials_rejected(parent, exc, wait=wait)
        return
    if isinstance(exc, ValidationError):
        lines = exc.lines() or [str(exc)]
        shown = lines[:MAX_SHOWN_LINES]
        if len(lines) > len(shown):
            shown.append(f"… and {len(lines) - len(shown)} more (see Show Details).")
        count = f"{len(lines)} problem{'s' if len(lines) != 1 else ''}"
        message_box(
            parent,
            warning,
            "Invalid input",
            f"The input was rejected ({count}); nothing was changed.",
            informative="\n".join(shown),
            details="\n".join(lines),
            wait=wait,
        )
        return
    if isinstance(exc, RelplanError | OSError | sqlite3.Error):
        title, headline = _title(exc)
        # "disk full" or "the workspace is read-only" rather than SQLite's or errno's words.
        informative = describe_failure(exc) or str(exc)
        message_box(parent, warning, title, headline, informative=informative, wait=wait)
        return
    # The traceback goes into a crash report, never onto the terminal (one line there).
    line = crash_line(exc, command="window")
    log.error("%s", line)
    message_box(
        parent,
        QMessageBox.Icon.Critical,
        "Unexpected error",
        "Something went wrong inside relplan. This is a bug; please report it with the details.",
        informative=f"{type(exc).__name__}: {clip(str(exc), 300)}\n\n{line}",
        details="".join(traceback.format_exception(exc)),
        wait=wait,
    )


def _credentials_rejected(parent: QWidget | None, exc: SyncError, *, wait: bool) -> None:
    """The box for a tracker that refused the stored token (STYLE §7)."""
    window = parent.window() if parent is not None else None
    opener = getattr(window, "open_connections", None)
    hint = (
        "Open Sync → Connections…, remove the connection and add it again with a new token "
        "(the old token stays in the keyring until then)."
    )
    message_box(
        parent,
        QMessageBox.Icon.Warning,
        "Sync failed",
        "The tracker says: credentials rejected.",
        informative=f"{exc}\n\n{hint}",
        wait=wait,
        action=("Open Connections…", opener) if callable(opener) else None,
    )
