"""The release links kept in the workspace between commands (issue 12).

The cache must never answer for data it was not computed from: every write to dependencies,
work items' releases or which releases exist (by a command, undo, redo, an import or plain SQL)
makes the next read compute the links again, and what is read back equals what the columns give.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from relplan.cli.common import release_level
from relplan.demo import generate
from relplan.domain.model import Dependency, Plan
from relplan.edits.dependencies import add_dependency, remove_dependency
from relplan.formats.workspace_json import parse_workspace
from relplan.planning.check import check_plan, cycle_problems, sort_problems
from relplan.planning.graph import PlanIndex
from relplan.planning.links import CACHE_NAME, LinkIndex
from relplan.planning.schedule import schedule_plan
from relplan.store import analysis_cache, repository
from relplan.store.database import remove_workspace_files
from relplan.store.migrations import CACHE_TRIGGERS
from relplan.store.workspace import Workspace
from tests.helpers.tangled import add_dangling, tangled_document

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(params=["tangled", "small-demo"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    if request.param == "small-demo":
        document = generate("small", seed=5, today=TODAY)
    else:
        document = tangled_document(7)
    with Workspace.open(tmp_path / "plan.relplan") as workspace:
        workspace.import_plan(parse_workspace(document))
        if request.param == "tangled":
            add_dangling(workspace.conn)
        yield workspace


def fresh(ws: Workspace) -> tuple[Plan, PlanIndex]:
    """The index from the columns, as every analysis read it before the cache."""
    bare = ws.release_plan()
    return bare, PlanIndex.from_columns(bare, ws.item_releases(), ws.dependency_rows())


def sidecar(ws: Workspace, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run ``sql`` on the file that keeps the workspace's cache entries (none: no rows)."""
    path = analysis_cache.sidecar_path(ws.path)
    if not path.exists():
        return []
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as conn:
        return conn.execute(sql, params).fetchall()


def entry_version(ws: Workspace) -> int | None:
    rows = sidecar(ws, "SELECT version FROM entries WHERE name = ?", CACHE_NAME)
    return None if not rows else int(rows[0][0])


def assert_same_links(ws: Workspace) -> LinkIndex:
    """release_level's index agrees with the columns' in everything the analyses read."""
    plan, index = release_level(ws)
    bare, expected = fresh(ws)
    assert isinstance(index, LinkIndex)
    assert list(index.explicit.items()) == list(expected.explicit.items())
    assert list(index.implied) == list(expected.implied)
    assert list(index.edge_tuples()) == list(expected.edge_tuples())
    assert sort_problems(cycle_problems(index)) == sort_problems(cycle_problems(expected))
    pairs = list(expected.implied)[:25]
    assert index.implied_by(pairs) == expected.implied_by(pairs)
    assert check_plan(plan, today=TODAY, index=index) == check_plan(
        bare, today=TODAY, index=expected
    )
    return index


def test_the_links_are_computed_once_then_read_back_equal(ws: Workspace) -> None:
    assert entry_version(ws) is None
    first = assert_same_links(ws)
    version = analysis_cache.links_version(ws.conn)
    assert version is not None
    assert entry_version(ws) == version
    second = assert_same_links(ws)  # from the cache: columns not read
    assert first.cycles == second.cycles
    assert not second._has_columns()


def test_the_analyses_on_cached_links_equal_those_of_the_whole_plan(ws: Workspace) -> None:
    release_level(ws)  # fills the cache
    plan, index = release_level(ws)
    whole = ws.plan()
    assert check_plan(plan, today=TODAY, index=index) == check_plan(whole, today=TODAY)
    if not cycle_problems(index):
        assert schedule_plan(plan, index=index) == schedule_plan(whole)


def _add_link(ws: Workspace) -> None:
    """Add an item link that closes no cycle: to an item of a release that depends on nothing,
    else to an item without a release that depends on nothing."""
    pair = (
        ws.conn.execute(
            "SELECT a.key, b.key FROM releases r JOIN work_items b ON b.release = r.key "
            "JOIN work_items a ON a.release IS NOT NULL AND a.release != r.key "
            "WHERE NOT EXISTS "
            "(SELECT 1 FROM dependencies d WHERE d.from_ref = 'release:' || r.key) "
            "AND NOT EXISTS (SELECT 1 FROM work_items w JOIN dependencies d "
            "ON d.from_ref = 'item:' || w.key WHERE w.release = r.key) "
            "ORDER BY r.key, b.key, a.key LIMIT 1"
        ).fetchone()
        or ws.conn.execute(
            "SELECT a.key, b.key FROM work_items b JOIN work_items a ON a.release IS NOT NULL "
            "WHERE b.release IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM dependencies d WHERE d.from_ref = 'item:' || b.key) "
            "ORDER BY b.key, a.key LIMIT 1"
        ).fetchone()
    )
    add_dependency(ws, Dependency(f"item:{pair[0]}", f"item:{pair[1]}"))


