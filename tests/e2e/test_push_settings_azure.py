"""The Azure iteration root of a connection: where a push creates iterations (#14)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import relplan.cli.commands
from relplan.domain.model import Release
from relplan.errors import SyncError
from relplan.store.commands import Command, Edit
from relplan.store.workspace import Workspace
from relplan.sync import engine, push_create
from tests.e2e.test_push_azure import move
from tests.e2e.test_push_azure import run as run_azure
from tests.e2e.test_push_azure import synced as synced
from tests.e2e.test_sync_azure import org as org
from tests.e2e.test_sync_azure import ws as ws
from tests.e2e.test_sync_cli import run as run_cli
from tests.helpers.fake_azure import FakeAzure
from tests.helpers.fake_writes import add_node
from tests.helpers.memory_keyring import memory_keyring_fixture  # noqa: F401

pytestmark = pytest.mark.e2e
__all__ = ["synced"]


def test_new_iterations_go_under_the_root_and_items_move_there(
    synced: Workspace, org: FakeAzure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_node(org, "", "Releases")
    monkeypatch.setattr(relplan.cli.commands, "COMMAND_MODULES", ("relplan.cli.sync",))
    db = str(tmp_path / "plan.relplan")
    root = "\\Fabrikam\\Iteration\\Releases"
    assert run_cli(["--db", db, "connection", "set", "ado", "--iteration-root", root],
                   monkeypatch) == 0  # fmt: skip
    assert run_cli(["--db", db, "connection", "set", "ado", "--create-releases", "on"],
                   monkeypatch) == 0  # fmt: skip
    assert engine.load_config(synced, "ado").iteration_root == "Releases"
    team = synced.plan().releases[0].team
    new = Release("local-r1", "R 1", team, start=dt.date(2026, 4, 6))
    with synced.write():
        synced.execute(Command("Add", (Edit("release", "local-r1", None, new),)))
    report = run_azure(synced)
    assert [c.field for c in report.written] == ["create"]
    (post,) = [
        r for r in org.requests if r.method == "POST" and "classificationnodes" in r.path.lower()
    ]
    assert post.path == f"/{org.project}/_apis/wit/classificationnodes/Iterations/Releases"
    assert org.nodes["Releases\\R 1"]["path"] == f"\\{org.project}\\Iteration\\Releases\\R 1"
    assert "R 1" not in org.nodes
    move(synced, "AB#1", "local-r1")
    moved = run_azure(synced)
    assert [c.key for c in moved.written] == ["AB#1"]
    assert org.items[1]["fields"]["System.IterationPath"] == f"{org.project}\\Releases\\R 1"
    assert run_azure(synced).changes == []


def test_a_missing_iteration_root_is_a_one_line_failure(synced: Workspace, org: FakeAzure) -> None:
    push_create.set_iteration_root(synced, "ado", "Nowhere")
    push_create.set_create_releases(synced, "ado", True)
    team = synced.plan().releases[0].team
    with synced.write():
        synced.execute(
            Command("Add", (Edit("release", "local-r1", None, Release("local-r1", "R 1", team)),))
        )
    with pytest.raises(SyncError, match="Nowhere does not exist"):
        run_azure(synced)
    assert "Nowhere\\R 1" not in org.nodes
