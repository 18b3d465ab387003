"""The Level the Plan dialog and the Timeline together: one preview, drawn in both.

:class:`LevelTimelineLink` opens the dialog (Plan → Level the Plan…, or a bar's "Pin for
levelling"), hands the Timeline the very :class:`~relplan.planning.level.Levelling` the dialog
shows (its moves become ghost bars, cleared when the dialog closes or applies), and turns the
Timeline's pin requests into the dialog's pins and a new preview.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from relplan.ui.dialogs.level import LevelDialog, open_level_dialog

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from relplan.planning.level import Levelling
    from relplan.ui.dialogs.level import LevelPreviewer
    from relplan.ui.views.timeline import TimelineView

__all__ = ["LevelTimelineLink"]


class LevelTimelineLink(QObject):
    """Keeps the open Level dialog and the Timeline's preview in step (see the module docs).

    Args:
        window: The main window (the dialog's parent).
        previewer: Computes the levelling the dialog previews (the window's).
        timeline: The Timeline that draws the preview and asks for pins.
    """

    def __init__(self, window: QWidget, previewer: LevelPreviewer, timeline: TimelineView) -> None:
        super().__init__(window)
        self._window = window
        self._previewer = previewer
        self._timeline = timeline
        self.dialog: LevelDialog | None = None
        timeline.chart.pin_requested.connect(self.pin)

    def open(self, pins: list[str] | None = None) -> LevelDialog:
        """Open the dialog (or bring the open one forward) and preview with ``pins``."""
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        dialog = open_level_dialog(self._window, self._previewer, pins)
        dialog.preview_changed.connect(self._on_preview_changed)
        dialog.finished.connect(self._on_finished)
        self.dialog = dialog
        return dialog

    @Slot(str, bool)
    def pin(self, key: str, pinned: bool) -> None:
        """Pin (or unpin) ``key`` in the dialog and preview again; opens the dialog if closed."""
        if self.dialog is None:
            self.open([key] if pinned else [])
            return
        self.dialog.set_pinned(key, pinned)

    @Slot(object)
    def _on_preview_changed(self, levelling: Levelling | None) -> None:
        dialog = self.dialog
        pins = frozenset(dialog.requested_pins) if dialog is not None else frozenset()
        self._timeline.set_level_preview(levelling, pins)

    @Slot()
    def _on_finished(self) -> None:
        self.dialog = None
        self._timeline.set_level_preview(None, frozenset())
