"""Odd files and disks: what opening a workspace does with each (issue #13, "Files and disks")."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
from pathlib import Path

import pytest

from relplan.cli.commands import run
from relplan.errors import NotAWorkspaceError, StoreError
from relplan.store.database import backup_path
from relplan.store.workspace import Workspace
from tests.helpers.plans import document


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = run(list(argv))
    captured = capsys.readouterr()
    return code, captured.err


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def _workspace(path: Path) -> Path:
    with Workspace.open(path) as ws:
        from relplan.formats.workspace_json import parse_workspace

        ws.import_plan(parse_workspace(document()), replace=True)
    return path


def test_a_folder_as_db_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, stderr = _run(capsys, "--db", str(tmp_path), "check")
    assert code == 2
    assert "is a folder" in _one_line(stderr)


@pytest.mark.parametrize("command", ["check", "readiness", "schedule"])
def test_a_missing_workspace_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    target = tmp_path / "nope.relplan"
    code, stderr = _run(capsys, "--db", str(target), command)
    assert code == 2
    assert _one_line(stderr) == f"relplan: {target}: no such file or folder"
    assert not target.exists()


def test_a_path_under_a_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "plain.txt"
    file.write_text("x")
    code, stderr = _run(capsys, "--db", str(file / "ws.relplan"), "import", str(file))
    assert code == 2
    assert "part of the path is a file" in _one_line(stderr)


def test_a_missing_folder_is_an_error_not_a_new_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "plan.json"
    src.write_text(json.dumps(document()))
    target = tmp_path / "missing" / "ws.relplan"
    code, stderr = _run(capsys, "--db", str(target), "import", str(src))
    assert code == 2
    assert "does not exist" in _one_line(stderr)
    assert not target.parent.exists()


def test_a_name_too_long_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, stderr = _run(capsys, "--db", str(tmp_path / ("a" * 300)), "check")
    assert code == 2
    assert "too long" in _one_line(stderr)


@pytest.mark.parametrize("kind", ["empty file", "empty foreign SQLite"])
def test_a_read_only_command_never_makes_a_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    other = tmp_path / "other.sqlite"
    if kind == "empty file":
        other.write_bytes(b"")
    else:
        sqlite3.connect(other).execute("PRAGMA user_version = 0").connection.close()
    before = other.read_bytes()
    for command in (["check"], ["history"], ["export", "json", "--out", str(tmp_path / "o")]):
        code, stderr = _run(capsys, "--db", str(other), *command)
        assert code == 2, command
        _one_line(stderr)
        assert other.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir() if p.name != "o") == ["other.sqlite"]


def _deny_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every file and folder look unwritable (the tests run as root, so chmod cannot)."""
    real = os.access

    def access(path: object, mode: int, **kwargs: object) -> bool:
        return False if mode & os.W_OK else real(path, mode)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)


def test_a_workspace_in_a_read_only_folder_can_be_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _workspace(tmp_path / "ws.relplan")
    # A stale WAL side file, as a copy from a running machine would have.
    (tmp_path / "ws.relplan-wal").write_bytes(b"")
    before = db.read_bytes()
    _deny_writes(monkeypatch)
    code, stderr = _run(capsys, "--db", str(db), "check")
    assert code in (0, 1), stderr
    assert "damaged" not in stderr
    out = tmp_path / "out.json"
    code, stderr = _run(capsys, "--db", str(db), "export", "json", "--out", str(out))
    assert code == 0, stderr
    assert json.loads(out.read_text())["releases"]
    with Workspace.open(db, create=False) as ws:
        assert ws.read_only
    code, stderr = _run(capsys, "--db", str(db), "undo")
    assert code == 2
    assert "read-only" in _one_line(stderr)
    assert db.read_bytes() == before


