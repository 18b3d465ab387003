"""Painting the calendar: day cells (a delegate), bars across days (an overlay) and glyphs.

Nothing here decides what is on which day; that is :mod:`relplan.layout.calendar`. The
:class:`CalendarDelegate` paints each day's cell (background, frozen-day hatching, day number,
today's marker, the problem badge). :func:`paint_bars` then paints over the whole viewport the
freeze bands and release bars of each row as continuous shapes, so that a bar does not break at
the lines between days. :func:`hit_test` maps a point back to what is drawn there with the same
geometry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from relplan.domain.model import Gate, Release
from relplan.ui._compat import override
from relplan.ui.palette import LIGHT, Theme, ink, tint

if TYPE_CHECKING:
    from relplan.layout.calendar import CalendarDay, CalendarLayout, CalendarWeek, Segment

#: The model role that gives a cell's :class:`CalendarDay`.
DayRole: Final = int(Qt.ItemDataRole.UserRole)
_GLYPH: Final = 9


@dataclass(frozen=True, slots=True)
class Geometry:
    """Sizes inside a day cell, in pixels.

    Attributes:
        header: Height of the day-number line.
        freeze: Height of one freeze lane.
        lane: Height of one release lane.
        bar: Height of a release bar (the rest of the lane is the gap below it).
        strip: Height of the environment strip at the bottom of a bar.
        more: Height of the "+N more" line.
        font_scale: Size of bar labels relative to the widget's font.
    """

    header: int = 22
    freeze: int = 15
    lane: int = 17
    bar: int = 15
    strip: int = 4
    more: int = 14
    font_scale: float = 0.84

    def lanes_top(self, week: CalendarWeek) -> int:
        """The offset of lane 0 from the top of a cell."""
        return self.header + week.freeze_lanes * self.freeze + (2 if week.freeze_lanes else 0)

    def visible_lanes(self, week: CalendarWeek, cell_height: int) -> int:
        """How many release lanes fit in a cell of this row (room kept for "+N more")."""
        if cell_height >= self.full_height(week):
            return week.lanes
        room = cell_height - self.lanes_top(week) - 2
        fit = max(room // self.lane, 0)
        if week.lanes <= fit:
            return week.lanes
        return max((room - self.more) // self.lane, 0)

    def full_height(self, week: CalendarWeek) -> int:
        """The height a cell of this row needs to show every lane."""
        return self.lanes_top(week) + week.lanes * self.lane + 4


ROOMY: Final = Geometry()
COMPACT: Final = Geometry(header=18, freeze=11, lane=14, bar=12, strip=3, more=12, font_scale=0.76)


@dataclass(slots=True)
class PaintContext:
    """What the painters need besides the layout (colours, selection, search).

    Attributes:
        layout: The calendar layout shown (None: nothing yet).
        theme: The colours.
        geometry: The sizes.
        teams: Colour per team key.
        team_names: Name per team key (for tooltips).
        environments: Colour per environment name.
        highlighted: Keys matching the search (empty: no search; others are dimmed).
        selected: The release picked last.
    """

    layout: CalendarLayout | None = None
    theme: Theme = LIGHT
    geometry: Geometry = ROOMY
    teams: dict[str, QColor] = field(default_factory=dict)
    team_names: dict[str, str] = field(default_factory=dict)
    environments: dict[str, QColor] = field(default_factory=dict)
    highlighted: frozenset[str] = frozenset()
    selected: str | None = None

    def team_color(self, release: Release) -> QColor:
        """The colour of a release's team."""
        return QColor(self.teams.get(release.team, QColor("#7f7f7f")))


# --- glyphs ------------------------------------------------------------------------------------


def hatch_brush(theme: Theme) -> QBrush:
    """The diagonal hatching laid over frozen days."""
    return QBrush(theme.color("freeze_hatch"), Qt.BrushStyle.BDiagPattern)