def _remove_link(ws: Workspace) -> None:
    row = ws.conn.execute(
        "SELECT from_ref, to_ref FROM dependencies WHERE from_ref LIKE 'item:%' "
        "AND to_ref LIKE 'item:%' ORDER BY from_ref LIMIT 1"
    ).fetchone()
    remove_dependency(ws, row[0], row[1])


def _undo_an_added_link(ws: Workspace) -> None:
    _add_link(ws)
    release_level(ws)  # cache the links with the new dependency
    ws.undo()


def _redo_an_added_link(ws: Workspace) -> None:
    _undo_an_added_link(ws)
    release_level(ws)
    ws.redo()


def _import_fewer_links(ws: Workspace) -> None:
    whole = ws.plan()
    kept = tuple(d for i, d in enumerate(whole.dependencies) if i % 3)
    ws.import_plan(dataclasses.replace(whole, dependencies=kept), replace=True)


def _sql(statement: str) -> Callable[[Workspace], None]:
    def write(ws: Workspace) -> None:
        with ws.write():
            ws.conn.execute(statement)

    return write


#: Writes that change what release links derive from, by every path that writes.
WRITES: dict[str, Callable[[Workspace], None]] = {
    "add a dependency": _add_link,
    "remove a dependency": _remove_link,
    "undo": _undo_an_added_link,
    "redo": _redo_an_added_link,
    "import --replace": _import_fewer_links,
    "move an item to another release (SQL)": _sql(
        "UPDATE work_items SET release = (SELECT max(key) FROM releases) "
        "WHERE key = (SELECT min(substr(from_ref, 6)) FROM dependencies "
        "WHERE from_ref LIKE 'item:%')"
    ),
    "change a dependency's type (SQL)": _sql(
        "UPDATE dependencies SET type = 'SS', lag_days = 3 "
        "WHERE from_ref = (SELECT min(from_ref) FROM dependencies WHERE from_ref LIKE 'release:%')"
    ),
    "delete a work item (SQL)": _sql(
        "DELETE FROM work_items WHERE key = (SELECT min(substr(to_ref, 6)) FROM dependencies "
        "WHERE to_ref LIKE 'item:%')"
    ),
    "add a work item (SQL)": _sql(
        "INSERT INTO work_items (key, title, release, type, status, category) "
        "SELECT 'NEW-1', 'new', min(key), 'story', 'To Do', 'todo' FROM releases"
    ),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_to_the_links_makes_the_next_read_compute_them_again(
    ws: Workspace, write: str
) -> None:
    release_level(ws)
    before = analysis_cache.links_version(ws.conn)
    assert entry_version(ws) == before
    WRITES[write](ws)
    after = analysis_cache.links_version(ws.conn)
    assert after != before
    assert entry_version(ws) != after  # the entry in the file is stale now
    assert_same_links(ws)
    assert entry_version(ws) == after


def test_moving_a_release_keeps_the_links(ws: Workspace) -> None:
    release_level(ws)
    version = analysis_cache.links_version(ws.conn)
    release = ws.release_plan().releases[0]
    assert release.start is not None
    ws.set_release_dates(release.key, release.start + dt.timedelta(days=3), release.target)
    assert analysis_cache.links_version(ws.conn) == version
    plan, index = release_level(ws)
    assert isinstance(index, LinkIndex)
    assert not index._has_columns()  # answered from the cache
    assert check_plan(plan, today=TODAY, index=index) == check_plan(ws.plan(), today=TODAY)


def test_a_value_computed_before_a_write_is_not_stored(ws: Workspace) -> None:
    version = analysis_cache.links_version(ws.conn)
    assert version is not None
    _remove_link(ws)
    assert not analysis_cache.store(ws.conn, (CACHE_NAME, "", "links"), version, "{}")
    assert entry_version(ws) is None


def test_no_entry_is_stored_inside_a_callers_write(ws: Workspace) -> None:
    with ws.write():
        assert_same_links(ws)
    assert entry_version(ws) is None


def test_without_every_trigger_the_cache_is_not_used(ws: Workspace) -> None:
    release_level(ws)
    with ws.write():
        ws.conn.execute(f"DROP TRIGGER {CACHE_TRIGGERS[-1]}")
    assert analysis_cache.links_version(ws.conn) is None
    sidecar(ws, "UPDATE entries SET value = '{}'")  # would fail if it were read
    assert_same_links(ws)


def test_a_damaged_entry_is_computed_again(ws: Workspace) -> None:
    release_level(ws)
    sidecar(ws, "UPDATE entries SET value = '{\"keys\": 1}'")
    assert_same_links(ws)


def test_a_read_only_workspace_reads_the_links_without_storing_them(tmp_path: Path) -> None:
    path = tmp_path / "plan.relplan"
    with Workspace.open(path) as ws:
        ws.import_plan(parse_workspace(tangled_document(3)))
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None)
    conn.execute("PRAGMA query_only = ON")
    ro = Workspace(conn, path)
    try:
        assert_same_links(ro)
        assert entry_version(ro) is None
    finally:
        conn.close()


