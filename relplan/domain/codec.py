"""Conversion between domain objects and the workspace JSON format's plain dicts.

``encode_*`` gives the exact JSON-ready dict of workspace-format.md; ``Decoder`` reads one back,
checking every field and collecting one :class:`~relplan.errors.Issue` per problem, named by its
JSON path (``releases[3].target``). Cross-references (does team ``PAY`` exist?) are checked by the
caller, which knows the whole document.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from relplan.domain import bounds, lifecycle_codec
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
    Environment,
    Freeze,
    Gate,
    Milestone,
    Release,
    Stage,
    Team,
    Train,
    WorkItem,
)
from relplan.errors import Issue, ValidationError

T = TypeVar("T")
Json = dict[str, Any]


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: dt.datetime | None) -> str | None:
    return None if value is None else time_text(value.isoformat())


def time_text(iso: str | None) -> str | None:
    """A time as the format writes it, from its ``isoformat()`` (as a workspace stores it):
    UTC as ``Z``."""
    if iso is None:
        return None
    return iso[:-6] + "Z" if iso.endswith("+00:00") else iso


def encode_team(team: Team) -> Json:
    """The JSON dict of a team."""
    return {"key": team.key, "name": team.name, "color": team.color}


def encode_environment(env: Environment) -> Json:
    """The JSON dict of an environment."""
    out: Json = {"name": env.name, "order": env.order, "capacity": env.capacity}
    if env.requires_approval:
        out["requires_approval"] = True
    return out


def encode_train(train: Train) -> Json:
    """The JSON dict of a train."""
    return {"key": train.key, "name": train.name, "target": _day(train.target)}


def encode_release(rel: Release) -> Json:
    """The JSON dict of a release, with its stages, milestones and gates in export order."""
    return {
        "key": rel.key,
        "name": rel.name,
        "team": rel.team,
        "train": rel.train,
        "start": _day(rel.start),
        "target": _day(rel.target),
        "status": rel.status,
        "stages": [
            {
                "environment": s.environment,
                "start": s.start.isoformat(),
                "end": s.end.isoformat(),
                "strategy": s.strategy,
                **lifecycle_codec.stage_extra(s),
            }
            for s in sorted(rel.stages, key=lambda s: (s.start, s.end, s.environment))
        ],
        "milestones": [
            {"name": m.name, "date": m.date.isoformat()}
            for m in sorted(rel.milestones, key=lambda m: (m.date, m.name))
        ],
        "gates": [encode_gate(g) for g in rel.gates],
        **({"monitoring_days": rel.monitoring_days} if rel.monitoring_days else {}),
    }


def encode_gate(gate: Gate) -> Json:
    """The JSON dict of a gate; the decision fields appear only once a decision was recorded."""
    out: Json = {
        "name": gate.name,
        "environment": gate.environment,
        "kind": gate.kind,
        "approvers": list(gate.approvers),
        "status": gate.status,
    }
    if gate.decided_by is not None or gate.decided_at is not None or gate.comment is not None:
        out.update(decided_by=gate.decided_by, decided_at=_time(gate.decided_at))
        out["comment"] = gate.comment
    return out


def encode_freeze(freeze: Freeze) -> Json:
    """The JSON dict of a freeze window; recurrence and times appear only when set."""
    out: Json = {
        "name": freeze.name,
        "start": freeze.start.isoformat(),
        "end": freeze.end.isoformat(),
        "environments": list(freeze.environments),
        "teams": list(freeze.teams),
    }
    if freeze.start_time is not None:
        out["start_time"] = freeze.start_time.strftime("%H:%M")
    if freeze.end_time is not None:
        out["end_time"] = freeze.end_time.strftime("%H:%M")
    if freeze.rrule is not None:
        out["rrule"] = freeze.rrule
    return out


def encode_work_item(item: WorkItem) -> Json:
    """The JSON dict of a work item."""
    return work_item_json(
        item.key, item.title, item.team, item.release, item.type, item.status, item.category,
        item.points, _iso_time(item.created), _iso_time(item.resolved),
    )  # fmt: skip


def _iso_time(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def work_item_json(
    key: str,
    title: str,
    team: str | None,
    release: str | None,
    type_: str,
    status: str,
    category: str,
    points: float | None,
    created: str | None,
    resolved: str | None,
) -> Json:
    """The JSON dict of a work item from its fields, its times as ``isoformat()`` gives them
    (a workspace's stored columns, so an export need not build the item)."""
    if points is not None and float(points).is_integer():
        points = int(points)
    return {
        "key": key,
        "title": title,
        "team": team,
        "release": release,
        "type": type_,
        "status": status,
        "category": category,
        "points": points,
        "created": time_text(created),
        "resolved": time_text(resolved),
    }


def encode_dependency(dep: Dependency) -> Json:
    """The JSON dict of a dependency."""
    return dependency_json(dep.from_ref, dep.to_ref, dep.type, dep.lag_days)


def dependency_json(from_ref: str, to_ref: str, type_: str, lag_days: int) -> Json:
    """The JSON dict of a dependency from its fields."""
    return {"from": from_ref, "to": to_ref, "type": type_, "lag_days": lag_days}


def encode_deployment(dep: Deployment) -> Json:
    """The JSON dict of a deployment."""
    return {
        "release": dep.release,
        "environment": dep.environment,
        "started": _time(dep.started),
        "finished": _time(dep.finished),
        "outcome": dep.outcome,
        "restored": _time(dep.restored),
        "changes": [{"id": c.id, "committed": _time(c.committed)} for c in dep.changes],
        **({"incident": dep.incident} if dep.incident is not None else {}),
    }


class Decoder:
    """Reads JSON dicts into domain objects, collecting every problem with its JSON path.

    A method returns ``None`` when the object had an error; after a run, :attr:`issues` lists
    them all and :meth:`raise_if_any` turns them into one :class:`ValidationError`.

    Args:
        stored: the data was written by relplan itself (the audit log). The key and name
            bounds (:mod:`relplan.domain.bounds`) guard what comes in; a workspace made before
            a bound existed may hold a value outside it, and its history must still undo.
    """

    def __init__(self, *, stored: bool = False) -> None:
        self.issues: list[Issue] = []
        self.stored = stored

    def error(self, path: str, message: str) -> None:
        """Record a problem at ``path``."""
        self.issues.append(Issue(path, message))

    def raise_if_any(self, *, source: str = "") -> None:
        """Raise a ValidationError listing every recorded problem, if there is any."""
        if self.issues:
            raise ValidationError(self.issues, source=source)

    # -- field readers -------------------------------------------------------------------------
    def obj(self, value: object, path: str, allowed: tuple[str, ...]) -> Mapping[str, Any] | None:
        """Check that ``value`` is an object whose keys are all in ``allowed``."""
        if not isinstance(value, dict):
            self.error(path, f"expected an object, found {_show(value)}")
            return None
        ok = True
        for key in value:
            if key not in allowed:
                self.error(
                    _join(path, key),
                    f"unknown key {bounds.echo(key)} (expected one of: {', '.join(allowed)})",
                )
                ok = False
        return value if ok else None

    def text(self, data: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str:
        """A non-empty string field (or "" when optional and missing)."""
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            what = "missing" if key not in data else f"found {_show(value)}"
            self.error(_join(path, key), f"expected a non-empty string, {what}")
            return ""
        problem = None if self.stored else bounds.name_problem(value)
        if problem is not None:
            self.error(_join(path, key), problem)
            return ""
        return value

    def key(self, data: Mapping[str, Any], key: str, path: str) -> str:
        """A key field: a non-empty string that follows :data:`bounds.KEY_RULE`."""
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            what = "missing" if key not in data else f"found {_show(value)}"
            self.error(_join(path, key), f"expected a non-empty string, {what}")
            return ""
        problem = None if self.stored else bounds.key_problem(value)
        if problem is not None:
            self.error(_join(path, key), problem)
            return ""
        return value

    def opt_text(self, data: Mapping[str, Any], key: str, path: str) -> str | None:
        """An optional string field; null or missing gives None."""
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.error(_join(path, key), f"expected a string or null, found {_show(value)}")
            return None
        problem = bounds.text_problem(value)
        if problem is not None:
            self.error(_join(path, key), problem)
            return None
        return value

    def choice(
        self, data: Mapping[str, Any], key: str, path: str, allowed: tuple[str, ...], default: str
    ) -> str:
        """A string field limited to ``allowed``."""
        value = data.get(key, default)
        if value not in allowed:
            self.error(
                _join(path, key), f"found {_show(value)}, expected one of: {', '.join(allowed)}"
            )
            return default
        return str(value)

    def integer(
        self, data: Mapping[str, Any], key: str, path: str, default: int, low: int, high: int
    ) -> int:
        """An integer field within ``low..high``."""
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(_join(path, key), f"expected a whole number, found {_show(value)}")
            return default
        problem = bounds.int_problem(value, low, high)
        if problem is not None:
            self.error(_join(path, key), problem)
            return default
        return value

    def number(self, data: Mapping[str, Any], key: str, path: str) -> float | None:
        """An optional non-negative number."""
        value = data.get(key)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not 0 <= value <= bounds.MAX_POINTS
        ):
            self.error(
                _join(path, key),
                f"expected a number >= 0 and <= {bounds.MAX_POINTS} or null, found {_show(value)}",
            )
            return None
        return float(value)

    def date(
        self, data: Mapping[str, Any], key: str, path: str, *, required: bool = True
    ) -> dt.date | None:
        """A calendar day ``YYYY-MM-DD``."""
        value = data.get(key)
        if value is None:
            if required:
                self.error(_join(path, key), "expected a date YYYY-MM-DD, missing")
            return None
        if isinstance(value, str) and len(value) == 10:
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                pass
            else:
                problem = bounds.day_problem(day)
                if problem is None:
                    return day
                self.error(_join(path, key), problem)
                return None
        self.error(_join(path, key), f"found {_show(value)}, expected a date YYYY-MM-DD")
        return None

    def time(
        self, data: Mapping[str, Any], key: str, path: str, *, required: bool = False
    ) -> dt.datetime | None:
        """An ISO 8601 time with an offset or ``Z``."""
        value = data.get(key)
        if value is None:
            if required:
                self.error(_join(path, key), "expected a time (ISO 8601 with offset), missing")
            return None
        if isinstance(value, str):
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is not None:
                problem = bounds.time_problem(parsed)
                if problem is None:
                    return parsed
                self.error(_join(path, key), problem)
                return None
            if parsed is not None:
                self.error(_join(path, key), f"found {_show(value)}, which has no offset or Z")
                return None
        self.error(_join(path, key), f"found {_show(value)}, expected an ISO 8601 time")
        return None

    def clock(self, data: Mapping[str, Any], key: str, path: str) -> dt.time | None:
        """An optional time of day ``HH:MM``."""
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, str) and len(value) == 5:
            try:
                return dt.time.fromisoformat(value)
            except ValueError:
                pass
        self.error(_join(path, key), f"found {_show(value)}, expected a time of day HH:MM")
        return None

    def strings(self, data: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
        """An optional list of strings."""
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(_join(path, key), f"expected a list of strings, found {_show(value)}")
            return ()
        for i, v in enumerate(value):
            problem = bounds.name_problem(v)
            if problem is not None:
                self.error(f"{_join(path, key)}[{i}]", problem)
                return ()
        return tuple(value)

    def items(self, data: Mapping[str, Any], key: str, path: str) -> list[tuple[str, Any]]:
        """An optional list field, as (path, element) pairs."""
        value = data.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(_join(path, key), f"expected a list, found {_show(value)}")
            return []
        return [(f"{_join(path, key)}[{i}]", v) for i, v in enumerate(value)]

    def _guard(self, build: Callable[[], T]) -> T | None:
        before = len(self.issues)
        result = build()
        return result if len(self.issues) == before else None

    # -- objects -------------------------------------------------------------------------------
    def team(self, value: object, path: str) -> Team | None:
        """Read a team."""
        d = self.obj(value, path, ("key", "name", "color"))
        if d is None:
            return None
        return self._guard(
            lambda: Team(
                key=self.key(d, "key", path),
                name=self.text(d, "name", path),
                color=self.opt_text(d, "color", path),
            )
        )

    def environment(self, value: object, path: str) -> Environment | None:
        """Read an environment."""
        keys = ("name", "order", "capacity", *lifecycle_codec.ENVIRONMENT_KEYS)
        d = self.obj(value, path, keys)
        if d is None:
            return None

        def build() -> Environment:
            capacity = self.integer(d, "capacity", path, 1, 1, bounds.MAX_CAPACITY)
            return Environment(
                name=self.key(d, "name", path),
                order=self.integer(d, "order", path, 0, -bounds.MAX_ORDER, bounds.MAX_ORDER),
                capacity=capacity,
                requires_approval=lifecycle_codec.read_bool(self, d, "requires_approval", path),
            )

        return self._guard(build)

    def train(self, value: object, path: str) -> Train | None:
        """Read a train."""
        d = self.obj(value, path, ("key", "name", "target"))
        if d is None:
            return None
        return self._guard(
            lambda: Train(
                key=self.key(d, "key", path),
                name=self.text(d, "name", path),
                target=self.date(d, "target", path, required=False),
            )
        )

    def stage(self, value: object, path: str) -> Stage | None:
        """Read a release's stage window."""
        keys = ("environment", "start", "end", "strategy", *lifecycle_codec.STAGE_KEYS)
        d = self.obj(value, path, keys)
        if d is None:
            return None

        def build() -> Stage:
            start = self.date(d, "start", path) or dt.date.min
            end = self.date(d, "end", path) or dt.date.max
            if start > end:
                self.error(_join(path, "end"), f"end {end} is before start {start}")
            strategy = self.choice(d, "strategy", path, STAGE_STRATEGIES, "big_bang")
            extra = lifecycle_codec.read_stage_extra(self, d, path)
            return Stage(self.text(d, "environment", path), start, end, strategy, **extra)

        return self._guard(build)

    def milestone(self, value: object, path: str) -> Milestone | None:
        """Read a milestone."""
        d = self.obj(value, path, ("name", "date"))
        if d is None:
            return None
        return self._guard(
            lambda: Milestone(self.text(d, "name", path), self.date(d, "date", path) or dt.date.min)
        )

    def gate(self, value: object, path: str) -> Gate | None:
        """Read an approval gate."""
        keys = ("name", "environment", "kind", "approvers", "status")
        d = self.obj(value, path, (*keys, "decided_by", "decided_at", "comment"))
        if d is None:
            return None
        return self._guard(
            lambda: Gate(
                name=self.text(d, "name", path),
                environment=self.opt_text(d, "environment", path),
                kind=self.choice(d, "kind", path, GATE_KINDS, "manual"),
                approvers=self.strings(d, "approvers", path),
                status=self.choice(d, "status", path, GATE_STATUSES, "pending"),
                decided_by=self.opt_text(d, "decided_by", path),
                decided_at=self.time(d, "decided_at", path),
                comment=self.opt_text(d, "comment", path),
            )
        )

    def release(self, value: object, path: str) -> Release | None:
        """Read a release with its stages, milestones and gates."""
        keys = ("key", "name", "team", "train", "start", "target", "status")
        more = ("stages", "milestones", "gates", *lifecycle_codec.RELEASE_KEYS)
        d = self.obj(value, path, (*keys, *more))
        if d is None:
            return None

        def build() -> Release:
            start = self.date(d, "start", path, required=False)
            target = self.date(d, "target", path, required=False)
            if start is not None and target is not None and start > target:
                self.error(
                    _join(path, "target"),
                    f"target {target} is before start {start} (a release needs start <= target)",
                )
            stages = [self.stage(v, p) for p, v in self.items(d, "stages", path)]
            milestones = [self.milestone(v, p) for p, v in self.items(d, "milestones", path)]
            gates = [self.gate(v, p) for p, v in self.items(d, "gates", path)]
            return Release(
                key=self.key(d, "key", path),
                name=self.text(d, "name", path),
                team=self.key(d, "team", path),
                train=self.opt_text(d, "train", path),
                start=start,
                target=target,
                status=self.choice(d, "status", path, RELEASE_STATUSES, "planned"),
                stages=tuple(s for s in stages if s is not None),
                milestones=tuple(m for m in milestones if m is not None),
                gates=tuple(g for g in gates if g is not None),
                monitoring_days=lifecycle_codec.read_monitoring(self, d, path),
            )

        return self._guard(build)

    def freeze(self, value: object, path: str) -> Freeze | None:
        """Read a freeze window."""
        keys = ("name", "start", "end", "environments", "teams")
        d = self.obj(value, path, (*keys, "rrule", "start_time", "end_time"))
        if d is None:
            return None

        def build() -> Freeze:
            start = self.date(d, "start", path) or dt.date.min
            end = self.date(d, "end", path) or dt.date.max
            start_time = self.clock(d, "start_time", path)
            end_time = self.clock(d, "end_time", path)
            if start > end:
                self.error(_join(path, "end"), f"end {end} is before start {start}")
            elif start == end and start_time and end_time and start_time >= end_time:
                self.error(_join(path, "end_time"), f"{end_time} is not after {start_time}")
            rrule = self.opt_text(d, "rrule", path)
            problem = None if rrule is None else bounds.rule_bounds_problem(rrule)
            if problem is not None:
                self.error(_join(path, "rrule"), problem)
            return Freeze(
                name=self.text(d, "name", path),
                start=start,
                end=end,
                environments=self.strings(d, "environments", path),
                teams=self.strings(d, "teams", path),
                rrule=rrule,
                start_time=start_time,
                end_time=end_time,
            )

        return self._guard(build)

    def work_item(self, value: object, path: str) -> WorkItem | None:
        """Read a work item (a fast path for well-formed ones, as there can be 100,000)."""
        item = _fast_work_item(value)
        if item is not None:
            return item
        keys = ("key", "title", "team", "release", "type", "status", "category", "points")
        d = self.obj(value, path, (*keys, "created", "resolved"))
        if d is None:
            return None
        return self._guard(
            lambda: WorkItem(
                key=self.key(d, "key", path),
                title=self.text(d, "title", path),
                team=self.opt_text(d, "team", path),
                release=self.opt_text(d, "release", path),
                type=self.opt_text(d, "type", path) or "Story",
                status=self.opt_text(d, "status", path) or "To Do",
                category=self.choice(d, "category", path, ITEM_CATEGORIES, "todo"),
                points=self.number(d, "points", path),
                created=self.time(d, "created", path),
                resolved=self.time(d, "resolved", path),
            )
        )

    def dependency(self, value: object, path: str) -> Dependency | None:
        """Read a dependency (``from`` is the prerequisite, ``to`` the dependent)."""
        dep = _fast_dependency(value)
        if dep is not None:
            return dep
        d = self.obj(value, path, ("from", "to", "type", "lag_days"))
        if d is None:
            return None

        def build() -> Dependency:
            ends = []
            for key in ("from", "to"):
                ref = self.text(d, key, path)
                if ref and not (
                    (ref.startswith(RELEASE_PREFIX) and len(ref) > len(RELEASE_PREFIX))
                    or (ref.startswith(ITEM_PREFIX) and len(ref) > len(ITEM_PREFIX))
                ):
                    self.error(
                        _join(path, key),
                        f"found {bounds.echo(ref)}, expected 'release:KEY' or 'item:KEY'",
                    )
                ends.append(ref)
            if ends[0] and ends[0] == ends[1]:
                self.error(_join(path, "to"), f"{ends[0]} cannot depend on itself")
            return Dependency(
                from_ref=ends[0],
                to_ref=ends[1],
                type=self.choice(d, "type", path, DEPENDENCY_TYPES, "FS"),
                lag_days=self.integer(
                    d, "lag_days", path, 0, -bounds.MAX_LAG_DAYS, bounds.MAX_LAG_DAYS
                ),
            )

        return self._guard(build)

    def deployment(self, value: object, path: str) -> Deployment | None:
        """Read a deployment with its changes."""
        keys = ("release", "environment", "started", "finished", "outcome", "restored")
        d = self.obj(value, path, (*keys, "changes", "incident"))
        if d is None:
            return None

        def build() -> Deployment:
            started = self.time(d, "started", path)
            finished = self.time(d, "finished", path, required=True)
            outcome = self.choice(d, "outcome", path, DEPLOYMENT_OUTCOMES, "succeeded")
            restored = self.time(d, "restored", path)
            if started and finished and finished < started:
                self.error(_join(path, "finished"), "finished before it started")
            if restored is not None and outcome == "succeeded":
                self.error(
                    _join(path, "restored"), "only a deployment that did not succeed has one"
                )
            if restored is not None and finished is not None and restored < finished:
                self.error(_join(path, "restored"), "restored before the deployment finished")
            changes = []
            for cpath, cvalue in self.items(d, "changes", path):
                c = self.obj(cvalue, cpath, ("id", "committed"))
                if c is not None:
                    changes.append(
                        Change(self.text(c, "id", cpath), self.time(c, "committed", cpath))
                    )
            return Deployment(
                release=self.text(d, "release", path),
                environment=self.text(d, "environment", path),
                started=started,
                finished=finished or dt.datetime.min.replace(tzinfo=dt.UTC),
                outcome=outcome,
                restored=restored,
                changes=tuple(changes),
                incident=self.opt_text(d, "incident", path),
            )

        return self._guard(build)


# Fast paths: plain checks without collecting messages. They accept exactly what the full readers
# accept without an issue, and return None for anything else, which the full reader then explains.
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
_KEY_BAD_SEARCH = re.compile(r"[|\x00-\x1f\x7f-\x9f\ud800-\udfff]|->").search
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


def _fast_work_item(value: object) -> WorkItem | None:
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
        and _KEY_BAD_SEARCH(key) is None
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


def _fast_dependency(value: object) -> Dependency | None:
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
    "work_items": _fast_work_item,
    "dependencies": _fast_dependency,
}


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return f"a {len(str(abs(value)))}-digit number"
    return bounds.echo(value, 40)
