"""Command-line calendar, CSV and graph exports, ICS import and CalDAV publishing.

Exporters for ``relplan export FORMAT`` (``ics``, ``csv``, ``dot``, ``graphml``; see
``relplan.cli.EXPORTERS``) and the sub-commands ``import-ics`` and ``publish`` (:func:`register`).
``relplan import ics FILE --as freezes`` is routed here by :func:`route_import`.

Only the standard library is imported at module level: the command line imports this module to
build its parser, and must start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from relplan.cli.common import err, open_workspace, parse_day, release_level, today_of
from relplan.errors import Issue, ValidationError
from relplan.planning.wording import count, counts

if TYPE_CHECKING:
    from relplan.formats.export_filter import ExportFilter
    from relplan.store.workspace import Workspace

__all__ = [
    "add_import_ics_options",
    "cmd_publish",
    "export_csv",
    "export_dot",
    "export_graphml",
    "export_ics",
    "import_ics_handler",
    "register",
    "route_import",
]

_Handler = Callable[[argparse.Namespace], int]
_Add = Callable[[str, _Handler, str, str], argparse.ArgumentParser]


def _selection(args: argparse.Namespace, ws: Workspace) -> ExportFilter:
    """The export filter of ``--team``/``--train``/``--from``/``--to``; unknown keys are errors."""
    from relplan.formats.export_filter import ExportFilter
    from relplan.store.entities import TABLES

    teams = frozenset(getattr(args, "team", None) or ())
    train = getattr(args, "train", None)
    date_from = getattr(args, "date_from", None)
    date_to = getattr(args, "date_to", None)
    issues = []
    known = {t.key for t in ws.teams()}
    issues += [Issue("--team", f"no team {t!r} in the workspace") for t in sorted(teams - known)]
    if train is not None and train not in TABLES["train"].existing_keys(ws.conn):
        issues.append(Issue("--train", f"no train {train!r} in the workspace"))
    if date_from is not None and date_to is not None and date_to < date_from:
        issues.append(Issue("--to", f"{date_to} is before --from {date_from}"))
    if issues:
        raise ValidationError(issues)
    return ExportFilter(teams, train, date_from, date_to)


def _write(path: str, text: str) -> int:
    from relplan.formats.workspace_io import write_text_atomically

    write_text_atomically(path, text)
    return len(text.encode("utf-8"))


# --- exporters (relplan export FORMAT) ---------------------------------------------------------


def export_ics(args: argparse.Namespace, ws: Workspace) -> str:
    """``relplan export ics --out FILE [filters]``: the iCalendar file."""
    from relplan.formats.ics import export_calendar

    size, kinds = export_calendar(
        ws, args.out, today=today_of(args), selection=_selection(args, ws)
    )
    parts = counts(sorted(kinds.items()))
    total = count(sum(kinds.values()), "event")
    return f"wrote {args.out} ({size:,} bytes): {total} ({parts or 'none'})"


def export_csv(args: argparse.Namespace, ws: Workspace) -> str:
    """``relplan export csv --out FILE [--items] [--raw] [filters]``: releases (or work items) as
    CSV; cells that start like a formula get a leading ``'`` unless ``--raw``."""
    from relplan.formats.csv_export import (
        items_csv,
        releases_csv,
        selected_items,
        selected_releases,
    )
    from relplan.formats.ics import read_source_urls

    selection = _selection(args, ws)
    plan = ws.plan()
    urls = read_source_urls(ws.conn)
    raw = bool(getattr(args, "raw", False))
    if getattr(args, "items", False):
        text = items_csv(plan, selection=selection, urls=urls, raw=raw)
        rows, what = len(selected_items(plan, selection)), "work item"
    else:
        text = releases_csv(plan, selection=selection, urls=urls, raw=raw)
        rows, what = len(selected_releases(plan, selection)), "release"
    size = _write(args.out, text)
    return f"wrote {args.out} ({size:,} bytes): {count(rows, what)}"


def export_dot(args: argparse.Namespace, ws: Workspace) -> str:
    """``relplan export dot --out FILE [--items] [filters]``: the dependency graph for Graphviz."""
    from relplan.formats.graph_export import to_dot

    graph = _graph(args, ws)
    colors = {t.key: t.color for t in ws.teams() if t.color}
    size = _write(args.out, to_dot(graph, name=ws.path.stem, colors=colors))
    return f"wrote {args.out} ({size:,} bytes): {_graph_size(graph)}"


