"""``relplan connection set --push`` and ``relplan push`` end to end (issue #14)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

import relplan.cli.commands
from relplan.store.commands import Command, Edit
from relplan.store.workspace import Workspace
from tests.e2e.test_sync_cli import TOKEN, add_jira, run
from tests.e2e.test_sync_cli import jira as jira
from tests.helpers.fake_jira import FakeJira
from tests.helpers.memory_keyring import MemoryKeyring, memory_keyring_fixture  # noqa: F401

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        relplan.cli.commands, "COMMAND_MODULES", ("relplan.cli.sync", "relplan.cli.push")
    )


def move_target(db: Path, day: dt.date) -> str:
    with Workspace.open(db) as ws:
        (release,) = ws.plan().releases
        with ws.write():
            after = replace(release, target=day)
            ws.execute(Command("Edit", (Edit("release", release.key, release, after),)))
        return release.key


def test_push_cli_previews_first_then_writes_then_nothing(
    tmp_path: Path, jira: FakeJira, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    db = tmp_path / "plan.relplan"
    add_jira(db, jira, monkeypatch)
    assert run(["--db", str(db), "sync"], monkeypatch) == 0
    move_target(db, dt.date(2026, 12, 8))
    capsys.readouterr()
    assert run(["--db", str(db), "push"], monkeypatch) == 0
    assert "no connection pushes" in capsys.readouterr().out
    assert run(["--db", str(db), "connection", "set", "pay", "--push", "on"], monkeypatch) == 0
    assert run(["--db", str(db), "push"], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "version 2026.12 releaseDate: 2026-12-01 -> 2026-12-08" in out
    assert "first push: a preview" in out
    assert jira.versions["PAY"][0]["releaseDate"] == "2026-12-01"
    assert run(["--db", str(db), "push", "pay"], monkeypatch) == 0
    assert "1 written" in capsys.readouterr().out
    assert jira.versions["PAY"][0]["releaseDate"] == "2026-12-08"
    assert run(["--db", str(db), "push", "pay"], monkeypatch) == 0
    assert "pay: 0 written, 0 already in sync, 0 conflict(s)" in capsys.readouterr().out
    puts = [r for r in jira.requests if r.method == "PUT"]
    assert len(puts) == 1


@pytest.mark.parametrize(
    ("status", "words"),
    [(401, "credentials rejected (401)"), (403, "permission denied (403)"),
     (404, "not found (404)"), (409, "conflicting update")],
)  # fmt: skip
def test_push_cli_one_line_errors_without_secrets(
    tmp_path: Path, jira: FakeJira, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], status: int, words: str,
) -> None:  # fmt: skip
    db = tmp_path / "plan.relplan"
    add_jira(db, jira, monkeypatch)
    run(["--db", str(db), "sync"], monkeypatch)
    move_target(db, dt.date(2026, 12, 8))
    run(["--db", str(db), "connection", "set", "pay", "--push", "on"], monkeypatch)
    run(["--db", str(db), "push"], monkeypatch)
    capsys.readouterr()
    jira.fail("/version/", status, times=10)
    assert run(["--db", str(db), "push"], monkeypatch) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert words in lines[0]
    assert TOKEN not in captured.err + captured.out
    assert "not written: version 2026.12 releaseDate" in captured.out


def test_connection_set_create_releases_creates_a_version_on_push(
    tmp_path: Path, jira: FakeJira, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    db = tmp_path / "plan.relplan"
    add_jira(db, jira, monkeypatch)
    assert run(["--db", str(db), "sync"], monkeypatch) == 0
    with Workspace.open(db) as ws:
        (release,) = ws.plan().releases
        new = replace(release, key="local-1", name="2027.01", target=dt.date(2027, 1, 15))
        with ws.write():
            ws.execute(Command("Add", (Edit("release", "local-1", None, new),)))
    for flags in (["--push", "on"], ["--create-releases", "on"]):
        assert run(["--db", str(db), "connection", "set", "pay", *flags], monkeypatch) == 0
    assert "pay: create releases on" in capsys.readouterr().out
    assert run(["--db", str(db), "push", "pay"], monkeypatch) == 0  # the first push previews
    assert "version 2027.01 version: (none) -> 2027.01" in capsys.readouterr().out
    assert [v["name"] for v in jira.versions["PAY"]] == ["2026.12"]
    assert run(["--db", str(db), "push", "pay"], monkeypatch) == 0
    assert "1 written" in capsys.readouterr().out
    assert [v["name"] for v in jira.versions["PAY"]] == ["2026.12", "2027.01"]
    assert run(["--db", str(db), "sync"], monkeypatch) == 0
    with Workspace.open(db) as ws:
        assert sorted(r.name for r in ws.plan().releases) == ["2026.12", "2027.01"]
    assert run(["--db", str(db), "connection", "set", "pay"], monkeypatch) == 2
