"""Deployments and the calendar export: Plan → Add Deployment…, Plan → Import Deployments CSV…
and File → Export Calendar….

:class:`PlanActions` adds these entries to the main window's menus. Every read and write runs on
the DB lane through the window's :class:`~relplan.ui.session.WorkspaceSession`; deployments are
stored as one undoable command each time, and the session's refresh re-runs the analyses, so
the Dashboard shows them at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog

from relplan import config
from relplan.ui.analysis import Clock, zone_today
from relplan.ui.dialogs.deployment import DeploymentDialog
from relplan.ui.errors import present_error

if TYPE_CHECKING:
    from relplan.store.workspace import Workspace
    from relplan.ui.actions import WindowActions

CSV_FILTER: Final = "Deployments CSV (*.csv);;All files (*)"
ICS_FILTER: Final = "iCalendar (*.ics);;All files (*)"


@dataclass(frozen=True, slots=True)
class DeploymentChoices:
    """What the deployment dialog offers: release keys, environment names, the planning zone."""

    releases: list[str]
    environments: list[str]
    timezone: str


@dataclass(frozen=True, slots=True)
class CalendarExport:
    """What File → Export Calendar wrote."""

    path: str
    size: int
    kinds: dict[str, int]

    @property
    def events(self) -> int:
        """How many events the file holds."""
        return sum(self.kinds.values())

    def message(self) -> str:
        """The status-bar message."""
        parts = ", ".join(f"{n} {kind}" for kind, n in sorted(self.kinds.items()))
        noun = "event" if self.events == 1 else "events"
        return f"Exported {self.events} {noun} ({parts or 'none'}) to {self.path}"


def deployment_choices(ws: Workspace) -> DeploymentChoices:
    """Read the dialog's choices (DB lane): releases by key, environments in their order."""
    plan = ws.plan()
    environments = [e.name for e in sorted(plan.environments, key=lambda e: e.order)]
    releases = sorted(r.key for r in plan.releases if r.status != "cancelled")
    return DeploymentChoices(releases, environments, ws.timezone)


def export_calendar(
    ws: Workspace,
    path: str,
    *,
    today: dt.date,
    teams: frozenset[str] = frozenset(),
    train: str | None = None,
) -> CalendarExport:
    """Write the workspace's calendar (the teams' and train's part of it) as iCalendar (DB lane).

    Args:
        ws: the workspace.
        path: the file to write (replaced atomically).
        today: the day problems are judged against.
        teams: only these teams' releases (empty: all).
        train: only this train's releases (None: all).

    Returns:
        What was written.

    Raises:
        OSError: the file could not be written.
    """
    from relplan.formats.ics import ExportFilter, export_calendar

    # The same operation as 'relplan export ics' (one writer, streamed, all or nothing).
    size, kinds = export_calendar(ws, path, today=today, selection=ExportFilter(teams, train))
    return CalendarExport(path, size, dict(kinds))


class PlanActions(QObject):
    """The deployment and calendar-export commands of a main window (see the module docs).

    Args:
        window: the main window; its Plan and File menus get the entries.
        today: the window's clock for gate checks (None: today in the planning zone).
    """

    def __init__(self, window: WindowActions, *, today: Clock | None = None) -> None:
        super().__init__(window)
        self.window = window
        self._today = today
        plan = window.plan_menu
        plan.addSeparator()
        self.add_deployment_action = self._add("Add &Deployment…", self.add_deployment)
        self.add_deployment_action.setStatusTip("Record a deployment of a release by hand")
        self.import_deployments_action = self._add(
            "&Import Deployments CSV…", self._on_import_deployments
        )
        self.import_deployments_action.setStatusTip(
            "Add or update deployments from a CSV file (all or nothing)"
        )
        self.export_calendar_action = QAction("Export &Calendar…", window)
        self.export_calendar_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.export_calendar_action.setStatusTip(
            "Save the releases, stages and freezes of the filtered teams as an .ics file"
        )
        self.export_calendar_action.triggered.connect(self._on_export_calendar)
        window.file_menu.insertAction(window.file_exports_end, self.export_calendar_action)

    def _add(self, text: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self.window)
        action.triggered.connect(slot)
        self.window.plan_menu.addAction(action)
        return action

    # -- deployments ------------------------------------------------------------------------
    @Slot()
    def add_deployment(self) -> None:
        """Ask for a deployment (the choices are read first) and store it."""
        self.window.session.read(deployment_choices, self._ask_deployment)

    def _ask_deployment(self, choices: DeploymentChoices) -> None:
        window = self.window
        if not choices.releases or not choices.environments:
            window.show_message("Add a release and an environment before a deployment")
            return
        deployment = DeploymentDialog.get_deployment(
            window, choices.releases, choices.environments, timezone=choices.timezone
        )
        if deployment is not None:
            window.session.add_deployment(deployment)

    @Slot()
    def _on_import_deployments(self) -> None:
        window = self.window
        path, _ = QFileDialog.getOpenFileName(
            window, "Import deployments CSV", window.exchange_path(), CSV_FILTER
        )
        if path:
            config.remember_export_dir(path)
            self.import_deployments(path)

    def import_deployments(self, path: str) -> None:
        """Import a deployments CSV file; every problem line is shown, and nothing written."""
        window = self.window
        window.show_message(f"Importing {Path(path).name}…")
        window.session.import_deployments(path, on_error=lambda exc: present_error(window, exc))

    # -- calendar ---------------------------------------------------------------------------
    @Slot()
    def _on_export_calendar(self) -> None:
        window = self.window
        default = window.exchange_path(f"{window.session.path.stem}.ics")
        path, _ = QFileDialog.getSaveFileName(window, "Export calendar", default, ICS_FILTER)
        if path:
            config.remember_export_dir(path)
            if not Path(path).suffix:
                path += ".ics"
            self.export_calendar(path)

    def export_calendar(self, path: str) -> None:
        """Write the calendar of the releases the filter bar shows (team, train) to ``path``."""
        window = self.window
        teams, train, _environment = window.filter_bar.current()
        clock = self._today

        def job(ws: Workspace) -> CalendarExport:
            today = clock() if clock is not None else zone_today(ws.timezone)
            return export_calendar(ws, path, today=today, teams=teams, train=train)

        window.session.read(
            job,
            lambda export: window.show_message(export.message()),
            lambda exc: present_error(window, exc),
        )
