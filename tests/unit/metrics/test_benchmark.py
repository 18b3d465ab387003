"""The DORA bands at and beside their edges."""

from __future__ import annotations

import itertools

import pytest

from relplan.metrics.benchmark import (
    CHANGE_FAILURE_RATE,
    DEPLOYMENTS_PER_DAY,
    LEAD_TIME_HOURS,
    TIME_TO_RESTORE_HOURS,
    Thresholds,
)

EPS = 1e-6


@pytest.mark.parametrize(
    ("thresholds", "value", "band"),
    [
        (DEPLOYMENTS_PER_DAY, 3.0, "elite"),
        (DEPLOYMENTS_PER_DAY, 1.0, "elite"),
        (DEPLOYMENTS_PER_DAY, 1.0 - EPS, "high"),
        (DEPLOYMENTS_PER_DAY, 1 / 7, "high"),
        (DEPLOYMENTS_PER_DAY, 1 / 7 - EPS, "medium"),
        (DEPLOYMENTS_PER_DAY, 1 / 30, "medium"),
        (DEPLOYMENTS_PER_DAY, 1 / 30 - EPS, "low"),
        (DEPLOYMENTS_PER_DAY, 0.0, "low"),
        (LEAD_TIME_HOURS, 0.5, "elite"),
        (LEAD_TIME_HOURS, 24.0, "elite"),
        (LEAD_TIME_HOURS, 24.0 + EPS, "high"),
        (LEAD_TIME_HOURS, 168.0, "high"),
        (LEAD_TIME_HOURS, 168.0 + EPS, "medium"),
        (LEAD_TIME_HOURS, 720.0, "medium"),
        (LEAD_TIME_HOURS, 720.0 + EPS, "low"),
        (CHANGE_FAILURE_RATE, 0.0, "elite"),
        (CHANGE_FAILURE_RATE, 0.05, "elite"),
        (CHANGE_FAILURE_RATE, 1 / 20, "elite"),
        (CHANGE_FAILURE_RATE, 0.05 + EPS, "high"),
        (CHANGE_FAILURE_RATE, 0.10, "high"),
        (CHANGE_FAILURE_RATE, 3 / 20, "medium"),
        (CHANGE_FAILURE_RATE, 0.15 + EPS, "low"),
        (CHANGE_FAILURE_RATE, 1.0, "low"),
        (TIME_TO_RESTORE_HOURS, 1.0, "elite"),
        (TIME_TO_RESTORE_HOURS, 1.0 + EPS, "high"),
        (TIME_TO_RESTORE_HOURS, 24.0, "high"),
        (TIME_TO_RESTORE_HOURS, 168.0, "medium"),
        (TIME_TO_RESTORE_HOURS, 168.0 + EPS, "low"),
    ],
)
def test_band_edges_go_to_the_better_band(thresholds: Thresholds, value: float, band: str) -> None:
    assert thresholds.band(value) == band


def test_no_value_no_band() -> None:
    assert LEAD_TIME_HOURS.band(None) is None


def test_cuts_cover_the_axis_without_gaps() -> None:
    for thresholds in (DEPLOYMENTS_PER_DAY, LEAD_TIME_HOURS, TIME_TO_RESTORE_HOURS):
        spans = sorted((low, high) for _, low, high in thresholds.cuts())
        assert spans[0][0] == 0.0
        assert spans[-1][1] == float("inf")
        assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
