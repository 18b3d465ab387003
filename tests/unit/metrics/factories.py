"""Small plans for the readiness, metrics and chart tests, straight from the domain dataclasses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from relplan.domain.model import (
    Change,
    Dependency,
    Deployment,
    Environment,
    Gate,
    Plan,
    Release,
    Stage,
    Team,
    Train,
    WorkItem,
)

TODAY = dt.date(2026, 11, 30)  # a Monday


def day(text: str) -> dt.date:
    """A date from ``YYYY-MM-DD``."""
    return dt.date.fromisoformat(text)


def at(text: str) -> dt.datetime:
    """An aware time from ISO 8601 (``Z`` allowed); a bare day means 12:00 UTC."""
    if len(text) == 10:
        text += "T12:00:00Z"
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def rel(
    key: str,
    *,
    team: str = "PAY",
    train: str | None = None,
    start: str | None = "2026-10-01",
    target: str | None = "2026-12-31",
    status: str = "planned",
    gates: Iterable[str] = (),
    stages: Iterable[tuple[str, str, str]] = (),
) -> Release:
    """A release; ``gates`` are statuses, ``stages`` are (environment, start, end)."""
    return Release(
        key,
        f"Release {key}",
        team,
        train,
        None if start is None else day(start),
        None if target is None else day(target),
        status,
        tuple(Stage(env, day(a), day(b)) for env, a, b in stages),
        (),
        tuple(Gate(f"G{i}", status=s) for i, s in enumerate(gates)),
    )


def item(
    key: str,
    release: str | None,
    category: str = "todo",
    *,
    points: float | None = None,
    team: str | None = None,
    created: str | None = None,
    resolved: str | None = None,
) -> WorkItem:
    """A work item; times as for :func:`at`."""
    return WorkItem(
        key,
        f"Item {key}",
        team,
        release,
        category=category,
        points=points,
        created=None if created is None else at(created),
        resolved=None if resolved is None else at(resolved),
    )


def done_items(
    prefix: str, team: str, per_week: Iterable[int], *, today: dt.date = TODAY
) -> list[WorkItem]:
    """Done items of ``team`` (no release) resolved so that week k back has ``per_week[k]``.

    ``per_week`` lists the counts from the latest week back; each item is resolved at noon
    UTC on the last day of its week.
    """
    out = []
    for k, count in enumerate(per_week):
        when = dt.datetime.combine(today - dt.timedelta(days=7 * k), dt.time(12), dt.UTC)
        for n in range(count):
            out.append(
                WorkItem(f"{prefix}-{k}-{n}", "done", team, None, category="done", resolved=when)
            )
    return out


def dep(frm: str, to: str) -> Dependency:
    """A FS dependency between two refs."""
    return Dependency(frm, to)


def deploy(
    release: str,
    finished: str,
    outcome: str = "succeeded",
    *,
    environment: str = "Production",
    restored: str | None = None,
    changes: Iterable[tuple[str, str | None]] = (),
    incident: str | None = None,
) -> Deployment:
    """A deployment; ``changes`` are (id, committed)."""
    return Deployment(
        release,
        environment,
        None,
        at(finished),
        outcome,
        None if restored is None else at(restored),
        tuple(Change(i, None if c is None else at(c)) for i, c in changes),
        incident,
    )


def plan(
    releases: Iterable[Release] = (),
    items: Iterable[WorkItem] = (),
    deps: Iterable[Dependency] = (),
    deployments: Iterable[Deployment] = (),
    *,
    teams: Iterable[str] = ("PAY", "WEB"),
    trains: Iterable[str] = ("Q4",),
    environments: Iterable[tuple[str, int]] = (("Staging", 1), ("Production", 1)),
    timezone: str = "UTC",
) -> Plan:
    """A plan of these parts."""
    return Plan(
        timezone=timezone,
        teams=tuple(Team(t, t) for t in teams),
        environments=tuple(Environment(n, i, c) for i, (n, c) in enumerate(environments)),
        trains=tuple(Train(t, t) for t in trains),
        releases=tuple(releases),
        work_items=tuple(items),
        dependencies=tuple(deps),
        deployments=tuple(deployments),
    )
