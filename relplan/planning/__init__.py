"""Planning analyses over a plan: dependency graphs, ``check``, ``schedule`` and ``impact``.

Pure functions of :class:`relplan.domain.model.Plan` (no Qt, no I/O); see
shared/spec/analysis.md for the definitions they implement.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from relplan.planning.check import Problem, check_plan
    from relplan.planning.graph import dependency_graph, release_graph
    from relplan.planning.impact import Impact, MovedRelease, apply_impact, impact_of_slip
    from relplan.planning.report import format_impact, format_problems, format_schedule
    from relplan.planning.schedule import ReleaseSchedule, Schedule, schedule_plan

# The names below are loaded on first use (PEP 562), so that importing a light module of this
# package (calendar layout, freezes) does not import networkx and slow the window's start-up.
_WHERE = {
    "Problem": "check",
    "check_plan": "check",
    "dependency_graph": "graph",
    "release_graph": "graph",
    "Impact": "impact",
    "MovedRelease": "impact",
    "apply_impact": "impact",
    "impact_of_slip": "impact",
    "format_impact": "report",
    "format_problems": "report",
    "format_schedule": "report",
    "ReleaseSchedule": "schedule",
    "Schedule": "schedule",
    "schedule_plan": "schedule",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'relplan.planning' has no attribute {name!r}")
    return getattr(importlib.import_module(f"relplan.planning.{module}"), name)


__all__ = [
    "Impact",
    "MovedRelease",
    "Problem",
    "ReleaseSchedule",
    "Schedule",
    "apply_impact",
    "check_plan",
    "dependency_graph",
    "format_impact",
    "format_problems",
    "format_schedule",
    "impact_of_slip",
    "release_graph",
    "schedule_plan",
]