def export_graphml(args: argparse.Namespace, ws: Workspace) -> str:
    """``relplan export graphml --out FILE [--items] [filters]``: the dependency graph."""
    from typing import TextIO, cast

    from relplan.formats.graphml_writer import write_graph_records
    from relplan.formats.workspace_io import open_output

    graph = _graph(args, ws, records=True)
    with open_output(args.out) as out:
        write_graph_records(graph, cast(TextIO, out))
    size = Path(args.out).stat().st_size
    return f"wrote {args.out} ({size:,} bytes): {_graph_size(graph)}"


def _graph(args: argparse.Namespace, ws: Workspace, *, records: bool = False) -> Any:
    """The graph of ``export dot|graphml``: releases and the release edges from the workspace's
    compact columns; with ``--items``, the work items a dependency names too (not all). With
    ``records``, as :class:`~relplan.formats.graph_export.GraphRecords` (no networkx graph)."""
    from relplan.formats.graph_export import graph_records
    from relplan.formats.graph_links import graph_links, schedule_marks

    items = bool(getattr(args, "items", False))
    selection = _selection(args, ws)
    with ws.read_snapshot():  # the releases and the cached links of one state
        plan, index = release_level(ws)
        # The items a dependency names, as columns: no WorkItem objects.
        rows = ws.linked_item_rows() if items else None
        # The release dependencies and implied edges from the analysis cache when current.
        links = graph_links(index, ws)
        marks = schedule_marks(index, ws)  # the float and critical path, cached too
        if items:
            index.dependencies  # noqa: B018 - read in this snapshot, not after it
    graph = graph_records(
        plan,
        selection=selection,
        items=items,
        index=index,
        links=links,
        item_rows=rows,
        marks=marks,
    )
    return graph if records else graph.to_networkx()


def _graph_size(graph: Any) -> str:
    nodes, edges = graph.number_of_nodes(), graph.number_of_edges()
    return f"{count(nodes, 'node')}, {count(edges, 'edge')}"


# --- relplan import ics FILE --as freezes ------------------------------------------------------


def add_import_ics_options(parser: argparse.ArgumentParser) -> None:
    """The options of an ICS import: ``--as``, ``--environment``, ``--strict``, ``--team``."""
    parser.add_argument(
        "--as",
        dest="as_kind",
        choices=["freezes"],
        default=None,
        help="ics: what the events become (freezes: all-day events become freeze windows)",
    )
    parser.add_argument(
        "--environment",
        dest="ics_environments",
        action="append",
        default=[],
        metavar="NAME",
        help="ics: the freezes cover only this environment (repeatable; default: all)",
    )
    parser.add_argument(
        "--strict",
        dest="ics_strict",
        action="store_true",
        help="ics: refuse the file (import nothing) when an event cannot become a freeze "
        "(timed, or with RDATE/EXDATE/RECURRENCE-ID); by default such events are skipped, "
        "each named on standard error",
    )
    parser.add_argument(
        "--team",
        dest="ics_teams",
        action="append",
        default=[],
        metavar="KEY",
        help="ics: the freezes cover only this team (repeatable; default: all)",
    )


def import_ics_handler(args: argparse.Namespace) -> int:
    """``relplan import ics FILE --as freezes``: all-day events become freezes (one undoable
    change; all or nothing).

    Args:
        args: ``file`` (the ``.ics`` path), ``as_kind`` (``freezes``; None means the same),
            ``ics_environments``/``ics_teams`` (optional scopes) and ``db``.

    Returns:
        The exit status.
    """
    from relplan.formats.ics_import import import_freezes

    if getattr(args, "as_kind", None) not in (None, "freezes"):
        raise ValidationError([Issue("--as", f"cannot import events as {args.as_kind!r}")])
    with open_workspace(args) as ws:
        result = import_freezes(
            ws,
            args.file,
            environments=getattr(args, "ics_environments", None) or (),
            teams=getattr(args, "ics_teams", None) or (),
            strict=bool(getattr(args, "ics_strict", False)),
        )
        where = ws.path
    for issue in result.left_out:
        err(f"warning: {args.file}: {issue}: skipped")
    notes = []
    if result.unchanged:
        notes.append(f"{result.unchanged} already there")
    if result.skipped:
        notes.append(f"{result.skipped} cancelled, skipped")
    if result.left_out:
        notes.append(f"{len(result.left_out)} not all-day or not a plain series, skipped")
    extra = f" ({'; '.join(notes)})" if notes else ""
    if not result.freezes:
        sys.stdout.write(f"{args.file}: no new freezes for {where}{extra}\n")
    else:
        sys.stdout.write(
            f"imported {count(len(result.freezes), 'freeze')} from {args.file} into {where}{extra} "
            "(undo with 'relplan undo')\n"
        )
    return 0


