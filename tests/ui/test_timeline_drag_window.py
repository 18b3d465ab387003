"""Dragging bars in the real main window: the body moves the whole release, the end one date."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QPoint, Qt

from relplan.domain.model import Release
from relplan.edits.shift import shift_release
from relplan.store.workspace import Workspace
from relplan.ui.main_window import MainWindow
from relplan.ui.views.timeline import ZOOMS, TimelineView
from tests.ui.test_timeline import bar_point


def long_open_release(ws: Workspace) -> Release:
    """A planned release of at least three weeks, with stages and milestones."""
    return next(
        r
        for r in ws.plan().releases
        if r.status == "planned"
        and r.start is not None
        and r.target is not None
        and (r.target - r.start).days >= 21
        and r.stages
        and r.milestones
    )


def drag(qtbot: Any, window: MainWindow, key: str, *, days_in: float, days: int) -> None:
    """Press ``days_in`` days into ``key``'s bar, move ``days`` days and release."""
    timeline = window.timeline
    assert isinstance(timeline, TimelineView)
    assert window.show_view("Timeline")
    timeline.set_zoom("week")
    press = bar_point(timeline, key, days_in=days_in)
    viewport = timeline.chart.viewport()
    to = press + QPoint(round(days * ZOOMS["week"]), 0)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=press)
    qtbot.mouseMove(viewport, to)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=to)
    qtbot.waitUntil(lambda: window.runner.idle and not window.analyser.pending)


def outside_problems(window: MainWindow, key: str) -> list[str]:
    return [
        p.message
        for p in window.problems_dock.shown_problems()
        if p.kind == "stage_outside_release" and p.subjects == (f"release:{key}",)
    ]


def test_dragging_a_bar_body_moves_its_stages_and_milestones(
    qtbot: Any, window: MainWindow, demo_ws: Workspace
) -> None:
    before = long_open_release(demo_ws)
    drag(qtbot, window, before.key, days_in=3.5, days=15)
    after = demo_ws.release(before.key)
    assert after == shift_release(before, 15)
    assert after.stages[-1].end - after.target == before.stages[-1].end - before.target  # type: ignore[operator]
    assert outside_problems(window, before.key) == []


def test_dragging_a_bar_end_changes_the_target_and_the_problems_panel_says_so(
    qtbot: Any, window: MainWindow, demo_ws: Workspace
) -> None:
    before = long_open_release(demo_ws)
    assert before.target is not None
    assert outside_problems(window, before.key) == []
    drag(qtbot, window, before.key, days_in=-0.1, days=-7)
    after = demo_ws.release(before.key)
    assert after == replace(before, target=before.target - dt.timedelta(days=7))
    qtbot.waitUntil(lambda: bool(outside_problems(window, before.key)))
    [message] = outside_problems(window, before.key)
    assert message.startswith(f"{before.key}'s stage ")
    assert "lies outside the release" in message
