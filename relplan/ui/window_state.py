"""Where the main window keeps its state between runs: geometry, docks, the view shown, the
releases table's columns and the calendar's choices, in Qt's settings store (Picard's
``PreserveGeometry``)."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

__all__ = ["PreserveGeometry", "qsettings"]


def qsettings() -> QSettings:
    """The Qt settings store for window state (geometry, docks, current view, columns)."""
    return QSettings("relplan", "relplan")


class PreserveGeometry:
    """Saves and restores a window's geometry and state under ``geometry_key`` (Picard)."""

    geometry_key = "main_window"

    def restore_geometry(self, window: QWidget) -> bool:
        """Restore the saved geometry (and dock layout); False when none was saved."""
        store = qsettings()
        geometry = store.value(f"{self.geometry_key}/geometry")
        if geometry is None:
            return False
        window.restoreGeometry(geometry)
        state = store.value(f"{self.geometry_key}/state")
        if state is not None and hasattr(window, "restoreState"):
            window.restoreState(state)
        return True

    def save_geometry(self, window: QWidget) -> None:
        """Remember the window's geometry and state."""
        store = qsettings()
        store.setValue(f"{self.geometry_key}/geometry", window.saveGeometry())
        if hasattr(window, "saveState"):
            store.setValue(f"{self.geometry_key}/state", window.saveState())
