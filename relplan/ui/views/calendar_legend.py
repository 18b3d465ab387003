"""The calendar's legend bar and the words of its tooltips (the full story of a bar or a day)."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from relplan.domain.model import Environment, Release
from relplan.ui._compat import override
from relplan.ui.palette import ERROR_COLOR
from relplan.ui.views.calendar_paint import (
    PaintContext,
    draw_badge,
    draw_diamond,
    draw_gate,
    hatch_brush,
)

if TYPE_CHECKING:
    from relplan.layout.calendar import CalendarDay, CalendarLayout, FreezeBand

_LEGEND_HEIGHT: Final = 24
_STATUS_WORDS: Final = {
    "planned": "planned",
    "in_progress": "in progress",
    "released": "released",
    "cancelled": "cancelled",
}


class LegendBar(QWidget):
    """One line explaining the calendar's colours and glyphs.

    Args:
        context: the calendar's paint context (theme, environment colours).
        parent: the owning widget.
    """

    def __init__(self, context: PaintContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendar-legend")
        self.context = context
        self._environments: list[str] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_environments(self, environments: Iterable[Environment]) -> None:
        """The environments to explain, in their order."""
        self._environments = [e.name for e in sorted(environments, key=lambda e: e.order)]
        self.update()

    @property
    def environments(self) -> list[str]:
        """The environments explained."""
        return list(self._environments)

    @override
    def sizeHint(self) -> QSize:
        return QSize(600, _LEGEND_HEIGHT)

    @override
    def minimumSizeHint(self) -> QSize:
        return QSize(100, _LEGEND_HEIGHT)

    @override
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        theme = self.context.theme
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.9)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        mid = self.height() / 2
        x = 2.0

        def label(text: str) -> None:
            nonlocal x
            painter.setFont(font)
            painter.setPen(theme.color("muted"))
            width = metrics.horizontalAdvance(text)
            painter.drawText(
                QRectF(x, 0, width + 2, self.height()), int(Qt.AlignmentFlag.AlignVCenter), text
            )
            x += width + 16

        for name in self._environments:
            color = self.context.environments.get(name)
            if color is None:
                continue
            painter.fillRect(QRectF(x, mid - 2, 16, 4), color)
            x += 21
            label(name)
        x += 6
        swatch = QRectF(x, mid - 6, 18, 12)
        painter.fillRect(swatch, theme.color("freeze"))
        painter.fillRect(swatch, hatch_brush(theme))
        x += 23
        label("Freeze")
        # The monitoring period after a release's target, hatched like calendar_paint does.
        swatch = QRectF(x, mid - 6, 18, 12)
        painter.fillRect(swatch, QBrush(theme.color("muted"), Qt.BrushStyle.BDiagPattern))
        x += 23
        label("Monitoring")
        draw_diamond(painter, QPointF(x + 5, mid), 10, theme.color("base"), theme.color("text"))
        x += 15
        label("Milestone")
        for status in ("approved", "pending", "rejected"):
            draw_gate(painter, QPointF(x + 5, mid), 11, status, theme)
            x += 13
        x += 2
        label("Gates due")
        small = QFont(font)
        small.setBold(True)
        small.setPointSizeF(font.pointSizeF() * 0.85)
        draw_badge(painter, QRectF(x, mid - 7, 15, 14), "!", theme.color("error"), small)
        x += 20
        label("Problem on the day")
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.color("accent"))
        painter.drawRoundedRect(QRectF(x, mid - 7, 20, 14), 7, 7)
        x += 25
        label("Today")


def _span(first: dt.date, last: dt.date) -> str:
    if first == last:
        return f"{first:%a %d %b %Y}"
    return f"{first:%d %b} – {last:%d %b %Y}"


def _lines(items: Sequence[str]) -> str:
    return "".join(f"<br>&nbsp;&nbsp;• {item}" for item in items)


def describe_release(
    layout: CalendarLayout,
    key: str,
    day: CalendarDay | None = None,
    *,
    team_names: Mapping[str, str] | None = None,
) -> str:
    """The tooltip of a release bar: key, team, dates, status, stage, gates and problems."""
    release: Release | None = layout.releases.get(key)
    if release is None:
        return html.escape(key)
    esc = html.escape
    lines = [f"<b>{esc(release.key)}</b> — {esc(release.name)}"]
    team = (team_names or {}).get(release.team)
    facts = [
        f"Team {esc(team)} ({esc(release.team)})" if team else f"Team {esc(release.team)}",
        f"status {_STATUS_WORDS.get(release.status, release.status)}",
    ]
    if release.train:
        facts.insert(1, f"train {esc(release.train)}")
    lines.append(", ".join(facts))
    if release.start and release.target:
        days = (release.target - release.start).days + 1
        lines.append(f"{release.start:%a %d %b %Y} → {release.target:%a %d %b %Y} ({days} days)")
    elif release.target:
        lines.append(f"Target {release.target:%a %d %b %Y}")
    if day is not None:
        from relplan.planning.lifecycle import phase_of

        lines.append(
            f"Phase on {day.date:%a %d %b}: <b>{esc(str(phase_of(release, day.date)))}</b>"
        )
        stages = [s for s in release.stages if s.start <= day.date <= s.end]
        for stage in stages:
            strategy = stage.strategy.replace("_", " ")
            lines.append(
                f"{day.date:%a %d %b}: <b>{esc(stage.environment)}</b> window "
                f"{_span(stage.start, stage.end)} ({strategy})"
            )
            steps = [f"{p.percent} %" for p in stage.steps if p.date == day.date]
            if steps:
                lines.append(f"Rollout step: {esc(', '.join(steps))}")
            if stage.switch == day.date:
                lines.append("Blue-green switch")
        entry = next((e for e in day.entries if e.key == key), None)
        if entry is not None and entry.milestones:
            lines.append("Milestone: ◆ " + ", ".join(esc(m) for m in entry.milestones))
        if entry is not None and entry.gates:
            gates = [f"{esc(g.name)} ({g.status})" for g in entry.gates]
            lines.append("Gates due:" + _lines(gates))
    problems = layout.release_problems.get(key, ())
    if problems:
        color = ERROR_COLOR
        items = [f"<span style='color:{color}'>{esc(p.message)}</span>" for p in problems]
        lines.append(f"<b>{len(problems)} problem{'s' if len(problems) != 1 else ''}:</b>")
        lines[-1] += _lines(items)
    lines.append("<i>Click to edit</i>")
    return "<br>".join(lines)


def _describe_freeze(band: FreezeBand) -> str:
    freeze = band.freeze
    scope = []
    scope.append(", ".join(freeze.environments) if freeze.environments else "every environment")
    scope.append("teams " + ", ".join(freeze.teams) if freeze.teams else "every team")
    times = ""
    if freeze.start_time or freeze.end_time:
        start = freeze.start_time.strftime("%H:%M") if freeze.start_time else "00:00"
        end = freeze.end_time.strftime("%H:%M") if freeze.end_time else "24:00"
        times = f", {start}–{end}"
    repeat = f", repeats ({html.escape(freeze.rrule)})" if freeze.rrule else ""
    return (
        f"❄ <b>{html.escape(freeze.name)}</b>: {_span(band.first, band.last)}{times}{repeat}"
        f" — {html.escape('; '.join(scope))}"
    )


def describe_day(layout: CalendarLayout, day: CalendarDay, *, hidden: Sequence[str] = ()) -> str:
    """The tooltip of a day: its freezes, problems and releases."""
    lines = [f"<b>{day.date:%A %d %B %Y}</b>" + (" (today)" if day.is_today else "")]
    lines.extend(_describe_freeze(f.band) for f in day.freezes)
    if day.problems:
        color = ERROR_COLOR
        items = [
            f"<span style='color:{color}'>{html.escape(p.message)}</span>" for p in day.problems
        ]
        lines.append("Problems:" + _lines(items))
    if hidden:
        lines.append("Not shown here (click):" + _lines([html.escape(k) for k in hidden]))
    elif day.entries:
        keys = [html.escape(e.key) for e in day.entries]
        lines.append(f"{len(keys)} release{'s' if len(keys) != 1 else ''}: " + ", ".join(keys))
    else:
        lines.append("No release")
    return "<br>".join(lines)
