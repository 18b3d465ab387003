"""What every check of a plan reports: a :class:`Problem`, its severities and its order.

:mod:`relplan.planning.check` and :mod:`relplan.planning.lifecycle` both make problems; they share
this module so that neither needs the other's (check runs the lifecycle's checks too).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, TypedDict

__all__ = [
    "ENVIRONMENT_PREFIX",
    "ERROR",
    "FREEZE_PREFIX",
    "WARNING",
    "Problem",
    "ProblemJSON",
    "sort_problems",
]

ERROR: Final = "error"
WARNING: Final = "warning"
_SEVERITY_RANK: Final = {ERROR: 0, WARNING: 1}
FREEZE_PREFIX: Final = "freeze:"
ENVIRONMENT_PREFIX: Final = "environment:"


class ProblemJSON(TypedDict):
    """One problem of ``check --json``."""

    kind: str
    severity: str
    subjects: list[str]
    message: str


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in a plan.

    Attributes:
        kind: ``cycle``, ``dependency_violation``, ``freeze_conflict``,
            ``environment_conflict``, ``gate_pending``, ``stage_outside_release`` or
            ``released_with_open_gates``.
        severity: ``error`` or ``warning``.
        subjects: Sorted refs of what the problem is about (``release:KEY``, ``item:KEY``,
            ``freeze:NAME``, ``environment:NAME``).
        message: One line for people.
    """

    kind: str
    severity: str
    subjects: tuple[str, ...]
    message: str

    def to_json(self) -> ProblemJSON:
        """The problem as ``check --json`` prints it."""
        return {
            "kind": self.kind,
            "severity": self.severity,
            "subjects": list(self.subjects),
            "message": self.message,
        }

    def sort_key(self) -> tuple[int, str, tuple[str, ...], str]:
        """``(severity, kind, subjects)`` with errors first; the message breaks ties."""
        return (_SEVERITY_RANK.get(self.severity, 2), self.kind, self.subjects, self.message)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in the order ``check`` prints them: severity, kind, subjects (then message)."""
    return sorted(problems, key=Problem.sort_key)
