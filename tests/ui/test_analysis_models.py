"""Models behind the analyses: problems, moved releases, the schedule columns and their wording."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt

from relplan.formats.workspace_json import parse_workspace
from relplan.planning import Problem, check_plan, impact_of_slip, schedule_plan
from relplan.store.workspace import Workspace
from relplan.ui.analysis import analyse_plan, zone_today
from relplan.ui.models import schedule_cells
from relplan.ui.models.impact import MovedReleasesModel
from relplan.ui.models.problems import (
    ItemRole,
    ProblemCol,
    ProblemFilterProxy,
    ProblemTableModel,
    kind_label,
    subject_label,
)
from relplan.ui.models.releases import Col, ReleaseTableModel
from relplan.ui.views.problems import problems_title
from tests.helpers.plans import document
from tests.ui.conftest import DEMO_TODAY

GATE_DAY = dt.date(2026, 11, 28)


@pytest.fixture
def problems() -> list[Problem]:
    return check_plan(parse_workspace(document()), today=GATE_DAY)


def test_problem_model_passes_the_model_tester(
    qapp: Any, qtmodeltester: Any, problems: list[Problem]
) -> None:
    model = ProblemTableModel()
    model.set_problems(problems)
    qtmodeltester.check(model, force_py=True)
    proxy = ProblemFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy, force_py=True)
    proxy.set_severity("warning")
    assert proxy.rowCount() == 1
    assert proxy.index(0, 0).data(ItemRole).kind == "gate_pending"


def test_problem_cells(qapp: Any, problems: list[Problem]) -> None:
    model = ProblemTableModel()
    model.set_problems(problems)
    assert model.index(0, ProblemCol.SEVERITY).data() == "Error"
    assert model.index(0, ProblemCol.KIND).data() == "Dependency violation"
    assert model.index(0, ProblemCol.SUBJECTS).data() == "PAY-2026.12, WEB-2026.12"
    assert model.index(0, ProblemCol.MESSAGE).data() == problems[0].message
    assert model.index(1, ProblemCol.SEVERITY).data() == "Warning"


def test_problem_labels() -> None:
    assert kind_label("environment_conflict") == "Environment conflict"
    assert subject_label("release:PAY-1") == "PAY-1"
    assert subject_label("freeze:Holiday freeze") == "freeze Holiday freeze"
    assert subject_label("item:PAY-101") == "item PAY-101"
    assert problems_title(1, 0) == "Problems — 1 error, 0 warnings"
    assert problems_title(0, 0) == "Problems — none"


def test_moved_model_passes_the_model_tester(qapp: Any, qtmodeltester: Any) -> None:
    impact = impact_of_slip(parse_workspace(document()), "PAY-2026.12", 5, today=DEMO_TODAY)
    model = MovedReleasesModel()
    model.set_moved(impact.moved, slipped="PAY-2026.12")
    qtmodeltester.check(model, force_py=True)
    assert model.keys() == ["PAY-2026.12", "WEB-2026.12"]
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()


def test_release_model_with_a_schedule_passes_the_model_tester(
    qapp: Any, qtmodeltester: Any, demo_ws: Workspace
) -> None:
    model = ReleaseTableModel()
    model.set_rows(demo_ws.release_rows())
    model.set_schedule(schedule_plan(demo_ws.plan()))
    qtmodeltester.check(model, force_py=True)
    model.sort(Col.SLIP, Qt.SortOrder.DescendingOrder)
    model.set_schedule(None, error="dependency cycle: release:A -> release:B -> release:A")
    assert all(model.index(r, Col.FLOAT).data() == "" for r in range(model.rowCount()))


def test_schedule_cell_wording(demo_ws: Workspace) -> None:
    schedule = schedule_plan(demo_ws.plan())
    late = next(r for r in schedule.releases if r.slip_days > 0)
    tip = schedule_cells.tooltip("SLIP", late, schedule, None)
    assert tip.startswith(f"Early finish {late.early_finish}, {late.slip_days} days after target")
    assert schedule_cells.foreground("SLIP", late, critical=False) == "#c62828"
    assert schedule_cells.background("SLIP", late) is not None
    free = next(r for r in schedule.releases if (r.float_days or 0) > 1)
    assert f"can slip {free.float_days} days" in schedule_cells.tooltip("FLOAT", free, schedule, 0)
    step = schedule_cells.tooltip("CRITICAL", late, schedule, 0)
    assert step.startswith(f"On the critical path (step 1 of {len(schedule.critical_path)}")
    assert schedule_cells.display("CRITICAL", late, critical=True) == "●"
    assert schedule_cells.display("FLOAT", None, critical=False) == ""


def test_analyse_plan_survives_a_cycle() -> None:
    doc = document()
    doc["dependencies"].append({"from": "release:WEB-2026.12", "to": "release:PAY-2026.12"})
    result = analyse_plan(parse_workspace(doc), today=DEMO_TODAY, generation=3)
    assert result.schedule is None
    assert result.schedule_error.startswith("dependency cycle:")
    assert "cycle" in [p.kind for p in result.problems]
    assert (result.errors, result.generation) == (len(result.problems), 3)


def test_zone_today_falls_back_for_an_unknown_zone() -> None:
    assert zone_today("Not/AZone") == dt.date.today()
    assert abs((zone_today("Pacific/Kiritimati") - dt.date.today()).days) <= 1


def test_an_analysis_indexes_the_plan_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """check, schedule and the plan graph share one index (each built its own: ~0.5 s apiece
    on the large demo, after every edit)."""
    import relplan.planning.graph as graph_module
    from relplan.demo import generate

    plan = parse_workspace(generate("small", seed=1, today=dt.date(2026, 6, 1)))
    built: list[object] = []
    real = graph_module.PlanIndex.__init__

    def counting(self: graph_module.PlanIndex, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        real(self, *args, **kwargs)

    monkeypatch.setattr(graph_module.PlanIndex, "__init__", counting)
    analysis = analyse_plan(plan, today=dt.date(2026, 6, 1))
    assert len(built) == 1
    assert analysis.graph is not None
    assert analysis.graph.index is not None
    assert analysis.schedule is not None
    assert analysis.problems
