"""Pushing local edits back to fake Jira Cloud and Data Center servers (issue #14)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from relplan.errors import Cancelled, SyncError
from relplan.store import sync_state
from relplan.store.commands import Command, Edit
from relplan.store.entities import TABLES
from relplan.store.workspace import Workspace
from relplan.sync import engine, push
from relplan.sync.credentials import KeyringStore
from relplan.sync.tracker import CancelToken
from tests.e2e.test_sync_jira import connect, sync, tracker
from tests.e2e.test_sync_jira import jira as jira
from tests.e2e.test_sync_jira import ws as ws
from tests.helpers.fake_jira import FakeJira
from tests.helpers.memory_keyring import MemoryKeyring, memory_keyring_fixture  # noqa: F401

pytestmark = pytest.mark.e2e


def enable(plan: Workspace, name: str = "jira") -> None:
    """Push on, past the first push's preview."""
    config = push.set_push(plan, name, True)
    push._store(plan, replace(config, push_previewed=True))


def edit(plan: Workspace, entity: str, key: str, **changes: Any) -> None:
    before = TABLES[entity].load(plan.conn, [key])[key]
    with plan.write():
        plan.execute(
            Command(f"Edit {key}", (Edit(entity, key, before, replace(before, **changes)),))
        )


def run(plan: Workspace, **kwargs: Any) -> push.PushReport:
    kwargs.setdefault("tracker", tracker())
    return push.run_push(plan, "jira", KeyringStore(), **kwargs)


def version(fake: FakeJira, name: str) -> dict[str, Any]:
    return next(v for v in fake.versions["EE"] if v["name"] == name)


def writes(fake: FakeJira) -> list[tuple[str, str, Any]]:
    return [
        (r.method, r.path, r.body)
        for r in fake.requests
        if r.method in ("PUT", "POST") and "search" not in r.path and "bulkfetch" not in r.path
    ]


@pytest.fixture
def synced(ws: Workspace, jira: FakeJira, memory_keyring: MemoryKeyring) -> Workspace:
    connect(ws, jira, memory_keyring)
    sync(ws)
    return ws


def test_push_is_off_until_enabled_and_dry_run_writes_nothing(
    synced: Workspace,
    jira: FakeJira,
) -> None:
    edit(synced, "release", "EE-v2.7.0", target=dt.date(2026, 4, 15))
    report = run(synced)
    assert report.dry_run
    assert [c.describe() for c in report.changes] == [
        "version v2.7.0 releaseDate: 2026-04-01 -> 2026-04-15"
    ]
    assert writes(jira) == []
    push.set_push(synced, "jira", True)
    first = run(synced)
    assert first.dry_run
    assert first.first
    assert writes(jira) == []
    assert run(synced, dry_run=True).dry_run
    assert writes(jira) == []
    assert len(run(synced).written) == 1


def test_push_writes_only_changed_keys_and_is_idempotent(
    synced: Workspace,
    jira: FakeJira,
) -> None:
    enable(synced)
    edit(synced, "release", "EE-v2.7.0", target=dt.date(2026, 4, 15), status="released")
    edit(synced, "work_item", "EE-2", release="EE-v2.7.0")
    report = run(synced)
    assert (len(report.written), report.conflicts) == (3, [])
    v27 = version(jira, "v2.7.0")
    assert (v27["releaseDate"], v27["released"], v27["startDate"]) == (
        "2026-04-15",
        True,
        "2026-03-02",
    )
    api = "/rest/api/3" if jira.cloud else "/rest/api/2"
    assert sorted((w[2] for w in writes(jira) if "/version/" in w[1]), key=str) == sorted(
        [{"releaseDate": "2026-04-15"}, {"released": True}], key=str
    )
    issue = jira.issues[jira.key_to_id("EE-2")]
    assert [v["id"] for v in issue["fields"]["fixVersions"]] == [v27["id"]]
    assert (
        "PUT",
        f"{api}/issue/{jira.key_to_id('EE-2')}",
        {"update": {"fixVersions": [{"set": [{"id": v27["id"]}]}]}},
    ) in writes(jira)
    count = len(writes(jira))
    again = run(synced)
    assert again.changes == []
    assert len(writes(jira)) == count
    # The next pull sees the pushed values as in sync: no conflict, no change.
    pulled = sync(synced)
    assert pulled.conflicts == 0
    assert pulled.changed == 0


def test_remote_change_since_sync_becomes_a_conflict(
    synced: Workspace,
    jira: FakeJira,
) -> None:
    enable(synced)
    edit(synced, "release", "EE-v2.7.0", target=dt.date(2026, 4, 15))
    preview = run(synced, dry_run=True)
    assert preview.changes[0].remote_now == "2026-04-01"
    version(jira, "v2.7.0")["releaseDate"] = "2026-05-01"  # between preview and confirm
    report = run(synced)
    assert report.written == []
    assert len(report.conflicts) == 1
    assert version(jira, "v2.7.0")["releaseDate"] == "2026-05-01"
    (conflict,) = sync_state.conflicts(synced.conn, "jira")
    assert (conflict.field, conflict.local_value, conflict.remote_value) == (
        "target",
        '"2026-04-15"',
        '"2026-05-01"',
    )
    run(synced)
    assert len(sync_state.conflicts(synced.conn, "jira")) == 1
    assert writes(jira) == []


