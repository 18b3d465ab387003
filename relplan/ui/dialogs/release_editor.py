"""The Release editor: name, team, train, status, dates, stages, milestones, gates, work items
and dependencies of one release.

The dialog takes a :class:`~relplan.edits.releases.ReleaseEditorInput` and, on Save, emits
``save_requested`` with a :class:`~relplan.edits.releases.ReleaseEdit`; it never touches the store.
The window stores the edit as one undoable command and calls :meth:`ReleaseEditorDialog.saved`
(closes the dialog) or :meth:`ReleaseEditorDialog.show_error` (keeps it open with the reason).

Gates are approved or rejected with a comment; the decision records who (the OS user) and when
(now, in UTC) and is stored with the next Save. A new dependency is checked against the plan at
once: one that would close a cycle is refused with the cycle, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import replace
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from relplan.domain.lifecycle_codec import MAX_OFFSET_DAYS
from relplan.domain.model import (
    GATE_KINDS,
    RELEASE_STATUSES,
    STAGE_STRATEGIES,
    Dependency,
    Gate,
    Milestone,
    Release,
    Stage,
)
from relplan.domain.rules import open_gates, release_issues
from relplan.edits.releases import ReleaseEdit, ReleaseEditorInput
from relplan.errors import DependencyCycleError, ValidationError
from relplan.store.commands import current_user
from relplan.ui.dialogs.dependencies_panel import DependenciesPanel, release_key
from relplan.ui.dialogs.editor_widgets import Column, EditTable, OptionalDateEdit, confirm
from relplan.ui.dialogs.flags import parse_rollout, rollout_text
from relplan.ui.errors import present_error
from relplan.ui.palette import ERROR_COLOR, OK_COLOR, WARNING_COLOR
from relplan.ui.release_status import confirm_released

_NO_TRAIN: Final = "(no train)"


def utc_now() -> dt.datetime:
    """Now in UTC, to the second (when a gate decision is recorded)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _words(value: str) -> str:
    return value.replace("_", " ")


