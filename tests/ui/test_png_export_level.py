"""PNG exports are encoded at a light zlib level (issue 12): the same pixels, written faster."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any


def _zlib_levels(data: bytes) -> int:
    """The FLEVEL field (0 fastest .. 3 maximum) of the PNG's zlib stream header."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at = 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        if kind == b"IDAT":
            return data[at + 9] >> 6  # the second byte of the zlib header (FLG)
        at += 12 + length
    raise AssertionError("no IDAT chunk")


def test_png_export_uses_a_fast_zlib_level_and_keeps_the_pixels(qtbot: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QLabel

    from relplan.ui.views.base import PNG_QUALITY, export_widget_image

    label = QLabel("Payments 2026.12 " * 4)
    qtbot.addWidget(label)
    path = tmp_path / "t.png"
    export_widget_image(label, str(path), size=QSize(400, 80))
    assert _zlib_levels(path.read_bytes()) < 2  # Qt's default level 6 writes FLEVEL 2
    saved = QImage(str(path))
    again = QImage(str(path))
    assert again.save(str(tmp_path / "default.png"))  # Qt's default level
    assert QImage(str(tmp_path / "default.png")) == saved
    assert 0 <= PNG_QUALITY <= 100
