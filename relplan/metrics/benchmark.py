"""The DORA bands: the thresholds of one DORA report, cited here and nowhere else.

Source: *Accelerate State of DevOps Report 2023* (DORA, Google Cloud), the "software delivery
performance" table of its four clusters:

=========================  ==================  ======================  =====================
metric                     elite               high                    medium
=========================  ==================  ======================  =====================
deployment frequency       on demand           once a day..once a      once a week..once a
                                               week                    month
change lead time           less than one day   one day..one week       one week..one month
change failure rate        5 %                 10 %                    15 %
failed deployment          less than one hour  less than one day       one day..one week
recovery time
=========================  ==================  ======================  =====================

The report's low cluster deploys "between once per week and once per month" with a lead time of
"between one week and one month" (the same ranges as medium), fails 64 % of its changes and
recovers in "between one month and six months". Those ranges overlap or leave gaps, so relplan
reads the table as cut-offs: whatever is worse than medium is ``low``. "On demand" is read as at
least once a day on average, a month as 30 days, and the failure rates as upper bounds. A value
exactly on a cut-off belongs to the better band.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "BANDS",
    "BENCHMARK",
    "CHANGE_FAILURE_RATE",
    "DEPLOYMENTS_PER_DAY",
    "LEAD_TIME_HOURS",
    "TIME_TO_RESTORE_HOURS",
    "Thresholds",
]

#: What ``metrics --json`` names as its ``benchmark``.
BENCHMARK: Final = "DORA Accelerate State of DevOps Report 2023"
#: Best first.
BANDS: Final = ("elite", "high", "medium", "low")
# Float arithmetic may land a hair beside a cut-off (13 deployments in 91 days is 1.0 a week).
_TOLERANCE: Final = 1e-9


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The cut-offs of one metric.

    Attributes:
        metric: The metric's name in ``metrics --json``.
        higher_is_better: True for deployment frequency, False for the others.
        elite: The worst value that is still ``elite``.
        high: The worst value that is still ``high``.
        medium: The worst value that is still ``medium``; anything worse is ``low``.
    """

    metric: str
    higher_is_better: bool
    elite: float
    high: float
    medium: float

    def band(self, value: float | None) -> str | None:
        """The band of ``value`` (None for no value).

        Examples:
            >>> CHANGE_FAILURE_RATE.band(0.05), CHANGE_FAILURE_RATE.band(0.06)
            ('elite', 'high')
            >>> DEPLOYMENTS_PER_DAY.band(1 / 7), DEPLOYMENTS_PER_DAY.band(None)
            ('high', None)
        """
        if value is None:
            return None
        for name, cut in zip(BANDS, (self.elite, self.high, self.medium), strict=False):
            slack = _TOLERANCE * max(1.0, abs(cut))
            if (value >= cut - slack) if self.higher_is_better else (value <= cut + slack):
                return name
        return "low"

    def cuts(self) -> tuple[tuple[str, float, float], ...]:
        """Each band with its range ``(band, low end, high end)`` on the metric's axis.

        The outer ends are 0 and infinity.
        """
        inf = float("inf")
        # A report whose cut-offs are out of order (2024's failure rates) leaves a band empty,
        # as :meth:`band` never gives it: each cut is held to the one before it.
        if self.higher_is_better:
            high = min(self.high, self.elite)
            medium = min(self.medium, high)
            return (
                ("elite", self.elite, inf),
                ("high", high, self.elite),
                ("medium", medium, high),
                ("low", 0.0, medium),
            )
        high = max(self.high, self.elite)
        medium = max(self.medium, high)
        return (
            ("elite", 0.0, self.elite),
            ("high", self.elite, high),
            ("medium", high, medium),
            ("low", medium, inf),
        )


