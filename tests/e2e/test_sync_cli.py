"""``relplan connection ...`` and ``relplan sync`` end to end, and where the token never goes."""

from __future__ import annotations

import base64
import io
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import relplan.cli.commands
from relplan.cli import commands as cli
from relplan.sync.credentials import connection_key
from tests.helpers.fake_azure import FakeAzure
from tests.helpers.fake_jira import FakeJira
from tests.helpers.memory_keyring import MemoryKeyring, memory_keyring_fixture  # noqa: F401

pytestmark = pytest.mark.e2e
TOKEN = "tok-3c9f1e-never-stored-in-files"


@pytest.fixture(autouse=True)
def _sync_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(relplan.cli.commands, "COMMAND_MODULES", ("relplan.cli.sync",))


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    with FakeJira(token=TOKEN) as fake:
        fake.add_project("PAY", "Payments")
        fake.add_version("PAY", "2026.12", release="2026-12-01")
        fake.add_issue("PAY-1", "Refund API", version="2026.12")
        fake.add_issue("PAY-2", "Ledger")
        fake.link("PAY-2", "PAY-1")
        yield fake


def run(argv: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return cli.run(argv)


def add_jira(db: Path, fake: FakeJira, monkeypatch: pytest.MonkeyPatch) -> int:
    return run(
        ["--db", str(db), "connection", "add", "jira_cloud", "pay", "--url", fake.url,
         "--email", fake.email, "--jql", "project = PAY", "--token-stdin"],
        monkeypatch, TOKEN + "\n",
    )  # fmt: skip


def test_connection_add_list_test_sync_remove(
    tmp_path: Path, jira: FakeJira, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    db = tmp_path / "plan.relplan"
    assert add_jira(db, jira, monkeypatch) == 0
    # Keyed by workspace and connection, so another connection to the same account keeps its own.
    assert memory_keyring.secrets == {("relplan", connection_key(db, "pay")): TOKEN}
    assert run(["--db", str(db), "connection", "list"], monkeypatch) == 0
    assert run(["--db", str(db), "connection", "test", "pay"], monkeypatch) == 0
    assert run(["--db", str(db), "sync"], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "pay              jira_cloud" in out
    assert "signed in to" in out
    assert "Mia Krystof (mia@example.com)" in out
    assert "pay: 2 items fetched; 4 added" in out
    assert "links +1/-0" in out
    assert run(["--db", str(db), "sync", "pay"], monkeypatch) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert run(["--db", str(db), "connection", "remove", "pay"], monkeypatch) == 0
    assert memory_keyring.secrets == {}
    assert run(["--db", str(db), "dependency", "list"], monkeypatch) == 0
    assert "item:PAY-2 -> item:PAY-1" in capsys.readouterr().out


def test_undo_of_a_sync_in_a_fresh_process(
    tmp_path: Path, jira: FakeJira, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "plan.relplan"
    add_jira(db, jira, monkeypatch)
    assert run(["--db", str(db), "sync"], monkeypatch) == 0
    code = (
        "import relplan.cli.commands as c; c.COMMAND_MODULES = ('relplan.cli.sync',); "
        f"raise SystemExit(c.run(['--db', {str(db)!r}, 'undo']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "undid 'Sync pay'" in done.stdout
    from relplan.store.workspace import Workspace

    with Workspace.open(db) as ws:
        assert ws.plan().work_items == ()
        assert ws.conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 0


def test_token_from_a_hidden_prompt(
    tmp_path: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or "pat-1")
    argv = [
        "--db",
        str(tmp_path / "p"),
        "connection",
        "add",
        "azure_boards",
        "ado",
        "--url",
        "https://dev.azure.com/fabrikam",
        "--project",
        "Fabrikam",
        "--team",
        "Web",
    ]
    assert run(argv, monkeypatch) == 0
    assert prompts
    assert "hidden" in prompts[0]
    assert memory_keyring.secrets[("relplan", connection_key(tmp_path / "p", "ado"))] == "pat-1"


@pytest.mark.parametrize(
    "url", ["http://jira.example.com", "http://10.0.0.5:8080", "ftp://x", "https://u:p@x.com"]
)
def test_unsafe_urls_are_refused(
    tmp_path: Path, url: str, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    argv = [
        "--db",
        str(tmp_path / "p"),
        "connection",
        "add",
        "jira_dc",
        "dc",
        "--url",
        url,
        "--jql",
        "project = X",
        "--token-stdin",
    ]
    assert run(argv, monkeypatch, "t\n") == 2
    assert "url" in capsys.readouterr().err
    assert memory_keyring.secrets == {}


def test_no_keyring_backend_is_a_plain_failure(
    tmp_path: Path, jira: FakeJira, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert add_jira(tmp_path / "p", jira, monkeypatch) == 2
    finally:
        keyring.set_keyring(previous)
    err = capsys.readouterr().err
    assert "no keyring backend" in err
    assert "gnome-keyring" in err
    assert "never falls back" in err
    assert not any(tmp_path.glob("**/*token*"))


def test_failed_sync_exits_2_and_is_logged(
    tmp_path: Path, jira: FakeJira, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    db = tmp_path / "plan.relplan"
    add_jira(db, jira, monkeypatch)
    jira.token = "rotated"
    assert run(["--db", str(db), "sync"], monkeypatch) == 2
    assert "credentials rejected" in capsys.readouterr().err


def test_the_token_never_reaches_database_logs_or_exports(
    tmp_path: Path, jira: FakeJira, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    logging.getLogger("httpcore").setLevel(logging.DEBUG)
    db = tmp_path / "plan.relplan"
    assert add_jira(db, jira, monkeypatch) == 0
    assert run(["-v", "--db", str(db), "connection", "test", "pay"], monkeypatch) == 0
    assert run(["-v", "--db", str(db), "sync"], monkeypatch) == 0
    jira.fail("/field", 401, body=b"no")
    assert run(["-v", "--db", str(db), "sync", "--full"], monkeypatch) == 2
    export = tmp_path / "export.json"
    assert run(["--db", str(db), "export", "json", "--out", str(export)], monkeypatch) == 0
    assert run(["--db", str(db), "connection", "list", "--json"], monkeypatch) == 0
    assert run(["--db", str(db), "history", "--json"], monkeypatch) == 0
    printed = capsys.readouterr()
    basic = base64.b64encode(f"{jira.email}:{TOKEN}".encode()).decode()
    files = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert caplog.records, "the run logged something"
    for secret in (TOKEN, basic):
        assert secret.encode() not in files
        assert secret not in caplog.text
        assert secret not in printed.out + printed.err
    # The request really carried it, so the checks above are not vacuous.
    assert any(r.headers.get("Authorization") == f"Basic {basic}" for r in jira.requests)


def test_azure_through_the_cli(
    tmp_path: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    with FakeAzure(pat=TOKEN) as org:
        org.add_item("One")
        db = str(tmp_path / "p")
        argv = [
            "--db",
            db,
            "connection",
            "add",
            "azure_boards",
            "ado",
            "--url",
            org.url,
            "--project",
            org.project,
            "--team",
            org.team,
            "--token-stdin",
        ]
        assert run(argv, monkeypatch, TOKEN) == 0
        assert run(["--db", db, "sync", "ado"], monkeypatch) == 0
    assert "ado: 1 item fetched" in capsys.readouterr().out  # was "1 items"
