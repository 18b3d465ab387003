"""Dragging bars in the real main window: the body moves the whole release, the end one date."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QPoint, QPointF, Qt

from relplan.domain.model import Release
from relplan.edits.shift import shift_release
from relplan.store.workspace import Workspace
from relplan.ui.main_window import MainWindow
from relplan.ui.views.timeline import ZOOMS, TimelineView
from relplan.ui.views.timeline_paint import ROW_PX
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


def test_while_a_body_is_dragged_its_stages_move_with_the_bar(
    qtbot: Any, window: MainWindow, demo_ws: Workspace
) -> None:
    """The preview shows what the drop writes: the newcomer saw the stages stay behind."""
    before = long_open_release(demo_ws)
    last = before.stages[-1]
    timeline = window.timeline
    assert isinstance(timeline, TimelineView)
    assert window.show_view("Timeline")
    timeline.set_zoom("week")
    chart = timeline.chart
    press = bar_point(timeline, before.key, days_in=3.5)
    viewport = chart.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=press)
    qtbot.mouseMove(viewport, press + QPoint(round(15 * ZOOMS["week"]), 0))
    layout = chart.timeline
    assert layout is not None
    row = layout.row_of(before.key)
    assert row is not None
    # A day after the old bar that the moved last stage covers now (its middle).
    assert before.target is not None
    first = max(last.start + dt.timedelta(days=15), before.target + dt.timedelta(days=1))
    final = last.end + dt.timedelta(days=15)
    assert first <= final
    day = first + (final - first) // 2
    scene = QPointF((layout.x(day) + 0.5) * chart.day_px, (row + 1) * ROW_PX - 7)
    chart.centerOn(scene)  # scrolling keeps the drag: it is measured in viewport pixels
    image = viewport.grab().toImage()
    pixel = image.pixelColor(chart.mapFromScene(scene))
    assert pixel.name() == chart.env_colors[last.environment].name()
    qtbot.keyClick(chart, Qt.Key.Key_Escape)  # cancels the drag: nothing is written
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=press)
    qtbot.waitUntil(lambda: window.runner.idle and not window.analyser.pending)
    assert demo_ws.release(before.key) == before
