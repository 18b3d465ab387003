"""The On time column after an edit and its undo: the forecast of the analysed plan (its index
reused, the item facts kept while no item is written) equals a fresh ``portfolio_forecast``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from relplan.planning.forecast import throughput_cutoff
from relplan.planning.portfolio_forecast import ReleaseOdds, portfolio_forecast
from relplan.store.workspace import Workspace
from relplan.ui.main_window import MainWindow
from relplan.ui.on_time import _Facts
from tests.ui.conftest import DEMO_TODAY


def _fresh(ws: Workspace) -> dict[str, ReleaseOdds]:
    return {o.key: o for o in portfolio_forecast(ws.plan(), today=DEMO_TODAY).releases}


def _shown(window: MainWindow, keys: list[str]) -> dict[str, ReleaseOdds | None]:
    return {key: window.model.on_time_for(key) for key in keys}


def test_the_on_time_column_follows_an_edit_and_its_undo(qtbot: Any, window: MainWindow) -> None:
    ws = window.session.workspace
    before = _fresh(ws)
    keys = sorted(before)
    qtbot.waitUntil(lambda: window.runner.idle and _shown(window, keys) == before, timeout=30_000)
    plan = ws.plan()
    # A release late enough that a fortnight later changes its odds, and its successors'.
    moved = next(
        r for r in plan.releases
        if r.status == "planned" and r.start and r.target
        and 0 < (before[r.key].p_on_time or 0) < 1
    )  # fmt: skip
    assert moved.start is not None
    assert moved.target is not None
    early = {"start": moved.start - dt.timedelta(30), "target": moved.target - dt.timedelta(30)}
    window.session.edit_release(moved.key, early)
    qtbot.waitUntil(lambda: window.runner.idle and ws.plan() != plan, timeout=30_000)
    after = _fresh(ws)
    assert after != before  # the edit changes the forecast, so a stale column would show
    qtbot.waitUntil(lambda: window.runner.idle and _shown(window, keys) == after, timeout=30_000)
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.runner.idle and ws.plan() == plan, timeout=30_000)
    qtbot.waitUntil(lambda: window.runner.idle and _shown(window, keys) == before, timeout=30_000)


def test_item_facts_are_read_again_after_an_item_is_written(demo_ws: Workspace) -> None:
    facts = _Facts()
    since = throughput_cutoff(demo_ws.plan(), today=DEMO_TODAY)
    first = facts.get(demo_ws, since)
    assert facts.get(demo_ws, since) is first  # nothing written: kept
    item = next(i for i in demo_ws.plan().work_items if i.category != "done")
    with demo_ws.write():
        demo_ws.conn.execute(
            "UPDATE work_items SET category = 'done', resolved = ? WHERE key = ?",
            ((dt.datetime.combine(DEMO_TODAY, dt.time(9), dt.UTC)).isoformat(), item.key),
        )
    again = facts.get(demo_ws, since)
    assert again is not first
    assert again.tallies != first.tallies


def test_the_hidden_dashboard_gathers_its_item_facts_once_the_plan_is_analysed(
    qtbot: Any, window: MainWindow
) -> None:
    import sys

    from relplan.planning import readiness

    qtbot.waitUntil(lambda: window.analyser.latest is not None and window.runner.idle)
    latest = window.analyser.latest
    assert latest is not None
    assert window.dashboard.view is None  # never shown
    kept = readiness._LAST_FACTS[0]
    assert kept is not None
    assert kept[0] is latest.plan.work_items  # so its first opening does not gather them
    assert "relplan.charts.dashboard" in sys.modules
