"""Release templates: the three shipped ones, and turning a template into a release or a train.

The arithmetic is workspace-format.md's ("The release lifecycle"): a template stage ends
``ends_before_target`` days before the target and lasts ``days`` days, both ends included; a
milestone falls ``before_target`` days before the target; a release made from a template starts on
its earliest stage start (its target when it has none) and gets the template's stages,
milestones, gates (``pending``) and monitoring period. Pure functions of the domain: the edits
(:mod:`relplan.edits.lifecycle`) check and store what they give.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from relplan.domain.model import (
    Gate,
    Milestone,
    Release,
    Stage,
    Template,
    TemplateGate,
    TemplateMilestone,
    TemplateStage,
    Train,
)

__all__ = [
    "SHIPPED",
    "TrainPlan",
    "all_templates",
    "parse_every",
    "release_from_template",
    "train_plans",
]

_STANDARD: Final = Template(
    key="standard",
    name="Standard Dev→QA→Staging→Production",
    stages=(
        TemplateStage("Dev", 30, 15, "big_bang"),
        TemplateStage("QA", 7, 8, "big_bang"),
        TemplateStage("Staging", 5, 3, "blue_green"),
        TemplateStage("Production", 2, 0, "canary"),
    ),
    milestones=(
        TemplateMilestone("Planning done", 44),
        TemplateMilestone("Code freeze", 15),
        TemplateMilestone("Go/no-go", 1),
    ),
    gates=(
        TemplateGate("QA sign-off", "Staging", "manual", ("qa-lead",)),
        TemplateGate("CAB approval", "Production", "manual", ("ops-lead",)),
    ),
    monitoring_days=7,
)
_HOTFIX: Final = Template(
    key="hotfix",
    name="Hotfix (Staging→Production in three days)",
    stages=(
        TemplateStage("Staging", 2, 1, "big_bang"),
        TemplateStage("Production", 1, 0, "rolling"),
    ),
    milestones=(TemplateMilestone("Fix verified", 1),),
    gates=(TemplateGate("Emergency CAB", "Production", "manual", ("ops-lead",)),),
    monitoring_days=3,
)
_MOBILE: Final = Template(
    key="mobile",
    name="Mobile app with app-store review",
    stages=(
        TemplateStage("Dev", 21, 16, "big_bang"),
        TemplateStage("QA", 5, 11, "big_bang"),
        TemplateStage("Staging", 7, 3, "big_bang"),
        TemplateStage("Production", 3, 0, "rolling"),
    ),
    milestones=(
        TemplateMilestone("Code freeze", 16),
        TemplateMilestone("Submitted for store review", 10),
        TemplateMilestone("Store approval expected", 4),
    ),
    gates=(
        TemplateGate("Release candidate sign-off", "Staging", "manual", ("mobile-lead",)),
        TemplateGate("App-store review", "Production", "automated", ()),
    ),
    monitoring_days=14,
)

#: The templates relplan ships; a workspace template with the same key takes precedence.
SHIPPED: Final[tuple[Template, ...]] = (_STANDARD, _HOTFIX, _MOBILE)


def all_templates(workspace: Iterable[Template]) -> list[Template]:
    """The shipped templates and the workspace's own, by key; a workspace template replaces a
    shipped one of the same key."""
    found = {t.key: t for t in SHIPPED}
    found.update((t.key, t) for t in workspace)
    return [found[k] for k in sorted(found)]


def release_from_template(
    template: Template,
    *,
    key: str,
    team: str,
    target: dt.date,
    train: str | None = None,
    name: str | None = None,
) -> Release:
    """The release ``template`` gives for ``target``.

    Examples:
        >>> r = release_from_template(_HOTFIX, key="PAY-HF1", team="PAY",
        ...                           target=dt.date(2026, 12, 10))
        >>> r.start, [(s.environment, str(s.start), str(s.end)) for s in r.stages]
        (datetime.date(2026, 12, 8), [('Staging', '2026-12-08', '2026-12-09'), \
('Production', '2026-12-10', '2026-12-10')])
    """
    stages = tuple(
        Stage(
            s.environment,
            target - dt.timedelta(days=s.ends_before_target + s.days - 1),
            target - dt.timedelta(days=s.ends_before_target),
            s.strategy,
        )
        for s in template.stages
    )
    milestones = tuple(
        Milestone(m.name, target - dt.timedelta(days=m.before_target)) for m in template.milestones
    )
    gates = tuple(Gate(g.name, g.environment, g.kind, g.approvers) for g in template.gates)
    start = min((s.start for s in stages), default=target)
    return Release(
        key=key,
        name=name or f"{key} ({template.name})",
        team=team,
        train=train,
        start=start,
        target=target,
        stages=tuple(sorted(stages, key=lambda s: (s.start, s.end, s.environment))),
        milestones=milestones,
        gates=gates,
        monitoring_days=template.monitoring_days,
    )


_EVERY = re.compile(r"^([1-9][0-9]{0,3})([dw])$")


def parse_every(text: str) -> int:
    """The days of a cadence ``Nd`` or ``Nw`` (ValueError otherwise).

    Examples:
        >>> parse_every("2w"), parse_every("10d")
        (14, 10)
    """
    match = _EVERY.match(text.strip())
    if match is None:
        raise ValueError(f"expected a cadence such as 2w or 10d, found {text!r}")
    count = int(match.group(1))
    return count * 7 if match.group(2) == "w" else count


@dataclass(frozen=True, slots=True)
class TrainPlan:
    """One train ``train new`` makes, with its releases."""

    train: Train
    releases: tuple[Release, ...]


def train_plans(
    template: Template,
    *,
    key: str,
    target: dt.date,
    teams: Sequence[str],
    every_days: int | None = None,
    count: int | None = None,
    name: str | None = None,
) -> list[TrainPlan]:
    """The trains (and one release per team each) of ``relplan train new``.

    Without a cadence: train ``KEY`` with releases ``TEAM-KEY``. With ``every_days`` and
    ``count``: trains ``KEY.1`` … ``KEY.C``, the first targeting ``target`` and each next one
    ``every_days`` later, with releases ``TEAM-KEY.i``.

    Examples:
        >>> [p.train.key for p in train_plans(_HOTFIX, key="T", target=dt.date(2026, 1, 5),
        ...                                    teams=["A"], every_days=14, count=2)]
        ['T.1', 'T.2']
    """
    series = every_days is not None and count is not None
    plans = []
    for i in range(count if series and count is not None else 1):
        train_key = f"{key}.{i + 1}" if series else key
        day = target + dt.timedelta(days=(every_days or 0) * i)
        train_name = f"{name} {i + 1}" if series and name else (name or f"Train {train_key}")
        releases = tuple(
            release_from_template(
                template,
                key=f"{team}-{train_key}",
                team=team,
                target=day,
                train=train_key,
                name=f"{team} {train_key}",
            )
            for team in teams
        )
        plans.append(TrainPlan(Train(train_key, train_name, day), releases))
    return plans
