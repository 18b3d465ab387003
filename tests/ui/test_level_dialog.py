"""Plan → Level the Plan…: a preview computed on the task runner, Apply as one undoable command."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt

from relplan.planning.level import level_plan
from relplan.store.workspace import Workspace
from relplan.ui.dialogs.level import LevelDialog, parse_pins
from relplan.ui.main_window import MainWindow
from tests.helpers.plans import document
from tests.ui.conftest import DEMO_TODAY

OpenWindow = Callable[..., MainWindow]
PlanWorkspace = Callable[[dict[str, Any]], Workspace]


def _open(qtbot: Any, window: MainWindow) -> LevelDialog:
    window.level_action.trigger()
    dialog = window.findChild(LevelDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.levelling is not None)
    return dialog


def _dates(ws: Workspace) -> dict[str, tuple[object, object]]:
    return {r.key: (r.start, r.target) for r in ws.release_plan().releases}


def test_preview_lists_moves_with_reasons_and_writes_nothing(
    qtbot: Any, open_window: OpenWindow, plan_ws: PlanWorkspace
) -> None:
    ws = plan_ws(document())
    window = open_window(ws)
    before = _dates(ws)
    expected = level_plan(ws.plan(), today=DEMO_TODAY)
    dialog = _open(qtbot, window)
    assert dialog.levelling is not None
    assert dialog.levelling.moved == expected.moved
    assert expected.moved, "the test plan has a violation to clear"
    assert dialog.moves.topLevelItemCount() == len(expected.moved)
    first = dialog.moves.topLevelItem(0)
    assert first.text(0) == expected.moved[0].key
    assert first.childCount() == len(expected.moved[0].reasons)
    assert first.child(0).text(0) == expected.moved[0].reasons[0]
    assert dialog.problems_model.problems() == list(expected.unresolved)
    assert "move" in dialog.summary.text()
    assert dialog.apply_button.isEnabled()
    assert _dates(ws) == before
    dialog.reject()


def test_pin_and_rerun_then_apply_is_one_undoable_command(
    qtbot: Any, open_window: OpenWindow, plan_ws: PlanWorkspace
) -> None:
    ws = plan_ws(document())
    window = open_window(ws)
    before = _dates(ws)
    dialog = _open(qtbot, window)
    assert dialog.levelling is not None
    keys = [m.key for m in dialog.levelling.moved]
    dialog.pins_edit.setText(", ".join(keys))
    dialog.levelling = None
    dialog.rerun_button.click()
    qtbot.waitUntil(lambda: dialog.levelling is not None)
    assert dialog.levelling is not None
    assert dialog.levelling.moved == ()
    assert not dialog.apply_button.isEnabled()
    dialog.pins_edit.clear()
    dialog.levelling = None
    dialog.request_now()
    qtbot.waitUntil(lambda: dialog.levelling is not None)
    moved = dialog.levelling.moved
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: window.runner.idle)
    after = _dates(ws)
    for move in moved:
        assert after[move.key] == (move.new_start, move.new_target)
    assert ws.history()[0]["label"].startswith("Level the plan")
    ws.undo()
    assert _dates(ws) == before


def test_parse_pins() -> None:
    assert parse_pins(" A, release:B  A C") == ["A", "B", "C"]


def test_on_time_column_shows_the_portfolio_forecast_with_reasons(
    qtbot: Any, open_window: OpenWindow, plan_ws: PlanWorkspace
) -> None:
    from relplan.planning.portfolio_forecast import portfolio_forecast
    from relplan.ui.models.releases import Col

    ws = plan_ws(document())
    window = open_window(ws)
    expected = {o.key: o for o in portfolio_forecast(ws.plan(), today=DEMO_TODAY).releases}
    model = window.model
    qtbot.waitUntil(lambda: model.on_time_for(next(iter(expected))) is not None)
    assert model.headerData(Col.ON_TIME, Qt.Orientation.Horizontal) == "On time"
    for row in range(model.rowCount()):
        key = model.index(row, Col.KEY).data()
        odds = expected.get(key)
        cell = model.index(row, Col.ON_TIME)
        if odds is None or odds.p_on_time is None:
            assert cell.data() == ""
            continue
        assert cell.data() == f"{odds.p_on_time:.0%}"
        assert cell.data(Qt.ItemDataRole.ToolTipRole) == odds.explain()
        assert str(odds.target) in odds.explain()
