"""The Calendar view on the demo workspace: what is on which day, filters, clicks, export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage

from relplan.domain.model import Plan
from relplan.layout.calendar import CalendarLayout
from relplan.store.workspace import Workspace
from relplan.ui.analysis import PlanAnalysis, analyse_plan
from relplan.ui.main_window import MainWindow
from relplan.ui.palette import DARK, LIGHT
from relplan.ui.views.calendar import CalendarView
from relplan.ui.views.calendar_legend import describe_day, describe_release
from relplan.ui.views.calendar_paint import DayRole

from .conftest import DEMO_TODAY

JUNE = [DEMO_TODAY + dt.timedelta(days=i) for i in range(30)]
FREEZE = "Data-centre migration"  # 2026-06-09..15, Staging+Production, teams API, DATA, OPS


@pytest.fixture
def analysis(demo_ws: Workspace) -> PlanAnalysis:
    return analyse_plan(demo_ws.plan(), today=DEMO_TODAY)


@pytest.fixture
def calendar(qtbot: Any, analysis: PlanAnalysis) -> CalendarView:
    view = CalendarView()
    qtbot.addWidget(view)
    view.resize(1300, 860)
    view.set_data(analysis.plan, analysis)
    view.show()
    qtbot.waitExposed(view)
    return view


def _layout(view: CalendarView) -> CalendarLayout:
    layout = view.layout_model
    assert layout is not None
    return layout


def _on(plan: Plan, day: dt.date, teams: set[str] | None = None) -> set[str]:
    """The releases whose start..target covers ``day`` (what the calendar must show)."""
    return {
        r.key
        for r in plan.releases
        if r.start and r.target and r.start <= day <= r.target and (not teams or r.team in teams)
    }


def test_month_of_today_shows_the_releases_on_their_days(
    calendar: CalendarView, analysis: PlanAnalysis
) -> None:
    layout = _layout(calendar)
    assert calendar.kind == "month"
    assert calendar.title.text() == "June 2026"
    assert calendar.model.rowCount() == 5
    assert calendar.model.columnCount() == 7
    assert calendar.model.headerData(0, Qt.Orientation.Horizontal) == "Mon"
    assert calendar.model.headerData(1, Qt.Orientation.Vertical) == "W24"
    for day in JUNE:
        assert set(layout.keys_on(day)) == _on(analysis.plan, day), day
    assert "OPS-2026.06" in layout.keys_on(dt.date(2026, 6, 9))  # its go-live
    assert "OPS-2026.06" not in layout.keys_on(dt.date(2026, 6, 10))
    today = calendar.model.index_of(DEMO_TODAY)
    assert today.data(DayRole).is_today
    assert today.data() == "1"


def test_freezes_and_problems_are_on_their_days(calendar: CalendarView) -> None:
    layout = _layout(calendar)
    frozen = [day for day in JUNE if FREEZE in layout.freezes_on(day)]
    assert frozen == [dt.date(2026, 6, 9) + dt.timedelta(days=i) for i in range(7)]
    # OPS-2026.06 goes to Production on 8-9 June; the freeze starts on the 9th.
    assert layout.problem_days() == [dt.date(2026, 6, 9)]
    day = layout.day(dt.date(2026, 6, 9))
    assert day is not None
    assert [p.kind for p in day.problems] == ["freeze_conflict"]
    ops = next(e for e in day.entries if e.key == "OPS-2026.06")
    assert ops.flagged
    assert ops.environment == "Production"
    assert "Go-live" in ops.milestones
    assert {g.name for g in ops.gates} == {"Regression suite", "CAB approval"}
    text = describe_day(layout, day)
    assert FREEZE in text
    assert "OPS-2026.06 has a stage window in freeze Data-centre migration" in text


def test_filtering_by_team_reduces_the_calendar(
    calendar: CalendarView, analysis: PlanAnalysis
) -> None:
    everyone = _layout(calendar)
    calendar.set_filter(frozenset({"PAY"}), None, None)
    pay = _layout(calendar)
    assert set(pay.releases) == {r.key for r in everyone.releases.values() if r.team == "PAY"}
    assert 0 < len(pay.releases) < len(everyone.releases)
    for day in JUNE:
        assert set(pay.keys_on(day)) == _on(analysis.plan, day, {"PAY"})
    assert pay.freezes_on(dt.date(2026, 6, 10)) == []  # the migration freeze is not PAY's
    assert pay.problem_days() == []
    assert "Teams: PAY" in calendar.subtitle.text()
    calendar.set_filter(frozenset(), None, "Production")
    prod = _layout(calendar)
    assert prod.keys_on(dt.date(2026, 6, 8)) == ["OPS-2026.06"]
    assert prod.keys_on(dt.date(2026, 6, 10)) == []
    calendar.set_filter(frozenset(), "2026-Q4", None)
    assert all(r.train == "2026-Q4" for r in _layout(calendar).releases.values())


def test_navigation_by_buttons_and_keys(qtbot: Any, calendar: CalendarView) -> None:
    calendar.next_button.click()
    assert _layout(calendar).title == "July 2026"
    calendar.table.setFocus()
    qtbot.keyClick(calendar.table, Qt.Key.Key_PageDown)
    assert _layout(calendar).title == "August 2026"
    qtbot.keyClick(calendar.table, Qt.Key.Key_PageUp)
    qtbot.keyClick(calendar.table, Qt.Key.Key_PageUp)
    assert _layout(calendar).title == "June 2026"
    calendar.previous_button.click()
    qtbot.keyClick(calendar.table, Qt.Key.Key_Home)
    assert _layout(calendar).title == "June 2026"
    calendar.kind_buttons["quarter"].click()
    assert calendar.kind == "quarter"
    assert _layout(calendar).title == "Q2 2026 · April – June"
    assert calendar.model.rowCount() == 14
    calendar.kind_buttons["week"].click()
    assert _layout(calendar).title.startswith("Week 23")
    assert calendar.model.rowCount() == 1


def _bar_point(view: CalendarView, day: dt.date, key: str) -> QPoint:
    """The middle of ``key``'s bar on ``day``, in viewport coordinates."""
    layout = _layout(view)
    cell = layout.day(day)
    assert cell is not None
    entry = next(e for e in cell.entries if e.key == key)
    row, _col = layout.position(day) or (0, 0)
    rect = view.table.visualRect(view.model.index_of(day))
    geometry = view.context.geometry
    assert entry.lane < geometry.visible_lanes(layout.weeks[row], rect.height())
    top = rect.top() + geometry.lanes_top(layout.weeks[row]) + entry.lane * geometry.lane
    return QPoint(rect.center().x(), top + geometry.bar // 2)


def test_clicking_a_release_emits_release_activated(qtbot: Any, calendar: CalendarView) -> None:
    day = dt.date(2026, 6, 3)
    key = _layout(calendar).day(day).entries[0].key  # type: ignore[union-attr]
    point = _bar_point(calendar, day, key)
    hit = calendar.table.hit_at(point)
    assert hit is not None
    assert (hit.kind, hit.key) == ("release", key)
    with qtbot.waitSignal(calendar.release_activated) as signal:
        qtbot.mouseClick(calendar.table.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert signal.args == [key]
    assert calendar.context.selected == key
    assert key in describe_release(_layout(calendar), key, _layout(calendar).day(day))


def test_full_days_say_how_many_more(calendar: CalendarView) -> None:
    layout = _layout(calendar)
    week = layout.weeks[1]
    height = calendar.table.rowHeight(1)
    visible = calendar.context.geometry.visible_lanes(week, height)
    assert visible < week.lanes  # eleven releases do not fit in a week row
    day = week.days[2]
    assert day.hidden(visible) == [e.key for e in day.entries if e.lane >= visible]
    calendar.set_show_all(True)
    assert calendar.table.rowHeight(1) >= calendar.context.geometry.full_height(week)
    assert calendar.context.geometry.visible_lanes(week, calendar.table.rowHeight(1)) == week.lanes


def test_search_highlights_and_jumps(qtbot: Any, calendar: CalendarView) -> None:
    assert calendar.focus_search()
    qtbot.keyClicks(calendar.search, "ops-2026.11")
    assert calendar.context.highlighted == {"OPS-2026.11"}
    calendar.search.clear()
    qtbot.keyClicks(calendar.search, "MOB-2027.03")
    qtbot.keyClick(calendar.search, Qt.Key.Key_Return)
    layout = _layout(calendar)
    assert "MOB-2027.03" in layout.releases
    assert calendar.context.selected == "MOB-2027.03"


def test_theme_switch_repaints_with_the_other_colours(calendar: CalendarView) -> None:
    calendar.set_theme(DARK)
    assert calendar.context.theme is DARK
    calendar.set_theme(LIGHT)
    assert calendar.context.theme is LIGHT


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_export_image_writes_a_file(tmp_path: Path, calendar: CalendarView, suffix: str) -> None:
    path = tmp_path / f"calendar{suffix}"
    calendar.export_image(str(path))
    data = path.read_bytes()
    assert len(data) > 1000
    if suffix == ".png":
        image = QImage(str(path))
        assert not image.isNull()
        assert image.width() >= 1400
    elif suffix == ".svg":
        assert b"<svg" in data
        assert b"June 2026" in data
    else:
        assert data.startswith(b"%PDF")


def test_export_image_refuses_other_formats(tmp_path: Path, calendar: CalendarView) -> None:
    with pytest.raises(ValueError, match=r"\.png, \.svg or \.pdf"):
        calendar.export_image(str(tmp_path / "calendar.bmp"))


def test_a_view_never_shown_exports_too(qtbot: Any, tmp_path: Path, analysis: PlanAnalysis) -> None:
    view = CalendarView()
    qtbot.addWidget(view)
    view.set_data(analysis.plan, analysis)
    view.set_kind("quarter")
    view.export_image(str(tmp_path / "quarter.png"))
    assert not QImage(str(tmp_path / "quarter.png")).isNull()


def test_the_window_feeds_the_calendar(sync_window: MainWindow) -> None:
    assert sync_window.show_view("Calendar")  # hidden views are fed when shown
    layout = _layout(sync_window.calendar)
    assert layout.title == "June 2026"
    assert layout.problem_days() == [dt.date(2026, 6, 9)]
    assert sync_window.calendar.legend.environments == ["Dev", "QA", "Staging", "Production"]


def test_tooltips_tell_the_full_story(calendar: CalendarView) -> None:
    day = dt.date(2026, 6, 9)
    point = _bar_point(calendar, day, "OPS-2026.06")
    hit = calendar.table.hit_at(point)
    assert hit is not None
    text = calendar.table._tooltip(hit)
    assert "<b>OPS-2026.06</b> — Platform Operations 2026.06" in text
    assert "Team Platform Operations (OPS), status in progress" in text
    assert "Sun 11 Jan 2026 → Tue 09 Jun 2026" in text
    assert "<b>Production</b> window" in text
    assert "CAB approval (pending)" in text
    assert "1 problem:" in text
    assert "freeze Data-centre migration" in text
    band = calendar.table.hit_at(QPoint(point.x(), point.y() - calendar.context.geometry.freeze))
    assert band is not None
    assert (band.kind, band.key) == ("freeze", FREEZE)
    assert "❄ <b>Data-centre migration</b>" in calendar.table._tooltip(band)
