"""Large writes change the analysis counters once instead of per row (issue 12), and still no
entry computed before a write is used after it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from relplan.cli.common import release_level
from relplan.demo import generate
from relplan.formats.workspace_json import parse_workspace
from relplan.store import analysis_cache
from relplan.store.migrations import CACHE_TRIGGERS
from relplan.store.workspace import Workspace
from tests.helpers.tangled import add_dangling, tangled_document

from .test_analysis_cache import TODAY, WRITES, assert_same_links, entry_version
from .test_workspace import _version_1_workspace


@pytest.fixture(params=["tangled", "small-demo"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    """The workspaces of test_analysis_cache."""
    if request.param == "small-demo":
        document = generate("small", seed=5, today=TODAY)
    else:
        document = tangled_document(7)
    with Workspace.open(tmp_path / "plan.relplan") as workspace:
        workspace.import_plan(parse_workspace(document))
        if request.param == "tangled":
            add_dangling(workspace.conn)
        yield workspace


#: The writes that go through commands and undo, where large writes take the bulk path.
COMMAND_WRITES = ["add a dependency", "remove a dependency", "undo", "redo", "import --replace"]


def _triggers(conn: sqlite3.Connection) -> list[str]:
    return [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        )
        if name in CACHE_TRIGGERS
    ]


@pytest.mark.parametrize("write", COMMAND_WRITES)
def test_a_bulk_write_makes_the_next_read_compute_the_links_again(
    ws: Workspace, write: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analysis_cache, "BULK_ROWS", 1)  # every command write is a bulk one
    triggers = _triggers(ws.conn)
    release_level(ws)
    before = analysis_cache.links_version(ws.conn)
    assert entry_version(ws) == before
    WRITES[write](ws)
    assert _triggers(ws.conn) == triggers  # back, so plain SQL stays covered
    after = analysis_cache.links_version(ws.conn)
    assert after is not None
    assert after != before
    index = assert_same_links(ws)
    assert index._has_columns()  # computed, not the stale entry


def test_other_connections_never_see_the_triggers_missing(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analysis_cache, "BULK_ROWS", 1)
    before = analysis_cache.links_version(ws.conn)
    other = sqlite3.connect(ws.path, isolation_level=None)
    try:
        with ws.write(), analysis_cache.bulk(ws.conn, 1):
            assert len(_triggers(ws.conn)) == 0  # dropped inside this transaction only
            assert len(_triggers(other)) == len(CACHE_TRIGGERS)
            assert analysis_cache.links_version(other) == before
        assert analysis_cache.links_version(other) not in (None, before)
    finally:
        other.close()


def test_a_failed_bulk_write_leaves_triggers_and_counters_as_they_were(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analysis_cache, "BULK_ROWS", 1)
    triggers = _triggers(ws.conn)
    before = analysis_cache.links_version(ws.conn)

    def failing_write() -> None:
        with ws.write(), analysis_cache.bulk(ws.conn, 1):
            ws.conn.execute("DELETE FROM dependencies")
            ws.conn.execute("INSERT INTO releases (key) VALUES (NULL)")

    with pytest.raises(sqlite3.IntegrityError):
        failing_write()
    assert _triggers(ws.conn) == triggers
    assert analysis_cache.links_version(ws.conn) == before
    assert ws.dependency_rows()  # the deletion was rolled back with it


def test_a_small_write_keeps_the_triggers(ws: Workspace) -> None:
    before = analysis_cache.links_version(ws.conn)
    with ws.write(), analysis_cache.bulk(ws.conn, analysis_cache.BULK_ROWS - 1):
        assert len(_triggers(ws.conn)) == len(CACHE_TRIGGERS)
        ws.conn.execute("DELETE FROM dependencies WHERE 0")
    assert analysis_cache.links_version(ws.conn) == before  # no row written: no change


def test_upgraded_workspaces_keep_no_cache_inside_and_count_from_random_values(
    tmp_path: Path,
) -> None:
    counters = []
    for name in ("a.relplan", "b.relplan"):
        _version_1_workspace(tmp_path / name)  # the same plan, byte for byte
        with Workspace.open(tmp_path / name) as upgraded:
            tables = {row[0] for row in upgraded.conn.execute("SELECT name FROM sqlite_master")}
            assert "analysis_cache" not in tables
            assert len(_triggers(upgraded.conn)) == len(CACHE_TRIGGERS)
            counters.append(analysis_cache.links_version(upgraded.conn))
    # Equal counters would let one's cache file answer for the other put in its place.
    assert None not in counters
    assert counters[0] != counters[1]
