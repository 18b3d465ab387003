"""Commands: every change to a plan, applied in one transaction, audited and undoable.

A :class:`Command` is a list of :class:`Edit` s, each the before and after of one object
(``None`` before: added; ``None`` after: deleted). Executing it writes the afters, records the
command and one audit-log row per edit (when, who, entity, key, before, after as JSON) in the same
transaction. Undo replays the befores of the latest command; redo replays its afters again. A new
command discards whatever was undone before it, as in every editor.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from relplan.errors import NothingToUndoError

# Importing sync_state registers the sync record kinds (source, sync_conflict, sync_state) in
# TABLES, so that undoing a sync works in any process, whichever modules it imported.
from relplan.store import sync_state as _sync_state  # noqa: F401
from relplan.store.entities import TABLES, EntityTable

#: Entities whose change moves dates or edges, so that schedules must be recomputed.
_SCHEDULE_ENTITIES = frozenset({"release", "dependency", "work_item", "freeze", "environment"})


@dataclass(frozen=True, slots=True)
class Edit:
    """The change of one object: ``entity`` names its kind (``release``, ``work_item``, ...)."""

    entity: str
    key: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class Command:
    """A named change made of edits, applied all at once."""

    label: str
    edits: tuple[Edit, ...]


@dataclass(slots=True)
class ChangeSet:
    """What a write touched, so that views can decide whether to refresh.

    Attributes:
        touched: keys per entity kind.
        command_id: the command that was executed, undone or redone.
        label: the command's label.
    """

    touched: dict[str, set[str]] = field(default_factory=dict)
    command_id: int | None = None
    label: str = ""

    @property
    def schedule_dirty(self) -> bool:
        """Whether the change can move a schedule or a check result."""
        return any(entity in _SCHEDULE_ENTITIES for entity in self.touched)

    @property
    def empty(self) -> bool:
        """Whether nothing was touched."""
        return not self.touched

    def count(self) -> int:
        """How many objects were touched."""
        return sum(len(keys) for keys in self.touched.values())


def current_user() -> str:
    """The OS user, as recorded in the audit log."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _apply(conn: sqlite3.Connection, edits: Sequence[Edit]) -> tuple[ChangeSet, list[Any]]:
    """Write the afters of ``edits`` in order (None deletes).

    Returns:
        What was touched, and per edit the audit-log value of its after (None for a delete).
    """
    changes = ChangeSet()
    afters: list[Any] = []
    for entity, run in groupby(edits, key=lambda e: e.entity):
        table = TABLES[entity]
        batch = list(run)
        deleted = [e.key for e in batch if e.after is None]
        kept = [e.after for e in batch if e.after is not None]
        rows = [table.to_row(obj) for obj in kept]
        if deleted:
            table.delete(conn, deleted)
        if kept:
            table.upsert(conn, kept, rows)
        written = iter(zip(kept, rows, strict=True))
        afters.extend(None if e.after is None else table.audit_value(*next(written)) for e in batch)
        changes.touched.setdefault(entity, set()).update(e.key for e in batch)
    return changes, afters


#: From this many edits of one kind in a row, the audit log keeps them in one row of arrays
#: (keys, befores, afters), so that importing 100,000 items stays fast.
BATCH_EDITS = 50
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _audit(
    conn: sqlite3.Connection,
    command: int,
    action: str,
    edits: Sequence[Edit],
    afters: Sequence[Any],
    who: str,
    at: str,
) -> None:
    """Write the audit-log rows of ``edits``, in their order."""
    rows: list[tuple[str, str, str | None, str | None, int]] = []
    for entity, run in groupby(zip(edits, afters, strict=True), key=lambda p: p[0].entity):
        table = TABLES[entity]
        batch = list(run)
        befores = [None if e.before is None else table.audit_value(e.before) for e, _ in batch]
        if len(batch) >= BATCH_EDITS:
            keys = [e.key for e, _ in batch]
            after_values = [after for _, after in batch]
            rows.append((entity, _ENCODE(keys), _ENCODE(befores), _ENCODE(after_values), 1))
            continue
        for (e, after), before in zip(batch, befores, strict=True):
            rows.append((entity, e.key, _dump(before), _dump(after), 0))
    conn.executemany(
        "INSERT INTO audit_log (command, at, who, action, entity, key, before, after, batch) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(command, at, who, action, *row) for row in rows],
    )


def _dump(value: Any) -> str | None:
    return None if value is None else _ENCODE(value)


def execute(conn: sqlite3.Connection, command: Command) -> ChangeSet:
    """Apply ``command`` in one transaction and record it; an error leaves nothing written.

    Raises:
        sqlite3.Error: the write broke a constraint; the transaction was rolled back.
    """
    who, at = current_user(), _now()
    conn.execute("BEGIN IMMEDIATE")
    # References are checked at COMMIT, so a command may delete and re-point in any order.
    conn.execute("PRAGMA defer_foreign_keys = ON")
    try:
        conn.execute("UPDATE commands SET state = 'discarded' WHERE state = 'undone'")
        cursor = conn.execute(
            "INSERT INTO commands (label, at, who, state) VALUES (?, ?, ?, 'done')",
            (command.label, at, who),
        )
        command_id = int(cursor.lastrowid or 0)
        changes, afters = _apply(conn, command.edits)
        _audit(conn, command_id, "do", command.edits, afters, who, at)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    changes.command_id = command_id
    changes.label = command.label
    return changes