def test_remote_already_equal_is_not_written_again(
    synced: Workspace,
    jira: FakeJira,
) -> None:
    enable(synced)
    edit(synced, "release", "EE-v2.7.0", start=dt.date(2026, 3, 9))
    version(jira, "v2.7.0")["startDate"] = "2026-03-09"
    report = run(synced)
    assert (report.written, len(report.already)) == ([], 1)
    assert writes(jira) == []
    assert run(synced).changes == []


@pytest.mark.parametrize("status", [401, 403, 404, 429, 500])
def test_fault_mid_push_reports_and_resumes_without_repeating(
    synced: Workspace,
    jira: FakeJira,
    status: int,
) -> None:
    enable(synced)
    edit(synced, "release", "EE-v2.7.0", target=dt.date(2026, 4, 15))
    edit(synced, "work_item", "EE-2", release="EE-v2.7.0")
    jira.fail("/issue/", status, times=50, headers={"Retry-After": "0"})
    with pytest.raises(SyncError) as caught:
        run(synced)
    report = caught.value.push_report  # type: ignore[attr-defined]
    assert [c.field for c in report.written] == ["target"]
    assert [c.field for c in report.not_written] == ["release"]
    assert "jira-secret-token" not in str(caught.value)
    last = sync_state.runs(synced.conn)[0]
    assert (last.status, last.changed, last.fetched) == (push.PUSH_FAILED, 1, 2)
    jira.faults.clear()
    before = len(writes(jira))
    resumed = run(synced)
    assert [c.field for c in resumed.written] == ["release"]
    assert sync_state.runs(synced.conn)[0].status == push.PUSHED
    assert [w for w in writes(jira)[before:] if "/version/" in w[1]] == []


def test_keep_local_pushes_and_keep_remote_takes_it(
    synced: Workspace,
    jira: FakeJira,
) -> None:
    enable(synced)
    edit(synced, "release", "EE-v2.7.0", target=dt.date(2026, 4, 15), start=dt.date(2026, 3, 9))
    version(jira, "v2.7.0")["releaseDate"] = "2026-05-01"
    version(jira, "v2.7.0")["startDate"] = "2026-03-05"
    assert len(run(synced).conflicts) == 2
    by_field = {c.field: c for c in sync_state.conflicts(synced.conn, "jira")}
    engine.resolve_conflict(synced, by_field["target"].ident, "local")
    engine.resolve_conflict(synced, by_field["start"].ident, "remote")
    release = TABLES["release"].load(synced.conn, ["EE-v2.7.0"])["EE-v2.7.0"]
    assert release.start == dt.date(2026, 3, 5)
    report = run(synced)
    assert [c.field for c in report.written] == ["target"]
    # Keeping remote made it the base too: in sync, so it is not even read again.
    assert [c.field for c in report.changes] == ["target"]
    assert report.already == []
    assert version(jira, "v2.7.0")["releaseDate"] == "2026-04-15"
    assert run(synced).changes == []
    assert sync(synced).conflicts == 0


def test_429_with_retry_after_is_waited_out_and_written_once(
    synced: Workspace,
    jira: FakeJira,
) -> None:
    enable(synced)
    edit(synced, "release", "EE-v2.7.0", target=dt.date(2026, 4, 15))
    jira.fail("/versions", 429, times=1, headers={"Retry-After": "0"})  # the batch re-read
    report = run(synced)
    assert [c.field for c in report.written] == ["target"]
    assert [w[2] for w in writes(jira) if "/version/" in w[1]] == [{"releaseDate": "2026-04-15"}]
    assert [r.status for r in jira.faults] == [429]
    assert jira.faults[0].times == 0  # the 429 was served, then waited out


def test_round_trip_pull_edit_push_remote_change_pull(
    synced: Workspace,
    jira: FakeJira,
) -> None:
    enable(synced)
    edit(synced, "work_item", "EE-2", release="EE-v2.7.0")
    assert len(run(synced).written) == 1
    jira.update_issue("EE-2", summary="Ledger, renamed there")
    jira.update_issue("EE-1", version="v2.6.0")
    pulled = sync(synced)
    assert pulled.conflicts == 0
    items = {i.key: i for i in synced.plan().work_items}
    assert (items["EE-2"].release, items["EE-2"].title) == ("EE-v2.7.0", "Ledger, renamed there")
    assert items["EE-1"].release == "EE-v2.6.0"
    assert run(synced).changes == []


def test_cancel_mid_push_reports_the_rest_and_the_next_push_completes_it(
    synced: Workspace,
    jira: FakeJira,
) -> None:
    enable(synced)
    edit(synced, "release", "EE-v2.7.0", start=dt.date(2026, 3, 9), target=dt.date(2026, 4, 15))
    token = CancelToken()
    with pytest.raises(Cancelled) as caught:
        run(synced, cancel=token, progress=lambda done, total: token.cancel())
    report = caught.value.push_report  # type: ignore[attr-defined]
    assert [c.field for c in report.written] == ["start"]
    assert [c.field for c in report.not_written] == ["target"]
    assert version(jira, "v2.7.0")["releaseDate"] == "2026-04-01"
    resumed = run(synced)
    assert [c.field for c in resumed.written] == ["target"]
    # Never both releaseDate and userReleaseDate (DC rejects that): one key per version PUT.
    bodies = [w[2] for w in writes(jira) if "/version/" in w[1]]
    assert bodies == [{"startDate": "2026-03-09"}, {"releaseDate": "2026-04-15"}]
