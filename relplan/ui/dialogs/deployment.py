"""A dialog to enter one deployment by hand; it returns a value and never touches the store.

The caller adds what :meth:`DeploymentDialog.deployment` returns with one undoable command, e.g.
``Command("Add deployment", (Edit("deployment", deployment_key(d), None, d),))``, or with
:func:`relplan.formats.deployments_csv.deployments_command` to update one with the same release,
environment and finish time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QDate, QDateTime, QTime, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from relplan.domain.model import DEPLOYMENT_OUTCOMES, Deployment
from relplan.formats.deployments_csv import format_changes, parse_changes
from relplan.metrics.dora import PRODUCTION

_FORMAT = "yyyy-MM-dd HH:mm"
_ERROR_STYLE = "color: #c62828;"


def _qt_time(value: dt.datetime) -> QDateTime:
    """A wall-clock time (its tzinfo ignored) as a QDateTime."""
    return QDateTime(
        QDate(value.year, value.month, value.day), QTime(value.hour, value.minute, value.second)
    )


def _zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


class DeploymentDialog(QDialog):
    """Enter a deployment: release, environment, times, outcome, changes and incident.

    Times are entered in the workspace's planning zone. *OK* is enabled only while the entry is
    valid; the problems are listed under the form.
    """

    def __init__(
        self,
        releases: Sequence[str],
        environments: Sequence[str],
        *,
        timezone: str = "UTC",
        initial: Deployment | None = None,
        now: dt.datetime | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add deployment" if initial is None else "Edit deployment")
        self.setObjectName("deployment-dialog")
        self._zone = _zone(timezone)
        start = (now or dt.datetime.now(self._zone)).astimezone(self._zone)
        start = start.replace(second=0, microsecond=0)

        self.release_combo = QComboBox()
        self.release_combo.addItems(list(releases))
        self.environment_combo = QComboBox()
        self.environment_combo.addItems(list(environments))
        production = [e for e in environments if e.casefold() == PRODUCTION.casefold()]
        if production:
            self.environment_combo.setCurrentText(production[0])
        self.started_check = QCheckBox("Started")
        self.started_check.setChecked(True)
        self.started_edit = self._time_edit(start - dt.timedelta(minutes=20))
        self.finished_edit = self._time_edit(start)
        self.outcome_combo = QComboBox()
        self.outcome_combo.addItems(list(DEPLOYMENT_OUTCOMES))
        self.restored_check = QCheckBox("Restored")
        self.restored_edit = self._time_edit(start + dt.timedelta(minutes=30))
        self.changes_edit = QPlainTextEdit()
        self.changes_edit.setPlaceholderText("one change per line: ID or ID@2026-11-01T16:00Z")
        self.changes_edit.setFixedHeight(80)
        self.incident_edit = QLineEdit()
        self.incident_edit.setPlaceholderText("e.g. INC-1042 (the incident it caused)")
        self.problems_label = QLabel()
        self.problems_label.setObjectName("deployment-problems")
        self.problems_label.setStyleSheet(_ERROR_STYLE)
        self.problems_label.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Release:", self.release_combo)
        form.addRow("Environment:", self.environment_combo)
        form.addRow(self._with_check(self.started_check, self.started_edit))
        form.addRow("Finished:", self.finished_edit)
        form.addRow("Outcome:", self.outcome_combo)
        form.addRow(self._with_check(self.restored_check, self.restored_edit))
        form.addRow("Changes:", self.changes_edit)
        form.addRow("Incident:", self.incident_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Times are in the planning zone ({timezone})."))
        layout.addLayout(form)
        layout.addWidget(self.problems_label)
        layout.addWidget(self.buttons)

        if initial is not None:
            self._load(initial)
        for signal in (
            self.release_combo.currentIndexChanged,
            self.environment_combo.currentIndexChanged,
            self.outcome_combo.currentIndexChanged,
            self.started_check.toggled,
            self.restored_check.toggled,
            self.started_edit.dateTimeChanged,
            self.finished_edit.dateTimeChanged,
            self.restored_edit.dateTimeChanged,
            self.changes_edit.textChanged,
            self.incident_edit.textChanged,
        ):
            signal.connect(self._on_edited)
        self._on_edited()

    # -- building ---------------------------------------------------------------------------
    def _time_edit(self, value: dt.datetime) -> QDateTimeEdit:
        edit = QDateTimeEdit()
        edit.setDisplayFormat(_FORMAT)
        edit.setCalendarPopup(True)
        edit.setDateTime(_qt_time(value))
        return edit

    @staticmethod
    def _with_check(check: QCheckBox, edit: QDateTimeEdit) -> QWidget:
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(check)
        box.addWidget(edit, 1)
        return row

    def _set_time(self, edit: QDateTimeEdit, value: dt.datetime) -> None:
        edit.setDateTime(_qt_time(value.astimezone(self._zone)))

    def _load(self, d: Deployment) -> None:
        self.release_combo.setCurrentText(d.release)
        self.environment_combo.setCurrentText(d.environment)
        self.started_check.setChecked(d.started is not None)
        if d.started is not None:
            self._set_time(self.started_edit, d.started)
        self._set_time(self.finished_edit, d.finished)
        self.outcome_combo.setCurrentText(d.outcome)
        self.restored_check.setChecked(d.restored is not None)
        if d.restored is not None:
            self._set_time(self.restored_edit, d.restored)
        self.changes_edit.setPlainText(format_changes(d.changes).replace(";", "\n"))
        self.incident_edit.setText(d.incident or "")

    # -- reading ----------------------------------------------------------------------------
    def _time(self, edit: QDateTimeEdit) -> dt.datetime:
        value = edit.dateTime()
        day, clock = value.date(), value.time()
        return dt.datetime(
            day.year(), day.month(), day.day(), clock.hour(), clock.minute(), tzinfo=self._zone
        )

    def problems(self) -> list[str]:
        """What keeps the entry from being a valid deployment (empty when it is one)."""
        return self._read()[1]

    def deployment(self) -> Deployment | None:
        """The deployment entered, or None while the entry has problems."""
        return self._read()[0]

    def _read(self) -> tuple[Deployment | None, list[str]]:
        problems: list[str] = []
        release = self.release_combo.currentText()
        environment = self.environment_combo.currentText()
        if not release:
            problems.append("Choose a release.")
        if not environment:
            problems.append("Choose an environment.")
        outcome = self.outcome_combo.currentText()
        started = self._time(self.started_edit) if self.started_check.isChecked() else None
        finished = self._time(self.finished_edit)
        restored = self._time(self.restored_edit) if self.restored_check.isChecked() else None
        if started is not None and finished < started:
            problems.append("Finished is before started.")
        if restored is not None and outcome == "succeeded":
            problems.append("Only a deployment that did not succeed has a restore time.")
        elif restored is not None and restored < finished:
            problems.append("Restored is before finished.")
        lines = self.changes_edit.toPlainText().replace("\n", ";")
        try:
            changes = parse_changes(lines, self._zone)
        except ValueError as exc:
            problems.append(f"Changes: {exc}.")
            changes = ()
        if problems:
            return None, problems
        deployment = Deployment(
            release=release,
            environment=environment,
            started=started,
            finished=finished,
            outcome=outcome,
            restored=restored,
            changes=changes,
            incident=self.incident_edit.text().strip() or None,
        )
        return deployment, []

    @Slot()
    def _on_edited(self) -> None:
        self.started_edit.setEnabled(self.started_check.isChecked())
        failed = self.outcome_combo.currentText() != "succeeded"
        self.restored_check.setEnabled(failed)
        if not failed:
            self.restored_check.setChecked(False)
        self.restored_edit.setEnabled(failed and self.restored_check.isChecked())
        problems = self.problems()
        self.problems_label.setText("\n".join(problems))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not problems)

    @classmethod
    def get_deployment(
        cls,
        parent: QWidget | None,
        releases: Sequence[str],
        environments: Sequence[str],
        *,
        timezone: str = "UTC",
    ) -> Deployment | None:
        """Ask for a deployment; None when cancelled."""
        dialog = cls(releases, environments, timezone=timezone, parent=parent)
        try:
            return dialog.deployment() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
