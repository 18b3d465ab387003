"""Pushing dependency links and new releases to fake Jira Cloud and Data Center (#14)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from relplan.domain.model import Dependency, Release
from relplan.errors import SyncError
from relplan.store import sync_state
from relplan.store.commands import Command, Edit
from relplan.store.entities import TABLES, dependency_key_of
from relplan.store.workspace import Workspace
from relplan.sync import engine
from tests.e2e.test_push_jira import edit, enable, run
from tests.e2e.test_sync_jira import connect, sync
from tests.e2e.test_sync_jira import jira as jira
from tests.e2e.test_sync_jira import ws as ws
from tests.helpers.fake_jira import FakeJira
from tests.helpers.memory_keyring import MemoryKeyring, memory_keyring_fixture  # noqa: F401

pytestmark = pytest.mark.e2e


@pytest.fixture
def synced(ws: Workspace, jira: FakeJira, memory_keyring: MemoryKeyring) -> Workspace:
    connect(ws, jira, memory_keyring)
    sync(ws)
    enable(ws)
    return ws


def depend(plan: Workspace, first: str, then: str, *, remove: bool = False) -> str:
    key = dependency_key_of(f"item:{first}", f"item:{then}")
    dep = Dependency(f"item:{first}", f"item:{then}")
    with plan.write():
        before, after = (dep, None) if remove else (None, dep)
        plan.execute(Command("Link", (Edit("dependency", key, before, after),)))
    return key


def blocks(fake: FakeJira, key: str) -> list[str]:
    """The keys ``key`` blocks, as its own issuelinks say (GET side: unambiguous)."""
    issue = fake.issues[fake.key_to_id(key)]
    return sorted(
        link["outwardIssue"]["key"]
        for link in issue["fields"]["issuelinks"]
        if "outwardIssue" in link
    )


def link_writes(fake: FakeJira) -> list[tuple[str, str, Any]]:
    return [(r.method, r.path, r.body) for r in fake.requests if "issueLink" in r.path]


def test_added_dependency_becomes_a_link_read_back_and_is_not_pushed_twice(
    synced: Workspace, jira: FakeJira
) -> None:
    depend(synced, "EE-3", "EE-1")  # EE-3 first: EE-3 blocks EE-1
    preview = run(synced, dry_run=True)
    assert [c.describe() for c in preview.changes] == [
        "link EE-3 -> EE-1 issue link Blocks: (none) -> EE-3 -> EE-1"
    ]
    report = run(synced)
    assert len(report.written) == 1
    ((method, path, body),) = link_writes(jira)
    assert (method, path) == ("POST", f"{jira.api}/issueLink")
    # Cloud's POST: the inwardIssue is the one that shows "blocks".
    assert body == {
        "type": {"name": "Blocks"},
        "inwardIssue": {"id": jira.key_to_id("EE-3")},
        "outwardIssue": {"id": jira.key_to_id("EE-1")},
    }
    assert blocks(jira, "EE-3") == ["EE-1"]
    assert run(synced).changes == []
    pulled = sync(synced)
    assert (pulled.conflicts, pulled.links_added, pulled.links_removed) == (0, 0, 0)
    assert run(synced).changes == []
    assert len(link_writes(jira)) == 1


def test_a_tenant_reading_posts_mirrored_gets_the_link_turned_round(
    synced: Workspace, jira: FakeJira
) -> None:
    jira.link_post_mirrored = True
    depend(synced, "EE-3", "EE-1")
    depend(synced, "EE-3", "EE-2")
    report = run(synced)
    assert len(report.written) == 2
    assert blocks(jira, "EE-3") == ["EE-1", "EE-2"]
    assert blocks(jira, "EE-1") == ["EE-2"]  # the wrong-way probe link was deleted
    posts = [w for w in link_writes(jira) if w[0] == "POST"]
    deletes = [w for w in link_writes(jira) if w[0] == "DELETE"]
    # One probe went the wrong way and was undone; the direction then held.
    assert (len(posts), len(deletes)) == (3, 1)


def test_removed_synced_dependency_deletes_its_link_by_id_and_nothing_else(
    synced: Workspace, jira: FakeJira
) -> None:
    depend(synced, "EE-1", "EE-2", remove=True)
    jira.link("EE-2", "EE-3")  # made remotely after the pull: relplan never deletes it
    (link_id,) = [x["id"] for x in jira.issues[jira.key_to_id("EE-1")]["fields"]["issuelinks"]]
    report = run(synced)
    assert [c.describe() for c in report.written] == [
        "link EE-1 -> EE-2 issue link Blocks: EE-1 -> EE-2 -> (none)"
    ]
    assert [w[:2] for w in link_writes(jira)] == [("DELETE", f"{jira.api}/issueLink/{link_id}")]
    assert blocks(jira, "EE-1") == []
    assert blocks(jira, "EE-2") == ["EE-3"]
    assert run(synced).changes == []
    pulled = sync(synced)
    assert pulled.conflicts == 0
    deps = {(d.from_ref, d.to_ref) for d in synced.plan().dependencies}
    assert deps == {("item:EE-2", "item:EE-3")}
    assert run(synced).changes == []


def test_create_releases_makes_a_version_that_the_next_pull_adopts(
    synced: Workspace, jira: FakeJira
) -> None:
    team = TABLES["release"].load(synced.conn, ["EE-v2.7.0"])["EE-v2.7.0"].team
    new = Release("local-3", "v3.0.0", team, start=dt.date(2026, 5, 1), target=dt.date(2026, 6, 1))
    with synced.write():
        synced.execute(Command("Add", (Edit("release", "local-3", None, new),)))
    assert run(synced).changes == []  # off until the connection asks for it
    config = engine.load_config(synced, "jira")
    row = sync_state.connection(synced.conn, "jira")
    sync_state.save_connection(
        synced.conn, replace(row, settings=replace(config, create_releases=True).settings_json())
    )
    report = run(synced)
    assert [c.describe() for c in report.written] == ["version v3.0.0 version: (none) -> v3.0.0"]
    posted = [r.body for r in jira.requests if r.method == "POST" and r.path.endswith("/version")]
    assert posted == [
        {"name": "v3.0.0", "projectId": int(jira.projects["EE"]["id"]),
         "startDate": "2026-05-01", "releaseDate": "2026-06-01"}
    ]  # fmt: skip
    pulled = sync(synced)
    assert (pulled.conflicts, pulled.added) == (0, 0)
    names = [r.name for r in synced.plan().releases]
    assert names.count("v3.0.0") == 1
    assert run(synced).changes == []
    assert len(jira.created_versions) == 1


def test_round_trip_dates_move_and_link_never_ping_pong(synced: Workspace, jira: FakeJira) -> None:
    edit(synced, "release", "EE-v2.7.0", target=dt.date(2026, 4, 20))
    edit(synced, "work_item", "EE-2", release="EE-v2.7.0")
    depend(synced, "EE-3", "EE-1")
    report = run(synced)
    assert (len(report.written), report.conflicts) == (3, [])
    # Remote edits after the push: one field only there, one field on both sides.
    version = next(v for v in jira.versions["EE"] if v["name"] == "v2.7.0")
    version["startDate"] = "2026-03-09"
    version["releaseDate"] = "2026-04-30"
    edit(synced, "release", "EE-v2.7.0", target=dt.date(2026, 4, 25))
    pulled = sync(synced)
    assert pulled.conflicts == 1
    release = TABLES["release"].load(synced.conn, ["EE-v2.7.0"])["EE-v2.7.0"]
    assert (release.start, release.target) == (dt.date(2026, 3, 9), dt.date(2026, 4, 25))
    (conflict,) = sync_state.conflicts(synced.conn, "jira")
    assert (conflict.field, conflict.remote_value) == ("target", '"2026-04-30"')
    items = {i.key: i for i in synced.plan().work_items}
    assert items["EE-2"].release == "EE-v2.7.0"
    assert blocks(jira, "EE-3") == ["EE-1"]
    # No ping-pong: a second pull changes nothing; the push writes nothing it wrote before.
    again = sync(synced)
    assert again.changed == 0
    second = run(synced)
    assert second.written == []
    assert [c.field for c in second.conflicts] == ["target"]
    assert len(link_writes(jira)) == 1
    # Keeping the local value settles it: then (and only then) the push writes it.
    engine.resolve_conflict(synced, conflict.ident, "local")
    third = run(synced)
    assert [c.field for c in third.written] == ["target"]
    assert version["releaseDate"] == "2026-04-25"
    assert sync(synced).changed == 0


@pytest.mark.parametrize("status", [403, 429, 500])
def test_fault_on_link_writes_reports_exactly_and_resumes_without_repeating(
    synced: Workspace, jira: FakeJira, status: int
) -> None:
    depend(synced, "EE-3", "EE-1")
    depend(synced, "EE-1", "EE-2", remove=True)
    edit(synced, "release", "EE-v2.7.0", target=dt.date(2026, 4, 15))
    jira.fail("/issueLink", status, times=50, headers={"Retry-After": "0"})
    with pytest.raises(SyncError) as caught:
        run(synced)
    report = caught.value.push_report  # type: ignore[attr-defined]
    assert [c.field for c in report.written] == ["target"]
    assert sorted(c.describe() for c in report.not_written) == [
        "link EE-1 -> EE-2 issue link Blocks: EE-1 -> EE-2 -> (none)",
        "link EE-3 -> EE-1 issue link Blocks: (none) -> EE-3 -> EE-1",
    ]
    assert blocks(jira, "EE-3") == []
    assert blocks(jira, "EE-1") == ["EE-2"]
    jira.faults.clear()
    before = len(jira.requests)
    resumed = run(synced)
    assert sorted(c.field for c in resumed.written) == ["link", "link"]
    assert blocks(jira, "EE-3") == ["EE-1"]
    assert blocks(jira, "EE-1") == []
    assert [r for r in jira.requests[before:] if r.method == "PUT"] == []  # target not repeated
    assert run(synced).changes == []


def test_a_429_with_retry_after_slows_every_worker(synced: Workspace, jira: FakeJira) -> None:
    for n in range(40):
        jira.add_issue(f"EE-{n + 10}", f"More {n}")
    sync(synced)
    for n in range(40):
        edit(synced, "work_item", f"EE-{n + 10}", release="EE-v2.7.0")
    jira.fail(f"/issue/{jira.key_to_id('EE-10')}", 429, headers={"Retry-After": "0.8"})
    jira.delay_s = 0.02  # so that the other workers still have work while one is refused
    report = run(synced)
    assert len(report.written) == 40
    refused = next(r for r in jira.requests if r.path.endswith(f"/issue/{jira.key_to_id('EE-10')}"))
    # Requests already in flight may land just after; then nobody may call until it is over.
    hushed = [r for r in jira.requests if refused.at + 0.25 < r.at < refused.at + 0.7]
    assert hushed == []
    assert max(r.at for r in jira.requests) > refused.at + 0.75
