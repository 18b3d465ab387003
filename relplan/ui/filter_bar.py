"""The shared filter bar: team, train and environment for every view, and the releases search.

Changing a combo box emits ``filter_changed(teams, train, environment)`` at once; typing in the
search box emits ``search_changed(text)`` after a short pause. The combo boxes keep their choice
when their lists are refilled (after a write or when another workspace opens).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from PySide6.QtCore import QSize, QTimer, Signal, Slot
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QSizePolicy, QToolBar, QWidget

from relplan.domain.model import Environment, Team, Train

FILTER_DELAY_MS: Final = 120
ViewFilter = tuple[frozenset[str], str | None, str | None]


class FilterBar(QToolBar):
    """Team, train and environment combo boxes and the releases search box.

    Args:
        parent: the main window.

    Signals:
        filter_changed(object, object, object): ``(teams, train, environment)``; an empty
            ``teams`` means every team, None no train or environment filter.
        search_changed(str): the search text, once typing pauses.
    """

    filter_changed = Signal(object, object, object)
    search_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Filters", parent)
        self.setObjectName("filters-toolbar")
        self.setMovable(False)
        self.setIconSize(QSize(16, 16))
        self.team_filter = self._combo("team-filter", " Team ", "All teams")
        self.team_filter.setToolTip("Show the releases of one team in every view")
        self.train_filter = self._combo("train-filter", "  Train ", "All trains")
        self.train_filter.setToolTip("Show the releases of one release train in every view")
        self.environment_filter = self._combo("environment-filter", "  Environment ", "All")
        self.environment_filter.setToolTip(
            "Show only the stage windows in one environment (the releases view: all releases)"
        )
        spacer = QWidget(self)
        spacer.setFixedWidth(16)
        self.addWidget(spacer)
        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Filter by key, name, team, train or status  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(320)
        self.search.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.search_action = self.addWidget(self.search)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(FILTER_DELAY_MS)
        for combo in (self.team_filter, self.train_filter, self.environment_filter):
            combo.currentIndexChanged.connect(self._on_combo_changed)
        self.search.textChanged.connect(self.timer.start)
        self.timer.timeout.connect(self._on_timer_timeout)

    def _combo(self, name: str, label: str, everything: str) -> QComboBox:
        self.addWidget(QLabel(label, self))
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.addItem(everything, None)
        self.addWidget(combo)
        return combo

    def current(self) -> ViewFilter:
        """``(teams, train, environment)`` as chosen now."""
        team = self.team_filter.currentData()
        teams = frozenset() if team is None else frozenset({str(team)})
        return teams, self.train_filter.currentData(), self.environment_filter.currentData()

    def set_teams(self, teams: Iterable[Team]) -> None:
        """Offer these teams (the choice is kept when the team is still there)."""
        self._fill(self.team_filter, [(f"{t.name} ({t.key})", t.key) for t in teams])

    def set_trains(self, trains: Iterable[Train]) -> None:
        """Offer these trains."""
        self._fill(self.train_filter, [(f"{t.name} ({t.key})", t.key) for t in trains])

    def set_environments(self, environments: Iterable[Environment]) -> None:
        """Offer these environments, in their order."""
        ordered = sorted(environments, key=lambda e: (e.order, e.name))
        self._fill(self.environment_filter, [(e.name, e.name) for e in ordered])

    def _fill(self, combo: QComboBox, entries: Sequence[tuple[str, str]]) -> None:
        current = [(combo.itemText(i), combo.itemData(i)) for i in range(1, combo.count())]
        if list(entries) == current:
            return
        selected = combo.currentData()
        everything = combo.itemText(0)
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem(everything, None)
            for text, key in entries:
                combo.addItem(text, key)
            combo.setCurrentIndex(max(combo.findData(selected), 0))
        finally:
            combo.blockSignals(False)
        self._on_combo_changed()

    def clear(self) -> None:
        """Every team, train and environment, and no search text."""
        self.search.clear()
        self.timer.stop()  # clear() started it; a late refilter would drop the selection
        self.search_changed.emit("")
        for combo in (self.team_filter, self.train_filter, self.environment_filter):
            combo.setCurrentIndex(0)

    def set_search_visible(self, visible: bool) -> None:
        """Show the releases search box (only the Releases view uses it)."""
        self.search_action.setVisible(visible)

    @Slot()
    def _on_combo_changed(self) -> None:
        self.filter_changed.emit(*self.current())

    @Slot()
    def _on_timer_timeout(self) -> None:
        self.search_changed.emit(self.search.text())
