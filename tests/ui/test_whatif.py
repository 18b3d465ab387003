"""The "What if it slips…" dialog: preview off the GUI thread, Apply as one undoable command."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMenu

from relplan.planning import impact_of_slip
from relplan.store.workspace import Workspace
from relplan.ui.dialogs.whatif import WhatIfDialog, end_text
from relplan.ui.main_window import MainWindow
from relplan.ui.models.impact import MovedCol
from relplan.ui.models.releases import Col
from tests.helpers.plans import document
from tests.ui.conftest import DEMO_TODAY

PAY, WEB = "PAY-2026.12", "WEB-2026.12"
OpenWindow = Callable[..., MainWindow]
PlanWorkspace = Callable[[dict[str, Any]], Workspace]


def _dialog(qtbot: Any, window: MainWindow, key: str) -> WhatIfDialog:
    dialog = window.open_whatif(key)
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.pending)
    return dialog


def _dates(ws: Workspace, key: str) -> tuple[dt.date | None, dt.date | None]:
    release = ws.release(key)
    return release.start, release.target


def test_preview_shows_moved_releases_before_anything_is_written(
    qtbot: Any, open_window: OpenWindow, plan_ws: PlanWorkspace
) -> None:
    ws = plan_ws(document())
    window = open_window(ws)
    expected = impact_of_slip(ws.plan(), PAY, 5, today=DEMO_TODAY)
    dialog = _dialog(qtbot, window, PAY)

    assert dialog.days == 5
    assert dialog.impact == expected
    assert dialog.moved_model.keys() == [PAY, WEB]
    web = dialog.moved_model.index(1, MovedCol.START).data()
    assert web == "2026-12-04  →  2026-12-09"
    assert dialog.moved_model.index(1, MovedCol.DAYS).data() == "+5"
    assert dialog.moved_box.title() == "Releases that move (2)"
    assert "2026-12-14 → 2026-12-19 (+5 days)" in dialog.end_label.text()
    assert dialog.problems_model.rowCount() == len(expected.new_problems) == 1
    assert dialog.problems_model.problem_at(0).kind == "freeze_conflict"
    # WEB moves to its early dates, so the plan's dependency violation goes away.
    assert dialog.resolved_model.problems() == list(expected.resolved_problems)
    assert [p.kind for p in dialog.resolved_model.problems()] == ["dependency_violation"]
    assert "6 days short" in dialog.resolved_model.problem_at(0).message  # as it is now
    assert dialog.resolved_box.title().startswith("Resolved problems (1)")
    assert dialog.apply_button.isEnabled()
    # Nothing written by the preview.
    assert _dates(ws, PAY) == (dt.date(2026, 11, 2), dt.date(2026, 12, 1))
    assert [c["label"] for c in ws.history()] == ["Test plan"]
    dialog.reject()


def test_apply_writes_one_command_that_undo_reverts(
    qtbot: Any, open_window: OpenWindow, plan_ws: PlanWorkspace
) -> None:
    ws = plan_ws(document())
    window = open_window(ws)
    before = {key: _dates(ws, key) for key in (PAY, WEB)}
    dialog = _dialog(qtbot, window, PAY)
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: window.runner.idle and not window.analyser.pending)

    assert _dates(ws, PAY) == (dt.date(2026, 11, 7), dt.date(2026, 12, 6))
    assert _dates(ws, WEB) == (dt.date(2026, 12, 9), dt.date(2026, 12, 19))
    assert window.undo_action.text() == f"&Undo Slip {PAY} by +5 days"
    assert window.model.row_for(WEB).start == "2026-12-09"  # type: ignore[union-attr]
    kinds = [p.kind for p in window.problems_dock.model.problems()]
    assert kinds == ["freeze_conflict"]  # the violation is gone, the freeze conflict new
    assert window.whatif_dialog is None

    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.runner.idle and not window.analyser.pending)
    assert {key: _dates(ws, key) for key in (PAY, WEB)} == before
    # The plan was imported by another origin: this window's own undo stack is empty again.
    assert window.undo_action.text() == "&Undo"
    assert [p.kind for p in window.problems_dock.model.problems()] == ["dependency_violation"]


def test_changing_the_days_recomputes_after_a_pause(
    qtbot: Any, open_window: OpenWindow, plan_ws: PlanWorkspace
) -> None:
    ws = plan_ws(document())
    window = open_window(ws)
    dialog = _dialog(qtbot, window, PAY)
    requests: list[tuple[str, int]] = []
    dialog.impact_requested.connect(lambda key, days: requests.append((key, days)))
    dialog.days_spin.setValue(6)
    dialog.days_spin.setValue(7)
    dialog.days_spin.setValue(-3)
    assert not dialog.apply_button.isEnabled()
    assert requests == []  # debounced
    qtbot.waitUntil(lambda: not dialog.pending)
    assert requests == [(PAY, -3)]
    assert dialog.impact is not None
    assert dialog.impact.slip_days == -3
    assert dialog.impact == impact_of_slip(ws.plan(), PAY, -3, today=DEMO_TODAY)
    assert dialog.moved_model.index(1, MovedCol.DAYS).data() == "-3"  # WEB follows PAY
    assert dialog.apply_button.isEnabled()

    dialog.days_spin.setValue(0)
    qtbot.waitUntil(lambda: not dialog.pending)
    assert not dialog.apply_button.isEnabled()
    assert dialog.moved_model.rowCount() == 0
    dialog.reject()
    assert [c["label"] for c in ws.history()] == ["Test plan"]


def test_a_preview_for_other_days_is_ignored(
    qtbot: Any, open_window: OpenWindow, plan_ws: PlanWorkspace
) -> None:
    ws = plan_ws(document())
    window = open_window(ws)
    dialog = _dialog(qtbot, window, PAY)
    other = impact_of_slip(ws.plan(), PAY, 9, today=DEMO_TODAY)
    dialog.show_impact(other)
    assert dialog.impact is not None
    assert dialog.impact.slip_days == 5
    dialog.reject()


def test_a_cycle_shows_why_there_is_no_preview(
    qtbot: Any, open_window: OpenWindow, plan_ws: PlanWorkspace
) -> None:
    doc = document()
    doc["dependencies"].append({"from": f"release:{WEB}", "to": f"release:{PAY}"})
    window = open_window(plan_ws(doc))
    dialog = window.open_whatif(PAY)
    assert dialog is not None
    qtbot.waitUntil(lambda: "No preview" in dialog.status_label.text())
    assert "dependency cycle" in dialog.status_label.text()
    assert not dialog.apply_button.isEnabled()
    dialog.reject()


def test_whatif_action_context_menu_and_shortcut(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert window.whatif_action.shortcut().toString() == "Ctrl+Shift+W"
    window.table.clearSelection()
    window.table.setCurrentIndex(window.model.index(-1, 0))
    assert not window.whatif_action.isEnabled()
    shown: list[QMenu] = []
    monkeypatch.setattr(QMenu, "popup", lambda menu, *args: shown.append(menu))
    rect = window.table.visualRect(window.model.index(2, Col.NAME))
    window.table.customContextMenuRequested.emit(rect.center())
    assert window.whatif_action in shown[0].actions()
    assert window.whatif_action.isEnabled()
    assert window.current_release() == window.model.row_at(2).key
    window.table.customContextMenuRequested.emit(QPoint(-5, -5))  # outside rows: nothing
    assert len(shown) == 1
    shown[0].close()

    window.whatif_action.trigger()
    dialog = window.whatif_dialog
    assert dialog is not None
    assert dialog.release.key == window.model.row_at(2).key
    qtbot.waitUntil(lambda: not dialog.pending)
    assert dialog.windowTitle() == f"What if {dialog.release.key} slips?"
    dialog.close_button.click()
    qtbot.waitUntil(lambda: window.whatif_dialog is None)


def test_end_text_wording(plan_ws: PlanWorkspace) -> None:
    plan = plan_ws(document()).plan()
    assert end_text(impact_of_slip(plan, PAY, 5, today=DEMO_TODAY)) == (
        "2026-12-14 → 2026-12-19 (+5 days)"
    )
    assert end_text(impact_of_slip(plan, PAY, 0, today=DEMO_TODAY)) == "2026-12-14 (unchanged)"
