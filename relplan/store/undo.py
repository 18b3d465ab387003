"""Undo, redo and the history of commands, per origin.

Undo takes back the latest change made from the same origin (the same window, or the same
terminal session: see :mod:`relplan.store.origin`), never another writer's; another writer's
change is undone only when named by its id. Redo redoes the change this origin undid last.

Before replaying, undo checks that every object of the command still holds the value the
command wrote (redo: the value it had before the command); if a later change touched one of
them, nothing is written and :class:`ChangedSinceError` names that change.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from relplan.errors import ChangedSinceError, NothingToUndoError
from relplan.store import analysis_cache, undo_bulk
from relplan.store.commands import ChangeSet, Edit, Stamp, _apply, _audit
from relplan.store.database import transaction
from relplan.store.entities import TABLES, EntityTable, composite_key

_UNCHECKED = undo_bulk.UNCHECKED


@dataclass(frozen=True, slots=True)
class CommandInfo:
    """One command of the history."""

    id: int
    label: str
    at: str
    who: str
    origin: str
    state: str

    def describe(self) -> str:
        """``#12 'Import plan.json' (alice, terminal:host:123, 2026-12-04T11:00:00+00:00)``."""
        return f"#{self.id} '{self.label}' ({self.who}, {self.origin}, {self.at})"


_INFO = "SELECT id, label, at, who, origin, state FROM commands"


def _info(conn: sqlite3.Connection, command_id: int) -> CommandInfo | None:
    row = conn.execute(f"{_INFO} WHERE id = ?", (command_id,)).fetchone()
    return None if row is None else CommandInfo(*row)


def _load(table: EntityTable, value: Any) -> Any:
    return None if value is None else table.from_audit_value(value)


def _key(table: EntityTable, raw: Any) -> str:
    """An edit's key from the audit log (re-encoded, so every composite key is canonical)."""
    if table.composite:
        return composite_key(*(json.loads(raw) if isinstance(raw, str) else raw))
    return str(raw)


def load_edits(conn: sqlite3.Connection, command_id: int) -> list[Edit]:
    """The edits of a command as it was first done, in order."""
    edits: list[Edit] = []
    for entity, key, before, after, batch in conn.execute(
        "SELECT entity, key, before, after, batch FROM audit_log "
        "WHERE command = ? AND action = 'do' ORDER BY id",
        (command_id,),
    ):
        table = TABLES[entity]
        if batch:
            triples = zip(json.loads(key), json.loads(before), json.loads(after), strict=True)
            edits.extend(
                Edit(entity, _key(table, k), _load(table, b), _load(table, a))
                for k, b, a in triples
            )
        else:
            before_value = None if before is None else json.loads(before)
            after_value = None if after is None else json.loads(after)
            edits.append(
                Edit(
                    entity, _key(table, key), _load(table, before_value), _load(table, after_value)
                )
            )
    return edits


def _last_row(conn: sqlite3.Connection, command_id: int) -> int:
    row = conn.execute("SELECT max(id) FROM audit_log WHERE command = ?", (command_id,)).fetchone()
    return int(row[0] or 0)


def _later_change(
    conn: sqlite3.Connection, since_row: int, entity: str, key: str
) -> CommandInfo | None:
    """The latest command that wrote object ``entity``/``key`` after audit row ``since_row``."""
    table = TABLES[entity]
    if table.composite:
        match = "json(a.key) = json(:key)"
        in_batch = "json(j.value) = json(:key)"
    else:
        match, in_batch = "a.key = :key", "j.value = :key"
    row = conn.execute(
        f"SELECT a.command FROM audit_log a WHERE a.id > :since AND a.entity = :entity AND ("
        f"(a.batch = 0 AND {match}) OR (a.batch = 1 AND EXISTS "
        f"(SELECT 1 FROM json_each(a.key) j WHERE {in_batch}))) ORDER BY a.id DESC LIMIT 1",
        {"since": since_row, "entity": entity, "key": key},
    ).fetchone()
    return None if row is None else _info(conn, int(row[0]))


