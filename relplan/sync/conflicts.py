"""Open sync conflicts, and settling them: keep local, keep remote, or edit to a new value.

A conflict is a field changed both here and at the source since the last sync (found by a pull
or by a push's re-read). Each one shows three values: here (local), at the source (remote) and
the base, the value at the last sync (the source row's snapshot). Settling one is a single
undoable command, whichever of ``relplan sync --resolve`` and the window's Conflicts panel
asks for it:

- ``local``: the conflict closes and the remote value becomes the base, so the next push writes
  the local value (a push compares the remote with the base and would find a conflict again);
- ``remote``: the local field takes the remote value (and the base too: it is in sync);
- ``edit``: the local field takes a typed value and the remote value becomes the base, so the
  next push writes it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Any, Final

from relplan.domain.model import RELEASE_STATUSES
from relplan.errors import Issue, ValidationError
from relplan.store import sync_state
from relplan.store.commands import ChangeSet, Command, Edit
from relplan.store.entities import TABLES
from relplan.store.sync_state import SyncConflict, now_iso
from relplan.store.workspace import Workspace
from relplan.sync import merge

#: How a conflict can be settled.
KEEPS: Final = ("local", "remote", "edit")
_NUMBERS: Final = {("work_item", "points")}


@dataclass(frozen=True, slots=True)
class ConflictView:
    """One open conflict as a person reads it.

    Attributes:
        ident: the id ``relplan sync --resolve`` takes (``connection|entity|key|field``).
        connection: the connection's name.
        entity: ``release``, ``work_item``...
        key: the local key.
        field: the local field (``*``: the object itself).
        remote_object: what the tracker calls the object (``EE-12``, ``v2.7.0``).
        local: the value here (JSON value; None: none).
        remote: the value at the source now.
        base: the value at the last sync (None when never synced or unknown).
        detected: when it was found (ISO time).
    """

    ident: str
    connection: str
    entity: str
    key: str
    field: str
    remote_object: str
    local: Any
    remote: Any
    base: Any
    detected: str

    def row(self) -> tuple[str, str, str, str, str, str, str]:
        """Connection, object, field, here, at the source, last synced, found (a table row)."""
        what = "(the whole object)" if self.field == "*" else self.field
        found = self.detected[:16].replace("T", " ")
        return (
            self.connection, f"{self.remote_object} ({self.entity} {self.key})", what,
            show(self.local), show(self.remote), show(self.base), found,
        )  # fmt: skip


def show(value: Any) -> str:
    """A conflict value as text (``(none)`` for no value)."""
    if value is None:
        return "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def count_open(ws: Workspace) -> int:
    """How many conflicts are open (the Sync menu's badge)."""
    row = ws.conn.execute("SELECT COUNT(*) FROM sync_conflicts WHERE resolved IS NULL").fetchone()
    return int(row[0])


def open_conflicts(ws: Workspace, connection: str | None = None) -> list[ConflictView]:
    """Every open conflict with its local, remote and base values, by connection and object."""
    found = sync_state.conflicts(ws.conn, connection)
    sources: dict[tuple[str, str, str], sync_state.Source] = {}
    for name in sorted({c.connection for c in found}):
        for s in sync_state.sources(ws.conn, name):
            sources[(name, s.entity, s.key)] = s
    views = []
    for c in found:
        source = sources.get((c.connection, c.entity, c.key))
        base = None
        if source is not None and c.field != "*":
            base = (source.values() or {}).get(c.field)
        remote_object = (source.source_key or source.source_id) if source is not None else c.key
        views.append(
            ConflictView(
                c.ident, c.connection, c.entity, c.key, c.field, remote_object,
                _load(c.local_value), _load(c.remote_value), base, c.detected,
            )
        )  # fmt: skip
    return views


def resolve(ws: Workspace, ident: str, keep: str, value: str | None = None) -> ChangeSet:
    """Settle a conflict as one undoable command (see the module docs).

    Args:
        ws: the workspace.
        ident: the conflict's id (``connection|entity|key|field``).
        keep: ``local``, ``remote`` or ``edit``.
        value: with ``edit``, the new local value as typed (empty: no value).

    Raises:
        ValidationError: ``keep`` is unknown, no open conflict has this id, or the edited value
            does not fit the field.
    """
    with ws.write():
        return ws.execute(resolve_command(ws, ident, keep, value))


def resolve_command(ws: Workspace, ident: str, keep: str, value: str | None = None) -> Command:
    """The command that settles a conflict (built from what is read now; see :func:`resolve`).

    Raises:
        ValidationError: as :func:`resolve`.
    """
    if keep not in KEEPS:
        raise ValidationError([Issue("keep", f"expected local, remote or edit, found {keep!r}")])
    if keep == "edit" and value is None:
        raise ValidationError([Issue("value", "keeping an edited value needs the value")])
    try:
        key = sync_state.conflict_key_of_ident(ident)
    except ValueError:
        key = ""
    table = TABLES["sync_conflict"]
    found: SyncConflict | None = table.load(ws.conn, [key]).get(key) if key else None
    if found is None or found.resolved:
        raise ValidationError([Issue("conflict", f"no open conflict {ident!r}")])
    if keep == "edit" and found.field == "*":
        raise ValidationError(
            [Issue(ident, "a whole object cannot be edited here: keep local or keep remote")]
        )
    edits = [Edit("sync_conflict", key, found, replace(found, resolved=now_iso()))]
    entity_table = TABLES[found.entity]
    local = entity_table.load(ws.conn, [found.key]).get(found.key)
    if found.field != "*":
        # Whatever is kept, the remote value is now known: it becomes the base, so a kept
        # local or edited value is pushed next, and a taken remote one reads as in sync.
        edits.extend(_seen_remote(ws, found))
    if keep == "edit":
        if local is None:
            raise ValidationError([Issue(ident, f"{found.key} is no longer in the workspace")])
        typed = parse_value(ws, found.entity, found.field, value or "")
        after = merge.build(
            found.entity, found.key, merge.fields_of(found.entity, local) | {found.field: typed},
            local,
        )  # fmt: skip
        if after != local:
            edits.insert(0, Edit(found.entity, found.key, local, after))
    if keep == "remote":
        theirs = _load(found.remote_value)
        if found.field == "*":
            after = None if theirs is None else merge.build(found.entity, found.key, theirs, local)
        elif local is not None:
            values = merge.fields_of(found.entity, local) | {found.field: theirs}
            after = merge.build(found.entity, found.key, values, local)
        else:
            after = None
        if after != local:
            edits.insert(0, Edit(found.entity, found.key, local, after))
    return Command(f"Resolve {found.key} {found.field} ({keep})", tuple(edits))


def _seen_remote(ws: Workspace, found: SyncConflict) -> list[Edit]:
    """The remote value becomes the base, so the next push writes the local one (a push conflict
    left the older base in the snapshot, which would conflict again)."""
    sources = [
        s for s in sync_state.sources(ws.conn, found.connection)
        if (s.entity, s.key) == (found.entity, found.key)
    ]  # fmt: skip
    if not sources or found.remote_value is None:
        return []
    old = sources[0]
    values = old.values() or {}
    theirs = json.loads(found.remote_value)
    if values.get(found.field) == theirs:
        return []
    snapshot = json.dumps(values | {found.field: theirs}, sort_keys=True, ensure_ascii=False)
    new = replace(old, snapshot=snapshot)
    return [Edit("source", sync_state.source_key(new), old, new)]


def parse_value(ws: Workspace, entity: str, name: str, text: str) -> Any:
    """A typed value for a synced field, in snapshot form (dates as ISO text).

    Raises:
        ValidationError: the text does not fit the field (one line naming both).
    """
    text = text.strip()
    where = f"{entity} {name}"
    if not text:
        return None
    try:
        if (entity, name) in merge._DAYS:
            return dt.date.fromisoformat(text).isoformat()
        if (entity, name) in merge._TIMES:
            return dt.datetime.fromisoformat(text).isoformat()
        if (entity, name) in _NUMBERS:
            return float(text)
    except ValueError:
        raise ValidationError([Issue(where, f"{text!r} is not a valid value")]) from None
    if (entity, name) == ("release", "status") and text not in RELEASE_STATUSES:
        allowed = ", ".join(RELEASE_STATUSES)
        raise ValidationError([Issue(where, f"{text!r} is not one of {allowed}")])
    if name in ("release", "team") and not TABLES[name].load(ws.conn, [text]):
        raise ValidationError([Issue(where, f"no {name} {text!r} in the workspace")])
    return text
