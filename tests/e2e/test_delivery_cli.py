"""``relplan connection add gitlab ...``, ``relplan sync`` and ``relplan metrics`` end to end."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import relplan.cli.commands
from relplan.cli import commands as cli
from relplan.store import delivery
from relplan.store.workspace import Workspace
from relplan.sync.credentials import connection_key
from tests.helpers.fake_gitlab import FakeGitLab
from tests.helpers.memory_keyring import MemoryKeyring, memory_keyring_fixture  # noqa: F401

pytestmark = pytest.mark.e2e
TOKEN = "glpat-7f3e-never-in-files"
T0 = dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        relplan.cli.commands, "COMMAND_MODULES", ("relplan.cli.sync", "relplan.cli.metrics")
    )


@pytest.fixture
def gitlab() -> Iterator[FakeGitLab]:
    fake = FakeGitLab(token=TOKEN)
    fake.commit("a" * 8, T0 - dt.timedelta(hours=30), "PAY-1 start", None)
    fake.commit("b" * 8, T0 + dt.timedelta(hours=14), "PAY-2 refunds", "a" * 8)
    fake.deploy(1, "a" * 8, "success", T0)
    fake.deploy(2, "b" * 8, "success", T0 + dt.timedelta(days=1))
    with fake:
        yield fake


def run(argv: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return cli.run(argv)


def add(db: Path, fake: FakeGitLab, monkeypatch: pytest.MonkeyPatch, *extra: str) -> int:
    return run(
        ["--db", str(db), "connection", "add", "gitlab", "gl", "--url", fake.url + "/api/v4",
         "--team", "PAY", "--production", "production", "--project", "group/app",
         "--token-stdin", *extra],
        monkeypatch, TOKEN + "\n",
    )  # fmt: skip


def test_add_sync_metrics_and_incremental_sync(
    tmp_path: Path, gitlab: FakeGitLab, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    db = tmp_path / "plan.relplan"
    assert add(db, gitlab, monkeypatch) == 0
    assert memory_keyring.secrets == {("relplan", connection_key(db, "gl")): TOKEN}
    assert TOKEN.encode() not in db.read_bytes()
    assert run(["--db", str(db), "sync"], monkeypatch) == 0
    assert "gl: 2 deployments pulled" in capsys.readouterr().out
    args = ["--db", str(db), "metrics", "--json", "--from", "2026-11-01", "--to", "2026-11-30"]
    assert run(args, monkeypatch) == 0
    m = json.loads(capsys.readouterr().out)
    assert m["deployments"] == 2
    assert m["lead_time_hours"]["median"] == 10.0  # b committed 02:00, deployed 12:00 next day
    # Incremental: the second sync asks only for what changed since the watermark.
    gitlab.requests.clear()
    assert run(["--db", str(db), "sync", "gl"], monkeypatch) == 0
    assert "gl: 0 deployments pulled" in capsys.readouterr().out
    asked = [r for r in gitlab.requests if r.path.endswith("/deployments")]
    assert asked[0].params["updated_after"] == "2026-11-03T12:00:00.000Z"


def test_sync_fault_is_one_line_and_writes_nothing(
    tmp_path: Path, gitlab: FakeGitLab, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    db = tmp_path / "plan.relplan"
    assert add(db, gitlab, monkeypatch) == 0
    gitlab.fail("/repository/compare", 401)  # after the deployments page was read
    assert run(["--db", str(db), "sync"], monkeypatch) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "gl: sync failed (AUTH): credentials rejected" in err
    with Workspace.open(db) as ws:
        assert delivery.load_deployments(ws.conn) == ()


def test_add_checks_options_in_one_line_each(
    tmp_path: Path, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    db = str(tmp_path / "plan.relplan")
    code = run(
        ["--db", db, "connection", "add", "gitlab", "gl", "--token-stdin"], monkeypatch, "t\n"
    )
    err = capsys.readouterr().err
    assert code != 0
    assert "--team" in err
    assert "--production" in err
    assert "--project" in err
    assert memory_keyring.secrets == {}
    code = run(
        ["--db", db, "connection", "add", "gitlab", "gl", "--url", "http://gitlab.example.com",
         "--team", "PAY", "--production", "prod", "--project", "g/a", "--token-stdin"],
        monkeypatch, "t\n",
    )  # fmt: skip
    assert code != 0
    assert "http" in capsys.readouterr().err
    assert memory_keyring.secrets == {}


def test_github_connection_syncs_through_the_same_command(
    tmp_path: Path, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from tests.helpers.fake_github import FakeGitHub

    with FakeGitHub(token=TOKEN) as hub:
        hub.deploy(1, "a" * 40, T0, ("success", T0))
        hub.deploy(2, "b" * 40, T0 + dt.timedelta(days=1), ("failure", T0 + dt.timedelta(days=1)))
        db = tmp_path / "plan.relplan"
        assert run(
            ["--db", str(db), "connection", "add", "github", "gh", "--url", hub.url,
             "--team", "PAY", "--production", "production", "--repo", "acme/app",
             "--token-stdin"],
            monkeypatch, TOKEN + "\n",
        ) == 0  # fmt: skip
        assert run(["--db", str(db), "sync", "gh"], monkeypatch) == 0
    assert "gh: 2 deployments pulled" in capsys.readouterr().out
    with Workspace.open(db) as ws:
        assert [d.outcome for d in delivery.load_deployments(ws.conn)] == ["succeeded", "failed"]


def test_sync_links_by_ref_and_keeps_an_override(
    tmp_path: Path, gitlab: FakeGitLab, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from dataclasses import replace

    from relplan.formats.workspace_json import parse_workspace
    from tests.helpers.plans import document

    db = tmp_path / "plan.relplan"
    with Workspace.open(db) as ws:
        ws.import_plan(parse_workspace(document()))
        keys = [r.key for r in ws.release_plan().releases]
    gitlab.deploy(3, "a" * 8, "success", T0 + dt.timedelta(days=2), ref=f"release/{keys[0]}")
    assert add(db, gitlab, monkeypatch) == 0
    assert run(["--db", str(db), "sync"], monkeypatch) == 0
    with Workspace.open(db) as ws:
        rows = {d.source_id: d for d in delivery.load_deployments(ws.conn)}
        assert (rows["3"].release, rows["3"].link) == (keys[0], "explicit")
        with ws.write():  # a person overrides it (stand-in for the window's edit)
            delivery.save_deployments(
                ws.conn, [replace(rows["3"], release=keys[1], link="override")]
            )
    gitlab.deployments[-1]["updated_at"] = "2026-12-01T00:00:00.000Z"  # the source rewrites it
    assert run(["--db", str(db), "sync"], monkeypatch) == 0
    with Workspace.open(db) as ws:
        again = {d.source_id: d for d in delivery.load_deployments(ws.conn)}
    assert (again["3"].release, again["3"].link) == (keys[1], "override")
