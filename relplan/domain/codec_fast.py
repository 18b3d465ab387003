"""Fast readers of the two big sections, work items and dependencies: plain checks without
collecting messages.

They accept exactly what :class:`relplan.domain.codec.Decoder`'s full readers accept without an
issue, and return None for anything else, which the full reader then explains; a large plan
holds 100,000 items and 150,000 dependencies.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from relplan.domain import bounds
from relplan.domain.model import (
    DEPENDENCY_TYPES,
    ITEM_CATEGORIES,
    ITEM_PREFIX,
    RELEASE_PREFIX,
    Dependency,
    WorkItem,
)

__all__ = ["FAST_READERS", "KEY_BAD_SEARCH", "fast_dependency", "fast_work_item"]

_ITEM_KEYS = frozenset(
    (
        "key",
        "title",
        "team",
        "release",
        "type",
        "status",
        "category",
        "points",
        "created",
        "resolved",
    )
)
_DEP_KEYS = frozenset(("from", "to", "type", "lag_days"))
_REF_PREFIXES = (RELEASE_PREFIX, ITEM_PREFIX)
# What no key may hold anywhere (with no space at either end, this is bounds.KEY_PATTERN).
KEY_BAD_SEARCH = re.compile(r"[|\x00-\x1f\x7f-\x9f\ud800-\udfff]|->").search
_CONTROL_SEARCH = bounds.CONTROL_PATTERN.search
_SURROGATE_SEARCH = bounds.SURROGATE_PATTERN.search


def _fast_time(value: object) -> tuple[bool, dt.datetime | None]:
    if value is None:
        return True, None
    if type(value) is not str:
        return False, None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return False, None
    # Years 1901..2198 are inside the bounds whatever the offset; the edges take the full check.
    return parsed.tzinfo is not None and 1900 < parsed.year < 2199, parsed


def fast_work_item(value: object) -> WorkItem | None:
    if type(value) is not dict or not value.keys() <= _ITEM_KEYS:
        return None
    g = value.get
    key, title, team, release = g("key"), g("title"), g("team"), g("release")
    type_, status, category, points = g("type"), g("status"), g("category", "todo"), g("points")
    # Inline checks (not helper calls): this runs for each of up to 100,000 items. A team or
    # release that breaks a bound cannot match a (bounded) key, so the reference check refuses it.
    if not (
        type(key) is str
        and type(title) is str
        and 0 < len(key) <= bounds.MAX_KEY_LENGTH
        and len(title) <= bounds.MAX_NAME_LENGTH
        and (team is None or type(team) is str)
        and (release is None or type(release) is str)
        and (type_ is None or (type(type_) is str and len(type_) <= bounds.MAX_TEXT_LENGTH))
        and (status is None or (type(status) is str and len(status) <= bounds.MAX_TEXT_LENGTH))
        and category in ITEM_CATEGORIES
        and (points is None or (type(points) in (int, float) and 0 <= points <= bounds.MAX_POINTS))
        and KEY_BAD_SEARCH(key) is None
        and not key[0].isspace()
        and not key[-1].isspace()
        and _CONTROL_SEARCH(title) is None
        and title.strip()
        and (
            (type_ is None and status is None)
            or _SURROGATE_SEARCH(f"{type_ or ''}{status or ''}") is None
        )
    ):
        return None
    ok_created, created = _fast_time(g("created"))
    ok_resolved, resolved = _fast_time(g("resolved"))
    if not (ok_created and ok_resolved):
        return None
    return WorkItem(
        str(key),
        str(title),
        team,
        release,
        type_ or "Story",
        status or "To Do",
        category,
        None if points is None else float(points),
        created,
        resolved,
    )


def _is_ref(value: object) -> bool:
    return (
        type(value) is str
        and value.startswith(_REF_PREFIXES)
        and value not in _REF_PREFIXES
        and bool(value.strip())
    )  # no bound checks: an end must name a (bounded) key, which the reference check verifies


def fast_dependency(value: object) -> Dependency | None:
    if type(value) is not dict or not value.keys() <= _DEP_KEYS:
        return None
    from_ref, to_ref = value.get("from"), value.get("to")
    type_, lag = value.get("type", "FS"), value.get("lag_days", 0)
    if (
        _is_ref(from_ref)
        and _is_ref(to_ref)
        and from_ref != to_ref
        and type_ in DEPENDENCY_TYPES
        and type(lag) is int
        and -bounds.MAX_LAG_DAYS <= lag <= bounds.MAX_LAG_DAYS
    ):
        return Dependency(str(from_ref), str(to_ref), str(type_), lag)
    return None


#: Readers that skip message bookkeeping, per workspace section; None means "ask the full reader".
FAST_READERS: dict[str, Callable[[object], Any]] = {
    "work_items": fast_work_item,
    "dependencies": fast_dependency,
}
