"""The "What if it slips…" dialog: preview a release's slip before anything is written.

The dialog never computes or writes anything itself. It asks for a preview with
``impact_requested(key, days)`` (debounced while the spin box changes), shows the
:class:`~relplan.planning.impact.Impact` it is given, and asks for the slip to be written with
``apply_requested(key, days)``.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from relplan.store.repository import ReleaseRow
from relplan.ui._compat import override
from relplan.ui.models.impact import MovedCol, MovedReleasesModel
from relplan.ui.models.problems import ProblemCol, ProblemTableModel

if TYPE_CHECKING:
    from relplan.planning.impact import Impact

#: Quiet time after the last spin-box change before a preview is requested.
RECOMPUTE_DELAY_MS = 300
DEFAULT_SLIP_DAYS = 5
MAX_SLIP_DAYS = 365


def _days(n: int) -> str:
    return f"{n:+d} day" if abs(n) == 1 else f"{n:+d} days"


def end_text(impact: Impact) -> str:
    """The plan-end line of an impact (``2027-03-12 → 2027-03-15 (+3 days)``)."""
    before, after = impact.end_before, impact.end_after
    if before is None or after is None:
        return "no dated releases"
    if before == after:
        return f"{before} (unchanged)"
    return f"{before} → {after} ({_days((after - before).days)})"


def _table(parent: QWidget) -> QTableView:
    table = QTableView(parent)
    table.setAlternatingRowColors(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.horizontalHeader().setHighlightSections(False)
    return table


def _problem_table(box: QGroupBox, model: ProblemTableModel) -> QTableView:
    """A problems table (the new ones, or the resolved ones) filling ``box``."""
    table = _table(box)
    table.setModel(model)
    header = table.horizontalHeader()
    header.resizeSection(ProblemCol.SEVERITY, 90)
    header.resizeSection(ProblemCol.KIND, 160)
    header.resizeSection(ProblemCol.SUBJECTS, 220)
    header.setStretchLastSection(True)
    QVBoxLayout(box).addWidget(table)
    return table


class WhatIfDialog(QDialog):
    """Asks how many days a release slips and shows what that would move.

    Args:
        release: the release that slips.
        parent: the main window.
        days: the slip to start with.

    Signals:
        impact_requested(str, int): a preview of slipping the release by these days is wanted.
        apply_requested(str, int): the user chose to write the slip.
    """

    impact_requested = Signal(str, int)
    apply_requested = Signal(str, int)

    def __init__(
        self, release: ReleaseRow, parent: QWidget | None = None, *, days: int = DEFAULT_SLIP_DAYS
    ) -> None:
        super().__init__(parent)
        self.setObjectName("whatif-dialog")
        self.release = release
        self.impact: Impact | None = None
        self.setWindowTitle(f"What if {release.key} slips?")
        self.resize(900, 720)

        layout = QVBoxLayout(self)
        heading = QLabel(self)
        heading.setTextFormat(Qt.TextFormat.RichText)
        dates = f"{release.start or '?'} → {release.target or '?'}"
        heading.setText(
            f"<b style='font-size: 115%'>What if {html.escape(release.key)} slips?</b><br>"
            f"{html.escape(release.name)} · planned {dates}"
        )
        layout.addWidget(heading)

        row = QHBoxLayout()
        row.addWidget(QLabel("Slip start and target by", self))
        self.days_spin = QSpinBox(self)
        self.days_spin.setObjectName("slip-days")
        self.days_spin.setRange(-MAX_SLIP_DAYS, MAX_SLIP_DAYS)
        self.days_spin.setValue(days)
        self.days_spin.setSuffix(" days")
        self.days_spin.setToolTip("Days later (negative: earlier); the preview updates as you type")
        row.addWidget(self.days_spin)
        row.addStretch(1)
        layout.addLayout(row)

        self.end_label = QLabel("", self)
        self.end_label.setObjectName("whatif-end")
        self.end_label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.end_label)

        self.moved_model = MovedReleasesModel(self)
        self.moved_box = QGroupBox("Releases that move", self)
        moved_layout = QVBoxLayout(self.moved_box)
        self.moved_table = _table(self.moved_box)
        self.moved_table.setModel(self.moved_model)
        header = self.moved_table.horizontalHeader()
        header.resizeSection(MovedCol.KEY, 150)
        header.setSectionResizeMode(MovedCol.START, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(MovedCol.TARGET, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(MovedCol.DAYS, 70)
        moved_layout.addWidget(self.moved_table)
        note = QLabel(
            "Dates are forecast (early) dates. A release already held back by a dependency "
            "moves less than the slip, or not at all.",
            self.moved_box,
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(placeholder-text);")
        moved_layout.addWidget(note)
        layout.addWidget(self.moved_box, 3)

        self.problems_model = ProblemTableModel(self)
        self.problems_box = QGroupBox("New problems", self)
        self.problems_table = _problem_table(self.problems_box, self.problems_model)
        layout.addWidget(self.problems_box, 2)

        self.resolved_model = ProblemTableModel(self)
        self.resolved_box = QGroupBox("Resolved problems", self)
        self.resolved_box.setObjectName("whatif-resolved")
        self.resolved_box.setToolTip("Problems of the plan as it is that the slip makes go away")
        self.resolved_table = _problem_table(self.resolved_box, self.resolved_model)
        layout.addWidget(self.resolved_box, 2)

        self.status_label = QLabel("", self)
        self.status_label.setObjectName("whatif-status")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)

        buttons = QDialogButtonBox(self)
        self.apply_button = QPushButton("Apply", self)
        self.apply_button.setToolTip("Move these releases as one change (Edit → Undo reverts it)")
        self.apply_button.setEnabled(False)
        buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.ApplyRole)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        # No default button: Enter in the spin box asks for the preview, it never closes or
        # applies (see keyPressEvent).
        for button in (self.apply_button, self.close_button):
            button.setAutoDefault(False)
            button.setDefault(False)
        layout.addWidget(buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RECOMPUTE_DELAY_MS)
        self._timer.timeout.connect(self.request_now)
        self.days_spin.valueChanged.connect(self._on_days_spin_value_changed)
        self.apply_button.clicked.connect(self._on_apply_button_clicked)
        buttons.rejected.connect(self.reject)

    @property
    def days(self) -> int:
        """The slip asked for, in days."""
        return self.days_spin.value()

    @property
    def pending(self) -> bool:
        """Whether the preview shown does not match the days asked for yet."""
        return self.impact is None or self.impact.slip_days != self.days

    @override
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.request_now()
            return
        super().keyPressEvent(event)

    # -- requests ---------------------------------------------------------------------------
    @Slot()
    def request_now(self) -> None:
        """Ask for the preview of the current days at once."""
        self._timer.stop()
        self.status_label.setText("Computing the impact…")
        self.impact_requested.emit(self.release.key, self.days)

    @Slot(int)
    def _on_days_spin_value_changed(self, _days: int) -> None:
        self.apply_button.setEnabled(False)  # until the preview of these days is shown
        self.status_label.setText("Computing the impact…")
        self._timer.start()

    @Slot()
    def _on_apply_button_clicked(self) -> None:
        if self.impact is None or self.pending:
            return
        self.apply_requested.emit(self.release.key, self.impact.slip_days)
        self.accept()

    # -- results ----------------------------------------------------------------------------
    def show_impact(self, impact: Impact) -> None:
        """Show a preview; one for other days than those now asked for is ignored."""
        if impact.release != self.release.key or impact.slip_days != self.days:
            return
        self.impact = impact
        later = (
            impact.end_before is not None
            and impact.end_after is not None
            and impact.end_after > impact.end_before
        )
        color = "#c62828" if later else "#2e7d32"
        self.end_label.setText(
            f"Plan end: <b style='color: {color}'>{html.escape(end_text(impact))}</b>"
        )
        self.moved_model.set_moved(impact.moved, slipped=impact.release)
        self.moved_box.setTitle(f"Releases that move ({len(impact.moved)})")
        self.problems_model.set_problems(impact.new_problems)
        self.problems_box.setTitle(f"New problems ({len(impact.new_problems)})")
        self.resolved_model.set_problems(impact.resolved_problems)
        self.resolved_box.setTitle(
            f"Resolved problems ({len(impact.resolved_problems)}), as they are now"
        )
        if impact.slip_days == 0:
            self.status_label.setText("A slip of 0 days changes nothing.")
        else:
            self.status_label.setText(
                "Nothing has been written yet. Apply moves the releases above as one change."
            )
        self.apply_button.setEnabled(impact.slip_days != 0)

    def show_error(self, text: str) -> None:
        """Say why no preview can be computed (say, a dependency cycle)."""
        self.impact = None
        self.apply_button.setEnabled(False)
        self.moved_model.set_moved([])
        self.problems_model.set_problems([])
        self.resolved_model.set_problems([])
        self.end_label.setText("")
        self.status_label.setText(f"No preview: {text}")
