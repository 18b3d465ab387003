"""What pulled deployments give DORA, computed without building an object per commit.

:func:`pulled_facts` applies exactly the rules of :func:`relplan.metrics.delivery.derive` (the
spec's ``relplan metrics``, amended 2026-12-04), but gives one small :class:`PulledFacts` per
Production deployment with its lead times in hours, instead of a
:class:`~relplan.domain.model.Deployment` with a :class:`~relplan.domain.model.Change` per
commit. With 20,000 deployments and 100,000 commits that difference is most of the cost of
``relplan metrics``: commits are read as the stored JSON rows, only for the Production streams,
and their messages are looked at only when some counted incident could be named by them.

It also tells where the data is thin, for the data-quality notes on every figure: links to
releases that were only inferred, deployments linked to no release, deployments whose source
listed no commits, and incidents that name no deployment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from relplan.metrics.delivery import (
    PulledDeployment,
    PulledIncident,
    _names,
    link_incidents,
    outcome_of,
)

__all__ = [
    "IncidentFacts",
    "LightDeployment",
    "Pulled",
    "PulledFacts",
    "load_pulled",
    "pulled_facts",
]

#: One commit as stored: ``[sha, committed (ISO text or None), message]``.
CommitRow = Sequence[Any]
_HOUR = 3600.0
_NO_LEAD: tuple[list[float], int, int] = ([], 0, 0)


class PulledFacts(NamedTuple):
    """What one pulled Production deployment contributes to DORA.

    Attributes:
        source: Its connection.
        source_id: Its id at the source.
        release: The release it is linked to, if any.
        link: ``explicit``, ``inferred``, ``override`` or ``""``.
        finished: When it finished.
        outcome: ``succeeded`` or ``failed``.
        lead_hours: Deploy finish − commit time of each change it counts, where positive.
        non_positive: Its changes whose lead time is zero or less (DORA leaves them out).
        untimed: Changes it counts that have no commit time.
        commits: How many commits its source listed (0: "without commits").
        restored: When the incidents that name it were all resolved.
        incident: The first incident that names it (it then counts as failed).
        rework: Whether it was caused by a production incident.
    """

    source: str
    source_id: str
    release: str | None
    link: str
    finished: dt.datetime
    outcome: str
    lead_hours: tuple[float, ...]
    non_positive: int
    untimed: int
    commits: int
    restored: dt.datetime | None
    incident: str | None
    rework: bool


class IncidentFacts(NamedTuple):
    """An incident and how it is tied to a deployment.

    Attributes:
        created: When it started.
        team: The team of its service.
        provenance: ``named`` (counted), ``suggested`` (shown, never counted) or ``none``.
        release: The release of the deployment it is tied to (named or suggested), if any.
    """

    created: dt.datetime
    team: str
    provenance: str
    release: str | None


@dataclass(frozen=True, slots=True)
class Pulled:
    """Everything pulled from delivery tools that DORA reads."""

    deployments: tuple[PulledFacts, ...] = ()
    incidents: tuple[IncidentFacts, ...] = ()


class LightDeployment(NamedTuple):
    """A stored deployment as the rules read it: no commits, no start (a tuple: cheap)."""

    source: str
    kind: str
    source_id: str
    environment: str
    production: bool
    sha: str
    ref: str
    statuses: tuple[str, ...]
    finished: dt.datetime | None
    team: str
    release: str | None
    link: str
    url: str


Dep = PulledDeployment | LightDeployment


def _full(dep: Dep) -> PulledDeployment:
    if isinstance(dep, PulledDeployment):
        return dep
    return PulledDeployment(**dep._asdict())


def _stored_rows(dep: Dep) -> list[tuple[str, str | None, str]]:
    """A deployment's commits as the store keeps them (times as ISO text)."""
    return [
        (c.sha, None if c.committed is None else c.committed.isoformat(), c.message)
        for c in _full(dep).commits
    ]


