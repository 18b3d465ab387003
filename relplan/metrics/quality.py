"""Data-quality notes on DORA figures computed from pulled deployments (issue #15).

A figure is only as good as the links behind it. :class:`DataQuality` counts, for one window,
what makes a figure less sure, and says under which figures each count belongs:

- links to releases only *inferred* (by team and Production window, not by a tag): they decide
  which team's or train's figures a deployment counts for;
- deployments linked to *no release*: a ``--team``/``--train`` filter leaves them out;
- successful deployments whose source listed *no commits*: they give no lead time;
- incidents that *name no deployment*: only suggested (or not tied at all), never counted in
  the change failure rate, the time to restore or the rework rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, TypedDict

__all__ = ["FIGURES", "NO_NOTES", "DataQuality", "DataQualityJSON"]

#: The figures of ``relplan metrics``, as its JSON names them.
FIGURES: Final = (
    "deployment_frequency",
    "lead_time_hours",
    "change_failure_rate",
    "time_to_restore_hours",
    "rework_rate",
)


class DataQualityJSON(TypedDict):
    inferred_links: int
    unlinked_deployments: int
    without_commits: int
    unlinked_incidents: int
    suggested_incidents: int
    figures: dict[str, list[str]]


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@dataclass(frozen=True, slots=True)
class DataQuality:
    """What makes the figures of one window less sure (counts over that window).

    Attributes:
        inferred_links: Pulled deployments linked to their release only by inference.
        unlinked_deployments: Pulled deployments linked to no release.
        without_commits: Successful pulled deployments whose source listed no commits.
        unlinked_incidents: Incidents created in the window that name no deployment.
        suggested_incidents: Of those, the ones with a suggested deployment (shown, not counted).
    """

    inferred_links: int = 0
    unlinked_deployments: int = 0
    without_commits: int = 0
    unlinked_incidents: int = 0
    suggested_incidents: int = 0

    def lines(self) -> dict[str, str]:
        """Each non-zero count in words, by what it counts."""
        out = {}
        if self.inferred_links:
            out["inferred"] = (
                f"{_count(self.inferred_links, 'deployment')} linked to a release only by "
                "inference (team and Production window)"
            )
        if self.unlinked_deployments:
            out["unlinked"] = (
                f"{_count(self.unlinked_deployments, 'deployment')} linked to no release"
            )
        if self.without_commits:
            out["commits"] = (
                f"{_count(self.without_commits, 'successful deployment')} without commits "
                "(no lead time)"
            )
        if self.unlinked_incidents:
            suggested = self.suggested_incidents
            out["incidents"] = (
                f"{_count(self.unlinked_incidents, 'incident')} naming no deployment"
                + (f" ({suggested} only suggested)" if suggested else "")
                + ": not counted"
            )
        return out

    def figure_notes(self) -> dict[str, list[str]]:
        """The notes under each figure (every figure is listed, maybe with none)."""
        lines = self.lines()
        which = {
            "deployment_frequency": ("inferred", "unlinked"),
            "lead_time_hours": ("commits", "inferred"),
            "change_failure_rate": ("incidents", "inferred"),
            "time_to_restore_hours": ("incidents",),
            "rework_rate": ("incidents",),
        }
        return {fig: [lines[k] for k in which[fig] if k in lines] for fig in FIGURES}

    def notes(self) -> tuple[str, ...]:
        """Every note once."""
        return tuple(self.lines().values())

    def to_json(self) -> DataQualityJSON:
        """The counts and the notes per figure, as ``metrics --json`` prints them."""
        return {
            "inferred_links": self.inferred_links,
            "unlinked_deployments": self.unlinked_deployments,
            "without_commits": self.without_commits,
            "unlinked_incidents": self.unlinked_incidents,
            "suggested_incidents": self.suggested_incidents,
            "figures": self.figure_notes(),
        }


#: Nothing to note (the default of figures without pulled data).
NO_NOTES: Final = DataQuality()
