"""Time the Timeline and the Dependency map on the large demo: build + first paint, and scrolling.

The large demo (``relplan.demo.generate("large", seed=1)``: 2,000 releases of 50 teams, 100,000
work items, ~88,000 release edges) is parsed and analysed once; then each view is built from
scratch (``set_data``: the plan graph, the layout and the scene) and painted once, and its
viewport is scrolled programmatically and repainted (``viewport().repaint()`` paints
synchronously). Qt runs offscreen; the window is 1400x900.

Targets (issue #4): build + first paint <= 1.5 s per view; a scrolling repaint <= 50 ms.

This times the views alone, from a plan already loaded and analysed: it is not what a user
waits for. ``scripts/bench_window.py`` (run by ``scripts/bench_large.py``) measures that, in the
real window from launch, with an event-loop heartbeat for stalls.

Run: ``python scripts/bench_views.py`` (``--scrolls N``, default 60; ``--repeat N`` for the
best of N builds, default 1).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QAbstractScrollArea, QApplication

TODAY = dt.date(2026, 6, 1)
BUILD_TARGET_S = 1.5
REPAINT_TARGET_MS = 50.0
SIZE = (1400, 900)


def _timed(action: Callable[[], Any]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def _build(factory: Callable[[], Any], plan: Any, analysis: Any, repeat: int) -> tuple[Any, float]:
    """Build, show and paint a view ``repeat`` times; the last view and the best time."""
    best, view = float("inf"), None
    for _ in range(repeat):
        if view is not None:
            view.close()
            view.deleteLater()
            QApplication.processEvents()
        from relplan.ui.views import view_common

        view_common._last_graph.clear()  # each view pays for its plan graph (the window shares one)
        began = time.perf_counter()
        view = factory()
        view.resize(*SIZE)
        view.show()
        view.set_data(plan, analysis)
        QApplication.processEvents()  # layouts settle, the first paint is queued and done
        view.repaint()
        best = min(best, time.perf_counter() - began)
    return view, best


def _scroll(area: QAbstractScrollArea, scrolls: int) -> list[float]:
    """Repaint times (ms) while scrolling down a page at a time and right a third at a time."""
    viewport = area.viewport()
    vertical, horizontal = area.verticalScrollBar(), area.horizontalScrollBar()
    times = []
    for n in range(scrolls):
        if n % 2:
            vertical.setValue((vertical.value() + viewport.height()) % (vertical.maximum() + 1))
        else:
            step = viewport.width() // 3
            horizontal.setValue((horizontal.value() + step) % (horizontal.maximum() + 1))
        times.append(_timed(viewport.repaint) * 1000)
    return times


def _report(name: str, seconds: float | None = None, times: list[float] | None = None) -> bool:
    if seconds is not None:
        ok = seconds <= BUILD_TARGET_S
        verdict = "ok" if ok else "SLOW"
        print(f"{name:<44} {seconds:7.3f} s   (target <= {BUILD_TARGET_S} s)  {verdict}")
        return ok
    assert times
    ok = max(times) <= REPAINT_TARGET_MS
    median, worst = statistics.median(times), max(times)
    print(
        f"{name:<44} median {median:5.1f} ms, max {worst:5.1f} ms over {len(times)} "
        f"(target <= {REPAINT_TARGET_MS:.0f} ms)  {'ok' if ok else 'SLOW'}"
    )
    return ok


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scrolls", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=1)
    options = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    from relplan.demo import generate
    from relplan.formats.workspace_json import parse_workspace
    from relplan.ui.analysis import analyse_plan
    from relplan.ui.views.graph_map import DependencyMapView
    from relplan.ui.views.timeline import TimelineView

    began = time.perf_counter()
    plan = parse_workspace(generate("large", seed=1, today=TODAY))
    analysis = analyse_plan(plan, today=TODAY)
    print(
        f"large demo: {len(plan.releases):,} releases, {len(plan.work_items):,} items, "
        f"{len(plan.dependencies):,} dependencies; generated, parsed and analysed in "
        f"{time.perf_counter() - began:.1f} s (not part of the targets)"
    )
    ok = True

    print("== Timeline")
    timeline, seconds = _build(TimelineView, plan, analysis, options.repeat)
    ok &= _report("build + first paint (month zoom)", seconds)
    chart = timeline.chart
    print(f"   {len(chart.timeline.rows):,} rows; arrows: {chart.arrow_mode}")
    ok &= _report("scroll + repaint, month zoom", times=_scroll(chart, options.scrolls))
    timeline.set_zoom("quarter")
    ok &= _report("scroll + repaint, quarter zoom", times=_scroll(chart, options.scrolls))
    timeline.set_zoom("week")
    ok &= _report("scroll + repaint, week zoom", times=_scroll(chart, options.scrolls))
    timeline.set_zoom("month")
    timeline.set_arrow_mode("all")  # every implied edge too: informative, not the default
    _report("scroll + repaint, all ~88k dependencies", times=_scroll(chart, options.scrolls // 2))
    timeline.close()

    print("== Dependency map")
    graph_map, seconds = _build(DependencyMapView, plan, analysis, options.repeat)
    ok &= _report(f"build + first paint ({graph_map.mode} view)", seconds)
    print(f"   {graph_map.status.text()}")
    ok &= _report("scroll + repaint, teams", times=_scroll(graph_map.view, options.scrolls))
    graph = graph_map.graph
    hub = max(graph.releases, key=lambda k: len(graph.succ.get(k, ())) + len(graph.pred.get(k, ())))
    for depth in (1, 2, None):
        seconds = _timed(lambda d=depth: (graph_map.set_focus(hub, depth=d), graph_map.repaint()))
        label = "all" if depth is None else depth
        ok &= _report(f"focus on {hub}, depth {label} (layout + paint)", seconds)
        print(f"   {graph_map.status.text()}")
        ok &= _report(
            f"scroll + repaint, depth {label}", times=_scroll(graph_map.view, options.scrolls)
        )
    seconds = _timed(lambda: (graph_map.set_focus(None), graph_map.repaint()))
    _report("every release, no focus (informative)", seconds)
    print(f"   {graph_map.status.text()}")
    graph_map.close()
    print("all targets met" if ok else "SOME TARGETS MISSED")
    app.processEvents()


if __name__ == "__main__":
    main()
