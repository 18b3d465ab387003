"""Undo and redo of a command that only added objects (an import), at the speed of its rows.

The general path (:mod:`relplan.store.undo`) decodes every edit of the command into objects,
loads every object again to compare, and audits the replay by encoding every value again.
For an import of 100,000 items and 150,000 dependencies that is most of ten seconds. A
command whose every edit added an object it did not touch again needs none of it:

- **check:** undo compares the stored table rows with the rows the audit log kept (plain
  tuples, decoded in one call per kind); redo checks that none of the keys is stored. Any
  difference is left to the general path, which names the later change;
- **apply:** undo deletes by key, redo inserts the kept rows, one ``executemany`` per kind;
- **audit:** the replay's audit rows are the command's own texts, the before and after
  swapped for an undo, so nothing is encoded again.

Releases, whose audit value is their workspace-JSON object with children, go through their
table's own code (a portfolio has a few thousand).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from relplan.store import analysis_cache, repository
from relplan.store.commands import ChangeSet, Stamp
from relplan.store.entities import TABLES, EntityTable, composite_key, pair_key

#: Sync bookkeeping that also moves outside commands (cursors of a run that changed nothing):
#: restoring an older value only makes the next sync fetch more, so it is not checked.
UNCHECKED = frozenset({"sync_state"})
#: Below this many objects the general path is fast enough, and it is the one every test walks.
MIN_OBJECTS = 5000


@dataclass(slots=True)
class _Run:
    """One audit row of the command: a kind, its keys and the afters it wrote."""

    entity: str
    key_text: str
    before_text: str | None
    after_text: str | None
    batch: int
    keys: list[Any]  # decoded: strings, or lists of parts for a composite key
    afters: list[Any]


def added_only(conn: sqlite3.Connection, command_id: int) -> list[_Run] | None:
    """The command's audit rows when every edit added an object it touched once, else None."""
    rows = conn.execute(
        "SELECT entity, key, before, after, batch FROM audit_log "
        "WHERE command = ? AND action = 'do' ORDER BY id",
        (command_id,),
    ).fetchall()
    runs: list[_Run] = []
    count = 0
    seen: dict[str, int] = {}  # edits per kind
    for entity, key_text, before_text, after_text, batch in rows:
        if entity not in TABLES:
            return None
        if batch:
            keys = json.loads(key_text)
            befores = json.loads(before_text)
            afters = json.loads(after_text)
            if any(b is not None for b in befores) or any(a is None for a in afters):
                return None
        else:
            if before_text is not None or after_text is None:
                return None
            keys, afters = [key_text], [json.loads(after_text)]
        runs.append(_Run(entity, key_text, before_text, after_text, batch, keys, afters))
        count += len(keys)
        seen[entity] = seen.get(entity, 0) + len(keys)
    if count < MIN_OBJECTS:
        return None
    # Each object once: a second edit of the same object needs the general path's order.
    for entity, edits in seen.items():
        table = TABLES[entity]
        if (
            len({p for run in runs if run.entity == entity for p in _parts(table, run.keys)})
            != edits
        ):
            return None
    return runs


def _canonical(table: EntityTable, keys: Sequence[Any]) -> list[str]:
    """The keys as :class:`~relplan.store.commands.ChangeSet` holds them."""
    if not table.composite:
        return [str(k) for k in keys]
    if len(table.key_columns) == 2:
        return [pair_key(*(json.loads(k) if isinstance(k, str) else k)) for k in keys]
    return [composite_key(*(json.loads(k) if isinstance(k, str) else k)) for k in keys]


