"""A report as a list of blocks every renderer walks the same way: headings, paragraphs, bullet
lists, tables and charts. HTML, Markdown and PDF therefore say the same things in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Block", "Bullets", "Chart", "Document", "Heading", "Paragraph", "Table"]


@dataclass(frozen=True, slots=True)
class Heading:
    """A section title; ``level`` 2 for sections, 3 for sub-sections. ``anchor`` is the section's
    id (HTML) and stays the same whatever the wording."""

    text: str
    level: int = 2
    anchor: str = ""


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A line or more of text; ``note`` marks a plain "nothing here" or data-quality note."""

    text: str
    note: bool = False


@dataclass(frozen=True, slots=True)
class Bullets:
    """A bullet list."""

    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A table; a cell may hold several lines (``\\n``). ``links`` maps a cell's text to a URL
    (renderers that can, link it)."""

    headers: tuple[str, ...]
    rows: Sequence[Sequence[str]]
    kind: str = ""
    links: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart, drawn by ``build`` (the Dashboard's chart code) when a renderer needs it.

    ``name`` is the file stem of the image Markdown writes beside the report.
    """

    name: str
    title: str
    build: Callable[[], Figure]


Block = Heading | Paragraph | Bullets | Table | Chart


@dataclass(frozen=True, slots=True)
class Document:
    """A whole report: a title, a line under it, and its blocks in order."""

    title: str
    subtitle: str
    blocks: tuple[Block, ...]

    def charts(self) -> list[Chart]:
        """The charts, in order."""
        return [b for b in self.blocks if isinstance(b, Chart)]