def _load_edits(conn: sqlite3.Connection, command_id: int) -> list[Edit]:
    edits: list[Edit] = []
    for entity, key, before, after, batch in conn.execute(
        "SELECT entity, key, before, after, batch FROM audit_log "
        "WHERE command = ? AND action = 'do' ORDER BY id",
        (command_id,),
    ):
        table = TABLES[entity]
        if batch:
            triples = zip(json.loads(key), json.loads(before), json.loads(after), strict=True)
            edits.extend(Edit(entity, k, _load(table, b), _load(table, a)) for k, b, a in triples)
        else:
            before_value = None if before is None else json.loads(before)
            after_value = None if after is None else json.loads(after)
            edits.append(Edit(entity, key, _load(table, before_value), _load(table, after_value)))
    return edits


def _load(table: EntityTable, value: Any) -> Any:
    return None if value is None else table.from_audit_value(value)


def _replay(conn: sqlite3.Connection, *, undo: bool) -> ChangeSet:
    if undo:
        sql = "SELECT id, label FROM commands WHERE state = 'done' ORDER BY id DESC LIMIT 1"
    else:
        sql = "SELECT id, label FROM commands WHERE state = 'undone' ORDER BY id LIMIT 1"
    who, at = current_user(), _now()
    conn.execute("BEGIN IMMEDIATE")
    # References are checked at COMMIT, so a command may delete and re-point in any order.
    conn.execute("PRAGMA defer_foreign_keys = ON")
    try:
        row = conn.execute(sql).fetchone()
        if row is None:
            raise NothingToUndoError("nothing to undo" if undo else "nothing to redo")
        command_id, label = row
        edits = _load_edits(conn, command_id)
        if undo:
            edits = [Edit(e.entity, e.key, e.after, e.before) for e in reversed(edits)]
        changes, afters = _apply(conn, edits)
        _audit(conn, command_id, "undo" if undo else "redo", edits, afters, who, at)
        conn.execute(
            "UPDATE commands SET state = ? WHERE id = ?", ("undone" if undo else "done", command_id)
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    changes.command_id = command_id
    changes.label = label
    return changes


def undo(conn: sqlite3.Connection) -> ChangeSet:
    """Undo the latest command that is not undone yet.

    Raises:
        NothingToUndoError: there is nothing to undo.
    """
    return _replay(conn, undo=True)


def redo(conn: sqlite3.Connection) -> ChangeSet:
    """Redo the command undone most recently, unless a new command came since.

    Raises:
        NothingToUndoError: there is nothing to redo.
    """
    return _replay(conn, undo=False)


def next_labels(conn: sqlite3.Connection) -> tuple[str | None, str | None]:
    """The labels of what undo and redo would do now (None where nothing)."""
    undo_row = conn.execute(
        "SELECT label FROM commands WHERE state = 'done' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    redo_row = conn.execute(
        "SELECT label FROM commands WHERE state = 'undone' ORDER BY id LIMIT 1"
    ).fetchone()
    return (undo_row[0] if undo_row else None, redo_row[0] if redo_row else None)


def history(conn: sqlite3.Connection, limit: int = 50) -> list[dict[str, Any]]:
    """The latest commands, newest first, with how many objects each touched."""
    counts: dict[int, int] = defaultdict(int)
    rows = conn.execute(
        "SELECT id, label, at, who, state FROM commands ORDER BY id DESC LIMIT ?", (limit,)
    ).fetchall()
    for command_id, n in conn.execute(
        "SELECT command, sum(CASE WHEN batch THEN json_array_length(key) ELSE 1 END) "
        "FROM audit_log WHERE action = 'do' AND command >= ? GROUP BY command",
        (rows[-1][0] if rows else 0,),
    ):
        counts[command_id] = n
    return [
        {"id": r[0], "label": r[1], "at": r[2], "who": r[3], "state": r[4], "edits": counts[r[0]]}
        for r in rows
    ]


#: Undoing a command that touched more objects than this asks first in the window (an import
#: or a sync, typically: one Ctrl+Z too many must not empty the workspace without a word).
CONFIRM_UNDO_ABOVE = 100


@dataclass(frozen=True, slots=True)
class UndoStep:
    """The command that undo would take back now.

    Attributes:
        command_id: the command.
        label: its label ("Import demo.json", "Sync acme").
        objects: how many objects it touched (from the audit log).
    """

    command_id: int
    label: str
    objects: int

    @property
    def needs_confirmation(self) -> bool:
        """Whether undoing it should be confirmed first (more than CONFIRM_UNDO_ABOVE objects)."""
        return self.objects > CONFIRM_UNDO_ABOVE


def next_undo(conn: sqlite3.Connection) -> UndoStep | None:
    """What undo would take back now, with its size; None when there is nothing to undo."""
    row = conn.execute(
        "SELECT id, label FROM commands WHERE state = 'done' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    (objects,) = conn.execute(
        "SELECT coalesce(sum(CASE WHEN batch THEN json_array_length(key) ELSE 1 END), 0) "
        "FROM audit_log WHERE action = 'do' AND command = ?",
        (row[0],),
    ).fetchone()
    return UndoStep(row[0], row[1], int(objects))
