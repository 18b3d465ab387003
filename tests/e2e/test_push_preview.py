"""The push preview of every connection, push_all, and settling conflicts by edit (#14)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from relplan.errors import ValidationError
from relplan.store import sync_state
from relplan.store.entities import TABLES
from relplan.store.workspace import Workspace
from relplan.sync import conflicts, push, push_plan
from relplan.sync.credentials import KeyringStore
from relplan.sync.tracker import Tracker
from tests.e2e.test_push_jira import edit, enable, version, writes
from tests.e2e.test_push_jira import synced as synced
from tests.e2e.test_sync_cli import run as run_cli
from tests.e2e.test_sync_jira import jira as jira
from tests.e2e.test_sync_jira import sync, tracker
from tests.e2e.test_sync_jira import ws as ws
from tests.helpers.fake_jira import FakeJira
from tests.helpers.memory_keyring import memory_keyring_fixture  # noqa: F401

pytestmark = pytest.mark.e2e


def fast(_kind: str) -> Tracker:
    return tracker()


def preview(plan: Workspace) -> list[push_plan.ConnectionPush]:
    return push_plan.preview(plan, KeyringStore(), tracker_for=fast)


def push_all(plan: Workspace) -> list[push_plan.PushOutcome]:
    return push_plan.push_all(plan, KeyringStore(), ["jira"], tracker_for=fast)


def test_push_off_is_listed_with_the_hint_and_not_read(synced: Workspace, jira: FakeJira) -> None:
    edit(synced, "release", "EE-v2.7.0", target=dt.date(2026, 4, 15))
    jira.requests.clear()
    (entry,) = preview(synced)
    assert not entry.push
    assert "relplan connection set jira --push on" in entry.line()
    assert push_plan.rows([entry]) == [
        ("jira", "version v2.7.0", "releaseDate", "2026-04-01", "2026-04-15", "push off")
    ]
    assert jira.requests == []  # push off: the tracker is not even read
    assert push_all(synced) == []
    assert writes(jira) == []


def test_preview_reads_remote_now_and_push_all_writes(synced: Workspace, jira: FakeJira) -> None:
    push.set_push(synced, "jira", True)  # the window's preview is the first push's preview
    edit(synced, "release", "EE-v2.7.0", target=dt.date(2026, 4, 15))
    version(jira, "v2.7.0")["releaseDate"] = "2026-04-02"
    (entry,) = preview(synced)
    assert push_plan.rows([entry]) == [
        ("jira", "version v2.7.0", "releaseDate", "2026-04-02", "2026-04-15", "to push")
    ]
    assert writes(jira) == []
    (outcome,) = push_all(synced)
    # Changed at the source since the last sync: a conflict, not an overwrite.
    assert outcome.report.conflicts
    assert not outcome.report.written
    assert version(jira, "v2.7.0")["releaseDate"] == "2026-04-02"
    rows = push_plan.rows([entry], [outcome])
    assert rows[0][-1] == "conflict: remote now 2026-04-02"
    assert conflicts.count_open(synced) == 1


def test_push_all_after_a_clean_preview_writes_and_reports(
    synced: Workspace, jira: FakeJira
) -> None:
    push.set_push(synced, "jira", True)
    edit(synced, "release", "EE-v2.7.0", target=dt.date(2026, 4, 15))
    edit(synced, "work_item", "EE-2", release="EE-v2.7.0")
    previews = preview(synced)
    (outcome,) = push_all(synced)
    assert outcome.error is None
    assert "2 written" in outcome.line()
    assert version(jira, "v2.7.0")["releaseDate"] == "2026-04-15"
    assert [r[-1] for r in push_plan.rows(previews, [outcome])] == ["written", "written"]


def test_a_fault_is_one_line_with_what_was_not_written(synced: Workspace, jira: FakeJira) -> None:
    enable(synced)
    edit(synced, "release", "EE-v2.7.0", target=dt.date(2026, 4, 15))
    jira.fail("/version/", 401, times=5)
    (outcome,) = push_all(synced)
    assert outcome.error is not None
    assert "credentials rejected (401)" in outcome.error
    assert len(outcome.report.not_written) == 1
    assert "1 not written" in outcome.line()


def conflict_on_target(plan: Workspace, jira: FakeJira) -> conflicts.ConflictView:
    enable(plan)
    edit(plan, "release", "EE-v2.7.0", target=dt.date(2026, 4, 15))
    version(jira, "v2.7.0")["releaseDate"] = "2026-05-01"
    push_all(plan)
    (view,) = conflicts.open_conflicts(plan)
    return view


def test_open_conflicts_show_local_remote_and_base(synced: Workspace, jira: FakeJira) -> None:
    view = conflict_on_target(synced, jira)
    assert (view.local, view.remote, view.base) == ("2026-04-15", "2026-05-01", "2026-04-01")
    assert view.row()[:6] == (
        "jira", "v2.7.0 (release EE-v2.7.0)", "target", "2026-04-15", "2026-05-01", "2026-04-01",
    )  # fmt: skip


def test_keep_edit_sets_the_value_and_the_next_push_writes_it(
    synced: Workspace, jira: FakeJira
) -> None:
    view = conflict_on_target(synced, jira)
    with pytest.raises(ValidationError, match="not a valid value"):
        conflicts.resolve(synced, view.ident, "edit", "15 May")
    changes = conflicts.resolve(synced, view.ident, "edit", "2026-05-15")
    release = TABLES["release"].load(synced.conn, ["EE-v2.7.0"])["EE-v2.7.0"]
    assert release.target == dt.date(2026, 5, 15)
    assert conflicts.count_open(synced) == 0
    assert changes.label == "Resolve EE-v2.7.0 target (edit)"
    (outcome,) = push_all(synced)
    assert [c.field for c in outcome.report.written] == ["target"]
    assert version(jira, "v2.7.0")["releaseDate"] == "2026-05-15"
    assert sync(synced).conflicts == 0
    # One undoable change: undoing the push's bookkeeping and the edit reopens the conflict.
    synced.undo()
    synced.undo()
    assert conflicts.count_open(synced) == 1


def test_edit_checks_the_value_fits_the_field(synced: Workspace, jira: FakeJira) -> None:
    enable(synced)
    edit(synced, "work_item", "EE-2", release="EE-v2.7.0")
    jira.update_issue("EE-2", version="v2.6.0")
    push_all(synced)
    (view,) = conflicts.open_conflicts(synced)
    assert view.field == "release"
    with pytest.raises(ValidationError, match="no release 'EE-v9'"):
        conflicts.resolve(synced, view.ident, "edit", "EE-v9")
    with pytest.raises(ValidationError, match="expected local, remote or edit"):
        conflicts.resolve(synced, view.ident, "mine")
    conflicts.resolve(synced, view.ident, "edit", "")
    assert TABLES["work_item"].load(synced.conn, ["EE-2"])["EE-2"].release is None


def test_cli_keep_edit_uses_the_same_code(
    synced: Workspace, jira: FakeJira, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    view = conflict_on_target(synced, jira)
    db = str(synced.path)
    capsys.readouterr()
    assert run_cli(["--db", db, "sync", "--conflicts"], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "here: 2026-04-15" in out
    assert "last synced: 2026-04-01" in out
    args = ["--db", db, "sync", "--resolve", view.ident, "--keep", "edit", "--value", "2026-06-01"]
    assert run_cli(args, monkeypatch) == 0
    assert "Resolve EE-v2.7.0 target (edit)" in capsys.readouterr().out
    with Workspace.open(Path(db)) as again:
        assert TABLES["release"].load(again.conn, ["EE-v2.7.0"])["EE-v2.7.0"].target == dt.date(
            2026, 6, 1
        )
        assert sync_state.conflicts(again.conn) == []
