"""The week behind a point of the DORA chart: its deployments, changes and incidents.

Shows a :class:`relplan.metrics.dora_drill.WeekBehind` (read on the DB lane by
:func:`~relplan.metrics.dora_drill.week_behind`); it computes nothing itself.
"""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from relplan.metrics.dora import DoraMetrics
from relplan.metrics.dora_drill import WeekBehind

__all__ = ["DoraWeekDialog"]

_SUGGESTED = QColor("#9a6700")


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _when(value: object) -> str:
    return "-" if value is None else str(value)[:16].replace("T", " ")


class DoraWeekDialog(QDialog):
    """Lists what one week of the DORA chart counts.

    Args:
        week: What is behind the week.
        figures: The week's figures (for the heading and its data-quality notes), if known.
    """

    def __init__(
        self, week: WeekBehind, figures: DoraMetrics | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dora-week")
        w = week.window
        self.setWindowTitle(f"DORA week {w.start} to {w.end}")
        self.resize(820, 520)
        layout = QVBoxLayout(self)
        counted = sum(i.provenance == "named" for i in week.incidents)
        head = (
            f"{_n(len(week.deployments), 'Production deployment')}, "
            f"{_n(len(week.changes), 'change')}, {_n(len(week.incidents), 'incident')} "
            f"({counted} named and counted) from {w.start} to {w.end}"
        )
        if figures is not None and figures.quality.notes():
            head += "\nData quality: " + "; ".join(figures.quality.notes())
        self.heading = QLabel(head, self)
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("dora-week-tree")
        self.tree.setHeaderLabels(["What", "Outcome / items", "When", "Release / link"])
        self.tree.setColumnWidth(0, 320)
        self.tree.setColumnWidth(1, 150)
        self.tree.setColumnWidth(2, 130)
        layout.addWidget(self.tree, 1)
        deps = QTreeWidgetItem(self.tree, [f"Deployments ({len(week.deployments)})"])
        for d in week.deployments:
            item = QTreeWidgetItem(
                deps,
                [
                    f"{d.ident} ({_n(d.changes, 'commit')})",
                    d.outcome,
                    _when(d.finished),
                    f"{d.release or 'no release'} ({d.link})",
                ],
            )
            if d.link == "inferred":
                item.setForeground(3, QBrush(_SUGGESTED))
        changes = QTreeWidgetItem(self.tree, [f"Changes ({len(week.changes)})"])
        for c in week.changes:
            first = c.message.splitlines()[0] if c.message else ""
            QTreeWidgetItem(
                changes,
                [f"{c.sha[:10]} {first}", ", ".join(c.items), _when(c.committed), c.deployment],
            )
        incidents = QTreeWidgetItem(self.tree, [f"Incidents ({len(week.incidents)})"])
        for link in week.incidents:
            inc = link.incident
            name = inc.keys[0] if inc.keys else inc.source_id
            target = ":".join(link.deployment) if link.deployment else "no deployment"
            words = "named: counted" if link.provenance == "named" else "suggested: not counted"
            item = QTreeWidgetItem(incidents, [name, words, _when(inc.created), target])
            if link.provenance != "named":
                item.setForeground(1, QBrush(_SUGGESTED))
        for top in (deps, changes, incidents):
            top.setExpanded(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
