"""The releases table model: Qt contract, sorting, filtering and edit validation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt

from relplan.store.repository import ReleaseRow
from relplan.store.workspace import Workspace
from relplan.ui.models.releases import COLUMN_TITLES, Col, ItemRole, ReleaseTableModel


def _row(key: str, team: str = "PAY", start: str | None = None, target: str | None = None,
         status: str = "planned") -> ReleaseRow:  # fmt: skip
    return ReleaseRow(key, f"{team} release {key}", team, None, start, target, status, 2, 3, 1, 0)


@pytest.fixture
def edits() -> list[tuple[str, dict[str, Any]]]:
    return []


@pytest.fixture
def model(
    qapp: Any, demo_ws: Workspace, edits: list[tuple[str, dict[str, Any]]]
) -> ReleaseTableModel:
    m = ReleaseTableModel(edit_handler=lambda key, fields: edits.append((key, fields)))
    m.set_rows(demo_ws.release_rows())
    return m


def _column(
    model: ReleaseTableModel, col: Col, role: int = Qt.ItemDataRole.DisplayRole
) -> list[Any]:
    return [model.index(r, col).data(role) for r in range(model.rowCount())]


def test_model_passes_qt_model_tester(qtmodeltester: Any, model: ReleaseTableModel) -> None:
    qtmodeltester.check(model, force_py=True)


def test_model_tester_through_sort_and_filter(qtmodeltester: Any, model: ReleaseTableModel) -> None:
    qtmodeltester.check(model, force_py=True)
    model.sort(Col.TARGET, Qt.SortOrder.DescendingOrder)
    model.set_team_filter({model.teams()[0]})
    model.set_text_filter("a")
    model.set_rows(model.row_at(r) for r in range(model.rowCount()))


def test_headers_and_row_count(model: ReleaseTableModel, demo_ws: Workspace) -> None:
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert titles == list(COLUMN_TITLES)
    assert titles == [
        "Key",
        "Name",
        "Team",
        "Train",
        "Start",
        "Target",
        "Status",
        "Stages",
        "Gates",
        "Float",
        "Slip",
        "CP",
        "Phase",
        "On time",
    ]
    assert model.rowCount() == len(demo_ws.release_rows()) == model.total_count


def test_sort_by_target_puts_missing_dates_last_both_ways(qapp: Any) -> None:
    m = ReleaseTableModel()
    m.set_rows([_row("A", target="2026-03-01"), _row("B"), _row("C", target="2026-01-05"),
                _row("D", target="2026-03-01"), _row("E")])  # fmt: skip
    m.sort(Col.TARGET, Qt.SortOrder.AscendingOrder)
    assert m.keys() == ["C", "A", "D", "B", "E"]
    m.sort(Col.TARGET, Qt.SortOrder.DescendingOrder)
    # Stable: A stays before D, and B before E, in both directions.
    assert m.keys() == ["A", "D", "C", "B", "E"]


def test_sort_orders_demo_rows(model: ReleaseTableModel) -> None:
    model.sort(Col.TARGET, Qt.SortOrder.AscendingOrder)
    targets = [t for t in _column(model, Col.TARGET) if t]
    assert targets == sorted(targets)
    model.sort(Col.STAGES, Qt.SortOrder.DescendingOrder)
    stages = _column(model, Col.STAGES)
    assert stages == sorted(stages, reverse=True)


def test_team_and_text_filters_combine(model: ReleaseTableModel) -> None:
    team = model.teams()[0]
    model.set_team_filter({team})
    rows = [model.row_at(r) for r in range(model.rowCount())]
    assert rows
    assert all(row.team == team for row in rows)
    assert model.shown_count == len(rows) < model.total_count
    key = rows[-1].key
    model.set_text_filter(f"  {key.lower()} ")
    assert model.keys() == [key]
    model.set_team_filter(None)
    model.set_text_filter("")
    assert model.shown_count == model.total_count


def test_the_filter_bars_team_and_train_filter_the_rows(model: ReleaseTableModel) -> None:
    trains = sorted({model.row_at(r).train for r in range(model.rowCount())} - {None})
    assert trains
    model.set_filters(None, trains[0])
    rows = [model.row_at(r) for r in range(model.rowCount())]
    assert rows
    assert {row.train for row in rows} == {trains[0]}
    assert model.shown_count == len(rows) < model.total_count
    team = rows[0].team
    model.set_filters({team}, trains[0])
    assert {(model.row_at(r).team, model.row_at(r).train) for r in range(model.rowCount())} == {
        (team, trains[0])
    }
    model.set_filters(None, None)
    assert model.shown_count == model.total_count


def test_set_data_submits_a_validated_day(model: ReleaseTableModel, edits: list[Any]) -> None:
    model.sort(Col.TARGET, Qt.SortOrder.AscendingOrder)
    row = model.row_at(0)
    assert row.start is not None
    assert row.target is not None
    new = dt.date.fromisoformat(row.target) + dt.timedelta(days=3)
    index = model.index(0, Col.TARGET)
    assert model.setData(index, new.isoformat())
    assert edits == [(row.key, {"target": new})]
    assert index.data() == new.isoformat()  # shown at once
    assert model.index(0, Col.KEY).data(ItemRole).target == new.isoformat()


@pytest.mark.parametrize(
    ("col", "value", "reason"),
    [
        (Col.TARGET, "2026-02-30", "not a day of the calendar"),
        (Col.TARGET, "tomorrow", "YYYY-MM-DD"),
        (Col.TARGET, "2026-1-5", "YYYY-MM-DD"),
        (Col.TARGET, "1990-01-01", "a release needs start <= target"),
        (Col.START, "2099-01-01", "is before start 2099-01-01"),
        (Col.STATUS, "shipped", "expected one of: planned"),
    ],
)
def test_set_data_refuses_bad_values(
    qtbot: Any, model: ReleaseTableModel, edits: list[Any], col: Col, value: str, reason: str
) -> None:
    rows = [model.row_at(r) for r in range(model.rowCount())]
    pos = next(i for i, row in enumerate(rows) if row.start and row.target)
    before = model.index(pos, col).data()
    with qtbot.waitSignal(model.message, timeout=1000) as blocker:
        assert not model.setData(model.index(pos, col), value)
    assert reason in blocker.args[0]
    assert rows[pos].key in blocker.args[0]
    assert edits == []
    assert model.index(pos, col).data() == before


def test_status_edit_and_read_only_columns(model: ReleaseTableModel, edits: list[Any]) -> None:
    assert model.flags(model.index(0, Col.STATUS)) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, Col.NAME)) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(model.index(0, Col.NAME), "renamed")
    row = model.row_at(0)
    new_status = "cancelled" if row.status != "cancelled" else "planned"
    assert model.setData(model.index(0, Col.STATUS), new_status)
    assert edits == [(row.key, {"status": new_status})]
    assert model.index(0, Col.STATUS).data(Qt.ItemDataRole.EditRole) == new_status


def test_unchanged_value_submits_nothing(model: ReleaseTableModel, edits: list[Any]) -> None:
    index = model.index(0, Col.START)
    assert model.setData(index, index.data(Qt.ItemDataRole.EditRole))
    assert edits == []


def test_read_only_without_edit_handler(qapp: Any) -> None:
    m = ReleaseTableModel()
    m.set_rows([_row("A", target="2026-01-01")])
    assert not m.flags(m.index(0, Col.TARGET)) & Qt.ItemFlag.ItemIsEditable
    assert not m.setData(m.index(0, Col.TARGET), "2026-01-02")


def test_apply_changes_patches_rows_and_resets_on_delete(qtbot: Any, qapp: Any) -> None:
    m = ReleaseTableModel()
    m.set_rows([_row("A"), _row("B"), _row("C")])
    with qtbot.waitSignal(m.dataChanged, timeout=1000):
        m.apply_changes({"B": _row("B", status="released")})
    assert m.index(1, Col.STATUS).data() == "Released"
    with qtbot.waitSignal(m.modelReset, timeout=1000):
        m.apply_changes({"A": None, "D": _row("D", team="WEB")})
    assert m.keys() == ["B", "C", "D"]
    assert m.teams() == ["PAY", "WEB"]
