"""Sync → Conflicts…: every open conflict with both values and the base, and settling each.

The list comes from :func:`relplan.sync.conflicts.open_conflicts` (read on the DB lane); each
button builds :func:`relplan.sync.conflicts.resolve_command`, the code ``relplan sync --resolve``
runs, as one undoable command through the session (Edit → Undo reopens the conflict). The panel
reloads after every write of the window, so an undo or a sync shows at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from relplan.sync import conflicts
from relplan.sync.conflicts import ConflictView
from relplan.sync.push_plan import failure_line
from relplan.ui.models.text_rows import TextRowsModel

if TYPE_CHECKING:
    from relplan.store.commands import ChangeSet
    from relplan.store.workspace import Workspace
    from relplan.ui.session import WorkspaceSession

HEADERS = ("Connection", "Object", "Field", "Here", "At the source", "Last synced", "Found")
HELP = (
    "Keep Local: your value stays and is pushed on the next push. Keep Remote: the source's "
    "value is taken here (Edit → Undo reverts it). Use Typed Value: the value typed below "
    "becomes yours and is pushed on the next push."
)


def _load(ws: Workspace) -> list[tuple[ConflictView, tuple[str, ...]]]:
    return [(view, view.row()) for view in conflicts.open_conflicts(ws)]


class ConflictsDialog(QDialog):
    """The open conflicts of the workspace, and what to keep for each.

    Args:
        session: the window's workspace session.
        parent: the window.

    Signals:
        loaded(int): the number of open conflicts, after each load.
    """

    loaded = Signal(int)

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Conflicts")
        self.setObjectName("conflicts-dialog")
        self.resize(980, 420)
        self.session = session
        self.views: list[ConflictView] = []
        self.model = TextRowsModel(HEADERS)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((90, 200, 70, 110, 110, 110)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.summary = QLabel("Loading…")
        self.help = QLabel(HELP)
        self.help.setWordWrap(True)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setObjectName("conflicts-status")
        self.local_button = QPushButton("Keep &Local")
        self.local_button.clicked.connect(lambda: self.resolve("local"))
        self.remote_button = QPushButton("Keep &Remote")
        self.remote_button.clicked.connect(lambda: self.resolve("remote"))
        self.value_edit = QLineEdit()
        self.value_edit.setPlaceholderText("a value for the selected field (empty: none)")
        self.value_edit.returnPressed.connect(lambda: self.resolve("edit"))
        self.edit_button = QPushButton("Use &Typed Value")
        self.edit_button.clicked.connect(lambda: self.resolve("edit"))
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.local_button)
        row.addWidget(self.remote_button)
        row.addWidget(self.value_edit, 1)
        row.addWidget(self.edit_button)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.help)
        layout.addWidget(self.status)
        layout.addLayout(row)
        self._enable()
        session.refreshed.connect(self._on_refreshed)

    # -- loading ----------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the open conflicts again (DB lane)."""
        self.session.read(_load, self._on_loaded, self._on_error)

    def _on_loaded(self, result: list[tuple[ConflictView, tuple[str, ...]]]) -> None:
        chosen = self.selected()
        self.views = [view for view, _ in result]
        self.model.set_rows([row for _, row in result])
        n = len(self.views)
        self.summary.setText(
            f"{n} open conflict{'s' if n != 1 else ''}: a field changed both here and at the "
            "source since the last sync."
            if n
            else "No open conflicts."
        )
        idents = [v.ident for v in self.views]
        if chosen is not None and chosen.ident in idents:
            self.table.selectRow(idents.index(chosen.ident))
        elif self.views:
            self.table.selectRow(0)
        self._enable()
        self.loaded.emit(n)

    @Slot(object)
    def _on_refreshed(self, _refresh: Any) -> None:
        if self.isVisible():
            self.reload()

    # -- settling ---------------------------------------------------------------------------
    def selected(self) -> ConflictView | None:
        """The conflict whose row is selected."""
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.views):
            return None
        return self.views[rows[0].row()]

    def resolve(self, keep: str) -> None:
        """Settle the selected conflict: ``local``, ``remote`` or ``edit`` (the typed value)."""
        view = self.selected()
        if view is None:
            return
        value = self.value_edit.text() if keep == "edit" else None
        ident = view.ident
        self.status.setText("")
        self.session.run_command(
            lambda ws: conflicts.resolve_command(ws, ident, keep, value),
            on_done=self._on_resolved,
            on_error=self._on_error,
        )

    def _on_resolved(self, changes: ChangeSet) -> None:
        self.status.setText(f"{changes.label} (Edit → Undo reverts it)")
        self.reload()

    def _on_error(self, exc: BaseException) -> None:
        self.status.setText(failure_line(exc))

    @Slot()
    def _on_selection(self) -> None:
        view = self.selected()
        if view is not None:
            self.value_edit.setText("" if view.local is None else conflicts.show(view.local))
        self._enable()

    def _enable(self) -> None:
        view = self.selected()
        for button in (self.local_button, self.remote_button):
            button.setEnabled(view is not None)
        editable = view is not None and view.field != "*"
        self.edit_button.setEnabled(editable)
        self.value_edit.setEnabled(editable)
