"""Plan → Level the Plan…: preview the moves of ``relplan level`` and apply them on confirm.

The dialog computes and writes nothing itself. :class:`LevelPreviewer` computes the levelling
on the task runner's DB lane (the same ``level_plan`` as ``relplan level``), and Apply asks the
session to write it (:meth:`WorkspaceSession.level_plan`, the same operation as
``relplan level --apply``: one undoable command).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from relplan.ui.analysis import Clock, LatestOnly, _today
from relplan.ui.models.problems import ProblemCol, ProblemTableModel

if TYPE_CHECKING:
    from relplan.planning.level import Levelling
    from relplan.store.workspace import Workspace
    from relplan.ui.session import WorkspaceSession

__all__ = ["LevelDialog", "LevelPreviewer", "open_level_dialog", "parse_pins", "summary_text"]


def parse_pins(text: str) -> list[str]:
    """The release keys typed in the pin box: separated by commas or spaces, ``release:`` ok."""
    keys = []
    for word in text.replace(",", " ").split():
        key = word.removeprefix("release:")
        if key and key not in keys:
            keys.append(key)
    return keys


def _level(ws: Workspace, pins: list[str], clock: Clock | None) -> Levelling:
    """The levelling of the plan as it is now (DB lane)."""
    from relplan.planning.graph import PlanIndex
    from relplan.planning.level import level_plan

    plan = ws.release_plan()
    index = PlanIndex.from_columns(plan, ws.item_releases(), ws.dependency_rows())
    return level_plan(plan, today=_today(ws, clock), pins=pins, index=index)


class LevelPreviewer(LatestOnly):
    """Computes ``relplan level`` previews on the DB lane; only the newest one is kept
    (:class:`LatestOnly`; ``computed`` carries the :class:`Levelling`). Applying writes
    through the session, as one undoable command."""

    def __init__(
        self,
        session: WorkspaceSession,
        *,
        today: Clock | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(session, today=today, parent=parent)
        self.clock = today

    def request(self, pins: list[str]) -> None:
        """Compute the levelling with these pins, writing nothing."""
        clock = self.clock
        self._run(lambda ws: _level(ws, pins, clock))

    def apply(self, pins: list[str]) -> None:
        """Write the levelling with these pins as one undoable command."""
        clock = self.clock
        self._session.level_plan(pins, lambda ws: _today(ws, clock))


class LevelDialog(QDialog):
    """The preview: moves with their reasons, the problems that remain, pins and Apply.

    Signals:
        level_requested(list): compute the levelling with these pins.
        apply_requested(list): write it with these pins.
        preview_changed(object): the levelling shown now (None: none, e.g. it failed), for
            the Timeline to draw the same moves.
    """

    level_requested = Signal(list)
    apply_requested = Signal(list)
    preview_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Level the Plan")
        self.resize(900, 600)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Later dates that clear dependency violations, freeze conflicts and environment "
            "overbooking. Released, started and pinned releases keep their dates."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        pins = QHBoxLayout()
        pins.addWidget(QLabel("Pin (keep dates):"))
        self.pins_edit = QLineEdit(self)
        self.pins_edit.setPlaceholderText("release keys, separated by commas")
        self.pins_edit.returnPressed.connect(self.request_now)
        pins.addWidget(self.pins_edit, 1)
        self.rerun_button = QPushButton("&Re-run", self)
        self.rerun_button.clicked.connect(self.request_now)
        pins.addWidget(self.rerun_button)
        layout.addLayout(pins)

        self.summary = QLabel("Computing…", self)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)

        moves_box = QGroupBox("Moves", self)
        moves_layout = QVBoxLayout(moves_box)
        self.moves = QTreeWidget(moves_box)
        self.moves.setColumnCount(4)
        self.moves.setHeaderLabels(["Release / reason", "Now", "Levelled", "Days"])
        self.moves.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.moves.setUniformRowHeights(True)
        header = self.moves.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Fixed widths from the font: ResizeToContents measures every row on every insert,
        # seconds for the large demo's 400 moves.
        span = self.moves.fontMetrics().horizontalAdvance("2027-01-04 … 2027-06-02") + 24
        for column, width in ((1, span), (2, span), (3, span // 4)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
        moves_layout.addWidget(self.moves)
        layout.addWidget(moves_box, 3)

        left_box = QGroupBox("Problems that remain", self)
        left_layout = QVBoxLayout(left_box)
        self.problems_model = ProblemTableModel(self)
        self.problems = QTableView(left_box)
        self.problems.setModel(self.problems_model)
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.verticalHeader().setVisible(False)
        header = self.problems.horizontalHeader()
        header.resizeSection(ProblemCol.SEVERITY, 80)
        header.resizeSection(ProblemCol.KIND, 160)
        header.resizeSection(ProblemCol.SUBJECTS, 220)
        header.setStretchLastSection(True)
        left_layout.addWidget(self.problems)
        layout.addWidget(left_box, 2)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.apply_button = self.buttons.addButton("&Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self._on_apply)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.levelling: Levelling | None = None
        #: The pins of the latest request (the levelling shown is, or will be, for them).
        self.requested_pins: list[str] = []

    def pins(self) -> list[str]:
        """The pinned release keys."""
        return parse_pins(self.pins_edit.text())

    def set_pinned(self, key: str, pinned: bool) -> None:
        """Pin ``key`` (or unpin it) and compute the levelling again."""
        pins = [k for k in self.pins() if k != key] + ([key] if pinned else [])
        self.pins_edit.setText(", ".join(pins))
        self.request_now()

    @Slot()
    def request_now(self) -> None:
        """Ask for the levelling with the current pins."""
        self.summary.setText("Computing…")
        self.apply_button.setEnabled(False)
        self.requested_pins = self.pins()
        self.level_requested.emit(self.requested_pins)

    def show_levelling(self, levelling: Levelling) -> None:
        """Show a computed levelling."""
        self.levelling = levelling
        self.moves.setUpdatesEnabled(False)
        self.moves.clear()
        items = []
        for move in levelling.moved:
            top = QTreeWidgetItem(
                [
                    move.key,
                    f"{move.start} … {move.target}",
                    f"{move.new_start} … {move.new_target}",
                    f"+{move.days}",
                ]
            )
            # Spanning the reason over every column would cost ~1 ms a row: the first column
            # stretches instead, and the tooltip holds the whole sentence.
            for reason in move.reasons:
                child = QTreeWidgetItem([reason])
                child.setToolTip(0, reason)
                top.addChild(child)
            items.append(top)
        self.moves.addTopLevelItems(items)
        self.moves.expandAll()
        self.moves.setUpdatesEnabled(True)
        self.problems_model.set_problems(levelling.unresolved)
        self.summary.setText(summary_text(levelling))
        self.apply_button.setEnabled(bool(levelling.moved))
        self.preview_changed.emit(levelling)

    def show_error(self, text: str) -> None:
        """Show why the levelling could not be computed."""
        self.levelling = None
        self.moves.clear()
        self.problems_model.set_problems([])
        self.summary.setText(f"Cannot level the plan: {text}")
        self.apply_button.setEnabled(False)
        self.preview_changed.emit(None)

    @Slot()
    def _on_apply(self) -> None:
        self.apply_requested.emit(self.pins())
        self.accept()


def summary_text(levelling: Levelling) -> str:
    """One line: how many releases move, by how many days, the end, what remains."""
    moved = len(levelling.moved)
    before, after = levelling.end_before, levelling.end_after
    end = (
        "no dated releases"
        if before is None or after is None
        else f"end {before}" + ("" if before == after else f" → {after} (+{_days(before, after)})")
    )
    left = len(levelling.unresolved)
    remain = (
        "no problems remain" if not left else f"{left} problem{'s' if left != 1 else ''} remain"
    )
    return (
        f"{moved} release{'s' if moved != 1 else ''} move, {levelling.total_slip_days} days in "
        f"all; {end}; {remain}"
    )


def _days(before: dt.date, after: dt.date) -> str:
    days = (after - before).days
    return f"{days} day" if days == 1 else f"{days} days"


def open_level_dialog(
    window: Any, previewer: LevelPreviewer, pins: list[str] | None = None
) -> LevelDialog:
    """Open the dialog over ``window`` and wire it to ``previewer`` (one preview at once),
    with ``pins`` pinned."""
    dialog = LevelDialog(window)
    dialog.pins_edit.setText(", ".join(pins or []))
    dialog.level_requested.connect(previewer.request)
    dialog.apply_requested.connect(previewer.apply)

    def failed(exc: BaseException) -> None:
        dialog.show_error(str(exc))

    previewer.computed.connect(dialog.show_levelling)
    previewer.failed.connect(failed)

    def finished() -> None:
        previewer.cancel()
        previewer.computed.disconnect(dialog.show_levelling)
        previewer.failed.disconnect(failed)
        dialog.preview_changed.emit(None)
        dialog.deleteLater()

    dialog.finished.connect(finished)
    dialog.open()
    dialog.request_now()
    return dialog
