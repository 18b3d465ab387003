"""Coordinates for the timeline (Gantt); the view only draws them.

:class:`TimelineLayout` puts releases in rows grouped by team or train, x in days from an origin;
a row's items are built when a view first asks for them, so 2,000 releases cost what the visible
rows cost. Everything returned is plain tuples and numbers.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Collection
from typing import TYPE_CHECKING, Literal, NamedTuple

from relplan.domain.model import Release
from relplan.planning.freezes import occurrences

if TYPE_CHECKING:
    pass
from relplan.layout.graph import ALL, Link, PlanGraph, Point, ViewFilter


class TimelineRow(NamedTuple):
    """One row: a group header (``kind="group"``, ``key`` the group's) or a release."""

    row: int
    kind: str
    group: str
    key: str
    label: str


class RowItems(NamedTuple):
    """What a release row draws, x in days from the origin (ends exclusive).

    Attributes:
        row: The row.
        key: The release.
        bar: ``(x0, x1)`` from start to target; None when undated.
        segments: ``(x0, x1, environment, rank)`` per stage; rank: the environment's order.
        milestones: ``(x, name)``, x at the middle of the day.
        ghost: The forecast ``(x0, x1)`` (early start..early finish) when it differs.
        critical: On the critical path.
    """

    row: int
    key: str
    bar: tuple[float, float] | None
    segments: tuple[tuple[float, float, str, int], ...]
    milestones: tuple[tuple[float, str], ...]
    ghost: tuple[float, float] | None
    critical: bool


class Arrow(NamedTuple):
    """A dependency from ``(x0, row0)`` to ``(x1, row1)`` (days, rows)."""

    link: Link
    x0: float
    row0: int
    x1: float
    row1: int


class FreezeBand(NamedTuple):
    """A freeze occurrence over days ``x0..x1``; ``rows``: its teams' row spans (inclusive),
    empty when it covers every team."""

    x0: float
    x1: float
    name: str
    environments: tuple[str, ...]
    teams: tuple[str, ...]
    rows: tuple[tuple[int, int], ...]


class TimelineLayout:
    """Releases in rows grouped by team or train, x in days from :attr:`origin`.

    Args:
        graph: The plan graph.
        view: What to show; ``first``/``last`` fix the range (else the releases' span, padded).
        group_by: ``team`` or ``train``; groups by key, releases by start, target, key.
        pad_days: Days added to each side of the releases' span.
        today: The range when nothing is dated.

    Examples:
        >>> import datetime as dt
        >>> from relplan.domain.model import Plan, Release
        >>> d = dt.date(2026, 11, 2)
        >>> plan = Plan(releases=(Release("A", "A", "X", start=d, target=d + dt.timedelta(4)),))
        >>> t = TimelineLayout(PlanGraph(plan), pad_days=2)
        >>> [r.kind for r in t.rows], str(t.origin), t.span_days, t.items(0, 1)[0].bar
        (['group', 'release'], '2026-10-31', 9, (2.0, 7.0))
        >>> t.hit(1, 6.9), t.hit(1, 3.0), t.hit(1, 8.0)
        (('A', 'end'), ('A', 'body'), None)
    """

    def __init__(
        self,
        graph: PlanGraph,
        view: ViewFilter = ALL,
        *,
        group_by: Literal["team", "train"] = "team",
        pad_days: int = 7,
        today: dt.date = dt.date(2000, 1, 1),
    ) -> None:
        self.graph, self.view, self.group_by = graph, view, group_by
        releases = [graph.releases[k] for k in graph.keys(view)]
        starts = [r.start for r in releases if r.start and r.target]
        targets = [r.target for r in releases if r.start and r.target]
        pad = dt.timedelta(days=pad_days)
        self.origin: dt.date = view.first or (min(starts) - pad if starts else today)
        last = view.last or (max(targets) + pad if targets else self.origin)
        self.span_days: int = max((last - self.origin).days + 1, 1)
        plan = graph.plan
        names = {t.key: t.name for t in (plan.teams if group_by == "team" else plan.trains)}
        groups: dict[str, list[Release]] = {}
        for r in releases:
            groups.setdefault((r.team if group_by == "team" else r.train) or "", []).append(r)
        far = dt.date.max
        rows: list[TimelineRow] = []
        for group in sorted(groups, key=lambda g: (g == "", g)):
            rows.append(TimelineRow(len(rows), "group", group, group, names.get(group, group)))
            for r in sorted(groups[group], key=lambda r: (r.start or far, r.target or far, r.key)):
                rows.append(TimelineRow(len(rows), "release", group, r.key, r.name))
        self.rows: tuple[TimelineRow, ...] = tuple(rows)
        self._row_of = {row.key: row.row for row in rows if row.kind == "release"}
        self._items: dict[int, RowItems] = {}
        self._bands: tuple[FreezeBand, ...] | None = None
        by_order = sorted(plan.environments, key=lambda e: e.order)
        self._ranks = {e.name: n for n, e in enumerate(by_order)}

    def x(self, day: dt.date) -> float:
        """Days from the origin to ``day``."""
        return float((day - self.origin).days)

    def day(self, x: float) -> dt.date:
        """The day at ``x``."""
        return self.origin + dt.timedelta(days=math.floor(x))

    def row_of(self, key: str) -> int | None:
        """The row of a release, or None when it is not shown."""
        return self._row_of.get(key)

    def items(self, first_row: int, last_row: int) -> list[RowItems]:
        """The items of the release rows in ``first_row..last_row`` (built on first use)."""
        found = []
        for n in range(max(first_row, 0), min(last_row, len(self.rows) - 1) + 1):
            if self.rows[n].kind == "release":
                items = self._items.get(n)
                if items is None:
                    items = self._items[n] = self._build(self.rows[n])
                found.append(items)
        return found

    def _build(self, row: TimelineRow) -> RowItems:
        r, x, env = self.graph.releases[row.key], self.x, self.view.environment
        bar = (x(r.start), x(r.target) + 1) if r.start and r.target else None
        segments = tuple(
            (x(s.start), x(s.end) + 1, s.environment, self._ranks.get(s.environment, -1))
            for s in r.stages
            if env is None or s.environment == env
        )
        milestones = tuple((x(m.date) + 0.5, m.name) for m in r.milestones)
        f = self.graph.forecast(r.key)
        ghost = None
        if f is not None and (f.early_start, f.early_finish) != (f.start, f.target):
            ghost = (x(f.early_start), x(f.early_finish) + 1)
        return RowItems(row.row, r.key, bar, segments, milestones, ghost, bool(f and f.critical))

    def arrows(
        self, first_row: int, last_row: int, *, implied: bool = True, around: Collection[str] = ()
    ) -> list[Arrow]:
        """Arrows with an end in rows ``first_row..last_row`` (both ends shown and dated).

        Args:
            first_row: The first row in view.
            last_row: The last row in view.
            implied: Include edges implied by work items.
            around: Releases whose edges are included anyway (say, the selected one).
        """
        # The links of each row's release, kept by the graph (not indexed here on each new
        # layout: after an edit that cost the GUI thread 0.1-0.6 s in the first paint).
        links_of, row_of, rows = self.graph.links_of(), self._row_of, self.rows
        seen: dict[tuple[str, str], Arrow] = {}
        for n in range(max(first_row, 0), min(last_row, len(rows) - 1) + 1):
            if rows[n].kind != "release":
                continue
            for link in links_of.get(rows[n].key, ()):
                a, b = row_of.get(link.predecessor), row_of.get(link.successor)
                if a is None or b is None or a == b:
                    continue
                pair = (link.predecessor, link.successor)
                if pair in seen or (link.implied and not implied and not set(pair) & set(around)):
                    continue
                p, s = self.graph.releases[pair[0]], self.graph.releases[pair[1]]
                if p.start and p.target and s.start and s.target:
                    x0 = self.x(p.target) + 1 if link.type in ("FS", "FF") else self.x(p.start)
                    x1 = self.x(s.target) + 1 if link.type in ("FF", "SF") else self.x(s.start)
                    seen[pair] = Arrow(link, x0, self._row_of[p.key], x1, self._row_of[s.key])
        return list(seen.values())

    def freeze_bands(self) -> tuple[FreezeBand, ...]:
        """The freeze occurrences in range (those covering the view's environment); worked out
        on the first call, as every repaint asks."""
        if self._bands is None:
            self._bands = tuple(self._freeze_bands())
        return self._bands

    def _freeze_bands(self) -> list[FreezeBand]:
        last = self.origin + dt.timedelta(days=self.span_days - 1)
        teams = [
            (row.key if self.group_by == "team" else None)
            if row.kind == "group"
            else self.graph.releases[row.key].team
            for row in self.rows
        ]
        bands = []
        for freeze in self.graph.plan.freezes:
            if not freeze.covers(environment=self.view.environment, team=None):
                continue
            spans: list[tuple[int, int]] = []
            if freeze.teams:
                hit = [n for n, team in enumerate(teams) if team in freeze.teams]
                for _, run in itertools.groupby(enumerate(hit), lambda p: p[1] - p[0]):
                    members = [n for _, n in run]
                    spans.append((members[0], members[-1]))
                if not spans:
                    continue
            zone = self.graph.plan.timezone
            for o in occurrences(freeze, first=self.origin, last=last, zone=zone):
                x0, x1 = self.x(o.first_day), self.x(o.last_day) + 1
                scope = (freeze.environments, freeze.teams, tuple(spans))
                bands.append(FreezeBand(x0, x1, freeze.name, *scope))
        return bands

    def hit(self, row: int, x: float, *, grip_days: float = 0.5) -> tuple[str, str] | None:
        """The bar at ``(x, row)``: ``(key, "end")`` within ``grip_days`` of its right end,
        else ``(key, "body")``; None when there is none."""
        if not 0 <= row < len(self.rows) or self.rows[row].kind != "release":
            return None
        bar = self.items(row, row)[0].bar
        if bar is None or not bar[0] <= x <= bar[1] + grip_days:
            return None
        return self.rows[row].key, "end" if x >= bar[1] - grip_days else "body"


def dragged_dates(
    start: dt.date, target: dt.date, delta_days: int, *, part: str
) -> tuple[dt.date, dt.date]:
    """A release's dates after a drag: ``body`` moves both, ``end`` the target only (never
    before the start).

    Examples:
        >>> d = dt.date(2026, 11, 2)
        >>> dragged_dates(d, d + dt.timedelta(4), -9, part="end")
        (datetime.date(2026, 11, 2), datetime.date(2026, 11, 2))
    """
    delta = dt.timedelta(days=delta_days)
    if part == "end":
        return start, max(start, target + delta)
    return start + delta, target + delta


def arrow_path(arrow: Arrow, *, day_px: float, row_px: float, stub_px: float = 8) -> list[Point]:
    """An elbow polyline in pixels: out of the predecessor's end (or start), into the
    successor's start from the left (or its target from the right).

    Examples:
        >>> arrow_path(Arrow(Link("A", "B", "FS", 0), 5, 0, 10, 2), day_px=2, row_px=10, stub_px=4)
        [(10, 5.0), (14, 5.0), (14, 20.0), (16, 20.0), (16, 25.0), (20, 25.0)]
    """
    out = 1 if arrow.link.type in ("FS", "FF") else -1
    into = -1 if arrow.link.type in ("FF", "SF") else 1
    x0, x1 = arrow.x0 * day_px, arrow.x1 * day_px
    y0, y1 = (arrow.row0 + 0.5) * row_px, (arrow.row1 + 0.5) * row_px
    ym = y1 - math.copysign(row_px / 2, y1 - y0)
    a, b = x0 + out * stub_px, x1 - into * stub_px
    return [(x0, y0), (a, y0), (a, ym), (b, ym), (b, y1), (x1, y1)]


# --- dependency map ----------------------------------------------------------------------------
