"""The Environment editor: each environment's order (development first), capacity and whether
it requires approval.

Capacity is how many releases' stage windows may overlap in the environment before ``check``
reports an ``environment_conflict``. The dialog is modeless and never touches the store: Apply
emits ``save_requested`` with the ``(before, after)`` pairs that changed (before None: added;
after None: removed), which the window stores as one undoable command; the dialog then gets the
environments as they are now through :meth:`EnvironmentEditorDialog.set_plan`.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from relplan.domain.model import Environment, Plan
from relplan.errors import ValidationError
from relplan.ui.dialogs.editor_widgets import Column, EditTable, confirm
from relplan.ui.errors import present_error
from relplan.ui.palette import ERROR_COLOR

MAX_CAPACITY: Final = 999
Change = tuple[Environment | None, Environment | None]


def _usage(plan: Plan) -> dict[str, int]:
    """How many releases have a stage window in each environment."""
    counts: dict[str, int] = {}
    for release in plan.releases:
        for env in {s.environment for s in release.stages}:
            counts[env] = counts.get(env, 0) + 1
    return counts


class EnvironmentEditorDialog(QDialog):
    """A table of environments: name (new ones only), order and capacity.

    Args:
        plan: the plan (its environments, and the releases that use them).
        parent: the owning window.

    Signals:
        save_requested(list): the ``(before, after)`` pairs to store as one command.
    """

    save_requested = Signal(list)

    def __init__(self, plan: Plan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("environment-editor")
        self.setWindowTitle("Environments")
        self.resize(560, 360)
        self._removed: list[Environment] = []
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Order runs from development (lowest) to production (highest). Capacity is how "
            "many releases may have a stage window in the environment on the same day.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = EditTable(
            [
                Column("Name", stretch=True),
                Column("Order", "int", minimum=0, maximum=999),
                Column("Capacity", "int", minimum=1, maximum=MAX_CAPACITY),
                # A release with a stage here needs a gate for it (check: gate_missing).
                Column("Approval", "choice", choices=(("not needed", False), ("required", True))),
                Column("Used by", "readonly"),
            ],
            self,
            confirm=lambda text: confirm(self, "Environments", text),
        )
        self.table.rows_removed.connect(self._on_table_rows_removed)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton("&Add environment", self)
        self.add_button.clicked.connect(self.add_environment)
        self.remove_button = QPushButton("&Remove", self)
        self.remove_button.setToolTip("Remove the selected environment (Delete)")
        self.remove_button.clicked.connect(lambda: self.table.remove_selected())
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.message = QLabel("", self)
        self.message.setObjectName("environment-message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Close, self
        )
        apply = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        apply.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.set_plan(plan)

    def set_plan(self, plan: Plan) -> None:
        """Show the environments of ``plan`` as they are stored now (unsaved edits are lost)."""
        used = _usage(plan)
        self._removed = []
        self.table.setRowCount(0)
        for env in sorted(plan.environments, key=lambda e: (e.order, e.name)):
            count = used.get(env.name, 0)
            usage = f"{count} release{'s' if count != 1 else ''}" if count else "—"
            values = [env.name, env.order, env.capacity, env.requires_approval, usage]
            row = self.table.add_row(values, data=env)
            name = self.table.item(row, 0)
            if name is not None:  # stages refer to environments by name
                name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
                name.setToolTip("Environments cannot be renamed (stages refer to them)")

    @Slot()
    def add_environment(self) -> None:
        """Add a row for a new environment, ordered after the others."""
        orders = [int(self.table.value(r, 1)) for r in range(self.table.rowCount())]
        row = self.table.add_row(["", max(orders, default=0) + 1, 1, False, "—"], data=None)
        item = self.table.item(row, 0)
        if item is not None:
            self.table.setCurrentCell(row, 0)
            self.table.editItem(item)

    @Slot(list)
    def _on_table_rows_removed(self, rows: list[int]) -> None:
        for row in rows:
            env = self.table.row_data(row)
            if isinstance(env, Environment):
                self._removed.append(env)

    def changes(self) -> list[Change]:
        """The ``(before, after)`` pairs that differ from what was loaded."""
        found: list[Change] = [(env, None) for env in self._removed]
        for row in range(self.table.rowCount()):
            before = self.table.row_data(row)
            name = str(self.table.value(row, 0)).strip()
            after = Environment(
                name,
                int(self.table.value(row, 1)),
                int(self.table.value(row, 2)),
                requires_approval=bool(self.table.value(row, 3)),
            )
            old = before if isinstance(before, Environment) else None
            if old != after:
                found.append((old, after))
        return found

    @Slot()
    def apply(self) -> None:
        """Ask for the changes to be stored as one command."""
        changes = self.changes()
        if any(after is not None and not after.name for _, after in changes):
            self.show_message("Give every new environment a name.")
            return
        if not changes:
            self.show_message("Nothing to apply.", error=False)
            return
        self.show_message("Saving…", error=False)
        self.save_requested.emit(changes)

    def saved(self) -> None:
        """The changes were stored."""
        self.show_message("Saved (Edit → Undo reverts it).", error=False)

    def show_error(self, exc: BaseException) -> None:
        """The changes were refused: say why inline (other errors go to present_error)."""
        if isinstance(exc, ValidationError):
            self.show_message("Not saved: " + "; ".join(exc.lines()))
        else:
            self.show_message("Not saved.")
            present_error(self, exc)

    def show_message(self, text: str, *, error: bool = True) -> None:
        """Show (or clear) the line under the table."""
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {ERROR_COLOR};" if error else "")
