"""Setting a release to Released while gates are open asks first: in the table and the editor.

The core says which gates are open (:func:`relplan.domain.rules.open_gates`); this module is the
one place that asks the user, for every widget that can set a release's status. The question is
a window-modal box opened without a nested event loop: the answer arrives as a callback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from relplan.domain.model import Gate
from relplan.domain.rules import open_gates

if TYPE_CHECKING:
    from relplan.ui.session import WorkspaceSession

#: The object name of the question box (tests and screenshots find it by this name).
BOX_NAME = "relplan-open-gates-box"


def confirm_released(
    parent: QWidget | None,
    key: str,
    gates: Sequence[Gate],
    on_yes: Callable[[], None],
    on_no: Callable[[], None] | None = None,
) -> QMessageBox | None:
    """Ask before release ``key`` is set to Released while ``gates`` are open.

    With no open gates nothing is asked and ``on_yes`` runs at once.

    Args:
        parent: the widget the question belongs to.
        key: the release.
        gates: its gates that are ``pending`` or ``rejected`` (:func:`open_gates`).
        on_yes: runs when the user sets it to Released anyway.
        on_no: runs when the user cancels.

    Returns:
        The open question box, or None when nothing was asked.
    """
    if not gates:
        on_yes()
        return None
    listed = ", ".join(f"{g.name} ({g.status})" for g in gates)
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Set to Released?",
        f"{key} has gates that are not approved: {listed}.",
        QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setObjectName(BOX_NAME)
    box.setInformativeText(
        "Set it to Released anyway? Check will report it (released with open gates) until the "
        "gates are approved."
    )
    release = box.addButton("Set to Released", QMessageBox.ButtonRole.AcceptRole)
    release.setObjectName(f"{BOX_NAME}-yes")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def answered(_result: int) -> None:
        if box.clickedButton() is release:
            on_yes()
        elif on_no is not None:
            on_no()

    box.finished.connect(answered)
    box.open()
    return box


def release_edit_handler(
    parent: QWidget, session: WorkspaceSession
) -> Callable[[str, Mapping[str, Any]], None]:
    """The releases table's edit handler: ``session.edit_release``, asking first (through
    :func:`confirm_released`) when a cell sets a release with open gates to Released; a
    cancelled edit shows the stored status again."""

    def edit(key: str, fields: Mapping[str, Any]) -> None:
        changes = dict(fields)
        if changes.get("status") != "released":
            session.edit_release(key, changes)
            return

        def ask(gates: tuple[Gate, ...]) -> None:
            confirm_released(
                parent,
                key,
                gates,
                lambda: session.edit_release(key, changes),
                lambda: session.reload_releases([key]),
            )

        session.read(lambda ws: open_gates(ws.release(key)), ask)

    return edit
