"""The workspace schema, one migration per version, append-only.

``PRAGMA user_version`` holds the schema version of a workspace; ``MIGRATIONS[n - 1]`` is the SQL
script that takes a workspace from version ``n - 1`` to ``n``, run in one transaction together
with the new ``user_version``. Never edit a released migration: add a new one.
"""

from __future__ import annotations

from typing import Final

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


MIGRATIONS: Final[tuple[str, ...]] = (
    _V1_INITIAL,
    _V2_GATE_DECISIONS,
    _V3_SYNC_AND_RECURRENCE,
    _V4_SYNC_SNAPSHOTS,
)
SCHEMA_VERSION: Final = len(MIGRATIONS)
