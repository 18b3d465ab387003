"""Sync → Push Changes…, Sync → Conflicts… and the Sync menu's badge, on the real window (#14).

The window runs the real task runner against a fake Jira Cloud server; every test drives the
window as a person would (menu actions, buttons) and checks what the fake server saw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from relplan.store import sync_state
from relplan.store.commands import Command, Edit
from relplan.store.entities import TABLES
from relplan.store.workspace import Workspace
from relplan.sync import engine, push
from relplan.sync.azure import AzureTracker
from relplan.sync.credentials import KeyringStore
from relplan.sync.jira import JiraTracker
from relplan.sync.ratelimit import RetryPolicy
from relplan.sync.tracker import ConnectionConfig, Tracker
from relplan.ui.dialogs.push_changes import NO_CONNECTION, PushChangesDialog
from relplan.ui.main_window import MainWindow
from relplan.ui.sync_actions import ConnectionChanges, store_connections
from relplan.ui.tasks import TaskRunner
from tests.helpers.fake_azure import FakeAzure
from tests.helpers.fake_jira import FakeJira
from tests.helpers.memory_keyring import MemoryKeyring, memory_keyring_fixture  # noqa: F401
from tests.ui.conftest import make_window

FAST = RetryPolicy(max_retries=2, base_delay_s=0.01, max_delay_s=1)


def fast(_kind: str) -> Tracker:
    return JiraTracker(policy=FAST)  # type: ignore[return-value]


@pytest.fixture
def fake(memory_keyring: MemoryKeyring, demo_ws: Workspace) -> Iterator[FakeJira]:
    """A fake Jira Cloud with one project synced into the demo workspace, push on."""
    with FakeJira() as jira:
        jira.add_project("EE", "Engine")
        jira.add_version("EE", "v9.0", start="2026-06-01", release="2026-07-01")
        jira.add_version("EE", "v9.1", start="2026-07-02", release="2026-08-01")
        for n in range(1, 5):
            jira.add_issue(f"EE-{n}", f"Item {n}", version="v9.0", points=2)
        config = ConnectionConfig(
            "jira", "jira_cloud", jira.url, user=jira.email, jql="project = EE"
        )
        store_connections(demo_ws, ConnectionChanges([(config, jira.token)], []), KeyringStore())
        engine.run_sync(demo_ws, "jira", KeyringStore(), tracker=fast("jira_cloud"))
        push.set_push(demo_ws, "jira", True)
        yield jira


@pytest.fixture
def win(qtbot: Any, fake: FakeJira, demo_ws: Workspace, runner: TaskRunner) -> Iterator[MainWindow]:
    window = make_window(qtbot, demo_ws, runner)
    window.push_actions.tracker_for = fast
    qtbot.waitUntil(lambda: runner.idle)
    yield window
    window.session.close()
    qtbot.waitUntil(lambda: runner.idle)


def edit(ws: Workspace, entity: str, key: str, **changes: Any) -> None:
    before = TABLES[entity].load(ws.conn, [key])[key]
    with ws.write():
        ws.execute(Command(f"Edit {key}", (Edit(entity, key, before, replace(before, **changes)),)))


def version(fake: FakeJira, name: str) -> dict[str, Any]:
    return next(v for v in fake.versions["EE"] if v["name"] == name)


def writes(fake: FakeJira) -> list[tuple[str, str, Any]]:
    return [(r.method, r.path, r.body) for r in fake.requests if r.method == "PUT"]


def open_preview(qtbot: Any, window: MainWindow) -> PushChangesDialog:
    actions = window.push_actions
    assert actions.push_action in window.sync_actions.menu.actions()
    actions.push_action.trigger()
    dialog = actions.push_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.running, timeout=15000)
    return dialog


def confirm(qtbot: Any, window: MainWindow, dialog: PushChangesDialog) -> None:
    with qtbot.waitSignal(dialog.pushed, timeout=20000):
        dialog.push_button.click()
    qtbot.waitUntil(lambda: window.runner.idle)


def rows(dialog: PushChangesDialog) -> list[tuple[str, ...]]:
    return [tuple(dialog.model.row(n)) for n in range(dialog.model.rowCount())]


def test_preview_lists_changes_and_push_writes_them(
    qtbot: Any, fake: FakeJira, demo_ws: Workspace, win: MainWindow
) -> None:
    win.session.edit_release("EE-v9.0", {"target": dt.date(2026, 7, 10)})
    qtbot.waitUntil(lambda: win.runner.idle)
    edit(demo_ws, "work_item", "EE-2", release="EE-v9.1")
    dialog = open_preview(qtbot, win)
    assert rows(dialog) == [
        ("jira", "version v9.0", "releaseDate", "2026-07-01", "2026-07-10", "to push"),
        ("jira", "issue EE-2", "fixVersions", "EE-v9.0", "EE-v9.1", "to push"),
    ]
    assert dialog.header.text() == "jira: 2 changes"
    assert dialog.push_button.isEnabled()
    assert dialog.push_button.text() == "Push 2 Changes"
    assert writes(fake) == []  # nothing is written before Push
    confirm(qtbot, win, dialog)
    assert version(fake, "v9.0")["releaseDate"] == "2026-07-10"
    issue = fake.issues[fake.key_to_id("EE-2")]
    assert [v["name"] for v in issue["fields"]["fixVersions"]] == ["v9.1"]
    assert [r[-1] for r in rows(dialog)] == ["written", "written"]
    assert "jira: 2 written" in dialog.status.text()
    assert "jira: 2 written" in win.statusBar().currentMessage()
    dialog.close_button.click()
    assert win.push_actions.push_dialog is None
    # A second push has nothing to write.
    again = open_preview(qtbot, win)
    assert rows(again) == []
    assert not again.push_button.isEnabled()
    assert again.header.text() == "jira: nothing to push"


def test_remote_change_between_preview_and_confirm_is_a_conflict(
    qtbot: Any, fake: FakeJira, demo_ws: Workspace, win: MainWindow
) -> None:
    menu = win.sync_actions.menu
    assert menu.title() == "&Sync"
    edit(demo_ws, "release", "EE-v9.0", target=dt.date(2026, 7, 10), start=dt.date(2026, 6, 3))
    dialog = open_preview(qtbot, win)
    assert len(rows(dialog)) == 2
    version(fake, "v9.0")["releaseDate"] = "2026-07-20"  # while the preview is open
    confirm(qtbot, win, dialog)
    assert version(fake, "v9.0")["releaseDate"] == "2026-07-20"  # not overwritten
    assert version(fake, "v9.0")["startDate"] == "2026-06-03"
    assert sorted(r[-1] for r in rows(dialog)) == ["conflict: remote now 2026-07-20", "written"]
    assert "1 conflict(s)" in dialog.status.text()
    qtbot.waitUntil(lambda: menu.title() == "&Sync (1)", timeout=5000)
    assert win.push_actions.conflicts_action.text() == "Con&flicts (1)…"


def test_push_off_says_how_to_turn_it_on_and_writes_nothing(
    qtbot: Any, fake: FakeJira, demo_ws: Workspace, win: MainWindow
) -> None:
    push.set_push(demo_ws, "jira", False)
    edit(demo_ws, "release", "EE-v9.0", target=dt.date(2026, 7, 10))
    fake.requests.clear()
    dialog = open_preview(qtbot, win)
    assert "relplan connection set jira --push on" in dialog.header.text()
    assert [r[-1] for r in rows(dialog)] == ["push off"]
    assert not dialog.push_button.isEnabled()
    dialog.push_button.click()
    qtbot.wait(50)
    assert fake.requests == []


def test_a_401_is_one_line_and_names_what_was_not_written(
    qtbot: Any, fake: FakeJira, demo_ws: Workspace, win: MainWindow
) -> None:
    edit(demo_ws, "release", "EE-v9.0", target=dt.date(2026, 7, 10))
    dialog = open_preview(qtbot, win)
    fake.fail("/version", 401, times=10)  # reads and writes
    confirm(qtbot, win, dialog)
    text = dialog.status.text()
    assert len(text.splitlines()) == 1
    assert "1 not written" in text
    assert "credentials rejected (401)" in text
    assert [r[-1] for r in rows(dialog)] == ["not written"]
    assert writes(fake) == []


def test_unreachable_tracker_in_the_preview_is_one_line(
    qtbot: Any, fake: FakeJira, demo_ws: Workspace, win: MainWindow
) -> None:
    edit(demo_ws, "release", "EE-v9.0", target=dt.date(2026, 7, 10))
    fake.stop()
    dialog = open_preview(qtbot, win)
    assert "reading the tracker failed: the tracker could not be reached" in dialog.header.text()
    assert not dialog.push_button.isEnabled()


def test_cancel_during_the_push_reports_what_was_not_written(
    qtbot: Any, fake: FakeJira, demo_ws: Workspace, win: MainWindow
) -> None:
    # One object's fields go one after another: cancel lands between them.
    edit(
        demo_ws, "release", "EE-v9.0",
        start=dt.date(2026, 6, 3), target=dt.date(2026, 7, 10), status="released",
    )  # fmt: skip
    dialog = open_preview(qtbot, win)
    fake.delay_s = 0.3
    with qtbot.waitSignal(dialog.pushed, timeout=20000):
        dialog.push_button.click()
        assert dialog.running
        assert not dialog.close_button.isEnabled()
        qtbot.waitUntil(lambda: "Pushing jira: 1 of 3" in dialog.status.text(), timeout=10000)
        dialog.cancel_button.click()
    text = dialog.status.text()
    assert "stopped: cancelled" in text
    assert "not written" in text
    states = [r[-1] for r in rows(dialog)]
    assert "not written" in states
    assert states.count("written") == len(writes(fake)) < 3
    assert dialog.close_button.isEnabled()


def test_escape_while_pushing_cancels_then_closes(
    qtbot: Any, fake: FakeJira, demo_ws: Workspace, win: MainWindow
) -> None:
    edit(
        demo_ws, "release", "EE-v9.0",
        start=dt.date(2026, 6, 3), target=dt.date(2026, 7, 10), status="released",
    )  # fmt: skip
    dialog = open_preview(qtbot, win)
    fake.delay_s = 0.3
    dialog.push_button.click()
    qtbot.waitUntil(lambda: "Pushing jira: 1 of 3" in dialog.status.text(), timeout=10000)
    dialog.reject()  # Escape
    assert dialog.isVisible()  # still running: cancelling first
    qtbot.waitUntil(lambda: win.push_actions.push_dialog is None, timeout=10000)
    qtbot.waitUntil(lambda: win.runner.idle)
    assert 1 <= len(writes(fake)) < 3
    # The writes made are recorded as one command (Undo names it).
    assert win.undo_action.text().startswith("&Undo Push jira:")


def make_conflicts(qtbot: Any, fake: FakeJira, demo_ws: Workspace, win: MainWindow) -> None:
    """Three push conflicts: v9.0's start and target, and EE-1's release."""
    edit(demo_ws, "release", "EE-v9.0", target=dt.date(2026, 7, 10), start=dt.date(2026, 6, 3))
    edit(demo_ws, "work_item", "EE-1", release="EE-v9.1")
    dialog = open_preview(qtbot, win)
    version(fake, "v9.0")["releaseDate"] = "2026-07-20"
    version(fake, "v9.0")["startDate"] = "2026-06-05"
    fake.update_issue("EE-1", version="v9.1")
    version(fake, "v9.1")["name"] = "v9.1"
    fake.issues[fake.key_to_id("EE-1")]["fields"]["fixVersions"] = []
    confirm(qtbot, win, dialog)
    dialog.close_button.click()
    qtbot.waitUntil(lambda: win.sync_actions.menu.title() == "&Sync (3)", timeout=5000)


def test_conflicts_panel_resolves_each_way_and_the_badge_follows(
    qtbot: Any, fake: FakeJira, demo_ws: Workspace, win: MainWindow
) -> None:
    make_conflicts(qtbot, fake, demo_ws, win)
    actions = win.push_actions
    actions.conflicts_action.trigger()
    panel = actions.conflicts_dialog
    assert panel is not None
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3, timeout=5000)
    shown = {panel.model.row(n)[2]: tuple(panel.model.row(n)) for n in range(3)}
    assert shown["target"][3:6] == ("2026-07-10", "2026-07-20", "2026-07-01")
    assert shown["start"][3:6] == ("2026-06-03", "2026-06-05", "2026-06-01")
    assert shown["release"][3:6] == ("EE-v9.1", "(none)", "EE-v9.0")
    menu = win.sync_actions.menu

    def choose(field: str) -> None:
        fields = [v.field for v in panel.views]
        panel.table.selectRow(fields.index(field))

    # Keep remote: taken here as one undoable change.
    choose("target")
    panel.remote_button.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2 and win.runner.idle, timeout=5000)
    release = TABLES["release"].load(demo_ws.conn, ["EE-v9.0"])["EE-v9.0"]
    assert release.target == dt.date(2026, 7, 20)
    qtbot.waitUntil(lambda: menu.title() == "&Sync (2)", timeout=5000)
    assert win.undo_action.text() == "&Undo Resolve EE-v9.0 target (remote)"
    win.undo_action.trigger()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3 and win.runner.idle, timeout=5000)
    qtbot.waitUntil(lambda: menu.title() == "&Sync (3)", timeout=5000)
    assert TABLES["release"].load(demo_ws.conn, ["EE-v9.0"])["EE-v9.0"].target == dt.date(
        2026, 7, 10
    )
    choose("target")
    panel.remote_button.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2 and win.runner.idle, timeout=5000)
    # Keep local: pushed on the next push.
    choose("start")
    panel.local_button.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1 and win.runner.idle, timeout=5000)
    # Edit: a bad value is one line and changes nothing; a good one becomes the local value.
    choose("release")
    assert panel.value_edit.text() == "EE-v9.1"
    panel.value_edit.setText("EE-nope")
    panel.edit_button.click()
    qtbot.waitUntil(lambda: "no release 'EE-nope'" in panel.status.text(), timeout=5000)
    assert panel.model.rowCount() == 1
    panel.value_edit.setText("EE-v9.0")
    panel.edit_button.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0 and win.runner.idle, timeout=5000)
    assert panel.summary.text() == "No open conflicts."
    qtbot.waitUntil(lambda: menu.title() == "&Sync", timeout=5000)
    # The next push writes the kept and the edited values, and nothing else.
    fake.requests.clear()
    dialog = open_preview(qtbot, win)
    assert sorted(r[2] for r in rows(dialog)) == ["fixVersions", "startDate"]
    confirm(qtbot, win, dialog)
    assert version(fake, "v9.0")["startDate"] == "2026-06-03"
    assert version(fake, "v9.0")["releaseDate"] == "2026-07-20"
    issue = fake.issues[fake.key_to_id("EE-1")]
    assert [v["name"] for v in issue["fields"]["fixVersions"]] == ["v9.0"]


def test_badge_counts_a_conflict_found_by_sync_now(
    qtbot: Any, fake: FakeJira, demo_ws: Workspace, win: MainWindow
) -> None:
    win.session.edit_release("EE-v9.0", {"target": dt.date(2026, 7, 10)})
    qtbot.waitUntil(lambda: win.runner.idle)
    version(fake, "v9.0")["releaseDate"] = "2026-07-20"
    fake.tick()
    panel = win.sync_actions.panel
    with qtbot.waitSignal(panel.sync_finished, timeout=20000):
        win.sync_actions.sync_now_action.trigger()
    qtbot.waitUntil(lambda: win.sync_actions.menu.title() == "&Sync (1)", timeout=5000)


def test_badge_shows_conflicts_left_from_before_at_start(
    qtbot: Any, fake: FakeJira, demo_ws: Workspace, runner: TaskRunner
) -> None:
    push.set_push(demo_ws, "jira", True)
    edit(demo_ws, "release", "EE-v9.0", target=dt.date(2026, 7, 10))
    version(fake, "v9.0")["releaseDate"] = "2026-07-20"
    push._store(demo_ws, replace(engine.load_config(demo_ws, "jira"), push_previewed=True))
    push.run_push(demo_ws, "jira", KeyringStore(), tracker=fast("jira_cloud"))  # type: ignore[arg-type]
    window = make_window(qtbot, demo_ws, runner)
    qtbot.waitUntil(lambda: window.sync_actions.menu.title() == "&Sync (1)", timeout=5000)
    window.session.close()
    qtbot.waitUntil(lambda: runner.idle)


# -- Azure Boards -----------------------------------------------------------------------------
@pytest.fixture
def ado(memory_keyring: MemoryKeyring, demo_ws: Workspace) -> Iterator[FakeAzure]:
    """A fake Azure Boards project synced into the demo workspace, push on."""
    with FakeAzure() as org:
        org.add_iteration("Sprint 1", "2026-06-01", "2026-06-12", "current")
        org.add_iteration("Sprint 2", "2026-06-15", "2026-06-26", "future")
        org.add_item("Checkout", iteration="Sprint 1", area="Web", points=5)
        org.add_item("Refunds", iteration="Sprint 1", area="Web", points=3)
        config = ConnectionConfig(
            "ado", "azure_boards", org.url, project=org.project, team=org.team,
            wiql="[System.State] <> 'Removed'",
        )  # fmt: skip
        store_connections(demo_ws, ConnectionChanges([(config, org.pat)], []), KeyringStore())
        engine.run_sync(demo_ws, "ado", KeyringStore(), tracker=AzureTracker(policy=FAST))
        push.set_push(demo_ws, "ado", True)
        yield org


def test_azure_move_is_previewed_and_a_stale_rev_becomes_a_conflict(
    qtbot: Any, ado: FakeAzure, demo_ws: Workspace, runner: TaskRunner
) -> None:
    window = make_window(qtbot, demo_ws, runner)
    window.push_actions.tracker_for = lambda _kind: AzureTracker(policy=FAST)  # type: ignore[assignment,return-value]
    keys = {(s.entity, s.source_id): s.key for s in sync_state.sources(demo_ws.conn, "ado")}
    sprint2 = "Sprint-2"
    assert sprint2 in {k for (entity, _), k in keys.items() if entity == "release"}
    edit(demo_ws, "work_item", keys[("work_item", "1")], release=sprint2)
    edit(demo_ws, "work_item", keys[("work_item", "2")], release=sprint2)
    dialog = open_preview(qtbot, window)
    assert [r[1:] for r in rows(dialog)] == [
        ("work item 1", "System.IterationPath", "Sprint-1", sprint2, "to push"),
        ("work item 2", "System.IterationPath", "Sprint-1", sprint2, "to push"),
    ]
    real_route = ado.route

    def racing(method: str, path: str, params: dict[str, str], body: Any) -> Any:
        reply = real_route(method, path, params, body)
        if method == "POST" and path.endswith("/workitemsbatch"):
            # Changed between the push's batch re-read and its write.
            ado.update_item(2, **{"System.Title": "Refunds (renamed)"})  # bumps rev
        return reply

    ado.route = racing  # type: ignore[method-assign]
    confirm(qtbot, window, dialog)
    assert [r[-1] for r in rows(dialog)] == ["written", "conflict: remote now Sprint-1"]
    assert ado.items[1]["fields"]["System.IterationPath"] == f"{ado.project}\\Sprint 2"
    assert ado.items[2]["fields"]["System.IterationPath"] == f"{ado.project}\\Sprint 1"
    qtbot.waitUntil(lambda: window.sync_actions.menu.title() == "&Sync (1)", timeout=5000)
    window.session.close()
    qtbot.waitUntil(lambda: runner.idle)


def test_without_connections_the_preview_says_how_to_add_one(
    qtbot: Any, window: MainWindow
) -> None:
    dialog = open_preview(qtbot, window)
    assert dialog.header.text() == NO_CONNECTION
    assert rows(dialog) == []
    assert not dialog.push_button.isEnabled()
    assert window.sync_actions.menu.title() == "&Sync"
