"""The Freeze editor: the plan's freeze windows, each added, changed or removed as one command.

A list of freezes on the left and the selected one's form on the right: name, days, optional
times of day (in the planning zone), the environments and teams it covers (none ticked: all) and
an optional RFC 5545 recurrence rule, checked as it is typed with the next occurrences shown.
The dialog is modeless and never touches the store: Save emits ``save_requested(before, after)``
and Remove (or Delete, after a confirmation) ``save_requested(before, None)``; the window stores
each as one undoable command and then calls :meth:`FreezeEditorDialog.set_plan` with the plan as
it is now.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable
from typing import Final

from PySide6.QtCore import Qt, QTime, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from relplan.domain.model import Freeze, Plan
from relplan.errors import ValidationError
from relplan.ui._compat import override
from relplan.ui.dialogs.editor_widgets import confirm, date_edit, from_qdate, to_qdate
from relplan.ui.errors import present_error
from relplan.ui.palette import ERROR_COLOR

#: How many occurrences of a recurring freeze the form previews.
PREVIEW_OCCURRENCES: Final = 4


def _span(freeze: Freeze) -> str:
    days = f"{freeze.start}" if freeze.start == freeze.end else f"{freeze.start} – {freeze.end}"
    return days + ("  ↻" if freeze.rrule else "")


def _item_freeze(item: object) -> Freeze | None:
    """The freeze a list item carries (None for no item)."""
    data = item.data(Qt.ItemDataRole.UserRole) if isinstance(item, QListWidgetItem) else None
    return data if isinstance(data, Freeze) else None


def _time(value: QTime) -> dt.time:
    return dt.time(value.hour(), value.minute())


class _FreezeList(QListWidget):
    """The list of freezes; Delete asks to remove the selected one.

    Signals:
        delete_pressed(): Delete was pressed.
    """

    delete_pressed = Signal()

    @override
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete:
            self.delete_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class _CheckList(QListWidget):
    """Names with check boxes (none checked: all)."""

    def set_names(self, names: Iterable[tuple[str, str]], checked: Iterable[str]) -> None:
        chosen = set(checked)
        self.clear()
        for label, value in names:
            item = QListWidgetItem(label, self)
            item.setData(Qt.ItemDataRole.UserRole, value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if value in chosen else Qt.CheckState.Unchecked
            )

    def checked(self) -> tuple[str, ...]:
        found = []
        for row in range(self.count()):
            item: object = self.item(row)
            if isinstance(item, QListWidgetItem) and item.checkState() == Qt.CheckState.Checked:
                found.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return tuple(found)


class FreezeEditorDialog(QDialog):
    """Lists the freezes and edits one at a time.

    Args:
        plan: the plan (its freezes, environments, teams and planning zone).
        parent: the owning window.

    Signals:
        save_requested(object, object): ``(before, after)``: add (before None), change, or
            remove (after None) a freeze.
    """

    save_requested = Signal(object, object)

    def __init__(self, plan: Plan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("freeze-editor")
        self.setWindowTitle("Freezes")
        self.resize(820, 520)
        self._plan = plan
        self._current: Freeze | None = None  # the stored freeze the form edits (None: new)
        layout = QVBoxLayout(self)
        splitter = QSplitter(self)
        left = QWidget(splitter)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        self.freeze_list = _FreezeList(left)
        self.freeze_list.setObjectName("freeze-list")
        self.freeze_list.setSpacing(3)
        self.freeze_list.setAlternatingRowColors(True)
        column.addWidget(self.freeze_list, 1)
        buttons = QHBoxLayout()
        self.new_button = QPushButton("&New freeze", left)
        self.new_button.clicked.connect(self.new_freeze)
        self.remove_button = QPushButton("&Remove", left)
        self.remove_button.setToolTip("Remove the selected freeze (Delete)")
        self.remove_button.clicked.connect(lambda: self.remove_selected())
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.remove_button)
        column.addLayout(buttons)
        splitter.addWidget(left)
        splitter.addWidget(self._build_form(splitter))
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)
        self.message = QLabel("", self)
        self.message.setObjectName("freeze-message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.freeze_list.currentItemChanged.connect(self._on_freeze_list_current_changed)
        self.freeze_list.delete_pressed.connect(self.remove_selected)
        self.set_plan(plan)
        if self.freeze_list.count():
            self.freeze_list.setCurrentRow(0)
        else:
            self._load(None)

    def _build_form(self, parent: QWidget) -> QWidget:
        page = QWidget(parent)
        form = QFormLayout(page)
        self.name_edit = QLineEdit(page)
        form.addRow("&Name", self.name_edit)
        self.start_edit = date_edit(page)
        self.end_edit = date_edit(page)
        days = QHBoxLayout()
        days.addWidget(self.start_edit)
        days.addWidget(QLabel("to", page))
        days.addWidget(self.end_edit)
        form.addRow("Days", days)
        self.timed_check = QCheckBox("Only between these times of day", page)
        self.start_time = QTimeEdit(QTime(0, 0), page)
        self.end_time = QTimeEdit(QTime(23, 59), page)
        for edit in (self.start_time, self.end_time):
            edit.setDisplayFormat("HH:mm")
        times = QHBoxLayout()
        times.addWidget(self.timed_check)
        times.addWidget(self.start_time)
        times.addWidget(QLabel("to", page))
        times.addWidget(self.end_time)
        form.addRow(f"Times ({html.escape(self._plan.timezone)})", times)
        self.timed_check.toggled.connect(self._on_timed_toggled)
        self.environment_list = _CheckList(page)
        self.environment_list.setMaximumHeight(96)
        form.addRow("&Environments\n(none: all)", self.environment_list)
        self.team_list = _CheckList(page)
        self.team_list.setMaximumHeight(110)
        form.addRow("&Teams\n(none: all)", self.team_list)
        self.rule_edit = QLineEdit(page)
        self.rule_edit.setObjectName("freeze-rule")
        self.rule_edit.setPlaceholderText("Repeat rule, e.g. FREQ=WEEKLY;BYDAY=FR (empty: once)")
        form.addRow("Re&peats", self.rule_edit)
        self.rule_status = QLabel("", page)
        self.rule_status.setWordWrap(True)
        form.addRow("", self.rule_status)
        for signal in (
            self.rule_edit.textChanged,
            self.start_edit.dateChanged,
            self.end_edit.dateChanged,
        ):
            signal.connect(self._update_rule_status)
        self.save_button = QPushButton("&Save freeze", page)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        form.addRow("", self.save_button)
        self._on_timed_toggled(False)
        return page

    # -- data -------------------------------------------------------------------------------
    @property
    def freezes(self) -> list[Freeze]:
        """The freezes listed."""
        return list(self._plan.freezes)

    def set_plan(self, plan: Plan) -> None:
        """Show the freezes of ``plan`` (after a write), keeping the selection by name.

        The form is reloaded only when the freeze it shows was changed or removed in the store
        (an undo, say), so unsaved typing survives unrelated writes.
        """
        self._plan = plan
        current = self._current
        stored = (
            None
            if current is None
            else next((f for f in plan.freezes if f.name == current.name), None)
        )
        self.freeze_list.blockSignals(True)
        try:
            self.freeze_list.clear()
            for freeze in sorted(plan.freezes, key=lambda f: (f.start, f.name)):
                item = QListWidgetItem(f"{freeze.name}\n{_span(freeze)}", self.freeze_list)
                item.setData(Qt.ItemDataRole.UserRole, freeze)
                item.setToolTip(_span(freeze))
                if stored is not None and freeze.name == stored.name:
                    self.freeze_list.setCurrentItem(item)
        finally:
            self.freeze_list.blockSignals(False)
        if current is not None and stored != current:
            self._load(stored)

    def select(self, name: str) -> bool:
        """Select the freeze called ``name``; whether it is listed."""
        for row in range(self.freeze_list.count()):
            freeze = _item_freeze(self.freeze_list.item(row))
            if freeze is not None and freeze.name == name:
                self.freeze_list.setCurrentRow(row)
                return True
        return False

    @Slot()
    def _on_freeze_list_current_changed(self) -> None:
        freeze = _item_freeze(self.freeze_list.currentItem())
        if freeze is not None:
            self._load(freeze)

    def _load(self, freeze: Freeze | None) -> None:
        self._current = freeze
        today = dt.date.today()
        self.name_edit.setText(freeze.name if freeze else "")
        self.start_edit.setDate(to_qdate(freeze.start if freeze else today))
        self.end_edit.setDate(to_qdate(freeze.end if freeze else today))
        timed = freeze is not None and (freeze.start_time or freeze.end_time) is not None
        self.timed_check.setChecked(timed)
        if freeze is not None and freeze.start_time is not None:
            self.start_time.setTime(QTime(freeze.start_time.hour, freeze.start_time.minute))
        if freeze is not None and freeze.end_time is not None:
            self.end_time.setTime(QTime(freeze.end_time.hour, freeze.end_time.minute))
        self.rule_edit.setText((freeze.rrule or "") if freeze else "")
        envs = sorted(self._plan.environments, key=lambda e: e.order)
        teams = sorted(self._plan.teams, key=lambda t: t.key)
        self.environment_list.set_names(
            [(e.name, e.name) for e in envs], freeze.environments if freeze else ()
        )
        self.team_list.set_names(
            [(f"{t.name} ({t.key})", t.key) for t in teams], freeze.teams if freeze else ()
        )
        self.save_button.setText("&Save freeze" if freeze else "&Add freeze")
        self._update_rule_status()

    @Slot()
    def new_freeze(self) -> None:
        """Start a new freeze in the form."""
        self.freeze_list.clearSelection()
        self.freeze_list.setCurrentRow(-1)
        self._load(None)
        self.name_edit.setFocus()

    def freeze(self) -> Freeze:
        """The freeze as the form shows it."""
        timed = self.timed_check.isChecked()
        return Freeze(
            name=self.name_edit.text().strip(),
            start=from_qdate(self.start_edit.date()),
            end=from_qdate(self.end_edit.date()),
            environments=self.environment_list.checked(),
            teams=self.team_list.checked(),
            rrule=self.rule_edit.text().strip() or None,
            start_time=_time(self.start_time.time()) if timed else None,
            end_time=_time(self.end_time.time()) if timed else None,
        )

    @Slot(bool)
    def _on_timed_toggled(self, timed: bool) -> None:
        self.start_time.setEnabled(timed)
        self.end_time.setEnabled(timed)

    @Slot()
    def _update_rule_status(self) -> None:
        from relplan.planning.freezes import occurrences, rule_problem

        freeze = self.freeze()
        if freeze.rrule is None:
            self.rule_status.setText("")
            return
        problem = rule_problem(freeze, zone=self._plan.timezone)
        if problem is not None:
            self.rule_status.setText(problem)
            self.rule_status.setStyleSheet(f"color: {ERROR_COLOR};")
            return
        found = occurrences(
            freeze,
            first=freeze.start,
            last=freeze.start + dt.timedelta(days=10 * 366),
            zone=self._plan.timezone,
            limit=PREVIEW_OCCURRENCES + 1,
        )
        days = ", ".join(f"{o.first_day:%a %d %b %Y}" for o in found[:PREVIEW_OCCURRENCES])
        more = ", …" if len(found) > PREVIEW_OCCURRENCES else ""
        self.rule_status.setText(f"Occurs on {days or 'no day'}{more}")
        self.rule_status.setStyleSheet("")

    # -- saving -----------------------------------------------------------------------------
    @Slot()
    def save(self) -> None:
        """Ask for the form's freeze to be stored (added or changed)."""
        after = self.freeze()
        if not after.name:
            self.show_message("Give the freeze a name.")
            return
        if after.end < after.start:
            self.show_message("The last day is before the first day.")
            return
        if self._current is not None and self._current == after:
            self.show_message("Nothing to save.", error=False)
            return
        self.show_message("Saving…", error=False)
        self.save_requested.emit(self._current, after)

    @Slot()
    def remove_selected(self, *, ask: bool = True) -> bool:
        """Ask for the selected freeze to be removed (after a confirmation when ``ask``)."""
        freeze = _item_freeze(self.freeze_list.currentItem())
        if freeze is None:
            self.show_message("Select a freeze to remove.")
            return False
        if ask and not confirm(self, "Remove freeze", f"Remove the freeze {freeze.name}?"):
            return False
        self.save_requested.emit(freeze, None)
        return True

    def saved(self, after: Freeze | None) -> None:
        """A change was stored: select what was saved (the list follows with ``set_plan``)."""
        self._current = after
        self.show_message("Saved (Edit → Undo reverts it)." if after else "Removed.", error=False)
        if after is None:
            self.new_freeze()

    def show_error(self, exc: BaseException) -> None:
        """A change was refused: say why inline (other errors go to present_error)."""
        if isinstance(exc, ValidationError):
            self.show_message("Not saved: " + "; ".join(exc.lines()))
        else:
            self.show_message("Not saved.")
            present_error(self, exc)

    def show_message(self, text: str, *, error: bool = True) -> None:
        """Show (or clear) the line under the form."""
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {ERROR_COLOR};" if error else "")
