"""Release load per environment and week, against hand-counted plans."""

from __future__ import annotations

import datetime as dt

import numpy as np

from relplan.metrics.load import default_load_window, monday_of, release_load
from relplan.metrics.scope import Window
from tests.unit.metrics.factories import day, plan, rel

TWO_WEEKS = Window(day("2026-11-30"), day("2026-12-13"))


def _plan():  # type: ignore[no-untyped-def]
    return plan(
        [
            rel("A", stages=[("Staging", "2026-11-30", "2026-12-02"),
                             ("Production", "2026-12-07", "2026-12-07")]),
            rel("B", stages=[("Staging", "2026-12-01", "2026-12-08")]),
            rel("C", status="cancelled", stages=[("Staging", "2026-11-30", "2026-12-13")]),
            rel("D", team="WEB", stages=[("Production", "2026-12-05", "2026-12-07")]),
            rel("E", stages=[("Staging", "2026-11-20", "2026-11-29")]),  # before the window
            rel("F", stages=[("QA", "2026-12-10", "2026-12-11")]),  # not an environment
        ]
    )  # fmt: skip


def test_counts_peaks_and_crowded_weeks() -> None:
    load = release_load(_plan(), window=TWO_WEEKS)
    assert load.weeks == (day("2026-11-30"), day("2026-12-07"))
    assert load.environments == ("Staging", "Production", "QA")
    assert load.capacities == (1, 1, 1)
    assert load.counts.tolist() == [[2, 1], [1, 2], [0, 1]]
    assert load.peak.tolist() == [[2, 1], [1, 2], [0, 1]]
    assert load.crowded.tolist() == [[True, False], [False, True], [False, False]]


def test_team_filter_and_week_alignment() -> None:
    window = Window(day("2026-12-02"), day("2026-12-09"))  # Wednesday to Wednesday
    load = release_load(_plan(), window=window, team="WEB")
    assert load.weeks == (day("2026-11-30"), day("2026-12-07"))
    assert load.counts.tolist() == [[0, 0], [1, 1], ]  # fmt: skip
    assert not load.crowded.any()


def test_distinct_releases_but_every_window_counts_towards_the_peak() -> None:
    p = plan(
        [rel("A", stages=[("Staging", "2026-11-30", "2026-11-30"),
                          ("Staging", "2026-12-02", "2026-12-03")])]
    )  # fmt: skip
    load = release_load(p, window=Window(day("2026-11-30"), day("2026-12-06")))
    assert load.counts[0].tolist() == [1]
    assert load.peak[0].tolist() == [1]


def test_default_window_and_mondays() -> None:
    assert monday_of(day("2026-12-06")) == day("2026-11-30")
    w = default_load_window(day("2026-12-02"))
    assert (w.start, w.end, w.days) == (day("2026-11-02"), day("2027-02-21"), 112)
    empty = release_load(plan(environments=()), window=w)
    assert empty.counts.shape == (0, 16)
    assert np.array_equal(empty.peak, empty.counts)
    assert isinstance(empty.weeks[0], dt.date)
