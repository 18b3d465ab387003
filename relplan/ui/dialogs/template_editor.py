"""The template editor: a release template's stages, milestones and gates as three tables.

The editor only asks. What it builds is read by the same reader as a template file
(:func:`relplan.domain.lifecycle_codec.read_template`), so a cell the reader refuses is named
in words ("Stages, row 2, days: ...") and nothing is sent; saving goes through
:func:`relplan.edits.lifecycle.save_template_command` on the DB lane, one undoable change.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from relplan.domain import codec, lifecycle_codec
from relplan.domain.model import GATE_KINDS, STAGE_STRATEGIES, Template
from relplan.ui.dialogs.submission import Submission, error_label

if TYPE_CHECKING:
    from relplan.errors import Issue

__all__ = ["TemplateEditor", "issue_words"]

_NONE = "(the release)"
_PARTS = {"stages": "Stages", "milestones": "Milestones", "gates": "Gates"}


def issue_words(issue: Issue) -> str:
    """One reader issue in the editor's words: ``stages[1].days`` is "Stages, row 2, days".

    Examples:
        >>> from relplan.errors import Issue
        >>> issue_words(Issue("stages[1].days", "expected a whole number"))
        'Stages, row 2, days: expected a whole number'
        >>> issue_words(Issue("key", "missing"))
        'key: missing'
    """
    found = re.fullmatch(r"(stages|milestones|gates)\[(\d+)\](?:\.(\w+))?", issue.path)
    if found is None:
        return str(issue)
    part, row, field = found.groups()
    where = f"{_PARTS[part]}, row {int(row) + 1}" + (
        f", {field.replace('_', ' ')}" if field else ""
    )
    return f"{where}: {issue.message}"


def _number(text: str) -> Any:
    """A cell's whole number, or its text as typed so that the reader names what is wrong."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        return text


