"""The Dashboard view and the deployment dialog (offscreen)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from relplan.domain.model import Change, Deployment, Plan
from relplan.formats.workspace_json import parse_workspace
from relplan.metrics.dashboard import DashboardFilter, compute_dashboard
from relplan.ui.dialogs.deployment import DeploymentDialog
from relplan.ui.tasks import SyncTaskRunner, TaskRunner
from relplan.ui.views.dashboard import DashboardView
from tests.ui.conftest import DEMO_TODAY


@pytest.fixture
def demo_plan(demo_document: dict[str, Any]) -> Plan:
    return parse_workspace(demo_document)


def _view(qtbot: Any, **kwargs: Any) -> DashboardView:
    view = DashboardView(clock=lambda _plan: DEMO_TODAY, **kwargs)
    qtbot.addWidget(view)
    view.resize(1200, 900)
    view.show()
    return view


def test_set_result_shows_every_chart_and_exports(
    qtbot: Any, demo_plan: Plan, tmp_path: Path
) -> None:
    view = _view(qtbot)
    data = compute_dashboard(demo_plan, today=DEMO_TODAY)
    with qtbot.waitSignal(view.result_shown):
        view.set_result(data)
    for name, panel in view.panels.items():
        assert panel.canvas is not None, name
        assert panel.export_action.isEnabled()
    dora = view.figure("dora")
    assert dora is not None
    assert len(dora.axes) == 4
    burnup = view.figure("burnup")
    assert burnup is not None
    assert data.burnup is not None
    assert burnup.axes[0].get_title().startswith(data.burnup.key)
    assert "104 Production deployments" in view.status.text()
    for fmt, head in (("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF")):
        path = tmp_path / f"dora.{fmt}"
        assert view.export_chart("dora", str(path)) > 0
        assert path.read_bytes().startswith(head)
    # The burn-up choice lists the open releases.
    keys = [view.release_combo.itemData(i) for i in range(view.release_combo.count())]
    assert keys[0] is None
    assert data.burnup.key in keys


def test_refresh_inline_and_filter_edits(qtbot: Any, demo_plan: Plan) -> None:
    view = _view(qtbot, runner=SyncTaskRunner())
    with qtbot.waitSignal(view.result_shown):
        view.refresh(demo_plan)
    assert view.result is not None
    # Team and train come from the window's filter (one filter): no combo of its own.
    assert not hasattr(view, "team_combo")
    assert not hasattr(view, "train_combo")
    with qtbot.waitSignal(view.result_shown):
        view.set_filter(frozenset({"PAY"}), None, None)
    shown = view.result.data
    assert shown.filter.team == "PAY"
    assert {r.team for r in shown.readiness.releases} == {"PAY"}
    with qtbot.waitSignal(view.filter_changed) as changed, qtbot.waitSignal(view.result_shown):
        view.window_combo.setCurrentIndex(0)  # the last 30 days
    assert changed.args[0].team == "PAY"  # the window's team is kept
    window = view.result.data.dora.overall.window
    assert (window.start, window.end) == (DEMO_TODAY - dt.timedelta(days=29), DEMO_TODAY)


def test_refresh_on_the_real_runner_keeps_only_the_latest(
    qtbot: Any, demo_plan: Plan, runner: TaskRunner
) -> None:
    view = _view(qtbot, runner=runner)
    view.refresh(demo_plan)
    view.set_dashboard_filter(DashboardFilter(team="WEB"))
    qtbot.waitUntil(lambda: view.result is not None and runner.idle, timeout=10_000)
    assert view.result is not None
    assert view.result.data.filter.team == "WEB"
    assert view.result.data.generation == 2


def test_a_filter_that_names_nothing_is_reported(qtbot: Any, demo_plan: Plan) -> None:
    view = _view(qtbot)
    view.refresh(demo_plan)
    with qtbot.waitSignal(view.failed) as failed:
        view.set_dashboard_filter(DashboardFilter(release="NOPE"))
    assert "NOPE" in failed.args[0]
    assert view.status.text().startswith("Cannot chart this filter")


def test_deployment_dialog_returns_a_value(qtbot: Any) -> None:
    now = dt.datetime(2026, 11, 3, 10, 20, tzinfo=dt.UTC)
    dialog = DeploymentDialog(
        ["PAY-2026.12", "WEB-2026.12"], ["Staging", "Production"], timezone="Europe/Berlin", now=now
    )
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    d = dialog.deployment()
    assert d is not None
    assert (d.release, d.environment, d.outcome) == ("PAY-2026.12", "Production", "succeeded")
    assert d.finished == now  # 11:20 in Berlin
    assert d.started == now - dt.timedelta(minutes=20)
    assert ok.isEnabled()
    assert not dialog.restored_check.isEnabled()  # only a failed deployment has a restore time
    dialog.outcome_combo.setCurrentText("failed")
    dialog.restored_check.setChecked(True)
    dialog.changes_edit.setPlainText("a1@2026-11-02T09:00:00Z\nb2")
    dialog.incident_edit.setText(" INC-9 ")
    d = dialog.deployment()
    assert d is not None
    assert d.restored == now + dt.timedelta(minutes=30)
    assert d.changes == (Change("a1", dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)), Change("b2"))
    assert d.incident == "INC-9"
    dialog.changes_edit.setPlainText("a1@soon")
    assert dialog.deployment() is None
    assert not ok.isEnabled()
    assert "commit time found 'soon'" in dialog.problems_label.text()


def test_deployment_dialog_loads_a_deployment(qtbot: Any) -> None:
    initial = Deployment(
        "WEB-2026.12",
        "Staging",
        None,
        dt.datetime(2026, 11, 3, 10, 20, tzinfo=dt.UTC),
        "rolled_back",
        dt.datetime(2026, 11, 3, 11, 5, tzinfo=dt.UTC),
        (Change("c1", dt.datetime(2026, 11, 1, 16, tzinfo=dt.UTC)),),
        "INC-1",
    )
    dialog = DeploymentDialog(
        ["PAY-2026.12", "WEB-2026.12"], ["Staging", "Production"], initial=initial
    )
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Edit deployment"
    assert dialog.deployment() == initial
    dialog.started_check.setChecked(True)
    dialog.started_edit.setDateTime(dialog.finished_edit.dateTime().addSecs(60))
    assert dialog.problems() == ["Finished is before started."]


def test_plan_view_protocol(qtbot: Any, demo_plan: Plan) -> None:
    view = _view(qtbot)
    with qtbot.waitSignal(view.result_shown):
        view.set_data(demo_plan, None)
    with qtbot.waitSignal(view.result_shown):
        view.set_filter(frozenset({"WEB"}), "2026-Q3", "Production")
    assert view.result is not None
    assert (view.result.data.filter.team, view.result.data.filter.train) == ("WEB", "2026-Q3")
    with qtbot.waitSignal(view.result_shown):
        view.set_filter(frozenset({"WEB", "PAY"}), None, None)
    assert view.result.data.filter.team is None


def test_charts_are_drawn_off_the_gui_thread_at_the_panels_size(
    qtbot: Any, demo_plan: Plan, runner: TaskRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from relplan.ui.views import dashboard_charts

    threads: list[str] = []
    real = dashboard_charts.render_figure

    def spy(figure: Any, size: tuple[int, int], ratio: float = 1.0) -> Any:
        threads.append(threading.current_thread().name)
        return real(figure, size, ratio)

    monkeypatch.setattr(dashboard_charts, "render_figure", spy)
    view = _view(qtbot, runner=runner)
    view.resize(1240, 700)
    view.show()
    qtbot.waitExposed(view)
    view.refresh(demo_plan)
    qtbot.waitUntil(lambda: view.result is not None and runner.idle, timeout=20_000)
    assert len(threads) >= 4
    assert threading.main_thread().name not in threads
    panel = view.panels["readiness"]
    assert panel.canvas.figure is view.figure("readiness")
    # Drawn for the size each panel has, pixel for pixel.
    qtbot.waitUntil(lambda: view.charts_fit() and runner.idle, timeout=20_000)
    for each in view.panels.values():
        if each.canvas.isVisible():  # the train forecast's page is drawn when shown
            assert each.canvas.image is not None
            assert each.canvas.image.size() == each.canvas.size()
    train = view.panels["train-forecast"].canvas
    assert not train.isVisible()
    assert train.image is None
    view.pages.setCurrentIndex(1)
    qtbot.waitUntil(
        lambda: view.charts_fit() and runner.idle and train.image_size() == train.size(),
        timeout=20_000,
    )
    view.pages.setCurrentIndex(0)
    qtbot.waitUntil(lambda: view.charts_fit() and runner.idle, timeout=20_000)
    # A resize is drawn again once it settles: one redraw for a burst of sizes, on the worker.
    drawn, before = len(threads), panel.canvas.size()
    for width in range(1100, 1000, -20):
        view.resize(width, 640)
    with qtbot.waitSignal(view.charts_drawn, timeout=20_000):
        pass
    qtbot.waitUntil(lambda: view.charts_fit() and runner.idle, timeout=20_000)
    assert len(threads) == drawn + 4
    assert threading.main_thread().name not in threads
    assert panel.canvas.image is not None
    assert panel.canvas.image.size() == panel.canvas.size()
    assert panel.canvas.size().width() < before.width()
