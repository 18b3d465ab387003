"""``relplan export png|svg|pdf --view calendar|timeline|graph``: the window's views, offscreen.

The command line builds the same widgets the window shows, feeds them the workspace's plan and
its analysis, applies the filters (``--team``, ``--train``, ``--from``/``--to``) and calls their
``export_image``. Without a display Qt runs on its ``offscreen`` platform, so this works on a
server or in CI.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Final

from relplan.errors import Issue, UnknownObjectError, ValidationError

if TYPE_CHECKING:
    from PySide6.QtCore import QMessageLogContext, QtMsgType
    from PySide6.QtWidgets import QApplication

    from relplan.domain.model import Plan, Release
    from relplan.planning.graph import PlanIndex
    from relplan.store.workspace import Workspace
    from relplan.ui.analysis import PlanAnalysis

#: Each view's widget class as "module:class"; each follows ``relplan.ui.views.base.PlanView``.
VIEWS: Final = {
    "calendar": "relplan.ui.views.calendar:CalendarView",
    "timeline": "relplan.ui.views.timeline:TimelineView",
    "graph": "relplan.ui.views.graph_map:DependencyMapView",
}
#: Without ``--from``/``--to`` the timeline shows this many days either side of today.
TIMELINE_DAYS: Final = 91
#: At most this many releases in a timeline picture (those nearest today); the title says how
#: many of how many. A large plan's hundreds of rows made a 50-megapixel image that no one
#: can read and that took seconds to encode.
TIMELINE_ROWS: Final = 60


def application() -> QApplication:
    """The running QApplication, or a new one (``offscreen`` when there is no display)."""
    display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if not display and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    return QApplication(["relplan"])


def _quiet_offscreen(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Drop the offscreen platform's notice about showing a window; print other messages."""
    # WORKAROUND(https://github.com/OPM/ResInsight/issues/8723): the offscreen plugin warns
    # "does not support propagateSizeHints()" whenever an (invisible) widget is shown.
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)  # noqa: T201 (Qt's own messages, as Qt prints them)


def _timeline_releases(
    plan: Plan,
    teams: frozenset[str],
    train: str | None,
    days: tuple[dt.date, dt.date],
    today: dt.date,
) -> tuple[Plan, int] | None:
    """The plan cut to the :data:`TIMELINE_ROWS` releases a timeline picture shows (those in
    progress on ``today``, then the nearest to it), and how many the filter keeps; None when all
    of them fit.

    The analysis stays the full plan's, so float, the critical path and problems are the same.
    """
    kept = [
        r
        for r in plan.releases
        if (not teams or r.team in teams)
        and (train is None or r.train == train)
        and r.start is not None
        and r.target is not None
        and r.start <= days[1]
        and r.target >= days[0]
    ]
    if len(kept) <= TIMELINE_ROWS:
        return None

    def distance(r: Release) -> tuple[int, dt.date, str]:
        assert r.start is not None
        assert r.target is not None
        away = max((r.start - today).days, (today - r.target).days, 0)
        return away, r.start, r.key

    chosen = {r.key for r in sorted(kept, key=distance)[:TIMELINE_ROWS]}
    cut = replace(
        plan,
        releases=tuple(r for r in plan.releases if r.key in chosen),
        work_items=tuple(i for i in plan.work_items if i.release in chosen),
    )
    return cut, len(kept)


def _cut_analysis(analysis: PlanAnalysis, cut: Plan, whole: PlanIndex | None) -> PlanAnalysis:
    """The analysis of the whole plan with the graph of ``cut`` (its releases' edges, float and
    problems as in the whole plan); ``whole`` is the whole plan's index from its columns, when
    ``cut`` holds releases only (None: ``cut`` has its items and dependencies)."""
    from relplan.layout.graph import PlanGraph
    from relplan.planning.graph import PlanIndex
    from relplan.planning.links import LinkIndex

    index: PlanIndex | None = None
    if isinstance(whole, LinkIndex) and not whole.has_columns():
        # The cut's edges are the whole plan's between its releases, in the same order.
        keys = {r.key for r in cut.releases}
        explicit = [e[:4] for e in whole.explicit.values() if e[0] in keys and e[1] in keys]
        implied = [(p, s) for p, s in whole.implied if p in keys and s in keys]
        index = LinkIndex(cut, whole.source, explicit, implied, whole.cycles)
    elif whole is not None:
        index = PlanIndex.from_columns(cut, whole.item_release, whole.dependencies)
    graph = PlanGraph(cut, schedule=analysis.schedule, problems=analysis.problems, index=index)
    return replace(analysis, plan=cut, graph=graph)


