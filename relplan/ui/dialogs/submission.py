"""What the lifecycle dialogs share: their error line and the submit / refuse / done round trip.

A dialog that asks the window for a change (New Release, New Train, the template editor) locks
its OK button and emits its request; the window answers with ``show_error`` (refused: the dialog
stays open with the reason, and OK works again) or ``done_ok`` (made: the dialog closes).
:class:`Submission` is that round trip in one place, so every dialog behaves the same.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QLabel, QWidget

from relplan.ui.palette import ERROR_COLOR

__all__ = ["Submission", "error_label"]


def error_label(parent: QWidget) -> QLabel:
    """A word-wrapped label in the error colour, named ``error`` (tests find it by that name)."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOR};")
    label.setObjectName("error")
    return label


class Submission:
    """The submit / refuse / done round trip of ``dialog``.

    Args:
        dialog: the dialog that closes when the window answers done.
        button: what is locked while a request is out (the OK or Save button, or a button box).
        error: where the reason of a refusal is shown.
    """

    def __init__(self, dialog: QDialog, button: QWidget, error: QLabel) -> None:
        self._dialog = dialog
        self._button = button
        self._error = error

    def submit(self, emit: Callable[[], object]) -> None:
        """Lock the button (no second request while one is out), then send the request."""
        self._button.setEnabled(False)
        emit()

    def refuse(self, text: str) -> None:
        """Show why the request was refused; the dialog stays open and can send again."""
        self._button.setEnabled(True)
        self._error.setText(text)

    def done(self) -> None:
        """The request was carried out: close the dialog."""
        self._button.setEnabled(True)
        self._dialog.accept()