def _parts(table: EntityTable, keys: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Each key as the values of its key columns."""
    if not table.composite:
        return [(k,) for k in keys]
    return [tuple(json.loads(k) if isinstance(k, str) else k) for k in keys]


def _stored_rows(
    conn: sqlite3.Connection, table: EntityTable, keys: Sequence[Any]
) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """The stored rows with these keys, by the values of their key columns."""
    cols = ", ".join(f't."{c}"' for c in table.columns)
    positions = [table.columns.index(c) for c in table.key_columns]
    if table.composite:
        on = " AND ".join(
            f"t.\"{c}\" = json_extract(j.value, '$[{i}]')" for i, c in enumerate(table.key_columns)
        )
        args = [list(p) for p in _parts(table, keys)]
    else:
        on = f't."{table.key_columns[0]}" = j.value'
        args = list(keys)
    if _holds_only(conn, table, keys):  # a scan reads them faster than 100,000 lookups
        rows = conn.execute(f"SELECT {cols} FROM {table.table} t").fetchall()
    else:
        sql = f"SELECT {cols} FROM json_each(?) j JOIN {table.table} t ON {on}"
        rows = conn.execute(sql, (json.dumps(args),)).fetchall()
    if len(positions) == 1:
        at = positions[0]
        return {(row[at],): row for row in rows}
    key_of = itemgetter(*positions)
    return {key_of(row): row for row in rows}


def _holds_only(conn: sqlite3.Connection, table: EntityTable, keys: Sequence[Any]) -> bool:
    """Whether the table holds as many rows as there are (distinct) keys: then, once each key
    is found stored, it holds exactly them (an import into an empty workspace)."""
    (stored,) = conn.execute(f"SELECT count(*) FROM {table.table}").fetchone()
    return bool(stored == len(keys))


def _stored_releases(conn: sqlite3.Connection, keys: list[str]) -> dict[str, Any]:
    table = TABLES["release"]
    if _holds_only(conn, table, keys):
        return {r.key: r for r in repository.load_releases(conn)}
    return table.load(conn, keys)


def unchanged(conn: sqlite3.Connection, runs: list[_Run], *, undo: bool) -> bool:
    """Whether every object is as the command left it (undo) or absent (redo).

    False sends the caller to the general path, which finds and names the difference; so a
    False here may be cautious (a value equal as an object but not as a row), never a True.
    """
    for run in runs:
        table = TABLES[run.entity]
        if run.entity in UNCHECKED:
            continue
        stored = _stored_rows(conn, table, run.keys)
        if not undo:
            if stored:
                return False
            continue
        if len(stored) != len(run.keys):
            return False
        if run.entity == "release":  # its audit value is its JSON object, children and all
            objects = _stored_releases(conn, _canonical(table, run.keys))
            for key, after in zip(_canonical(table, run.keys), run.afters, strict=True):
                if key not in objects or table.audit_value(objects[key]) != after:
                    return False
            continue
        width = len(table.columns)
        for parts, after in zip(_parts(table, run.keys), run.afters, strict=True):
            kept = tuple(after) + (None,) * (width - len(after))
            if stored.get(parts) != kept:
                return False
    return True


def apply(conn: sqlite3.Connection, runs: list[_Run], *, undo: bool) -> ChangeSet:
    """Delete (undo) or insert again (redo) the command's objects; what was touched."""
    changes = ChangeSet()
    total = sum(len(run.keys) for run in runs)
    with analysis_cache.bulk(conn, total):
        for run in reversed(runs) if undo else runs:
            table = TABLES[run.entity]
            keys = _canonical(table, run.keys)
            if undo:
                _delete(conn, table, run.keys)
            elif run.entity == "release":
                objects = [table.from_audit_value(a) for a in run.afters]
                table.insert(conn, objects, [table.to_row(o) for o in objects])
            else:
                width = len(table.columns)
                table.insert(conn, (), [tuple(a) + (None,) * (width - len(a)) for a in run.afters])
            changes.touched.setdefault(run.entity, set()).update(keys)
    return changes


def _delete(conn: sqlite3.Connection, table: EntityTable, keys: Sequence[Any]) -> None:
    """Delete these (stored, checked) objects; a table that holds nothing else is emptied at
    once, which SQLite does without visiting each row's index entries one by one."""
    if table.entity not in UNCHECKED and _holds_only(conn, table, keys):  # checked: all stored
        conn.execute(f"DELETE FROM {table.table}")
        return
    where = " AND ".join(f'"{c}" = ?' for c in table.key_columns)
    conn.executemany(f"DELETE FROM {table.table} WHERE {where}", _parts(table, keys))


def audit(
    conn: sqlite3.Connection, command_id: int, runs: list[_Run], stamp: Stamp, *, undo: bool
) -> None:
    """The replay's audit rows: the command's own texts (before and after swapped to undo)."""
    conn.executemany(
        "INSERT INTO audit_log (command, at, who, origin, action, entity, key, before, after, "
        "batch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                command_id, stamp.at, stamp.who, stamp.origin, "undo" if undo else "redo",
                run.entity, run.key_text,
                run.after_text if undo else run.before_text,
                run.before_text if undo else run.after_text,
                run.batch,
            )
            for run in (reversed(runs) if undo else runs)
        ],
    )  # fmt: skip
