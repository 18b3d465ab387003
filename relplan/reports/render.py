"""Write a :class:`~relplan.reports.document.Document` as HTML, Markdown or PDF.

- HTML: one self-contained file: styles inline, charts as PNG ``data:`` URIs, no script and
  nothing fetched, so it reads in a mail client and prints.
- Markdown: for wikis; charts are PNG files written beside it (``NAME.files/CHART.png``).
- PDF: the same blocks set in pages by matplotlib's PDF backend; each chart is a page of its own,
  drawn as vector graphics by the Dashboard's chart code.
"""

from __future__ import annotations

import base64
import html
import io
import os
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final

from relplan.errors import Issue, ValidationError
from relplan.reports.document import Bullets, Chart, Document, Heading, Paragraph, Table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "CSS", "FORMATS", "chart_pngs", "png_data_uri", "to_html", "to_markdown", "write_pdf",
    "write_report",
]  # fmt: skip

#: What ``--out`` may end with.
FORMATS: Final = ("html", "md", "pdf")
_PNG_DPI: Final = 96

#: The HTML's style sheet (the window's preview sets it on its document).
CSS: Final = """
body{font-family:Helvetica,Arial,sans-serif;color:#222;max-width:60em;margin:1.5em auto;
padding:0 1em;font-size:14px;line-height:1.4}
h1{font-size:1.6em;margin-bottom:0}h2{border-bottom:1px solid #ccc;margin-top:1.6em}
p.subtitle{color:#555;margin-top:.2em}p.note{color:#555;font-style:italic}
table{border-collapse:collapse;margin:.5em 0;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0}table.calendar td{min-width:6em;height:2.5em}
figure{margin:1em 0;page-break-inside:avoid}img{max-width:100%}
figcaption{color:#555;font-size:12px}
@media print{body{max-width:none;margin:0}h2{page-break-after:avoid}}
"""


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_PNG_DPI, metadata={"Software": None})
    return buffer.getvalue()


def _cell_html(text: str, links: dict[str, str]) -> str:
    body = "<br>".join(html.escape(line) for line in text.split("\n"))
    url = links.get(text)
    return f'<a href="{html.escape(url)}">{body}</a>' if url else body


