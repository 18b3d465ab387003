"""The command line: ``relplan [--db PATH | --demo] [COMMAND ...]``.

Without a command it opens the window. Every command works on the same core as the window.
Exit status: 0 success, 1 a check found errors, 2 bad input or a failure (the message says what).
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from relplan import __version__, crash
from relplan.domain.bounds import MAX_LAG_DAYS
from relplan.errors import Issue, RelplanError, ValidationError

if TYPE_CHECKING:
    from relplan.store.workspace import Workspace

from relplan.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_PROBLEMS,
    Handler,
    add_db_option,
    bounded_int,
    err,
    node_ref,
    open_workspace,
    out,
    parse_day,
    parse_depth,
    print_json,
    release_key,
    release_level,
    terminal_width,
    today_of,
)
from relplan.cli.metrics import CHART_NAMES, parse_chart
from relplan.planning.wording import count, counts

log = logging.getLogger(__name__)

#: Exit status after Ctrl+C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130


# -- commands ----------------------------------------------------------------------------------
def cmd_import(args: argparse.Namespace) -> int:
    """``relplan import FILE.json [--replace]`` or ``relplan import ics FILE --as freezes``."""
    from relplan.cli.calendar import route_import
    from relplan.formats.workspace_io import import_file

    routed = route_import(args)  # serves `import ics FILE`; else leaves args.file = FILE.json
    if routed is not None:
        return routed

    with open_workspace(args) as ws:
        changes = import_file(ws, args.file, replace=args.replace)
        if changes.empty:
            out(f"{args.file}: nothing to change in {ws.path}")
        else:
            summary = counts((e, len(k)) for e, k in sorted(changes.touched.items()))
            out(f"imported {args.file} into {ws.path}: {summary} (undo with 'relplan undo')")
    return EXIT_OK


def export_json(args: argparse.Namespace, ws: Workspace) -> str:
    """``relplan export json --out FILE``: the workspace JSON (filters do not apply)."""
    from relplan.formats.workspace_io import export_file

    size = export_file(ws, args.out)
    return f"wrote {args.out} ({size:,} bytes)"


Exporter = Callable[[argparse.Namespace, "Workspace"], str]

#: ``relplan export FORMAT``: each format's writer as "module:function". A writer gets the parsed
#: arguments (``--out`` and the filters) and the open workspace, writes the file and returns the
#: line to print.
EXPORTERS: dict[str, str] = {
    "json": "relplan.cli.commands:export_json",
    "ics": "relplan.cli.calendar:export_ics",
    "csv": "relplan.cli.calendar:export_csv",
    "dot": "relplan.cli.calendar:export_dot",
    "graphml": "relplan.cli.calendar:export_graphml",
    "png": "relplan.cli.commands:export_picture",
    "svg": "relplan.cli.commands:export_picture",
    "pdf": "relplan.cli.commands:export_picture",
}

#: The exports that write nothing into the workspace (the analysis cache checks before it stores)
#: and read only the plan: they open it without the damage check. Not ics: it reads the audit log
#: for event revisions, where a damaged page should be named as damage, as the check names it.
READING_EXPORTS: frozenset[str] = frozenset({"json", "csv", "dot", "graphml"})


#: What ``--view`` accepts (the window's views; relplan.ui.export_views.VIEWS draws them).
VIEW_NAMES: tuple[str, ...] = ("calendar", "timeline", "graph")


def export_picture(args: argparse.Namespace, ws: Workspace) -> str:
    """``relplan export png|svg|pdf``: a view (``--view``) or a chart (``--chart``)."""
    if args.view and args.chart:
        raise ValidationError([Issue("", "give --view or --chart, not both")])
    if args.view:
        module_name, function = "relplan.ui.export_views", "export_view"
    elif args.chart:
        module_name, function = "relplan.cli.metrics", f"export_{args.format}"
    else:
        raise ValidationError(
            [
                Issue(
                    "",
                    f"export {args.format} needs --view {'|'.join(VIEW_NAMES)} or "
                    f"--chart {'|'.join(CHART_NAMES)}",
                )
            ]
        )
    exporter: Exporter = getattr(importlib.import_module(module_name), function)
    return exporter(args, ws)


#: Modules that add sub-commands: each has ``register(add: AddCommand) -> None``.
COMMAND_MODULES: tuple[str, ...] = (
    "relplan.cli.calendar",
    "relplan.cli.sync",
    "relplan.cli.metrics",
    "relplan.cli.lifecycle",
    "relplan.cli.push",
    "relplan.cli.report",
    "relplan.cli.planning_extra",
    "relplan.cli.trace",
)


def cmd_export(args: argparse.Namespace) -> int:
    """``relplan export FORMAT --out FILE [filters]``."""
    from relplan.formats.workspace_io import check_output_folder

    module_name, function = EXPORTERS[args.format].split(":")
    exporter: Exporter = getattr(importlib.import_module(module_name), function)
    check_output_folder(args.out)  # before any work, and for every format alike
    # An export that only reads skips the damage check on open, as check and schedule do.
    verify = args.format not in READING_EXPORTS
    with open_workspace(args, create=False, verify=verify) as ws:
        out(exporter(args, ws))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    """``relplan demo --out FILE.json [--scale small|large] [--seed N] [--today D]``."""
    from relplan.demo import DEMO_SEED, generate
    from relplan.formats.workspace_io import write_text_atomically

    # The same function and defaults as the window's demo (relplan --demo).
    seed = DEMO_SEED if args.seed is None else args.seed
    document = generate(args.scale, seed=seed, today=args.today)
    write_text_atomically(args.out, json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    sizes = {e: len(document.get(f"{e}s", [])) for e in ("release", "work_item", "dependency")}
    out(f"wrote {args.out}: {counts(sizes)}")
    return EXIT_OK


def _replay(args: argparse.Namespace, *, undo: bool) -> int:
    with open_workspace(args, create=False) as ws:
        changes = ws.undo(args.id) if undo else ws.redo(args.id)
    out(f"{'undid' if undo else 'redid'} '{changes.label}' ({count(changes.count(), 'object')})")
    return EXIT_OK


def cmd_undo(args: argparse.Namespace) -> int:
    """``relplan undo``."""
    return _replay(args, undo=True)


def cmd_redo(args: argparse.Namespace) -> int:
    """``relplan redo``."""
    return _replay(args, undo=False)


def cmd_history(args: argparse.Namespace) -> int:
    """``relplan history``: the latest commands of the audit log, with where each was made."""
    with open_workspace(args, create=False) as ws:
        rows = ws.history(args.limit)
        here = ws.origin
    if args.json:
        out(json.dumps({"origin": here, "commands": rows}, indent=2))
        return EXIT_OK
    for row in rows:
        mark = "*" if row["origin"] == here else " "
        out(
            f"{row['id']:>5}{mark} {row['at']}  {row['who']:<12} {row['state']:<9} "
            f"{row['label']}  [{row['origin']}]"
        )
    if rows:
        out(f"(* made from here: {here}; undo another change with 'relplan undo --id N')")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """``relplan check [--json] [--today D]``: exit 1 when any error exists."""
    from relplan.planning.check import ERROR, check_plan
    from relplan.planning.report import format_problems

    with open_workspace(args, create=False, verify=False) as ws:
        plan, index = release_level(ws)
    problems = check_plan(plan, today=today_of(args), index=index)
    if args.json:
        print_json({"problems": [p.to_json() for p in problems]})
    else:
        out(format_problems(problems, width=terminal_width()))
    return EXIT_PROBLEMS if any(p.severity == ERROR for p in problems) else EXIT_OK


def cmd_schedule(args: argparse.Namespace) -> int:
    """``relplan schedule [--json] [--train KEY]``."""
    from relplan.planning.report import format_schedule
    from relplan.planning.schedule import schedule_plan

    with open_workspace(args, create=False, verify=False) as ws:
        plan, index = release_level(ws)
    schedule = schedule_plan(plan, train=args.train, index=index)
    if args.json:
        print_json(schedule.to_json())
    else:
        out(format_schedule(schedule))
    return EXIT_OK


def cmd_impact(args: argparse.Namespace) -> int:
    """``relplan impact RELEASE --slip DAYS [--json] [--apply]``."""
    from relplan.edits.releases import apply_slip
    from relplan.planning.impact import impact_of_slip
    from relplan.planning.report import format_impact

    with open_workspace(args, create=False, verify=args.apply) as ws:
        if args.apply:
            impact, changes = apply_slip(ws, args.release, args.slip, today=today_of(args))
        else:
            plan, index = release_level(ws)
            impact = impact_of_slip(
                plan, args.release, args.slip, today=today_of(args), index=index
            )
    if args.json:
        print_json(impact.to_json())
    else:
        out(format_impact(impact))
    if args.apply:
        moved = count(changes.count(), "release")
        message = f"applied: {moved} moved (undo with 'relplan undo')"
        # With --json, standard output holds exactly one JSON object.
        (sys.stderr.write if args.json else sys.stdout.write)(message + "\n")
    return EXIT_OK


def cmd_dependency(args: argparse.Namespace) -> int:
    """``relplan dependency add|remove|list``."""
    from relplan.domain.model import Dependency
    from relplan.edits.dependencies import add_dependency, remove_dependency

    with open_workspace(args, create=False) as ws:
        if args.action == "list":
            rows = [d for d in ws.plan().dependencies if args.ref is None or args.ref in d.pair]
            if args.json:
                from relplan.domain.codec import encode_dependency

                print_json({"dependencies": [encode_dependency(d) for d in rows]})
            else:
                for d in rows:
                    out(f"{d.from_ref} -> {d.to_ref}  {d.type} {d.lag_days:+d}")
            return EXIT_OK
        if args.to_ref is None:
            raise ValidationError([Issue("", f"'dependency {args.action}' needs FROM and TO")])
        if args.action == "add":
            dep = Dependency(args.ref, args.to_ref, args.type, args.lag)
            changes = add_dependency(ws, dep)
        else:
            changes = remove_dependency(ws, args.ref, args.to_ref)
    out(f"{changes.label} (undo with 'relplan undo')" if not changes.empty else "no change")
    return EXIT_OK


# -- parser ------------------------------------------------------------------------------------
EPILOG = """examples:
  relplan --demo                          open the window on a fresh demo workspace
  relplan --db plan.relplan import q4.json
  relplan export json --out backup.json
  relplan demo --out demo.json --scale large --seed 7
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="relplan",
        description="Release planning for release managers. Without a command, opens the window.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"relplan {__version__}")
    parser.add_argument("--db", metavar="PATH", help="the workspace file (default: the last one)")
    parser.add_argument(
        "--demo", action="store_true", help="open the window on a freshly generated demo workspace"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, handler: Handler, help_text: str, example: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(handler=handler)
        return p

    p = add(
        "import",
        cmd_import,
        "import a relplan-workspace JSON file, or an iCalendar file's all-day events as "
        "freezes (all or nothing)",
        "relplan --db plan.relplan import q4.json\n  relplan import ics holidays.ics --as freezes",
    )
    p.usage = (
        "%(prog)s [-h] FILE.json [--replace]\n"
        "       %(prog)s [-h] ics FILE.ics --as freezes [--environment NAME] [--team KEY]"
    )
    p.add_argument(
        "file", nargs="+", metavar="[ics] FILE", help="the JSON file, or 'ics' and an .ics file"
    )
    p.add_argument(
        "--replace", action="store_true", help="make the workspace hold exactly the file's plan"
    )
    from relplan.cli.calendar import add_import_ics_options

    add_import_ics_options(p)

    p = add("export", cmd_export, "export the workspace", "relplan export json --out backup.json")
    p.add_argument("format", choices=sorted(EXPORTERS), help="what to write")
    p.add_argument("--out", required=True, metavar="FILE", help="where to write it")
    p.add_argument(
        "--team", action="append", metavar="KEY", help="only this team (repeatable)", default=[]
    )
    p.add_argument("--train", metavar="KEY", help="only this train")
    p.add_argument("--from", dest="date_from", type=parse_day, metavar="DATE", help="from this day")
    p.add_argument("--to", dest="date_to", type=parse_day, metavar="DATE", help="to this day")
    p.add_argument("--today", type=parse_day, default=None, help="the day to judge against")
    p.add_argument(
        "--chart",
        type=parse_chart,
        metavar="NAME",
        help=f"png/svg/pdf: which chart, one of {', '.join(CHART_NAMES)} "
        "(burnup:RELEASE for one release's burn-up)",
    )
    p.add_argument(
        "--view",
        choices=VIEW_NAMES,
        metavar="NAME",
        help=f"png/svg/pdf: which view, one of {', '.join(VIEW_NAMES)}",
    )
    p.add_argument(
        "--items",
        action="store_true",
        help="csv: work items instead of releases; dot/graphml: add the work items that take "
        "part in a dependency, and their edges",
    )
    p.add_argument(
        "--raw",
        action="store_true",
        help="csv: keep cells that start with = + - @ as they are (by default they get a "
        "leading ' so spreadsheets do not run them as formulas)",
    )
    p.add_argument(
        "--focus",
        type=release_key,
        metavar="RELEASE",
        help="--view graph: only this release's neighbourhood (KEY or release:KEY)",
    )
    p.add_argument(
        "--depth",
        default=2,
        type=parse_depth,
        metavar="1|2|all",
        help="--view graph --focus: how many steps up and down (default 2)",
    )

    p = add(
        "demo",
        cmd_demo,
        "write a realistic demo portfolio as workspace JSON",
        "relplan demo --out demo.json --scale small --seed 1",
    )
    p.add_argument("--out", required=True, metavar="FILE", help="where to write it")
    p.add_argument("--scale", choices=["small", "large"], default="small")
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        help="same seed and day, same portfolio (default: the seed of 'relplan --demo')",
    )
    p.add_argument("--today", type=parse_day, default=None, help="the day the plan is built around")

    p = add(
        "check",
        cmd_check,
        "list every problem in the plan (exit status 1 when there are errors)",
        "relplan check --today 2026-11-27",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--today", type=parse_day, default=None, help="the day to judge gates against")

    p = add(
        "schedule",
        cmd_schedule,
        "forecast dates, float and the critical path",
        "relplan schedule --train Q4-TRAIN",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--train", metavar="KEY", help="only this train's releases and their ancestors")

    p = add(
        "impact",
        cmd_impact,
        "what moves if a release slips",
        "relplan impact PAY-2026.12 --slip 5",
    )
    p.add_argument("release", type=release_key, help="the release that slips (KEY or release:KEY)")
    p.add_argument(
        "--slip",
        type=bounded_int(-MAX_LAG_DAYS, MAX_LAG_DAYS),
        required=True,
        metavar="DAYS",
        help="days (negative: earlier)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--today", type=parse_day, default=None, help="the day to judge gates against")
    p.add_argument(
        "--apply", action="store_true", help="write the moved dates (one undoable change)"
    )

    p = add(
        "dependency",
        cmd_dependency,
        "add, change, remove or list dependencies (a cycle is refused before anything is written)",
        "relplan dependency add release:PAY-2026.12 release:WEB-2026.12 --type FS --lag 2",
    )
    p.add_argument("action", choices=["add", "remove", "list"])
    p.add_argument(
        "ref",
        nargs="?",
        type=node_ref,
        metavar="FROM",
        help="the prerequisite, a release (KEY or release:KEY) or item:KEY (list: filter)",
    )
    p.add_argument("to_ref", nargs="?", type=node_ref, metavar="TO", help="the dependent")
    p.add_argument("--type", choices=["FS", "SS", "FF", "SF"], default="FS")
    p.add_argument(
        "--lag",
        type=bounded_int(-MAX_LAG_DAYS, MAX_LAG_DAYS),
        default=0,
        metavar="DAYS",
        help="lag in calendar days",
    )
    p.add_argument("--json", action="store_true", help="list: print JSON")

    for name, handler, summary, example in (
        ("undo", cmd_undo, "undo the latest change made from this terminal", "relplan undo"),
        ("redo", cmd_redo, "redo the change undone last from this terminal", "relplan redo"),
    ):
        p = add(name, handler, summary, example)
        p.add_argument(
            "--id",
            type=int,
            metavar="N",
            help=f"{name} change N of 'relplan history', whoever made it",
        )
    p = add("history", cmd_history, "list the latest changes (the audit log)", "relplan history")
    p.add_argument("--limit", type=bounded_int(1, 100_000), default=20)
    p.add_argument("--json", action="store_true", help="print JSON")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(add)
    # Every command takes --db after its name too (relplan check --db X), whoever added it.
    for command in sub.choices.values():
        add_db_option(command)
    return parser


def _workspace_shorthand(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> list[str]:
    """``relplan PATH`` means ``relplan --db PATH``: how a file manager opens a workspace.

    The desktop entry runs ``relplan %f``. A first argument that is no command but names a
    ``.relplan`` file, or any existing file, opens that workspace in the window.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0].startswith("-"):
        return args
    commands = {
        name
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for name in action.choices
    }
    first = args[0]
    if first in commands:
        return args
    if first.endswith(".relplan") or Path(first).is_file():
        return ["--db", first, *args[1:]]
    return args


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status.

    Every failure ends as one line on standard error: what and where for bad input and failing
    files or disks, and for a bug the path of a crash report (never a traceback).
    """
    parser = build_parser()
    args = parser.parse_args(_workspace_shorthand(parser, argv))
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    handler: Handler | None = getattr(args, "handler", None)
    command = str(getattr(args, "command", "") or "window")
    try:
        if handler is None:
            try:
                from relplan.app import main as gui_main
            except ImportError as exc:  # Qt's own libraries need system ones (libEGL, libGL, ...)
                err(f"cannot open the window: {exc} (see the README's first-run section)")
                return EXIT_FAILURE
            return gui_main(args)
        return handler(args)
    except ValidationError as exc:
        for line in exc.lines():
            err(line)
        return EXIT_FAILURE
    except RelplanError as exc:
        err(str(exc))
        return EXIT_FAILURE
    except KeyboardInterrupt:
        err("interrupted")
        return EXIT_INTERRUPTED
    except (OSError, sqlite3.Error, MemoryError) as exc:
        err(crash.describe_failure(exc) or str(exc))
        return EXIT_FAILURE
    except RecursionError as exc:
        err(f"the input is nested too deeply to handle ({crash.crash_line(exc, command=command)})")
        return EXIT_FAILURE
    except Exception as exc:  # the last resort: one line and a report, never a traceback
        err(crash.crash_line(exc, command=command))
        return EXIT_FAILURE


def main() -> None:
    """The ``relplan`` console script."""
    sys.exit(run())
