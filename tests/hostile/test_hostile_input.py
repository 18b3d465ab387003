"""The hostile-input suite: over 1,000 seeded cases of JSON, iCalendar, CSV and tracker answers.

Every case must end with exit status 0 or 2, one ``relplan: ...`` line per problem on standard
error (readable length, no control characters, never a traceback or an internal error), and on
failure the workspace file unchanged byte for byte. Most cases run in-process through
:func:`relplan.cli.commands.run` for speed; a few run as real processes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from relplan.cli.commands import run
from relplan.errors import SyncError
from relplan.formats.workspace_json import parse_workspace
from relplan.store import sync_state
from relplan.store.workspace import Workspace
from relplan.sync import engine
from relplan.sync.credentials import KeyringStore
from relplan.sync.http import RetryPolicy
from relplan.sync.jira import JiraTracker
from relplan.sync.tracker import ConnectionConfig
from tests.helpers.fake_jira import FakeJira
from tests.helpers.memory_keyring import MemoryKeyring, memory_keyring_fixture  # noqa: F401
from tests.helpers.plans import document
from tests.hostile.generators import Case, csv_cases, ics_cases, json_cases

SEED = 20261204
JSON_CASES = json_cases(SEED, 600)
ICS_CASES = ics_cases(SEED + 1, 250)
CSV_CASES = csv_cases(SEED + 2, 150)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_LINE = 1100


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of a small workspace (tests/helpers/plans.py), closed and checkpointed."""
    path = tmp_path_factory.mktemp("template") / "ws.relplan"
    with Workspace.open(path) as ws:
        ws.import_plan(parse_workspace(document()), replace=True)
    return path.read_bytes()


class Bench:
    """One workspace file restored from the template before each case."""

    def __init__(self, folder: Path, template: bytes) -> None:
        self.folder = folder
        self.db = folder / "ws.relplan"
        self.template = template

    def reset(self) -> None:
        for side in ("-wal", "-shm"):
            Path(f"{self.db}{side}").unlink(missing_ok=True)
        self.db.write_bytes(self.template)

    def run(
        self, capsys: pytest.CaptureFixture[str], name: str, data: bytes, *command: str
    ) -> None:
        self.reset()
        src = self.folder / "input"
        src.write_bytes(data)
        argv = ["--db", str(self.db), *(str(src) if c == "{src}" else c for c in command)]
        code = run(argv)
        captured = capsys.readouterr()
        check_outcome(name, code, captured.err)
        if code != 0:
            assert self.db.read_bytes() == self.template, f"{name}: the workspace changed"


def check_outcome(name: str, code: int, stderr: str) -> None:
    """Exit 0 or 2; every stderr line one readable ``relplan:`` line; never a traceback."""
    assert code in (0, 2), f"{name}: exit {code}: {stderr[:500]}"
    assert "Traceback" not in stderr, f"{name}: {stderr[:2000]}"
    assert "internal error" not in stderr, f"{name}: {stderr[:500]}"
    lines = stderr.splitlines()
    if code == 2:
        assert lines, f"{name}: failed without a message"
    for line in lines:
        assert line.startswith("relplan: "), f"{name}: {line[:300]!r}"
        assert len(line) <= MAX_LINE, f"{name}: a {len(line)}-character line"
        assert not _CONTROL.search(line), f"{name}: control character in {line[:300]!r}"


@pytest.fixture
def bench(tmp_path: Path, template: bytes) -> Bench:
    return Bench(tmp_path, template)


def _batches(cases: list[Case], size: int) -> list[list[Case]]:
    return [cases[i : i + size] for i in range(0, len(cases), size)]


@pytest.mark.parametrize("batch", _batches(JSON_CASES, 150), ids=lambda b: b[0][0].split(":")[0])
def test_hostile_workspace_json(
    bench: Bench, capsys: pytest.CaptureFixture[str], batch: list[Case]
) -> None:
    for name, data in batch:
        bench.run(capsys, name, data, "import", "{src}")


@pytest.mark.parametrize("batch", _batches(ICS_CASES, 125), ids=lambda b: b[0][0].split(":")[0])
def test_hostile_ics(bench: Bench, capsys: pytest.CaptureFixture[str], batch: list[Case]) -> None:
    for name, data in batch:
        bench.run(capsys, name, data, "import", "ics", "{src}", "--as", "freezes")


@pytest.mark.parametrize("batch", _batches(CSV_CASES, 75), ids=lambda b: b[0][0].split(":")[0])
def test_hostile_deployments_csv(
    bench: Bench, capsys: pytest.CaptureFixture[str], batch: list[Case]
) -> None:
    for name, data in batch:
        bench.run(capsys, name, data, "deployments", "import", "{src}")


def test_the_suite_has_over_a_thousand_cases() -> None:
    total = len(JSON_CASES) + len(ICS_CASES) + len(CSV_CASES)
    total += len(TRACKER_BODIES) * len(TRACKER_PATHS)
    assert total >= 1000, total


