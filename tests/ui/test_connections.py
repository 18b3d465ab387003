"""The Connections dialog and the sync panel, built directly (offscreen)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from relplan.errors import SyncError
from relplan.store import sync_state
from relplan.store.workspace import Workspace
from relplan.sync.credentials import KeyringStore
from relplan.sync.tracker import ConnectionConfig, Identity, Progress
from relplan.ui.dialogs.connections import ConnectionsDialog
from relplan.ui.sync_panel import SyncPanel
from relplan.ui.tasks import SyncTaskRunner, TaskRunner
from tests.helpers.fake_jira import FakeJira
from tests.helpers.memory_keyring import MemoryKeyring, memory_keyring_fixture  # noqa: F401

EXISTING = ConnectionConfig(
    "acme", "jira_cloud", "https://acme.atlassian.net", user="me@acme.com", jql="project = PAY"
)


def fill(dialog: ConnectionsDialog, **values: str) -> None:
    for name, value in values.items():
        if name == "kind":
            dialog.kind.setCurrentText(value)
        else:
            getattr(dialog, name).setText(value)


def test_add_and_remove(qtbot: Any) -> None:
    dialog = ConnectionsDialog(
        [EXISTING], submit=SyncTaskRunner().submit, tester=lambda c, t: Identity("x")
    )
    qtbot.addWidget(dialog)
    fill(
        dialog,
        kind="azure_boards",
        name="ado",
        url="https://dev.azure.com/fab",
        project="Fab",
        team="Web",
        token="pat-9",
    )
    assert not dialog.email.isEnabled()
    assert dialog.project.isEnabled()
    dialog.add_button.click()
    assert [c.name for c in dialog.connections()] == ["acme", "ado"]
    added = dialog.added()
    assert added[0][0].project == "Fab"
    assert added[0][1] == "pat-9"
    dialog.list.setCurrentRow(0)
    assert dialog.name.text() == "acme"
    assert dialog.scope.text() == "project = PAY"
    dialog.remove_button.click()
    assert dialog.removed() == ["acme"]
    fill(
        dialog,
        kind="jira_dc",
        name="dc",
        url="http://jira.corp.example",
        scope="project = X",
        token="t",
    )
    dialog.add_button.click()
    assert "unencrypted" in dialog.status.text()
    assert [c.name for c in dialog.connections()] == ["ado"]


def test_test_connection_runs_off_the_gui_thread(qtbot: Any, runner: TaskRunner) -> None:
    threads: list[str] = []
    release = threading.Event()

    def tester(config: ConnectionConfig, token: str) -> Identity:
        threads.append(threading.current_thread().name)
        release.wait(5)
        return Identity("Mia Krystof", f"{config.user}/{token}")

    dialog = ConnectionsDialog([EXISTING], submit=runner.submit, tester=tester)
    qtbot.addWidget(dialog)
    dialog.list.setCurrentRow(0)
    dialog.token.setText("tok")
    with qtbot.waitSignal(dialog.test_finished, timeout=5000) as blocker:
        dialog.test_button.click()
        # The click returned while the test still runs: the window is not blocked.
        assert dialog.status.text().startswith("Testing")
        assert not dialog.test_button.isEnabled()
        release.set()
    assert blocker.args == ["Signed in as Mia Krystof (me@acme.com/tok)."]
    assert threads
    assert threads[0] != threading.main_thread().name
    assert dialog.test_button.isEnabled()


def test_rejected_credentials_are_worded(qtbot: Any) -> None:
    def tester(config: ConnectionConfig, token: str) -> Identity:
        raise SyncError(SyncError.AUTH, "credentials rejected by x (HTTP 401)", status=401)

    dialog = ConnectionsDialog([EXISTING], submit=SyncTaskRunner().submit, tester=tester)
    qtbot.addWidget(dialog)
    dialog.list.setCurrentRow(0)
    dialog.test_button.click()
    assert dialog.status.text() == "Credentials rejected: check the e-mail and token."


@pytest.fixture
def jira_ws(tmp_path: Path, memory_keyring: MemoryKeyring) -> Iterator[tuple[FakeJira, Workspace]]:
    with FakeJira() as fake, Workspace.open(tmp_path / "p.relplan") as ws:
        fake.add_project("EE", "Engine")
        for n in range(1, 31):
            fake.add_issue(f"EE-{n}", f"Item {n}")
        config = ConnectionConfig(
            "jira", "jira_cloud", fake.url, user=fake.email, jql="project = EE"
        )
        sync_state.save_connection(
            ws.conn,
            sync_state.ConnectionRow(
                "jira", config.kind, config.url, config.settings_json(), "now"
            ),
        )
        KeyringStore().set(config.credential_key, fake.token)
        yield fake, ws


def test_panel_syncs_in_the_background(qtbot: Any, runner: TaskRunner, jira_ws: Any) -> None:
    _fake, ws = jira_ws
    panel = SyncPanel()
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.sync_finished, timeout=10000) as blocker:
        panel.start(runner, ws, ["jira"], KeyringStore())
        assert panel.running
        assert panel.cancel_button.isEnabled()
    reports = blocker.args[0]
    assert reports[0].fetched == 30
    assert not reports[0].changes.empty
    assert "jira: 30 items fetched" in panel.label.text()
    assert not panel.running
    assert not panel.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: runner.idle)


def test_progress_from_a_worker_thread_reaches_the_label(qtbot: Any) -> None:
    panel = SyncPanel()
    qtbot.addWidget(panel)
    panel._token = object()  # type: ignore[assignment]  # as if running
    worker = threading.Thread(
        target=panel.report_progress, args=(Progress("jira", "items", 3, 250, 1000),)
    )
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: "250 of 1000 items" in panel.label.text())
    assert panel.bar.maximum() == 1000
    assert panel.bar.value() == 250
    panel._token = None


def test_cancel_leaves_the_workspace_alone(qtbot: Any, runner: TaskRunner, jira_ws: Any) -> None:
    fake, ws = jira_ws
    fake.delay_s = 0.2
    panel = SyncPanel()
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.sync_finished, timeout=15000) as blocker:
        panel.start(runner, ws, ["jira"], KeyringStore())
        qtbot.waitUntil(lambda: "jira:" in panel.label.text(), timeout=5000)
        started = time.monotonic()
        panel.cancel_button.click()
    assert time.monotonic() - started < 5
    assert blocker.args[0] == []
    assert panel.label.text() == "Sync cancelled; nothing was changed."
    qtbot.waitUntil(lambda: runner.idle)
    assert ws.plan().work_items == ()
    assert sync_state.runs(ws.conn)[0].status == "cancelled"


def test_failure_is_reported(qtbot: Any, jira_ws: Any) -> None:
    fake, ws = jira_ws
    fake.token = "rotated"
    panel = SyncPanel()
    qtbot.addWidget(panel)
    failures: list[BaseException] = []
    panel.sync_failed.connect(failures.append)
    panel.start(SyncTaskRunner(), ws, ["jira"], KeyringStore())
    assert isinstance(failures[0], SyncError)
    assert failures[0].kind == SyncError.AUTH
    assert panel.label.text().startswith("Credentials rejected")
    assert sync_state.runs(ws.conn)[0].status == "failed"