def draw_diamond(
    painter: QPainter, center: QPointF, size: float, fill: QColor, line: QColor
) -> None:
    """A milestone diamond."""
    half = size / 2
    shape = QPolygonF(
        [
            QPointF(center.x(), center.y() - half),
            QPointF(center.x() + half, center.y()),
            QPointF(center.x(), center.y() + half),
            QPointF(center.x() - half, center.y()),
        ]
    )
    painter.setPen(QPen(line, 1.2))
    painter.setBrush(fill)
    painter.drawPolygon(shape)


def gate_color(status: str, theme: Theme) -> QColor:
    """Approved gates are green, rejected ones red, pending ones amber."""
    name = {"approved": "ok", "rejected": "error"}.get(status, "warning")
    return theme.color(name)


def draw_gate(painter: QPainter, center: QPointF, size: float, status: str, theme: Theme) -> None:
    """A gate: a round badge with a tick (approved), a cross (rejected) or a dot (pending)."""
    half = size / 2
    painter.setPen(QPen(QColor("white"), 1.2))
    painter.setBrush(gate_color(status, theme))
    painter.drawEllipse(center, half, half)
    pen = QPen(QColor("white"), max(size / 7, 1.2))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    q = half * 0.45
    x, y = center.x(), center.y()
    if status == "approved":
        painter.drawPolyline(
            QPolygonF([QPointF(x - q, y), QPointF(x - q / 3, y + q * 0.8), QPointF(x + q, y - q)])
        )
    elif status == "rejected":
        painter.drawLine(QPointF(x - q, y - q), QPointF(x + q, y + q))
        painter.drawLine(QPointF(x - q, y + q), QPointF(x + q, y - q))
    else:
        painter.setBrush(QColor("white"))
        painter.drawEllipse(center, q * 0.55, q * 0.55)


def draw_badge(painter: QPainter, rect: QRectF, text: str, fill: QColor, font: QFont) -> None:
    """A problem badge: a filled pill with a short white text (``!`` or ``2``)."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
    painter.setPen(QColor("white"))
    painter.setFont(font)
    painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)


def problem_badge(day: CalendarDay, theme: Theme) -> tuple[str, QColor] | None:
    """The text and colour of a day's problem badge (None: no problem on the day)."""
    if not day.problems:
        return None
    errors = sum(p.severity == "error" for p in day.problems)
    text = "!" if len(day.problems) == 1 else str(len(day.problems))
    return text, theme.color("error" if errors else "warning")


# --- cells -------------------------------------------------------------------------------------


class CalendarDelegate(QStyledItemDelegate):
    """Paints one day: background, frozen-day hatching, day number, today and problems.

    Args:
        context: the shared paint context (the table's).
        parent: the owning widget.
    """

    def __init__(self, context: PaintContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context

    @override
    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        day: CalendarDay | None = index.data(DayRole)
        if day is None:
            return
        theme, geo = self.context.theme, self.context.geometry
        rect = QRect(option.rect)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        background = "base" if day.in_period else "outside"
        if day.in_period and day.weekend:
            background = "weekend"
        painter.fillRect(rect, theme.color(background))
        if day.freezes:
            painter.fillRect(rect, hatch_brush(theme))
        if option.state & QStyle.StateFlag.State_MouseOver:
            hover = theme.color("accent")
            hover.setAlpha(18)
            painter.fillRect(rect, hover)
        painter.setPen(QPen(theme.color("grid"), 1))
        painter.drawLine(rect.topRight(), rect.bottomRight())
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        self._paint_header(painter, rect, day, geo)
        painter.restore()

    def _paint_header(
        self, painter: QPainter, rect: QRect, day: CalendarDay, geo: Geometry
    ) -> None:
        theme = self.context.theme
        font = QFont(painter.font())
        font.setPointSizeF(font.pointSizeF() * (0.92 if geo is ROOMY else 0.8))
        if day.is_today:
            font.setBold(True)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        text = str(day.date.day)
        if day.date.day == 1 or (day.date == self._first_shown()):
            text = f"{day.date.day} {day.date.strftime('%b')}"
        width = metrics.horizontalAdvance(text)
        box = QRectF(rect.left() + 4, rect.top() + 3, width + 10, geo.header - 5)
        if day.is_today:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.color("accent"))
            painter.drawRoundedRect(box, box.height() / 2, box.height() / 2)
            painter.setPen(QColor("white"))
            accent = QPen(theme.color("accent"), 2)
            painter.save()
            painter.setPen(accent)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(rect).adjusted(1, 1, -1.5, -1.5))
            painter.restore()
        else:
            painter.setPen(theme.color("text" if day.in_period else "muted"))
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)
        badge = problem_badge(day, theme)
        if badge is not None:
            small = QFont(font)
            small.setBold(True)
            small.setPointSizeF(font.pointSizeF() * 0.85)
            size = geo.header - 7
            badge_rect = QRectF(rect.right() - size - 6, rect.top() + 4, size + 2, size)
            draw_badge(painter, badge_rect, badge[0], badge[1], small)

    def _first_shown(self) -> dt.date | None:
        layout = self.context.layout
        return None if layout is None else layout.grid_first


