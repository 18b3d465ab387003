"""Small builders for planning test plans, straight from the domain dataclasses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from relplan.domain.model import (
    Dependency,
    Environment,
    Freeze,
    Gate,
    Plan,
    Release,
    Stage,
    Train,
    WorkItem,
)

DayLike = dt.date | str | None


def day(value: dt.date | str) -> dt.date:
    """A date from ``YYYY-MM-DD`` (dates pass through)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _opt(value: DayLike) -> dt.date | None:
    return None if value is None else day(value)


def rel(
    key: str,
    start: DayLike = None,
    target: DayLike = None,
    *,
    team: str = "T",
    train: str | None = None,
    status: str = "planned",
    stages: Iterable[Stage] = (),
    gates: Iterable[Gate] = (),
) -> Release:
    """A release; dates as ``YYYY-MM-DD`` strings."""
    return Release(
        key=key,
        name=f"Release {key}",
        team=team,
        train=train,
        start=_opt(start),
        target=_opt(target),
        status=status,
        stages=tuple(stages),
        gates=tuple(gates),
    )


def stage(environment: str, start: DayLike, end: DayLike) -> Stage:
    """A stage window."""
    first, last = _opt(start), _opt(end)
    assert first is not None
    assert last is not None
    return Stage(environment, first, last)


def gate(name: str, status: str = "pending") -> Gate:
    """A manual gate."""
    return Gate(name, status=status)


def freeze(
    name: str,
    start: DayLike,
    end: DayLike,
    *,
    environments: Iterable[str] = (),
    teams: Iterable[str] = (),
) -> Freeze:
    """A freeze window."""
    first, last = _opt(start), _opt(end)
    assert first is not None
    assert last is not None
    return Freeze(name, first, last, tuple(environments), tuple(teams))


def dep(from_ref: str, to_ref: str, type_: str = "FS", lag_days: int = 0) -> Dependency:
    """A dependency; a bare key is read as ``release:KEY``."""
    return Dependency(_ref(from_ref), _ref(to_ref), type_, lag_days)


def _ref(ref: str) -> str:
    return ref if ":" in ref else f"release:{ref}"


def item(key: str, release: str | None = None) -> WorkItem:
    """A work item of a release."""
    return WorkItem(key, f"Item {key}", release=release)


def plan(
    *releases: Release,
    deps: Iterable[Dependency] = (),
    items: Iterable[WorkItem] = (),
    freezes: Iterable[Freeze] = (),
    environments: Iterable[Environment] = (),
    trains: Iterable[Train] = (),
) -> Plan:
    """A plan of these releases and the rest."""
    return Plan(
        releases=releases,
        dependencies=tuple(deps),
        work_items=tuple(items),
        freezes=tuple(freezes),
        environments=tuple(environments),
        trains=tuple(trains),
    )


def four_release_plan() -> Plan:
    """A -FS+2-> B -FF-1-> D and A -SS+1-> C -SF+0-> D (hand-computed in test_schedule)."""
    return plan(
        rel("A", "2026-11-02", "2026-11-06"),  # d=5
        rel("B", "2026-11-05", "2026-11-09"),  # d=5
        rel("C", "2026-11-01", "2026-11-20"),  # d=20
        rel("D", "2026-11-10", "2026-11-12"),  # d=3
        deps=[
            dep("A", "B", "FS", 2),
            dep("A", "C", "SS", 1),
            dep("B", "D", "FF", -1),
            dep("C", "D", "SF", 0),
        ],
    )


def chain_plan() -> Plan:
    """A -FS-> B -SS-> D, C on its own; D is pushed by B already (ES 11-09, planned 11-01)."""
    return plan(
        rel("A", "2026-11-02", "2026-11-06"),
        rel("B", "2026-11-09", "2026-11-13"),
        rel("C", "2026-11-20", "2026-11-22"),
        rel("D", "2026-11-01", "2026-11-30"),
        deps=[dep("A", "B"), dep("B", "D", "SS", 0)],
        freezes=[freeze("Audit", "2026-12-10", "2026-12-12")],
    )
