"""The sync engine against a stateful fake Azure Boards organisation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from relplan.domain.model import Dependency
from relplan.errors import SyncError
from relplan.store import sync_state
from relplan.store.workspace import Workspace
from relplan.sync import azure, engine
from relplan.sync.azure import AzureTracker
from relplan.sync.credentials import KeyringStore
from relplan.sync.ratelimit import RetryPolicy
from relplan.sync.tracker import ConnectionConfig
from tests.helpers.fake_azure import FakeAzure
from tests.helpers.memory_keyring import MemoryKeyring, memory_keyring_fixture  # noqa: F401

pytestmark = pytest.mark.e2e
FAST = RetryPolicy(max_retries=2, base_delay_s=0.01)


@pytest.fixture
def org() -> Iterator[FakeAzure]:
    with FakeAzure() as fake:
        fake.add_iteration("Sprint 1", "2026-03-02", "2026-03-13", "current")
        fake.add_iteration("Sprint 2", "2026-03-16", "2026-03-27", "future")
        a = fake.add_item("Checkout", iteration="Sprint 1", area="Web", points=5)
        b = fake.add_item("Payments API", state="Active", area="Pay", iteration="Sprint 2")
        fake.add_item("Old bug", kind="Bug", state="Closed", area="Pay")
        fake.link(b, a)  # b is a's predecessor
        yield fake


@pytest.fixture
def ws(tmp_path: Path, org: FakeAzure, memory_keyring: MemoryKeyring) -> Iterator[Workspace]:
    with Workspace.open(tmp_path / "plan.relplan") as workspace:
        config = ConnectionConfig(
            "ado",
            "azure_boards",
            org.url,
            project=org.project,
            team=org.team,
            wiql="[System.State] <> 'Removed'",
        )
        sync_state.save_connection(
            workspace.conn,
            sync_state.ConnectionRow("ado", config.kind, config.url, config.settings_json(), "now"),
        )
        KeyringStore().set(config.credential_key, org.pat)
        yield workspace


def sync(ws: Workspace, **kwargs: object) -> engine.SyncReport:
    return engine.run_sync(ws, "ado", KeyringStore(), tracker=AzureTracker(policy=FAST), **kwargs)  # type: ignore[arg-type]


def test_first_sync(ws: Workspace, org: FakeAzure) -> None:
    report = sync(ws)
    plan = ws.plan()
    items = {i.key: i for i in plan.work_items}
    assert report.fetched == 3
    assert items["AB#1"].team == "Web"
    assert items["AB#1"].release == "Sprint-1"
    assert items["AB#1"].points == 5.0
    assert items["AB#2"].category == "in_progress"
    assert items["AB#3"].category == "done"
    assert items["AB#3"].type == "Bug"
    releases = {r.key: r for r in plan.releases}
    assert releases["Sprint-1"].status == "in_progress"
    assert releases["Sprint-2"].status == "planned"
    assert str(releases["Sprint-1"].target) == "2026-03-13"
    assert plan.dependencies == (Dependency("item:AB#2", "item:AB#1"),)
    batch = [r for r in org.requests if r.path.endswith("/workitemsbatch")]
    assert batch[0].body["$expand"] == "relations"
    assert "fields" not in batch[0].body
    assert all(r.params.get("api-version") == "7.1" for r in org.requests if "_apis/wit" in r.path)
    assert org.requests[0].headers.get("X-TFS-FedAuthRedirect") == "Suppress"


def test_incremental_uses_time_precision_and_sees_link_only_changes(
    ws: Workspace, org: FakeAzure
) -> None:
    sync(ws)
    assert sync(ws).changed == 0
    org.link(2, 1, active=False)  # link-only edit: ChangedDate does not move
    org.link(3, 2)
    org.update_item(1, **{"System.Title": "Checkout v2"})
    report = sync(ws)
    assert {i.key: i.title for i in ws.plan().work_items}["AB#1"] == "Checkout v2"
    assert ws.plan().dependencies == (Dependency("item:AB#3", "item:AB#2"),)
    assert (report.links_added, report.links_removed) == (1, 1)
    wiql = [
        r for r in org.requests if r.path.endswith("/wiql") and "ChangedDate" in r.body["query"]
    ]
    assert wiql
    assert all(r.params["timePrecision"] == "true" for r in wiql)


def test_deleted_items_are_marked(ws: Workspace, org: FakeAzure) -> None:
    sync(ws)
    org.delete_item(2)
    report = sync(ws)
    assert report.deleted == 1
    assert ws.plan().dependencies == ()
    gone = [
        s.key for s in sync_state.sources(ws.conn, "ado") if s.deleted and s.entity == "work_item"
    ]
    assert gone == ["AB#2"]


def test_wiql_cap_is_partitioned_and_batches_hold_200(
    ws: Workspace, org: FakeAzure, monkeypatch: pytest.MonkeyPatch
) -> None:
    org.wiql_cap = 300
    monkeypatch.setattr(azure, "WIQL_PAGE", 299)
    for n in range(700):
        org.add_item(f"Item {n}")
    assert sync(ws).fetched == 703
    wiql = [r for r in org.requests if r.path.endswith("/wiql")]
    assert len(wiql) == 3
    assert "[System.Id] > 0" in wiql[0].body["query"]
    sizes = sorted(len(r.body["ids"]) for r in org.requests if r.path.endswith("/workitemsbatch"))
    assert max(sizes) == 200
    assert sum(sizes) == 703


def test_wiql_over_the_cap_without_top_is_refused_by_the_fake(org: FakeAzure) -> None:
    import httpx

    org.wiql_cap = 2
    answer = httpx.post(
        f"{org.url}/{org.project}/_apis/wit/wiql?api-version=7.1",
        json={"query": "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project"},
        headers={"Authorization": AzureTracker.authorization(org.pat)},
    )
    assert answer.status_code == 400
    assert "VS402337" in answer.json()["message"]


def test_sign_in_page_means_credentials_rejected(ws: Workspace, org: FakeAzure) -> None:
    KeyringStore().set(engine.load_config(ws, "ado").credential_key, "expired")
    with pytest.raises(SyncError) as info:
        sync(ws)
    assert info.value.kind == SyncError.AUTH
    assert info.value.status == 203
    org.auth_failure = 401
    with pytest.raises(SyncError) as info:
        sync(ws)
    assert info.value.kind == SyncError.AUTH
    assert info.value.status == 401
    assert ws.plan().work_items == ()


def test_unknown_team_says_what_was_not_found(ws: Workspace, org: FakeAzure) -> None:
    config = engine.load_config(ws, "ado")
    row = sync_state.ConnectionRow(
        "ado", config.kind, config.url, config.settings_json().replace(org.team, "Nobody"), "now"
    )
    sync_state.save_connection(ws.conn, row)
    with pytest.raises(SyncError) as info:
        sync(ws)
    assert info.value.status == 404
    assert "team 'Nobody'" in str(info.value)


def test_identity(ws: Workspace, org: FakeAzure) -> None:
    identity = engine.check_connection(engine.load_config(ws, "ado"), KeyringStore(), None)
    assert str(identity) == "Jamal Hartnett (jamal@fabrikam.com)"
