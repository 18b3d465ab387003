"""Dialogs of the release lifecycle: Templates, New Release from Template and New Train (with its
preview); Feature Flags are in :mod:`relplan.ui.dialogs.flags`.

They never touch the store. Each is given a :class:`LifecycleChoices` read on the DB lane and
emits what the user asked for; :mod:`relplan.ui.lifecycle_actions` turns that into one undoable
command through the same edits as the command line. The previews ask the core
(:mod:`relplan.domain.templates`), which is pure and takes well under a millisecond.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from relplan.domain.model import Flag, Template
from relplan.domain.templates import release_from_template, train_plans
from relplan.ui.dialogs.editor_widgets import date_edit, from_qdate
from relplan.ui.dialogs.submission import Submission, error_label

__all__ = [
    "LifecycleChoices",
    "NewReleaseDialog",
    "NewReleaseRequest",
    "NewTrainDialog",
    "NewTrainRequest",
    "TemplatesDialog",
    "template_lines",
]


@dataclass(frozen=True, slots=True)
class LifecycleChoices:
    """What the lifecycle dialogs offer, read on the DB lane."""

    templates: tuple[Template, ...]
    shipped: frozenset[str]
    teams: tuple[str, ...]
    trains: tuple[str, ...]
    environments: tuple[str, ...]
    releases: tuple[str, ...]
    flags: tuple[Flag, ...] = ()
    today: dt.date = field(default_factory=dt.date.today)


@dataclass(frozen=True, slots=True)
class NewReleaseRequest:
    """What New Release from Template asks for (``relplan release new``'s arguments)."""

    key: str
    team: str
    template: str
    target: dt.date
    train: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class NewTrainRequest:
    """What New Train from Template asks for (``relplan train new``'s arguments)."""

    key: str
    target: dt.date
    teams: tuple[str, ...]
    template: str
    every_days: int | None = None
    count: int | None = None
    name: str | None = None


def template_lines(t: Template) -> list[str]:
    """A template described for people, one line per part."""
    lines = [f"{t.name}", f"Monitoring: {t.monitoring_days} days after the target"]
    lines += [
        f"Stage {s.environment}: {s.days} days, ending {s.ends_before_target} days before the "
        f"target ({s.strategy.replace('_', ' ')})"
        for s in t.stages
    ]
    lines += [f"Milestone {m.name}: {m.before_target} days before" for m in t.milestones]
    lines += [
        f"Gate {g.name} ({g.kind}) for {g.environment or 'the release'}"
        + (f", by {', '.join(g.approvers)}" if g.approvers else "")
        for g in t.gates
    ]
    return lines


class TemplatesDialog(QDialog):
    """Lists the templates (shipped and the workspace's own) and shows the selected one.

    Signals:
        add_requested(): Add from File… was pressed (the window asks for the file).
        remove_requested(str): Remove was pressed on a workspace template.
        edit_requested(object, object): ``(template, before)``: New… (None, None), Edit… of a
            workspace template (it, its key) or Duplicate… (a copy, None).
    """

    add_requested = Signal()
    remove_requested = Signal(str)
    edit_requested = Signal(object, object)

    def __init__(self, choices: LifecycleChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Templates")
        self.resize(720, 420)
        self.list = QListWidget(self)
        self.list.setObjectName("templates")
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.new_button = QPushButton("&New…", self)
        self.edit_button = QPushButton("&Edit…", self)
        self.duplicate_button = QPushButton("&Duplicate…", self)
        self.add_button = QPushButton("&Add from File…", self)
        self.remove_button = QPushButton("&Remove", self)
        self.error = error_label(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.list, 1)
        top.addWidget(self.details, 2)
        row = QHBoxLayout()
        for button in (
            self.new_button, self.edit_button, self.duplicate_button, self.add_button,
            self.remove_button,
        ):  # fmt: skip
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addLayout(row)
        self.list.currentRowChanged.connect(self._on_row)
        self.add_button.clicked.connect(self.add_requested)
        self.remove_button.clicked.connect(self._on_remove)
        self.new_button.clicked.connect(lambda: self.edit_requested.emit(None, None))
        self.edit_button.clicked.connect(self._on_edit)
        self.duplicate_button.clicked.connect(self._on_duplicate)
        self.set_choices(choices)

    def set_choices(self, choices: LifecycleChoices) -> None:
        """Show these templates (after a change), keeping the selection where it can."""
        current = self.current_key()
        self._choices = choices
        self.list.clear()
        for t in choices.templates:
            origin = "shipped" if t.key in choices.shipped else "workspace"
            item = QListWidgetItem(f"{t.key}  ({origin})", self.list)
            item.setData(Qt.ItemDataRole.UserRole, t.key)
        keys = [t.key for t in choices.templates]
        self.list.setCurrentRow(keys.index(current) if current in keys else 0)
        self.error.clear()

    def environments(self) -> tuple[str, ...]:
        """The workspace's environments, in order (what a template's stages can use)."""
        return self._choices.environments

    def current_key(self) -> str | None:
        """The selected template's key."""
        item: QListWidgetItem | None = self.list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def show_error(self, text: str) -> None:
        """Show why the last request failed."""
        self.error.setText(text)

    @Slot(int)
    def _on_row(self, row: int) -> None:
        templates = self._choices.templates
        if not 0 <= row < len(templates):
            self.details.setPlainText("")
            for button in (self.remove_button, self.edit_button, self.duplicate_button):
                button.setEnabled(False)
            return
        t = templates[row]
        self.details.setPlainText("\n".join(template_lines(t)))
        own = t.key not in self._choices.shipped
        self.remove_button.setEnabled(own)
        # A shipped template is never changed: duplicate it into one of the workspace's own.
        self.edit_button.setEnabled(own)
        self.duplicate_button.setEnabled(True)

    def _current(self) -> Template | None:
        key = self.current_key()
        return next((t for t in self._choices.templates if t.key == key), None)

    @Slot()
    def _on_edit(self) -> None:
        t = self._current()
        if t is not None and t.key not in self._choices.shipped:
            self.edit_requested.emit(t, t.key)

    @Slot()
    def _on_duplicate(self) -> None:
        t = self._current()
        if t is None:
            return
        taken = {x.key for x in self._choices.templates}
        key = f"{t.key}-copy"
        n = 2
        while key in taken:
            key, n = f"{t.key}-copy{n}", n + 1
        self.edit_requested.emit(replace(t, key=key, name=f"{t.name} (copy)"), None)

    @Slot()
    def _on_remove(self) -> None:
        key = self.current_key()
        if key is not None:
            self.remove_requested.emit(key)


def _combo(parent: QWidget, values: tuple[str, ...], *, optional: bool = False) -> QComboBox:
    combo = QComboBox(parent)
    if optional:
        combo.addItem("(none)", None)
    for v in values:
        combo.addItem(v, v)
    return combo


class NewReleaseDialog(QDialog):
    """Asks for a new release's key, team, template, target, train and name, and previews the
    stages, milestones and gates the template gives.

    Signals:
        submitted(object): OK was pressed with this :class:`NewReleaseRequest`; the dialog stays
            open until :meth:`done_ok` (made) or :meth:`show_error` (refused).
    """

    submitted = Signal(object)

    def __init__(self, choices: LifecycleChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New Release from Template")
        self.resize(560, 460)
        self._choices = choices
        self.key = QLineEdit(self)
        self.team = _combo(self, choices.teams)
        self.template = _combo(self, tuple(t.key for t in choices.templates))
        self.target = date_edit(self, choices.today + dt.timedelta(days=60))
        self.train = _combo(self, choices.trains, optional=True)
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("(key and template)")
        form = QFormLayout()
        form.addRow("&Key", self.key)
        form.addRow("T&eam", self.team)
        form.addRow("&Template", self.template)
        form.addRow("T&arget", self.target)
        form.addRow("T&rain", self.train)
        form.addRow("&Name", self.name)
        self.preview = QPlainTextEdit(self)
        self.preview.setReadOnly(True)
        self.preview.setObjectName("preview")
        self.error = error_label(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        self._submission = Submission(self, self.buttons, self.error)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Preview", self))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        for signal in (
            self.team.currentIndexChanged,
            self.template.currentIndexChanged,
            self.train.currentIndexChanged,
        ):
            signal.connect(self._update)
        self.key.textChanged.connect(self._update)
        self.target.dateChanged.connect(self._update)
        self._update()

    def request(self) -> NewReleaseRequest:
        """What the form holds."""
        return NewReleaseRequest(
            key=self.key.text().strip(),
            team=str(self.team.currentData() or ""),
            template=str(self.template.currentData() or ""),
            target=from_qdate(self.target.date()),
            train=self.train.currentData(),
            name=self.name.text().strip() or None,
        )

    @Slot()
    def _update(self) -> None:
        req = self.request()
        found = {t.key: t for t in self._choices.templates}.get(req.template)
        if found is None:
            self.preview.setPlainText("")
            return
        release = release_from_template(
            found, key=req.key or "KEY", team=req.team, target=req.target, train=req.train
        )
        lines = [f"{release.key}: {release.start} .. {release.target}"]
        lines += [
            f"  {s.environment:<12} {s.start} .. {s.end}  {s.strategy.replace('_', ' ')}"
            for s in release.stages
        ]
        lines += [f"  milestone {m.name}: {m.date}" for m in release.milestones]
        lines += [f"  gate {g.name} ({g.environment or 'release'})" for g in release.gates]
        until = req.target + dt.timedelta(days=release.monitoring_days)
        lines.append(f"  monitoring until {until}")
        self.preview.setPlainText("\n".join(lines))
        self.error.clear()

    @Slot()
    def _on_ok(self) -> None:
        if not self.request().key:
            self.show_error("Give the release a key")
            return
        self._submission.submit(lambda: self.submitted.emit(self.request()))

    def show_error(self, text: str) -> None:
        """Show why the release could not be made; the dialog stays open."""
        self._submission.refuse(text)

    def done_ok(self) -> None:
        """The release was made: close."""
        self._submission.done()


class NewTrainDialog(QDialog):
    """Asks for a train (or a cadenced series) and previews its trains and releases.

    Signals:
        submitted(object): OK was pressed with this :class:`NewTrainRequest`; the dialog stays
            open until :meth:`done_ok` (made) or :meth:`show_error` (refused).
    """

    submitted = Signal(object)

    def __init__(self, choices: LifecycleChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New Train from Template")
        self.resize(620, 520)
        self._choices = choices
        self.key = QLineEdit(self)
        self.target = date_edit(self, choices.today + dt.timedelta(days=60))
        self.template = _combo(self, tuple(t.key for t in choices.templates))
        self.teams = QListWidget(self)
        self.teams.setObjectName("teams")
        for team in choices.teams:
            item = QListWidgetItem(team, self.teams)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.teams.setMaximumHeight(110)
        self.every = QSpinBox(self)
        self.every.setRange(0, 52)
        self.every.setSpecialValueText("one train")
        self.every.setSuffix(" weeks")
        self.count = QSpinBox(self)
        self.count.setRange(1, 100)
        self.count.setValue(4)
        self.name = QLineEdit(self)
        form = QFormLayout()
        form.addRow("&Key", self.key)
        form.addRow("T&arget", self.target)
        form.addRow("&Template", self.template)
        form.addRow("T&eams", self.teams)
        form.addRow("E&very", self.every)
        form.addRow("&Count", self.count)
        form.addRow("&Name", self.name)
        self.preview = QTableWidget(0, 3, self)
        self.preview.setObjectName("preview")
        self.preview.setHorizontalHeaderLabels(["Train", "Target", "Releases"])
        self.preview.horizontalHeader().setStretchLastSection(True)
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.error = error_label(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        self._submission = Submission(self, self.buttons, self.error)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Preview", self))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.key.textChanged.connect(self._update)
        self.target.dateChanged.connect(self._update)
        self.template.currentIndexChanged.connect(self._update)
        self.teams.itemChanged.connect(self._update)
        self.every.valueChanged.connect(self._update)
        self.count.valueChanged.connect(self._update)
        self.name.textChanged.connect(self._update)
        self._update()

    def set_teams(self, teams: list[str]) -> None:
        """Tick these teams (and untick the others)."""
        for row in range(self.teams.count()):
            item = self.teams.item(row)
            state = Qt.CheckState.Checked if item.text() in teams else Qt.CheckState.Unchecked
            item.setCheckState(state)

    def request(self) -> NewTrainRequest:
        """What the form holds."""
        teams = tuple(
            self.teams.item(row).text()
            for row in range(self.teams.count())
            if self.teams.item(row).checkState() == Qt.CheckState.Checked
        )
        series = self.every.value() > 0
        return NewTrainRequest(
            key=self.key.text().strip(),
            target=from_qdate(self.target.date()),
            teams=teams,
            template=str(self.template.currentData() or ""),
            every_days=self.every.value() * 7 if series else None,
            count=self.count.value() if series else None,
            name=self.name.text().strip() or None,
        )

    def show_error(self, text: str) -> None:
        """Show why the train could not be made; the dialog stays open."""
        self._submission.refuse(text)

    @Slot()
    def _update(self) -> None:
        self.count.setEnabled(self.every.value() > 0)
        req = self.request()
        found = {t.key: t for t in self._choices.templates}.get(req.template)
        plans = (
            []
            if found is None
            else train_plans(
                found,
                key=req.key or "KEY",
                target=req.target,
                teams=req.teams,
                every_days=req.every_days,
                count=req.count,
                name=req.name,
            )
        )
        self.preview.setRowCount(len(plans))
        for row, p in enumerate(plans):
            cells = (p.train.key, str(p.train.target), ", ".join(r.key for r in p.releases))
            for col, text in enumerate(cells):
                self.preview.setItem(row, col, QTableWidgetItem(text))
        self.error.clear()

    @Slot()
    def _on_ok(self) -> None:
        req = self.request()
        if not req.key:
            self.show_error("Give the train a key")
        elif not req.teams:
            self.show_error("Tick at least one team")
        else:
            self._submission.submit(lambda: self.submitted.emit(req))

    def done_ok(self) -> None:
        """The trains were made: close."""
        self._submission.done()
