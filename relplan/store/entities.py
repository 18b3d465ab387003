"""How each kind of plan object is written to, deleted from and read from its tables.

One :class:`EntityTable` per kind. Writes take many objects at once (``executemany``), so a
large import stays fast; the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from relplan.domain import codec
from relplan.domain.model import (
    Change,
    Dependency,
    Deployment,
    Environment,
    Freeze,
    Gate,
    Milestone,
    Release,
    RolloutStep,
    Stage,
    Team,
    Train,
    WorkItem,
)

Row = tuple[Any, ...]
# from_row of tables without children never touches the connection.
_NO_CONNECTION: Any = None


@dataclass(frozen=True, slots=True)
class Setting:
    """A workspace-wide setting, such as the planning ``timezone``."""

    key: str
    value: str


def day(value: str | None) -> dt.date | None:
    """A stored calendar day."""
    return dt.date.fromisoformat(value) if value else None


def time(value: str | None) -> dt.datetime | None:
    """A stored aware time."""
    return dt.datetime.fromisoformat(value) if value else None


def clock(value: str | None) -> dt.time | None:
    """A stored time of day."""
    return dt.time.fromisoformat(value) if value else None


def _iso(value: dt.date | dt.datetime | dt.time | None) -> str | None:
    return value.isoformat() if value is not None else None


_ENCODE_KEY = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
# The C function the encoder above applies to each string (ensure_ascii=False): an array of
# strings written from it is the encoder's text byte for byte, without the encoder's setup on
# every call, which was most of building the keys of a 150,000-dependency import.
_ENCODE_STRING: Callable[[str], str] = json.encoder.encode_basestring


def composite_key(*parts: str) -> str:
    """The key of an object stored under several columns: a JSON array of their values.

    Joining the parts with a separator (``from->to``) is ambiguous once a part contains the
    separator, so keys are kept structurally: ``["release:A","release:B"]``.

    Examples:
        >>> composite_key("release:A", "item:B|C")
        '["release:A","item:B|C"]'
    """
    try:
        return "[" + ",".join(map(_ENCODE_STRING, parts)) + "]"
    except TypeError:  # a part that is not a string (only from hand-made data)
        return _ENCODE_KEY(list(parts))


def pair_key(first: str, second: str) -> str:
    """:func:`composite_key` of two parts (a dependency's ends), without the tuple of parts."""
    try:
        return f"[{_ENCODE_STRING(first)},{_ENCODE_STRING(second)}]"
    except TypeError:
        return _ENCODE_KEY([first, second])


def split_composite(key: str) -> tuple[str, ...]:
    """The parts of a :func:`composite_key`."""
    parts = json.loads(key)
    if not isinstance(parts, list):
        raise ValueError(f"not a composite key: {key!r}")
    return tuple(parts)


def deployment_key(dep: Deployment) -> str:
    """The key of a deployment: release, environment and finish time."""
    return composite_key(dep.release, dep.environment, dep.finished.isoformat())


def dependency_key(dep: Dependency) -> str:
    """The key of a dependency: its two ends."""
    return pair_key(dep.from_ref, dep.to_ref)


def dependency_key_of(from_ref: str, to_ref: str) -> str:
    """The key of the dependency between two ends."""
    return pair_key(from_ref, to_ref)


@dataclass(frozen=True, slots=True)
class EntityTable:
    """The storage of one kind of plan object."""

    entity: str
    table: str
    key_columns: tuple[str, ...]
    columns: tuple[str, ...]
    to_row: Callable[[Any], Row]
    from_row: Callable[[sqlite3.Connection, Row], Any]
    key_of: Callable[[Any], str]
    split_key: Callable[[str], tuple[str, ...]]
    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]

    @property
    def composite(self) -> bool:
        """Whether the key spans several columns (then it is a :func:`composite_key`)."""
        return len(self.key_columns) > 1

    def audit_value(self, obj: Any, row: Row | None = None) -> Any:
        """The object as the audit log keeps it (JSON-ready): its table row, or for a release,
        whose children live in other tables, its workspace-JSON object. ``row`` saves computing
        the row again where the caller has it."""
        if self.entity == "release":
            return self.encode(obj)
        return row if row is not None else self.to_row(obj)

    def from_audit_value(self, data: Any) -> Any:
        """The object back from :meth:`audit_value` (after a JSON round trip)."""
        if self.entity == "release":
            return self.decode(data)
        # Rows written before a column was added are shorter: the new columns are empty.
        row = tuple(data) + (None,) * (len(self.columns) - len(data))
        return self.from_row(_NO_CONNECTION, row)

    def _insert_sql(self) -> str:
        cols = ", ".join(f'"{c}"' for c in self.columns)
        marks = ", ".join("?" for _ in self.columns)
        return f"INSERT INTO {self.table} ({cols}) VALUES ({marks})"

    def upsert(
        self, conn: sqlite3.Connection, objs: Sequence[Any], rows: Sequence[Row] | None = None
    ) -> None:
        """Insert or update these objects (children of releases are rewritten); ``rows`` are
        their table rows when the caller has them already."""
        updates = ", ".join(
            f'"{c}" = excluded."{c}"' for c in self.columns if c not in self.key_columns
        )
        conflict = ", ".join(f'"{c}"' for c in self.key_columns)
        conn.executemany(
            f"{self._insert_sql()} ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
            rows if rows is not None else [self.to_row(o) for o in objs],
        )
        if self.entity == "release":
            _write_release_children(conn, objs)

    def insert(self, conn: sqlite3.Connection, objs: Sequence[Any], rows: Sequence[Row]) -> None:
        """Insert objects none of which is stored yet (a key that is: sqlite3.IntegrityError).

        A plain INSERT skips the conflict handling of :meth:`upsert`; ``rows`` are the objects'
        table rows.
        """
        conn.executemany(self._insert_sql(), rows)
        if self.entity == "release":
            _write_release_children(conn, objs)

    def delete(self, conn: sqlite3.Connection, keys: Sequence[str]) -> None:
        """Delete the objects with these keys."""
        where = " AND ".join(f'"{c}" = ?' for c in self.key_columns)
        conn.executemany(f"DELETE FROM {self.table} WHERE {where}", map(self.split_key, keys))

    def load(self, conn: sqlite3.Connection, keys: Iterable[str]) -> dict[str, Any]:
        """The stored objects with these keys (missing ones are left out), in one query."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        cols = ", ".join(f't."{c}"' for c in self.columns)
        if self.composite:
            # Match the columns against the parts of each key, so any text in a part is safe.
            on = " AND ".join(
                f"t.\"{c}\" = json_extract(j.value, '$[{i}]')"
                for i, c in enumerate(self.key_columns)
            )
            args = [self.split_key(k) for k in wanted]
        else:
            on = f't."{self.key_columns[0]}" = j.value'
            args = wanted  # type: ignore[assignment]
        sql = f"SELECT {cols} FROM json_each(?) j JOIN {self.table} t ON {on}"
        found: dict[str, Any] = {}
        for row in conn.execute(sql, (json.dumps(args),)):
            obj = self.from_row(conn, row)
            found[self.key_of(obj)] = obj
        return found

    def existing_keys(self, conn: sqlite3.Connection) -> set[str]:
        """Every key stored for this kind."""
        cols = ", ".join(f'"{c}"' for c in self.key_columns)
        rows = conn.execute(f"SELECT {cols} FROM {self.table}")
        if not self.composite:
            return {r[0] for r in rows}
        return {composite_key(*r) for r in rows}

    def all(self, conn: sqlite3.Connection, order_by: str) -> list[Any]:
        """Every stored object of this kind."""
        cols = ", ".join(f'"{c}"' for c in self.columns)
        rows = conn.execute(f"SELECT {cols} FROM {self.table} ORDER BY {order_by}").fetchall()
        return [self.from_row(conn, r) for r in rows]


def _write_release_children(conn: sqlite3.Connection, releases: Sequence[Release]) -> None:
    keys = [(r.key,) for r in releases]
    for table in ("stages", "milestones", "gates"):
        conn.executemany(f"DELETE FROM {table} WHERE release = ?", keys)
    conn.executemany(
        'INSERT INTO stages (release, position, environment, start, "end", strategy, steps, '
        "switch) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                r.key, i, s.environment, s.start.isoformat(), s.end.isoformat(), s.strategy,
                steps_text(s.steps), _iso(s.switch),
            )
            for r in releases
            for i, s in enumerate(r.stages)
        ],
    )  # fmt: skip
    conn.executemany(
        "INSERT INTO milestones (release, position, name, date) VALUES (?, ?, ?, ?)",
        [
            (r.key, i, m.name, m.date.isoformat())
            for r in releases
            for i, m in enumerate(r.milestones)
        ],
    )
    conn.executemany(
        "INSERT INTO gates (release, position, name, environment, kind, approvers, status, "
        "decided_by, decided_at, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                r.key,
                i,
                g.name,
                g.environment,
                g.kind,
                json.dumps(list(g.approvers)),
                g.status,
                g.decided_by,
                _iso(g.decided_at),
                g.comment,
            )
            for r in releases
            for i, g in enumerate(r.gates)
        ],
    )


def release_children(
    conn: sqlite3.Connection, key: str | None = None
) -> dict[str, tuple[list[Stage], list[Milestone], list[Gate]]]:
    """Stages, milestones and gates per release key (of one release, or of all)."""
    where, args = ("WHERE release = ?", (key,)) if key is not None else ("", ())
    out: dict[str, tuple[list[Stage], list[Milestone], list[Gate]]] = {}

    def slot(release: str) -> tuple[list[Stage], list[Milestone], list[Gate]]:
        if release not in out:
            out[release] = ([], [], [])
        return out[release]

    for rel, env, start, end, strategy, steps, switch in conn.execute(
        f'SELECT release, environment, start, "end", strategy, steps, switch FROM stages {where} '
        "ORDER BY release, position",
        args,
    ):
        slot(rel)[0].append(
            Stage(
                env, dt.date.fromisoformat(start), dt.date.fromisoformat(end), strategy,
                steps_from_text(steps), day(switch),
            )
        )  # fmt: skip
    for rel, name, date in conn.execute(
        f"SELECT release, name, date FROM milestones {where} ORDER BY release, position", args
    ):
        slot(rel)[1].append(Milestone(name, dt.date.fromisoformat(date)))
    for rel, name, env, kind, approvers, status, by, at, comment in conn.execute(
        "SELECT release, name, environment, kind, approvers, status, decided_by, decided_at, "
        f"comment FROM gates {where} ORDER BY release, position",
        args,
    ):
        slot(rel)[2].append(
            Gate(name, env, kind, tuple(json.loads(approvers)), status, by, time(at), comment)
        )
    return out


def release_from_row(
    row: Row, children: tuple[list[Stage], list[Milestone], list[Gate]] | None
) -> Release:
    """A release from its row and its children."""
    key, name, team, train, start, target, status = row[:7]
    stages, milestones, gates = children or ([], [], [])
    return Release(
        key, name, team, train, day(start), day(target), status,
        tuple(stages), tuple(milestones), tuple(gates), row[7] or 0 if len(row) > 7 else 0,
    )  # fmt: skip


def steps_text(steps: tuple[RolloutStep, ...]) -> str | None:
    """Rollout steps as stored: a JSON list of ``[day, percent]`` (None when there are none)."""
    if not steps:
        return None
    return json.dumps([[s.date.isoformat(), s.percent] for s in steps])


def steps_from_text(text: str | None) -> tuple[RolloutStep, ...]:
    """Rollout steps from :func:`steps_text`."""
    if not text:
        return ()
    return tuple(RolloutStep(dt.date.fromisoformat(d), int(p)) for d, p in json.loads(text))


def _release_from_row(conn: sqlite3.Connection, row: Row) -> Release:
    return release_from_row(row, release_children(conn, row[0]).get(row[0]))


def _decoder(method: str) -> Callable[[Any], Any]:
    def decode(data: Any) -> Any:
        dec = codec.Decoder(stored=True)
        obj = getattr(dec, method)(data, "")
        dec.raise_if_any(source="audit log")
        return obj

    return decode


def _single(key: str) -> tuple[str, ...]:
    return (key,)


def item_from_row(row: Row) -> WorkItem:
    """A work item from its row."""
    key, title, team, release, type_, status, category, points, created, resolved = row
    return WorkItem(
        key, title, team, release, type_, status, category, points, time(created), time(resolved)
    )


def deployment_from_row(row: Row) -> Deployment:
    """A deployment from its row."""
    release, env, started, finished, outcome, restored, changes, incident = row
    return Deployment(
        release,
        env,
        time(started),
        dt.datetime.fromisoformat(finished),
        outcome,
        time(restored),
        tuple(Change(c["id"], time(c["committed"])) for c in json.loads(changes)),
        incident,
    )


def _deployment_row(d: Deployment) -> Row:
    changes = [{"id": c.id, "committed": _iso(c.committed)} for c in d.changes]
    return (
        d.release, d.environment, _iso(d.started), d.finished.isoformat(), d.outcome,
        _iso(d.restored), json.dumps(changes), d.incident,
    )  # fmt: skip


TABLES: dict[str, EntityTable] = {
    t.entity: t
    for t in (
        EntityTable(
            "setting", "settings", ("key",), ("key", "value"),
            lambda s: (s.key, s.value),
            lambda _c, r: Setting(*r),
            lambda s: s.key, _single, lambda s: {"key": s.key, "value": s.value},
            lambda d: Setting(str(d["key"]), str(d["value"])),
        ),
        EntityTable(
            "team", "teams", ("key",), ("key", "name", "color"),
            lambda t: (t.key, t.name, t.color),
            lambda _c, r: Team(*r),
            lambda t: t.key, _single, codec.encode_team, _decoder("team"),
        ),
        EntityTable(
            "environment", "environments", ("name",),
            ("name", "order", "capacity", "requires_approval"),
            lambda e: (e.name, e.order, e.capacity, int(e.requires_approval)),
            lambda _c, r: Environment(r[0], r[1], r[2], bool(r[3])),
            lambda e: e.name, _single, codec.encode_environment, _decoder("environment"),
        ),
        EntityTable(
            "train", "trains", ("key",), ("key", "name", "target"),
            lambda t: (t.key, t.name, _iso(t.target)),
            lambda _c, r: Train(r[0], r[1], day(r[2])),
            lambda t: t.key, _single, codec.encode_train, _decoder("train"),
        ),
        EntityTable(
            "release", "releases", ("key",),
            ("key", "name", "team", "train", "start", "target", "status", "monitoring_days"),
            lambda r: (
                r.key, r.name, r.team, r.train, _iso(r.start), _iso(r.target), r.status,
                r.monitoring_days,
            ),
            _release_from_row,
            lambda r: r.key, _single, codec.encode_release, _decoder("release"),
        ),
        EntityTable(
            "freeze", "freezes", ("name",),
            ("name", "start", "end", "environments", "teams", "rrule", "start_time", "end_time"),
            lambda f: (
                f.name, f.start.isoformat(), f.end.isoformat(),
                json.dumps(list(f.environments)), json.dumps(list(f.teams)), f.rrule,
                _iso(f.start_time), _iso(f.end_time),
            ),
            lambda _c, r: Freeze(
                r[0], dt.date.fromisoformat(r[1]), dt.date.fromisoformat(r[2]),
                tuple(json.loads(r[3])), tuple(json.loads(r[4])), r[5],
                clock(r[6]), clock(r[7]),
            ),
            lambda f: f.name, _single, codec.encode_freeze, _decoder("freeze"),
        ),
        EntityTable(
            "work_item", "work_items", ("key",),
            ("key", "title", "team", "release", "type", "status", "category", "points",
             "created", "resolved"),
            lambda i: (
                i.key, i.title, i.team, i.release, i.type, i.status, i.category, i.points,
                _iso(i.created), _iso(i.resolved),
            ),
            lambda _c, r: item_from_row(r),
            lambda i: i.key, _single, codec.encode_work_item, _decoder("work_item"),
        ),
        EntityTable(
            "dependency", "dependencies", ("from_ref", "to_ref"),
            ("from_ref", "to_ref", "type", "lag_days"),
            lambda d: (d.from_ref, d.to_ref, d.type, d.lag_days),
            lambda _c, r: Dependency(*r),
            dependency_key, split_composite, codec.encode_dependency, _decoder("dependency"),
        ),
        EntityTable(
            "deployment", "deployments", ("release", "environment", "finished"),
            ("release", "environment", "started", "finished", "outcome", "restored", "changes",
             "incident"),
            _deployment_row,
            lambda _c, r: deployment_from_row(r),
            deployment_key, split_composite, codec.encode_deployment, _decoder("deployment"),
        ),
    )
}  # fmt: skip