def _rows(ws: Workspace, since: dt.datetime) -> Any:
    return repository.readiness_rows(ws.conn, since)


def test_readiness_rows_are_kept_for_their_cut_off_until_a_work_item_changes(
    ws: Workspace,
) -> None:
    since = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    first = ws.readiness_rows(since)
    assert first == _rows(ws, since)
    assert ws.readiness_rows(since) == first  # read back from the cache
    stored = sidecar(ws, "SELECT key FROM entries WHERE name = 'readiness_rows'")
    assert stored == [(since.isoformat(),)]
    later = dt.datetime(2026, 10, 15, tzinfo=dt.UTC)
    before = ws.readiness_rows(later)
    assert before == _rows(ws, later)  # another cut-off: computed
    links = analysis_cache.links_version(ws.conn)
    with ws.write():  # a status change: readiness's counts change, release links do not
        ws.conn.execute(
            "UPDATE work_items SET category = 'done', status = 'Done', resolved = ? "
            "WHERE key = (SELECT min(key) FROM work_items WHERE category != 'done' "
            "AND release IS NOT NULL)",
            ("2026-10-20T10:00:00+00:00",),
        )
    assert analysis_cache.links_version(ws.conn) == links
    after = ws.readiness_rows(later)
    assert after == _rows(ws, later)
    assert after != before  # one more done item: not the stale entry


def _drop_one_link(ws: Workspace, which: str) -> None:
    """Delete one dependency (one row: one bump of a counting counter)."""
    pair = "from_ref || ' ' || to_ref"
    with ws.write():
        ws.conn.execute(
            f"DELETE FROM dependencies WHERE {pair} = (SELECT {which}({pair}) FROM dependencies)"
        )


def test_entries_of_a_workspace_replaced_at_the_same_path_are_not_used(tmp_path: Path) -> None:
    path = tmp_path / "plan.relplan"
    with Workspace.open(path) as first:
        first.import_plan(parse_workspace(tangled_document(3)))
        _drop_one_link(first, "min")
        release_level(first)
        assert entry_version(first) is not None
    for suffix in ("", "-wal", "-shm"):  # the file replaced, its cache left behind
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with Workspace.open(path) as second:
        # As many writes as the first had, to other links: a counter that counted would
        # read what the first's entry was stored at.
        second.import_plan(parse_workspace(tangled_document(3)))
        _drop_one_link(second, "max")
        assert analysis_cache.links_version(second.conn) != entry_version(second)
        index = assert_same_links(second)
        assert index._has_columns()  # computed, not read from the first's entry


def test_the_cache_file_goes_with_the_workspace_files(tmp_path: Path) -> None:
    path = tmp_path / "plan.relplan"
    with Workspace.open(path) as ws:
        ws.import_plan(parse_workspace(tangled_document(3)))
        release_level(ws)
    assert analysis_cache.sidecar_path(path).exists()
    remove_workspace_files(path)
    assert list(tmp_path.iterdir()) == []
