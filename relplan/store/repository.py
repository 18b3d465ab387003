"""Reading plans and their parts from a workspace, and turning a new plan into a command."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import starmap
from operator import itemgetter
from typing import Any, Final, cast

from relplan.domain.model import (
    ITEM_PREFIX,
    RELEASE_PREFIX,
    Dependency,
    Deployment,
    Plan,
    Release,
    WorkItem,
)
from relplan.store.commands import Command, Edit, Inserts
from relplan.store.entities import (
    TABLES,
    EntityTable,
    Row,
    Setting,
    composite_key,
    deployment_from_row,
    pair_key,
    release_children,
    release_from_row,
)

#: The order in which kinds are written, so that every reference exists when it is written.
WRITE_ORDER = (
    "setting", "team", "environment", "train", "release", "freeze", "work_item", "dependency",
    "deployment", "template", "flag",
)  # fmt: skip
_PLAN_FIELDS = {
    "team": "teams",
    "environment": "environments",
    "train": "trains",
    "release": "releases",
    "freeze": "freezes",
    "work_item": "work_items",
    "dependency": "dependencies",
    "deployment": "deployments",
    "template": "templates",
    "flag": "flags",
}


def timezone(conn: sqlite3.Connection) -> str:
    """The workspace's planning zone (IANA name; UTC when never set)."""
    row = conn.execute("SELECT value FROM settings WHERE key = 'timezone'").fetchone()
    return str(row[0]) if row else "UTC"


def load_releases(conn: sqlite3.Connection) -> tuple[Release, ...]:
    """Every stored release with its stages, milestones and gates, by key."""
    children = release_children(conn)
    return tuple(
        release_from_row(row, children.get(row[0]))
        for row in conn.execute(
            "SELECT key, name, team, train, start, target, status, monitoring_days FROM releases "
            "ORDER BY key"
        )
    )


def load_release_plan(conn: sqlite3.Connection) -> Plan:
    """The workspace without its work items, dependencies and deployments: what release-level
    analyses read as objects (the rest they read as compact columns, see :func:`item_releases`
    and :func:`dependency_rows`). Building 100,000 item objects is most of loading a plan."""
    return Plan(
        timezone=timezone(conn),
        teams=tuple(TABLES["team"].all(conn, "key")),
        environments=tuple(TABLES["environment"].all(conn, '"order", name')),
        trains=tuple(TABLES["train"].all(conn, "key")),
        releases=load_releases(conn),
        freezes=tuple(TABLES["freeze"].all(conn, "start, name")),
        templates=tuple(TABLES["template"].all(conn, "key")),
        flags=tuple(TABLES["flag"].all(conn, "key")),
    )


def item_releases(conn: sqlite3.Connection) -> dict[str, str]:
    """The release key of every work item that has one, by ``item:KEY`` ref."""
    return dict(
        conn.execute(
            f"SELECT '{ITEM_PREFIX}' || key, release FROM work_items WHERE release IS NOT NULL"
        ).fetchall()
    )


def dependency_rows(conn: sqlite3.Connection) -> list[tuple[str, str, str, int]]:
    """``(from_ref, to_ref, type, lag_days)`` of every dependency, by ``(from_ref, to_ref)``
    (the order :func:`load_plan` gives them in)."""
    return conn.execute(
        "SELECT from_ref, to_ref, type, lag_days FROM dependencies ORDER BY from_ref, to_ref"
    ).fetchall()


def item_links_between(
    conn: sqlite3.Connection, pairs: Collection[tuple[str, str]]
) -> list[tuple[str, str, str, str]]:
    """``(from_ref, to_ref, from release, to release)`` of every ``item -> item`` dependency from
    an item of release P to one of release S, for the ``(P, S)`` key pairs given.

    Reads only the items of the pairs' first releases and their dependencies (by index), so
    naming the items behind a few implied release edges does not read all dependencies.
    """
    wanted = set(pairs)
    if not wanted:
        return []
    firsts = json.dumps(sorted({p for p, _ in wanted}))
    rows = conn.execute(
        f"SELECT d.from_ref, d.to_ref, a.release, b.release FROM work_items a "
        f"JOIN dependencies d ON d.from_ref = '{ITEM_PREFIX}' || a.key "
        f"JOIN work_items b ON b.key = substr(d.to_ref, {len(ITEM_PREFIX) + 1}) "
        "WHERE a.release IN (SELECT value FROM json_each(?)) "
        f"AND substr(d.to_ref, 1, {len(ITEM_PREFIX)}) = '{ITEM_PREFIX}' "
        "AND b.release IS NOT NULL",
        (firsts,),
    ).fetchall()
    return [row for row in rows if (row[2], row[3]) in wanted]