# --- bars --------------------------------------------------------------------------------------


def _bar_path(rect: QRectF, *, round_left: bool, round_right: bool) -> QPainterPath:
    """A bar with rounded ends only where the release begins or ends."""
    radius = min(4.0, rect.height() / 2)
    path = QPainterPath()
    grown = rect.adjusted(0 if round_left else -radius, 0, 0 if round_right else radius, 0)
    path.addRoundedRect(grown, radius, radius)
    clip = QPainterPath()
    clip.addRect(rect)
    return path.intersected(clip)


@dataclass(frozen=True, slots=True)
class RowGeometry:
    """Where a week row is on screen.

    Attributes:
        top: The row's top.
        height: The row's height.
        xs: The eight column boundaries, left to right (column ``c`` spans ``xs[c]..xs[c+1]``).
    """

    top: int
    height: int
    xs: tuple[float, ...]

    def span(self, first_col: int, last_col: int) -> tuple[float, float]:
        """The left and right of columns ``first_col..last_col``."""
        return self.xs[first_col], self.xs[last_col + 1]


def segment_rect(week: CalendarWeek, segment: Segment, row: RowGeometry, geo: Geometry) -> QRectF:
    """Where a release segment's bar is drawn."""
    left, right = row.span(segment.first_col, segment.last_col)
    left += 4 if segment.starts else 0
    right -= 5 if segment.ends else 0
    top = row.top + geo.lanes_top(week) + segment.lane * geo.lane
    return QRectF(left, top, right - left, geo.bar)


def paint_bars(painter: QPainter, ctx: PaintContext, index: int, row: RowGeometry) -> None:
    """Paint the freeze bands, release bars and "+N more" lines of one week row.

    Args:
        painter: A painter on the table's viewport.
        ctx: The paint context.
        index: The week row.
        row: Where the row is.
    """
    layout = ctx.layout
    if layout is None:
        return
    week = layout.weeks[index]
    geo, theme = ctx.geometry, ctx.theme
    base_font = QFont(painter.font())
    label_font = QFont(base_font)
    label_font.setPointSizeF(base_font.pointSizeF() * geo.font_scale)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setFont(label_font)
    for segment in week.freeze_segments:
        left, right = row.span(segment.first_col, segment.last_col)
        left += 2 if segment.starts else 0
        right -= 3 if segment.ends else 0
        top = row.top + geo.header + segment.lane * geo.freeze
        band = QRectF(left, top, right - left, geo.freeze - 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.color("freeze"))
        painter.drawPath(_bar_path(band, round_left=segment.starts, round_right=segment.ends))
        painter.setPen(theme.color("freeze_text"))
        text_rect = band.adjusted(6, 0, -4, 0)
        label = QFontMetrics(label_font).elidedText(
            f"❄ {segment.key}", Qt.TextElideMode.ElideRight, int(text_rect.width())
        )
        painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignVCenter), label)
    visible = geo.visible_lanes(week, row.height)
    for segment in week.segments:
        if segment.lane < visible:
            _paint_segment(painter, ctx, week, segment, row, label_font)
    _paint_more(painter, ctx, week, visible, row, label_font)
    painter.restore()


