"""Colours of the plan views in one place: light and dark themes, teams and environments.

The theme follows the operating system: :func:`current_theme` reads the colour scheme Qt reports
(``QStyleHints.colorScheme``, Qt 6.5+) and falls back to the lightness of the application palette
when the platform does not say (offscreen, older desktops). :class:`ThemeWatcher` emits
``changed`` when the OS switches, so views repaint with the other theme; when the platform style
keeps a light palette although the OS went dark (Fusion on some desktops), it also installs a
matching application palette.

Teams are drawn in their own colour (``Team.color``); a team without one gets a stable colour from
a qualitative list. Environments are coloured along a scale from development to production, by
their ``order``.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from relplan.domain.model import Environment, Team

#: Team colours for teams that have none (matplotlib's tab10, which the demo also uses).
TEAM_FALLBACK: Final = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
#: From the first environment (development) to the last (production).
ENVIRONMENT_SCALE: Final = ("#90a4ae", "#4fc3f7", "#7986cb", "#ffb300", "#43a047")
#: Severity colours (the Problems panel's).
ERROR_COLOR: Final = "#d32f2f"
WARNING_COLOR: Final = "#f29900"
OK_COLOR: Final = "#2e7d32"


@dataclass(frozen=True, slots=True)
class Theme:
    """The colours a plan view paints with.

    Attributes:
        dark: Whether this is the dark theme.
        base: Background of the period's days.
        outside: Background of days outside the period.
        weekend: Background of weekend days.
        grid: Lines between days.
        text: Day numbers and labels.
        muted: Secondary text (days outside the period, legends).
        accent: Today's marker and the selection.
        freeze: Fill of freeze bands.
        freeze_hatch: Hatching over frozen days.
        freeze_text: Text on freeze bands.
        error: Problems (errors).
        warning: Problems (warnings), pending gates.
        ok: Approved gates.
    """

    dark: bool
    base: str
    outside: str
    weekend: str
    grid: str
    text: str
    muted: str
    accent: str
    freeze: str
    freeze_hatch: str
    freeze_text: str
    error: str = ERROR_COLOR
    warning: str = WARNING_COLOR
    ok: str = OK_COLOR

    def color(self, name: str) -> QColor:
        """One of the theme's colours as a QColor (``theme.color("grid")``)."""
        return QColor(str(getattr(self, name)))


LIGHT: Final = Theme(
    dark=False,
    base="#ffffff",
    outside="#f4f5f7",
    weekend="#fafbfc",
    grid="#dde1e6",
    text="#1f2328",
    muted="#8a9099",
    accent="#1a73e8",
    freeze="#dbe7f3",
    freeze_hatch="#b7c9dc",
    freeze_text="#34506b",
)
DARK: Final = Theme(
    dark=True,
    base="#1e2125",
    outside="#17191c",
    weekend="#202428",
    grid="#34393f",
    text="#e6e8eb",
    muted="#7d848d",
    accent="#5ea1ff",
    freeze="#24384c",
    freeze_hatch="#35506b",
    freeze_text="#b8cde2",
    error="#ef5350",
    warning="#ffb74d",
    ok="#66bb6a",
)


def scheme_is_dark() -> bool:
    """Whether the OS (or, when it does not say, the application palette) is dark."""
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return False
    scheme = app.styleHints().colorScheme()
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    return app.palette().color(QPalette.ColorRole.Window).lightnessF() < 0.5


def current_theme() -> Theme:
    """The theme that matches the OS now."""
    return DARK if scheme_is_dark() else LIGHT


def team_colors(teams: Iterable[Team]) -> dict[str, QColor]:
    """A colour per team key: the team's own, else a stable one from :data:`TEAM_FALLBACK`."""
    return {team.key: team_color(team.key, team.color) for team in teams}


