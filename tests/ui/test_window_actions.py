"""The window's Dashboard tab, deployments, calendar export, About, Sync menu and AUTH box."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import icalendar
import pytest
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QMessageBox, QPushButton

from relplan import __version__
from relplan.domain.model import Deployment
from relplan.errors import SyncError
from relplan.store import sync_state
from relplan.store.workspace import Workspace
from relplan.sync.credentials import SERVICE, KeyringStore, connection_key
from relplan.sync.tracker import ConnectionConfig
from relplan.ui.dialogs.connections import ConnectionsDialog
from relplan.ui.dialogs.deployment import DeploymentDialog
from relplan.ui.errors import present_error
from relplan.ui.main_window import MainWindow
from relplan.ui.sync_actions import ConnectionChanges, store_connections
from relplan.ui.views.dashboard import DashboardView
from tests.helpers.fake_jira import FakeJira
from tests.helpers.memory_keyring import MemoryKeyring, memory_keyring_fixture  # noqa: F401

DEPLOYED = Deployment(
    release="PAY-2026.03",
    environment="Production",
    started=dt.datetime(2026, 5, 28, 9, 40, tzinfo=dt.UTC),
    finished=dt.datetime(2026, 5, 28, 10, 0, tzinfo=dt.UTC),
    outcome="succeeded",
)


def _boxes(window: MainWindow) -> list[QMessageBox]:
    return [b for b in window.findChildren(QMessageBox) if b.isVisible()]


def _deployments(ws: Workspace) -> list[Deployment]:
    return list(ws.plan().deployments)


# -- Dashboard ----------------------------------------------------------------------------------
def test_ctrl_5_shows_the_dashboard_with_data(qtbot: Any, window: MainWindow) -> None:
    assert window.dashboard.view is None  # built when first shown
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view() is window.dashboard
    assert window.view_actions["Dashboard"].isChecked()
    view = window.dashboard.view
    assert isinstance(view, DashboardView)
    qtbot.waitUntil(lambda: view.result is not None, timeout=15000)
    assert view.result is not None
    assert view.result.data.today == window.analyser.latest.today  # type: ignore[union-attr]
    assert len(view.result.data.readiness.releases) > 0
    # The window's filter bar drives it.
    with qtbot.waitSignal(view.result_shown, timeout=15000):
        window.team_filter.setCurrentIndex(window.team_filter.findData("WEB"))
    assert view.result.data.filter.team == "WEB"
    qtbot.waitUntil(lambda: window.runner.idle)


def test_a_hidden_dashboard_catches_up_when_shown(qtbot: Any, sync_window: MainWindow) -> None:
    sync_window.show_view("Dashboard")
    view = sync_window.dashboard.view
    assert view is not None
    assert view.result is not None
    sync_window.show_view("Releases")
    sync_window.train_filter.setCurrentIndex(sync_window.train_filter.findData("2026-Q3"))
    assert view.current_filter.train is None  # not recomputed while hidden
    sync_window.show_view("Dashboard")
    assert view.result.data.filter.train == "2026-Q3"


# -- deployments --------------------------------------------------------------------------------
def test_add_deployment_is_stored_and_undone(
    monkeypatch: pytest.MonkeyPatch, sync_window: MainWindow, demo_ws: Workspace
) -> None:
    asked: list[tuple[list[str], list[str], str]] = []

    def get_deployment(
        parent: Any, releases: list[str], environments: list[str], *, timezone: str
    ) -> Deployment:
        asked.append((list(releases), list(environments), timezone))
        return DEPLOYED

    monkeypatch.setattr(DeploymentDialog, "get_deployment", staticmethod(get_deployment))
    before = _deployments(demo_ws)
    sync_window.show_view("Dashboard")
    view = sync_window.dashboard.view
    assert view is not None
    assert view.result is not None
    shown = view.result.data.dora.overall.deployments
    sync_window.plan_actions.add_deployment_action.trigger()
    releases, environments, zone = asked[0]
    assert "PAY-2026.03" in releases
    assert environments == ["Dev", "QA", "Staging", "Production"]
    assert zone == demo_ws.timezone
    assert DEPLOYED in _deployments(demo_ws)
    assert len(_deployments(demo_ws)) == len(before) + 1
    assert sync_window.undo_action.text() == "&Undo Add deployment"
    # The analyses ran again, so the Dashboard counts it.
    assert DEPLOYED in sync_window.analyser.latest.plan.deployments  # type: ignore[union-attr]
    assert view.result.data.dora.overall.deployments == shown + 1
    sync_window.undo_action.trigger()
    assert len(_deployments(demo_ws)) == len(before)
    assert DEPLOYED not in _deployments(demo_ws)
    assert view.result.data.dora.overall.deployments == shown


def test_cancelled_deployment_stores_nothing(
    monkeypatch: pytest.MonkeyPatch, sync_window: MainWindow, demo_ws: Workspace
) -> None:
    monkeypatch.setattr(DeploymentDialog, "get_deployment", staticmethod(lambda *a, **k: None))
    before = _deployments(demo_ws)
    sync_window.plan_actions.add_deployment()
    assert _deployments(demo_ws) == before


def test_import_deployments_csv(
    tmp_path: Path, sync_window: MainWindow, demo_ws: Workspace
) -> None:
    before = len(_deployments(demo_ws))
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "release,environment,finished\n"
        "NOPE-1,Production,2026-05-28T10:00:00Z\n"
        "PAY-2026.03,Moon,2026-05-28T11:00:00Z\n",
        encoding="utf-8",
    )
    sync_window.plan_actions.import_deployments(str(bad))
    (box,) = _boxes(sync_window)
    assert "problems); nothing was changed" in box.text()
    assert "row 2, column release" in box.informativeText()
    assert "row 3, column environment" in box.informativeText()
    box.close()
    assert len(_deployments(demo_ws)) == before
    good = tmp_path / "good.csv"
    good.write_text(
        "release,environment,finished,outcome\n"
        "PAY-2026.03,Production,2026-05-28T10:00:00Z,succeeded\n"
        "PAY-2026.03,Staging,2026-05-27T10:00:00Z,failed\n",
        encoding="utf-8",
    )
    sync_window.plan_actions.import_deployments(str(good))
    assert len(_deployments(demo_ws)) == before + 2
    assert sync_window.undo_action.text() == "&Undo Import deployments from good.csv"
    assert "2 deployments" in sync_window.statusBar().currentMessage()
    sync_window.undo_action.trigger()
    assert len(_deployments(demo_ws)) == before


# -- calendar -----------------------------------------------------------------------------------
def test_export_calendar_honours_the_team_filter(
    tmp_path: Path, sync_window: MainWindow, demo_ws: Workspace
) -> None:
    sync_window.team_filter.setCurrentIndex(sync_window.team_filter.findData("WEB"))
    out = tmp_path / "web.ics"
    sync_window.plan_actions.export_calendar(str(out))
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    events = list(calendar.walk("VEVENT"))
    releases = [e for e in events if e.categories and e.categories[-1] == "release"]
    expected = [r for r in demo_ws.plan().releases if r.team == "WEB" and r.target is not None]
    assert len(releases) == len(expected) > 0
    assert all("WEB" in str(e["summary"]) for e in releases)
    message = sync_window.statusBar().currentMessage()
    assert message.startswith(f"Exported {len(events)} events (")
    assert f"{len(releases)} release" in message


# -- About --------------------------------------------------------------------------------------
def test_about_names_versions_folders_and_the_keyring(
    sync_window: MainWindow, memory_keyring: MemoryKeyring
) -> None:
    text = sync_window.about_text()
    assert __version__ in text
    assert "MemoryKeyring (priority 1)" in text
    assert qVersion() in text
    assert pyside_version in text
    assert str(sync_window.session.path) in text
    assert "Python:" in text
    assert "secret" not in text.lower()


def test_about_says_when_no_keyring_is_usable(
    monkeypatch: pytest.MonkeyPatch, sync_window: MainWindow
) -> None:
    import keyring.backends.fail

    monkeypatch.setattr("keyring.get_keyring", lambda: keyring.backends.fail.Keyring())
    assert "none usable" in sync_window.about_text()


# -- Sync ---------------------------------------------------------------------------------------
@pytest.fixture
def fake_jira(memory_keyring: MemoryKeyring, demo_ws: Workspace) -> Iterator[FakeJira]:
    with FakeJira() as fake:
        fake.add_project("EE", "Engine")
        fake.add_version("EE", "v9.0", start="2026-06-01", release="2026-07-01")
        for n in range(1, 13):
            fake.add_issue(f"EE-{n}", f"Item {n}", version="v9.0", points=2)
        config = ConnectionConfig(
            "jira", "jira_cloud", fake.url, user=fake.email, jql="project = EE"
        )
        store_connections(demo_ws, ConnectionChanges([(config, fake.token)], []), KeyringStore())
        yield fake


def test_sync_now_imports_and_refreshes_the_table(
    qtbot: Any, fake_jira: FakeJira, window: MainWindow
) -> None:
    rows = window.model.rowCount()
    actions = window.sync_actions
    assert actions.sync_now_action.shortcut().toString() == "Ctrl+Shift+S"
    with qtbot.waitSignal(actions.panel.sync_finished, timeout=20000) as blocker:
        actions.sync_now_action.trigger()
        qtbot.waitUntil(lambda: actions.panel.running, timeout=5000)
        assert actions.dock.isVisible()
    (report,) = blocker.args[0]
    assert report.fetched == 12
    qtbot.waitUntil(lambda: window.model.rowCount() == rows + 1, timeout=10000)
    qtbot.waitUntil(lambda: window.runner.idle and not window.analyser.pending)
    assert window.undo_action.text() == "&Undo Sync jira"
    assert len(window.analyser.latest.plan.work_items) >= 12  # type: ignore[union-attr]


def test_cancel_leaves_the_workspace_unchanged(
    qtbot: Any, fake_jira: FakeJira, window: MainWindow
) -> None:
    fake_jira.delay_s = 0.2
    rows = window.model.rowCount()
    panel = window.sync_actions.panel
    with qtbot.waitSignal(panel.sync_finished, timeout=15000) as blocker:
        window.sync_actions.sync_now()
        qtbot.waitUntil(lambda: "jira:" in panel.label.text(), timeout=5000)
        panel.cancel_button.click()
    assert blocker.args[0] == []
    qtbot.waitUntil(lambda: window.runner.idle)
    assert window.model.rowCount() == rows
    assert "Sync" not in window.undo_action.text()


def test_connections_dialog_stores_added_and_removed(
    qtbot: Any, sync_window: MainWindow, demo_ws: Workspace, memory_keyring: MemoryKeyring
) -> None:
    sync_window.sync_actions.connections_action.trigger()
    dialog = sync_window.sync_actions.connections_dialog
    assert isinstance(dialog, ConnectionsDialog)
    dialog.kind.setCurrentText("jira_cloud")
    dialog.name.setText("acme")
    dialog.url.setText("https://acme.atlassian.net")
    dialog.email.setText("me@acme.com")
    dialog.scope.setText("project = PAY")
    dialog.token.setText("tok-1")
    dialog.add_button.click()
    dialog.accept()
    assert [c.name for c in sync_state.connections(demo_ws.conn)] == ["acme"]
    key = connection_key(demo_ws.path, "acme")
    assert memory_keyring.secrets[(SERVICE, key)] == "tok-1"
    assert "added acme" in sync_window.statusBar().currentMessage()

    sync_window.open_connections()
    dialog = sync_window.sync_actions.connections_dialog
    assert dialog is not None
    dialog.list.setCurrentRow(0)
    dialog.remove_button.click()
    dialog.accept()
    assert sync_state.connections(demo_ws.conn) == []
    assert (SERVICE, key) not in memory_keyring.secrets


def test_rejected_credentials_offer_the_connections_dialog(
    monkeypatch: pytest.MonkeyPatch, sync_window: MainWindow
) -> None:
    opened: list[bool] = []
    monkeypatch.setattr(sync_window.sync_actions, "open_connections", lambda: opened.append(True))
    exc = SyncError(SyncError.AUTH, "credentials rejected by acme (HTTP 401)", status=401)
    present_error(sync_window.table, exc)
    (box,) = _boxes(sync_window)
    assert "credentials rejected" in box.text()
    assert "Connections" in box.informativeText()
    button = box.findChild(QPushButton, "relplan-error-action")
    assert button is not None
    assert button.text() == "Open Connections…"
    button.click()
    assert opened == [True]