def _paint_segment(
    painter: QPainter,
    ctx: PaintContext,
    week: CalendarWeek,
    segment: Segment,
    row: RowGeometry,
    font: QFont,
) -> None:
    assert ctx.layout is not None
    release = ctx.layout.releases[segment.key]
    geo, theme = ctx.geometry, ctx.theme
    rect = segment_rect(week, segment, row, geo)
    team = ctx.team_color(release)
    fill = tint(team, theme.color("base"), 0.45 if theme.dark else 0.3)
    dimmed = bool(ctx.highlighted) and segment.key not in ctx.highlighted
    opacity = {"cancelled": 0.35, "released": 0.7}.get(release.status, 1.0)
    painter.save()
    painter.setOpacity(opacity * (0.25 if dimmed else 1.0))
    path = _bar_path(rect, round_left=segment.starts, round_right=segment.ends)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawPath(path)
    painter.save()
    painter.setClipPath(path)
    if segment.starts:  # the team's colour marks where the release begins
        painter.fillRect(QRectF(rect.left(), rect.top(), 4, rect.height()), team)
    # The environment strip: each day's part in the colour of its stage window.
    strip_top = rect.bottom() - geo.strip
    for col in range(segment.first_col, segment.last_col + 1):
        entry = week.days[col].entry(segment.lane)
        if entry is not None and entry.monitoring:  # after the target: hatched
            x0, x1 = row.span(col, col)
            x0, x1 = max(rect.left(), x0), min(rect.right(), x1)
            painter.fillRect(QRectF(x0, rect.top(), x1 - x0, rect.height()), theme.color("base"))
            painter.fillRect(
                QRectF(x0, rect.top(), x1 - x0, rect.height()),
                QBrush(team, Qt.BrushStyle.BDiagPattern),
            )
        if entry is None or entry.environment is None:
            continue
        color = ctx.environments.get(entry.environment)
        if color is None:
            continue
        x0, x1 = row.span(col, col)
        x0, x1 = max(rect.left(), x0), min(rect.right(), x1)
        painter.fillRect(QRectF(x0, strip_top, x1 - x0, geo.strip), color)
    painter.restore()
    # Glyphs at the right of their day: gates (target day), then milestones.
    glyph_right = []
    for col in range(segment.first_col, segment.last_col + 1):
        entry = week.days[col].entry(segment.lane)
        if entry is None:
            continue
        day_left, day_right = row.span(col, col)
        x = min(rect.right(), day_right) - 3
        center_y = rect.top() + (geo.bar - geo.strip) / 2
        size = min(_GLYPH + (1 if geo.bar > 13 else -1), geo.bar - 3)
        for gate_status in _gate_statuses(entry.gates):
            x -= size / 2 + 1
            draw_gate(painter, QPointF(x, center_y), size, gate_status, theme)
            x -= size / 2 + 1
        for _name in entry.milestones:
            x -= size / 2 + 1
            draw_diamond(painter, QPointF(x, center_y), size, QColor("white"), QColor("#37474f"))
            x -= size / 2 + 1
        if entry.flagged:
            painter.save()
            painter.setPen(QPen(theme.color("error"), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            x0 = max(rect.left(), day_left) + 1
            x1 = min(rect.right(), day_right) - 1
            painter.drawRoundedRect(QRectF(x0, rect.top() - 1, x1 - x0, rect.height() + 2), 3, 3)
            painter.restore()
        if col == segment.first_col:
            glyph_right.append(x)
    # The label: the key, from the left end up to the first glyph of the first day.
    label_right = rect.right() - 4
    if glyph_right and segment.first_col == segment.last_col:
        label_right = glyph_right[0]
    text_rect = QRectF(
        rect.left() + 8, rect.top(), label_right - rect.left() - 8, rect.height() - geo.strip
    )
    if text_rect.width() > 8:
        label_font = QFont(font)
        label_font.setStrikeOut(release.status == "cancelled")
        label_font.setBold(ctx.selected == segment.key)
        painter.setFont(label_font)
        painter.setPen(ink(team, theme))
        prefix = "" if segment.starts else "◂ "
        text = QFontMetrics(label_font).elidedText(
            prefix + segment.key, Qt.TextElideMode.ElideRight, int(text_rect.width())
        )
        painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignVCenter), text)
    if ctx.selected == segment.key or (ctx.highlighted and segment.key in ctx.highlighted):
        painter.setOpacity(1.0)
        painter.setPen(QPen(theme.color("accent"), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(_bar_path(rect.adjusted(-1, -1, 1, 1), round_left=True, round_right=True))
    painter.restore()


def _gate_statuses(gates: tuple[Gate, ...]) -> list[str]:
    """One glyph per distinct status, worst first (rejected, pending, approved)."""
    order = ("rejected", "pending", "approved")
    present = {g.status for g in gates}
    return [status for status in order if status in present]


def _paint_more(
    painter: QPainter,
    ctx: PaintContext,
    week: CalendarWeek,
    visible: int,
    row: RowGeometry,
    font: QFont,
) -> None:
    if week.lanes <= visible:
        return
    geo = ctx.geometry
    top = row.top + geo.lanes_top(week) + visible * geo.lane
    painter.setFont(font)
    painter.setPen(ctx.theme.color("muted"))
    for col, day in enumerate(week.days):
        hidden = day.hidden(visible)
        if not hidden:
            continue
        flagged = any(e.flagged for e in day.entries if e.lane >= visible)
        if flagged:
            painter.setPen(ctx.theme.color("error"))
        left, right = row.span(col, col)
        rect = QRectF(left + 6, top, right - left - 10, geo.more)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignVCenter), f"+{len(hidden)} more")
        painter.setPen(ctx.theme.color("muted"))


