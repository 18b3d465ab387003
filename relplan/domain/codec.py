"""Conversion between domain objects and the workspace JSON format's plain dicts.

``encode_*`` gives the exact JSON-ready dict of workspace-format.md; ``Decoder`` reads one back,
checking every field and collecting one :class:`~relplan.errors.Issue` per problem, named by its
JSON path (``releases[3].target``). Cross-references (does team ``PAY`` exist?) are checked by the
caller, which knows the whole document.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from relplan.domain import bounds, lifecycle_codec
from relplan.domain.codec_fast import fast_dependency, fast_work_item
from relplan.domain.fields import FieldReader, join_path
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


class Decoder(FieldReader):
    """Reads JSON dicts into domain objects, collecting every problem with its JSON path.

    A method returns ``None`` when the object had an error; after a run, :attr:`issues` lists
    them all and :meth:`raise_if_any` turns them into one :class:`ValidationError`.

    Args:
        stored: the data was written by relplan itself (the audit log). The key and name
            bounds (:mod:`relplan.domain.bounds`) guard what comes in; a workspace made before
            a bound existed may hold a value outside it, and its history must still undo.
    """

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
                self.error(join_path(path, "end"), f"end {end} is before start {start}")
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
                    join_path(path, "target"),
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
                self.error(join_path(path, "end"), f"end {end} is before start {start}")
            elif start == end and start_time and end_time and start_time >= end_time:
                self.error(join_path(path, "end_time"), f"{end_time} is not after {start_time}")
            rrule = self.opt_text(d, "rrule", path)
            problem = None if rrule is None else bounds.rule_bounds_problem(rrule)
            if problem is not None:
                self.error(join_path(path, "rrule"), problem)
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
        item = fast_work_item(value)
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
        dep = fast_dependency(value)
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
                        join_path(path, key),
                        f"found {bounds.echo(ref)}, expected 'release:KEY' or 'item:KEY'",
                    )
                ends.append(ref)
            if ends[0] and ends[0] == ends[1]:
                self.error(join_path(path, "to"), f"{ends[0]} cannot depend on itself")
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
                self.error(join_path(path, "finished"), "finished before it started")
            if restored is not None and outcome == "succeeded":
                self.error(
                    join_path(path, "restored"), "only a deployment that did not succeed has one"
                )
            if restored is not None and finished is not None and restored < finished:
                self.error(join_path(path, "restored"), "restored before the deployment finished")
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