def png_data_uri(png: bytes) -> str:
    """A PNG as a ``data:`` URI."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def chart_pngs(doc: Document) -> dict[str, bytes]:
    """Each chart of the document drawn as PNG, by name."""
    return {chart.name: _png(chart.build()) for chart in doc.charts()}


def to_html(doc: Document, images: Mapping[str, str] | None = None) -> str:
    """The document as one self-contained HTML page.

    Args:
        doc: The document.
        images: Per chart name, the image's ``src``; default: each chart drawn now, inline as a
            ``data:`` URI (the window's preview passes resource names instead).
    """
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(doc.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{e(doc.title)}</h1>",
        f'<p class="subtitle">{e(doc.subtitle)}</p>',
    ]
    section_open = False
    for block in doc.blocks:
        if isinstance(block, Heading):
            if block.level == 2:
                if section_open:
                    out.append("</section>")
                out.append(f'<section id="{e(block.anchor)}">' if block.anchor else "<section>")
                section_open = True
                out.append(f"<h2>{e(block.text)}</h2>")
            else:
                anchor = f' id="{e(block.anchor)}"' if block.anchor else ""
                out.append(f"<h{block.level}{anchor}>{e(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            out.append(
                f'<p class="note">{e(block.text)}</p>' if block.note else f"<p>{e(block.text)}</p>"
            )
        elif isinstance(block, Bullets):
            out.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in block.items) + "</ul>")
        elif isinstance(block, Table):
            cls = f' class="{e(block.kind)}"' if block.kind else ""
            head = "".join(f"<th>{e(h)}</th>" for h in block.headers)
            body = "".join(
                "<tr>" + "".join(f"<td>{_cell_html(c, block.links)}</td>" for c in row) + "</tr>"
                for row in block.rows
            )
            out.append(f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif isinstance(block, Chart):
            src = images[block.name] if images is not None else png_data_uri(_png(block.build()))
            out.append(
                f'<figure id="chart-{e(block.name)}"><img alt="{e(block.title)}" '
                f'src="{e(src)}"><figcaption>{e(block.title)}</figcaption></figure>'
            )
    if section_open:
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def to_markdown(doc: Document, image_dir: str | None = None) -> tuple[str, dict[str, Figure]]:
    """The document as Markdown and the charts it refers to.

    Args:
        doc: The document.
        image_dir: The folder (relative to the Markdown file) the chart images are written to;
            None: the charts are left out (their titles stay).

    Returns:
        The text and, per image path (relative), the chart's figure to write there.
    """
    out = [f"# {doc.title}", "", f"_{doc.subtitle}_", ""]
    images: dict[str, Figure] = {}
    for block in doc.blocks:
        if isinstance(block, Heading):
            out += ["#" * block.level + " " + block.text, ""]
        elif isinstance(block, Paragraph):
            out += [f"_{block.text}_" if block.note else block.text, ""]
        elif isinstance(block, Bullets):
            out += [f"- {i}" for i in block.items] + [""]
        elif isinstance(block, Table):
            out.append("| " + " | ".join(block.headers) + " |")
            out.append("|" + "---|" * len(block.headers))
            for row in block.rows:
                cells = []
                for c in row:
                    url = block.links.get(c)
                    cells.append(f"[{_md_cell(c)}]({url})" if url else _md_cell(c))
                out.append("| " + " | ".join(cells) + " |")
            out.append("")
        elif isinstance(block, Chart):
            if image_dir is None:
                out += [f"_Chart: {block.title}_", ""]
            else:
                path = f"{image_dir}/{block.name}.png"
                images[path] = block.build()
                out += [f"![{block.title}]({path})", ""]
    return "\n".join(out).rstrip("\n") + "\n", images


# -- PDF ----------------------------------------------------------------------------------------
_PAGE: Final = (8.27, 11.69)  # A4, inches
_MARGIN: Final = 0.6
_PT: Final = 1 / 72
_BODY: Final = 8.5
_CHARS: Final = 108  # a line of the body font (monospace) across the text width


def _wrap(lines: list[str], width: int) -> list[str]:
    return [part for line in lines for part in (textwrap.wrap(line, width) or [""])]


def _table_lines(table: Table) -> Iterator[tuple[str, str]]:
    """The table as monospace lines (``("th"|"td", line)``); columns too wide for the page are
    narrowed and their cells wrapped, so nothing is cut."""
    cols = len(table.headers)
    split = [[c.split("\n") for c in row] for row in table.rows]
    widths = [len(h) for h in table.headers]
    for row in split:
        for i, lines in enumerate(row):
            widths[i] = max(widths[i], *(len(x) for x in lines))
    budget = _CHARS - 2 * (cols - 1)
    while sum(widths) > budget:
        widest = max(range(cols), key=lambda i: widths[i])
        widths[widest] -= 1
    headers = [_wrap([h], w) for h, w in zip(table.headers, widths, strict=True)]
    for n in range(max(len(h) for h in headers)):
        cells = [h[n] if n < len(h) else "" for h in headers]
        yield "th", "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
    for row in split:
        wrapped = [_wrap(lines, w) for lines, w in zip(row, widths, strict=True)]
        for n in range(max(len(lines) for lines in wrapped)):
            cells = [lines[n] if n < len(lines) else "" for lines in wrapped]
            yield "td", "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()


def _pdf_lines(doc: Document) -> Iterator[tuple[str, str] | Chart]:
    yield "h1", doc.title
    yield "sub", doc.subtitle
    for block in doc.blocks:
        if isinstance(block, Heading):
            yield ("h2" if block.level == 2 else "h3"), block.text
        elif isinstance(block, Paragraph):
            for line in textwrap.wrap(block.text, _CHARS) or [""]:
                yield ("note" if block.note else "p"), line
        elif isinstance(block, Bullets):
            for item in block.items:
                for n, line in enumerate(textwrap.wrap(item, _CHARS - 2)):
                    yield "p", ("• " if n == 0 else "  ") + line
        elif isinstance(block, Table):
            yield from _table_lines(block)
            yield "gap", ""
        else:
            yield block


_STYLE: Final = {
    "h1": (16.0, "bold", "sans-serif", 2.0),
    "sub": (9.0, "normal", "sans-serif", 1.6),
    "h2": (12.0, "bold", "sans-serif", 2.2),
    "h3": (10.0, "bold", "sans-serif", 1.8),
    "p": (_BODY, "normal", "monospace", 1.4),
    "note": (_BODY, "normal", "monospace", 1.4),
    "th": (_BODY, "bold", "monospace", 1.4),
    "td": (_BODY, "normal", "monospace", 1.3),
    "gap": (_BODY, "normal", "monospace", 0.8),
}


def write_pdf(doc: Document, path: Path) -> None:
    """Set the document in A4 pages; each chart is a page of vector graphics."""
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    metadata = {"Title": doc.title, "Creator": "relplan", "CreationDate": None}
    with PdfPages(path, metadata=metadata) as pdf:
        page: Figure | None = None
        y = 0.0

        def new_page() -> Figure:
            nonlocal y
            y = _PAGE[1] - _MARGIN
            return Figure(figsize=_PAGE)

        for entry in _pdf_lines(doc):
            if isinstance(entry, Chart):
                if page is not None:
                    pdf.savefig(page)
                    page = None
                pdf.savefig(entry.build())
                continue
            kind, text = entry
            size, weight, family, lead = _STYLE[kind]
            step = size * lead * _PT
            if page is None or y - step < _MARGIN:
                if page is not None:
                    pdf.savefig(page)
                page = new_page()
            y -= step
            if text:
                page.text(
                    _MARGIN / _PAGE[0], y / _PAGE[1], text, fontsize=size, fontweight=weight,
                    family=family, style="italic" if kind == "note" else "normal",
                    color="#555555" if kind in ("sub", "note") else "#222222",
                )  # fmt: skip
        if page is not None:
            pdf.savefig(page)


def write_report(doc: Document, path: str | os.PathLike[str]) -> list[Path]:
    """Write the document in the format the file's suffix names.

    Returns:
        The files written: the report first, then (Markdown) its chart images.

    Raises:
        ValidationError: the suffix is not ``.html``, ``.md`` or ``.pdf``.
    """
    file = Path(path)
    kind = file.suffix.lstrip(".").lower()
    if kind not in FORMATS:
        expected = ", ".join(f".{f}" for f in FORMATS)
        raise ValidationError(
            [Issue(str(path), f"cannot write a report as {kind!r}: use {expected}")]
        )
    if kind == "html":
        file.write_text(to_html(doc), encoding="utf-8")
        return [file]
    if kind == "pdf":
        write_pdf(doc, file)
        return [file]
    folder = f"{file.stem}.files"
    text, images = to_markdown(doc, folder)
    written = [file]
    for rel, figure in images.items():
        target = file.parent / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(target, format="png", dpi=_PNG_DPI, metadata={"Software": None})
        written.append(target)
    file.write_text(text, encoding="utf-8")
    return written
