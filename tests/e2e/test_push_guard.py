"""A confirmed push writes exactly what was previewed, or nothing (issue #14)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import relplan.cli.commands
from relplan.store.workspace import Workspace
from relplan.sync import push, push_guard, push_plan
from relplan.sync.credentials import KeyringStore
from tests.e2e.test_push_cli import move_target
from tests.e2e.test_push_jira import edit, version, writes
from tests.e2e.test_push_jira import synced as synced
from tests.e2e.test_push_preview import fast, preview
from tests.e2e.test_sync_cli import add_jira
from tests.e2e.test_sync_cli import jira as cli_jira
from tests.e2e.test_sync_cli import run as run_cli
from tests.e2e.test_sync_jira import jira as jira
from tests.e2e.test_sync_jira import ws as ws
from tests.helpers.fake_jira import FakeJira
from tests.helpers.memory_keyring import MemoryKeyring, memory_keyring_fixture  # noqa: F401

pytestmark = pytest.mark.e2e
__all__ = ["cli_jira"]


def push_previewed(plan: Workspace, previews: list[push_plan.ConnectionPush]) -> list[Any]:
    names = [p.name for p in previews if p.changes]
    expected = {p.name: p.fingerprint for p in previews}
    return push_plan.push_all(plan, KeyringStore(), names, tracker_for=fast, expected=expected)


def test_an_edit_after_the_preview_is_refused_and_nothing_is_written(
    synced: Workspace, jira: FakeJira
) -> None:
    push.set_push(synced, "jira", True)
    edit(synced, "release", "EE-v2.7.0", target=dt.date(2026, 4, 15))
    previews = preview(synced)
    # After the preview: the same field again, and a new change.
    edit(synced, "release", "EE-v2.7.0", target=dt.date(2026, 4, 20))
    edit(synced, "work_item", "EE-2", release="EE-v2.7.0")
    jira.requests.clear()
    with pytest.raises(push_guard.PlanChangedError) as caught:
        push_previewed(synced, previews)
    assert "the plan changed since the preview (jira)" in str(caught.value)
    assert jira.requests == []  # refused before any request
    assert version(jira, "v2.7.0")["releaseDate"] == "2026-04-01"
    again = preview(synced)
    assert [c.new for c in again[0].changes] == ["2026-04-20", "EE-v2.7.0"]
    (outcome,) = push_previewed(synced, again)
    assert len(outcome.report.written) == 2
    assert version(jira, "v2.7.0")["releaseDate"] == "2026-04-20"


def test_the_previewed_plan_is_pushed_when_nothing_changed(
    synced: Workspace, jira: FakeJira
) -> None:
    push.set_push(synced, "jira", True)
    edit(synced, "release", "EE-v2.7.0", target=dt.date(2026, 4, 15))
    previews = preview(synced)
    assert len(previews[0].fingerprint) == 12
    (outcome,) = push_previewed(synced, previews)
    assert [c.field for c in outcome.report.written] == ["target"]
    assert [w[1] for w in writes(jira)] == [f"{jira.api}/version/{version(jira, 'v2.7.0')['id']}"]


def test_cli_expect_pushes_only_the_dry_run_plan(
    tmp_path: Path, cli_jira: FakeJira, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setattr(
        relplan.cli.commands, "COMMAND_MODULES", ("relplan.cli.sync", "relplan.cli.push")
    )
    db = tmp_path / "plan.relplan"
    add_jira(db, cli_jira, monkeypatch)
    assert run_cli(["--db", str(db), "sync"], monkeypatch) == 0
    assert run_cli(["--db", str(db), "connection", "set", "pay", "--push", "on"], monkeypatch) == 0
    move_target(db, dt.date(2026, 12, 8))
    capsys.readouterr()
    assert run_cli(["--db", str(db), "push", "pay", "--dry-run"], monkeypatch) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "--expect" in x)
    plan = line.rsplit(" ", 1)[1]
    assert line.strip() == f"push exactly these: relplan push pay --expect {plan}"
    move_target(db, dt.date(2026, 12, 9))  # edited after the dry run
    assert run_cli(["--db", str(db), "push", "pay", "--expect", plan], monkeypatch) == 2
    err = capsys.readouterr().err
    assert "pay: the plan changed since the preview (pay): nothing was written" in err
    assert [r for r in cli_jira.requests if r.method == "PUT"] == []
    assert run_cli(["--db", str(db), "push", "pay", "--dry-run"], monkeypatch) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "--expect" in x)
    assert run_cli(["--db", str(db), "push", "pay", "--expect", line.rsplit(" ", 1)[1]],
                   monkeypatch) == 0  # fmt: skip
    assert "1 written" in capsys.readouterr().out
    assert cli_jira.versions["PAY"][0]["releaseDate"] == "2026-12-09"
    assert run_cli(["--db", str(db), "push", "--expect", plan], monkeypatch) == 2
