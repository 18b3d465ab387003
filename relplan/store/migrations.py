"""The workspace schema, one migration per version, append-only.

``PRAGMA user_version`` holds the schema version of a workspace; ``MIGRATIONS[n - 1]`` is the SQL
script (or, where SQL alone cannot say it, the function) that takes a workspace from version
``n - 1`` to ``n``, run in one transaction together with the new ``user_version``. Never edit a
released migration: add a new one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any, Final

#: PRAGMA application_id of a relplan workspace ("RPLN"), so other SQLite files are told apart.
APPLICATION_ID: Final = 0x52504C4E


_V1_INITIAL: Final = """
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE teams (key TEXT PRIMARY KEY, name TEXT NOT NULL, color TEXT);
        CREATE TABLE environments (
            name TEXT PRIMARY KEY, "order" INTEGER NOT NULL, capacity INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE trains (key TEXT PRIMARY KEY, name TEXT NOT NULL, target TEXT);
        CREATE TABLE releases (
            key TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            team TEXT NOT NULL REFERENCES teams(key),
            train TEXT REFERENCES trains(key),
            start TEXT,
            target TEXT,
            status TEXT NOT NULL DEFAULT 'planned'
        );
        CREATE INDEX releases_team ON releases(team);
        CREATE TABLE stages (
            id INTEGER PRIMARY KEY,
            release TEXT NOT NULL REFERENCES releases(key) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            environment TEXT NOT NULL REFERENCES environments(name),
            start TEXT NOT NULL,
            "end" TEXT NOT NULL,
            strategy TEXT NOT NULL
        );
        CREATE INDEX stages_release ON stages(release);
        CREATE TABLE milestones (
            id INTEGER PRIMARY KEY,
            release TEXT NOT NULL REFERENCES releases(key) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            date TEXT NOT NULL
        );
        CREATE INDEX milestones_release ON milestones(release);
        CREATE TABLE gates (
            id INTEGER PRIMARY KEY,
            release TEXT NOT NULL REFERENCES releases(key) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            environment TEXT REFERENCES environments(name),
            kind TEXT NOT NULL,
            approvers TEXT NOT NULL,
            status TEXT NOT NULL
        );
        CREATE INDEX gates_release ON gates(release);
        CREATE TABLE freezes (
            name TEXT PRIMARY KEY, start TEXT NOT NULL, "end" TEXT NOT NULL,
            environments TEXT NOT NULL, teams TEXT NOT NULL
        );
        CREATE TABLE work_items (
            key TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            team TEXT REFERENCES teams(key),
            release TEXT REFERENCES releases(key),
            type TEXT NOT NULL,
            status TEXT NOT NULL,
            category TEXT NOT NULL,
            points REAL,
            created TEXT,
            resolved TEXT
        );
        CREATE INDEX work_items_release ON work_items(release);
        CREATE TABLE dependencies (
            from_ref TEXT NOT NULL,
            to_ref TEXT NOT NULL,
            type TEXT NOT NULL,
            lag_days INTEGER NOT NULL,
            PRIMARY KEY (from_ref, to_ref)
        ) WITHOUT ROWID;
        CREATE INDEX dependencies_to ON dependencies(to_ref);
        CREATE TABLE deployments (
            release TEXT NOT NULL REFERENCES releases(key),
            environment TEXT NOT NULL REFERENCES environments(name),
            started TEXT,
            finished TEXT NOT NULL,
            outcome TEXT NOT NULL,
            restored TEXT,
            changes TEXT NOT NULL,
            PRIMARY KEY (release, environment, finished)
        );
        CREATE TABLE commands (
            id INTEGER PRIMARY KEY,
            label TEXT NOT NULL,
            at TEXT NOT NULL,
            who TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'done'
        );
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            command INTEGER NOT NULL REFERENCES commands(id),
            at TEXT NOT NULL,
            who TEXT NOT NULL,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            key TEXT NOT NULL,
            before TEXT,
            after TEXT,
            batch INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX audit_log_command ON audit_log(command);
"""


# Gate decisions record who approved or rejected a gate, when, and why.
_V2_GATE_DECISIONS: Final = """
        ALTER TABLE gates ADD COLUMN decided_by TEXT;
        ALTER TABLE gates ADD COLUMN decided_at TEXT;
        ALTER TABLE gates ADD COLUMN comment TEXT;
"""


# Recurring freezes with times of day; the incident a deployment caused; and what sync needs:
# connections (never secrets), runs, the source of each synced object, and open conflicts.
_V3_SYNC_AND_RECURRENCE: Final = """
        ALTER TABLE freezes ADD COLUMN rrule TEXT;
        ALTER TABLE freezes ADD COLUMN start_time TEXT;
        ALTER TABLE freezes ADD COLUMN end_time TEXT;
        ALTER TABLE deployments ADD COLUMN incident TEXT;
        CREATE TABLE connections (
            name TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            url TEXT NOT NULL,
            settings TEXT NOT NULL DEFAULT '{}',
            created TEXT NOT NULL
        );
        CREATE TABLE sync_runs (
            id INTEGER PRIMARY KEY,
            connection TEXT NOT NULL,
            started TEXT NOT NULL,
            finished TEXT,
            status TEXT NOT NULL,
            error TEXT,
            fetched INTEGER NOT NULL DEFAULT 0,
            changed INTEGER NOT NULL DEFAULT 0,
            watermark TEXT
        );
        CREATE TABLE sources (
            entity TEXT NOT NULL,
            key TEXT NOT NULL,
            connection TEXT NOT NULL,
            source_id TEXT NOT NULL,
            source_key TEXT,
            url TEXT,
            updated TEXT,
            synced TEXT,
            deleted INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (entity, key)
        );
        CREATE UNIQUE INDEX sources_remote ON sources(connection, entity, source_id);
        CREATE TABLE sync_conflicts (
            id INTEGER PRIMARY KEY,
            connection TEXT NOT NULL,
            entity TEXT NOT NULL,
            key TEXT NOT NULL,
            field TEXT NOT NULL,
            local_value TEXT,
            remote_value TEXT,
            detected TEXT NOT NULL,
            resolved TEXT
        );
"""


# Sync bookkeeping that undo must restore with the synced objects: the values each synced object
# had at the last sync (to tell local edits from source changes), one open conflict per field,
# and per connection the incremental-sync watermark and cursors.
_V4_SYNC_SNAPSHOTS: Final = """
        ALTER TABLE sources ADD COLUMN snapshot TEXT;
        CREATE UNIQUE INDEX sync_conflicts_field ON sync_conflicts(connection, entity, key, field);
        CREATE TABLE sync_state (
            connection TEXT PRIMARY KEY,
            watermark TEXT,
            state TEXT NOT NULL DEFAULT '{}'
        );
"""


# Where each change was made (an origin per window or terminal session, see store/origin.py), so
# that undo takes back only the changes of the same place; and who undid a command, for redo.
_V5_ORIGINS: Final = """
        ALTER TABLE commands ADD COLUMN origin TEXT NOT NULL DEFAULT 'legacy';
        ALTER TABLE commands ADD COLUMN undone_by TEXT;
        ALTER TABLE audit_log ADD COLUMN origin TEXT NOT NULL DEFAULT 'legacy';
        CREATE INDEX commands_origin ON commands(origin, state);
"""

# The release lifecycle (workspace-format.md): environments that require approval, each
# release's monitoring period, rollout steps and blue-green switch days of stages, the
# workspace's own release templates (kept whole as their JSON) and feature flags.
_V_LIFECYCLE: Final = """
        ALTER TABLE environments ADD COLUMN requires_approval INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE releases ADD COLUMN monitoring_days INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE stages ADD COLUMN steps TEXT;
        ALTER TABLE stages ADD COLUMN switch TEXT;
        CREATE TABLE templates (key TEXT PRIMARY KEY, name TEXT NOT NULL, body TEXT NOT NULL);
        CREATE TABLE flags (
            key TEXT PRIMARY KEY,
            release TEXT NOT NULL REFERENCES releases(key),
            environment TEXT NOT NULL REFERENCES environments(name),
            owner TEXT,
            steps TEXT NOT NULL
        );
        CREATE INDEX flags_release ON flags(release);
"""

#: Per kind with a key of several columns: where those columns sit in its audit-log row.
_COMPOSITE_COLUMNS: Final = {
    "dependency": (0, 1),
    "deployment": (0, 1, 3),
    "source": (0, 1),
    "sync_conflict": (0, 1, 2, 3),
}
#: Where the key of the synced object sits in a ``source`` and a ``sync_conflict`` row.
_SYNCED_KEY_COLUMN: Final = {"source": 1, "sync_conflict": 2}
_ENCODE: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _legacy_dependency_key(key: str) -> str:
    if key.startswith("["):
        return key
    return _ENCODE(key.split("->", 1))


def _structural_row(entity: str, value: Any) -> Any:
    """A row whose synced-dependency key is still ``from->to`` with the structural key."""
    column = _SYNCED_KEY_COLUMN.get(entity)
    # The kind of the synced object sits just before its key.
    if column is None or not isinstance(value, list) or value[column - 1] != "dependency":
        return value
    return [*value[:column], _legacy_dependency_key(value[column]), *value[column + 1 :]]


def _v6_structural_keys(conn: sqlite3.Connection) -> None:
    """Store the keys of kinds keyed by several columns as JSON arrays, not joined strings.

    A joined key (``from->to``, ``release|environment|finished``) cannot be split back once a
    part holds the separator, which broke undo. The parts are taken from the stored values, which
    are never ambiguous.
    """
    rows = conn.execute(
        "SELECT id, entity, key, before, after, batch FROM audit_log WHERE entity IN "
        "(SELECT value FROM json_each(?))",
        (json.dumps(sorted(_COMPOSITE_COLUMNS)),),
    ).fetchall()
    for row_id, entity, _key, before, after, batch in rows:
        columns = _COMPOSITE_COLUMNS[entity]
        new: tuple[str, str | None, str | None]
        if batch:
            befores = [_structural_row(entity, v) for v in json.loads(before)]
            afters = [_structural_row(entity, v) for v in json.loads(after)]
            keys = [
                [(a if a is not None else b)[i] for i in columns]
                for a, b in zip(afters, befores, strict=True)
            ]
            new = (_ENCODE(keys), _ENCODE(befores), _ENCODE(afters))
        else:
            old_before = None if before is None else _structural_row(entity, json.loads(before))
            old_after = None if after is None else _structural_row(entity, json.loads(after))
            value: Any = old_after if old_after is not None else old_before
            new = (
                _ENCODE([value[i] for i in columns]),
                None if old_before is None else _ENCODE(old_before),
                None if old_after is None else _ENCODE(old_after),
            )
        conn.execute(
            "UPDATE audit_log SET key = ?, before = ?, after = ? WHERE id = ?", (*new, row_id)
        )
    for table in ("sources", "sync_conflicts"):
        for rowid, key in conn.execute(
            f"SELECT rowid, key FROM {table} WHERE entity = 'dependency'"
        ).fetchall():
            conn.execute(
                f"UPDATE {table} SET key = ? WHERE rowid = ?", (_legacy_dependency_key(key), rowid)
            )


# Deployments and incidents pulled from delivery tools (GitHub, GitLab, Azure Pipelines, Jenkins,
# PagerDuty), kept per (connection, id at the source) with every status they went through, apart
# from the typed or imported ``deployments``: DORA derives its deployments from them by the rules
# of relplan/metrics/delivery.py, so a source rewriting a record later changes nothing twice.
_V_DELIVERY: Final = """
        CREATE TABLE delivery_deployments (
            connection TEXT NOT NULL,
            source_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            environment TEXT NOT NULL,
            production INTEGER NOT NULL,
            sha TEXT NOT NULL,
            ref TEXT NOT NULL,
            statuses TEXT NOT NULL,
            started TEXT,
            finished TEXT,
            commits TEXT NOT NULL DEFAULT '[]',
            team TEXT NOT NULL DEFAULT '',
            release TEXT,
            link TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (connection, source_id)
        );
        CREATE INDEX delivery_deployments_finished ON delivery_deployments(finished);
        CREATE TABLE delivery_incidents (
            connection TEXT NOT NULL,
            source_id TEXT NOT NULL,
            keys TEXT NOT NULL DEFAULT '[]',
            created TEXT NOT NULL,
            resolved TEXT,
            team TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (connection, source_id)
        );
"""


# Derived data the analyses keep between commands (relplan/store/analysis_cache.py): each entry
# is stored with the value of its counter in ``analysis_version`` it was computed at, and
# triggers bump the counters on every write to what the entries derive from, whichever path
# writes: commands, undo, import, sync, another program. ``links``: dependencies, the work
# items' releases, which releases exist (release edges, cycles). ``items``: also any other
# column of a work item (readiness's counts and blockers). Counters in a table, not PRAGMA
# data_version, because they must hold across connections.
_ANALYSIS_TABLES: Final = (
    "CREATE TABLE analysis_version (id INTEGER PRIMARY KEY CHECK (id = 1), "
    "links INTEGER NOT NULL, items INTEGER NOT NULL)",
    "INSERT INTO analysis_version (id, links, items) VALUES (1, 0, 0)",
    "CREATE TABLE analysis_cache (name TEXT NOT NULL, key TEXT NOT NULL, "
    "version INTEGER NOT NULL, value TEXT NOT NULL, PRIMARY KEY (name, key))",
)
_BOTH: Final = "links = links + 1, items = items + 1"
#: ``(table, event, counters bumped)`` of every write the cache depends on.
_CACHE_WRITES: Final = (
    ("dependencies", "INSERT", _BOTH), ("dependencies", "DELETE", _BOTH),
    ("dependencies", "UPDATE", _BOTH),
    ("work_items", "INSERT", _BOTH), ("work_items", "DELETE", _BOTH),
    ("work_items", "UPDATE OF key, release", "links = links + 1"),
    ("work_items", "UPDATE", "items = items + 1"),
    ("releases", "INSERT", _BOTH), ("releases", "DELETE", _BOTH),
    ("releases", "UPDATE OF key", _BOTH),
)  # fmt: skip
#: The names of the triggers that bump the counters; the cache is used only while all of them
#: exist (a later migration that rebuilds one of the tables would drop them).
CACHE_TRIGGERS: Final = tuple(
    f"analysis_{table}_{event.split()[0].lower()}{'_links' if ' OF ' in event else ''}"
    for table, event, _ in _CACHE_WRITES
)


def cache_trigger_sql() -> dict[str, str]:
    """The ``CREATE TRIGGER`` statement of each of :data:`CACHE_TRIGGERS`, by name."""
    return {
        name: f"CREATE TRIGGER {name} AFTER {event} ON {table} "
        f"BEGIN UPDATE analysis_version SET {bump}; END"
        for name, (table, event, bump) in zip(CACHE_TRIGGERS, _CACHE_WRITES, strict=True)
    }


def _analysis_cache(conn: sqlite3.Connection) -> None:
    # A function: the trigger bodies hold ";", which the script splitter would cut.
    for statement in _ANALYSIS_TABLES:
        conn.execute(statement)
    for statement in cache_trigger_sql().values():
        conn.execute(statement)


_V_ANALYSIS_CACHE: Final = _analysis_cache


# The cache entries move to a file next to the workspace (relplan/store/analysis_cache.py), so
# that storing one is no commit to the workspace: another window would take it for a change.
# An entry there is tagged with the counter it was computed at, so the counters must never take
# a value twice for different data, also across a workspace replaced at the same path or put
# back from a copy: the triggers set them to random values instead of counting.
_RANDOM_BOTH: Final = "links = random(), items = random()"
_RANDOM_BUMPS: Final = {
    _BOTH: _RANDOM_BOTH,
    "links = links + 1": "links = random()",
    "items = items + 1": "items = random()",
}


def _analysis_sidecar(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TABLE analysis_cache")
    for name, (table, event, bump) in zip(CACHE_TRIGGERS, _CACHE_WRITES, strict=True):
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        conn.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} "
            f"BEGIN UPDATE analysis_version SET {_RANDOM_BUMPS[bump]}; END"
        )
    conn.execute(f"UPDATE analysis_version SET {_RANDOM_BOTH}")


_V_ANALYSIS_SIDECAR: Final = _analysis_sidecar


Migration = str | Callable[[sqlite3.Connection], None]

MIGRATIONS: Final[tuple[Migration, ...]] = (
    _V1_INITIAL,
    _V2_GATE_DECISIONS,
    _V3_SYNC_AND_RECURRENCE,
    _V4_SYNC_SNAPSHOTS,
    _V5_ORIGINS,
    _v6_structural_keys,
    _V_LIFECYCLE,  # version 7
    _V_DELIVERY,  # version 8
    _V_ANALYSIS_CACHE,
    _V_ANALYSIS_SIDECAR,
)
SCHEMA_VERSION: Final = len(MIGRATIONS)
