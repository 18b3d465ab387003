"""The Timeline view on the demo workspace: rows, zoom, drag-to-move with undo, tooltips, export."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from relplan.domain.model import Plan
from relplan.store.workspace import Workspace
from relplan.ui.analysis import analyse_plan
from relplan.ui.palette import DARK
from relplan.ui.session import WorkspaceSession
from relplan.ui.tasks import SyncTaskRunner
from relplan.ui.views.base import PlanView
from relplan.ui.views.timeline import ROW_PX, ZOOMS, TimelineView
from tests.ui.conftest import DEMO_TODAY


@pytest.fixture
def timeline(qtbot: Any, demo_ws: Workspace) -> TimelineView:
    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(1300, 700)
    view.show()
    qtbot.waitExposed(view)
    plan = demo_ws.plan()
    view.set_data(plan, analyse_plan(plan, today=DEMO_TODAY))
    return view


def releases_shown(view: TimelineView) -> list[str]:
    assert view.chart.timeline is not None
    return [row.key for row in view.chart.timeline.rows if row.kind == "release"]


def bar_point(view: TimelineView, key: str, *, days_in: float) -> QPoint:
    """Viewport position ``days_in`` days into the bar of ``key`` (scrolled into view)."""
    chart = view.chart
    chart.scroll_to_release(key)
    timeline = chart.timeline
    assert timeline is not None
    row = timeline.row_of(key)
    assert row is not None
    bar = timeline.items(row, row)[0].bar
    assert bar is not None
    x = bar[1] + days_in if days_in < 0 else bar[0] + days_in
    point = QPointF(x * chart.day_px, (row + 0.5) * ROW_PX)
    chart.centerOn(point)
    return chart.mapFromScene(point)


def open_release(plan: Plan) -> str:
    """A release that is not done yet, dated, in the middle of the plan."""
    return next(r.key for r in plan.releases if r.status == "planned" and r.has_dates)


def test_is_a_plan_view_with_a_row_per_release_grouped_by_team(
    timeline: TimelineView, demo_ws: Workspace
) -> None:
    assert isinstance(timeline, PlanView)
    plan = demo_ws.plan()
    done = {r.key for r in plan.releases if r.status in ("released", "cancelled")}
    assert done, "the demo has released releases"
    # Released and cancelled releases are folded away until "Show done" is on.
    assert sorted(releases_shown(timeline)) == sorted(
        r.key for r in plan.releases if r.key not in done
    )
    assert timeline.title.text().startswith(
        f"Timeline — {40 - len(done)} releases ({len(done)} done hidden)"
    )
    timeline.done_button.click()
    assert sorted(releases_shown(timeline)) == sorted(r.key for r in plan.releases)
    rows = timeline.chart.timeline.rows  # type: ignore[union-attr]
    groups = [row.key for row in rows if row.kind == "group"]
    assert groups == sorted({r.team for r in plan.releases})
    assert timeline.title.text().startswith("Timeline — 40 releases")
    assert "Production" in timeline.legend.text()


def test_grouping_by_train_and_filtering(timeline: TimelineView, demo_ws: Workspace) -> None:
    plan = demo_ws.plan()
    timeline.set_group_by("train")
    groups = [r.key for r in timeline.chart.timeline.rows if r.kind == "group"]  # type: ignore[union-attr]
    assert groups == [
        *sorted(t.key for t in plan.trains if any(r.train == t.key for r in plan.releases)),
        "",
    ]
    timeline.set_filter(frozenset({"PAY"}), None, None)
    assert {r.key.split("-")[0] for r in plan.releases if r.key in releases_shown(timeline)} == {
        "PAY"
    }
    train = plan.trains[0].key
    timeline.set_filter(frozenset(), train, None)
    assert {plan.release(k).train for k in releases_shown(timeline)} == {train}  # type: ignore[union-attr]
    timeline.set_filter(frozenset(), None, "Production")
    assert all(
        any(s.environment == "Production" for s in plan.release(k).stages)  # type: ignore[union-attr]
        for k in releases_shown(timeline)
    )
    timeline.set_date_range(DEMO_TODAY, DEMO_TODAY + dt.timedelta(days=30))
    assert timeline.chart.timeline.origin == DEMO_TODAY  # type: ignore[union-attr]


def test_zoom_buttons_and_ctrl_wheel(qtbot: Any, timeline: TimelineView) -> None:
    chart = timeline.chart
    assert chart.day_px == ZOOMS["month"]
    assert timeline.zoom_buttons["month"].isChecked()
    qtbot.mouseClick(timeline.zoom_buttons["week"], Qt.MouseButton.LeftButton)
    assert chart.day_px == ZOOMS["week"]
    width = chart.scene().sceneRect().width()
    timeline.set_zoom("quarter")
    assert chart.scene().sceneRect().width() < width / 5
    pos = QPointF(200, 100)
    event = QWheelEvent(
        pos,
        chart.viewport().mapToGlobal(pos),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(chart.viewport(), event)
    assert chart.day_px == pytest.approx(ZOOMS["quarter"] * 1.25)
    assert not any(b.isChecked() for b in timeline.zoom_buttons.values())


def test_dragging_a_bar_moves_the_release_as_one_undoable_command(
    qtbot: Any, timeline: TimelineView, demo_ws: Workspace
) -> None:
    session = WorkspaceSession(SyncTaskRunner(), demo_ws)
    timeline.move_requested.connect(session.drag_release)
    key = open_release(demo_ws.plan())
    before = demo_ws.release(key)
    assert before.start is not None
    assert before.target is not None
    timeline.set_zoom("week")
    press = bar_point(timeline, key, days_in=1.5)
    viewport = timeline.chart.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=press)
    qtbot.mouseMove(viewport, press + QPoint(int(3 * ZOOMS["week"]), 0))
    assert key in timeline.chart.pending  # the preview
    with qtbot.waitSignal(timeline.move_requested) as moved:
        qtbot.mouseRelease(
            viewport, Qt.MouseButton.LeftButton, pos=press + QPoint(int(3 * ZOOMS["week"]), 0)
        )
    three = dt.timedelta(days=3)
    assert moved.args == [key, "body", 3]
    after = demo_ws.release(key)
    assert (after.start, after.target) == (before.start + three, before.target + three)
    # The whole release moved: its stage windows and milestones too.
    assert before.stages
    assert [(s.start, s.end) for s in after.stages] == [
        (s.start + three, s.end + three) for s in before.stages
    ]
    assert [m.date for m in after.milestones] == [m.date + three for m in before.milestones]
    assert demo_ws.undo_labels()[0] == f"Move {key} by +3 days"
    plan = demo_ws.plan()
    timeline.set_data(plan, analyse_plan(plan, today=DEMO_TODAY))  # as the window does
    assert timeline.chart.pending == {}
    session.undo()
    restored = demo_ws.release(key)
    assert (restored.start, restored.target) == (before.start, before.target)


def test_dragging_the_right_end_changes_the_target_only(
    qtbot: Any, timeline: TimelineView, demo_ws: Workspace
) -> None:
    session = WorkspaceSession(SyncTaskRunner(), demo_ws)
    timeline.move_requested.connect(session.drag_release)
    key = open_release(demo_ws.plan())
    before = demo_ws.release(key)
    assert before.target is not None
    timeline.set_zoom("week")
    grip = bar_point(timeline, key, days_in=-0.1)
    viewport = timeline.chart.viewport()
    qtbot.mouseMove(viewport, QPoint(2, 2))  # a move to where the pointer is sends nothing
    qtbot.mouseMove(viewport, grip)
    assert viewport.cursor().shape() == Qt.CursorShape.SizeHorCursor
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=grip)
    qtbot.mouseMove(viewport, grip + QPoint(int(2 * ZOOMS["week"]), 0))
    with qtbot.waitSignal(timeline.move_requested) as moved:
        qtbot.mouseRelease(
            viewport, Qt.MouseButton.LeftButton, pos=grip + QPoint(int(2 * ZOOMS["week"]), 0)
        )
    assert moved.args == [key, "end", 2]
    after = demo_ws.release(key)
    # One date changed, nothing else: the stages and milestones stay where they were.
    assert after == replace(before, target=before.target + dt.timedelta(days=2))
    assert demo_ws.undo_labels()[0] == f"Edit {key} target"


def test_a_click_without_moving_and_escape_request_nothing(
    qtbot: Any, timeline: TimelineView, demo_ws: Workspace
) -> None:
    key = open_release(demo_ws.plan())
    point = bar_point(timeline, key, days_in=1.5)
    viewport = timeline.chart.viewport()
    with qtbot.assertNotEmitted(timeline.move_requested):
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=point)
        qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=point)
        qtbot.mouseMove(viewport, point + QPoint(60, 0))
        qtbot.keyClick(timeline.chart, Qt.Key.Key_Escape)
        qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=point + QPoint(60, 0))
    assert timeline.chart.selected == key
    assert timeline.chart.pending == {}


def test_double_click_activates_the_release(
    qtbot: Any, timeline: TimelineView, demo_ws: Workspace
) -> None:
    key = open_release(demo_ws.plan())
    point = bar_point(timeline, key, days_in=1.5)
    with qtbot.waitSignal(timeline.release_activated) as activated:
        qtbot.mouseDClick(timeline.chart.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert activated.args == [key]


def test_tooltips_tell_the_story_of_bars_arrows_and_freezes(
    timeline: TimelineView, demo_ws: Workspace
) -> None:
    plan = demo_ws.plan()
    graph = timeline.graph
    assert graph is not None
    key = next(k for k in graph.problems if plan.release(k) and plan.release(k).has_dates)  # type: ignore[union-attr]
    text = timeline.chart.tooltip_at(QPointF(bar_point(timeline, key, days_in=0.5)))
    assert f"<b>{key}</b>" in text
    assert "Planned" in text
    assert "float" in text
    assert "⚠" in text
    chart = timeline.chart
    timeline.set_arrow_mode("all")
    assert chart.timeline is not None
    arrows = chart.visible_arrows(0, len(chart.timeline.rows))
    from relplan.layout.timeline import arrow_path

    # The middle of the arrow's run along the line between two rows, clear of any bar.
    for arrow in (a for a in arrows if a.link.implied):
        points = arrow_path(arrow, day_px=chart.day_px, row_px=ROW_PX)
        (xa, ym), (xb, _) = points[2], points[3]
        if abs(xb - xa) > 20:
            break
    chart.centerOn((xa + xb) / 2, ym)
    text = chart.tooltip_at(QPointF(chart.mapFromScene(QPointF((xa + xb) / 2, ym))))
    assert "Implied by" in text
    band = chart.timeline.freeze_bands()[0]
    row = band.rows[0][0] if band.rows else 0
    chart.centerOn((band.x0 + 0.5) * chart.day_px, (row + 0.5) * ROW_PX)
    spot = chart.mapFromScene(QPointF((band.x0 + 0.5) * chart.day_px, (row + 0.1) * ROW_PX))
    assert band.name in chart.tooltip_at(QPointF(spot))


def test_arrow_modes(timeline: TimelineView) -> None:
    chart = timeline.chart
    assert chart.timeline is not None
    everything = len(chart.timeline.rows)
    assert chart.arrow_mode == "all"  # a small plan shows every dependency
    assert any(a.link.implied for a in chart.visible_arrows(0, everything))
    timeline.set_arrow_mode("explicit")
    assert not any(a.link.implied for a in chart.visible_arrows(0, everything))
    timeline.set_arrow_mode("none")
    assert chart.visible_arrows(0, everything) == []
    timeline.set_arrow_mode("selected")
    assert chart.visible_arrows(0, everything) == []
    chart.selected = chart.timeline.rows[1].key
    assert all(chart.selected in a.link[:2] for a in chart.visible_arrows(0, everything))


def test_search_scrolls_to_and_selects_a_release(qtbot: Any, timeline: TimelineView) -> None:
    timeline.set_show_done(True)  # rows enough to scroll
    rows = timeline.chart.timeline.rows  # type: ignore[union-attr]
    last = rows[-1].key
    assert timeline.focus_search()
    qtbot.keyClicks(timeline.search, last)
    qtbot.keyClick(timeline.search, Qt.Key.Key_Return)
    assert timeline.chart.selected == last
    assert timeline.chart.verticalScrollBar().value() > 0


def test_today_and_theme(timeline: TimelineView) -> None:
    timeline.chart.horizontalScrollBar().setValue(0)
    timeline.go_today()
    assert timeline.chart.horizontalScrollBar().value() > 0
    timeline.set_theme(DARK)
    assert timeline.chart.backgroundBrush().color().name() == DARK.base


def test_repainting_paints_only_what_is_exposed(timeline: TimelineView) -> None:
    timeline.set_show_done(True)  # a fresh layout of rows enough to scroll: no row built yet
    bar = timeline.chart.verticalScrollBar()
    bar.setValue(bar.maximum())
    timeline.chart.viewport().repaint()
    built = timeline.chart.timeline._items  # type: ignore[union-attr]
    assert 0 < len(built) < 35
    assert min(built) > 5  # the rows scrolled past were never built


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_export_image_writes_every_row(tmp_path: Path, timeline: TimelineView, suffix: str) -> None:
    path = tmp_path / f"timeline{suffix}"
    timeline.export_image(str(path))
    assert path.stat().st_size > 10_000
    head = path.read_bytes()[:8]
    assert head.startswith({".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF"}[suffix])


def test_export_of_a_view_never_shown_and_bad_suffix(
    qtbot: Any, tmp_path: Path, demo_ws: Workspace
) -> None:
    view = TimelineView()
    qtbot.addWidget(view)
    plan = demo_ws.plan()
    view.set_data(plan, None)
    view.set_date_range(DEMO_TODAY - dt.timedelta(days=60), DEMO_TODAY + dt.timedelta(days=60))
    view.export_image(str(tmp_path / "t.png"))
    from PySide6.QtGui import QImage

    image = QImage(str(tmp_path / "t.png"))
    assert image.width() > 1200
    assert image.height() > 20 * ROW_PX
    with pytest.raises(ValueError, match="png"):
        view.export_image(str(tmp_path / "t.txt"))


def test_png_export_holds_the_rendered_pixels_without_an_alpha_channel(
    qtbot: Any, tmp_path: Path
) -> None:
    from PySide6.QtCore import QPoint, QSize
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QLabel

    from relplan.ui.views.base import PNG_SCALE, export_widget_image

    label = QLabel("<b>Payments</b> 2026.12 <i>slips</i> ⚠")
    qtbot.addWidget(label)
    export_widget_image(label, str(tmp_path / "t.png"), size=QSize(300, 60))
    saved = QImage(str(tmp_path / "t.png"))
    assert not saved.hasAlphaChannel()  # opaque pixels: RGB, a quarter fewer bytes to encode
    # The same render into an image with alpha, as the export did before: the same pixels.
    expected = QImage(600, 120, QImage.Format.Format_ARGB32_Premultiplied)
    expected.setDevicePixelRatio(PNG_SCALE)
    expected.fill(label.palette().window().color())
    painter = QPainter(expected)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    label.render(painter, QPoint(0, 0))
    painter.end()
    fmt = QImage.Format.Format_ARGB32
    assert saved.convertToFormat(fmt) == expected.convertToFormat(fmt)


def test_days_without_freezes_paint(timeline: TimelineView) -> None:
    timeline.set_date_range(
        DEMO_TODAY + dt.timedelta(days=400), DEMO_TODAY + dt.timedelta(days=420)
    )
    assert timeline.chart.timeline.freeze_bands() == ()  # type: ignore[union-attr]
    timeline.chart.header.repaint()
    timeline.chart.labels.repaint()
    timeline.chart.viewport().repaint()


def test_a_new_analysis_keeps_the_days_and_rows_in_view(
    timeline: TimelineView, demo_ws: Workspace
) -> None:
    chart = timeline.chart
    chart.set_zoom(ZOOMS["week"])
    chart.horizontalScrollBar().setValue(chart.horizontalScrollBar().maximum() // 3)
    chart.verticalScrollBar().setValue(chart.verticalScrollBar().maximum() // 2)
    anchor = chart.view_anchor()
    assert anchor is not None
    plan = demo_ws.plan()
    timeline.set_data(plan, analyse_plan(plan, today=DEMO_TODAY))  # as after an undo
    assert chart.view_anchor() == anchor


def test_the_whole_legend_shows_below_the_chart_at_1280_px(
    qtbot: Any, timeline: TimelineView
) -> None:
    timeline.resize(1280, 700)
    qtbot.wait(10)
    legend, chart = timeline.legend, timeline.chart
    assert legend.isVisible()
    assert legend.geometry().top() >= chart.geometry().bottom()
    # Beside the title it was cut after "forecast": every chip fits in the width it is given.
    assert "today" in legend.text()
    needed = legend.heightForWidth(legend.width())
    assert needed <= legend.height()


def test_a_bar_cut_by_the_views_left_edge_keeps_its_name_in_sight(
    timeline: TimelineView, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtGui import QPainter

    chart = timeline.chart
    layout = chart.timeline
    assert layout is not None
    rows = [row for row in layout.rows if row.kind == "release"]
    bars = {row.key: layout.items(row.row, row.row)[0].bar for row in rows}
    key, (x0, x1) = max(
        ((k, b) for k, b in bars.items() if b is not None), key=lambda kb: kb[1][1] - kb[1][0]
    )
    label = next(row.label for row in rows if row.key == key)
    assert (x1 - x0) * chart.day_px > 200  # long enough to be cut and still show a name
    chart.scroll_to_release(key)
    written: list[tuple[float, str]] = []
    draw = QPainter.drawText

    def spy(self: QPainter, *args: Any) -> Any:
        if len(args) == 3 and isinstance(args[2], str):
            written.append((args[0].left(), args[2]))
        return draw(self, *args)

    monkeypatch.setattr(QPainter, "drawText", spy)
    for days_cut in (4, 9):  # scrolled right: the name follows the view's left edge
        chart.horizontalScrollBar().setValue(round((x0 + days_cut) * chart.day_px))
        view_left = chart.mapToScene(0, 0).x()
        assert x0 * chart.day_px < view_left
        written.clear()
        chart.viewport().repaint()
        names = [x for x, text in written if text[:6] == label[:6]]
        assert names, f"no name drawn for {key}"
        assert min(abs(x - (view_left + 5)) for x in names) < 1.5
