"""The protocol every plan view follows, so that the main window drives them all the same way.

A *plan view* (Calendar, Timeline, Map, ...) is a ``QWidget`` that also inherits
:class:`PlanView`::

    class TimelineView(QWidget, PlanView):
        def set_data(self, plan: Plan, analysis: PlanAnalysis | None) -> None: ...
        def set_filter(
            self, teams: frozenset[str], train: str | None, environment: str | None
        ) -> None: ...

and the main window adds it with ``window.add_view("Timeline", view, "Ctrl+3")``. From then on:

* ``set_data(plan, analysis)`` is called with every new analysis of the plan (after every write
  that can move dates): the plan that was analysed and what the analysis found. The view keeps
  them and redraws; it computes nothing itself (layouts come from ``relplan.planning``).
  ``analysis`` is None only before the first analysis arrives. A view whose ``shows_sketch``
  is True may get a sketch first (``analysis.sketch``: the releases and their edges, no
  problems and no schedule yet) and shows it marked as updating.
* ``set_filter(teams, train, environment)`` is called when the shared filter bar changes (and once
  when the view is added). An empty ``teams`` means every team; None means no train or
  environment filter.
* Emitting ``release_activated(key)`` opens the Release editor on that release.
* ``export_image(path)`` writes the view as PNG, SVG or PDF, chosen by the suffix (File → Export
  View Image and ``relplan export``). The default renders :meth:`PlanView.export_widget` (the view
  itself unless overridden) with :func:`export_widget_image`.
* ``focus_search()`` is called for Ctrl+F: focus the view's search box and return True (the
  default returns False and the window shows its own filter box).
* ``set_theme(theme)`` is called when the OS switches between light and dark; views that paint
  with :mod:`relplan.ui.palette` colours repaint (the default does nothing).

Everything else (navigation, zoom, search) is the view's own business.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final, cast

from PySide6.QtCore import QMarginsF, QPoint, QRect, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import QImage, QPageSize, QPainter, QPdfWriter, QRegion
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QWidget

from relplan.domain.model import Plan
from relplan.ui.palette import Theme

if TYPE_CHECKING:
    from relplan.ui.analysis import PlanAnalysis

#: The formats ``export_image`` writes, by file suffix.
EXPORT_SUFFIXES: Final = (".png", ".svg", ".pdf")
#: Pixels per widget pixel in PNG exports (crisp when pasted into a slide).
PNG_SCALE: Final = 2.0
#: The quality Qt encodes PNGs at: its zlib level (lossless either way; 80 is fast).
PNG_QUALITY: Final = 80
#: The size a view that was never shown is exported at.
DEFAULT_EXPORT_SIZE: Final = QSize(1400, 900)
_SCREEN_DPI: Final = 96


class PlanView:
    """The mixin of every plan view (see the module docs for the protocol).

    Signals:
        release_activated(str): the user picked a release (clicked it); its key.
    """

    release_activated = Signal(str)
    #: Whether the view is handed the window's first look at the plan before its first analysis
    #: (a ``PlanAnalysis`` with ``sketch=True``: releases and edges only; the view marks it as
    #: updating). Views that show more of the plan (work items, charts) wait for the analysis.
    shows_sketch = False

    def set_data(self, plan: Plan, analysis: PlanAnalysis | None) -> None:
        """Show ``plan`` and what ``analysis`` found in it (None: not analysed yet)."""
        raise NotImplementedError

    def set_filter(self, teams: frozenset[str], train: str | None, environment: str | None) -> None:
        """Show only these teams (empty: all), this train and this environment (None: any)."""
        raise NotImplementedError

    def focus_search(self) -> bool:
        """Focus the view's search box (Ctrl+F); False when the view has none."""
        return False

    def set_theme(self, theme: Theme) -> None:
        """Repaint with another theme: the OS switched between light and dark (default: no-op
        for views that only use the application palette)."""

    def export_widget(self) -> QWidget:
        """The widget :meth:`export_image` renders (default: the view itself)."""
        return cast(QWidget, self)

    def export_image(self, path: str) -> None:
        """Write the view as an image: PNG, SVG or PDF by ``path``'s suffix.

        Raises:
            ValueError: the suffix is not ``.png``, ``.svg`` or ``.pdf``.
            OSError: the file could not be written.
        """
        export_widget_image(self.export_widget(), path)


def export_widget_image(widget: QWidget, path: str, *, size: QSize | None = None) -> None:
    """Render ``widget`` into a PNG, SVG or PDF file, chosen by ``path``'s suffix.

    The widget need not be on screen: it is laid out at ``size`` (default: its current size, or
    1400×900 when it was never shown) before it is rendered.

    Args:
        widget: What to render (with its children).
        path: The file to write.
        size: The size to render at.

    Raises:
        ValueError: the suffix is not one of :data:`EXPORT_SUFFIXES`.
        OSError: the file could not be written.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise ValueError(
            f"cannot export {suffix or 'a file without suffix'}: use .png, .svg or .pdf"
        )
    if size is not None:
        widget.resize(size)
    elif not widget.isVisible() and not widget.testAttribute(Qt.WidgetAttribute.WA_Resized):
        widget.resize(DEFAULT_EXPORT_SIZE)
    widget.ensurePolished()
    layout = widget.layout()
    if layout is not None:
        layout.activate()
    QApplication.sendPostedEvents()
    target = widget.size()
    if suffix == ".png":
        image = QImage(
            int(target.width() * PNG_SCALE),
            int(target.height() * PNG_SCALE),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        image.setDevicePixelRatio(PNG_SCALE)
        background = widget.palette().window().color()
        image.fill(background)
        _render(widget, image)
        if background.alpha() == 255:
            # Every pixel is opaque: without the alpha channel the PNG holds the same pixels in
            # 3 bytes instead of 4, and encodes ~35 % faster (1 s less for a large timeline).
            image = image.convertToFormat(QImage.Format.Format_RGB32)
        # PNG is lossless whatever the level: Qt's quality 80 is a light zlib level, which
        # encodes a large timeline (20 megapixels) in half the time for ~15 % more bytes.
        # PySide6 takes the format as str (its stubs say bytes, which it refuses).
        if not image.save(path, "PNG", PNG_QUALITY):  # type: ignore[call-overload]
            raise OSError(f"could not write {path}")
        return
    if suffix == ".svg":
        svg = QSvgGenerator()
        svg.setFileName(path)
        svg.setSize(target)
        svg.setViewBox(QRect(QPoint(0, 0), target))
        svg.setResolution(_SCREEN_DPI)
        svg.setTitle(widget.windowTitle() or "relplan")
        svg.setDescription("Exported by relplan")
        _render(widget, svg)
    else:
        pdf = QPdfWriter(path)
        pdf.setResolution(_SCREEN_DPI)
        points = QSizeF(target.width() * 72 / _SCREEN_DPI, target.height() * 72 / _SCREEN_DPI)
        pdf.setPageSize(QPageSize(points, QPageSize.Unit.Point, "relplan"))
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0))
        pdf.setTitle(widget.windowTitle() or "relplan")
        pdf.setCreator("relplan")
        _render(widget, pdf)
    if not Path(path).is_file() or Path(path).stat().st_size == 0:
        raise OSError(f"could not write {path}")


def _render(widget: QWidget, device: QImage | QSvgGenerator | QPdfWriter) -> None:
    painter = QPainter(device)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        widget.render(
            painter,
            QPoint(0, 0),
            QRegion(),
            QWidget.RenderFlag.DrawWindowBackground | QWidget.RenderFlag.DrawChildren,
        )
    finally:
        painter.end()
