"""Reading and writing the deployments and incidents pulled from delivery tools.

Rows are keyed by ``(connection, source_id)``: a source that rewrites a record later (GitHub
marks old deployments ``inactive``, GitLab fills in times, PagerDuty resolves an incident)
replaces the row, never adds a second one. Writes happen inside the caller's transaction, so a
pull is all-or-nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable

from relplan.metrics.delivery import PulledCommit, PulledDeployment, PulledIncident

__all__ = ["load_deployments", "load_incidents", "save_deployments", "save_incidents"]


def _time(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def save_deployments(conn: sqlite3.Connection, deployments: Iterable[PulledDeployment]) -> int:
    """Insert or replace pulled deployments; how many were written."""
    rows = [
        (
            d.source,
            d.source_id,
            d.kind,
            d.environment,
            int(d.production),
            d.sha,
            d.ref,
            json.dumps(list(d.statuses)),
            _time(d.started),
            _time(d.finished),
            json.dumps([[c.sha, _time(c.committed), c.message] for c in d.commits]),
            d.team,
            d.release,
            d.link,
            d.url,
        )
        for d in deployments
    ]
    conn.executemany(
        "INSERT OR REPLACE INTO delivery_deployments (connection, source_id, kind, environment,"
        " production, sha, ref, statuses, started, finished, commits, team, release, link, url)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return len(rows)


def load_deployments(
    conn: sqlite3.Connection, connection: str | None = None
) -> tuple[PulledDeployment, ...]:
    """Every pulled deployment (of one connection), oldest finish first."""
    sql = (
        "SELECT connection, source_id, kind, environment, production, sha, ref, statuses,"
        " started, finished, commits, team, release, link, url FROM delivery_deployments"
    )
    args: tuple[str, ...] = ()
    if connection is not None:
        sql += " WHERE connection = ?"
        args = (connection,)
    out = []
    for row in conn.execute(sql + " ORDER BY finished, connection, source_id", args):
        commits = tuple(
            PulledCommit(sha, _parse(when), message) for sha, when, message in json.loads(row[10])
        )
        out.append(
            PulledDeployment(
                source=row[0],
                source_id=row[1],
                kind=row[2],
                environment=row[3],
                production=bool(row[4]),
                sha=row[5],
                ref=row[6],
                statuses=tuple(json.loads(row[7])),
                started=_parse(row[8]),
                finished=_parse(row[9]),
                commits=commits,
                team=row[11],
                release=row[12],
                link=row[13],
                url=row[14],
            )
        )
    return tuple(out)


def save_incidents(conn: sqlite3.Connection, incidents: Iterable[PulledIncident]) -> int:
    """Insert or replace pulled incidents; how many were written."""
    rows = [
        (
            i.source,
            i.source_id,
            json.dumps(list(i.keys)),
            i.created.isoformat(),
            _time(i.resolved),
            i.team,
            i.text,
            i.url,
        )
        for i in incidents
    ]
    conn.executemany(
        "INSERT OR REPLACE INTO delivery_incidents (connection, source_id, keys, created,"
        " resolved, team, text, url) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return len(rows)


def load_incidents(
    conn: sqlite3.Connection, connection: str | None = None
) -> tuple[PulledIncident, ...]:
    """Every pulled incident (of one connection), oldest first."""
    out = []
    sql = (
        "SELECT connection, source_id, keys, created, resolved, team, text, url"
        " FROM delivery_incidents"
    )
    args: tuple[str, ...] = ()
    if connection is not None:
        sql += " WHERE connection = ?"
        args = (connection,)
    for row in conn.execute(sql + " ORDER BY created, connection, source_id", args):
        created = _parse(row[3])
        assert created is not None
        out.append(
            PulledIncident(
                source=row[0],
                source_id=row[1],
                keys=tuple(json.loads(row[2])),
                created=created,
                resolved=_parse(row[4]),
                team=row[5],
                text=row[6],
                url=row[7],
            )
        )
    return tuple(out)
