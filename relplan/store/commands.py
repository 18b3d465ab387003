"""Commands: every change to a plan, applied in one transaction, audited and undoable.

A :class:`Command` is a list of :class:`Edit` s, each the before and after of one object
(``None`` before: added; ``None`` after: deleted). Executing it writes the afters, records the
command and one audit-log row per edit (when, who, from where, entity, key, before, after as JSON)
in the same transaction. Keys of kinds stored under several columns are JSON arrays
(:func:`~relplan.store.entities.composite_key`), never joined strings. Undo and redo live in
:mod:`relplan.store.undo`.

Every read that decides a write happens inside the write's transaction (:func:`transaction`,
``BEGIN IMMEDIATE``): a second process waits for the first to commit, then reads what it wrote.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

# Importing sync_state registers the sync record kinds (source, sync_conflict, sync_state) in
# TABLES, so that undoing a sync works in any process, whichever modules it imported.
from relplan.store import analysis_cache
from relplan.store import deployment_links as _deployment_links  # noqa: F401
from relplan.store import lifecycle_tables as _lifecycle_tables  # noqa: F401
from relplan.store import sync_state as _sync_state  # noqa: F401
from relplan.store.database import transaction
from relplan.store.entities import TABLES, EntityTable

#: Entities whose change moves dates or edges, so that schedules must be recomputed.
_SCHEDULE_ENTITIES = frozenset(
    {"release", "dependency", "work_item", "freeze", "environment", "flag"}
)


@dataclass(frozen=True, slots=True)
class Edit:
    """The change of one object: ``entity`` names its kind (``release``, ``work_item``, ...)."""

    entity: str
    key: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class Inserts:
    """Objects of one kind that are not stored yet, added at once.

    The same change as an ``Edit(entity, key, None, obj)`` per object, audited the same way,
    kept as columns so that importing 100,000 items into an empty workspace builds no edit per
    object; they are written with a plain INSERT, so a key stored already fails the command.
    """

    entity: str
    keys: Sequence[str]
    objects: Sequence[Any]
    #: The objects' table rows when the caller has them instead (then ``objects`` may be
    #: empty: an import reads work items and dependencies straight into rows).
    rows: Sequence[tuple[Any, ...]] | None = None

    def __len__(self) -> int:
        return len(self.keys)


@dataclass(frozen=True, slots=True)
class Command:
    """A named change made of edits, then inserts, applied all at once."""

    label: str
    edits: tuple[Edit, ...]
    inserts: tuple[Inserts, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether it changes nothing."""
        return not self.edits and not any(batch.keys for batch in self.inserts)


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


@dataclass(frozen=True, slots=True)
class Stamp:
    """Who writes, when, and from where (see :mod:`relplan.store.origin`)."""

    who: str
    at: str
    origin: str

    @classmethod
    def now(cls, origin: str) -> Stamp:
        """A stamp for a write made now by the OS user."""
        return cls(current_user(), _now(), origin)


def _batch_keys(table: EntityTable, keys: Sequence[str]) -> str:
    if table.composite:
        # Each composite key is a JSON array already: the batch is an array of arrays.
        return "[" + ",".join(keys) + "]"
    return _ENCODE(list(keys))


AuditRow = tuple[str, str, str | None, str | None, int]


def _dump(value: Any) -> str | None:
    return None if value is None else _ENCODE(value)


def _audit_rows(
    table: EntityTable, keys: Sequence[str], befores: Sequence[Any], afters: Sequence[Any]
) -> list[AuditRow]:
    """The audit-log rows (entity, key, before, after, batch) of a run of edits of one kind."""
    if len(keys) >= BATCH_EDITS:
        return [(table.entity, _batch_keys(table, keys), _ENCODE(befores), _ENCODE(afters), 1)]
    return [
        (table.entity, key, _dump(before), _dump(after), 0)
        for key, before, after in zip(keys, befores, afters, strict=True)
    ]


def _edit_audit_rows(edits: Sequence[Edit], afters: Sequence[Any]) -> list[AuditRow]:
    rows: list[AuditRow] = []
    for entity, run in groupby(zip(edits, afters, strict=True), key=lambda p: p[0].entity):
        table = TABLES[entity]
        batch = list(run)
        befores = [None if e.before is None else table.audit_value(e.before) for e, _ in batch]
        rows += _audit_rows(table, [e.key for e, _ in batch], befores, [a for _, a in batch])
    return rows


def _write_audit(
    conn: sqlite3.Connection, command: int, action: str, rows: Sequence[AuditRow], stamp: Stamp
) -> None:
    conn.executemany(
        "INSERT INTO audit_log (command, at, who, origin, action, entity, key, before, after, "
        "batch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(command, stamp.at, stamp.who, stamp.origin, action, *row) for row in rows],
    )


def _audit(
    conn: sqlite3.Connection,
    command: int,
    action: str,
    edits: Sequence[Edit],
    afters: Sequence[Any],
    stamp: Stamp,
) -> None:
    """Write the audit-log rows of ``edits``, in their order."""
    _write_audit(conn, command, action, _edit_audit_rows(edits, afters), stamp)


def _insert(conn: sqlite3.Connection, batch: Inserts, changes: ChangeSet) -> list[AuditRow]:
    """Write ``batch``, note it in ``changes``; returns its audit-log rows."""
    table = TABLES[batch.entity]
    to_row = table.to_row
    rows = batch.rows if batch.rows is not None else [to_row(obj) for obj in batch.objects]
    table.insert(conn, batch.objects, rows)
    changes.touched.setdefault(batch.entity, set()).update(batch.keys)
    # What _apply and _audit record for an added object: no before, its audit value after.
    afters = [table.audit_value(o) for o in batch.objects] if batch.entity == "release" else rows
    return _audit_rows(table, batch.keys, [None] * len(rows), afters)


def execute(conn: sqlite3.Connection, command: Command, origin: str) -> ChangeSet:
    """Apply ``command`` in one transaction and record it; an error leaves nothing written.

    Inside a :func:`transaction` it joins it, so what was read there decides what is written.

    Args:
        conn: the workspace.
        command: the change.
        origin: where it is made from (see :mod:`relplan.store.origin`).

    Raises:
        sqlite3.Error: the write broke a constraint; the transaction was rolled back.
    """
    stamp = Stamp.now(origin)
    with transaction(conn):
        # A new change of this origin ends its redo chain; other origins keep theirs.
        conn.execute(
            "UPDATE commands SET state = 'discarded' WHERE state = 'undone' AND undone_by = ?",
            (origin,),
        )
        cursor = conn.execute(
            "INSERT INTO commands (label, at, who, origin, state) VALUES (?, ?, ?, ?, 'done')",
            (command.label, stamp.at, stamp.who, origin),
        )
        command_id = int(cursor.lastrowid or 0)
        size = len(command.edits) + sum(len(batch) for batch in command.inserts)
        with analysis_cache.bulk(conn, size):
            changes, afters = _apply(conn, command.edits)
            audit = _edit_audit_rows(command.edits, afters)
            for batch in command.inserts:
                audit += _insert(conn, batch, changes)
        _write_audit(conn, command_id, "do", audit, stamp)
    changes.command_id = command_id
    changes.label = command.label
    return changes
