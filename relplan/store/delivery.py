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
from collections.abc import Iterable, Sequence

from relplan.metrics.delivery import PulledCommit, PulledDeployment, PulledIncident

__all__ = [
    "delete_incidents",
    "deployment_of_row",
    "load_deployments",
    "load_incidents",
    "save_deployments",
    "save_incidents",
    "select_deployments",
]


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


_COLUMNS = (
    "connection, source_id, kind, environment, production, sha, ref, statuses, started,"
    " finished, {commits}, team, release, link, url"
)


def load_deployments(
    conn: sqlite3.Connection, connection: str | None = None, *, commits: bool = True
) -> tuple[PulledDeployment, ...]:
    """Every pulled deployment (of one connection), oldest finish first.

    Args:
        conn: The workspace.
        connection: Only this connection's.
        commits: Whether to read their commits (without: ``commits`` is empty, which is much
            faster where only the deployments matter).
    """
    if connection is None:
        return select_deployments(conn, "1", (), commits=commits)
    return select_deployments(conn, "connection = ?", (connection,), commits=commits)


def select_deployments(
    conn: sqlite3.Connection, where: str, args: Sequence[object], *, commits: bool = True
) -> tuple[PulledDeployment, ...]:
    """The pulled deployments matching an SQL condition (``where``, with ``args``), oldest
    finish first; ``commits`` as for :func:`load_deployments`."""
    sql = (
        f"SELECT {_COLUMNS.format(commits='commits' if commits else chr(39) + '[]' + chr(39))}"
        f" FROM delivery_deployments WHERE {where} ORDER BY finished, connection, source_id"
    )
    statuses: dict[str, tuple[str, ...]] = {}  # a few distinct lists, parsed once each
    return tuple(deployment_of_row(row, statuses) for row in conn.execute(sql, tuple(args)))


_decode = json.JSONDecoder().raw_decode


def deployment_of_row(
    row: Sequence[object], statuses: dict[str, tuple[str, ...]] | None = None
) -> PulledDeployment:
    """A deployment from the columns of ``delivery_deployments`` in :data:`_COLUMNS` order;
    ``statuses`` caches parsed status lists by their text."""
    text = str(row[10])
    commits: tuple[PulledCommit, ...] = ()
    if text != "[]":
        pairs = _decode(text)[0]
        commits = tuple(PulledCommit(sha, _parse(when), message) for sha, when, message in pairs)
    said = str(row[7])
    if statuses is None or said not in statuses:
        parsed = tuple(_decode(said)[0])
        if statuses is None:
            statuses = {}
        statuses[said] = parsed
    return PulledDeployment(
        source=str(row[0]),
        source_id=str(row[1]),
        kind=str(row[2]),
        environment=str(row[3]),
        production=bool(row[4]),
        sha=str(row[5]),
        ref=str(row[6]),
        statuses=statuses[said],
        started=_parse(row[8]),  # type: ignore[arg-type]
        finished=_parse(row[9]),  # type: ignore[arg-type]
        commits=commits,
        team=str(row[11]),
        release=row[12],  # type: ignore[arg-type]
        link=str(row[13]),
        url=str(row[14]),
    )


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


def delete_incidents(conn: sqlite3.Connection, connection: str, source_ids: Iterable[str]) -> int:
    """Remove a connection's incidents that no longer qualify; how many were there."""
    before = conn.total_changes
    conn.executemany(
        "DELETE FROM delivery_incidents WHERE connection = ? AND source_id = ?",
        [(connection, i) for i in source_ids],
    )
    return conn.total_changes - before


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