# -- tracker answers -------------------------------------------------------------------------
#: Bodies a tracker answered with status 200 that no real API sends.
TRACKER_BODIES: list[bytes] = [
    b"[1,2,3]", b"{}", b"null", b'"text"', b"42", b"true", b"[]", b"[[[[[[]]]]]]",
    b'{"issues": 5}', b'{"issues": [1, 2]}', b'{"issues": [{"fields": []}]}',
    b'{"issues": [{"id": 1, "key": null, "fields": {"summary": 7}}]}',
    b'{"issues": [{"id": "1", "key": "EE-9", "fields": {"updated": "9999-12-31T23:59:59.000+0000",'
    b' "created": "0001-01-01T00:00:00.000+0000", "summary": "' + b"S" * 5000 + b'"}}]}',
    b'{"values": "x"}', b'{"isLast": "maybe", "values": [null]}', b'{"nextPageToken": 5}',
    b'{"accountId": [1]}', b"not json at all", b"\xff\xfe\x00", b'{"a":' * 3000,
    b'{"issues": [{"id": "1", "key": "EE-1\\u0000|x->y", "fields": {"summary": "\\ud800",'
    b' "fixVersions": [{"id": 1}], "issuelinks": [{"type": 5}]}}]}',
    b'{"errorMessages": ["' + b"e" * 100_000 + b'"]}', b'{"total": 18446744073709551616}',
    b'[{"id": "1", "name": "v1", "releaseDate": "9999-12-31", "startDate": 99999999999999999}]',
    b'[{"id": 1, "name": null}]', b'[{"id": "1", "name": "\\u001b[2J"}]',
]  # fmt: skip
#: Where the hostile answer comes from: the account check, the issue search, the versions.
TRACKER_PATHS = ["/myself", "/search", "/versions"]


@pytest.fixture(scope="module")
def jira() -> Iterator[FakeJira]:
    with FakeJira(cloud=True) as fake:
        fake.add_project("EE", "Engine")
        fake.add_version("EE", "v2.7.0", start="2026-03-02", release="2026-04-01")
        fake.add_issue("EE-1", "Refund API", version="v2.7.0", points=3)
        fake.add_issue("EE-2", "Ledger", status="In Progress", category="indeterminate")
        fake.link("EE-1", "EE-2")
        yield fake


def _snapshot(ws: Workspace) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for table in ("teams", "releases", "work_items", "dependencies", "sources", "commands"):
        rows.extend((table, *r) for r in ws.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"))
    return rows


@pytest.mark.parametrize("path", TRACKER_PATHS)
def test_hostile_tracker_answers(
    tmp_path: Path, jira: FakeJira, memory_keyring: MemoryKeyring, path: str
) -> None:
    fast = RetryPolicy(max_retries=0, base_delay_s=0.0, max_delay_s=0.0)
    with Workspace.open(tmp_path / "ws.relplan") as ws:
        config = ConnectionConfig(
            "jira", "jira_cloud", jira.url, user=jira.email, jql="project = EE ORDER BY rank"
        )
        row = sync_state.ConnectionRow("jira", config.kind, config.url, config.settings_json(), "")
        sync_state.save_connection(ws.conn, row)
        KeyringStore().set(config.credential_key, jira.token)
        for n, body in enumerate(TRACKER_BODIES):
            name = f"{path} #{n} {body[:40]!r}"
            before = _snapshot(ws)
            with jira.lock:
                jira.faults.clear()
            jira.fail(path, 200, body=body, times=100)
            try:
                engine.run_sync(ws, "jira", KeyringStore(), tracker=JiraTracker(policy=fast))
            except SyncError as exc:
                line = str(exc)
                assert "\n" not in line, name
                assert len(line) <= MAX_LINE, name
                assert not _CONTROL.search(line), name
                assert _snapshot(ws) == before, name
            else:
                # Accepted: whatever was written follows the bounds, so every analysis runs.
                code = run(["--db", str(ws.path), "check", "--today", "2026-11-27"])
                assert code in (0, 1), name
            last = sync_state.runs(ws.conn, "jira", limit=1)[0]
            assert last.status in ("ok", "failed"), name
        with jira.lock:
            jira.faults.clear()


# -- a few real processes ---------------------------------------------------------------------
def _process(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    return subprocess.run(
        [sys.executable, "-m", "relplan", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


@pytest.mark.parametrize(
    "case",
    [JSON_CASES[0], JSON_CASES[4], ICS_CASES[0], CSV_CASES[0]],
    ids=["json-structural", "json-structural-2", "ics", "csv"],
)
def test_hostile_input_in_a_real_process(tmp_path: Path, template: bytes, case: Case) -> None:
    name, data = case
    db = tmp_path / "ws.relplan"
    db.write_bytes(template)
    src = tmp_path / "input"
    src.write_bytes(data)
    if name.split(": ")[1].startswith("ics"):
        command = ["import", "ics", str(src), "--as", "freezes"]
    elif name.split(": ")[1].startswith("csv"):
        command = ["deployments", "import", str(src)]
    else:
        command = ["import", str(src)]
    done = _process(tmp_path, "--db", str(db), *command)
    check_outcome(name, done.returncode, done.stderr)
    if done.returncode:
        assert db.read_bytes() == template


def test_a_deep_json_file_in_a_real_process(tmp_path: Path, template: bytes) -> None:
    db = tmp_path / "ws.relplan"
    db.write_bytes(template)
    src = tmp_path / "deep.json"
    src.write_text("[" * 100_000 + "]" * 100_000)
    done = _process(tmp_path, "--db", str(db), "import", str(src))
    check_outcome("deep", done.returncode, done.stderr)
    assert done.returncode == 2
    assert "nested too deeply" in done.stderr
    assert db.read_bytes() == template


def test_a_ten_megabyte_key_prints_a_short_line(tmp_path: Path, template: bytes) -> None:
    db = tmp_path / "ws.relplan"
    db.write_bytes(template)
    doc = document()
    doc["teams"][0]["key"] = "K" * 10_000_000
    src = tmp_path / "big.json"
    src.write_text(json.dumps(doc))
    done = _process(tmp_path, "--db", str(db), "import", str(src))
    check_outcome("10 MB key", done.returncode, done.stderr)
    assert done.returncode == 2
    assert len(done.stderr) < 5000