# --- hit testing -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """What is under a point of the calendar.

    Attributes:
        kind: ``release`` (a bar), ``more`` (the "+N more" line), ``freeze`` (a band) or
            ``day`` (anywhere else in a cell).
        day: The day of the cell.
        key: The release key (``release``) or freeze name (``freeze``).
        hidden: The releases behind "+N more" (``more``).
    """

    kind: Literal["release", "more", "freeze", "day"]
    day: CalendarDay
    key: str | None = None
    hidden: tuple[str, ...] = ()


def hit_test(ctx: PaintContext, row: int, col: int, cell: QRect, pos: QPoint) -> Hit | None:
    """What is drawn at ``pos`` inside the cell (``row``, ``col``) whose rectangle is ``cell``."""
    layout = ctx.layout
    if layout is None or not 0 <= row < len(layout.weeks) or not 0 <= col < 7:
        return None
    week, geo = layout.weeks[row], ctx.geometry
    day = week.days[col]
    y = pos.y() - cell.top()
    if geo.header <= y < geo.header + week.freeze_lanes * geo.freeze:
        lane = (y - geo.header) // geo.freeze
        band = next((f for f in day.freezes if f.lane == lane), None)
        if band is not None:
            return Hit("freeze", day, band.band.name)
    visible = geo.visible_lanes(week, cell.height())
    offset = y - geo.lanes_top(week)
    if offset >= 0:
        lane = offset // geo.lane
        if lane < visible and offset % geo.lane < geo.bar:
            entry = day.entry(lane)
            if entry is not None:
                return Hit("release", day, entry.key)
        elif lane >= visible and offset < visible * geo.lane + geo.more:
            hidden = tuple(day.hidden(visible))
            if hidden:
                return Hit("more", day, hidden=hidden)
    return Hit("day", day)
