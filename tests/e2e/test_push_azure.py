"""Pushing item moves to a fake Azure Boards organisation, guarded by ``test /rev`` (#14)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from relplan.store import sync_state
from relplan.store.commands import Command, Edit
from relplan.store.entities import TABLES
from relplan.store.workspace import Workspace
from relplan.sync import push
from relplan.sync.azure import AzureTracker
from relplan.sync.credentials import KeyringStore
from tests.e2e.test_sync_azure import FAST, sync
from tests.e2e.test_sync_azure import org as org
from tests.e2e.test_sync_azure import ws as ws
from tests.helpers.fake_azure import FakeAzure
from tests.helpers.memory_keyring import memory_keyring_fixture  # noqa: F401

pytestmark = pytest.mark.e2e


def move(plan: Workspace, key: str, release: str) -> None:
    before = TABLES["work_item"].load(plan.conn, [key])[key]
    with plan.write():
        after = replace(before, release=release)
        plan.execute(Command(f"Move {key}", (Edit("work_item", key, before, after),)))


def run(plan: Workspace, **kwargs: Any) -> push.PushReport:
    kwargs.setdefault("tracker", AzureTracker(policy=FAST))
    return push.run_push(plan, "ado", KeyringStore(), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def synced(ws: Workspace) -> Workspace:
    sync(ws)
    on = push.set_push(ws, "ado", True)
    push._store(ws, replace(on, push_previewed=True))
    return ws


def patches(fake: FakeAzure) -> list[Any]:
    return [r for r in fake.requests if r.method == "PATCH"]


def test_move_is_patched_with_test_rev_and_is_idempotent(
    synced: Workspace,
    org: FakeAzure,
) -> None:
    move(synced, "AB#1", "Sprint-2")
    preview = run(synced, dry_run=True)
    assert [c.describe() for c in preview.changes] == [
        "work item 1 System.IterationPath: Sprint-1 -> Sprint-2"
    ]
    assert patches(org) == []
    report = run(synced)
    assert len(report.written) == 1
    (sent,) = patches(org)
    assert sent.body == [
        {"op": "test", "path": "/rev", "value": 1},
        {"op": "add", "path": "/fields/System.IterationPath", "value": f"{org.project}\\Sprint 2"},
    ]
    assert sent.headers["Content-Type"] == "application/json-patch+json"
    assert org.items[1]["fields"]["System.IterationPath"] == f"{org.project}\\Sprint 2"
    assert run(synced).changes == []
    assert len(patches(org)) == 1
    assert sync(synced).conflicts == 0


def test_stale_rev_412_becomes_a_conflict_not_an_overwrite(
    synced: Workspace,
    org: FakeAzure,
) -> None:
    move(synced, "AB#1", "Sprint-2")
    real_get = org.route

    def racing(method: str, path: str, params: dict[str, str], body: Any) -> Any:
        reply = real_get(method, path, params, body)
        if method == "POST" and path.endswith("/workitemsbatch"):
            # Changed between the push's batch re-read and its write.
            org.update_item(1, **{"System.Title": "Checkout (renamed)"})  # bumps rev
        return reply

    org.route = racing  # type: ignore[method-assign]
    report = run(synced)
    assert report.written == []
    assert len(report.conflicts) == 1
    (sent,) = patches(org)
    assert sent.body[0] == {"op": "test", "path": "/rev", "value": 1}  # the rev the batch read
    assert org.items[1]["fields"]["System.IterationPath"] == f"{org.project}\\Sprint 1"
    assert [c.field for c in sync_state.conflicts(synced.conn, "ado")] == ["release"]


def test_remote_move_since_sync_is_a_conflict(
    synced: Workspace,
    org: FakeAzure,
) -> None:
    move(synced, "AB#1", "Sprint-2")
    org.update_item(1, **{"System.IterationPath": org.project})
    report = run(synced)
    assert (report.written, len(report.conflicts)) == ([], 1)
    assert patches(org) == []
