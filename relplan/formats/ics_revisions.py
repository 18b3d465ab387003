"""What the events of a calendar export are about, and how often each changed.

An event's identity (:data:`Identity`) names the object behind it; its revision
(:class:`Revision`) counts the audit-log rows that changed what it shows, so ``SEQUENCE`` and
``LAST-MODIFIED`` only ever grow (:func:`read_revisions`). Source-item URLs come from the sync
state (:func:`read_source_urls`).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Identity", "Revision", "read_revisions", "read_source_urls", "release_identities"]

Identity = tuple[str, ...]
"""What an event is about: ``("release", KEY)``, ``("milestone", KEY, NAME[, N])``,
``("stage", KEY, ENVIRONMENT, N)`` or ``("freeze", NAME)``."""


@dataclass(frozen=True, slots=True)
class Revision:
    """How often the object behind an event changed, and when last.

    Attributes:
        sequence: The event's ``SEQUENCE`` (0 when it was only ever created).
        modified: When it last changed (aware, UTC); None when unknown.
    """

    sequence: int = 0
    modified: dt.datetime | None = None


def release_identities(data: Mapping[str, Any]) -> dict[Identity, Any]:
    """The events of a release (as workspace JSON) by identity, each with what it shows.

    The audit log keeps releases as workspace JSON, so one function serves both the export
    (:func:`relplan.domain.codec.encode_release`) and the revision count: an event's revision
    grows only when what it shows changes. Milestones are told apart by name (and by order among
    equal names), stage windows by environment and order within it.

    Args:
        data: A release as ``encode_release`` writes it.

    Returns:
        ``identity -> payload``; payloads compare equal when the event would not change.
    """
    key = str(data["key"])
    common = (data.get("name"), data.get("team"), data.get("status"))
    found: dict[Identity, Any] = {("release", key): data}
    seen: dict[str, int] = defaultdict(int)
    for milestone in data.get("milestones", ()):
        name = str(milestone["name"])
        n = seen[name]
        seen[name] += 1
        identity = ("milestone", key, name) if n == 0 else ("milestone", key, name, str(n))
        found[identity] = (milestone, common)
    per_env: dict[str, int] = defaultdict(int)
    for stage in data.get("stages", ()):
        env = str(stage["environment"])
        nth = str(per_env[env])
        found["stage", key, env, nth] = (stage, common)
        per_env[env] += 1
        # A rollout step is an event of its own, told apart by its stage and its day.
        for step in stage.get("steps", ()):
            found["step", key, env, nth, str(step["date"])] = (step, env, stage["strategy"], common)
    return found


def _changes(entity: str, key: str, before: Any, after: Any) -> Iterable[Identity]:
    """The identities whose payload differs between ``before`` and ``after``."""
    if entity == "freeze":
        return [("freeze", key)] if before != after else []
    old = release_identities(before) if before else {}
    new = release_identities(after) if after else {}
    return [i for i in old.keys() | new.keys() if old.get(i) != new.get(i)]


def read_revisions(conn: sqlite3.Connection) -> dict[Identity, Revision]:
    """Each event identity's revision, from the audit log of an open workspace (read only).

    Every audit-log row (``do``, ``undo`` or ``redo``) that changes what an event shows counts
    once; the first (its creation) gives ``SEQUENCE`` 0.

    Args:
        conn: The workspace's connection.

    Returns:
        Revisions by identity; identities the log never mentions are left out.
    """
    counts: dict[Identity, int] = defaultdict(int)
    last: dict[Identity, str] = {}
    rows = conn.execute(
        "SELECT entity, key, before, after, batch, at FROM audit_log "
        "WHERE entity IN ('release', 'freeze') ORDER BY id"
    )
    for entity, key, before, after, batch, at in rows:
        edits: Iterable[tuple[Any, Any, Any]]
        if batch:
            edits = zip(json.loads(key), json.loads(before), json.loads(after), strict=True)
        else:
            edits = [(key, _load(before), _load(after))]
        for edit_key, old, new in edits:
            for identity in _changes(entity, edit_key, old, new):
                counts[identity] += 1
                last[identity] = at
    return {
        identity: Revision(max(n - 1, 0), _utc(last[identity])) for identity, n in counts.items()
    }


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _utc(text: str) -> dt.datetime:
    when = dt.datetime.fromisoformat(text)  # the store writes ISO times with an offset
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def read_source_urls(conn: sqlite3.Connection) -> dict[tuple[str, str], str]:
    """The source-item URL of each synced object by ``(entity, key)`` (read only)."""
    rows = conn.execute(
        "SELECT entity, key, url FROM sources WHERE url IS NOT NULL AND url != '' AND NOT deleted"
    )
    return {(str(entity), str(key)): str(url) for entity, key, url in rows}
