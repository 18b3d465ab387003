"""Fast readers of the big sections (work items, dependencies, releases with their stages,
milestones and gates, deployments with their changes): plain checks without collecting messages.

They accept exactly what :class:`relplan.domain.codec.Decoder`'s full readers accept without an
issue, and return None for anything else, which the full reader then explains; a large plan
holds 100,000 items, 150,000 dependencies, 2,000 releases and 3,000 deployments. The release and
deployment readers leave the rarer shapes (stage ``steps`` and ``switch``) to the full reader.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any, TypeVar, cast

from relplan.domain import bounds
from relplan.domain.lifecycle_codec import MAX_OFFSET_DAYS
from relplan.domain.model import (
    DEPENDENCY_TYPES,
    DEPLOYMENT_OUTCOMES,
    GATE_KINDS,
    GATE_STATUSES,
    ITEM_CATEGORIES,
    ITEM_PREFIX,
    RELEASE_PREFIX,
    RELEASE_STATUSES,
    STAGE_STRATEGIES,
    Change,
    Dependency,
    Deployment,
    Gate,
    Milestone,
    Release,
    Stage,
    WorkItem,
)

__all__ = [
    "FAST_READERS",
    "KEY_BAD_SEARCH",
    "fast_dependency",
    "fast_deployment",
    "fast_release",
    "fast_work_item",
]

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
T = TypeVar("T")
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


# -- releases and deployments ------------------------------------------------------------------
# Each helper mirrors one FieldReader method; it returns False or None where that method records
# an issue (and where an edge case is easier left to it).
_RELEASE_KEYS = frozenset(
    (
        "key",
        "name",
        "team",
        "train",
        "start",
        "target",
        "status",
        "stages",
        "milestones",
        "gates",
        "monitoring_days",
    )
)
_STAGE_KEYS = frozenset(("environment", "start", "end", "strategy"))  # no steps nor switch
_MILESTONE_KEYS = frozenset(("name", "date"))
_GATE_KEYS = frozenset(
    ("name", "environment", "kind", "approvers", "status", "decided_by", "decided_at", "comment")
)
_DEPLOYMENT_KEYS = frozenset(
    ("release", "environment", "started", "finished", "outcome", "restored", "changes", "incident")
)
_CHANGE_KEYS = frozenset(("id", "committed"))
_TEXT_PROBLEM = bounds.text_problem
_MIN_DAY, _MAX_DAY = bounds.MIN_DAY, bounds.MAX_DAY


def _is_name(value: object) -> bool:
    """What ``FieldReader.text`` accepts (not ``stored``): ``bounds.name_problem``, inline."""
    return (
        type(value) is str
        and len(value) <= bounds.MAX_NAME_LENGTH
        and bool(value.strip())
        and _CONTROL_SEARCH(value) is None
    )


def _is_key(value: object) -> bool:
    """What ``FieldReader.key`` accepts (not ``stored``)."""
    return type(value) is str and bool(value.strip()) and bounds.key_problem(value) is None


def _is_approver(value: object) -> bool:
    """What ``FieldReader.strings`` accepts in its list (an empty text too)."""
    return (
        type(value) is str and len(value) <= bounds.MAX_NAME_LENGTH and not _CONTROL_SEARCH(value)
    )


def _is_opt_text(value: object) -> bool:
    """What ``FieldReader.opt_text`` accepts."""
    return value is None or (type(value) is str and _TEXT_PROBLEM(value) is None)


def _day(value: object) -> dt.date | None:
    """The day ``FieldReader.date`` reads from a present ``value``, or None if it refuses it."""
    if type(value) is not str or len(value) != 10:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if _MIN_DAY <= day <= _MAX_DAY else None


def _time(value: object) -> dt.datetime | None:
    """The time ``FieldReader.time`` reads from a present ``value``, or None if it refuses it
    (or if it falls in the first or last year, where the offset decides: the full reader's)."""
    if type(value) is not str:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None and 1900 < parsed.year < 2199 else None


def _list(value: object) -> list[Any] | None:
    """What ``FieldReader.items`` walks (null: nothing), or None if it refuses ``value``."""
    if value is None:
        return []
    return value if type(value) is list else None


def _each(read: Callable[[object], T | None], values: list[Any]) -> tuple[T, ...] | None:
    """Each of ``values`` read, or None if one is refused."""
    out = tuple(map(read, values))
    # The domain objects are always true (no __bool__ nor __len__): all() finds a None.
    return cast("tuple[T, ...]", out) if all(out) else None


def _stage(value: object) -> Stage | None:
    if type(value) is not dict or not value.keys() <= _STAGE_KEYS:
        return None
    g = value.get
    environment, strategy = g("environment"), g("strategy", "big_bang")
    start, end = _day(g("start")), _day(g("end"))
    if (
        start is None
        or end is None
        or start > end
        or strategy not in STAGE_STRATEGIES
        or not _is_name(environment)
    ):
        return None
    return Stage(str(environment), start, end, str(strategy))


def _milestone(value: object) -> Milestone | None:
    if type(value) is not dict or not value.keys() <= _MILESTONE_KEYS:
        return None
    name, day = value.get("name"), _day(value.get("date"))
    if day is None or not _is_name(name):
        return None
    return Milestone(str(name), day)


def _gate(value: object) -> Gate | None:
    if type(value) is not dict or not value.keys() <= _GATE_KEYS:
        return None
    g = value.get
    name, environment, kind = g("name"), g("environment"), g("kind", "manual")
    approvers, status = g("approvers", []), g("status", "pending")
    decided_by, decided_at, comment = g("decided_by"), g("decided_at"), g("comment")
    at = None if decided_at is None else _time(decided_at)
    if not (
        _is_name(name)
        and _is_opt_text(environment)
        and kind in GATE_KINDS
        and type(approvers) is list
        and all(map(_is_approver, approvers))
        and status in GATE_STATUSES
        and _is_opt_text(decided_by)
        and (decided_at is None or at is not None)
        and _is_opt_text(comment)
    ):
        return None
    return Gate(
        str(name), environment, str(kind), tuple(approvers), str(status), decided_by, at, comment
    )


def fast_release(value: object) -> Release | None:
    """A release with its stages, milestones and gates, or None (see the module)."""
    if type(value) is not dict or not value.keys() <= _RELEASE_KEYS:
        return None
    g = value.get
    key, name, team, train = g("key"), g("name"), g("team"), g("train")
    status, monitoring = g("status", "planned"), g("monitoring_days", 0)
    start_text, target_text = g("start"), g("target")
    start = None if start_text is None else _day(start_text)
    target = None if target_text is None else _day(target_text)
    if not (
        (start_text is None or start is not None)
        and (target_text is None or target is not None)
        and (start is None or target is None or start <= target)
        and _is_key(key)
        and _is_name(name)
        and _is_key(team)
        and _is_opt_text(train)
        and status in RELEASE_STATUSES
        and type(monitoring) is int
        and 0 <= monitoring <= MAX_OFFSET_DAYS
    ):
        return None
    stage_values, milestone_values = _list(g("stages", [])), _list(g("milestones", []))
    gate_values = _list(g("gates", []))
    if stage_values is None or milestone_values is None or gate_values is None:
        return None
    stages, milestones = _each(_stage, stage_values), _each(_milestone, milestone_values)
    gates = _each(_gate, gate_values)
    if stages is None or milestones is None or gates is None:
        return None
    return Release(
        str(key),
        str(name),
        str(team),
        train,
        start,
        target,
        str(status),
        stages,
        milestones,
        gates,
        monitoring,
    )


def _change(value: object) -> Change | None:
    if type(value) is not dict or not value.keys() <= _CHANGE_KEYS:
        return None
    id_, committed_text = value.get("id"), value.get("committed")
    committed = None if committed_text is None else _time(committed_text)
    if (committed_text is not None and committed is None) or not _is_name(id_):
        return None
    return Change(str(id_), committed)


def fast_deployment(value: object) -> Deployment | None:
    """A deployment with its changes, or None (see the module)."""
    if type(value) is not dict or not value.keys() <= _DEPLOYMENT_KEYS:
        return None
    g = value.get
    release, environment, incident = g("release"), g("environment"), g("incident")
    outcome = g("outcome", "succeeded")
    started_text, restored_text = g("started"), g("restored")
    started = None if started_text is None else _time(started_text)
    restored = None if restored_text is None else _time(restored_text)
    finished = _time(g("finished"))
    if not (
        finished is not None
        and (started_text is None or started is not None)
        and (restored_text is None or restored is not None)
        and outcome in DEPLOYMENT_OUTCOMES
        and (started is None or finished >= started)
        and (restored is None or (outcome != "succeeded" and restored >= finished))
        and _is_name(release)
        and _is_name(environment)
        and _is_opt_text(incident)
    ):
        return None
    change_values = _list(g("changes", []))
    if change_values is None:
        return None
    changes = _each(_change, change_values)
    if changes is None:
        return None
    return Deployment(
        str(release),
        str(environment),
        started,
        finished,
        str(outcome),
        restored,
        changes,
        incident,
    )


#: Readers that skip message bookkeeping, per workspace section; None means "ask the full reader".
FAST_READERS: dict[str, Callable[[object], Any]] = {
    "work_items": fast_work_item,
    "dependencies": fast_dependency,
    "releases": fast_release,
    "deployments": fast_deployment,
}
