"""DORA's four keys against hand-computed values on small plans."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pytest

from relplan.domain.model import Deployment, Plan, WorkItem
from relplan.errors import UnknownObjectError, ValidationError
from relplan.metrics.benchmark import DEFAULT_REPORT, REPORTS
from relplan.metrics.dora import dora_metrics, dora_weekly, median
from relplan.metrics.scope import Window, resolve_window
from tests.unit.metrics.factories import day, deploy, item, plan, rel

NOVEMBER = Window(day("2026-11-01"), day("2026-11-30"))


def _plan(*deployments: Deployment, items: Iterable[WorkItem] = (), timezone: str = "UTC") -> Plan:
    releases = [rel("R1", team="PAY", train="Q4"), rel("R2", team="WEB")]
    return plan(releases, items, (), deployments, timezone=timezone)


def test_median_odd_even_empty_and_ties() -> None:
    assert median([5.0, 1.0, 3.0]) == 3.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5
    assert median([2.0, 2.0, 7.0, 7.0]) == 4.5
    assert median([1.0, 1.0, 1.0]) == 1.0
    assert median([]) is None


def test_empty_window() -> None:
    m = dora_metrics(_plan(), window=NOVEMBER)
    assert m.deployments == 0
    assert (m.per_day, m.per_week, m.frequency_band) == (0.0, 0.0, "low")
    assert (m.lead_time_hours, m.lead_time_band) == (None, None)
    assert (m.change_failure_rate, m.failure_band) == (None, None)
    assert (m.time_to_restore_hours, m.restore_band) == (None, None)
    assert m.notes == ("no Production deployments in the window",)
    out = m.to_json()
    assert out["lead_time_hours"] == {"median": None, "band": None}
    assert out["change_failure_rate"] == {"value": None, "band": None}
    assert out["time_to_restore_hours"] == {"median": None, "band": None}


def test_one_deployment() -> None:
    d = deploy("R1", "2026-11-10T12:00:00Z", changes=[("c1", "2026-11-09T18:00:00Z")])
    m = dora_metrics(_plan(d), window=NOVEMBER)
    assert m.deployments == 1
    assert m.per_day == pytest.approx(1 / 30)
    assert m.per_week == pytest.approx(7 / 30)
    assert m.frequency_band == "medium"  # once a month (30 days) is still medium
    assert (m.lead_time_hours, m.lead_time_band) == (18.0, "elite")
    assert (m.change_failure_rate, m.failure_band) == (0.0, "elite")
    assert (m.time_to_restore_hours, m.restore_band) == (None, None)
    assert m.notes == ("lead time rests on only 1 change",)


def test_hand_computed_window() -> None:
    deployments = [
        deploy(  # failed, restored after 45 minutes; one change of 42 h, one of 0 h
            "R1",
            "2026-11-03T10:20:00Z",
            "failed",
            restored="2026-11-03T11:05:00Z",
            changes=[("c1", "2026-11-01T16:20:00Z"), ("c2", "2026-11-03T10:20:00Z")],
        ),
        deploy(  # 24 h, and a change without a commit time
            "R1", "2026-11-10T12:00:00Z", changes=[("c3", "2026-11-09T12:00:00Z"), ("c4", None)]
        ),
        deploy("R1", "2026-11-20T12:00:00Z", "rolled_back", changes=[("c5", "2026-11-20T06:00Z")]),
        deploy("R1", "2026-11-21T12:00:00Z", environment="Staging"),  # not Production
        deploy("R1", "2026-10-31T12:00:00Z"),  # before the window
        deploy("R1", "2026-12-01T00:00:00Z"),  # after it
    ]
    m = dora_metrics(_plan(*deployments), window=NOVEMBER)
    assert (m.deployments, m.failed) == (3, 2)
    assert m.per_day == pytest.approx(0.1)
    assert m.per_week == pytest.approx(0.7)
    assert m.frequency_band == "medium"
    # Amended 2026-12-04: the failed and rolled-back deployments shipped nothing, so only the
    # 24 h change of the success counts (not 42, 24 and 6 as before).
    assert (m.lead_time_hours, m.lead_time_samples) == (24.0, 1)
    assert m.lead_time_band == "elite"  # exactly one day: the better band
    assert m.change_failure_rate == pytest.approx(2 / 3)
    assert m.failure_band == "low"
    assert (m.time_to_restore_hours, m.restore_samples, m.restore_band) == (0.75, 1, "elite")
    assert m.notes == (
        "1 failed deployment without a restore time",
        "1 change without a commit time (left out of lead time)",
        "2 deployments with no lead time to count",
        "lead time rests on only 1 change",
        "time to restore rests on only 1 deployment",
    )


def test_restore_median_even_and_no_restores() -> None:
    deployments = [
        deploy("R1", f"2026-11-0{n}T12:00:00Z", "failed", restored=f"2026-11-0{n}T{12 + h}:00:00Z")
        for n, h in ((2, 1), (3, 2), (4, 4), (5, 8))
    ]
    m = dora_metrics(_plan(*deployments), window=NOVEMBER)
    assert m.time_to_restore_hours == 3.0  # (2 + 4) / 2
    assert m.restore_band == "high"
    failed = [deploy("R1", f"2026-11-0{n}T12:00:00Z", "failed") for n in range(1, 5)]
    m = dora_metrics(_plan(*failed), window=NOVEMBER)
    assert m.time_to_restore_hours is None
    assert "4 failed deployments without a restore time" in m.notes
    assert m.change_failure_rate == 1.0


def test_without_changes_the_releases_resolved_items_count() -> None:
    items = [
        item("R2-1", "R2", "done", resolved="2026-11-14T12:00:00Z"),  # 24 h
        item("R2-2", "R2", "done", resolved="2026-11-15T00:00:00Z"),  # 12 h
        item("R2-3", "R2", "done", resolved="2026-11-16T12:00:00Z"),  # after: left out
        item("R2-4", "R2", "todo"),  # never resolved
        item("R1-1", "R1", "done", resolved="2026-11-14T12:00:00Z"),  # another release
    ]
    m = dora_metrics(_plan(deploy("R2", "2026-11-15T12:00:00Z"), items=items), window=NOVEMBER)
    assert (m.lead_time_hours, m.lead_time_samples) == (18.0, 2)
    assert m.notes == (
        "1 deployment without changes: lead time counts the resolved work items of their releases",
        "1 lead time of zero or less left out",
        "lead time rests on only 2 changes",
    )


def test_window_days_are_in_the_planning_zone() -> None:
    deployments = [
        deploy("R1", "2026-10-31T23:30:00Z"),  # 1 November in Berlin: in
        deploy("R1", "2026-11-30T23:30:00Z"),  # 1 December in Berlin: out
    ]
    m = dora_metrics(_plan(*deployments, timezone="Europe/Berlin"), window=NOVEMBER)
    assert m.deployments == 1
    m = dora_metrics(_plan(*deployments), window=NOVEMBER)  # UTC
    assert m.deployments == 1


def test_team_and_train_filters() -> None:
    deployments = [
        deploy("R1", "2026-11-02T12:00:00Z"),
        deploy("R2", "2026-11-03T12:00:00Z", "failed"),
        deploy("GONE", "2026-11-04T12:00:00Z"),  # a release the plan does not have
    ]
    p = _plan(*deployments)
    assert dora_metrics(p, window=NOVEMBER).deployments == 3
    assert dora_metrics(p, window=NOVEMBER, team="PAY").deployments == 1
    web = dora_metrics(p, window=NOVEMBER, team="WEB")
    assert (web.deployments, web.change_failure_rate) == (1, 1.0)
    assert dora_metrics(p, window=NOVEMBER, train="Q4").deployments == 1
    assert dora_metrics(p, window=NOVEMBER, team="WEB", train="Q4").deployments == 0
    with pytest.raises(UnknownObjectError):
        dora_metrics(p, window=NOVEMBER, team="NOPE")


def test_incident_on_a_success_is_noted_not_counted() -> None:
    d = deploy("R1", "2026-11-02T12:00:00Z", incident="INC-7")
    m = dora_metrics(_plan(d), window=NOVEMBER)
    assert m.change_failure_rate == 0.0
    assert (
        "1 succeeded deployment linked to an incident (the change failure rate counts outcomes "
        "only)"
    ) in m.notes


def test_frequency_band_edge_thirteen_in_ninety_one_days() -> None:
    window = Window(day("2026-09-01"), day("2026-11-30"))
    assert window.days == 91
    deployments = [deploy("R1", f"2026-11-{n:02d}T12:00:00Z") for n in range(1, 14)]
    m = dora_metrics(_plan(*deployments), window=window)
    assert m.per_week == pytest.approx(1.0)
    assert m.frequency_band == "high"  # once a week: high, not medium


def test_json_shape() -> None:
    d = deploy("R1", "2026-11-10T12:00:00Z", changes=[("c1", "2026-11-09T18:00:00Z")])
    out = dora_metrics(_plan(d), window=NOVEMBER).to_json()
    assert list(out) == [
        "from", "to", "deployments", "benchmark", "deployment_frequency", "lead_time_hours",
        "change_failure_rate", "time_to_restore_hours", "rework_rate", "notes", "quality",
    ]  # fmt: skip
    # Without pulled data nothing is noted, but every figure is listed.
    assert out["quality"]["figures"] == {
        "deployment_frequency": [], "lead_time_hours": [], "change_failure_rate": [],
        "time_to_restore_hours": [], "rework_rate": [],
    }  # fmt: skip
    assert out["from"] == "2026-11-01"
    assert out["to"] == "2026-11-30"
    assert out["benchmark"] == DEFAULT_REPORT.name
    assert "2024" in DEFAULT_REPORT.name  # amended 2026-12-04: the 2024 report by default
    assert set(out["deployment_frequency"]) == {"per_day", "per_week", "band"}


def test_weekly_buckets_end_on_the_last_day() -> None:
    deployments = [
        deploy("R1", "2026-11-01T12:00:00Z", "failed"),
        deploy("R1", "2026-11-03T12:00:00Z"),
        deploy("R1", "2026-11-30T12:00:00Z"),
    ]
    w = dora_weekly(_plan(*deployments), window=NOVEMBER)
    spans = [(b.window.start.day, b.window.end.day) for b in w.buckets]
    assert spans == [(1, 2), (3, 9), (10, 16), (17, 23), (24, 30)]
    assert [b.deployments for b in w.buckets] == [1, 1, 0, 0, 1]
    assert w.buckets[0].per_week == pytest.approx(3.5)  # 1 in 2 days
    assert [b.change_failure_rate for b in w.buckets] == [1.0, 0.0, None, None, 0.0]
    assert w.overall.deployments == 3
    assert w.buckets[0].notes == ()


def test_resolve_window() -> None:
    today = dt.date(2026, 11, 30)
    assert resolve_window(None, None, today=today) == Window(day("2026-09-02"), today)
    assert resolve_window(day("2026-11-01"), None, today=today) == NOVEMBER
    assert resolve_window(None, day("2026-11-30"), today=today, default_days=30) == NOVEMBER
    with pytest.raises(ValidationError, match="is after"):
        resolve_window(day("2026-12-01"), day("2026-11-01"), today=today)


def test_benchmark_reports_rate_the_same_figures_differently() -> None:
    # CFR 1/8 = 12.5 %, restore 12 h, lead 2 h, 8 deployments in 30 days.
    deployments = [
        deploy("R1", f"2026-11-{n:02d}T12:00:00Z", changes=[(f"c{n}", f"2026-11-{n:02d}T10:00Z")])
        for n in range(2, 9)
    ]
    deployments.append(
        deploy("R1", "2026-11-20T12:00:00Z", "failed", restored="2026-11-21T00:00:00Z")
    )
    bands = {
        year: (m.frequency_band, m.lead_time_band, m.failure_band, m.restore_band, m.to_json())
        for year in (2021, 2023, 2024)
        for m in [dora_metrics(_plan(*deployments), window=NOVEMBER, report=REPORTS[year])]
    }
    # 8 in 30 days is weekly: high in 2023 and 2024, high (weekly..monthly) in 2021 too.
    assert bands[2021][:4] == ("high", "high", "elite", "high")  # lead 2 h > 1 h; CFR <= 15 %
    assert bands[2023][:4] == ("high", "elite", "medium", "high")  # CFR 10..15 %: medium
    assert bands[2024][:4] == ("high", "elite", "high", "high")  # CFR 5..20 %: high
    assert "2021" in bands[2021][4]["benchmark"]
    assert bands[2024][4]["rework_rate"] == {"value": 0.0, "band": None}
