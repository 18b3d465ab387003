"""What changed in a workspace since a day, read from its audit log.

The audit log keeps, per command, the object before and after each edit (a release as its
workspace-JSON object, gates included). Dates moved, gates decided and releases shipped are read
from the release rows; the releases as they were at the start of the window are rebuilt from the
first row after it of each release, so that the problems of then and now can be compared.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from relplan.domain.model import Release
from relplan.store.entities import TABLES

__all__ = [
    "AuditChanges",
    "DateMove",
    "GateDecision",
    "Shipped",
    "read_changes",
    "window_start",
]

_SHIPPED = "released"


@dataclass(frozen=True, slots=True)
class DateMove:
    """A release's start or target moved by one command.

    Attributes:
        release: The release key.
        field: ``start`` or ``target``.
        before: The day before the command (None: none was set).
        after: The day after it (None: cleared).
        days: ``after - before`` in days (0 when either is missing).
        who: Who ran the command.
        at: When (aware, UTC).
        label: The command's label (``Shift PAY-2026.12 by 3 days``).
    """

    release: str
    field: str
    before: dt.date | None
    after: dt.date | None
    days: int
    who: str
    at: dt.datetime
    label: str


@dataclass(frozen=True, slots=True)
class GateDecision:
    """A gate's status changed to a decision (approved or rejected) by one command."""

    release: str
    gate: str
    status: str
    who: str
    at: dt.datetime
    label: str


@dataclass(frozen=True, slots=True)
class Shipped:
    """A release whose status became ``released`` by one command."""

    release: str
    who: str
    at: dt.datetime
    label: str


@dataclass(frozen=True, slots=True)
class AuditChanges:
    """What the audit log says happened since ``since``.

    Attributes:
        since: The first instant looked at (aware, UTC).
        commands: How many commands (done, undone or redone) the window holds.
        moves: Dates moved, oldest first.
        gates: Gates decided, oldest first.
        shipped: Releases shipped, oldest first.
        releases_then: Per release touched in the window, the release as it was at ``since``
            (None: it did not exist yet).
    """

    since: dt.datetime
    commands: int
    moves: tuple[DateMove, ...]
    gates: tuple[GateDecision, ...]
    shipped: tuple[Shipped, ...]
    releases_then: Mapping[str, Release | None]


def window_start(day: dt.date, zone: str) -> dt.datetime:
    """Midnight at the start of ``day`` in the planning zone, in UTC."""
    return dt.datetime.combine(day, dt.time(), ZoneInfo(zone)).astimezone(dt.UTC)


def _release_rows(
    conn: sqlite3.Connection, since: dt.datetime
) -> Iterator[tuple[str, str, str, str, Any, Any]]:
    """``(label, at, who, key, before, after)`` of each release edit from ``since`` on, in order;
    batched rows are split into their edits."""
    rows = conn.execute(
        "SELECT c.label, a.at, a.who, a.key, a.before, a.after, a.batch FROM audit_log a "
        "JOIN commands c ON c.id = a.command WHERE a.entity = 'release' AND a.at >= ? "
        "ORDER BY a.id",
        (since.isoformat(timespec="seconds"),),
    )
    for label, at, who, key, before, after, batch in rows:
        if batch:
            keys = json.loads(key)
            befores = json.loads(before) if before else [None] * len(keys)
            afters = json.loads(after) if after else [None] * len(keys)
            yield from (
                (label, at, who, k, b, a) for k, b, a in zip(keys, befores, afters, strict=True)
            )
        else:
            yield (
                label,
                at,
                who,
                key,
                None if before is None else json.loads(before),
                None if after is None else json.loads(after),
            )


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


def _gate_statuses(data: Any) -> dict[str, str]:
    if not isinstance(data, dict):
        return {}
    return {g.get("name", ""): g.get("status", "pending") for g in data.get("gates") or ()}


def read_changes(conn: sqlite3.Connection, since: dt.datetime) -> AuditChanges:
    """Read the release changes of the audit log from ``since`` (aware) on.

    Undone commands show as two rows (the change and its reversal), as they happened.
    """
    moves: list[DateMove] = []
    gates: list[GateDecision] = []
    shipped: list[Shipped] = []
    then: dict[str, Release | None] = {}
    for label, at_text, who, key, before, after in _release_rows(conn, since):
        at = dt.datetime.fromisoformat(at_text)
        if key not in then:
            then[key] = None if before is None else TABLES["release"].from_audit_value(before)
        if before is None or after is None:
            continue
        for name in ("start", "target"):
            old, new = _day(before.get(name)), _day(after.get(name))
            if old != new:
                days = (new - old).days if old is not None and new is not None else 0
                moves.append(DateMove(key, name, old, new, days, who, at, label))
        old_gates = _gate_statuses(before)
        for gate, status in _gate_statuses(after).items():
            if status in ("approved", "rejected") and old_gates.get(gate) != status:
                gates.append(GateDecision(key, gate, status, who, at, label))
        if after.get("status") == _SHIPPED and before.get("status") != _SHIPPED:
            shipped.append(Shipped(key, who, at, label))
    (commands,) = conn.execute(
        "SELECT count(DISTINCT command) FROM audit_log WHERE at >= ?",
        (since.isoformat(timespec="seconds"),),
    ).fetchone()
    return AuditChanges(since, int(commands), tuple(moves), tuple(gates), tuple(shipped), then)
