"""Three-way merge of synced objects: the workspace's value, the source's, and the last sync's.

A field the source changed since the last sync is taken from the source unless it was edited
here too; then the local value stays and a conflict is listed. Values compare as JSON (dates as
ISO text), as the snapshots keep them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, Final

from relplan.domain.model import Dependency, Release, Team, WorkItem
from relplan.store.entities import split_composite

#: The fields sync owns, per kind; anything else (colours, trains, stages...) stays local.
SYNCED_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "team": ("name",),
    "release": ("name", "team", "start", "target", "status"),
    "work_item": (
        "title", "team", "release", "type", "status", "category", "points", "created", "resolved",
    ),
    "dependency": ("type", "lag_days"),
}  # fmt: skip
_DAYS: Final = {("release", "start"), ("release", "target")}
_TIMES: Final = {("work_item", "created"), ("work_item", "resolved")}

Fields = dict[str, Any]
Conflict = tuple[str, Any, Any]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def fields_of(entity: str, obj: Any) -> Fields:
    """The synced fields of an object, JSON-ready.

    Examples:
        >>> fields_of("team", Team("PAY", "Payments", "#123456"))
        {'name': 'Payments'}
    """
    return {f: _plain(getattr(obj, f)) for f in SYNCED_FIELDS[entity]}


def _decoded(entity: str, fields: Fields) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if value is not None and (entity, name) in _DAYS:
            out[name] = dt.date.fromisoformat(value)
        elif value is not None and (entity, name) in _TIMES:
            out[name] = dt.datetime.fromisoformat(value)
        else:
            out[name] = value
    return out


def build(entity: str, key: str, fields: Fields, local: Any = None) -> Any:
    """The object ``key`` with ``fields``; local-only parts are kept from ``local``."""
    values = _decoded(entity, {f: fields.get(f) for f in SYNCED_FIELDS[entity]})
    if local is not None:
        return replace(local, **values)
    if entity == "team":
        return Team(key, **values)
    if entity == "release":
        return Release(key, **values)
    if entity == "work_item":
        return WorkItem(key, **values)
    before, after = split_composite(key)
    return Dependency(before, after, **values)


def merge(
    local: Fields | None, remote: Fields, base: Fields | None
) -> tuple[Fields | None, list[Conflict]]:
    """Merge the source's fields into the local ones, given the last synced ones.

    Args:
        local: the object's fields here (None: it is not here).
        remote: the fields at the source now.
        base: the fields as last synced (None: never synced).

    Returns:
        The fields to keep (None: leave the object absent) and the conflicts as
        ``(field, local, remote)``; ``*`` is the whole object.

    Examples:
        >>> merge({"a": 1, "b": 2}, {"a": 5, "b": 3}, {"a": 1, "b": 0})
        ({'a': 5, 'b': 2}, [('b', 2, 3)])
        >>> merge(None, {"a": 1}, None)
        ({'a': 1}, [])
    """
    if local is None:
        if base is None:
            return dict(remote), []
        # Deleted here: stays deleted; a source change since is worth a look.
        return None, ([("*", None, remote)] if remote != base else [])
    if base is None:
        # Linked for the first time: nothing says which side is newer, so keep local values.
        return dict(local), [(f, local.get(f), v) for f, v in remote.items() if local.get(f) != v]
    merged = dict(local)
    conflicts: list[Conflict] = []
    for name, theirs in remote.items():
        ours, was = local.get(name), base.get(name)
        if theirs in (was, ours):
            continue
        if ours == was:
            merged[name] = theirs
        else:
            conflicts.append((name, ours, theirs))
    return merged, conflicts