def _verify(conn: sqlite3.Connection, info: CommandInfo, edits: list[Edit], *, undo: bool) -> None:
    """Refuse unless every object holds what the command left (undo) or found (redo)."""
    expected: dict[tuple[str, str], Any] = {}
    for edit in edits if undo else reversed(edits):
        # Undo: the last value written to each object; redo: the first value it had.
        expected[edit.entity, edit.key] = edit.after if undo else edit.before
    wanted: dict[str, list[str]] = defaultdict(list)
    for entity, key in expected:
        if entity not in _UNCHECKED:
            wanted[entity].append(key)
    for entity, keys in wanted.items():
        stored = TABLES[entity].load(conn, keys)
        for key in keys:
            if stored.get(key) == expected[entity, key]:
                continue
            later = _later_change(conn, _last_row(conn, info.id), entity, key)
            what = f"{entity.replace('_', ' ')} {_show(TABLES[entity], key)}"
            by = f"by {later.describe()}" if later is not None else "outside relplan's history"
            verb = "undo" if undo else "redo"
            raise ChangedSinceError(
                f"cannot {verb} {info.describe()}: {what} was changed since {by}; "
                f"nothing was changed"
            )


def _show(table: EntityTable, key: str) -> str:
    if table.composite:
        return " / ".join(json.loads(key))
    return key


def _pick(conn: sqlite3.Connection, origin: str, command_id: int | None, *, undo: bool) -> int:
    if command_id is not None:
        info = _info(conn, command_id)
        if info is None:
            raise NothingToUndoError(f"no change #{command_id} in the history")
        if undo and info.state != "done":
            raise NothingToUndoError(f"change #{command_id} is {info.state} already")
        if not undo and info.state == "done":
            raise NothingToUndoError(f"change #{command_id} is done already")
        return command_id
    if undo:
        row = conn.execute(
            "SELECT id FROM commands WHERE state = 'done' AND origin = ? ORDER BY id DESC LIMIT 1",
            (origin,),
        ).fetchone()
    else:
        # The change this origin undid last (its latest audit row is the undo).
        row = conn.execute(
            "SELECT c.id FROM commands c WHERE c.state = 'undone' AND c.undone_by = ? "
            "ORDER BY (SELECT max(a.id) FROM audit_log a WHERE a.command = c.id) DESC LIMIT 1",
            (origin,),
        ).fetchone()
    if row is not None:
        return int(row[0])
    verb = "undo" if undo else "redo"
    message = f"nothing to {verb}"
    if undo:
        other = conn.execute(f"{_INFO} WHERE state = 'done' ORDER BY id DESC LIMIT 1").fetchone()
        if other is not None:
            latest = CommandInfo(*other)
            message += (
                f" from here; the latest change, {latest.describe()}, was made elsewhere "
                f"(undo it by its id: relplan undo --id {latest.id})"
            )
    raise NothingToUndoError(message)


def replay(
    conn: sqlite3.Connection, origin: str, *, undo: bool, command_id: int | None = None
) -> ChangeSet:
    """Undo (or redo) a command in one transaction, after checking its objects.

    Args:
        conn: the workspace.
        origin: where the undo is made from; without ``command_id``, the latest change of this
            origin is undone (the change it undid last is redone).
        undo: undo, else redo.
        command_id: the command to undo or redo, whoever made it.

    Raises:
        NothingToUndoError: there is nothing to undo or redo from this origin, or the named
            command cannot be.
        ChangedSinceError: a later change touched the command's objects; nothing was written.
    """
    stamp = Stamp.now(origin)
    info: CommandInfo | None = None
    edits: list[Edit] = []
    try:
        with transaction(conn):
            chosen = _pick(conn, origin, command_id, undo=undo)
            info = _info(conn, chosen)
            assert info is not None
            runs = undo_bulk.added_only(conn, chosen)
            if runs is not None and undo_bulk.unchanged(conn, runs, undo=undo):
                changes = undo_bulk.apply(conn, runs, undo=undo)
                undo_bulk.audit(conn, chosen, runs, stamp, undo=undo)
                _mark(conn, chosen, origin, undo=undo)
                changes.command_id = chosen
                changes.label = info.label
                return changes
            edits = load_edits(conn, chosen)
            _verify(conn, info, edits, undo=undo)
            if undo:
                edits = [Edit(e.entity, e.key, e.after, e.before) for e in reversed(edits)]
            with analysis_cache.bulk(conn, len(edits)):
                changes, afters = _apply(conn, edits)
            _audit(conn, chosen, "undo" if undo else "redo", edits, afters, stamp)
            _mark(conn, chosen, origin, undo=undo)
    except sqlite3.IntegrityError as exc:
        # References are checked at COMMIT (rolled back by then): an object this would remove
        # is still used by a later change, say a flag added to a release that undo would delete.
        if info is None:
            raise
        if not edits:  # the bulk path failed: the same edits, for the message
            edits = load_edits(conn, info.id)
            if undo:
                edits = [Edit(e.entity, e.key, e.after, e.before) for e in reversed(edits)]
        raise ChangedSinceError(_still_used(conn, info, edits, undo=undo)) from exc
    changes.command_id = chosen
    changes.label = info.label
    return changes


