"""Sync → Connections… with delivery tools on the real main window (issue #15): add with scope
and Production environments (token to the keyring), Test through ``relplan connection test``'s
steps, remove; and Sync Now refreshes the Dashboard's DORA chart and an open Shipped tab."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from relplan.store import sync_state
from relplan.store.workspace import Workspace
from relplan.sync.credentials import SERVICE, KeyringStore, connection_key
from relplan.sync.delivery.connections import DeliverySpec
from relplan.sync.tracker import ConnectionConfig, Identity
from relplan.ui.dialogs.connections import ConnectionsDialog
from relplan.ui.dialogs.release_shipped import ShippedPanel
from relplan.ui.main_window import MainWindow
from relplan.ui.sync_actions import ConnectionChanges, store_connections
from relplan.ui.tasks import SyncTaskRunner
from relplan.ui.views.dashboard import DashboardView
from tests.helpers.fake_github import FakeGitHub
from tests.helpers.fake_jira import FakeJira
from tests.helpers.memory_keyring import MemoryKeyring, memory_keyring_fixture  # noqa: F401

# The demo's today is 2026-06-01; PAY-2026.09 is one of its releases (in progress).
T0 = dt.datetime(2026, 5, 11, 10, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
RELEASE = "PAY-2026.09"


def _dialog(window: MainWindow, qtbot: Any) -> ConnectionsDialog:
    window.sync_actions.connections_action.trigger()
    qtbot.waitUntil(lambda: window.sync_actions.connections_dialog is not None)
    dialog = window.sync_actions.connections_dialog
    assert isinstance(dialog, ConnectionsDialog)
    return dialog


def _select(dialog: ConnectionsDialog, name: str) -> None:
    rows = [dialog.list.item(i).text().split("  ")[0] for i in range(dialog.list.count())]
    dialog.list.setCurrentRow(rows.index(name))


def _test(dialog: ConnectionsDialog, qtbot: Any) -> str:
    with qtbot.waitSignal(dialog.test_finished, timeout=20_000) as blocker:
        dialog.test_button.click()
    return str(blocker.args[0])


def test_the_form_shows_each_kinds_fields_and_names_them_in_messages(qtbot: Any) -> None:
    jira = ConnectionConfig("acme", "jira_cloud", "https://acme.atlassian.net", user="m@a.com")
    dialog = ConnectionsDialog(
        [jira], submit=SyncTaskRunner().submit, tester=lambda c, t: Identity("x")
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.kind.setCurrentText("github")
    shown = {w for w in (dialog.scope, dialog.email, dialog.delivery.repo) if w.isVisible()}
    assert shown == {dialog.delivery.repo}
    assert dialog.url.placeholderText().startswith("https://api.github.com")
    dialog.name.setText("web")
    dialog.delivery.team_key.setText("PAY")
    dialog.token.setText("gh")
    dialog.add_button.click()
    assert dialog.status.text() == (
        "Production environments: name at least one Production environment; "
        "Repository: github needs --repo"
    )
    dialog.delivery.production.setText("production, prod-eu, production")
    dialog.delivery.repo.setText("acme/app")
    dialog.add_button.click()
    ((spec, token),) = dialog.added_delivery()
    assert (spec.production, spec.scope["repo"], spec.url, token) == (
        ("production", "prod-eu"), "acme/app", None, "gh",
    )  # fmt: skip
    assert dialog.added() == []
    dialog.kind.setCurrentText("jira_incidents")
    assert not dialog.token.isVisible()
    assert not dialog.delivery.production.isVisible()
    choices = [
        dialog.delivery.jira_from.itemText(i) for i in range(dialog.delivery.jira_from.count())
    ]
    assert choices == ["acme"]  # the Jira connections it may read through
    dialog.kind.setCurrentText("gitlab")
    label = dialog.form.labelForField(dialog.project)
    assert label is not None
    assert label.text() == "Project (ID or path)"  # type: ignore[attr-defined]


@pytest.fixture
def hub() -> Iterator[FakeGitHub]:
    with FakeGitHub(token="gh-token") as fake:
        fake.commit("a" * 40, T0 - 30 * H, "PAY-450 start", None)
        fake.commit("b" * 40, T0 + 2 * H, "PAY-451 retry", "a" * 40)
        fake.deploy(1, "a" * 40, T0, ("success", T0), ref=f"v/{RELEASE}-rc1")
        fake.deploy(2, "b" * 40, T0 + 24 * H, ("success", T0 + 24 * H), ref=f"v/{RELEASE}")
        yield fake


def test_add_test_and_remove_a_github_connection_on_the_window(
    qtbot: Any, window: MainWindow, demo_ws: Workspace, memory_keyring: MemoryKeyring,
    hub: FakeGitHub,
) -> None:  # fmt: skip
    dialog = _dialog(window, qtbot)
    dialog.kind.setCurrentText("github")
    for widget, text in (
        (dialog.name, "web"), (dialog.url, hub.url), (dialog.delivery.team_key, "PAY"),
        (dialog.delivery.production, "production"), (dialog.delivery.repo, "acme/app"),
        (dialog.token, "wrong"),
    ):  # fmt: skip
        widget.setText(text)
    # Not stored yet: tested from its fields with the token typed.
    assert _test(dialog, qtbot) == (
        "Credentials rejected: check the token (and the user, for Jenkins)."
    )
    dialog.token.setText("gh-token")
    assert _test(dialog, qtbot) == "Signed in; repository acme/app is readable."
    assert sync_state.connections(demo_ws.conn) == []  # a test stores nothing
    dialog.add_button.click()
    dialog.accept()
    qtbot.waitUntil(lambda: "added web" in window.statusBar().currentMessage(), timeout=10_000)
    (row,) = sync_state.connections(demo_ws.conn)
    assert (row.name, row.kind, row.url) == ("web", "github", hub.url)
    key = connection_key(demo_ws.path, "web")
    assert memory_keyring.secrets[(SERVICE, key)] == "gh-token"
    assert "gh-token" not in row.settings

    # Stored: listed with its kind and fields, tested with the keyring's token.
    dialog = _dialog(window, qtbot)
    assert dialog.list.item(0).text() == "web  (github)"
    _select(dialog, "web")
    assert (dialog.kind.currentText(), dialog.delivery.repo.text()) == ("github", "acme/app")
    hub.requests.clear()
    assert _test(dialog, qtbot) == "Signed in; repository acme/app is readable."
    assert [r.path for r in hub.requests] == ["/repos/acme/app"]
    dialog.remove_button.click()
    dialog.accept()
    qtbot.waitUntil(lambda: sync_state.connections(demo_ws.conn) == [], timeout=10_000)
    assert (SERVICE, key) not in memory_keyring.secrets


def test_a_jira_incidents_connection_reads_through_a_jira_one(
    qtbot: Any, window: MainWindow, demo_ws: Workspace, memory_keyring: MemoryKeyring
) -> None:
    with FakeJira() as jira:
        config = ConnectionConfig(
            "acme", "jira_cloud", jira.url, user=jira.email, jql="project = OPS"
        )
        store_connections(demo_ws, ConnectionChanges([(config, jira.token)], []), KeyringStore())
        secrets = dict(memory_keyring.secrets)
        dialog = _dialog(window, qtbot)
        dialog.kind.setCurrentText("jira_incidents")
        dialog.name.setText("inc")
        dialog.delivery.team_key.setText("PAY")
        dialog.delivery.issue_type.setText("Incident")
        assert dialog.delivery.jira_from.currentText() == "acme"
        assert _test(dialog, qtbot).startswith("Signed in; Jira as ")
        dialog.add_button.click()
        dialog.accept()
        qtbot.waitUntil(lambda: len(sync_state.connections(demo_ws.conn)) == 2, timeout=10_000)
        site = jira.url
    row = sync_state.connection(demo_ws.conn, "inc")
    assert (row.kind, row.url) == ("jira_incidents", site)  # the Jira connection's site
    assert memory_keyring.secrets == secrets  # no token of its own


def test_sync_now_refreshes_the_dora_chart_and_the_open_shipped_tab(
    qtbot: Any, window: MainWindow, demo_ws: Workspace, memory_keyring: MemoryKeyring,
    hub: FakeGitHub,
) -> None:  # fmt: skip
    spec = DeliverySpec("github", "web", hub.url, "PAY", ("production",), {"repo": "acme/app"})
    store_connections(demo_ws, ConnectionChanges([], [], [(spec, "gh-token")]), KeyringStore())
    window.resize(1280, 800)
    window.show_view("Dashboard")
    view = window.dashboard.view
    assert isinstance(view, DashboardView)
    qtbot.waitUntil(lambda: view.charts_fit() and window.runner.idle, timeout=30_000)
    drill = view.dora_drilldown  # type: ignore[attr-defined]
    before = drill.data.dora.overall.deployments
    window.open_release_editor(RELEASE)
    qtbot.waitUntil(lambda: window.editors.release_editor is not None)
    editor = window.editors.release_editor
    assert editor is not None
    panel = editor.findChild(ShippedPanel, "shipped-panel")
    assert panel is not None
    qtbot.waitUntil(lambda: panel.trace is not None)
    assert panel.trace is not None
    assert panel.trace.deployments == ()
    with qtbot.waitSignal(window.sync_actions.panel.sync_finished, timeout=20_000):
        window.sync_actions.sync_now_action.trigger()
    qtbot.waitUntil(
        lambda: drill.data.dora.overall.deployments == before + 2 and window.runner.idle,
        timeout=30_000,
    )
    qtbot.waitUntil(lambda: panel.trace is not None and len(panel.trace.deployments) == 2)
    assert {d.provenance for d in panel.trace.deployments} == {"explicit"}
    assert "2 deployments" in panel.summary.text()
    editor.reject()