def pulled_facts(
    deployments: Iterable[Dep],
    incidents: Sequence[PulledIncident] = (),
    commits_of: Callable[[Dep], Sequence[CommitRow]] | None = None,
    counts: Mapping[tuple[str, str], int] | None = None,
) -> Pulled:
    """The facts of the Production deployments by the spec's rules, oldest first.

    Args:
        deployments: Every pulled deployment; their ``commits`` may be left empty when
            ``commits_of`` gives them.
        incidents: Every pulled incident.
        commits_of: A deployment's commits as rows (by default its ``commits``); asked only for
            successful deployments of streams (source, environment) with Production ones.
        counts: How many commits each deployment lists, by ``(source, id)`` (by default
            counted from ``commits_of``).
    """
    outcomes: dict[tuple[str, tuple[str, ...]], str | None] = {}
    real: list[tuple[Dep, str]] = []
    for dep in deployments:
        if dep.finished is None:
            continue
        memo = (dep.kind, dep.statuses)
        if memo not in outcomes:
            outcomes[memo] = outcome_of(dep.kind, dep.statuses)
        outcome = outcomes[memo]
        if outcome is not None:
            real.append((dep, outcome))
    real.sort(key=lambda p: (p[0].finished, p[0].source, p[0].source_id))
    production_streams = {(d.source, d.environment) for d, _ in real if d.production}
    rows_of = commits_of or _stored_rows

    # One pass per commit: which changes count (not shipped before in the stream) and their
    # lead times, as epoch seconds (the hot loop of the whole command).
    parse = dt.datetime.fromisoformat
    shipped: dict[tuple[str, str], set[str]] = {}
    leads: dict[tuple[str, str], tuple[list[float], int, int]] = {}
    listed: dict[tuple[str, str], Sequence[CommitRow]] = {}
    for dep, outcome in real:
        stream = (dep.source, dep.environment)
        if outcome != "succeeded" or stream not in production_streams:
            continue
        assert dep.finished is not None
        rows = rows_of(dep)
        key = (dep.source, dep.source_id)
        listed[key] = rows
        seen = shipped.get(stream)
        if seen is None:
            shipped[stream] = {dep.sha, *(r[0] for r in rows)}
            continue
        if dep.sha not in seen:
            # Commits already shipped (a rollback's compare) never count twice either.
            end = dep.finished.timestamp()
            positive: list[float] = []
            other = untimed = 0
            for sha, when, _message in rows:
                if sha in seen:
                    continue
                if when is None:
                    untimed += 1
                    continue
                hours = (end - parse(when).timestamp()) / _HOUR
                if hours > 0:
                    positive.append(hours)
                else:
                    other += 1
            leads[key] = (positive, other, untimed)
        seen.add(dep.sha)
        seen.update([r[0] for r in rows])

    by_key = {(d.source, d.source_id): d for d, _ in real} if incidents else {}
    named: dict[tuple[str, str], list[PulledIncident]] = {}
    counted: list[tuple[PulledIncident, Dep]] = []
    incident_facts = []
    links = link_incidents([_full(d) for d, _ in real], incidents) if incidents else []
    for link in links:
        target = by_key.get(link.deployment) if link.deployment is not None else None
        if link.provenance == "named" and target is not None:
            named.setdefault(link.deployment, []).append(link.incident)  # type: ignore[arg-type]
            counted.append((link.incident, target))
        provenance = link.provenance if target is not None else "none"
        release = target.release if target is not None else None
        incident_facts.append(
            IncidentFacts(link.incident.created, link.incident.team, provenance, release)
        )

    out = []
    for dep, outcome in real:
        if not dep.production:
            continue
        assert dep.finished is not None
        key = (dep.source, dep.source_id)
        positive, non_positive, untimed = leads.get(key, _NO_LEAD)
        mine = named.get(key, [])
        incident, restored = None, None
        if mine:
            first = min(mine, key=lambda i: i.created)
            incident = first.keys[0] if first.keys else first.source_id
            resolved = [i.resolved for i in mine if i.resolved is not None]
            restored = max(resolved) if resolved and len(resolved) == len(mine) else None
        rework = bool(counted) and _rework(dep, counted, listed.get(key), rows_of)
        if key in listed:
            n_commits = len(listed[key])
        elif counts is not None:
            n_commits = counts.get(key, 0)
        else:
            n_commits = len(rows_of(dep))
        out.append(
            PulledFacts(
                dep.source, dep.source_id, dep.release, dep.link, dep.finished, outcome,
                tuple(positive), non_positive, untimed, n_commits, restored, incident, rework,
            )
        )  # fmt: skip
    return Pulled(tuple(out), tuple(incident_facts))


def _rework(
    dep: Dep,
    counted: Sequence[tuple[PulledIncident, Dep]],
    rows: Sequence[CommitRow] | None,
    rows_of: Callable[[Dep], Sequence[CommitRow]],
) -> bool:
    """Whether ``dep`` names an incident tied to an earlier deployment (ref or messages)."""
    assert dep.finished is not None
    earlier = [
        i for i, cause in counted if cause.finished is not None and cause.finished < dep.finished
    ]
    if not earlier:
        return False
    messages = [str(r[2]) for r in (rows if rows is not None else rows_of(dep))]
    text = " ".join([dep.ref, *messages])
    return any(_names(text, k) for incident in earlier for k in incident.keys)


def load_pulled(conn: Any) -> Pulled:
    """:func:`pulled_facts` over a workspace's stored deployments and incidents.

    One query reads the deployments as tuples, with the commits of Production ones as JSON
    text, parsed only for the deployments the rules look at.
    """
    import json

    from relplan.store import delivery

    text: dict[tuple[str, str], str] = {}
    deployments = []
    parse = dt.datetime.fromisoformat
    said: dict[str, tuple[str, ...]] = {}  # a few distinct status lists, parsed once each
    decode = json.JSONDecoder().raw_decode
    # No json_array_length(commits) here: it scans every row's JSON (a tenth of the command);
    # only Production deployments are counted, and their commits are read anyway.
    for row in conn.execute(
        "SELECT connection, kind, source_id, environment, production, sha, ref, statuses,"
        " finished, team, release, link, url, CASE WHEN production = 1 THEN commits END"
        " FROM delivery_deployments WHERE finished IS NOT NULL"
    ):
        statuses = said.get(row[7])
        if statuses is None:
            statuses = said[row[7]] = tuple(decode(row[7])[0])
        if row[13] is not None:
            text[(row[0], row[2])] = row[13]
        deployments.append(
            LightDeployment(
                row[0], row[1], row[2], row[3], bool(row[4]), row[5], row[6], statuses,
                parse(row[8]), row[9], row[10], row[11], row[12],
            )
        )  # fmt: skip
    if not deployments:
        return Pulled()

    def commits_of(dep: Dep) -> Sequence[CommitRow]:
        found = text.get((dep.source, dep.source_id))
        rows: Sequence[CommitRow] = decode(found)[0] if found else []
        return rows

    return pulled_facts(deployments, delivery.load_incidents(conn), commits_of)
