"""``relplan report status|notes``: the weekly status report and a release's notes as files.

Wired into :mod:`relplan.cli` through ``COMMAND_MODULES``. The window's File > Status Report...
and the release editor's "Release notes" call the same core functions
(:func:`relplan.reports.status.status_report`, :func:`relplan.reports.notes.release_notes`).
"""

from __future__ import annotations

import argparse

from relplan.cli.common import EXIT_OK, AddCommand, out, parse_day, release_key, workspace_path
from relplan.errors import Issue, ValidationError

__all__ = ["cmd_report", "register"]

_NOTES_FORMATS = (".md", ".html")


def cmd_report(args: argparse.Namespace) -> int:
    """``relplan report status --out FILE`` or ``relplan report notes RELEASE --out FILE``."""
    from pathlib import Path

    from relplan.metrics.scope import today_in
    from relplan.reports.render import FORMATS, write_report
    from relplan.store.workspace import Workspace

    target = Path(args.out)
    if target.suffix.lower().lstrip(".") not in FORMATS:
        expected = ", ".join(f".{f}" for f in FORMATS)
        raise ValidationError(
            [Issue(args.out, f"cannot write a report as such a file: use {expected}")]
        )
    with Workspace.open(workspace_path(args), create=False) as ws:
        if args.what == "status":
            if args.release is not None:
                raise ValidationError(
                    [Issue(args.release, "report status takes no release: use --train or --team")]
                )
            from relplan.reports.status import status_report
            from relplan.reports.status_doc import status_document

            today = args.today if args.today is not None else today_in(ws.release_plan())
            report = status_report(
                ws, today=today, since=args.since, train=args.train, team=args.team
            )
            doc = status_document(report)
        else:
            if args.release is None:
                raise ValidationError([Issue("report notes", "name the release: report notes KEY")])
            if target.suffix.lower() not in _NOTES_FORMATS:
                raise ValidationError(
                    [Issue(args.out, "release notes are written as .md or .html")]
                )
            from relplan.reports.notes import notes_document, release_notes

            doc = notes_document(release_notes(ws, args.release))
    written = write_report(doc, target)
    extra = f" and {len(written) - 1} chart images beside it" if len(written) > 1 else ""
    out(f"Wrote {written[0]}{extra}")
    return EXIT_OK


def register(add: AddCommand) -> None:
    """Add ``report`` to the command line."""
    p = add(
        "report",
        cmd_report,
        "write the weekly release status (HTML, PDF, Markdown) or a release's notes "
        "(Markdown, HTML)",
        "relplan report status --out status.html --since 2026-11-27",
    )
    p.add_argument("what", choices=["status", "notes"], help="which report")
    p.add_argument("release", nargs="?", type=release_key, help="the release (notes only)")
    p.add_argument(
        "--out", required=True, metavar="FILE", help="the file: .html, .pdf or .md (by suffix)"
    )
    p.add_argument("--train", metavar="KEY", help="only this train's releases")
    p.add_argument("--team", metavar="KEY", help="only this team's releases")
    p.add_argument(
        "--since", type=parse_day, metavar="DATE", help="first day of 'what changed' (7 days ago)"
    )
    p.add_argument("--today", type=parse_day, metavar="DATE", help="the day of the report")
