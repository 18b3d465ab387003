"""Analyses in the window: the Problems panel, the schedule columns, re-runs and stale results."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from relplan.edits.releases import ReleaseEdit
from relplan.planning import check_plan, schedule_plan
from relplan.store.workspace import Workspace
from relplan.ui import analysis
from relplan.ui.main_window import MainWindow
from relplan.ui.models.problems import ProblemCol
from relplan.ui.models.releases import Col
from relplan.ui.views.problems import problems_title
from tests.helpers.plans import document
from tests.ui.conftest import DEMO_TODAY

PAY, WEB = "PAY-2026.12", "WEB-2026.12"
#: A day on which PAY-2026.12's pending gate is due within a week (a gate_pending warning).
GATE_DAY = dt.date(2026, 11, 28)

OpenWindow = Callable[..., MainWindow]
PlanWorkspace = Callable[[dict[str, Any]], Workspace]


def _kinds(window: MainWindow) -> list[str]:
    return [p.kind for p in window.problems_dock.model.problems()]


def _cell(window: MainWindow, key: str, col: Col, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    row = window.model.row_of(key)
    assert row is not None, f"{key} is not shown"
    return window.model.index(row, col).data(role)


def _settle(qtbot: Any, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.runner.idle and not window.analyser.pending)


def test_problems_panel_shows_what_check_plan_finds(window: MainWindow, demo_ws: Workspace) -> None:
    expected = check_plan(demo_ws.plan(), today=DEMO_TODAY)
    dock = window.problems_dock
    assert expected, "the demo plan has deliberate problems"
    assert dock.model.rowCount() == len(expected)
    assert dock.shown_problems()[0].message == expected[0].message
    assert dock.shown_problems() == expected
    errors = sum(p.severity == "error" for p in expected)
    assert dock.windowTitle() == problems_title(errors, len(expected) - errors)
    assert dock.windowTitle().startswith(f"Problems — {errors} errors")
    assert f"{errors} errors" in window.problems_label.text()
    assert "Checked against 2026-06-01" in dock.summary.text()


def test_panel_counts_and_severity_filter(
    qtbot: Any, open_window: OpenWindow, plan_ws: PlanWorkspace
) -> None:
    window = open_window(plan_ws(document()), today=GATE_DAY)
    dock = window.problems_dock
    assert dock.windowTitle() == "Problems — 1 error, 1 warning"
    assert [p.kind for p in dock.shown_problems()] == ["dependency_violation", "gate_pending"]
    dock.set_severity("warning")
    assert [p.kind for p in dock.shown_problems()] == ["gate_pending"]
    assert dock.severity_filter.currentText() == "Warnings (1)"
    dock.set_severity("error")
    assert [p.kind for p in dock.shown_problems()] == ["dependency_violation"]
    dock.set_severity(None)
    assert len(dock.shown_problems()) == 2
    icon = dock.proxy.index(0, ProblemCol.SEVERITY).data(Qt.ItemDataRole.DecorationRole)
    assert not icon.isNull()


def _select_team(window: MainWindow, team: str) -> None:
    combo = window.team_filter
    combo.setCurrentIndex(combo.findData(team))
    assert combo.currentData() == team


def test_problems_panel_follows_the_team_and_train_filter(
    window: MainWindow, demo_ws: Workspace
) -> None:
    plan = demo_ws.plan()
    everything = check_plan(plan, today=DEMO_TODAY)
    dock = window.problems_dock

    def teams_of(problem: Any) -> set[str]:
        keys = [s.removeprefix("release:") for s in problem.subjects if s.startswith("release:")]
        return {r.team for r in (plan.release(k) for k in keys) if r is not None}

    _select_team(window, "OPS")
    expected = [p for p in everything if "OPS" in teams_of(p)]
    assert 0 < len(expected) < len(everything)
    assert dock.shown_problems() == expected
    errors = sum(p.severity == "error" for p in expected)
    assert dock.windowTitle() == problems_title(errors, len(expected) - errors)
    assert f"{len(expected)} of {len(everything)} problems (team OPS)" in dock.summary.text()

    window.team_filter.setCurrentIndex(0)
    assert dock.shown_problems() == everything
    train = "2026-Q4"  # OPS-2026.11's, whose dependency with MOB-2027.03 is broken
    combo = window.filter_bar.train_filter
    combo.setCurrentIndex(combo.findData(train))

    def in_train(problem: Any) -> bool:
        keys = [s.removeprefix("release:") for s in problem.subjects if s.startswith("release:")]
        return any(plan.release(k).train == train for k in keys)  # type: ignore[union-attr]

    shown = dock.shown_problems()
    assert shown == [p for p in everything if in_train(p)]
    assert any("release:OPS-2026.11" in p.subjects for p in shown)
    assert len(shown) < len(everything)


def test_double_click_selects_the_release_that_breaks_the_rule_clearing_filters(
    qtbot: Any, window: MainWindow
) -> None:
    dock = window.problems_dock
    # IAM-2026.12 ends too early for API-2026.12: IAM is the successor, API the prerequisite
    # (and the first subject in sorted order).
    _select_team(window, "API")
    successor = "IAM-2026.12"
    assert window.model.row_of(successor) is None
    qtbot.keyClicks(window.search, "zzz")
    rows = [
        row
        for row, p in enumerate(dock.shown_problems())
        if p.kind == "dependency_violation" and "release:IAM-2026.12" in p.subjects
    ]
    assert len(rows) == 1
    problem = dock.shown_problems()[rows[0]]
    assert problem.subjects[0] == "release:API-2026.12"

    index = dock.proxy.index(rows[0], ProblemCol.MESSAGE)
    dock.table.scrollTo(index)
    rect = dock.table.visualRect(index)
    # A real double-click starts with a press; Qt's item views ignore a lone double-click.
    qtbot.mouseClick(dock.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(dock.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    qtbot.waitUntil(lambda: window.current_release() == successor)
    assert window.team_filter.currentIndex() == 0
    assert window.search.text() == ""
    assert window.model.shown_count == window.model.total_count
    row = window.model.row_of(successor)
    assert row is not None
    assert window.table.selectionModel().isRowSelected(row)
    cell = window.table.visualRect(window.model.index(row, Col.KEY))
    assert window.table.viewport().rect().contains(cell.center())
    qtbot.wait(200)  # a late filter refresh would drop the selection
    assert window.current_release() == successor


def test_schedule_columns_match_schedule_plan(window: MainWindow, demo_ws: Workspace) -> None:
    schedule = schedule_plan(demo_ws.plan())
    assert window.model.schedule == schedule
    late = [r for r in schedule.releases if r.slip_days > 0]
    on_path = list(schedule.critical_path)
    relaxed = [r for r in schedule.releases if (r.float_days or 0) > 0 and not r.critical]
    for forecast in [*late[:2], *(schedule.release(k) for k in on_path), *relaxed[:2]]:
        assert forecast is not None
        key = forecast.key
        assert _cell(window, key, Col.FLOAT) == str(forecast.float_days)
        slip = f"+{forecast.slip_days}" if forecast.slip_days > 0 else "0"
        assert _cell(window, key, Col.SLIP) == slip
        assert _cell(window, key, Col.CRITICAL) == ("●" if forecast.critical else "")
    first_late = late[0]
    tip = _cell(window, first_late.key, Col.SLIP, Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith(
        f"Early finish {first_late.early_finish}, {first_late.slip_days} days after target "
        f"{first_late.target}"
    )
    assert _cell(window, first_late.key, Col.SLIP, Qt.ItemDataRole.FontRole).bold()
    assert "critical path" in _cell(window, on_path[0], Col.CRITICAL, Qt.ItemDataRole.ToolTipRole)
    unscheduled = next(r.key for r in demo_ws.release_rows() if schedule.release(r.key) is None)
    assert _cell(window, unscheduled, Col.FLOAT) == ""
    assert _cell(window, unscheduled, Col.FLOAT, Qt.ItemDataRole.ToolTipRole)
    # Released releases are history: blank Float and Slip, not hundreds of days of float.
    released = [r for r in schedule.releases if r.released]
    assert released
    for forecast in released:
        assert _cell(window, forecast.key, Col.FLOAT) == ""
        assert _cell(window, forecast.key, Col.SLIP) == ""
        assert _cell(window, forecast.key, Col.CRITICAL) == ""
    tip = _cell(window, released[0].key, Col.FLOAT, Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Released: ")


def test_schedule_columns_sort(window: MainWindow) -> None:
    window.table.sortByColumn(Col.FLOAT, Qt.SortOrder.AscendingOrder)
    floats = [window.model.index(r, Col.FLOAT).data() for r in range(window.model.rowCount())]
    numbers = [int(f) for f in floats if f != ""]
    assert numbers == sorted(numbers)
    assert floats[len(numbers) :] == [""] * (len(floats) - len(numbers))  # unscheduled last
    window.table.sortByColumn(Col.CRITICAL, Qt.SortOrder.AscendingOrder)
    path = window.model.schedule.critical_path  # type: ignore[union-attr]
    assert window.model.keys()[: len(path)] == list(path)
    window.table.sortByColumn(Col.SLIP, Qt.SortOrder.DescendingOrder)
    assert window.model.index(0, Col.SLIP).data().startswith("+")


def test_editing_a_date_reruns_the_analyses(
    qtbot: Any, open_window: OpenWindow, plan_ws: PlanWorkspace
) -> None:
    ws = plan_ws(document())
    window = open_window(ws)
    assert _kinds(window) == ["dependency_violation"]
    assert _cell(window, WEB, Col.SLIP) == "+6"
    assert _cell(window, WEB, Col.CRITICAL) == "●"

    row = window.model.row_of(WEB)
    assert row is not None
    assert window.model.setData(window.model.index(row, Col.START), "2026-12-04")
    qtbot.waitUntil(lambda: _kinds(window) == [])
    _settle(qtbot, window)
    assert ws.release(WEB).start == dt.date(2026, 12, 4)
    assert window.problems_dock.windowTitle() == "Problems — none"
    assert _cell(window, WEB, Col.SLIP) == "0"
    assert "No problems" in window.problems_label.text()

    window.undo_action.trigger()
    qtbot.waitUntil(lambda: _kinds(window) == ["dependency_violation"])
    assert _cell(window, WEB, Col.SLIP) == "+6"


def test_check_plan_action_runs_the_analyses_again(qtbot: Any, window: MainWindow) -> None:
    before = window.analyser.generation
    assert window.check_action.shortcut().toString() == "F5"
    window.check_action.trigger()
    _settle(qtbot, window)
    assert window.analyser.generation == before + 1
    assert window.analyser.latest is not None
    assert window.analyser.latest.generation == before + 1


def test_a_stale_result_is_dropped(qtbot: Any, window: MainWindow) -> None:
    latest = window.analyser.latest
    assert latest is not None
    old = latest.generation
    window.analyser.request()
    _settle(qtbot, window)
    rows = window.problems_dock.model.rowCount()
    schedule = window.model.schedule
    stale = dataclasses.replace(latest, problems=(), schedule=None, generation=old)
    assert not window.analyser.deliver(old, stale)
    assert window.problems_dock.model.rowCount() == rows > 0
    assert window.model.schedule is schedule is not None
    assert window.analyser.latest is not stale


def test_a_newer_request_wins_over_one_in_flight(qtbot: Any, window: MainWindow) -> None:
    first = window.analyser.request()
    second = window.analyser.request()
    _settle(qtbot, window)
    assert second == first + 1
    assert window.analyser.latest is not None
    assert window.analyser.latest.generation == second


def test_analyses_run_off_the_gui_thread(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    real = analysis.analyse_plan

    def spy(*args: Any, **kwargs: Any) -> analysis.PlanAnalysis:
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(analysis, "analyse_plan", spy)
    window.check_action.trigger()
    _settle(qtbot, window)
    assert len(threads) == 1
    assert threads[0] != threading.main_thread().name


def test_a_cycle_shows_its_message_and_leaves_float_empty(
    qtbot: Any, open_window: OpenWindow, plan_ws: PlanWorkspace
) -> None:
    doc = document()
    doc["dependencies"].append({"from": f"release:{WEB}", "to": f"release:{PAY}"})
    window = open_window(plan_ws(doc))
    assert "cycle" in _kinds(window)
    summary = window.problems_dock.summary.text()
    assert "No schedule" in summary
    assert "dependency cycle" in summary
    assert "cycle" in window.problems_label.text()
    assert window.model.schedule is None
    assert _cell(window, PAY, Col.FLOAT) == ""
    tip = _cell(window, PAY, Col.FLOAT, Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("No schedule: dependency cycle")


def test_a_long_critical_path_is_shortened_in_the_header_and_whole_in_its_tooltip(
    open_window: OpenWindow, plan_ws: PlanWorkspace
) -> None:
    doc = document()
    chain = [f"WEB-CHAIN-{n:02}" for n in range(1, 11)]
    for n, key in enumerate(chain):
        start = dt.date(2027, 1, 4) + dt.timedelta(days=10 * n)
        doc["releases"].append(
            {
                "key": key,
                "name": key,
                "team": "WEB",
                "start": start.isoformat(),
                "target": (start + dt.timedelta(days=9)).isoformat(),
                "status": "planned",
            }
        )
    for before, after in itertools.pairwise(chain):
        doc["dependencies"].append({"from": f"release:{before}", "to": f"release:{after}"})
    window = open_window(plan_ws(doc))
    path = window.model.schedule.critical_path  # type: ignore[union-attr]
    assert list(path[-10:]) == chain
    dock = window.problems_dock
    summary = dock.summary.text()
    assert f"{path[0]} → {path[1]} → {path[2]} → … {len(path) - 6} more …" in summary
    assert summary.endswith(" → ".join(path[-3:]))
    assert "WEB-CHAIN-05" not in summary
    assert " → ".join(path) in dock.summary.toolTip()


def test_an_edit_of_dates_reuses_the_index_and_an_edit_of_dependencies_does_not(
    qtbot: Any, open_window: OpenWindow, plan_ws: PlanWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from relplan.planning import graph as planning_graph

    window = open_window(plan_ws(document()))
    _settle(qtbot, window)
    indexed: list[int] = []
    real = planning_graph.index_plan

    def counted(plan: Any) -> Any:
        indexed.append(1)
        return real(plan)

    monkeypatch.setattr(planning_graph, "index_plan", counted)
    row = window.model.row_of(WEB)
    assert row is not None
    assert window.model.setData(window.model.index(row, Col.START), "2026-12-04")
    qtbot.waitUntil(lambda: _kinds(window) == [])
    _settle(qtbot, window)
    assert indexed == []  # the dates moved: the index of the plan before was reused
    latest = window.analyser.latest
    assert latest is not None
    assert latest.graph is not None
    assert latest.graph.index.releases[WEB].start == dt.date(2026, 12, 4)
    assert latest.problems == tuple(check_plan(latest.plan, today=DEMO_TODAY))
    assert latest.schedule == schedule_plan(latest.plan)

    web = latest.plan.release(WEB)
    assert web is not None
    link = next(
        d for d in latest.plan.dependencies if d.pair == (f"release:{PAY}", f"release:{WEB}")
    )
    window.session.save_release(ReleaseEdit(web, web, (link,), ()))  # the link removed
    qtbot.waitUntil(lambda: bool(indexed))
    _settle(qtbot, window)
    latest = window.analyser.latest
    assert latest is not None
    assert latest.problems == tuple(check_plan(latest.plan, today=DEMO_TODAY))


def test_view_menu_toggles_the_problems_dock(qtbot: Any, window: MainWindow) -> None:
    action = window.problems_action
    assert action.shortcut().toString() == "Ctrl+Shift+M"  # Ctrl+1..5 switch views
    assert window.problems_dock.isVisible()
    action.trigger()
    qtbot.waitUntil(lambda: not window.problems_dock.isVisible())
    action.trigger()
    qtbot.waitUntil(window.problems_dock.isVisible)


def test_reveal_release_selects_and_scrolls(window: MainWindow) -> None:
    key = window.model.row_at(window.model.rowCount() - 1).key
    window.table.scrollToTop()
    assert window.reveal_release(key)
    assert window.current_release() == key
    assert window.table.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectRows
    assert not window.reveal_release("NOPE-1")
    assert "NOPE-1" in window.statusBar().currentMessage()


def test_an_edit_is_analysed_on_the_patched_plan_without_loading_it_again(
    qtbot: Any, open_window: OpenWindow, plan_ws: PlanWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = plan_ws(document())
    window = open_window(ws)
    _settle(qtbot, window)
    loads: list[int] = []
    real = Workspace.plan

    def counted(self: Workspace) -> Any:
        loads.append(1)
        return real(self)

    monkeypatch.setattr(Workspace, "plan", counted)
    shown: list[str] = []  # connected after the window: sees the label as the window left it
    window.analyser.started.connect(lambda: shown.append(window.problems_label.text()))
    row = window.model.row_of(WEB)
    assert row is not None
    assert window.model.setData(window.model.index(row, Col.START), "2026-12-04")
    qtbot.waitUntil(lambda: _kinds(window) == [])
    _settle(qtbot, window)
    assert shown
    assert "updating" in shown[0]
    assert "updating" not in window.problems_label.text()
    latest = window.analyser.latest
    assert latest is not None
    release = latest.plan.release(WEB)
    assert release is not None
    assert release.start == dt.date(2026, 12, 4)
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: _kinds(window) == ["dependency_violation"])
    _settle(qtbot, window)
    assert loads == []  # both analyses patched the plan they had
    latest = window.analyser.latest
    assert latest is not None
    assert latest.plan == real(ws)
    window.check_action.trigger()  # F5 checks the plan as stored: loaded again
    _settle(qtbot, window)
    assert loads == [1]


def test_the_analysis_prepares_each_releases_links_off_the_gui_thread(
    demo_ws: Workspace,
) -> None:
    # The Timeline's arrows read them in a paint; built there, they stalled the GUI thread.
    plan = demo_ws.plan()
    for made in (
        analysis.analyse_plan(plan, today=DEMO_TODAY),
        analysis.sketch_plan(plan, today=DEMO_TODAY),
    ):
        assert made.graph is not None
        assert made.graph._links_of is not None
        assert made.graph.links_of() is made.graph._links_of