def test_a_damaged_workspace_is_refused_before_any_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _workspace(tmp_path / "ws.relplan")
    backup = backup_path(db, 3)
    backup.write_bytes(db.read_bytes())
    data = bytearray(db.read_bytes())
    page = 4096
    # Scribble over a page in the middle of the file (a table's b-tree page, not the header).
    start = page * (len(data) // page // 2)
    data[start : start + page] = b"\xa5" * page
    db.write_bytes(bytes(data))
    src = tmp_path / "plan.json"
    src.write_text(json.dumps(document()))
    code, stderr = _run(capsys, "--db", str(db), "import", str(src))
    assert code == 2
    line = _one_line(stderr)
    assert "damaged" in line
    assert str(backup) in line
    assert db.read_bytes() == bytes(data)


def test_disk_full_mid_import_says_disk_full(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _workspace(tmp_path / "ws.relplan")
    conn = sqlite3.connect(db)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    big = document()
    big["work_items"] = [
        {"key": f"X-{i}", "title": "t" * 200, "team": "PAY", "release": None} for i in range(3000)
    ]
    src = tmp_path / "big.json"
    src.write_text(json.dumps(big))
    # max_page_count makes SQLite answer SQLITE_FULL just as a full disk does.
    from relplan.store import database

    real = database.open_connection

    def tight(path: object, **kwargs: bool) -> object:
        opened = real(path, **kwargs)  # type: ignore[arg-type]
        opened.execute(f"PRAGMA max_page_count = {pages + 5}")
        return opened

    import relplan.store.workspace as workspace_module

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(workspace_module, "open_connection", tight)
        code, stderr = _run(capsys, "--db", str(db), "import", str(src))
    assert code == 2
    line = _one_line(stderr)
    assert "disk full" in line
    assert "rollback" not in line
    with Workspace.open(db) as ws:
        assert not [i for i in ws.plan().work_items if i.key.startswith("X-")]
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_enospc_on_export_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _workspace(tmp_path / "ws.relplan")

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out.json"))

    import relplan.formats.workspace_io as io_module

    monkeypatch.setattr(io_module, "open_output", full)
    code, stderr = _run(capsys, "--db", str(db), "export", "json", "--out", str(tmp_path / "o"))
    assert code == 2
    assert "disk full" in _one_line(stderr)


def test_permission_denied_on_input_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _workspace(tmp_path / "ws.relplan")
    src = tmp_path / "plan.json"
    src.write_text("{}")
    real = Path.read_text

    def denied(self: Path, *args: object, **kwargs: object) -> str:
        if self == src:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", denied)
    code, stderr = _run(capsys, "--db", str(db), "import", str(src))
    assert code == 2
    assert "permission denied" in _one_line(stderr).lower()


def test_an_unexpected_error_writes_a_crash_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _workspace(tmp_path / "ws.relplan")

    def boom(*args: object, **kwargs: object) -> None:
        raise KeyError("secret-looking internals")

    import relplan.planning.check as check_module

    monkeypatch.setattr(check_module, "check_plan", boom)
    code, stderr = _run(capsys, "--db", str(db), "check")
    assert code == 2
    line = _one_line(stderr)
    assert "crash report" in line
    report = Path(line.rsplit(" ", 1)[-1])
    assert report.is_file()
    assert "Traceback" in report.read_text()
    assert report.parent.parent == Path(os.environ["XDG_DATA_HOME"]) / "relplan"


def test_store_errors_name_the_place(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        Workspace.open(tmp_path)
    empty = tmp_path / "e.relplan"
    empty.write_bytes(b"")
    with pytest.raises(NotAWorkspaceError, match="empty"):
        Workspace.open(empty, create=False)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["impact", "PAY-2026.12", "--slip", "99999999999"], "--slip"),
        (["check", "--today", "9999-12-31"], "outside"),
        (["history", "--limit", "99999999999999999999"], "--limit"),
        (
            ["dependency", "add", "release:PAY-2026.12", "release:WEB-2026.12", "--lag", "3000000"],
            "--lag",
        ),
    ],
)
def test_command_line_numbers_and_days_are_bounded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    db = _workspace(tmp_path / "ws.relplan")
    before = db.read_bytes()
    with pytest.raises(SystemExit) as info:
        run(["--db", str(db), *argv])
    assert info.value.code == 2
    stderr = capsys.readouterr().err
    assert words in stderr
    assert "Traceback" not in stderr
    assert db.read_bytes() == before


def test_an_export_into_a_missing_folder_names_the_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _workspace(tmp_path / "ws.relplan")
    target = tmp_path / "missing" / "out.ics"
    code, stderr = _run(capsys, "--db", str(db), "export", "ics", "--out", str(target))
    assert code == 2
    assert _one_line(stderr) == (
        f"relplan: {target}: cannot write there: the folder {target.parent} does not exist"
    )
