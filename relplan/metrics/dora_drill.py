"""What is behind one week of the DORA chart: its deployments, their changes, its incidents.

Clicking a week on the Dashboard's DORA chart lists these (issue #15); :func:`week_behind` reads
them from a workspace by the same rules as the figures: Production deployments finished on the
week's days (in the planning zone), of the filter's team or train, pulled ones with their outcome,
release link and commits (each with the work items it names), typed or imported ones with their
changes; and the incidents created on those days, ``named`` (counted) or ``suggested``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from relplan.metrics.delivery import IncidentLink, link_incidents
from relplan.metrics.scope import Window, releases_in_scope
from relplan.metrics.trace import items_named

if TYPE_CHECKING:
    from relplan.store.workspace import Workspace

__all__ = ["WeekBehind", "WeekChange", "WeekDeployment", "week_behind"]


@dataclass(frozen=True, slots=True)
class WeekDeployment:
    """A Production deployment of the week.

    Attributes:
        ident: ``CONNECTION:ID`` for a pulled one, else ``release@finished``.
        release: Its release (None: linked to none).
        link: How it is linked: explicit, inferred, override, none, or ``typed``.
        outcome: succeeded, failed, rolled_back.
        finished: When it finished.
        changes: How many commits it lists.
    """

    ident: str
    release: str | None
    link: str
    outcome: str
    finished: dt.datetime
    changes: int


@dataclass(frozen=True, slots=True)
class WeekChange:
    """A commit shipped by one of the week's deployments, with the work items it names."""

    sha: str
    committed: dt.datetime | None
    message: str
    items: tuple[str, ...]
    deployment: str


@dataclass(frozen=True, slots=True)
class WeekBehind:
    """The deployments, changes and incidents behind one bucket of the DORA chart."""

    window: Window
    deployments: tuple[WeekDeployment, ...]
    changes: tuple[WeekChange, ...]
    incidents: tuple[IncidentLink, ...]


def week_behind(
    ws: Workspace, window: Window, *, team: str | None = None, train: str | None = None
) -> WeekBehind:
    """The deployments, changes and incidents of ``window`` (a week of the chart).

    Raises:
        UnknownObjectError: ``team`` or ``train`` is not in the plan.
    """
    from relplan.domain.zone import plan_zone
    from relplan.metrics.dora import is_production
    from relplan.store import delivery

    plan = ws.release_plan()
    zone = plan_zone(plan)
    scope = None
    if team is not None or train is not None:
        scope = set(releases_in_scope(plan, team=team, train=train))
    start = dt.datetime.combine(window.start, dt.time(), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(window.end + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)

    def in_week(when: dt.datetime | None) -> bool:
        return when is not None and window.start <= when.astimezone(zone).date() <= window.end

    # SQLite narrows by time (julianday reads the offsets); the zone's days decide.
    pulled = delivery.select_deployments(
        ws.conn,
        "production = 1 AND julianday(finished) >= julianday(?) - 1"
        " AND julianday(finished) < julianday(?) + 1",
        (start.isoformat(), end.isoformat()),
    )
    keys = {str(r[0]) for r in ws.conn.execute("SELECT key FROM work_items")}
    longest = max((len(k) for k in keys), default=0)
    deployments: list[WeekDeployment] = []
    changes: list[WeekChange] = []
    for dep in pulled:
        outcome = dep.outcome
        if outcome is None or not in_week(dep.finished) or (scope and dep.release not in scope):
            continue
        assert dep.finished is not None
        ident = f"{dep.source}:{dep.source_id}"
        deployments.append(
            WeekDeployment(ident, dep.release, dep.link or "none", outcome, dep.finished,
                           len(dep.commits))
        )  # fmt: skip
        changes.extend(
            WeekChange(c.sha, c.committed, c.message, items_named(c.message, keys, longest), ident)
            for c in dep.commits
        )
    for typed in ws.deployments():
        if not is_production(typed.environment) or not in_week(typed.finished):
            continue
        if scope is not None and typed.release not in scope:
            continue
        ident = f"{typed.release}@{typed.finished.isoformat()}"
        deployments.append(
            WeekDeployment(ident, typed.release, "typed", typed.outcome, typed.finished,
                           len(typed.changes))
        )  # fmt: skip
        changes.extend(WeekChange(c.id, c.committed, "", (), ident) for c in typed.changes)
    incidents = [
        i
        for i in delivery.load_incidents(ws.conn)
        if in_week(i.created) and (team is None or i.team == team)
    ]
    links: list[IncidentLink] = []
    if incidents:
        everything = delivery.load_deployments(ws.conn, commits=False)
        links = link_incidents(everything, incidents)
    deployments.sort(key=lambda d: (d.finished, d.ident))
    return WeekBehind(window, tuple(deployments), tuple(changes), tuple(links))
