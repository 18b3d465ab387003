"""The Feature Flags dialog, and the text form of rollout steps the lifecycle dialogs and the
Release editor share (``2026-12-02:10, 2026-12-09:100``; a stage adds ``; switch DAY``).

The dialog never touches the store: Save emits ``save_requested(before, after)`` and Remove
``save_requested(before, None)``; :mod:`relplan.ui.lifecycle_actions` stores each as one
undoable command through :func:`relplan.edits.lifecycle.flag_command`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from relplan.domain.model import Flag, RolloutStep
from relplan.ui.dialogs.submission import error_label

if TYPE_CHECKING:
    from relplan.ui.dialogs.lifecycle import LifecycleChoices

__all__ = ["FlagsDialog", "parse_rollout", "parse_steps", "rollout_text", "steps_text"]


def steps_text(steps: tuple[RolloutStep, ...]) -> str:
    """Rollout steps as the flag form shows them: ``2026-12-02:10, 2026-12-09:100``."""
    return ", ".join(f"{s.date}:{s.percent}" for s in steps)


def parse_steps(text: str) -> tuple[RolloutStep, ...]:
    """Rollout steps from :func:`steps_text` (ValueError names the bad part)."""
    steps = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        day, _, percent = part.partition(":")
        try:
            steps.append(RolloutStep(dt.date.fromisoformat(day), int(percent.rstrip(" %"))))
        except ValueError:
            raise ValueError(f"{part!r}: expected DAY:PERCENT, e.g. 2026-12-02:10") from None
    return tuple(steps)


def rollout_text(steps: tuple[RolloutStep, ...], switch: dt.date | None) -> str:
    """A stage's rollout as the release editor shows it: ``2026-11-30:5, 2026-12-01:100`` and
    ``switch 2026-11-27``, separated by ``;``."""
    parts = [steps_text(steps)] if steps else []
    if switch is not None:
        parts.append(f"switch {switch}")
    return "; ".join(parts)


def parse_rollout(text: str) -> tuple[tuple[RolloutStep, ...], dt.date | None]:
    """Steps and switch day from :func:`rollout_text` (ValueError names the bad part).

    Examples:
        >>> parse_rollout("2026-11-30:5, 2026-12-01:100; switch 2026-12-01")[1]
        datetime.date(2026, 12, 1)
    """
    steps: tuple[RolloutStep, ...] = ()
    switch = None
    for part in (p.strip() for p in text.split(";")):
        if part.lower().startswith("switch"):
            day = part[len("switch") :].strip()
            try:
                switch = dt.date.fromisoformat(day)
            except ValueError:
                raise ValueError(f"{part!r}: expected switch YYYY-MM-DD") from None
        elif part:
            steps = parse_steps(part)
    return steps, switch


class FlagsDialog(QDialog):
    """Lists the feature flags and edits one at a time.

    Signals:
        save_requested(object, object): ``(before, after)``: add (before None), change, or
            remove (after None) a flag.
    """

    save_requested = Signal(object, object)

    def __init__(self, choices: LifecycleChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Feature Flags")
        self.resize(700, 380)
        self.list = QListWidget(self)
        self.list.setObjectName("flags")
        self.key = QLineEdit(self)
        self.release = QComboBox(self)
        self.release.setEditable(True)
        self.environment = QComboBox(self)
        self.owner = QLineEdit(self)
        self.steps = QLineEdit(self)
        self.steps.setPlaceholderText("2026-12-02:10, 2026-12-09:100")
        form = QFormLayout()
        form.addRow("&Key", self.key)
        form.addRow("&Release", self.release)
        form.addRow("&Environment", self.environment)
        form.addRow("&Owner", self.owner)
        form.addRow("&Steps (day:percent)", self.steps)
        self.new_button = QPushButton("&New", self)
        self.save_button = QPushButton("&Save", self)
        self.remove_button = QPushButton("Re&move", self)
        self.error = error_label(self)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.error)
        right.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.list, 1)
        top.addLayout(right, 2)
        row = QHBoxLayout()
        for button in (self.new_button, self.save_button, self.remove_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(row)
        self.list.currentRowChanged.connect(self._on_row)
        self.new_button.clicked.connect(self._on_new)
        self.save_button.clicked.connect(self._on_save)
        self.remove_button.clicked.connect(self._on_remove)
        self._editing: Flag | None = None
        self.set_choices(choices)

    def set_choices(self, choices: LifecycleChoices, select: str | None = None) -> None:
        """Show these flags (after a change), selecting ``select`` (default: the first)."""
        self._choices = choices
        self.release.clear()
        self.release.addItems(list(choices.releases))
        self.environment.clear()
        self.environment.addItems(list(choices.environments))
        self.list.blockSignals(True)
        self.list.clear()
        for f in choices.flags:
            item = QListWidgetItem(f"{f.key}  ({f.release})", self.list)
            item.setData(Qt.ItemDataRole.UserRole, f)
        self.list.blockSignals(False)
        keys = [f.key for f in choices.flags]
        if select in keys:
            self.list.setCurrentRow(keys.index(select))
        elif keys:
            self.list.setCurrentRow(0)
        self._on_row(self.list.currentRow())

    def show_error(self, text: str) -> None:
        """Show why the last save failed."""
        self.error.setText(text)

    def form_flag(self) -> Flag:
        """The flag the form holds (ValueError: the steps cannot be read)."""
        return Flag(
            key=self.key.text().strip(),
            release=self.release.currentText().strip(),
            environment=self.environment.currentText(),
            owner=self.owner.text().strip() or None,
            steps=parse_steps(self.steps.text()),
        )

    @Slot(int)
    def _on_row(self, row: int) -> None:
        item = self.list.item(row) if row >= 0 else None
        flag = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self._editing = flag if isinstance(flag, Flag) else None
        self._fill(self._editing)

    def _fill(self, flag: Flag | None) -> None:
        self.key.setText(flag.key if flag else "")
        self.release.setCurrentText(flag.release if flag else "")
        if flag is not None:
            self.environment.setCurrentText(flag.environment)
        self.owner.setText(flag.owner or "" if flag else "")
        self.steps.setText(steps_text(flag.steps) if flag else "")
        self.remove_button.setEnabled(flag is not None)
        self.error.clear()

    @Slot()
    def _on_new(self) -> None:
        self.list.clearSelection()
        self._editing = None
        self._fill(None)
        self.key.setFocus()

    @Slot()
    def _on_save(self) -> None:
        try:
            after = self.form_flag()
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.save_requested.emit(self._editing, after)

    @Slot()
    def _on_remove(self) -> None:
        if self._editing is not None:
            self.save_requested.emit(self._editing, None)