def export_view(args: argparse.Namespace, ws: Workspace) -> str:
    """Write ``args.view`` of the workspace's plan to ``args.out`` as ``args.format``.

    Args:
        args: ``format`` (png, svg or pdf), ``view``, ``out`` and the export filters
            (``team`` list, ``train``, ``date_from``, ``date_to``, ``today``); for the graph,
            optionally ``focus`` (a release key) and ``depth`` (1, 2 or None for all).
        ws: The open workspace.

    Returns:
        The line to print.

    Raises:
        ValidationError: an unknown view or format, or ``--from`` after ``--to``.
        UnknownObjectError: ``focus`` names no release.
    """
    fmt = str(args.format).lower()
    if args.view not in VIEWS:
        issue = f"no view {args.view!r}: use {', '.join(VIEWS)}"
        raise ValidationError([Issue("--view", issue)])
    if fmt not in ("png", "svg", "pdf"):
        raise ValidationError([Issue("format", f"cannot export a view as {fmt!r}")])
    first, last = args.date_from, args.date_to
    if first is not None and last is not None and first > last:
        raise ValidationError([Issue("--from", f"{first} is after --to {last}")])
    app = application()
    from PySide6.QtCore import qInstallMessageHandler

    from relplan.ui.analysis import analyse_plan, zone_today

    previous = qInstallMessageHandler(_quiet_offscreen)

    index: PlanIndex | None = None
    if args.view == "calendar":  # its problem days name the dependencies' items
        plan = ws.plan()
    else:  # the timeline and the map draw releases and release edges: no items needed
        from relplan.planning.links import release_index

        with ws.read_snapshot():  # the release links (and cycles) from the analysis cache
            plan = ws.release_plan()
            index = release_index(plan, ws)
    today: dt.date = args.today or zone_today(plan.timezone)
    teams = frozenset(args.team or ())
    shown = None
    if args.view == "timeline":
        if first is None and last is None:
            first, last = today - dt.timedelta(TIMELINE_DAYS), today + dt.timedelta(TIMELINE_DAYS)
        days = (first or dt.date.min, last or dt.date.max)
        shown = _timeline_releases(plan, teams, args.train, days, today)
    # A cut timeline draws the cut's graph (below), not the whole plan's.
    analysis = analyse_plan(plan, today=today, index=index, with_graph=shown is None)
    module_name, class_name = VIEWS[args.view].split(":")
    view = getattr(importlib.import_module(module_name), class_name)()
    try:
        if args.view in ("timeline", "graph"):
            # Filter and days first: the view lays its rows out once, when the data comes.
            view.set_filter(teams, args.train, None)
            if first is not None or last is not None:
                view.set_date_range(first, last)
        if shown is None:
            view.set_data(plan, analysis)
        else:
            view.title_note = f"of {shown[1]} (those nearest {today})"
            view.set_data(shown[0], _cut_analysis(analysis, shown[0], index))
        if args.view == "calendar":
            view.set_filter(teams, args.train, None)
        focus = getattr(args, "focus", None)  # the map around one release (--focus KEY)
        if args.view == "graph" and focus is not None:
            if plan.release(focus) is None:
                raise UnknownObjectError("release", focus)
            view.set_focus(focus, depth=getattr(args, "depth", None), direction="both")
        elif args.view == "calendar" and first is not None:
            view.show_day(first)
        out = Path(args.out)
        # Rendered under the format's suffix (the views pick the format by it), then renamed.
        temp = out.with_name(f".{out.name}.{os.getpid()}.{fmt}")
        try:
            view.export_image(str(temp))
            os.replace(temp, out)
        finally:
            temp.unlink(missing_ok=True)
    finally:
        view.deleteLater()
        app.processEvents()
        qInstallMessageHandler(previous)
    return f"wrote {out} ({out.stat().st_size:,} bytes): {args.view} as {fmt}"