def team_color(key: str, color: str | None = None) -> QColor:
    """A team's colour: ``color`` when it is a valid colour, else one picked from its key."""
    if color:
        parsed = QColor(color)
        if parsed.isValid():
            return parsed
    return QColor(TEAM_FALLBACK[zlib.crc32(key.encode()) % len(TEAM_FALLBACK)])


def environment_colors(environments: Iterable[Environment]) -> dict[str, QColor]:
    """A colour per environment name, along :data:`ENVIRONMENT_SCALE` by ``order``.

    The first environment gets the scale's first colour and the last one its last colour; the
    ones between are spread over the rest.
    """
    ordered = sorted(environments, key=lambda e: (e.order, e.name))
    last = len(ENVIRONMENT_SCALE) - 1
    colors = {}
    for i, env in enumerate(ordered):
        position = 0 if len(ordered) == 1 else round(i * last / (len(ordered) - 1))
        colors[env.name] = QColor(ENVIRONMENT_SCALE[position])
    return colors


def text_on(fill: QColor) -> QColor:
    """Black or white, whichever reads better on ``fill`` (WCAG relative luminance)."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    luminance = (
        0.2126 * channel(fill.redF())
        + 0.7152 * channel(fill.greenF())
        + 0.0722 * channel(fill.blueF())
    )
    return QColor("#111111") if luminance > 0.36 else QColor("#ffffff")


def tint(color: QColor, base: QColor, amount: float) -> QColor:
    """``color`` mixed into ``base``: 0 gives ``base``, 1 gives ``color``."""
    mix = QColor()
    mix.setRgbF(
        base.redF() + (color.redF() - base.redF()) * amount,
        base.greenF() + (color.greenF() - base.greenF()) * amount,
        base.blueF() + (color.blueF() - base.blueF()) * amount,
    )
    return mix


def ink(color: QColor, theme: Theme) -> QColor:
    """A shade of ``color`` that reads as text on its own tint (darker on light themes)."""
    if theme.dark:
        return color.lighter(155)
    shade = QColor(color)
    while shade.lightnessF() > 0.36:
        shade = shade.darker(125)
    return shade


def dark_palette() -> QPalette:
    """An application palette for the dark theme (for styles that do not follow the OS)."""
    roles = {
        QPalette.ColorRole.Window: "#202327",
        QPalette.ColorRole.WindowText: DARK.text,
        QPalette.ColorRole.Base: DARK.base,
        QPalette.ColorRole.AlternateBase: "#25292e",
        QPalette.ColorRole.ToolTipBase: "#2b3036",
        QPalette.ColorRole.ToolTipText: DARK.text,
        QPalette.ColorRole.Text: DARK.text,
        QPalette.ColorRole.Button: "#2a2e33",
        QPalette.ColorRole.ButtonText: DARK.text,
        QPalette.ColorRole.Highlight: "#2f6fd1",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: DARK.accent,
        QPalette.ColorRole.PlaceholderText: DARK.muted,
    }
    palette = QPalette()
    for role, color in roles.items():
        palette.setColor(role, QColor(color))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(DARK.muted))
    return palette


class ThemeWatcher(QObject):
    """Follows the OS colour scheme and tells the views when it changes.

    Args:
        parent: the owning QObject (the main window).

    Signals:
        changed(Theme): the OS switched between light and dark.
    """

    changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._theme = current_theme()
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.styleHints().colorSchemeChanged.connect(self._on_color_scheme_changed)

    @property
    def theme(self) -> Theme:
        """The theme in use."""
        return self._theme

    @Slot(Qt.ColorScheme)
    def _on_color_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication) and scheme != Qt.ColorScheme.Unknown:
            window = app.palette().color(QPalette.ColorRole.Window)
            wants_dark = scheme == Qt.ColorScheme.Dark
            if wants_dark != (window.lightnessF() < 0.5):
                # The style kept its palette: give it one that matches the OS.
                app.setPalette(dark_palette() if wants_dark else app.style().standardPalette())
        theme = current_theme()
        if theme != self._theme:
            self._theme = theme
            self.changed.emit(theme)
