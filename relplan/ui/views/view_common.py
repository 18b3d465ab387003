"""What the Timeline and the Map share: one plan graph per analysis, the stories their
tooltips tell, legends, headings and the chrome offscreen exports leave out."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import (
    QFont,
    QHelpEvent,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QFrame,
    QLabel,
    QToolTip,
    QWidget,
)

from relplan.domain.model import Plan
from relplan.layout.graph import Link, PlanGraph
from relplan.ui.palette import Theme

if TYPE_CHECKING:
    from relplan.ui.analysis import PlanAnalysis

CRITICAL: Final = "#e8710a"


_last_graph: list[tuple[Plan, PlanAnalysis | None, PlanGraph]] = []


def plan_graph(plan: Plan, analysis: PlanAnalysis | None) -> PlanGraph:
    """The plan graph of ``plan`` flagged from ``analysis``; views handed the same pair (as the
    window does) share one instead of each indexing ~100,000 edges again."""
    if analysis is not None and analysis.graph is not None and analysis.plan is plan:
        return analysis.graph  # built with the analysis, off the GUI thread
    if _last_graph and _last_graph[0][0] is plan and _last_graph[0][1] is analysis:
        return _last_graph[0][2]
    schedule = analysis.schedule if analysis is not None else None
    problems = analysis.problems if analysis is not None else ()
    graph = PlanGraph(plan, schedule=schedule, problems=problems)
    _last_graph[:] = [(plan, analysis, graph)]
    return graph


def release_story(graph: PlanGraph, key: str) -> str:
    """The full story of a release as tooltip HTML: dates, forecast, stages, gates, problems."""
    r = graph.releases[key]
    esc = html.escape
    lines = [
        f"<b>{esc(r.key)}</b> — {esc(r.name)}",
        f"{esc(r.team)} · {r.train or 'no train'} · {r.status.replace('_', ' ')}",
    ]
    if r.start and r.target:
        lines.append(f"Planned {r.start} → {r.target} ({(r.target - r.start).days + 1} days)")
    f = graph.forecast(key)
    if f is not None:
        crit = " · <b>critical path</b>" if f.critical else ""
        lines.append(
            f"Forecast {f.early_start} → {f.early_finish} · slip {f.slip_days:+d} d"
            + ("" if f.float_days is None else f" · float {f.float_days} d")
            + crit
        )
    for s in r.stages:
        lines.append(f"Stage {esc(s.environment)}: {s.start} → {s.end} ({s.strategy})")
        if s.steps:
            lines.append(
                "&nbsp;&nbsp;rollout " + ", ".join(f"{p.date} {p.percent}%" for p in s.steps)
            )
        if s.switch is not None:
            lines.append(f"&nbsp;&nbsp;switch {s.switch}")
    if r.monitoring_days and r.target:
        lines.append(f"Monitoring {r.monitoring_days} days after {r.target}")
    lines += [
        f"Flag {esc(f.key)} ({esc(f.environment)}): "
        + (", ".join(f"{p.date} {p.percent}%" for p in f.steps) or "no steps")
        for f in graph.plan.flags
        if f.release == key
    ]
    lines += [f"◆ {esc(m.name)}: {m.date}" for m in r.milestones]
    lines += [
        f"Gate {esc(g.name)}{f' ({g.environment})' if g.environment else ''}: {g.status}"
        for g in r.gates
    ]
    for problem in graph.problems.get(key, ()):
        color = "#d32f2f" if problem.severity == "error" else "#b26a00"
        lines.append(f"<span style='color:{color}'>⚠ {esc(problem.message)}</span>")
    return "<br>".join(lines)


def link_story(graph: PlanGraph | None, link: Link) -> str:
    """An edge's story as tooltip HTML: type, lag, which items imply it, what is wrong."""
    head = f"<b>{html.escape(link.predecessor)} → {html.escape(link.successor)}</b>"
    lag = f"{link.lag_days:+d} d lag" if link.lag_days else "no lag"
    lines = [head, f"{link.type or 'mixed'} · {lag}"]
    if link.weight > 1:
        lines.append(f"{link.weight} release dependencies")
    if link.implied and graph is not None and link.weight == 1:
        pairs = graph.implied_by(link.predecessor, link.successor)
        lines.append("Implied by " + ", ".join(f"{a[5:]} → {b[5:]}" for a, b in pairs[:6]))
        if len(pairs) > 6:
            lines.append(f"and {len(pairs) - 6} more item links")
    for flag, text in (
        (link.broken, "broken by the planned dates"),
        (link.cycle, "on a cycle"),
        (link.critical, "on the critical path"),
    ):
        if flag:
            lines.append(f"<b>{text}</b>")
    return "<br>".join(lines)


def legend_html(chips: Iterable[tuple[str, str, str]], theme: Theme) -> str:
    """A legend line: ``(colour, glyph, meaning)`` chips in muted text."""
    parts = [f"<span style='color:{c}'>{glyph}</span> {html.escape(t)}" for c, glyph, t in chips]
    return f"<span style='color:{theme.muted}'>" + " &nbsp; ".join(parts) + "</span>"


def heading(text: str, parent: QWidget) -> QLabel:
    """A view's title label (bold, larger), which its exports show too."""
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 1.3)
    font.setBold(True)
    label.setFont(font)
    return label


def viewport_tooltip(area: QAbstractScrollArea, event: QEvent, text_at: Any) -> bool:
    """Answer a ToolTip event on ``area``'s viewport with ``text_at(position)``; whether it
    was one (a view's ``viewportEvent`` passes every other event on)."""
    if event.type() != QEvent.Type.ToolTip or not isinstance(event, QHelpEvent):
        return False
    text = text_at(QPointF(event.pos()))
    if text:
        QToolTip.showText(event.globalPos(), text, area.viewport())
    else:
        QToolTip.hideText()
    return True


def without_chrome(area: QAbstractScrollArea) -> None:
    """No frame and no scroll bars: for the offscreen copies that exports render."""
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
