"""The release editor's "Release notes…": ask where, then gather and write the notes off the GUI
thread (the same core calls as ``relplan report notes``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QWidget

from relplan.ui.errors import present_error

if TYPE_CHECKING:
    from relplan.reports.document import Document
    from relplan.store.workspace import Workspace
    from relplan.ui.session import WorkspaceSession

__all__ = ["ask_and_write_notes", "write_notes"]

NOTES_FILTER = "Markdown (*.md);;HTML (*.html)"


def _notes(ws: Workspace, key: str) -> Document:
    from relplan.reports.notes import notes_document, release_notes

    return notes_document(release_notes(ws, key))


def write_notes(
    session: WorkspaceSession,
    key: str,
    path: str,
    parent: QWidget,
    on_written: Callable[[str], None] | None = None,
) -> None:
    """Gather the notes of ``key`` on the DB lane and write them to ``path`` on the network lane;
    ``parent`` shows an error, its window (with ``show_message``) and ``on_written`` the outcome."""
    from relplan.reports.render import write_report

    def tell(text: str) -> None:
        show = getattr(parent.window(), "show_message", None)
        if callable(show):
            show(text)
        if on_written is not None:
            on_written(text)

    def gathered(doc: Document) -> None:
        session.runner.submit(
            lambda: write_report(doc, path),
            lane="net",
            on_done=lambda files: tell(f"Wrote the release notes of {key} to {files[0]}"),
            on_error=lambda exc: present_error(parent, exc),
        )

    session.read(lambda ws: _notes(ws, key), gathered, lambda exc: present_error(parent, exc))


def ask_and_write_notes(session: WorkspaceSession, key: str, parent: QWidget) -> None:
    """Ask for a .md or .html file, then :func:`write_notes`."""
    path, chosen = QFileDialog.getSaveFileName(
        parent, f"Release notes of {key}", f"{key}-notes.md", NOTES_FILTER
    )
    if not path:
        return
    if Path(path).suffix.lower() not in (".md", ".html"):
        path += ".html" if "HTML" in chosen else ".md"
    write_notes(session, key, path, parent)
