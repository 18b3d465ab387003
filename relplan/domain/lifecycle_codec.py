"""The release-lifecycle keys of the workspace format, to and from JSON dicts.

workspace-format.md, "The release lifecycle": environment ``requires_approval``, release
``monitoring_days``, stage ``steps`` and ``switch``, and the ``templates`` and ``flags`` sections.
Every key is optional; an encoder writes a key only when it is set, so files of plans that use
none of them are unchanged. :mod:`relplan.domain.codec` calls these for the keys it owns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from relplan.domain import bounds
from relplan.domain.fields import FieldReader
from relplan.domain.model import (
    GATE_KINDS,
    STAGE_STRATEGIES,
    Flag,
    RolloutStep,
    Stage,
    Template,
    TemplateGate,
    TemplateMilestone,
    TemplateStage,
)

Json = dict[str, Any]

#: The longest a template may reach back from its target, or a monitoring period may last.
MAX_OFFSET_DAYS: Final = 3660

STAGE_KEYS: Final = ("steps", "switch")
RELEASE_KEYS: Final = ("monitoring_days",)
ENVIRONMENT_KEYS: Final = ("requires_approval",)


def encode_steps(steps: tuple[RolloutStep, ...]) -> list[Json]:
    """The JSON list of rollout steps."""
    return [{"date": s.date.isoformat(), "percent": s.percent} for s in steps]


def stage_extra(stage: Stage) -> Json:
    """The lifecycle keys of a stage's JSON dict (only those that are set)."""
    out: Json = {}
    if stage.steps:
        out["steps"] = encode_steps(stage.steps)
    if stage.switch is not None:
        out["switch"] = stage.switch.isoformat()
    return out


def encode_template(t: Template) -> Json:
    """The JSON dict of a template."""
    return {
        "key": t.key,
        "name": t.name,
        "stages": [
            {
                "environment": s.environment,
                "days": s.days,
                "ends_before_target": s.ends_before_target,
                "strategy": s.strategy,
            }
            for s in t.stages
        ],
        "milestones": [{"name": m.name, "before_target": m.before_target} for m in t.milestones],
        "gates": [
            {
                "name": g.name,
                "environment": g.environment,
                "kind": g.kind,
                "approvers": list(g.approvers),
            }
            for g in t.gates
        ],
        "monitoring_days": t.monitoring_days,
    }


def encode_flag(f: Flag) -> Json:
    """The JSON dict of a feature flag."""
    return {
        "key": f.key,
        "release": f.release,
        "environment": f.environment,
        "owner": f.owner,
        "steps": encode_steps(f.steps),
    }


# -- reading -----------------------------------------------------------------------------------
def read_bool(dec: FieldReader, d: Mapping[str, Any], key: str, path: str) -> bool:
    """An optional boolean field (default false)."""
    value = d.get(key, False)
    if not isinstance(value, bool):
        dec.error(_join(path, key), f"expected true or false, found {bounds.echo(value)}")
        return False
    return value


def read_steps(dec: FieldReader, d: Mapping[str, Any], path: str) -> tuple[RolloutStep, ...]:
    """The optional ``steps`` list: each ``{"date", "percent"}``, dates strictly increasing,
    percents strictly increasing within 1..100."""
    steps: list[RolloutStep] = []
    for p, v in dec.items(d, "steps", path):
        s = dec.obj(v, p, ("date", "percent"))
        if s is None:
            continue
        before = len(dec.issues)
        day = dec.date(s, "date", p)
        percent = dec.integer(s, "percent", p, 0, 1, 100)
        if "percent" not in s:
            dec.error(_join(p, "percent"), "expected a whole number 1..100, missing")
        if len(dec.issues) != before or day is None:
            continue
        if steps and day <= steps[-1].date:
            dec.error(_join(p, "date"), f"{day} is not after the previous step's {steps[-1].date}")
        elif steps and percent <= steps[-1].percent:
            dec.error(
                _join(p, "percent"),
                f"{percent} is not above the previous step's {steps[-1].percent}",
            )
        steps.append(RolloutStep(day, percent))
    return tuple(steps)


def read_stage_extra(dec: FieldReader, d: Mapping[str, Any], path: str) -> Json:
    """The lifecycle fields of a stage, as keyword arguments for :class:`Stage`."""
    switch = dec.date(d, "switch", path, required=False)
    return {"steps": read_steps(dec, d, path), "switch": switch}


def read_monitoring(dec: FieldReader, d: Mapping[str, Any], path: str) -> int:
    """The optional ``monitoring_days`` (0..MAX_OFFSET_DAYS, default 0)."""
    return dec.integer(d, "monitoring_days", path, 0, 0, MAX_OFFSET_DAYS)


def read_template(dec: FieldReader, value: object, path: str) -> Template | None:
    """Read a template."""
    allowed = ("key", "name", "stages", "milestones", "gates", "monitoring_days")
    d = dec.obj(value, path, allowed)
    if d is None:
        return None
    before = len(dec.issues)
    stages: list[TemplateStage] = []
    for p, v in dec.items(d, "stages", path):
        s = dec.obj(v, p, ("environment", "days", "ends_before_target", "strategy"))
        if s is None:
            continue
        if "days" not in s:
            dec.error(_join(p, "days"), "expected a whole number of days >= 1, missing")
        stages.append(
            TemplateStage(
                environment=dec.key(s, "environment", p),
                days=dec.integer(s, "days", p, 1, 1, MAX_OFFSET_DAYS),
                ends_before_target=dec.integer(
                    s, "ends_before_target", p, 0, -MAX_OFFSET_DAYS, MAX_OFFSET_DAYS
                ),
                strategy=dec.choice(s, "strategy", p, STAGE_STRATEGIES, "big_bang"),
            )
        )
    milestones: list[TemplateMilestone] = []
    for p, v in dec.items(d, "milestones", path):
        m = dec.obj(v, p, ("name", "before_target"))
        if m is not None:
            milestones.append(
                TemplateMilestone(
                    dec.text(m, "name", p),
                    dec.integer(m, "before_target", p, 0, -MAX_OFFSET_DAYS, MAX_OFFSET_DAYS),
                )
            )
    gates: list[TemplateGate] = []
    for p, v in dec.items(d, "gates", path):
        g = dec.obj(v, p, ("name", "environment", "kind", "approvers"))
        if g is not None:
            gates.append(
                TemplateGate(
                    name=dec.text(g, "name", p),
                    environment=dec.opt_text(g, "environment", p),
                    kind=dec.choice(g, "kind", p, GATE_KINDS, "manual"),
                    approvers=dec.strings(g, "approvers", p),
                )
            )
    template = Template(
        key=dec.key(d, "key", path),
        name=dec.text(d, "name", path),
        stages=tuple(stages),
        milestones=tuple(milestones),
        gates=tuple(gates),
        monitoring_days=read_monitoring(dec, d, path),
    )
    return template if len(dec.issues) == before else None


def read_flag(dec: FieldReader, value: object, path: str) -> Flag | None:
    """Read a feature flag."""
    d = dec.obj(value, path, ("key", "release", "environment", "owner", "steps"))
    if d is None:
        return None
    before = len(dec.issues)
    flag = Flag(
        key=dec.key(d, "key", path),
        release=dec.key(d, "release", path),
        environment=dec.key(d, "environment", path),
        owner=dec.opt_text(d, "owner", path),
        steps=read_steps(dec, d, path),
    )
    return flag if len(dec.issues) == before else None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
