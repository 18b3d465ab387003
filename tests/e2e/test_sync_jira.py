"""The sync engine against stateful fake Jira Cloud and Data Center servers."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from relplan.domain.model import Dependency
from relplan.errors import Cancelled, SyncError
from relplan.store import sync_state
from relplan.store.workspace import Workspace
from relplan.sync import engine
from relplan.sync.credentials import KeyringStore
from relplan.sync.jira import JiraTracker
from relplan.sync.ratelimit import RetryPolicy
from relplan.sync.tracker import CancelToken, ConnectionConfig, Progress
from tests.helpers.fake_jira import FakeJira
from tests.helpers.memory_keyring import MemoryKeyring, memory_keyring_fixture  # noqa: F401

pytestmark = pytest.mark.e2e

FAST = RetryPolicy(max_retries=3, base_delay_s=0.01, max_delay_s=5)


def tracker(**kwargs: object) -> JiraTracker:
    return JiraTracker(policy=kwargs.pop("policy", FAST), **kwargs)  # type: ignore[arg-type]


@pytest.fixture(params=[True, False], ids=["cloud", "dc"])
def jira(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(cloud=request.param) as fake:
        fake.add_project("EE", "Engine")
        fake.add_version("EE", "v2.7.0", start="2026-03-02", release="2026-04-01")
        fake.add_version("EE", "v2.6.0", release="2026-02-01", released=True)
        fake.add_issue("EE-1", "Refund API", version="v2.7.0", points=3)
        fake.add_issue("EE-2", "Ledger", status="In Progress", category="indeterminate")
        fake.add_issue("EE-3", "Old work", status="已完成", category="done", version="v2.6.0")
        fake.link("EE-1", "EE-2")  # EE-1 blocks EE-2
        yield fake


def connect(
    ws: Workspace, fake: FakeJira, keyring: MemoryKeyring, name: str = "jira"
) -> ConnectionConfig:
    config = ConnectionConfig(
        name, "jira_cloud" if fake.cloud else "jira_dc", fake.url,
        user=fake.email if fake.cloud else "", jql="project = EE ORDER BY rank",
    )  # fmt: skip
    row = sync_state.ConnectionRow(name, config.kind, config.url, config.settings_json(), "now")
    sync_state.save_connection(ws.conn, row)
    KeyringStore().set(config.credential_key, fake.token)
    return config


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(tmp_path / "plan.relplan") as workspace:
        yield workspace


def sync(ws: Workspace, name: str = "jira", **kwargs: object) -> engine.SyncReport:
    kwargs.setdefault("tracker", tracker())
    return engine.run_sync(ws, name, KeyringStore(), **kwargs)  # type: ignore[arg-type]


def snapshot(ws: Workspace) -> list[tuple[object, ...]]:
    """Every row of every plan and bookkeeping table."""
    rows: list[tuple[object, ...]] = []
    for table in (
        "teams",
        "releases",
        "work_items",
        "dependencies",
        "sources",
        "sync_conflicts",
        "sync_state",
        "commands",
    ):
        rows.extend((table, *r) for r in ws.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"))
    return rows


def test_first_sync_maps_items_releases_teams_and_links(
    ws: Workspace, jira: FakeJira, memory_keyring: MemoryKeyring
) -> None:
    connect(ws, jira, memory_keyring)
    report = sync(ws)
    plan = ws.plan()
    assert report.fetched == 3
    assert {t.key: t.name for t in plan.teams} == {"EE": "Engine"}
    releases = {r.key: r for r in plan.releases}
    assert releases["EE-v2.7.0"].start == dt.date(2026, 3, 2)
    assert releases["EE-v2.7.0"].target == dt.date(2026, 4, 1)
    assert releases["EE-v2.6.0"].status == "released"
    items = {i.key: i for i in plan.work_items}
    assert items["EE-1"].release == "EE-v2.7.0"
    assert items["EE-1"].points == 3.0
    assert items["EE-2"].category == "in_progress"
    # Localised status names map on statusCategory.key, never on the name.
    assert (items["EE-3"].status, items["EE-3"].category) == ("已完成", "done")
    assert plan.dependencies == (Dependency("item:EE-1", "item:EE-2", "FS", 0),)
    source = {s.key: s for s in sync_state.sources(ws.conn, "jira") if s.entity == "work_item"}
    assert source["EE-1"].source_id == jira.key_to_id("EE-1")
    assert source["EE-1"].url == f"{jira.url}/browse/EE-1"
    assert ws.undo_labels()[0] == "Sync jira"
    assert sync_state.runs(ws.conn)[0].status == "ok"


def test_second_run_changes_nothing(
    ws: Workspace, jira: FakeJira, memory_keyring: MemoryKeyring
) -> None:
    connect(ws, jira, memory_keyring)
    sync(ws)
    before = snapshot(ws)
    report = sync(ws)
    assert report.changed == 0
    assert report.changes.empty
    assert snapshot(ws) == before
    search = "/rest/api/3/search/jql" if jira.cloud else "/rest/api/2/search"
    updated = [r for r in jira.requests if r.path == search and "updated >=" in r.params["jql"]]
    assert updated, "the second run is incremental"


def test_incremental_update_delete_and_unlink(
    ws: Workspace, jira: FakeJira, memory_keyring: MemoryKeyring
) -> None:
    connect(ws, jira, memory_keyring)
    sync(ws)
    jira.update_issue("EE-2", summary="Ledger v2", status="Done", category="done")
    jira.unlink("EE-1", "EE-2")
    jira.add_issue("EE-4", "New thing")
    jira.delete_issue("EE-3")
    report = sync(ws)
    items = {i.key: i for i in ws.plan().work_items}
    assert items["EE-2"].title == "Ledger v2"
    assert items["EE-2"].category == "done"
    assert "EE-4" in items
    # Deleted at the source: kept here, marked.
    assert "EE-3" in items
    marked = {
        s.key: s.deleted for s in sync_state.sources(ws.conn, "jira") if s.entity == "work_item"
    }
    assert marked["EE-3"] is True
    assert marked["EE-1"] is False
    assert ws.plan().dependencies == ()
    assert (report.deleted, report.links_removed) == (1, 1)


def test_local_edits_survive_and_conflicts_are_listed(
    ws: Workspace, jira: FakeJira, memory_keyring: MemoryKeyring
) -> None:
    connect(ws, jira, memory_keyring)
    sync(ws)
    # Local plan edits: a release date, an item title, a hand-made dependency.
    ws.set_release_dates("EE-v2.7.0", dt.date(2026, 3, 2), dt.date(2026, 4, 15))
    item = {i.key: i for i in ws.plan().work_items}["EE-2"]
    from dataclasses import replace

    from relplan.store.commands import Command, Edit

    ws.execute(Command("edit", (Edit("work_item", "EE-2", item, replace(item, title="Mine")),)))
    ws.execute(
        Command(
            "dep",
            (
                Edit(
                    "dependency", "item:EE-3->item:EE-1", None, Dependency("item:EE-3", "item:EE-1")
                ),
            ),
        )
    )
    # The source changes the same title, and another field of the same item.
    jira.update_issue("EE-2", summary="Theirs", status="Done", category="done")
    report = sync(ws)
    items = {i.key: i for i in ws.plan().work_items}
    assert items["EE-2"].title == "Mine"  # kept
    assert items["EE-2"].category == "done"  # only the source changed it: taken
    assert ws.release("EE-v2.7.0").target == dt.date(2026, 4, 15)
    assert Dependency("item:EE-3", "item:EE-1") in ws.plan().dependencies
    conflicts = sync_state.conflicts(ws.conn, "jira")
    assert [(c.key, c.field, c.local_value, c.remote_value) for c in conflicts] == [
        ("EE-2", "title", '"Mine"', '"Theirs"')
    ]
    assert report.conflicts == 1
    # The same conflict is not listed again by the next run.
    assert sync(ws).conflicts == 0
    changes = engine.resolve_conflict(ws, conflicts[0].ident, "remote")
    assert {i.key: i for i in ws.plan().work_items}["EE-2"].title == "Theirs"
    assert not sync_state.conflicts(ws.conn, "jira")
    assert not changes.empty


def test_time_zone_trap(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    """A user west of UTC: a watermark written in UTC would skip hours of changes."""
    with FakeJira(time_zone="America/Los_Angeles") as fake, Workspace.open(tmp_path / "p") as ws:
        fake.add_project("EE", "Engine")
        fake.add_issue("EE-1", "One")
        connect(ws, fake, memory_keyring)
        sync(ws)
        fake.update_issue("EE-1", summary="Changed a minute later", when=fake.tick(1))
        sync(ws)
        assert ws.plan().work_items[0].title == "Changed a minute later"
        query = [r.params["jql"] for r in fake.requests if "updated >=" in r.params.get("jql", "")][
            -1
        ]
        # 09:02 UTC minus the overlap is 01:57 in Los Angeles (PST), not 09:57.
        assert '"2026/03/01 00:5' in query or '"2026/03/01 01:' in query


def test_paging_many_items(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    with FakeJira(cloud=False, page_max=50) as fake, Workspace.open(tmp_path / "p") as ws:
        fake.add_project("EE", "Engine")
        for n in range(1, 238):
            fake.add_issue(f"EE-{n}", f"Item {n}")
        connect(ws, fake, memory_keyring)
        report = sync(ws)
        assert report.fetched == 237
        assert len(ws.plan().work_items) == 237
        starts = sorted(
            int(r.params["startAt"]) for r in fake.requests if r.path.endswith("/search")
        )
        assert starts == [0, 50, 100, 150, 200]


def test_cloud_pages_by_token_and_bulkfetch(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    with FakeJira(cloud=True, id_page_max=40) as fake, Workspace.open(tmp_path / "p") as ws:
        fake.add_project("EE", "Engine")
        for n in range(1, 131):
            fake.add_issue(f"EE-{n}", f"Item {n}")
        connect(ws, fake, memory_keyring)
        assert sync(ws).fetched == 130
        searches = [r for r in fake.requests if r.path == "/rest/api/3/search/jql"]
        assert len(searches) == 4
        assert "nextPageToken" not in searches[0].params
        assert all("nextPageToken" in r.params for r in searches[1:])
        bulk = [r.body for r in fake.requests if r.path.endswith("/bulkfetch")]
        assert sorted(len(b["issueIdsOrKeys"]) for b in bulk) == [30, 100]


def test_rate_limit_honours_retry_after(
    ws: Workspace, jira: FakeJira, memory_keyring: MemoryKeyring
) -> None:
    connect(ws, jira, memory_keyring)
    jira.fail("/field", 429, times=2, headers={"Retry-After": "0.3", "X-RateLimit-Remaining": "0"})
    started = dt.datetime.now()
    sync(ws)
    elapsed = (dt.datetime.now() - started).total_seconds()
    assert len([p for p in jira.paths() if p.endswith("/field")]) == 3
    assert elapsed >= 0.6
    assert len(ws.plan().work_items) == 3


def test_persistent_503_fails_clearly_and_leaves_the_workspace(
    ws: Workspace, jira: FakeJira, memory_keyring: MemoryKeyring
) -> None:
    connect(ws, jira, memory_keyring)
    jira.fail("/versions", 503, times=10, headers={"Retry-After": "0"})
    before = snapshot(ws)
    with pytest.raises(SyncError) as info:
        sync(ws)
    assert info.value.kind == SyncError.RATE_LIMITED
    assert snapshot(ws) == before
    run = sync_state.runs(ws.conn)[0]
    assert run.status == "failed"
    assert "503" in (run.error or "")


def test_bad_token_is_credentials_rejected(
    ws: Workspace, jira: FakeJira, memory_keyring: MemoryKeyring
) -> None:
    config = connect(ws, jira, memory_keyring)
    KeyringStore().set(config.credential_key, "wrong")
    with pytest.raises(SyncError) as info:
        sync(ws)
    assert info.value.kind == SyncError.AUTH
    assert "credentials rejected" in str(info.value)
    assert ws.plan().work_items == ()


def test_server_error_is_retried_then_reported(
    ws: Workspace, jira: FakeJira, memory_keyring: MemoryKeyring
) -> None:
    connect(ws, jira, memory_keyring)
    jira.fail("/myself", 500, times=1, body=b'{"errorMessages":["boom"],"errors":{}}')
    sync(ws)  # one 500 is retried
    jira.fail("/myself", 500, times=10, body=b'{"errorMessages":["boom"],"errors":{}}')
    with pytest.raises(SyncError) as info:
        sync(ws)
    assert info.value.kind == SyncError.REMOTE
    assert "boom" in str(info.value)


def test_unknown_project_is_named(
    ws: Workspace, jira: FakeJira, memory_keyring: MemoryKeyring
) -> None:
    connect(ws, jira, memory_keyring)
    with pytest.raises(SyncError) as info:
        engine.check_connection(
            ConnectionConfig("x", "jira_dc", jira.url + "/nowhere", jql="project = EE"),
            KeyringStore(),
            "t",
        )
    assert info.value.status in (401, 404)


def test_slow_server_times_out_as_network_error(
    ws: Workspace, jira: FakeJira, memory_keyring: MemoryKeyring
) -> None:
    connect(ws, jira, memory_keyring)
    jira.fail("/field", 0, times=5, delay_s=0.5)
    with pytest.raises(SyncError) as info:
        sync(
            ws, tracker=tracker(timeout_s=0.1, policy=RetryPolicy(max_retries=1, base_delay_s=0.01))
        )
    assert info.value.kind == SyncError.NETWORK
    assert sync_state.runs(ws.conn)[0].status == "failed"


def test_cancel_between_pages_writes_nothing(
    ws: Workspace, jira: FakeJira, memory_keyring: MemoryKeyring
) -> None:
    connect(ws, jira, memory_keyring)
    before = snapshot(ws)
    token = CancelToken()
    seen: list[Progress] = []

    def progress(p: Progress) -> None:
        seen.append(p)
        if p.phase == "items":
            token.cancel()

    with pytest.raises(Cancelled):
        sync(ws, progress=progress, cancel=token)
    assert snapshot(ws) == before
    assert sync_state.runs(ws.conn)[0].status == "cancelled"
    assert seen


def test_undo_restores_plan_and_bookkeeping(
    ws: Workspace, jira: FakeJira, memory_keyring: MemoryKeyring
) -> None:
    connect(ws, jira, memory_keyring)
    before = snapshot(ws)
    sync(ws)
    ws.undo()
    after = [r for r in snapshot(ws) if r[0] != "commands"]
    assert after == [r for r in before if r[0] != "commands"]
    # With the watermark undone too, the next run brings everything back.
    assert sync(ws).fetched == 3
    assert len(ws.plan().work_items) == 3


def test_a_failed_write_rolls_back(
    ws: Workspace, jira: FakeJira, memory_keyring: MemoryKeyring
) -> None:
    connect(ws, jira, memory_keyring)
    ws.conn.execute(
        "CREATE TRIGGER no_items BEFORE INSERT ON work_items BEGIN "
        "SELECT RAISE(ABORT, 'disk full'); END"
    )
    before = snapshot(ws)
    with pytest.raises(sqlite3.Error):
        sync(ws)
    assert snapshot(ws) == before
    assert sync_state.runs(ws.conn)[0].status == "failed"


def _sync_in_child(db: str, url: str, token: str) -> None:
    """Run one sync in a forked child (the memory keyring comes along with the fork)."""
    with Workspace.open(db) as ws:
        sync(ws)


def test_a_sync_killed_with_kill_9_is_reported_by_the_next_run(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    import multiprocessing
    import os
    import signal
    import time

    with FakeJira(cloud=True) as fake, Workspace.open(tmp_path / "p.relplan") as ws:
        fake.add_project("EE", "Engine")
        fake.add_issue("EE-1", "Refund API")
        connect(ws, fake, memory_keyring)
        fake.delay_s = 30.0  # the child hangs in its first data request
        child = multiprocessing.get_context("fork").Process(
            target=_sync_in_child, args=(str(ws.path), fake.url, fake.token)
        )
        child.start()
        deadline = time.monotonic() + 30
        while not sync_state.runs(ws.conn, "jira") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        assert [r.status for r in sync_state.runs(ws.conn, "jira")] == ["running"]
        fake.delay_s = 0.0
        report = sync(ws)
        assert [r.status for r in report.interrupted] == ["running"]
        statuses = [r.status for r in sync_state.runs(ws.conn, "jira")]
        assert statuses == ["ok", "interrupted"]
        again = sync(ws)
        assert again.interrupted == ()
