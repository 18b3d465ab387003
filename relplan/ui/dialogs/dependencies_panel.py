"""The Dependencies tab of the release editor: what a release depends on and what needs it.

Rows can be removed (Delete asks first) and their type and lag changed in place. A new
dependency is checked at once against the plan as edited (``edits.dependencies.cycle_if_added``):
one that would close a cycle is refused with the cycle, and nothing is added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Final

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from relplan.domain.model import RELEASE_PREFIX, Dependency, Plan, Release
from relplan.errors import DependencyCycleError
from relplan.ui.dialogs.editor_widgets import Column, EditTable
from relplan.ui.palette import ERROR_COLOR

#: The dependency types, with how the editor names them.
DEPENDENCY_TYPE_LABELS: Final = (
    ("FS", "FS — finish to start"),
    ("SS", "SS — start to start"),
    ("FF", "FF — finish to finish"),
    ("SF", "SF — start to finish"),
)


def release_key(ref: str) -> str:
    """``release:KEY`` → ``KEY``."""
    return ref.removeprefix(RELEASE_PREFIX)


def cycle_refusal(error: DependencyCycleError) -> str:
    """What the editor says when a dependency would close the cycle ``error`` names.

    Examples:
        >>> cycle_refusal(DependencyCycleError(["release:A", "release:B", "release:A"]))
        'Refused: this dependency would close a cycle: A → B → A.'
    """
    path = " → ".join(release_key(node) for node in error.cycle)
    return f"Refused: this dependency would close a cycle: {path}."


class DependenciesPanel(QWidget):
    """Two tables (depends on / needed by) and a line to add a dependency.

    Args:
        release: the release edited.
        plan: the plan it is in (other releases and the graph new dependencies are checked on).
        dependencies: the release-level dependencies into and out of the release.
        confirm: asked before a dependency is removed.
        parent: the owning widget.

    Signals:
        count_changed(int): the number of dependencies shown changed.
        message(str): a line to show the user (empty: nothing to say).
    """

    count_changed = Signal(int)

    def __init__(
        self,
        release: Release,
        plan: Plan,
        dependencies: tuple[Dependency, ...],
        confirm: Callable[[str], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._release, self._plan, self._original = release, plan, dependencies
        self._others = sorted(r.key for r in plan.releases if r.key != release.key)
        layout = QVBoxLayout(self)
        types = [(label, value) for value, label in DEPENDENCY_TYPE_LABELS]
        columns = [
            Column("Release", "readonly", stretch=True),
            Column("Type", "choice", types),
            Column("Lag (days)", "int"),
        ]
        self.incoming_box = QGroupBox(self)
        QVBoxLayout(self.incoming_box).addWidget(
            incoming := EditTable(columns, self.incoming_box, confirm=confirm)
        )
        self.incoming_table = incoming
        self.outgoing_box = QGroupBox(self)
        QVBoxLayout(self.outgoing_box).addWidget(
            outgoing := EditTable(columns, self.outgoing_box, confirm=confirm)
        )
        self.outgoing_table = outgoing
        for dep in dependencies:
            self._add_row(dep, incoming=dep.to_ref == release.ref)
        for table in (self.incoming_table, self.outgoing_table):
            table.model().rowsRemoved.connect(self._update_titles)
        layout.addWidget(self.incoming_box, 1)
        layout.addWidget(self.outgoing_box, 1)
        layout.addLayout(self._build_add_row())
        self.message = QLabel("", self)
        self.message.setObjectName("dependency-message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self._update_titles()

    def _build_add_row(self) -> QHBoxLayout:
        add = QHBoxLayout()
        self.direction_combo = QComboBox(self)
        self.direction_combo.addItem("This release depends on", "incoming")
        self.direction_combo.addItem("This release is needed by", "outgoing")
        add.addWidget(self.direction_combo)
        self.other_combo = QComboBox(self)
        self.other_combo.setEditable(True)
        self.other_combo.addItems(self._others)
        self.other_combo.setCurrentIndex(-1)
        line = self.other_combo.lineEdit()
        if line is not None:
            line.setPlaceholderText("release key")
        add.addWidget(self.other_combo, 1)
        self.type_combo = QComboBox(self)
        for value, label in DEPENDENCY_TYPE_LABELS:
            self.type_combo.addItem(label, value)
        add.addWidget(self.type_combo)
        self.lag_spin = QSpinBox(self)
        self.lag_spin.setRange(-3650, 3650)
        self.lag_spin.setSuffix(" days lag")
        add.addWidget(self.lag_spin)
        self.add_button = QPushButton("Add", self)
        self.add_button.clicked.connect(self._on_add_clicked)
        add.addWidget(self.add_button)
        self.remove_button = QPushButton("Remove selected", self)
        self.remove_button.setToolTip("Remove the selected dependency (Delete)")
        self.remove_button.clicked.connect(self.remove_selected)
        add.addWidget(self.remove_button)
        return add

    def _add_row(self, dep: Dependency, *, incoming: bool) -> None:
        table = self.incoming_table if incoming else self.outgoing_table
        other_key = release_key(dep.from_ref if incoming else dep.to_ref)
        other = self._plan.release(other_key)
        label = other_key if other is None else f"{other_key} — {other.name}"
        table.add_row([label, dep.type, dep.lag_days], data=dep)

    @Slot()
    def _update_titles(self) -> None:
        incoming, outgoing = self.incoming_table.rowCount(), self.outgoing_table.rowCount()
        self.incoming_box.setTitle(f"Depends on ({incoming}): these must come first")
        self.outgoing_box.setTitle(f"Needed by ({outgoing}): these wait for this release")
        self.count_changed.emit(incoming + outgoing)

    def count(self) -> int:
        """How many dependencies are shown."""
        return self.incoming_table.rowCount() + self.outgoing_table.rowCount()

    def dependencies(self) -> list[Dependency]:
        """The dependencies as the tables show them now (types and lags as edited)."""
        ref = self._release.ref
        found = []
        for table, incoming in ((self.incoming_table, True), (self.outgoing_table, False)):
            for row in range(table.rowCount()):
                dep = table.row_data(row)
                if not isinstance(dep, Dependency):
                    continue
                other = dep.from_ref if incoming else dep.to_ref
                pair = (other, ref) if incoming else (ref, other)
                found.append(Dependency(*pair, table.value(row, 1), table.value(row, 2)))
        return found

    def add_dependency(
        self, other: str, *, incoming: bool, type_: str = "FS", lag: int = 0
    ) -> bool:
        """Add a dependency between the release and ``other`` after checking it.

        It is refused (with the reason shown) when ``other`` is unknown, the pair is already
        linked, or it would close a cycle in the plan as edited.

        Returns:
            Whether it was added.
        """
        from relplan.edits.dependencies import cycle_if_added

        key = other.strip()
        if key not in self._others:
            return self._refuse(f"No release {key!r} in the workspace.")
        ref, other_ref = self._release.ref, RELEASE_PREFIX + key
        pair = (other_ref, ref) if incoming else (ref, other_ref)
        dep = Dependency(*pair, type_, lag)
        current = self.dependencies()
        # Only the same direction is "already linked": the reverse of an existing dependency
        # is a two-release cycle, refused below like any longer one.
        if any(d.pair == dep.pair for d in current):
            return self._refuse(f"{key} is already linked to this release; change its type or lag.")
        mine = {d.pair for d in self._original}
        kept = [d for d in self._plan.dependencies if d.pair not in mine]
        cycle = cycle_if_added(replace(self._plan, dependencies=(*kept, *current)), dep)
        if cycle is not None:
            return self._refuse(cycle_refusal(DependencyCycleError(cycle)))
        self._add_row(dep, incoming=incoming)
        self._update_titles()
        self.message.setText(
            f"Added {release_key(dep.from_ref)} → {release_key(dep.to_ref)} "
            f"({dep.type}, {dep.lag_days:+d} days lag); Save stores it."
        )
        self.message.setStyleSheet("")
        return True

    def _refuse(self, text: str) -> bool:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {ERROR_COLOR};")
        return False

    @Slot()
    def _on_add_clicked(self) -> None:
        incoming = self.direction_combo.currentData() == "incoming"
        added = self.add_dependency(
            self.other_combo.currentText(),
            incoming=incoming,
            type_=self.type_combo.currentData(),
            lag=self.lag_spin.value(),
        )
        if added:
            self.other_combo.setCurrentIndex(-1)

    @Slot()
    def remove_selected(self) -> bool:
        """Remove the selected dependency (after confirmation); whether one was removed."""
        for table in (self.incoming_table, self.outgoing_table):
            if table.selected_rows():
                return bool(table.remove_selected())
        self._refuse("Select a dependency to remove.")
        return False