def _mark(conn: sqlite3.Connection, command_id: int, origin: str, *, undo: bool) -> None:
    conn.execute(
        "UPDATE commands SET state = ?, undone_by = ? WHERE id = ?",
        ("undone" if undo else "done", origin if undo else None, command_id),
    )


def _still_used(
    conn: sqlite3.Connection, info: CommandInfo, edits: list[Edit], *, undo: bool
) -> str:
    """Why undoing (redoing) ``info`` broke a reference, naming the later change that holds it."""
    verb = "undo" if undo else "redo"
    since = _last_row(conn, info.id)
    for edit in edits:
        table = TABLES[edit.entity]
        if edit.after is not None or table.composite:
            continue
        needle = json.dumps(edit.key)
        row = conn.execute(
            "SELECT command FROM audit_log WHERE id > ? AND command != ? AND after LIKE ? "
            "ORDER BY id DESC LIMIT 1",
            (since, info.id, f"%{needle}%"),
        ).fetchone()
        if row is None:
            continue
        later = _info(conn, int(row[0]))
        if later is None or later.state != "done":
            continue
        what = f"{edit.entity.replace('_', ' ')} {_show(table, edit.key)}"
        return (
            f"cannot {verb} {info.describe()}: {what} is still used by {later.describe()}; "
            f"undo that change first; nothing was changed"
        )
    return (
        f"cannot {verb} {info.describe()}: objects it would remove are still used by later "
        f"changes; undo those first; nothing was changed"
    )


def next_labels(conn: sqlite3.Connection, origin: str) -> tuple[str | None, str | None]:
    """The labels of what undo and redo from ``origin`` would do now (None where nothing)."""
    undo_row = conn.execute(
        "SELECT label FROM commands WHERE state = 'done' AND origin = ? ORDER BY id DESC LIMIT 1",
        (origin,),
    ).fetchone()
    redo_row = conn.execute(
        "SELECT c.label FROM commands c WHERE c.state = 'undone' AND c.undone_by = ? "
        "ORDER BY (SELECT max(a.id) FROM audit_log a WHERE a.command = c.id) DESC LIMIT 1",
        (origin,),
    ).fetchone()
    return (undo_row[0] if undo_row else None, redo_row[0] if redo_row else None)


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


def next_undo(conn: sqlite3.Connection, origin: str) -> UndoStep | None:
    """What undo from ``origin`` would take back now, with its size; None when nothing."""
    row = conn.execute(
        "SELECT id, label FROM commands WHERE state = 'done' AND origin = ? ORDER BY id DESC "
        "LIMIT 1",
        (origin,),
    ).fetchone()
    if row is None:
        return None
    (objects,) = conn.execute(
        "SELECT coalesce(sum(CASE WHEN batch THEN json_array_length(key) ELSE 1 END), 0) "
        "FROM audit_log WHERE action = 'do' AND command = ?",
        (row[0],),
    ).fetchone()
    return UndoStep(row[0], row[1], int(objects))


def history(conn: sqlite3.Connection, limit: int = 50) -> list[dict[str, Any]]:
    """The latest commands, newest first, with their origin and how many objects each touched."""
    counts: dict[int, int] = defaultdict(int)
    rows = conn.execute(f"{_INFO} ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    for command_id, n in conn.execute(
        "SELECT command, sum(CASE WHEN batch THEN json_array_length(key) ELSE 1 END) "
        "FROM audit_log WHERE action = 'do' AND command >= ? GROUP BY command",
        (rows[-1][0] if rows else 0,),
    ):
        counts[command_id] = n
    return [
        {
            "id": r[0], "label": r[1], "at": r[2], "who": r[3], "origin": r[4], "state": r[5],
            "edits": counts[r[0]],
        }
        for r in rows
    ]  # fmt: skip
