"""Planning analyses over a plan: dependency graphs, ``check``, ``schedule`` and ``impact``.

Pure functions of :class:`relplan.domain.model.Plan` (no Qt, no I/O); see
shared/spec/analysis.md for the definitions they implement.
"""

from relplan.planning.check import Problem, check_plan
from relplan.planning.graph import dependency_graph, release_graph
from relplan.planning.impact import Impact, MovedRelease, apply_impact, impact_of_slip
from relplan.planning.report import format_impact, format_problems, format_schedule
from relplan.planning.schedule import ReleaseSchedule, Schedule, schedule_plan

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