class ReleaseEditorDialog(QDialog):
    """Edits one release and its dependencies; returns the changes as a value.

    Args:
        data: the release and its surroundings in the plan.
        parent: the owning window.
        user: who decides gates (default: the OS user).
        now: when a gate is decided (default: now in UTC).

    Signals:
        save_requested(ReleaseEdit): Save was pressed with valid changes.
        notes_requested(str): "Release notes…" was pressed (the release key).
    """

    save_requested = Signal(object)
    notes_requested = Signal(str)

    def __init__(
        self,
        data: ReleaseEditorInput,
        parent: QWidget | None = None,
        *,
        user: Callable[[], str] = current_user,
        now: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("release-editor")
        self.data = data
        self._user, self._now = user, now
        release = data.release
        self.setWindowTitle(f"Edit release {release.key}")
        self.resize(860, 620)
        plan = data.plan
        try:
            self._zone: ZoneInfo | None = ZoneInfo(plan.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self._zone = None
        self._environments = [e.name for e in sorted(plan.environments, key=lambda e: e.order)]

        layout = QVBoxLayout(self)
        heading = QLabel(f"{html.escape(release.key)} — {html.escape(release.name)}", self)
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._build_release_tab(release), "&Release")
        self.tabs.addTab(self._build_gates_tab(release), "&Milestones && gates")
        self.tabs.addTab(self._build_items_tab(), f"&Work items ({len(data.work_items)})")
        self.dependencies_panel = DependenciesPanel(
            release, plan, data.dependencies, self._confirm, self
        )
        self.dependencies_panel.count_changed.connect(self._on_dependencies_count_changed)
        self.tabs.addTab(self.dependencies_panel, "&Dependencies")
        layout.addWidget(self.tabs, 1)
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("editor-error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._on_save)
        self.notes_button = self.buttons.addButton(
            "Release &notes…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.notes_button.clicked.connect(lambda: self.notes_requested.emit(release.key))
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._on_dependencies_count_changed(self.dependencies_panel.count())

    # -- construction -----------------------------------------------------------------------
    def _confirm(self, text: str) -> bool:
        return confirm(self, "Release editor", text)

    def _build_release_tab(self, release: Release) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        form = QFormLayout()
        self.name_edit = QLineEdit(release.name, page)
        form.addRow("&Name", self.name_edit)
        self.team_combo = QComboBox(page)
        for team in sorted(self.data.plan.teams, key=lambda t: t.key):
            self.team_combo.addItem(f"{team.name} ({team.key})", team.key)
        self.team_combo.setCurrentIndex(max(self.team_combo.findData(release.team), 0))
        form.addRow("&Team", self.team_combo)
        self.train_combo = QComboBox(page)
        self.train_combo.addItem(_NO_TRAIN, None)
        for train in sorted(self.data.plan.trains, key=lambda t: t.key):
            target = f", target {train.target}" if train.target else ""
            self.train_combo.addItem(f"{train.name} ({train.key}{target})", train.key)
        self.train_combo.setCurrentIndex(max(self.train_combo.findData(release.train), 0))
        form.addRow("T&rain", self.train_combo)
        self.status_combo = QComboBox(page)
        for status in RELEASE_STATUSES:
            self.status_combo.addItem(_words(status), status)
        self.status_combo.setCurrentIndex(max(self.status_combo.findData(release.status), 0))
        form.addRow("&Status", self.status_combo)
        self.start_edit = OptionalDateEdit(release.start, page)
        form.addRow("St&art", self.start_edit)
        self.target_edit = OptionalDateEdit(release.target, page)
        form.addRow("Tar&get", self.target_edit)
        self.monitoring_spin = QSpinBox(page)
        self.monitoring_spin.setRange(0, MAX_OFFSET_DAYS)
        self.monitoring_spin.setSuffix(" days after the target")
        self.monitoring_spin.setValue(release.monitoring_days)
        form.addRow("&Monitoring", self.monitoring_spin)
        layout.addLayout(form)
        box = QGroupBox("Stages (environment windows, both days included)", page)
        inner = QVBoxLayout(box)
        envs = [(name, name) for name in self._environments]
        strategies = [(_words(s), s) for s in STAGE_STRATEGIES]
        self.stages_table = EditTable(
            [
                Column("Environment", "choice", envs, stretch=True),
                Column("Start", "date"),
                Column("End", "date"),
                Column("Strategy", "choice", strategies),
                Column("Rollout (day:percent, …; switch day)"),
            ],
            box,
            confirm=self._confirm,
        )
        for stage in release.stages:
            rollout = rollout_text(stage.steps, stage.switch)
            self.stages_table.add_row(
                [stage.environment, stage.start, stage.end, stage.strategy, rollout]
            )
        inner.addWidget(self.stages_table)
        inner.addLayout(self._row_buttons(self.stages_table, "stage", self._on_add_stage))
        layout.addWidget(box, 1)
        return page

    def _row_buttons(self, table: EditTable, noun: str, add: Callable[[], None]) -> QHBoxLayout:
        row = QHBoxLayout()
        add_button = QPushButton(f"Add {noun}", table)
        add_button.clicked.connect(add)
        remove = QPushButton(f"Remove {noun}", table)
        remove.setToolTip("Remove the selected rows (Delete)")
        remove.clicked.connect(lambda: table.remove_selected())
        row.addWidget(add_button)
        row.addWidget(remove)
        row.addStretch(1)
        return row

    def _build_gates_tab(self, release: Release) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        milestones = QGroupBox("Milestones", page)
        inner = QVBoxLayout(milestones)
        self.milestones_table = EditTable(
            [Column("Name", stretch=True), Column("Date", "date")],
            milestones,
            confirm=self._confirm,
        )
        for milestone in release.milestones:
            self.milestones_table.add_row([milestone.name, milestone.date])
        inner.addWidget(self.milestones_table)
        inner.addLayout(
            self._row_buttons(self.milestones_table, "milestone", self._on_add_milestone)
        )
        layout.addWidget(milestones, 1)

        gates = QGroupBox("Gates (due on the target day)", page)
        inner = QVBoxLayout(gates)
        envs = [("(any)", None), *((name, name) for name in self._environments)]
        self.gates_table = EditTable(
            [
                Column("Name", stretch=True),
                Column("Environment", "choice", envs),
                Column("Kind", "choice", [(k, k) for k in GATE_KINDS]),
                Column("Approvers"),
                Column("Status", "readonly"),
                Column("Decided by", "readonly"),
                Column("Decided at", "readonly"),
                Column("Comment", "readonly"),
            ],
            gates,
            confirm=self._confirm,
        )
        for gate in release.gates:
            self._add_gate_row(gate)
        inner.addWidget(self.gates_table)
        inner.addLayout(self._row_buttons(self.gates_table, "gate", self._on_add_gate))
        decision = QHBoxLayout()
        self.comment_edit = QLineEdit(gates)
        self.comment_edit.setObjectName("gate-comment")
        self.comment_edit.setPlaceholderText("Comment for the decision (needed to reject)")
        decision.addWidget(self.comment_edit, 1)
        self.approve_button = QPushButton("&Approve", gates)
        self.approve_button.setToolTip("Approve the selected gate (recorded with you and now)")
        self.approve_button.clicked.connect(lambda: self.decide("approved"))
        self.reject_button = QPushButton("Re&ject", gates)
        self.reject_button.setToolTip("Reject the selected gate; give the reason as a comment")
        self.reject_button.clicked.connect(lambda: self.decide("rejected"))
        self.reset_button = QPushButton("Reset to pending", gates)
        self.reset_button.clicked.connect(lambda: self.decide("pending"))
        for button in (self.approve_button, self.reject_button, self.reset_button):
            decision.addWidget(button)
        inner.addLayout(decision)
        layout.addWidget(gates, 1)
        return page

    def _add_gate_row(self, gate: Gate) -> None:
        row = self.gates_table.add_row(
            [
                gate.name,
                gate.environment,
                gate.kind,
                ", ".join(gate.approvers),
                *self._decision(gate),
            ],
            data=gate,
        )
        self._color_status(row, gate.status)

    def _color_status(self, row: int, status: str) -> None:
        item = self.gates_table.item(row, 4)
        if item is not None:
            color = {"approved": OK_COLOR, "rejected": ERROR_COLOR}.get(status, WARNING_COLOR)
            item.setForeground(QColor(color))

    def _decision(self, gate: Gate) -> list[str]:
        when = ""
        if gate.decided_at is not None:
            local = gate.decided_at.astimezone(self._zone) if self._zone else gate.decided_at
            when = f"{local:%Y-%m-%d %H:%M}"
        return [_words(gate.status), gate.decided_by or "", when, gate.comment or ""]

    def _build_items_tab(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.items_table = EditTable(
            [
                Column("Key", "readonly"),
                Column("Title", "readonly", stretch=True),
                Column("Type", "readonly"),
                Column("Status", "readonly"),
                Column("Category", "readonly"),
                Column("Points", "readonly"),
            ],
            page,
        )
        for item in self.data.work_items:
            points = "" if item.points is None else f"{item.points:g}"
            self.items_table.add_row(
                [item.key, item.title, item.type, item.status, _words(item.category), points]
            )
        done = sum(i.category == "done" for i in self.data.work_items)
        total = len(self.data.work_items)
        summary = f"{done} of {total} done" if total else "No work items are linked"
        layout.addWidget(QLabel(summary, page))
        layout.addWidget(self.items_table, 1)
        return page

    @Slot(int)
    def _on_dependencies_count_changed(self, count: int) -> None:
        self.tabs.setTabText(3, f"&Dependencies ({count})")

    def dependencies(self) -> list[Dependency]:
        """The dependencies as the Dependencies tab shows them now."""
        return self.dependencies_panel.dependencies()

    def add_dependency(
        self, other: str, *, incoming: bool, type_: str = "FS", lag: int = 0
    ) -> bool:
        """Add a checked dependency (see :meth:`DependenciesPanel.add_dependency`)."""
        return self.dependencies_panel.add_dependency(
            other, incoming=incoming, type_=type_, lag=lag
        )

    # -- rows -------------------------------------------------------------------------------
    @Slot()
    def _on_add_stage(self) -> None:
        start = self.start_edit.date() or dt.date.today()
        end = self.target_edit.date() or start
        env = self._environments[0] if self._environments else ""
        self.stages_table.add_row([env, start, end, "big_bang", ""])

    @Slot()
    def _on_add_milestone(self) -> None:
        day = self.target_edit.date() or dt.date.today()
        row = self.milestones_table.add_row(["New milestone", day])
        item = self.milestones_table.item(row, 0)
        if item is not None:
            self.milestones_table.editItem(item)

    @Slot()
    def _on_add_gate(self) -> None:
        self._add_gate_row(Gate("New gate"))
        row = self.gates_table.rowCount() - 1
        self.gates_table.setCurrentCell(row, 0)
        item = self.gates_table.item(row, 0)
        if item is not None:
            self.gates_table.editItem(item)

    def decide(self, status: str, row: int | None = None) -> bool:
        """Approve, reject or reset the selected gate (or gate ``row``).

        A decision records the user, the time (UTC) and the comment; a rejection needs one.

        Returns:
            Whether the gate was changed.
        """
        row = self.gates_table.currentRow() if row is None else row
        gate = self.gates_table.row_data(row) if row >= 0 else None
        if not isinstance(gate, Gate):
            self.show_message("Select a gate first.")
            return False
        comment = self.comment_edit.text().strip() or None
        if status == "rejected" and comment is None:
            self.show_message("Give the reason for the rejection as a comment.")
            self.comment_edit.setFocus()
            return False
        if status == "pending":
            decided = replace(gate, status=status, decided_by=None, decided_at=None, comment=None)
        else:
            decided = replace(
                gate,
                status=status,
                decided_by=self._user(),
                decided_at=self._now(),
                comment=comment,
            )
        self.gates_table.set_row_data(row, decided)
        for offset, text in enumerate(self._decision(decided)):
            self.gates_table.set_value(row, 4 + offset, text)
        self._color_status(row, status)
        self.comment_edit.clear()
        self.show_message("")
        return True

    # -- result -----------------------------------------------------------------------------
    def release(self) -> Release:
        """The release as the dialog shows it now."""
        old = self.data.release
        stages = tuple(
            Stage(env, start, end, strategy, *parse_rollout(str(rollout)))
            for env, start, end, strategy, rollout in self.stages_table.rows()
        )
        milestones = tuple(
            Milestone(str(name).strip(), day) for name, day in self.milestones_table.rows()
        )
        gates = []
        for row, values in enumerate(self.gates_table.rows()):
            base = self.gates_table.row_data(row)
            gate = base if isinstance(base, Gate) else Gate("")
            approvers = tuple(a.strip() for a in str(values[3]).split(",") if a.strip())
            gates.append(
                replace(
                    gate,
                    name=str(values[0]).strip(),
                    environment=values[1],
                    kind=values[2],
                    approvers=approvers,
                )
            )
        return replace(
            old,
            name=self.name_edit.text().strip(),
            team=self.team_combo.currentData(),
            train=self.train_combo.currentData(),
            status=self.status_combo.currentData(),
            start=self.start_edit.date(),
            target=self.target_edit.date(),
            stages=stages,
            milestones=milestones,
            gates=tuple(gates),
            monitoring_days=self.monitoring_spin.value(),
        )

    def edit(self) -> ReleaseEdit:
        """The changes, as a value for the session to store."""
        return ReleaseEdit(
            self.data.release,
            self.release(),
            tuple(self.data.dependencies),
            tuple(self.dependencies()),
        )

    @Slot()
    def _on_save(self) -> None:
        try:
            edit = self.edit()
        except ValueError as exc:  # a rollout that cannot be read
            self.show_message(f"Cannot save: {exc}")
            return
        issues = [str(i) for i in release_issues(edit.after)]
        if not edit.after.name:
            issues.append("the name cannot be empty")
        stages = edit.after.stages
        issues += [
            f"stage {i + 1} has no environment" for i, s in enumerate(stages) if not s.environment
        ]
        if any(not m.name for m in edit.after.milestones):
            issues.append("a milestone has no name")
        if any(not g.name for g in edit.after.gates):
            issues.append("a gate has no name")
        if issues:
            self.show_message("Cannot save: " + "; ".join(issues))
            return
        if not edit.changed:
            self.accept()
            return
        gates = open_gates(edit.after) if edit.before.status != "released" else ()
        if edit.after.status == "released" and gates:
            confirm_released(self, edit.after.key, gates, lambda: self._submit(edit))
            return
        self._submit(edit)

    def _submit(self, edit: ReleaseEdit) -> None:
        self.buttons.setEnabled(False)
        self.show_message("Saving…", error=False)
        self.save_requested.emit(edit)

    def saved(self) -> None:
        """The save was stored: close."""
        self.buttons.setEnabled(True)
        self.accept()

    def show_error(self, exc: BaseException) -> None:
        """The save was refused: say why and stay open (other errors go to present_error)."""
        self.buttons.setEnabled(True)
        if isinstance(exc, DependencyCycleError):
            path = " → ".join(release_key(node) for node in exc.cycle)
            self.show_message(f"Not saved: a dependency would close a cycle: {path}.")
        elif isinstance(exc, ValidationError):
            self.show_message("Not saved: " + "; ".join(exc.lines()))
        else:
            self.show_message("Not saved.")
            present_error(self, exc)

    def show_message(self, text: str, *, error: bool = True) -> None:
        """Show (or clear) the message under the tabs."""
        self.error_label.setText(text)
        self.error_label.setStyleSheet(f"color: {ERROR_COLOR};" if error else "")
