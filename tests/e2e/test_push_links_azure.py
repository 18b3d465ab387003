"""Pushing dependency relations, iteration dates and new iterations to a fake Azure Boards (#14)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from relplan.domain.model import Release
from relplan.store import sync_state
from relplan.store.commands import Command, Edit
from relplan.store.entities import TABLES
from relplan.store.workspace import Workspace
from relplan.sync import engine
from tests.e2e.test_push_azure import run
from tests.e2e.test_push_azure import synced as synced
from tests.e2e.test_push_links_jira import depend
from tests.e2e.test_sync_azure import org as org
from tests.e2e.test_sync_azure import sync
from tests.e2e.test_sync_azure import ws as ws
from tests.helpers.fake_azure import FakeAzure
from tests.helpers.memory_keyring import memory_keyring_fixture  # noqa: F401

pytestmark = pytest.mark.e2e
FORWARD = "System.LinkTypes.Dependency-Forward"


def patches(fake: FakeAzure, part: str = "/workitems/") -> list[Any]:
    return [r for r in fake.requests if r.method == "PATCH" and part in r.path]


def successors(fake: FakeAzure, ident: int) -> list[int]:
    rels = fake.items[ident]["relations"]
    return sorted(int(r["url"].rsplit("/", 1)[1]) for r in rels if r["rel"] == FORWARD)


def test_added_dependency_is_a_forward_relation_under_test_rev(
    synced: Workspace, org: FakeAzure
) -> None:
    depend(synced, "AB#1", "AB#3")
    report = run(synced)
    assert len(report.written) == 1
    (sent,) = patches(org)
    assert sent.path.endswith("/workitems/1")
    assert sent.body == [
        {"op": "test", "path": "/rev", "value": 1},
        {"op": "add", "path": "/relations/-",
         "value": {"rel": FORWARD, "url": f"{org.url}/_apis/wit/workItems/3"}},
    ]  # fmt: skip
    assert successors(org, 1) == [3]
    reverse = [r["rel"] for r in org.items[3]["relations"]]
    assert reverse == ["System.LinkTypes.Dependency-Reverse"]
    assert run(synced).changes == []
    pulled = sync(synced)
    assert (pulled.conflicts, pulled.links_added, pulled.links_removed) == (0, 0, 0)
    assert run(synced).changes == []
    assert len(patches(org)) == 1


def test_removed_dependency_is_removed_by_its_index(synced: Workspace, org: FakeAzure) -> None:
    org.link(2, 3)  # remote, after the pull: index 0 is AB#2 -> AB#1, index 1 is this one
    org.items[2]["relations"].reverse()  # the synced link now sits at index 1
    depend(synced, "AB#2", "AB#1", remove=True)
    report = run(synced)
    assert len(report.written) == 1
    (sent,) = patches(org)
    rev = org.items[2]["rev"] - 1
    assert sent.body == [
        {"op": "test", "path": "/rev", "value": rev},
        {"op": "remove", "path": "/relations/1"},
    ]
    assert successors(org, 2) == [3]  # the link relplan never synced stays
    assert org.items[1]["relations"] == []
    assert run(synced).changes == []
    assert sync(synced).conflicts == 0
    deps = {(d.from_ref, d.to_ref) for d in synced.plan().dependencies}
    assert deps == {("item:AB#2", "item:AB#3")}


def test_stale_rev_on_a_link_is_a_conflict_and_removes_nothing(
    synced: Workspace, org: FakeAzure
) -> None:
    depend(synced, "AB#2", "AB#1", remove=True)
    real_route = org.route

    def racing(method: str, path: str, params: dict[str, str], body: Any) -> Any:
        reply = real_route(method, path, params, body)
        if method == "GET" and path.endswith("/workitems/2"):
            org.update_item(2, **{"System.Title": "Payments API v2"})  # bumps rev
        return reply

    org.route = racing  # type: ignore[method-assign]
    report = run(synced)
    assert report.written == []
    assert len(report.conflicts) == 1
    assert successors(org, 2) == [1]  # never removed by a stale index
    (conflict,) = sync_state.conflicts(synced.conn, "ado")
    assert (conflict.entity, conflict.field) == ("dependency", "*")
    # The open conflict holds the link back until it is settled.
    org.route = real_route  # type: ignore[method-assign]
    assert run(synced).written == []
    engine.resolve_conflict(synced, conflict.ident, "local")
    assert len(run(synced).written) == 1
    assert successors(org, 2) == []


def test_iteration_dates_go_to_the_classification_node(synced: Workspace, org: FakeAzure) -> None:
    before = TABLES["release"].load(synced.conn, ["Sprint-1"])["Sprint-1"]
    with synced.write():
        after = replace(before, target=dt.date(2026, 3, 20))
        synced.execute(Command("Move", (Edit("release", "Sprint-1", before, after),)))
    preview = run(synced, dry_run=True)
    assert [c.describe() for c in preview.changes] == [
        f"iteration {org.project}\\Sprint 1 finishDate: 2026-03-13 -> 2026-03-20"
    ]
    report = run(synced)
    assert len(report.written) == 1
    (sent,) = patches(org, "/classificationnodes/")
    assert sent.path == f"/{org.project}/_apis/wit/classificationnodes/Iterations/Sprint%201"
    assert sent.body == {
        "attributes": {"startDate": "2026-03-02T00:00:00Z", "finishDate": "2026-03-20T00:00:00Z"}
    }
    assert org.iterations[0]["attributes"]["finishDate"] == "2026-03-20T00:00:00Z"
    assert run(synced).changes == []
    assert sync(synced).conflicts == 0
    assert TABLES["release"].load(synced.conn, ["Sprint-1"])["Sprint-1"].target == after.target
    assert run(synced).changes == []
    assert org.node_patches == 1


def test_remote_date_change_on_the_node_is_a_conflict(synced: Workspace, org: FakeAzure) -> None:
    before = TABLES["release"].load(synced.conn, ["Sprint-2"])["Sprint-2"]
    with synced.write():
        after = replace(before, start=dt.date(2026, 3, 17))
        synced.execute(Command("Move", (Edit("release", "Sprint-2", before, after),)))
    org.iterations[1]["attributes"]["startDate"] = "2026-03-18T00:00:00Z"
    report = run(synced)
    assert report.written == []
    assert [c.remote_now for c in report.conflicts] == ["2026-03-18"]
    assert org.node_patches == 0


def test_create_releases_makes_an_iteration_of_the_team(synced: Workspace, org: FakeAzure) -> None:
    team = TABLES["release"].load(synced.conn, ["Sprint-1"])["Sprint-1"].team
    new = Release("local-s3", "Sprint 3", team, start=dt.date(2026, 3, 30))
    with synced.write():
        synced.execute(Command("Add", (Edit("release", "local-s3", None, new),)))
    config = engine.load_config(synced, "ado")
    row = sync_state.connection(synced.conn, "ado")
    sync_state.save_connection(
        synced.conn, replace(row, settings=replace(config, create_releases=True).settings_json())
    )
    report = run(synced)
    assert [c.describe() for c in report.written] == [
        "iteration Sprint 3 iteration: (none) -> Sprint 3"
    ]
    posts = [
        (r.path, r.body)
        for r in org.requests
        if r.method == "POST" and "iteration" in r.path.lower()
    ]
    node = org.nodes["Sprint 3"]
    assert posts[0] == (
        f"/{org.project}/_apis/wit/classificationnodes/Iterations",
        {"name": "Sprint 3", "attributes": {"startDate": "2026-03-30T00:00:00Z"}},
    )
    assert posts[1] == (
        f"/{org.project}/{org.team.replace(' ', '%20')}/_apis/work/teamsettings/iterations",
        {"id": node["identifier"]},
    )
    pulled = sync(synced)
    assert (pulled.conflicts, pulled.added) == (0, 0)
    assert [r.name for r in synced.plan().releases].count("Sprint 3") == 1
    assert run(synced).changes == []
