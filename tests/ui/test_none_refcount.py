"""Guard for the PySide6 pin: 6.12.0 on CPython 3.11 drops a reference to None per void call.

The leak ends in ``Fatal Python error: none_dealloc`` once None's count reaches zero, so a few
thousand calls must leave ``sys.getrefcount(None)`` where it was.
"""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

CALLS = 5000
MARGIN = 100


def test_void_qt_methods_keep_none_alive(qapp: Any) -> None:
    label = QLabel()
    edit = QLineEdit()
    widget = QWidget()
    before = sys.getrefcount(None)
    for i in range(CALLS):
        label.setText(str(i % 7))  # returns void
        edit.setPlaceholderText("x")
        widget.setToolTip("")
        widget.setEnabled(True)
    after = sys.getrefcount(None)
    assert before - after < MARGIN, f"None lost {before - after} references in {CALLS} calls"
