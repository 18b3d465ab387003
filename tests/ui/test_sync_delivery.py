"""Sync → Sync Now on the main window pulls delivery-tool connections too (in the background)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from relplan.errors import SyncError
from relplan.store import delivery, sync_state
from relplan.store.workspace import Workspace
from relplan.sync.credentials import KeyringStore
from relplan.sync.delivery.connections import add_delivery_connection
from relplan.ui.main_window import MainWindow
from tests.helpers.fake_jenkins import FakeJenkins
from tests.helpers.memory_keyring import MemoryKeyring, memory_keyring_fixture  # noqa: F401

T0 = dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


@pytest.fixture
def jenkins_ws(memory_keyring: MemoryKeyring, demo_ws: Workspace) -> Iterator[FakeJenkins]:
    with FakeJenkins(token="jk") as ci:
        ci.build(1, "SUCCESS", T0, 5, "a" * 40)
        ci.build(2, "FAILURE", T0 + 24 * H, 5, "b" * 40, [("b" * 40, T0 + 2 * H, "PAY-1")])
        add_delivery_connection(
            demo_ws, kind="jenkins", name="ci", url=ci.url, team="PAY", production=("prod",),
            scope={"job": ci.job, "user": ci.user}, token="jk", store=KeyringStore(),
        )  # fmt: skip
        yield ci


def test_sync_now_pulls_a_jenkins_connection(
    qtbot: Any, jenkins_ws: FakeJenkins, window: MainWindow, demo_ws: Workspace
) -> None:
    actions = window.sync_actions
    with qtbot.waitSignal(actions.panel.sync_finished, timeout=20000) as blocker:
        actions.sync_now_action.trigger()
        qtbot.waitUntil(lambda: actions.panel.running, timeout=5000)
    (report,) = blocker.args[0]
    assert report.summary() == "ci: 2 deployments pulled"
    assert "ci: 2 deployments pulled" in actions.panel.label.text()
    qtbot.waitUntil(lambda: window.runner.idle)
    pulled = delivery.load_deployments(demo_ws.conn, "ci")
    assert [d.outcome for d in pulled] == ["succeeded", "failed"]
    assert "Sync" not in window.undo_action.text()  # no plan change to undo


def test_a_rejected_token_is_reported_and_writes_nothing(
    qtbot: Any, jenkins_ws: FakeJenkins, window: MainWindow, demo_ws: Workspace
) -> None:
    jenkins_ws.token = "rotated"
    panel = window.sync_actions.panel
    failures: list[BaseException] = []
    panel.sync_failed.connect(failures.append)
    with qtbot.waitSignal(panel.sync_finished, timeout=20000):
        window.sync_actions.sync_now()
    assert isinstance(failures[0], SyncError)
    assert failures[0].kind == SyncError.AUTH
    assert panel.label.text().startswith("Credentials rejected")
    qtbot.waitUntil(lambda: window.runner.idle)
    assert delivery.load_deployments(demo_ws.conn) == ()
    assert sync_state.runs(demo_ws.conn)[0].status == "failed"