def route_import(args: argparse.Namespace) -> int | None:
    """Serve ``relplan import ics FILE ...``, or make ``args.file`` the one JSON path.

    ``relplan import`` takes ``file`` with ``nargs="+"``: ``["q4.json"]`` is a workspace
    import (the caller carries on with ``args.file == "q4.json"``); ``["ics", "h.ics"]`` is
    an iCalendar import, run here.

    Args:
        args: The parsed ``import`` arguments.

    Returns:
        The exit status of an ICS import; None when the caller should import JSON.

    Raises:
        ValidationError: the words make neither form.
    """
    words = [args.file] if isinstance(args.file, str) else list(args.file)
    if len(words) == 2 and words[0].lower() == "ics":
        if getattr(args, "replace", False):
            raise ValidationError([Issue("--replace", "applies to workspace JSON files only")])
        args.file = words[1]
        return import_ics_handler(args)
    if len(words) != 1:
        raise ValidationError([Issue("import", "expected FILE.json, or: ics FILE --as freezes")])
    if (
        getattr(args, "as_kind", None)
        or getattr(args, "ics_environments", None)
        or getattr(args, "ics_teams", None)
        or getattr(args, "ics_strict", False)
    ):
        raise ValidationError(
            [Issue("import", "--as, --environment, --strict and --team apply to ics")]
        )
    args.file = words[0]
    return None


# --- relplan publish caldav ----------------------------------------------------------------------


def cmd_publish(args: argparse.Namespace) -> int:
    """``relplan publish caldav --url URL --calendar NAME [--user U] [--password-stdin]``.

    The password comes from the keyring (``relplan``, ``caldav:{url}:{user}``); with
    ``--password-stdin`` it is read from standard input and stored once the server accepted it.
    """
    from relplan.formats.ics import workspace_calendar
    from relplan.publish.caldav_store import (
        CaldavCalendar,
        check_url,
        password_for,
        store_password,
    )
    from relplan.publish.publisher import publish_events, split_events

    check_url(args.url)  # before the password is read or anything is sent
    user: str | None = args.user
    password: str | None = None
    if args.password_stdin:
        if not user:
            raise ValidationError([Issue("--password-stdin", "needs --user")])
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise ValidationError([Issue("--password-stdin", "standard input held no password")])
    elif user:
        password = password_for(args.url, user)
    with open_workspace(args, create=False) as ws:
        calendar = workspace_calendar(
            ws, today=today_of(args), selection=_selection(args, ws), name=args.calendar
        )
    store = CaldavCalendar.connect(args.url, args.calendar, user=user, password=password)
    report = publish_events(split_events(calendar), store)
    if args.password_stdin and user and password:
        store_password(args.url, user, password)
    sys.stdout.write(f"published {args.calendar!r} to {args.url}: {report.summary()}\n")
    return 0


def register(add: _Add) -> None:
    """Add ``import-ics`` and ``publish`` to the command line (see ``relplan.cli``)."""
    p = add(
        "import-ics",
        import_ics_handler,
        "add the all-day events of an iCalendar file as freezes (one undoable change, "
        "all or nothing); the same as 'relplan import ics FILE --as freezes'",
        "relplan import-ics holidays.ics --as freezes --environment Production",
    )
    p.add_argument("file", metavar="FILE", help="the .ics file")
    add_import_ics_options(p)

    p = add(
        "publish",
        cmd_publish,
        "put the release calendar on a CalDAV server: events are created, updated in place "
        "and removed; publishing again without changes changes nothing",
        "printf '%s\\n' \"$PW\" | relplan publish caldav --url https://dav.example.com/ "
        "--calendar Releases --user me --password-stdin",
    )
    p.add_argument("target", choices=["caldav"], help="the kind of server")
    p.add_argument("--url", required=True, help="the server's CalDAV URL")
    p.add_argument("--calendar", required=True, metavar="NAME", help="the calendar (created)")
    p.add_argument("--user", help="the user name (default: no authentication)")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input and keep it in the OS keyring",
    )
    p.add_argument(
        "--team", action="append", metavar="KEY", help="only this team (repeatable)", default=[]
    )
    p.add_argument("--train", metavar="KEY", help="only this train")
    p.add_argument("--from", dest="date_from", type=parse_day, metavar="DATE", help="from this day")
    p.add_argument("--to", dest="date_to", type=parse_day, metavar="DATE", help="to this day")
    p.add_argument("--today", type=parse_day, default=None, help="the day problems are judged on")