#: Deployments per day: at least daily, weekly, monthly (30 days).
DEPLOYMENTS_PER_DAY: Final = Thresholds("deployment_frequency", True, 1.0, 1 / 7, 1 / 30)
#: Median hours from commit to Production: a day, a week, a month (30 days).
LEAD_TIME_HOURS: Final = Thresholds("lead_time_hours", False, 24.0, 168.0, 720.0)
#: Share of failed deployments: 5 %, 10 %, 15 %.
CHANGE_FAILURE_RATE: Final = Thresholds("change_failure_rate", False, 0.05, 0.10, 0.15)
#: Median hours to restore: an hour, a day, a week.
TIME_TO_RESTORE_HOURS: Final = Thresholds("time_to_restore_hours", False, 1.0, 24.0, 168.0)


@dataclass(frozen=True, slots=True)
class Report:
    """The bands of one DORA report, for ``metrics --benchmark YEAR``.

    Attributes:
        year: The report's year.
        name: What ``metrics --json`` names as its ``benchmark``.
        frequency: Deployments per day.
        lead_time: Hours from commit to Production.
        failure_rate: Share of failed deployments.
        restore: Hours to restore.
        rework_rate: Share of deployments caused by an incident; None where the report has no
            bands for it.
    """

    year: int
    name: str
    frequency: Thresholds
    lead_time: Thresholds
    failure_rate: Thresholds
    restore: Thresholds
    rework_rate: Thresholds | None = None


_MONTH_H: Final = 720.0
_HALF_YEAR_H: Final = 4380.0  # six months of 30.4 days

#: Accelerate State of DevOps 2021, "software delivery performance" table: elite deploys on
#: demand, leads in under an hour, restores in under an hour and fails 0-15 %; high deploys
#: weekly to monthly, leads a day to a week, restores within a day; medium deploys monthly to
#: every six months, leads a month to six months, restores within a week; high, medium and low
#: all fail 16-30 %.
REPORT_2021: Final = Report(
    2021,
    "DORA Accelerate State of DevOps Report 2021",
    Thresholds("deployment_frequency", True, 1.0, 1 / 30, 1 / 182.5),
    Thresholds("lead_time_hours", False, 1.0, 168.0, _HALF_YEAR_H),
    Thresholds("change_failure_rate", False, 0.15, 0.30, 0.30),
    Thresholds("time_to_restore_hours", False, 1.0, 24.0, 168.0),
)
#: The 2023 report: the table at the top of this module.
REPORT_2023: Final = Report(
    2023,
    BENCHMARK,
    DEPLOYMENTS_PER_DAY,
    LEAD_TIME_HOURS,
    CHANGE_FAILURE_RATE,
    TIME_TO_RESTORE_HOURS,
)
#: Accelerate State of DevOps 2024, its four performance clusters: elite deploys on demand, leads
#: in under a day, fails 5 % and recovers in under an hour; high deploys daily to weekly, leads a
#: day to a week, fails 20 % and recovers in under a day; medium deploys weekly to monthly, leads a
#: week to a month, fails 10 % and recovers in under a day; low recovers in a week to a month. The
#: report introduces the rework rate without bands for it. Its failure rates are not ordered
#: (medium fails less than high): a value takes the best band whose cut-off it meets, so 5-20 %
#: is ``high`` and the ``medium`` failure band is empty.
REPORT_2024: Final = Report(
    2024,
    "DORA Accelerate State of DevOps Report 2024",
    Thresholds("deployment_frequency", True, 1.0, 1 / 7, 1 / 30),
    Thresholds("lead_time_hours", False, 24.0, 168.0, _MONTH_H),
    Thresholds("change_failure_rate", False, 0.05, 0.20, 0.10),
    Thresholds("time_to_restore_hours", False, 1.0, 24.0, 24.0),
)
#: ``--benchmark YEAR`` -> report; the default is the newest.
REPORTS: Final = {r.year: r for r in (REPORT_2021, REPORT_2023, REPORT_2024)}
DEFAULT_REPORT: Final = REPORT_2024
