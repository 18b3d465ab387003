"""The levelling preview on the Timeline (ghost bars with arrows) and pinning from a bar's menu."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QColor, QImage

from relplan.layout.timeline_level import level_ghosts
from relplan.store.workspace import Workspace
from relplan.ui.dialogs.level import LevelDialog
from relplan.ui.main_window import MainWindow
from relplan.ui.views.timeline_level import LEVEL_COLOR
from tests.helpers.plans import document

OpenWindow = Callable[..., MainWindow]
PlanWorkspace = Callable[[dict[str, Any]], Workspace]


def _open(qtbot: Any, window: MainWindow) -> LevelDialog:
    window.show_view("Timeline")
    window.level_action.trigger()
    dialog = window.findChild(LevelDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.levelling is not None)
    return dialog


def _level_pixels(window: MainWindow) -> int:
    """How many pixels of the chart's viewport have the preview's colour."""
    image = window.timeline.chart.viewport().grab().toImage()
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    want = QColor(LEVEL_COLOR)
    found = 0
    for y in range(0, image.height()):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            distance = (
                abs(c.red() - want.red())
                + abs(c.green() - want.green())
                + abs(c.blue() - want.blue())
            )
            found += distance < 40
    return found


def test_preview_draws_ghosts_of_the_dialogs_levelling_and_close_clears_them(
    qtbot: Any, open_window: OpenWindow, plan_ws: PlanWorkspace
) -> None:
    window = open_window(plan_ws(document()))
    chart = window.timeline.chart
    assert _level_pixels(window) == 0
    dialog = _open(qtbot, window)
    levelling = dialog.levelling
    assert levelling is not None
    assert levelling.moved
    # One truth: the timeline draws the very moves the dialog lists.
    assert chart.level_moves is levelling.moved
    layout = chart.timeline
    assert layout is not None
    assert chart.level_ghosts == level_ghosts(layout, levelling.moved)
    for move in levelling.moved:
        ghost = chart.level_ghosts[layout.row_of(move.key) or -1]
        assert (ghost.new_x0, ghost.new_x1) == (
            layout.x(move.new_start),
            layout.x(move.new_target) + 1,
        )
        assert ghost.new_x0 - ghost.x0 == move.days
    move = levelling.moved[0]
    chart.scroll_to_release(move.key)
    chart.scroll_to_day(move.start)
    qtbot.wait(20)
    assert _level_pixels(window) > 20
    assert "levelled" in window.timeline.legend.text()
    dialog.reject()
    qtbot.waitUntil(lambda: not chart.level_moves)
    assert chart.level_ghosts == {}
    assert "levelled" not in window.timeline.legend.text()
    assert _level_pixels(window) == 0


def test_apply_clears_the_ghosts_and_the_bars_move(
    qtbot: Any, open_window: OpenWindow, plan_ws: PlanWorkspace
) -> None:
    ws = plan_ws(document())
    window = open_window(ws)
    chart = window.timeline.chart
    dialog = _open(qtbot, window)
    assert dialog.levelling is not None
    moves = dialog.levelling.moved
    assert chart.level_moves
    dialog.apply_button.click()
    assert chart.level_moves == ()
    assert chart.level_ghosts == {}
    qtbot.waitUntil(lambda: window.runner.idle and not window.analyser.pending)
    graph = window.timeline.graph
    assert graph is not None
    for move in moves:
        release = graph.releases[move.key]
        assert (release.start, release.target) == (move.new_start, move.new_target)


def test_pin_and_unpin_from_a_bars_menu_rerun_the_preview(
    qtbot: Any, open_window: OpenWindow, plan_ws: PlanWorkspace
) -> None:
    window = open_window(plan_ws(document()))
    chart = window.timeline.chart
    dialog = _open(qtbot, window)
    first = dialog.levelling
    assert first is not None
    assert first.moved
    key = first.moved[0].key
    (action,) = chart.context_actions(key)
    assert action.text() == "Pin for levelling"
    action.trigger()
    assert key in dialog.pins()
    qtbot.waitUntil(lambda: dialog.levelling is not first and dialog.levelling is not None)
    pinned = dialog.levelling
    assert pinned is not None
    assert key not in {m.key for m in pinned.moved}
    assert chart.level_moves is pinned.moved
    assert key in chart.level_pins
    layout = chart.timeline
    assert layout is not None
    row = layout.row_of(key)
    assert row is not None
    assert chart.level_pinned == {row: layout.x(first.moved[0].start)}  # a pin at its start
    (action,) = chart.context_actions(key)
    assert action.text() == "Unpin for levelling"
    action.trigger()
    assert key not in dialog.pins()
    qtbot.waitUntil(lambda: dialog.levelling is not pinned and dialog.levelling is not None)
    assert dialog.levelling is not None
    assert dialog.levelling.moved == first.moved
    assert key not in chart.level_pins
    assert chart.level_pinned == {}
    dialog.reject()


def test_pin_with_the_dialog_closed_opens_it_with_that_pin(
    qtbot: Any, open_window: OpenWindow, plan_ws: PlanWorkspace
) -> None:
    window = open_window(plan_ws(document()))
    chart = window.timeline.chart
    window.show_view("Timeline")
    graph = window.timeline.graph
    assert graph is not None
    key = sorted(graph.releases)[0]
    assert window.findChild(LevelDialog) is None
    chart.context_actions(key)[0].trigger()
    dialog = window.findChild(LevelDialog)
    assert dialog is not None
    assert dialog.pins() == [key]
    qtbot.waitUntil(lambda: dialog.levelling is not None)
    assert key in chart.level_pins
    dialog.reject()