class _Table(QWidget):
    """One part of the template: a table with Add/Remove/Up/Down, some columns as choices."""

    def __init__(
        self,
        headers: tuple[str, ...],
        choices: dict[int, tuple[str, ...]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.headers = headers
        self.choices = choices
        self.table = QTableWidget(0, len(headers), self)
        self.table.setHorizontalHeaderLabels(list(headers))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.verticalHeader().setVisible(True)
        add = QPushButton("&Add Row", self)
        remove = QPushButton("&Remove Row", self)
        up = QPushButton("Move &Up", self)
        down = QPushButton("Move &Down", self)
        add.clicked.connect(lambda: self.add_row(()))
        remove.clicked.connect(self._remove)
        up.clicked.connect(lambda: self._move(-1))
        down.clicked.connect(lambda: self._move(1))
        buttons = QHBoxLayout()
        for b in (add, remove, up, down):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def add_row(self, values: tuple[str, ...]) -> None:
        """Append a row with these cell texts (missing ones: the column's first choice or "")."""
        row = self.table.rowCount()
        self.table.insertRow(row)
        self._fill(row, values)
        self.table.setCurrentCell(row, 0)

    def _fill(self, row: int, values: tuple[str, ...]) -> None:
        for col in range(len(self.headers)):
            value = values[col] if col < len(values) else ""
            if col in self.choices:
                combo = QComboBox(self.table)
                combo.addItems(list(self.choices[col]))
                combo.setEditable(False)
                if value in self.choices[col]:
                    combo.setCurrentText(value)
                self.table.setCellWidget(row, col, combo)
            else:
                self.table.setItem(row, col, QTableWidgetItem(value))

    def row_values(self, row: int) -> tuple[str, ...]:
        """The texts of one row, choices included."""
        values = []
        for col in range(len(self.headers)):
            widget = self.table.cellWidget(row, col)
            if isinstance(widget, QComboBox):
                values.append(widget.currentText())
            else:
                item = self.table.item(row, col)
                values.append("" if item is None else item.text())
        return tuple(values)

    def rows(self) -> list[tuple[str, ...]]:
        """Every row's texts, top to bottom."""
        return [self.row_values(r) for r in range(self.table.rowCount())]

    @Slot()
    def _remove(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def _move(self, step: int) -> None:
        row = self.table.currentRow()
        other = row + step
        if row < 0 or not 0 <= other < self.table.rowCount():
            return
        mine, theirs = self.row_values(row), self.row_values(other)
        self._fill(row, theirs)
        self._fill(other, mine)
        self.table.setCurrentCell(other, self.table.currentColumn())


class TemplateEditor(QDialog):
    """Edits one release template: key, name, monitoring days, stages, milestones and gates.

    Args:
        template: the template to start from (None: a new one with a Production stage).
        before: the workspace template being replaced (None: the editor adds a template).
        environments: the workspace's environments, in order (the stage and gate choices).

    Signals:
        save_requested(object, object): ``(before, template)``, for
            :func:`relplan.edits.lifecycle.save_template_command`.
    """

    save_requested = Signal(object, object)

    def __init__(
        self,
        template: Template | None,
        before: str | None,
        environments: tuple[str, ...],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.before = before
        title = f"Edit Template {before}" if before else "New Template"
        self.setWindowTitle(title)
        self.resize(760, 520)
        self.key = QLineEdit(self)
        self.key.setObjectName("key")
        self.name = QLineEdit(self)
        self.monitoring = QSpinBox(self)
        self.monitoring.setRange(0, lifecycle_codec.MAX_OFFSET_DAYS)
        self.monitoring.setSuffix(" days")
        form = QFormLayout()
        form.addRow("&Key", self.key)
        form.addRow("&Name", self.name)
        form.addRow("&Monitoring after release", self.monitoring)
        envs = environments or ("Production",)
        self.stages = _Table(
            ("Environment", "Days", "Ends (days before target)", "Strategy"),
            {0: envs, 3: STAGE_STRATEGIES},
            self,
        )
        self.milestones = _Table(("Name", "Days before target"), {}, self)
        self.gates = _Table(
            ("Name", "Environment", "Kind", "Approvers (comma-separated)"),
            {1: (_NONE, *envs), 2: GATE_KINDS},
            self,
        )
        tabs = QTabWidget(self)
        tabs.addTab(self.stages, "&Stages")
        tabs.addTab(self.milestones, "M&ilestones")
        tabs.addTab(self.gates, "&Gates")
        self.preview = QPlainTextEdit(self)
        self.preview.setReadOnly(True)
        self.preview.setMaximumHeight(110)
        self.error = error_label(self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self._submission = Submission(self, self.save_button, self.error)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(tabs, 1)
        layout.addWidget(QLabel("Summary:", self))
        layout.addWidget(self.preview)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._load(template, envs)
        for table in (self.stages, self.milestones, self.gates):
            table.table.itemChanged.connect(self._update)
            table.table.model().rowsInserted.connect(self._update)
            table.table.model().rowsRemoved.connect(self._update)
        self.key.textChanged.connect(self._update)
        self.name.textChanged.connect(self._update)
        self.monitoring.valueChanged.connect(self._update)
        self._update()

    def _load(self, template: Template | None, envs: tuple[str, ...]) -> None:
        if template is None:
            self.stages.add_row((envs[-1], "1", "0", "big_bang"))
            return
        self.key.setText(template.key)
        self.name.setText(template.name)
        self.monitoring.setValue(template.monitoring_days)
        for s in template.stages:
            self.stages.add_row((s.environment, str(s.days), str(s.ends_before_target), s.strategy))
        for m in template.milestones:
            self.milestones.add_row((m.name, str(m.before_target)))
        for g in template.gates:
            self.gates.add_row((g.name, g.environment or _NONE, g.kind, ", ".join(g.approvers)))

    def document(self) -> dict[str, Any]:
        """The template as the JSON a template file holds (what the reader checks)."""
        return {
            "key": self.key.text().strip(),
            "name": self.name.text().strip(),
            "stages": [
                {
                    "environment": env,
                    "days": _number(days),
                    "ends_before_target": _number(ends or "0"),
                    "strategy": strategy,
                }
                for env, days, ends, strategy in self.stages.rows()
            ],
            "milestones": [
                {"name": name.strip(), "before_target": _number(before or "0")}
                for name, before in self.milestones.rows()
            ],
            "gates": [
                {
                    "name": name.strip(),
                    "environment": None if env == _NONE else env,
                    "kind": kind,
                    "approvers": [a.strip() for a in approvers.split(",") if a.strip()],
                }
                for name, env, kind, approvers in self.gates.rows()
            ],
            "monitoring_days": self.monitoring.value(),
        }

    def template(self) -> tuple[Template | None, list[str]]:
        """The template the editor shows, or None and every problem in the editor's words."""
        dec = codec.Decoder()
        template = lifecycle_codec.read_template(dec, self.document(), "")
        problems = [issue_words(i) for i in dec.issues]
        return (None if problems else template), problems

    @Slot()
    def _update(self, *_args: object) -> None:
        from relplan.ui.dialogs.lifecycle import template_lines

        template, problems = self.template()
        if template is None:
            self.preview.setPlainText("")
            self.error.setText("\n".join(problems[:4]))
        else:
            self.preview.setPlainText("\n".join(template_lines(template)))
            self.error.clear()
        self.save_button.setEnabled(template is not None)

    @Slot()
    def _on_save(self) -> None:
        template, problems = self.template()
        if template is None:
            self.error.setText("\n".join(problems[:4]))
            return
        self._submission.submit(lambda: self.save_requested.emit(self.before, template))

    def show_error(self, text: str) -> None:
        """The workspace refused the template: say why and let the user fix it."""
        self._submission.refuse(text)

    def done_ok(self) -> None:
        """Saved: close."""
        self._submission.done()
