"""File > Status Report...: the weekly status previewed in the window, then saved or copied.

The status is gathered on the DB lane (:func:`relplan.reports.status.status_report`, the same
call as ``relplan report status``), worded and its charts drawn on the network lane; the GUI
thread only shows the result. The preview's images are resources of the text browser (decoded
off the GUI thread), so showing a report never parses megabytes of base64. Saving writes on the
network lane too. A result that arrives after a newer request is dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QMimeData, QTimer, QUrl, Slot
from PySide6.QtGui import QGuiApplication, QImage, QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from relplan.reports.document import Document
from relplan.ui.errors import present_error

if TYPE_CHECKING:
    from relplan.reports.status import StatusReport
    from relplan.store.workspace import Workspace
    from relplan.ui.session import WorkspaceSession

__all__ = ["Rendered", "StatusReportDialog", "render_preview"]

REPORT_FILTER = "HTML (*.html);;PDF (*.pdf);;Markdown (*.md)"
_ALL = ""
Clock = Callable[[], dt.date]


@dataclass(frozen=True)
class Rendered:
    """A report ready to show: its document, the page for mail (images inline), the preview's
    body in pieces of one section each (images by resource name) and the decoded images."""

    doc: Document
    html: str
    preview: list[str]
    images: dict[str, QImage]


def render_preview(report: StatusReport) -> Rendered:
    """Word the report and draw its charts (network lane: no widget is touched)."""
    from relplan.reports.render import chart_pngs, png_data_uri, to_html
    from relplan.reports.status_doc import status_document

    doc = status_document(report)
    pngs = chart_pngs(doc)
    inline = to_html(doc, {name: png_data_uri(png) for name, png in pngs.items()})
    page = to_html(doc, {name: f"chart:{name}" for name in pngs})
    body = page[page.index("<body>") + len("<body>") : page.rindex("</body>")]
    # Qt lays out rich-text tables slowly (~90 ms for a whole report): the preview inserts one
    # section per turn of the event loop, so no turn keeps the window busy for long.
    preview = re.split(r"(?=<section)", body)
    return Rendered(doc, inline, preview, {n: QImage.fromData(p) for n, p in pngs.items()})


def _gather(
    ws: Workspace, clock: Clock | None, since: dt.date, train: str | None, team: str | None
) -> tuple[StatusReport, list[str], list[str]]:
    from relplan.metrics.scope import today_in
    from relplan.reports.status import status_report

    plan = ws.release_plan()
    day = clock() if clock is not None else today_in(plan)
    report = status_report(ws, today=day, since=since, train=train, team=team)
    return report, sorted(t.key for t in plan.trains), sorted(t.key for t in plan.teams)


class StatusReportDialog(QDialog):
    """Preview the weekly status of the open workspace, then save it or copy it.

    Args:
        session: the open workspace.
        parent: the main window.
        clock: gives the report's day (None: today in the planning zone).
    """

    def __init__(
        self, session: WorkspaceSession, parent: QWidget | None = None, clock: Clock | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("status-report")
        self.setWindowTitle("Status Report")
        self.resize(960, 720)
        self._session = session
        self._clock = clock
        self._generation = 0
        self.rendered: Rendered | None = None

        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.train_box = QComboBox(self)
        self.team_box = QComboBox(self)
        for box in (self.train_box, self.team_box):
            box.addItem("All", _ALL)
        self.since_edit = QDateEdit(self)
        self.since_edit.setCalendarPopup(True)
        self.since_edit.setDisplayFormat("yyyy-MM-dd")
        start = (clock() if clock else dt.date.today()) - dt.timedelta(days=7)
        self.since_edit.setDate(QDate(start.year, start.month, start.day))
        self.refresh_button = QPushButton("&Refresh", self)
        self.refresh_button.clicked.connect(self.request)
        for label, widget in (
            ("&Train:", self.train_box), ("T&eam:", self.team_box), ("&Since:", self.since_edit),
        ):  # fmt: skip
            caption = QLabel(label, self)
            caption.setBuddy(widget)
            row.addWidget(caption)
            row.addWidget(widget)
        row.addWidget(self.refresh_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.status_label = QLabel("", self)
        self.status_label.setObjectName("status-report-state")
        layout.addWidget(self.status_label)
        self.preview = QTextBrowser(self)
        self.preview.setObjectName("status-report-preview")
        self.preview.setOpenExternalLinks(False)
        layout.addWidget(self.preview, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.save_button = self.buttons.addButton("&Save…", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button = self.buttons.addButton("&Copy", QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button.clicked.connect(self._on_save)
        self.copy_button.clicked.connect(self.copy)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._set_ready(False)

    def _set_ready(self, ready: bool) -> None:
        self.save_button.setEnabled(ready)
        self.copy_button.setEnabled(ready)

    @Slot()
    def request(self) -> None:
        """Gather the report again for the chosen train, team and day (never blocks)."""
        self._generation += 1
        generation = self._generation
        qd = self.since_edit.date()
        since = dt.date(qd.year(), qd.month(), qd.day())
        train = self.train_box.currentData() or None
        team = self.team_box.currentData() or None
        clock = self._clock
        self._set_ready(False)
        self.status_label.setText("Gathering the status…")

        def gathered(result: tuple[StatusReport, list[str], list[str]]) -> None:
            if generation != self._generation:
                return
            report, trains, teams = result
            self._fill(self.train_box, trains)
            self._fill(self.team_box, teams)
            self.status_label.setText("Drawing the charts…")
            self._session.runner.submit(
                lambda: render_preview(report),
                lane="net",
                on_done=lambda rendered: self._show(generation, rendered),
                on_error=self._failed,
            )

        self._session.read(
            lambda ws: _gather(ws, clock, since, train, team), gathered, self._failed
        )

    def _failed(self, exc: BaseException) -> None:
        self.status_label.setText("The report could not be made")
        present_error(self, exc)

    def _fill(self, box: QComboBox, keys: list[str]) -> None:
        current = box.currentData()
        if [box.itemData(i) for i in range(1, box.count())] == keys:
            return
        box.blockSignals(True)
        box.clear()
        box.addItem("All", _ALL)
        for key in keys:
            box.addItem(key, key)
        box.setCurrentIndex(max(box.findData(current), 0))
        box.blockSignals(False)

    def _show(self, generation: int, rendered: Rendered) -> None:
        if generation != self._generation:
            return
        from relplan.reports.render import CSS

        self.preview.clear()
        document = self.preview.document()
        document.setDefaultStyleSheet(CSS)
        for name, image in rendered.images.items():
            document.addResource(
                QTextDocument.ResourceType.ImageResource, QUrl(f"chart:{name}"), image
            )
        self._insert(generation, rendered, 0)

    def _insert(self, generation: int, rendered: Rendered, part: int) -> None:
        """Add the preview's section ``part``, then the next on the next turn of the loop."""
        if generation != self._generation:
            return
        cursor = self.preview.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        if part:
            cursor.insertBlock()  # else the section's heading joins the paragraph before it
        cursor.insertHtml(rendered.preview[part])
        if part + 1 < len(rendered.preview):
            QTimer.singleShot(0, lambda: self._insert(generation, rendered, part + 1))
            return
        self.preview.moveCursor(self.preview.textCursor().MoveOperation.Start)
        self.rendered = rendered
        self.status_label.setText(f"{rendered.doc.title} — {rendered.doc.subtitle}")
        self._set_ready(True)

    @Slot()
    def copy(self) -> None:
        """Put the report on the clipboard: as HTML (images inline) and as Markdown text."""
        if self.rendered is None:
            return
        from relplan.reports.render import to_markdown

        text, _ = to_markdown(self.rendered.doc)
        data = QMimeData()
        data.setHtml(self.rendered.html)
        data.setText(text)
        QGuiApplication.clipboard().setMimeData(data)
        self.status_label.setText("Copied the report (HTML and Markdown)")

    @Slot()
    def _on_save(self) -> None:
        if self.rendered is None:
            return
        path, chosen = QFileDialog.getSaveFileName(
            self, "Save status report", "status.html", REPORT_FILTER
        )
        if path:
            if Path(path).suffix.lower() not in (".html", ".pdf", ".md"):
                path += ".pdf" if "PDF" in chosen else ".md" if "Markdown" in chosen else ".html"
            self.save(path)

    def save(self, path: str) -> None:
        """Write the previewed report to ``path`` (by its suffix) on the network lane."""
        if self.rendered is None:
            return
        from relplan.reports.render import write_report

        doc = self.rendered.doc
        self.status_label.setText(f"Saving {Path(path).name}…")
        self._session.runner.submit(
            lambda: write_report(doc, path),
            lane="net",
            on_done=lambda files: self.status_label.setText(f"Saved {files[0]}"),
            on_error=self._failed,
        )
