"""The Dependency map: releases left to right by topological generation, from ``relplan.layout``.

Three modes: **Teams** (one node per team, their release edges aggregated; the default for big
plans), **Releases** (every release shown, or one release's upstream and downstream when a focus
is set, depth 1, 2 or all) and **Items** (one release's item-level links, entered by
double-clicking a release). Cross-team edges are drawn darker, implied edges dashed, broken and
cycle edges red, the critical path orange. Above :data:`EDGE_ITEM_LIMIT` edges they are painted in
small batches of straight lines instead of one curve each (no per-edge tooltips then). Enter or
the context menu's "Open release" emits ``release_activated``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QPen,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from relplan.domain.model import Plan
from relplan.layout.graph import PlanGraph, ViewFilter
from relplan.layout.graph_map import (
    MapEdge,
    MapLayout,
    MapNode,
    MapRequest,
    MapResult,
    lay_out,
    map_bounds,
)
from relplan.ui._compat import override
from relplan.ui.palette import Theme, current_theme, ink, team_colors, tint
from relplan.ui.tasks import BaseTaskRunner
from relplan.ui.views.base import PlanView, export_widget_image
from relplan.ui.views.map_canvas import MapCanvas
from relplan.ui.views.map_items import EdgeLayer, EdgesItem, NodeItem, map_legend
from relplan.ui.views.view_common import (
    CRITICAL,
    heading,
    plan_graph,
    without_chrome,
)

if TYPE_CHECKING:
    from relplan.ui.analysis import PlanAnalysis


#: Above this many releases the map opens on the team view.
RELEASE_LIMIT: Final = 150
#: Above this many edges they are painted in batches rather than as one item each.
EDGE_ITEM_LIMIT: Final = 1500
#: Edges per painted batch above that.
EDGE_CHUNK: Final = 24
EXPORT_MAX: Final = QSize(2400, 2400)
#: Scene items added per turn of the event loop at most, and for how long at most (seconds),
#: so that no turn takes long on a big map however loaded the machine is.
ITEM_CHUNK: Final = 400
CHUNK_SECONDS: Final = 0.03
#: What the status line adds while a new layout (or the analysis) is on its way.
UPDATING: Final = " · updating…"
_DEPTHS: Final = (("Depth 1", 1), ("Depth 2", 2), ("All", None))
_DIRECTIONS: Final = (("Up & downstream", "both"), ("Upstream", "up"), ("Downstream", "down"))


class DependencyMapView(QWidget, PlanView):
    """The Map tab: mode, focus and search controls over the map.

    Layouts are computed on ``runner``'s ``net`` lane (inline without one) and their scene items
    added a chunk at a time, so that a big map never freezes the window.

    Args:
        parent: the owning widget.
        runner: the task runner that lays maps out (None: inline, as tests and exports do).

    Signals:
        release_activated(str): Enter, or "Open release" (the window opens the editor).
    """

    shows_sketch = True

    def __init__(
        self, parent: QWidget | None = None, *, runner: BaseTaskRunner | None = None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        # Every relayout bumps it; a layout computed for an older one is dropped on arrival.
        self._generation = 0
        self._waiting = False  # for a layout from the runner
        self._building: Iterator[QGraphicsItem] | None = None
        self.setObjectName("map-view")
        self.theme: Theme = current_theme()
        self.graph: PlanGraph | None = None
        self.map: MapLayout | None = None
        self.team_colors: dict[str, QColor] = {}
        self.matches: set[str] = set()
        self.mode = ""  # "teams", "releases" or "items"; "" until the first plan decides
        self.focus: str | None = None
        self.items_of: str | None = None
        self.team: str | None = None  # a team node expanded into its releases
        self._plan: Plan | None = None
        self._analysis: PlanAnalysis | None = None
        self._filter = ViewFilter()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 6, 8, 4)
        self.back_button = self._button("‹ Back", "Back to the map", self.go_back)
        self.mode_box = self._combo((("Teams", "teams"), ("Releases", "releases")))
        self.mode_box.setToolTip("Collapse releases into one node per team, or show releases")
        self.mode_box.activated.connect(lambda _i: self.set_mode(self.mode_box.currentData()))
        self.depth_box = self._combo(_DEPTHS)
        self.direction_box = self._combo(_DIRECTIONS)
        for box in (self.depth_box, self.direction_box):
            box.setToolTip("How far around the focused release to look")
            box.activated.connect(lambda _i: self.relayout())
        self.clear_button = self._button("Clear focus", "Show every release", self.clear_focus)
        self.open_button = self._button("Open release…", "Open the release editor", self._open)
        for widget in (self.back_button, self.mode_box, self.depth_box, self.direction_box):
            bar.addWidget(widget)
        bar.addWidget(self.clear_button)
        bar.addWidget(self.open_button)
        bar.addStretch(1)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Find release… (Enter focuses)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        bar.addWidget(self.search)
        outer.addLayout(bar)
        self.canvas = QWidget(self)
        self.canvas.setObjectName("map-export")
        self.canvas.setAutoFillBackground(True)
        body = QVBoxLayout(self.canvas)
        body.setContentsMargins(8, 4, 8, 8)
        self.title = heading("Dependency map", self.canvas)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        self.status = QLabel("", self.canvas)
        top.addWidget(self.status)
        body.addLayout(top)
        self.view = MapCanvas(self)
        body.addWidget(self.view, 1)
        self.legend = QLabel("", self.canvas)
        body.addWidget(self.legend)
        outer.addWidget(self.canvas, 1)
        self.view.node_double_clicked.connect(self._on_view_node_double_clicked)
        self.apply_theme(self.theme)

    def _button(self, text: str, tip: str, slot: Any) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def _combo(self, choices: Sequence[tuple[str, Any]]) -> QComboBox:
        box = QComboBox(self)
        for label, data in choices:
            box.addItem(label, data)
        return box

    # -- the protocol -------------------------------------------------------------------------
    def set_data(self, plan: Plan, analysis: PlanAnalysis | None) -> None:
        """Show ``plan`` with the critical path and problems ``analysis`` found."""
        self._plan, self._analysis = plan, analysis
        self.graph = plan_graph(plan, analysis)
        self.team_colors = team_colors(plan.teams)
        if self.focus is not None and self.focus not in self.graph.releases:
            self.focus = None
        if not self.mode:
            self.mode = (
                "teams" if len(self.graph.keys(self._filter)) > RELEASE_LIMIT else "releases"
            )
        self.relayout()

    def set_filter(self, teams: frozenset[str], train: str | None, environment: str | None) -> None:
        """Show only these teams (empty: all), train and environment (None: any); the direct
        neighbours of what is shown are drawn faded."""
        self._filter = replace(
            self._filter, teams=frozenset(teams), train=train, environment=environment
        )
        self.relayout()

    def set_date_range(self, first: dt.date | None, last: dt.date | None) -> None:
        """Show only the releases that overlap these days (None: no limit)."""
        self._filter = replace(self._filter, first=first, last=last)
        self.relayout()

    def focus_search(self) -> bool:
        """Focus the search box (Ctrl+F)."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
        return True

    def set_theme(self, theme: Theme) -> None:
        """Repaint with another theme."""
        self.apply_theme(theme)
        self.view.viewport().update()

    def apply_theme(self, theme: Theme) -> None:
        """Use ``theme``'s colours (the scene is rebuilt with them)."""
        self.theme = theme
        self.view.setBackgroundBrush(theme.color("base"))
        self.status.setStyleSheet(f"color: {theme.muted};")
        self.legend.setText(map_legend(theme))
        if self.map is not None:
            self._show(self.map)

    def export_widget(self) -> QWidget:
        """The title and the map, without the controls."""
        return self.canvas

    def export_image(self, path: str) -> None:
        """Write the whole map (at up to 1:1, fitted within :data:`EXPORT_MAX`) as PNG, SVG or
        PDF, by suffix."""
        copy = DependencyMapView()
        try:
            copy.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
            copy.apply_theme(self.theme)
            copy.mode, copy.focus, copy.items_of = self.mode, self.focus, self.items_of
            copy.team = self.team
            copy._filter = self._filter
            copy.depth_box.setCurrentIndex(self.depth_box.currentIndex())
            copy.direction_box.setCurrentIndex(self.direction_box.currentIndex())
            without_chrome(copy.view)
            copy.resize(900, 600)
            copy.show()
            if self._plan is not None:
                copy.set_data(self._plan, self._analysis)
            copy.matches = set(self.matches)
            QApplication.sendPostedEvents()
            chrome = copy.canvas.size() - copy.view.viewport().size()
            rect = copy.view.scene().itemsBoundingRect().adjusted(-24, -24, 24, 24)
            scale = min(
                1.0,
                (EXPORT_MAX.width() - chrome.width()) / max(rect.width(), 1),
                (EXPORT_MAX.height() - chrome.height()) / max(rect.height(), 1),
            )
            width = max(chrome.width() + math.ceil(rect.width() * scale), 640)
            copy.resize(
                width,
                chrome.height()
                + math.ceil(rect.height() * scale)
                + copy.height()
                - copy.canvas.height(),
            )
            QApplication.sendPostedEvents()
            copy.view.resetTransform()
            copy.view.scale(scale, scale)
            copy.view.centerOn(rect.center())
            export_widget_image(copy.canvas, path)
        finally:
            copy.hide()
            copy.deleteLater()

    def shows_data(self) -> bool:
        """Whether a map of the plan is drawn (the start-up probe waits for it)."""
        return self.map is not None and len(self.map.nodes) > 0

    # -- modes --------------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        """Show ``teams`` (collapsed) or ``releases``."""
        self.mode, self.items_of = mode, None
        if mode == "teams":
            self.focus = self.team = None
        self.relayout()

    def set_focus(
        self, key: str | None, *, depth: int | str | None = "current", direction: str = ""
    ) -> None:
        """Show only ``key``'s upstream and downstream (None: every release).

        Args:
            key: The release to focus on.
            depth: 1, 2 or None for all (default: the depth box's choice).
            direction: ``up``, ``down`` or ``both`` (default: the direction box's choice).
        """
        if not isinstance(depth, str):
            self.depth_box.setCurrentIndex([d for _, d in _DEPTHS].index(depth))
        if direction:
            self.direction_box.setCurrentIndex(self.direction_box.findData(direction))
        self.focus, self.mode, self.items_of = key, "releases", None
        self.relayout()

    def clear_focus(self) -> None:
        """Show every release again (or the teams, for a big plan)."""
        self.focus = self.team = None
        keys = self.graph.keys(self._filter) if self.graph else []
        self.set_mode("teams" if len(keys) > RELEASE_LIMIT else "releases")

    def show_items(self, key: str) -> None:
        """Drill into the item-level links of release ``key``."""
        self.items_of, self.mode = key, "items"
        self.relayout()

    def expand_team(self, team: str) -> None:
        """Show the releases of ``team`` and, faded, their direct neighbours."""
        self.team, self.focus = team, None
        self.set_mode("releases")

    def go_back(self) -> None:
        """Back from the item links to the release map, or from a team's releases to teams."""
        if self.mode == "items":
            self.items_of, self.mode = None, "releases"
            self.relayout()
        else:
            self.set_mode("teams")

    def relayout(self) -> None:
        """Lay the map out again for the mode, focus and filter, and draw it.

        The layout is computed on the runner's ``net`` lane (inline without a runner); the map
        shown stays until it arrives, marked as updating. A layout asked for before an older
        one arrived replaces it: the older result is dropped by its generation number.
        """
        graph = self.graph
        if graph is None:
            return
        keys = graph.keys(self._filter)
        context = self._filter != ViewFilter()
        if self.team is not None and self.mode == "releases":
            keys = [k for k in keys if graph.releases[k].team == self.team]
            context = True
        if self.mode == "items" and self.items_of not in graph.releases:
            self.mode = "releases"
        if self.mode not in ("items", "teams"):
            self.mode = "releases"
        request = MapRequest(
            self.mode,
            tuple(keys),
            context,
            self.items_of,
            self.focus,
            self.depth_box.currentData(),
            self.direction_box.currentData(),
        )
        self.mode_box.setCurrentIndex(
            self.mode_box.findData("teams" if self.mode == "teams" else "releases")
        )
        for widget, shown in (
            (self.back_button, self.mode == "items" or self.team is not None),
            (self.open_button, self.mode == "items"),
            (self.clear_button, self.focus is not None and self.mode == "releases"),
            (self.depth_box, self.focus is not None and self.mode == "releases"),
            (self.direction_box, self.focus is not None and self.mode == "releases"),
        ):
            widget.setVisible(shown)
        self._generation += 1
        generation = self._generation
        self._building = None  # items still to add for an older layout: not any more
        job = functools.partial(lay_out, graph, request)
        if self._runner is None:
            self._present(generation, request, job())
            return
        self._waiting = True
        if self.map is not None and UPDATING not in self.status.text():
            self.status.setText(self.status.text() + UPDATING)
        self._runner.submit(
            job,
            lane="net",
            on_done=functools.partial(self._present, generation, request),
            on_error=functools.partial(self._on_layout_failed, generation),
        )

    def busy(self) -> bool:
        """Whether a layout is being computed or its items are still being added."""
        return self._waiting or self._building is not None

    def _on_layout_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._waiting = False
            self.status.setText(f"Cannot lay the map out: {exc}")

    def _present(self, generation: int, request: MapRequest, result: MapResult) -> None:
        """Show a layout computed for ``request`` unless a newer one was asked for since."""
        if generation != self._generation:
            return  # stale: the filter, mode or plan changed while it was computed
        self._waiting = False
        layout, unlinked, bounds = result
        if request.mode == "items":
            self.title.setText(f"Item links of {request.items_of}")
            more = ": " + ", ".join(unlinked[:8]) + (" …" if len(unlinked) > 8 else "")
            status = f"{len(layout.nodes)} items, {len(layout.edges)} links"
            status += f"; {len(unlinked)} items without links{more}" if unlinked else ""
        elif request.mode == "teams":
            self.title.setText("Dependency map — teams")
            hidden = f" ({layout.hidden_edges} lighter links hidden)" if layout.hidden_edges else ""
            status = (
                f"{len(layout.nodes)} teams, {len(request.keys)} releases, "
                f"{len(layout.edges)} team links{hidden} · double-click a team for its releases"
            )
        else:
            around = f" around {request.focus}" if request.focus else ""
            around += f" — team {self.team}" if self.team else self._describe_filter()
            self.title.setText(f"Dependency map{around}")
            hidden = f" ({layout.hidden_edges} more hidden)" if layout.hidden_edges else ""
            status = (
                f"{len(layout.nodes)} releases, {len(layout.edges)} dependencies{hidden} · "
                "double-click a release for its item links"
            )
            if request.focus is None and len(layout.nodes) > RELEASE_LIMIT:
                status += " · a big map: search, or right-click a release to focus"
        if self._analysis is None or self._analysis.sketch:  # flags and problems to come
            status += UPDATING
        self.status.setText(status)
        self._show(layout, bounds)

    def _describe_filter(self) -> str:
        flt = self._filter
        parts = [", ".join(sorted(flt.teams))] if flt.teams else []
        parts += [f"train {flt.train}"] if flt.train else []
        parts += [flt.environment] if flt.environment else []
        if flt.first or flt.last:
            parts.append(f"{flt.first or '…'} – {flt.last or '…'}")
        return f" — {' · '.join(parts)} (neighbours faded)" if parts else ""

    def _show(
        self, layout: MapLayout, bounds: tuple[float, float, float, float] | None = None
    ) -> None:
        """Frame ``layout`` and add its scene items: all at once without a runner, else a chunk
        per turn of the event loop from the next on (:data:`ITEM_CHUNK` items at most, for
        :data:`CHUNK_SECONDS` at most; edges first, so that boxes cover them)."""
        self.map = layout
        scene = self.view.scene()
        scene.clear()
        left, top, right, bottom = bounds if bounds is not None else map_bounds(layout)
        scene.setSceneRect(QRectF(left - 30, top - 30, right - left + 60, bottom - top + 60))
        self.frame()
        items = self._items(layout)
        if self._runner is None:
            for item in items:
                scene.addItem(item)
            return
        self._building = items
        QTimer.singleShot(0, self, functools.partial(self._add_items, items))

    def _add_items(self, items: Iterator[QGraphicsItem]) -> None:
        if self._building is not items:
            return  # a newer layout replaced this one
        scene = self.view.scene()
        deadline = time.perf_counter() + CHUNK_SECONDS
        for _ in range(ITEM_CHUNK):
            if time.perf_counter() > deadline:
                break
            item = next(items, None)
            if item is None:
                self._building = None
                return
            scene.addItem(item)
        QTimer.singleShot(0, self, functools.partial(self._add_items, items))

    def _items(self, layout: MapLayout) -> Iterator[QGraphicsItem]:
        """The scene items of ``layout``, made as they are asked for."""
        theme = self.theme
        across = ink(QColor("#546e7a"), theme).name()
        groups: dict[tuple[str, float, bool, int], list[MapEdge]] = {}
        for edge in layout.edges:
            link = edge.link
            if link.broken or link.cycle:
                key = (theme.error, 2.4, link.implied, 3)
            elif link.critical:
                key = (CRITICAL, 2.4, link.implied, 2)
            elif link.crossing and self.mode != "teams":
                key = (across, 1.5, link.implied, 1)
            else:
                width = 1.0 + min(math.log2(link.weight), 5.0) if self.mode == "teams" else 1.0
                key = (theme.muted, round(width, 1), link.implied, 0)
            groups.setdefault(key, []).append(edge)
        size = 1 if len(layout.edges) <= EDGE_ITEM_LIMIT else EDGE_CHUNK
        made: list[EdgesItem] = []
        for (color, width, dashed, z), edges in groups.items():
            pen_color = QColor(color)
            if self.mode == "teams" and not z:  # lighter, mixed in advance: blending is slow
                pen_color = tint(pen_color, theme.color("base"), 0.55)
            style = Qt.PenStyle.DashLine if dashed and size == 1 else Qt.PenStyle.SolidLine
            pen = QPen(pen_color, width, style)
            # Chunks of edges that start near each other, so that the scene's index can skip
            # the ones out of view (without dashes: they cost most on long paths).
            edges.sort(key=lambda e: e.path[0])
            for first in range(0, len(edges), size):
                item = EdgesItem(edges[first : first + size], pen, self)
                item.setZValue(z * 0.1)
                made.append(item)
                yield item
        if self._runner is not None and made:  # the live view (exports paint edges directly)
            yield EdgeLayer(made)
        live = self._runner is not None
        for node in layout.nodes:
            box = NodeItem(node, self)
            if live:
                # Each box's pixels are kept and blitted on the next repaint (scrolling repainted
                # every box's text and outline, 19 ms of a 50-80 ms frame on the large demo);
                # exports paint directly. A box's look changes with selection (Qt updates the
                # item) and search matches (_on_search_text_changed updates the boxes).
                box.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            yield box

    def frame(self) -> None:
        """Fit the map in view when it stays readable, else show it at 80% from the focus (or
        the top left)."""
        if self.map is None:
            return
        rect = self.view.scene().sceneRect()
        self.view.resetTransform()
        viewport = self.view.viewport().size()
        fit = min(
            viewport.width() / max(rect.width(), 1), viewport.height() / max(rect.height(), 1)
        )
        if fit >= 0.55:
            self.view.scale(min(fit, 1.0), min(fit, 1.0))
            self.view.centerOn(rect.center())
        else:  # too big to read when fitted: 80% and start at the focus (or the top left)
            self.view.scale(0.8, 0.8)
            focus = next((n for n in self.map.nodes if n.role == "focus"), None)
            target = (
                QPointF(focus.x, focus.y)
                if focus
                else rect.topLeft() + QPointF(viewport.width() / 2, viewport.height() / 2)
            )
            self.view.centerOn(target)

    @override
    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not event.spontaneous():
            self.frame()

    # -- slots --------------------------------------------------------------------------------
    def _on_view_node_double_clicked(self, node: MapNode) -> None:
        if node.kind == "release":
            self.show_items(node.key)
        elif node.kind == "team":
            self.expand_team(node.key)
        elif node.kind == "ref" and self.graph is not None and node.label in self.graph.releases:
            self.show_items(node.label)

    def _open(self) -> None:
        if self.items_of:
            self.release_activated.emit(self.items_of)

    def _on_search_text_changed(self, text: str) -> None:
        matches = set(self.graph.search(text)) if self.graph else set()
        changed = matches ^ self.matches
        self.matches = matches
        for item in self.view.scene().items():
            if isinstance(item, NodeItem) and item.node.key in changed:
                item.update()  # its cached pixels are stale
        self.view.viewport().update()

    def _on_search_return_pressed(self) -> None:
        found = self.graph.search(self.search.text()) if self.graph else []
        if found:
            self.set_focus(found[0])
