"""What an empty workspace shows: what it is, and the ways to fill it.

:class:`EmptyState` covers the views while the workspace holds no plan objects (a new file, or
after Undo took back its import): *Open…* another workspace, *Import JSON…*, *Open demo* (the
demo portfolio, as one undoable command) and, when there is one, *Redo* of what was undone.
Whether the workspace is empty comes from the core (``Refresh.empty``); this widget only shows it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from relplan.ui._compat import override

__all__ = ["EmptyState"]


class EmptyState(QFrame):
    """A panel over ``covered`` (the views) that says the workspace is empty and what to do.

    Args:
        covered: the widget the panel lies over, at its size.

    Signals:
        open_requested(): *Open…* was clicked.
        import_requested(): *Import JSON…* was clicked.
        demo_requested(): *Open demo* was clicked.
        redo_requested(): *Redo …* was clicked.
    """

    open_requested = Signal()
    import_requested = Signal()
    demo_requested = Signal()
    redo_requested = Signal()

    def __init__(self, covered: QWidget) -> None:
        super().__init__(covered)
        self.setObjectName("empty-state")
        self.setAutoFillBackground(True)
        self.title = QLabel("<h2>This workspace is empty</h2>", self)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = QLabel(
            "Open another workspace, import a workspace JSON file,<br>"
            "or look around in the demo portfolio. Each import is one step of Edit → Undo.",
            self,
        )
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.open_button = QPushButton("&Open…", self)
        self.import_button = QPushButton("&Import JSON…", self)
        self.demo_button = QPushButton("Open &demo", self)
        self.demo_button.setToolTip("Fill this workspace with the demo portfolio (undoable)")
        self.redo_button = QPushButton("", self)
        self.redo_button.setVisible(False)
        self.open_button.clicked.connect(self.open_requested)
        self.import_button.clicked.connect(self.import_requested)
        self.demo_button.clicked.connect(self.demo_requested)
        self.redo_button.clicked.connect(self.redo_requested)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.open_button, self.import_button, self.demo_button, self.redo_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.hint, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(12)
        layout.addLayout(buttons)
        layout.addStretch(2)
        self._covered = covered
        covered.installEventFilter(self)
        self.setGeometry(covered.rect())
        self.setVisible(False)

    def set_redo(self, label: str | None) -> None:
        """Offer *Redo LABEL* (what Undo took back), or nothing (None)."""
        self.redo_button.setVisible(label is not None)
        self.redo_button.setText(f"&Redo {label}" if label else "")

    def show_for(self, empty: bool) -> None:
        """Show the panel (over the views) while the workspace is empty, else hide it."""
        if empty:
            self.setGeometry(self._covered.rect())
            self.raise_()
        self.setVisible(empty)

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Keep covering the views when they are resized."""
        if watched is self._covered and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._covered.rect())
        return False
