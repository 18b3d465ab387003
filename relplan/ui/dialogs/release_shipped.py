"""The release editor's *Shipped* tab: what of the release reached which environment.

It shows :func:`relplan.metrics.trace.load_release_trace` (the chain ``relplan trace`` prints):
per environment the release's deployments with their outcome, time and how they are linked to the
release (``explicit`` by a tag, ``inferred`` from team and Production window, ``override`` by a
person), under each its commits and the work items they name, then the incidents named by or
suggested for those deployments. A selected deployment's link can be confirmed, moved to another
release or removed: one undoable command each, through the session
(:meth:`~relplan.ui.session.WorkspaceSession.link_deployment`, as ``relplan deployment link``).

The tab is added by :func:`attach_shipped_tab` (two lines in the editor launcher), so the shared
editor dialog does not change. It reads its trace again when a delivery sync wrote deployments
(the session's ``delivery_changed``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from relplan.metrics.trace import Trace, TracedCommit, TracedDeployment

if TYPE_CHECKING:
    from relplan.ui.dialogs.release_editor import ReleaseEditorDialog
    from relplan.ui.session import WorkspaceSession

__all__ = ["ShippedPanel", "attach_shipped_tab"]

_INFERRED = QColor("#9a6700")  # amber: a suggestion, not a fact
_NONE = "(no release)"
_ROLE = Qt.ItemDataRole.UserRole


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _when(value: object) -> str:
    return "not finished" if value is None else str(value)[:16].replace("T", " ")


class ShippedPanel(QWidget):
    """The chain of one release, with buttons to override a deployment's link.

    Args:
        release: The release key.
        releases: Every release key (to choose another one).

    Signals:
        link_requested(str, str, object): connection, deployment id, release key or None.
    """

    link_requested = Signal(str, str, object)

    def __init__(self, release: str, releases: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shipped-panel")
        self.release = release
        self.releases = releases
        self.trace: Trace | None = None
        #: Reads the trace again (set by :func:`attach_shipped_tab`).
        self.loader: Callable[[], None] | None = None
        layout = QVBoxLayout(self)
        self.summary = QLabel("Reading deployments…", self)
        self.summary.setObjectName("shipped-summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("shipped-tree")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["Deployment / commit", "Outcome", "When", "Link / items"])
        self.tree.setColumnWidth(0, 300)
        self.tree.setColumnWidth(1, 90)
        self.tree.setColumnWidth(2, 130)
        self.tree.itemSelectionChanged.connect(self._on_selection)
        layout.addWidget(self.tree, 1)
        row = QHBoxLayout()
        self.confirm_button = QPushButton("&Confirm suggested release", self)
        self.confirm_button.setToolTip("Keep this inferred link: a later pull will not change it")
        self.assign_button = QPushButton("&Link to release…", self)
        self.unlink_button = QPushButton("&Not this release", self)
        self.unlink_button.setToolTip("Link the deployment to no release")
        for button in (self.confirm_button, self.assign_button, self.unlink_button):
            button.setEnabled(False)
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.confirm_button.clicked.connect(self._confirm)
        self.assign_button.clicked.connect(self._assign)
        self.unlink_button.clicked.connect(lambda: self._request(None))

    # -- showing ----------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the release's trace again (after a delivery sync, say)."""
        if self.loader is not None:
            self.loader()

    def set_trace(self, trace: Trace) -> None:
        """Show the release's trace (replacing what is shown)."""
        self.trace = trace
        self.tree.clear()
        deployments = trace.deployments
        if not deployments:
            self.summary.setText(
                "No deployment is linked to this release yet. Pull a delivery connection "
                "(relplan sync) or link one with relplan deployment link."
            )
            self._on_selection()
            return
        inferred = sum(d.provenance == "inferred" for d in deployments)
        items = {k for c in trace.commits for k in c.items}
        named = sum(i.link.provenance == "named" for i in trace.incidents)
        suggested = len(trace.incidents) - named
        self.summary.setText(
            f"{_n(len(deployments), 'deployment')} ({inferred} only inferred: amber), "
            f"{_n(len(trace.commits), 'commit')} naming {_n(len(items), 'work item')}, "
            f"{_n(named, 'incident')} named, {suggested} only suggested."
        )
        commits = {c.sha: c for c in trace.commits}
        for env, deps in trace.environments().items():
            top = QTreeWidgetItem(self.tree, [env, "", "", _n(len(deps), "deployment")])
            for traced in deps:
                self._add_deployment(top, traced, commits)
            top.setExpanded(True)
        if trace.incidents:
            top = QTreeWidgetItem(self.tree, ["Incidents", "", "", ""])
            for incident in trace.incidents:
                link = incident.link
                inc = link.incident
                name = inc.keys[0] if inc.keys else inc.source_id
                target = ":".join(link.deployment) if link.deployment else "-"
                words = "named" if link.provenance == "named" else "suggested: not counted"
                child = QTreeWidgetItem(top, [f"{name} on {target}", "", _when(inc.created), words])
                if link.provenance != "named":
                    child.setForeground(3, QBrush(_INFERRED))
            top.setExpanded(True)
        self._on_selection()

    def _add_deployment(
        self, top: QTreeWidgetItem, traced: TracedDeployment, commits: dict[str, TracedCommit]
    ) -> None:
        dep = traced.deployment
        label = f"{dep.source}:{dep.source_id} {dep.ref or dep.sha[:10]}"
        link = traced.provenance
        node = QTreeWidgetItem(top, [label, traced.outcome or "-", _when(dep.finished), link])
        node.setData(0, _ROLE, (dep.source, dep.source_id, link))
        node.setToolTip(0, dep.url or label)
        if link == "inferred":
            node.setForeground(3, QBrush(_INFERRED))
            node.setToolTip(3, "Suggested by team and Production window: confirm or change it")
        for sha in traced.commits:
            commit = commits.get(sha)
            if commit is None:
                continue
            first = commit.message.splitlines()[0] if commit.message else ""
            QTreeWidgetItem(
                node, [f"{sha[:10]} {first}", "", _when(commit.committed), ", ".join(commit.items)]
            )
        node.setExpanded(True)

    # -- overriding -------------------------------------------------------------------------
    def selected(self) -> tuple[str, str, str] | None:
        """``(connection, id, link)`` of the selected deployment, if one is selected."""
        for item in self.tree.selectedItems():
            data = item.data(0, _ROLE)
            if data:
                return (str(data[0]), str(data[1]), str(data[2]))
        return None

    def _on_selection(self) -> None:
        chosen = self.selected()
        self.confirm_button.setEnabled(chosen is not None and chosen[2] == "inferred")
        self.assign_button.setEnabled(chosen is not None)
        self.unlink_button.setEnabled(chosen is not None)

    def _request(self, release: str | None) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.link_requested.emit(chosen[0], chosen[1], release)

    def _confirm(self) -> None:
        self._request(self.release)

    def _assign(self) -> None:
        choices = [_NONE, *self.releases]
        current = choices.index(self.release) if self.release in choices else 0
        text, ok = QInputDialog.getItem(
            self, "Link deployment", "Release:", choices, current, False
        )
        if ok:
            self._request(None if text == _NONE else text)


def attach_shipped_tab(dialog: ReleaseEditorDialog, session: WorkspaceSession) -> ShippedPanel:
    """Add the Shipped tab to a release editor; it reads and writes through ``session``."""
    from relplan.metrics.trace import load_release_trace
    from relplan.ui.errors import present_error

    key = dialog.data.release.key
    releases = sorted(r.key for r in dialog.data.plan.releases)
    panel = ShippedPanel(key, releases, dialog)
    dialog.tabs.addTab(panel, "S&hipped")

    def load() -> None:
        session.read(lambda ws: load_release_trace(ws, key), panel.set_trace)

    def link(connection: str, source_id: str, release: str | None) -> None:
        session.link_deployment(
            connection,
            source_id,
            release,
            on_done=lambda _changes: load(),
            on_error=lambda exc: present_error(dialog, exc),
        )

    panel.link_requested.connect(link)
    panel.loader = load
    # A bound slot: disconnected by Qt when the panel (with its editor) is gone.
    session.delivery_changed.connect(panel.reload)
    load()
    return panel