#: The keys of the work items named by a dependency (either end).
_LINKED_KEYS: Final = (
    f"SELECT substr(from_ref, {len(ITEM_PREFIX) + 1}) FROM dependencies "
    f"WHERE from_ref LIKE '{ITEM_PREFIX}%' "
    f"UNION SELECT substr(to_ref, {len(ITEM_PREFIX) + 1}) FROM dependencies "
    f"WHERE to_ref LIKE '{ITEM_PREFIX}%'"
)


_ITEM_COLUMNS: Final = (
    "key, title, team, release, type, status, category, points, created, resolved"
)


def work_item_rows(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """Every work item's columns (those of :class:`WorkItem`, times as stored), by key."""
    return conn.execute(f"SELECT {_ITEM_COLUMNS} FROM work_items ORDER BY key").fetchall()


def linked_item_rows(
    conn: sqlite3.Connection,
) -> list[tuple[str, str, str, str | None, str | None, float | None]]:
    """``(key, title, category, team, release, points)`` of the work items a dependency names
    (either end), by key: what a dependency graph shows of them."""
    return conn.execute(
        "SELECT key, title, category, team, release, points FROM work_items "
        f"WHERE key IN ({_LINKED_KEYS}) ORDER BY key"
    ).fetchall()


def load_work_items(
    conn: sqlite3.Connection, releases: Iterable[str] | None = None
) -> tuple[WorkItem, ...]:
    """The work items (of these releases only, when given), by key."""
    where, args = "", cast(tuple[str, ...], ())
    if releases is not None:
        where = "WHERE release IN (SELECT value FROM json_each(?))"
        args = (json.dumps(sorted(set(releases))),)
    rows = conn.execute(f"SELECT {_ITEM_COLUMNS} FROM work_items {where} ORDER BY key", args)
    # item_from_row inlined: a large plan has 100,000 items, and the calls were a third of it.
    parse = dt.datetime.fromisoformat
    return tuple(
        WorkItem(
            key, title, team, release, type_, status, category, points,
            parse(created) if created else None, parse(resolved) if resolved else None,
        )
        for key, title, team, release, type_, status, category, points, created, resolved in rows
    )  # fmt: skip


ReadinessRows = tuple[
    list[tuple[str, int, int, int, float, float, float, int]],
    list[tuple[str | None, str | None, str]],
    list[tuple[str, str, str]],
]

_TALLIES: Final = """
    SELECT release, count(*), sum(category = 'done'), sum(category = 'in_progress'),
           total(CASE WHEN category = 'done' THEN points END),
           total(CASE WHEN category = 'in_progress' THEN points END),
           total(points), min(points IS NOT NULL)
    FROM work_items WHERE release IS NOT NULL GROUP BY release ORDER BY release
"""
_DONE: Final = """
    SELECT team, release, resolved FROM work_items
    WHERE category = 'done' AND resolved IS NOT NULL AND resolved >= ? ORDER BY key
"""
_BLOCKERS: Final = f"""
    SELECT dependent, from_ref, source FROM (
        SELECT CASE WHEN substr(d.to_ref, 1, {len(RELEASE_PREFIX)}) = '{RELEASE_PREFIX}'
                    THEN substr(d.to_ref, {len(RELEASE_PREFIX) + 1}) ELSE ti.release END
                   AS dependent,
               d.from_ref, fi.release AS source
        FROM work_items fi  -- from the open items: fewer lookups than from every dependency
        JOIN dependencies d ON d.from_ref = '{ITEM_PREFIX}' || fi.key
        LEFT JOIN work_items ti
            ON substr(d.to_ref, 1, {len(ITEM_PREFIX)}) = '{ITEM_PREFIX}'
            AND ti.key = substr(d.to_ref, {len(ITEM_PREFIX) + 1})
        WHERE fi.category != 'done' AND fi.release IS NOT NULL
    ) WHERE dependent IS NOT NULL AND dependent != source ORDER BY from_ref, dependent
"""


def release_tallies(
    conn: sqlite3.Connection,
) -> list[tuple[str, int, int, int, float, float, float, int]]:
    """Each release's work items counted, grouped by SQLite: ``(release, items, done,
    in_progress, points_done, points_in_progress, points_total, all_pointed)`` for
    :func:`relplan.planning.tally.tallies_of_rows`."""
    return conn.execute(_TALLIES).fetchall()


def readiness_rows(conn: sqlite3.Connection, since: dt.datetime) -> ReadinessRows:
    """What readiness reads of the work items and dependencies, grouped by SQLite.

    The rows of :meth:`relplan.planning.readiness.ItemFacts.of_rows`: per release its items
    counted, the done items resolved since about ``since`` (from two days before it, as times
    are stored with the offsets they came with), and the open blockers; not one item object.
    """
    bound = (since.astimezone(dt.UTC) - dt.timedelta(days=2)).date().isoformat()
    return (
        release_tallies(conn),
        conn.execute(_DONE, (bound,)).fetchall(),
        conn.execute(_BLOCKERS).fetchall(),
    )


def dependencies_from_open_items(conn: sqlite3.Connection) -> tuple[Dependency, ...]:
    """The dependencies whose prerequisite is a work item not done, by from and to: all that
    open blockers are made of, without building the other dependencies."""
    sql = (
        "SELECT from_ref, to_ref, type, lag_days FROM dependencies "
        f"WHERE from_ref LIKE '{ITEM_PREFIX}%' AND substr(from_ref, {len(ITEM_PREFIX) + 1}) "
        "IN (SELECT key FROM work_items WHERE category != 'done') ORDER BY from_ref, to_ref"
    )
    return tuple(starmap(Dependency, conn.execute(sql)))


def load_deployments(conn: sqlite3.Connection) -> tuple[Deployment, ...]:
    """Every deployment, by finish time, release and environment."""
    return tuple(
        sorted(
            (
                deployment_from_row(r)
                for r in conn.execute(
                    "SELECT release, environment, started, finished, outcome, restored, changes, "
                    "incident FROM deployments"
                )
            ),
            key=lambda d: (d.finished, d.release, d.environment),
        )
    )


def load_plan(conn: sqlite3.Connection) -> Plan:
    """The whole workspace as one :class:`Plan`, in the export order of workspace-format.md."""
    releases = load_releases(conn)
    items = load_work_items(conn)
    deployments = load_deployments(conn)
    return Plan(
        timezone=timezone(conn),
        teams=tuple(TABLES["team"].all(conn, "key")),
        environments=tuple(TABLES["environment"].all(conn, '"order", name')),
        trains=tuple(TABLES["train"].all(conn, "key")),
        releases=releases,
        freezes=tuple(TABLES["freeze"].all(conn, "start, name")),
        work_items=items,
        dependencies=tuple(
            starmap(
                Dependency,
                conn.execute(
                    "SELECT from_ref, to_ref, type, lag_days FROM dependencies "
                    "ORDER BY from_ref, to_ref"
                ),
            )
        ),
        deployments=deployments,
        templates=tuple(TABLES["template"].all(conn, "key")),
        flags=tuple(TABLES["flag"].all(conn, "key")),
    )


def get_release(conn: sqlite3.Connection, key: str) -> Release | None:
    """One release with its stages, milestones and gates, or None."""
    found: dict[str, Release] = TABLES["release"].load(conn, [key])
    return found.get(key)


@dataclass(frozen=True, slots=True)
class ReleaseRow:
    """What the releases table shows of one release, without loading its children."""

    key: str
    name: str
    team: str
    train: str | None
    start: str | None
    target: str | None
    status: str
    stage_count: int
    gates_total: int
    gates_approved: int
    gates_rejected: int

    @property
    def gate_status(self) -> str:
        """``none``, ``rejected``, ``approved`` (all) or ``pending``."""
        if self.gates_total == 0:
            return "none"
        if self.gates_rejected:
            return "rejected"
        if self.gates_approved == self.gates_total:
            return "approved"
        return "pending"


def release_rows(conn: sqlite3.Connection, keys: Iterable[str] | None = None) -> list[ReleaseRow]:
    """Releases with their stage count and gate summary, by key, in one query.

    Args:
        conn: the workspace.
        keys: only these releases (all when None); unknown keys are left out.
    """
    where, args = "", cast(tuple[str, ...], ())
    if keys is not None:
        wanted = sorted(set(keys))
        if not wanted:
            return []
        where = "WHERE r.key IN (SELECT value FROM json_each(?))"
        args = (json.dumps(wanted),)
    sql = f"""
        SELECT r.key, r.name, r.team, r.train, r.start, r.target, r.status,
               coalesce(s.n, 0), coalesce(g.n, 0), coalesce(g.ok, 0), coalesce(g.bad, 0)
        FROM releases r
        LEFT JOIN (SELECT release, count(*) AS n FROM stages GROUP BY release) s
            ON s.release = r.key
        LEFT JOIN (
            SELECT release, count(*) AS n, sum(status = 'approved') AS ok,
                   sum(status = 'rejected') AS bad
            FROM gates GROUP BY release
        ) g ON g.release = r.key
        {where}
        ORDER BY r.key
    """
    return [ReleaseRow(*row) for row in conn.execute(sql, args)]


def team_keys(conn: sqlite3.Connection) -> list[str]:
    """Every team key, sorted."""
    return [r[0] for r in conn.execute("SELECT key FROM teams ORDER BY key")]


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """How many objects of each kind the workspace holds."""
    return {
        entity: conn.execute(f"SELECT count(*) FROM {TABLES[entity].table}").fetchone()[0]
        for entity in _PLAN_FIELDS
    }


def is_empty(conn: sqlite3.Connection) -> bool:
    """Whether the workspace holds no plan objects (without counting them all)."""
    return not any(
        conn.execute(f"SELECT 1 FROM {TABLES[entity].table} LIMIT 1").fetchone()
        for entity in _PLAN_FIELDS
    )


def _objects(plan: Plan, entity: str) -> Iterable[Any]:
    if entity == "setting":
        return [Setting("timezone", plan.timezone)]
    values: Iterable[Any] = getattr(plan, _PLAN_FIELDS[entity])
    return values


def import_command(
    conn: sqlite3.Connection,
    plan: Plan,
    *,
    replace: bool = False,
    label: str = "Import",
    rows: Mapping[str, Sequence[Row]] | None = None,
) -> Command:
    """The command that brings ``plan`` into the workspace.

    Objects with the same key are updated (left alone when equal) and new ones added; with
    ``replace``, objects the plan does not hold are deleted too, so that the workspace then holds
    exactly the plan. A kind whose table is empty needs no comparison: all of it is added, as
    :class:`Inserts` (the first import of a large plan).

    Args:
        conn: The workspace, inside the import's write transaction.
        plan: What to import.
        replace: Delete what the plan does not hold.
        label: The command's label.
        rows: Table rows, with distinct keys, of the kinds the plan holds as rows instead of
            objects (see :func:`relplan.formats.workspace_json.parse_for_import`).
    """
    deletes: list[Edit] = []
    writes: list[Edit] = []
    inserts: list[Inserts] = []
    rows = rows or {}
    for entity in WRITE_ORDER:
        table = TABLES[entity]
        existing_keys = table.existing_keys(conn)
        given = rows.get(entity)
        if given is not None and not existing_keys:
            if given:  # an empty table: the rows go in as they are
                inserts.append(Inserts(entity, row_keys(table, given), (), given))
            continue
        objects = _objects(plan, entity) if given is None else _from_rows(table, given)
        incoming = {table.key_of(o): o for o in objects}
        if not existing_keys:
            if incoming:
                inserts.append(Inserts(entity, list(incoming), list(incoming.values())))
            continue
        overlap = existing_keys & incoming.keys()
        old = table.load(conn, overlap) if overlap else {}
        for key, obj in incoming.items():
            before = old.get(key)
            if before != obj:
                writes.append(Edit(entity, key, before, obj))
        if replace and entity != "setting":
            gone = existing_keys - incoming.keys()
            stale = table.load(conn, gone) if gone else {}
            deletes.extend(Edit(entity, key, stale[key], None) for key in sorted(gone))
    # Delete dependents first (deployments, then dependencies, ... teams last).
    order = {entity: i for i, entity in enumerate(WRITE_ORDER)}
    deletes.sort(key=lambda e: -order[e.entity])
    return Command(label, (*deletes, *writes), tuple(inserts))


def row_keys(table: EntityTable, rows: Sequence[Row]) -> list[str]:
    """The keys of objects given as table rows (what ``key_of`` gives for the objects)."""
    at = [table.columns.index(c) for c in table.key_columns]
    if not table.composite:
        return list(map(itemgetter(at[0]), rows))
    if len(at) == 2:
        return list(map(pair_key, map(itemgetter(at[0]), rows), map(itemgetter(at[1]), rows)))
    return [composite_key(*(row[i] for i in at)) for row in rows]


def _from_rows(table: EntityTable, rows: Sequence[Row]) -> list[Any]:
    """The objects of table rows (only of kinds stored in one table, whose ``from_row`` reads
    nothing more: work items, dependencies)."""
    return [table.from_row(cast(sqlite3.Connection, None), row) for row in rows]
