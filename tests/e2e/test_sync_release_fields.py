"""Releases from an item field and target dates from a field, against the fake servers."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import relplan.cli.commands
from relplan.cli import commands as cli
from relplan.store import sync_state
from relplan.store.workspace import Workspace
from relplan.sync import engine
from relplan.sync.azure import AzureTracker
from relplan.sync.credentials import KeyringStore
from relplan.sync.jira import JiraTracker
from relplan.sync.ratelimit import RetryPolicy
from relplan.sync.tracker import ConnectionConfig, FieldMapping
from tests.e2e.test_sync_jira import snapshot
from tests.helpers.fake_azure import FakeAzure
from tests.helpers.fake_jira import FakeJira
from tests.helpers.memory_keyring import MemoryKeyring, memory_keyring_fixture  # noqa: F401

pytestmark = pytest.mark.e2e
FAST = RetryPolicy(max_retries=2, base_delay_s=0.01)
D = dt.date
TRAIN, TARGET = "customfield_10050", "customfield_10042"


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(tmp_path / "plan.relplan") as workspace:
        yield workspace


def save(ws: Workspace, config: ConnectionConfig, secret: str) -> None:
    row = sync_state.ConnectionRow(config.name, config.kind, config.url, config.settings_json(), "")
    sync_state.save_connection(ws.conn, row)
    KeyringStore().set(config.credential_key, secret)


def releases(ws: Workspace) -> dict[str, tuple[str, dt.date | None, dt.date | None]]:
    return {r.key: (r.name, r.start, r.target) for r in ws.plan().releases}


def item_releases(ws: Workspace) -> dict[str, str | None]:
    return {i.key: i.release for i in ws.plan().work_items}


def deleted_releases(ws: Workspace, name: str) -> set[str]:
    return {s.key for s in sync_state.sources(ws.conn, name) if s.entity == "release" and s.deleted}


# -- Jira ---------------------------------------------------------------------------------------
@pytest.fixture(params=[True, False], ids=["cloud", "dc"])
def jira(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(cloud=request.param) as fake:
        fake.add_project("EE", "Engine")
        fake.add_field(TRAIN, "Release train", "option")
        fake.add_field(TARGET, "Target date", "date")
        fake.add_version("EE", "v3.0", start="2026-03-02")  # no releaseDate
        fake.add_version("EE", "v2.9", release="2026-03-20")
        fake.add_issue(
            "EE-1",
            "Refund API",
            version="v3.0",
            fields={TRAIN: fake.option("Train 5"), "duedate": "2026-04-10"},
        )
        fake.add_issue(
            "EE-2",
            "Ledger",
            version="v3.0",
            fields={TRAIN: fake.option("Train 5"), "duedate": "2026-04-20", TARGET: "2026-05-04"},
        )
        fake.add_issue(
            "EE-3",
            "Audit",
            version="v2.9",
            fields={TRAIN: fake.option("Train 6"), "duedate": "2026-06-01"},
        )
        fake.tick(30)  # the last issue's time is the watermark: the others are out of the overlap
        fake.add_issue("EE-4", "Chores")
        yield fake


def connect_jira(ws: Workspace, fake: FakeJira, **how: str) -> ConnectionConfig:
    config = ConnectionConfig(
        "jira", "jira_cloud" if fake.cloud else "jira_dc", fake.url,
        user=fake.email if fake.cloud else "", jql="project = EE", mapping=FieldMapping(**how),
    )  # fmt: skip
    save(ws, config, fake.token)
    return config


def sync_jira(ws: Workspace) -> engine.SyncReport:
    return engine.run_sync(ws, "jira", KeyringStore(), tracker=JiraTracker(policy=FAST))


def test_jira_releases_from_a_field_named_by_its_name(
    ws: Workspace, jira: FakeJira, memory_keyring: MemoryKeyring
) -> None:
    connect_jira(ws, jira, release_from="field:Release train", target_field="Due date")
    sync_jira(ws)
    # Created 2026-03-01 ~09:0x UTC: the same day in the fake's Sydney time.
    assert releases(ws) == {
        "EE-Train-5": ("Train 5", D(2026, 3, 1), D(2026, 4, 20)),
        "EE-Train-6": ("Train 6", D(2026, 3, 1), D(2026, 6, 1)),
    }
    assert item_releases(ws) == {
        "EE-1": "EE-Train-5", "EE-2": "EE-Train-5", "EE-3": "EE-Train-6", "EE-4": None,
    }  # fmt: skip
    # The field's id went into the requests, and no versions were read.
    if jira.cloud:
        asked = [
            f for r in jira.requests if r.path.endswith("/bulkfetch") for f in r.body["fields"]
        ]
    else:
        asked = [
            f for r in jira.requests if r.path.endswith("/search")
            for f in r.params["fields"].split(",")
        ]  # fmt: skip
    assert {TRAIN, "duedate"} <= set(asked)
    assert not [p for p in jira.paths() if p.endswith("/versions")]
    # Idempotent.
    before = snapshot(ws)
    assert sync_jira(ws).changed == 0
    assert snapshot(ws) == before
    # Incremental: EE-3 moves to Train 5; Train 6 has no items left. EE-2 is not fetched (only
    # the changed issues and EE-4, in the overlap window), yet its facts still count.
    jira.tick(30)
    jira.update_issue("EE-3", fields={TRAIN: jira.option("Train 5"), "duedate": "2026-05-02"})
    jira.update_issue("EE-1", fields={"duedate": "2026-04-01"})
    assert sync_jira(ws).fetched == 3
    assert releases(ws)["EE-Train-5"] == ("Train 5", D(2026, 3, 1), D(2026, 5, 2))
    assert item_releases(ws)["EE-3"] == "EE-Train-5"
    assert deleted_releases(ws, "jira") == {"EE-Train-6"}
    # A new value makes a new release; unfetched EE-2 keeps Train 5's target.
    jira.tick(30)
    jira.update_issue("EE-3", fields={TRAIN: jira.option("Train 7"), "duedate": None})
    assert sync_jira(ws).fetched == 2  # EE-3, and EE-1 in the overlap
    assert releases(ws)["EE-Train-5"][2] == D(2026, 4, 20)
    assert releases(ws)["EE-Train-7"] == ("Train 7", D(2026, 3, 1), None)
    before = snapshot(ws)
    assert sync_jira(ws).changed == 0
    assert snapshot(ws) == before


def test_jira_versions_take_missing_targets_from_a_custom_field(
    ws: Workspace, jira: FakeJira, memory_keyring: MemoryKeyring
) -> None:
    connect_jira(ws, jira, target_field=TARGET)
    sync_jira(ws)
    # v3.0 has no releaseDate: the latest Target date of its issues; v2.9 keeps its own.
    assert releases(ws) == {
        "EE-v3.0": ("v3.0", D(2026, 3, 2), D(2026, 5, 4)),
        "EE-v2.9": ("v2.9", None, D(2026, 3, 20)),
    }
    before = snapshot(ws)
    assert sync_jira(ws).changed == 0
    assert snapshot(ws) == before
    jira.update_issue("EE-1", fields={TARGET: "2026-05-11"})
    sync_jira(ws)
    assert releases(ws)["EE-v3.0"][2] == D(2026, 5, 11)


def test_default_mapping_is_unchanged(
    ws: Workspace, jira: FakeJira, memory_keyring: MemoryKeyring
) -> None:
    connect_jira(ws, jira)
    sync_jira(ws)
    assert releases(ws) == {
        "EE-v3.0": ("v3.0", D(2026, 3, 2), None),
        "EE-v2.9": ("v2.9", None, D(2026, 3, 20)),
    }
    state = sync_state.state(ws.conn, "jira")
    assert state is not None
    assert "release_facts" not in state.data()


# -- Azure Boards -------------------------------------------------------------------------------
RELEASE, TARGET_DATE = "Custom.Release", "Microsoft.VSTS.Scheduling.TargetDate"


@pytest.fixture
def org() -> Iterator[FakeAzure]:
    with FakeAzure() as fake:
        fake.add_iteration("Sprint 1", "2026-03-02", None, "current")
        fake.add_item(
            "Checkout",
            area="Web",
            iteration="Sprint 1",
            fields={RELEASE: "2026.05", TARGET_DATE: "2026-05-15T00:00:00Z"},
        )
        fake.add_item(
            "Cart",
            area="Web",
            iteration="Sprint 1",
            fields={RELEASE: "2026.05", TARGET_DATE: "2026-05-20T00:00:00Z"},
        )
        fake.add_item("Payments API", area="Pay", fields={RELEASE: "2026.06"})
        fake.tick(30)  # the last item's time is the watermark: the others are out of the overlap
        fake.add_item("Old bug", kind="Bug", state="Closed", area="Pay")
        yield fake


def connect_azure(ws: Workspace, org: FakeAzure, **how: str) -> None:
    config = ConnectionConfig(
        "ado", "azure_boards", org.url, project=org.project, team=org.team,
        mapping=FieldMapping(**how),
    )  # fmt: skip
    save(ws, config, org.pat)


def sync_azure(ws: Workspace) -> engine.SyncReport:
    return engine.run_sync(ws, "ado", KeyringStore(), tracker=AzureTracker(policy=FAST))


def test_azure_releases_from_a_custom_field(
    ws: Workspace, org: FakeAzure, memory_keyring: MemoryKeyring
) -> None:
    connect_azure(ws, org, release_from=f"field:{RELEASE}", target_field=TARGET_DATE)
    sync_azure(ws)
    assert releases(ws) == {
        "Web-2026.05": ("2026.05", D(2026, 3, 1), D(2026, 5, 20)),
        "Pay-2026.06": ("2026.06", D(2026, 3, 1), None),
    }
    assert item_releases(ws) == {
        "AB#1": "Web-2026.05", "AB#2": "Web-2026.05", "AB#3": "Pay-2026.06", "AB#4": None,
    }  # fmt: skip
    teams = {r.key: r.team for r in ws.plan().releases}
    assert teams == {"Web-2026.05": "Web", "Pay-2026.06": "Pay"}
    assert not [p for p in org.paths() if p.endswith("/iterations")]
    before = snapshot(ws)
    assert sync_azure(ws).changed == 0
    assert snapshot(ws) == before
    # Incremental: AB#2 is not fetched again (AB#4 is, in the overlap), yet still counts.
    org.tick(30)
    org.update_item(1, **{TARGET_DATE: "2026-05-10T00:00:00Z"})
    org.update_item(3, **{RELEASE: None})
    report = sync_azure(ws)
    batch = [r.body["ids"] for r in org.requests if r.path.endswith("/workitemsbatch")]
    assert (report.fetched, sorted(batch[-1])) == (3, [1, 3, 4])
    assert releases(ws)["Web-2026.05"] == ("2026.05", D(2026, 3, 1), D(2026, 5, 20))
    # Pay-2026.06 has no items left: kept here, marked as gone at the source.
    assert deleted_releases(ws, "ado") == {"Pay-2026.06"}
    org.update_item(2, **{TARGET_DATE: None})
    sync_azure(ws)
    assert releases(ws)["Web-2026.05"] == ("2026.05", D(2026, 3, 1), D(2026, 5, 10))
    before = snapshot(ws)
    assert sync_azure(ws).changed == 0
    assert snapshot(ws) == before


def test_azure_iteration_without_finish_takes_the_latest_item_target(
    ws: Workspace, org: FakeAzure, memory_keyring: MemoryKeyring
) -> None:
    connect_azure(ws, org, target_field=TARGET_DATE)
    sync_azure(ws)
    assert releases(ws) == {"Sprint-1": ("Sprint 1", D(2026, 3, 2), D(2026, 5, 20))}
    assert item_releases(ws)["AB#1"] == "Sprint-1"
    before = snapshot(ws)
    assert sync_azure(ws).changed == 0
    assert snapshot(ws) == before


# -- Command line ------------------------------------------------------------------------------
def test_connection_add_persists_the_options(
    tmp_path: Path, jira: FakeJira, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setattr(relplan.cli.commands, "COMMAND_MODULES", ("relplan.cli.sync",))
    db = tmp_path / "plan.relplan"
    monkeypatch.setattr("sys.stdin", io.StringIO(jira.token + "\n"))
    argv = ["--db", str(db), "connection", "add", "jira_cloud" if jira.cloud else "jira_dc",
            "ee", "--url", jira.url, "--jql", "project = EE", "--token-stdin",
            "--release-from", "field:Release train", "--target-field", "duedate",
            "--start-field", "none", *(["--email", jira.email] if jira.cloud else [])]  # fmt: skip
    assert cli.run(argv) == 0
    assert cli.run(["--db", str(db), "sync", "ee"]) == 0
    assert "4 items fetched" in capsys.readouterr().out
    with Workspace.open(db) as ws:
        settings = json.loads(sync_state.connection(ws.conn, "ee").settings)["mapping"]
        assert (settings["release_from"], settings["target_field"], settings["start_field"]) == (
            "field:Release train", "duedate", "none",
        )  # fmt: skip
        assert releases(ws) == {
            "EE-Train-5": ("Train 5", None, D(2026, 4, 20)),
            "EE-Train-6": ("Train 6", None, D(2026, 6, 1)),
        }
    assert cli.run(["--db", str(db), "sync", "ee"]) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert cli.run(["--db", str(db), "connection", "add", "jira_dc", "bad", "--url", jira.url,
                    "--jql", "project = EE", "--release-from", "sprints"]) != 0  # fmt: skip
    assert "release_from" in capsys.readouterr().err


def test_connection_help_documents_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.run(["connection", "add", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for text in ("--release-from HOW", "field:FIELD", "--target-field FIELD", "duedate",
                 "--start-field FIELD", "Microsoft.VSTS.Scheduling.TargetDate"):  # fmt: skip
        assert text in out
