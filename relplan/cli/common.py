"""Helpers every command module shares: exit codes, argument types, output, the workspace."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from relplan import config

if TYPE_CHECKING:
    from relplan.domain.model import Plan
    from relplan.planning.graph import PlanIndex
    from relplan.store.workspace import Workspace

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_FAILURE = 2

Handler = Callable[[argparse.Namespace], int]
#: ``add(name, handler, help, example)`` makes a sub-command's parser (see :func:`build_parser`).
AddCommand = Callable[[str, Handler, str, str], argparse.ArgumentParser]


def parse_day(text: str) -> dt.date:
    """An argparse type: a calendar day ``YYYY-MM-DD`` within the bounds every analysis handles."""
    from relplan.domain.bounds import day_problem, echo

    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{echo(text)} is not a date YYYY-MM-DD") from None
    problem = day_problem(day)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return day


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number within ``low..high``."""

    def parse(text: str) -> int:
        from relplan.domain.bounds import echo, int_problem

        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{echo(text)} is not a whole number") from None
        problem = int_problem(value, low, high)
        if problem is not None:
            raise argparse.ArgumentTypeError(problem)
        return value

    parse.__name__ = "whole number"
    return parse


def parse_depth(text: str) -> int | None:
    """An argparse type: a focus depth, ``1``, ``2`` or ``all`` (None)."""
    if text == "all":
        return None
    if text in ("1", "2"):
        return int(text)
    raise argparse.ArgumentTypeError(f"{text!r}: expected 1, 2 or all")


#: The prefixes of a reference to a release or a work item (``release:KEY``, ``item:KEY``).
RELEASE_PREFIX = "release:"
ITEM_PREFIX = "item:"


def release_key(text: str) -> str:
    """An argparse type: a release, as ``KEY`` or ``release:KEY``; gives the bare key.

    Every command that takes a release uses this type (a test over the whole command table
    checks it), so both spellings work everywhere.
    """
    key = text[len(RELEASE_PREFIX) :] if text.startswith(RELEASE_PREFIX) else text
    if text.startswith(ITEM_PREFIX):
        raise argparse.ArgumentTypeError(f"{text!r}: expected a release, KEY or release:KEY")
    if not key.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: expected a release key")
    return key


def node_ref(text: str) -> str:
    """An argparse type: a release or a work item; gives ``release:KEY`` or ``item:KEY``.

    ``item:KEY`` is a work item; ``release:KEY`` and a bare ``KEY`` are the release.
    """
    if text.startswith(ITEM_PREFIX):
        if not text[len(ITEM_PREFIX) :].strip():
            raise argparse.ArgumentTypeError(f"{text!r}: expected item:KEY")
        return text
    return RELEASE_PREFIX + release_key(text)


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """Give a (sub-)command ``--db PATH``, so that it may follow the command's name.

    On a sub-command the option leaves ``db`` alone unless it is given (SUPPRESS), so that
    ``relplan --db X check`` keeps X.
    """
    # argparse has no public way to ask which options a parser has.
    if "--db" in parser._option_string_actions:
        return
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="the workspace file (default: the last one opened)",
    )


def out(text: str) -> None:
    """Print a line (or lines) on standard output."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


#: The longest line :func:`err` prints; a message that long has echoed too much input.
MAX_MESSAGE = 1000


def terminal_width() -> int:
    """How wide a table for people may be: the terminal's width (COLUMNS), else 100."""
    return shutil.get_terminal_size((100, 24)).columns


def err(text: str) -> None:
    """Print ``relplan: TEXT`` on standard error, as one line of readable length.

    Messages echo user input through :func:`relplan.domain.bounds.echo` already; this is the last
    guard, so that no input can ever print control characters or a flood.
    """
    from relplan.domain.bounds import clip

    sys.stderr.write(f"relplan: {clip(text, MAX_MESSAGE)}\n")


def workspace_path(args: argparse.Namespace) -> Path:
    """The workspace a command works on: --db, else the last one opened, else the default."""
    if args.db:
        return Path(args.db).expanduser()
    last = config.load_settings().last_workspace
    return Path(last) if last else config.default_workspace()


@contextlib.contextmanager
def open_workspace(
    args: argparse.Namespace, *, create: bool = True, verify: bool = True
) -> Iterator[Workspace]:
    """Open the workspace a command works on (see :func:`workspace_path`), closed at the end.

    A command that only reads passes ``verify=False``: the damage check of the whole file
    (~0.1 s on a large workspace) then runs only before something is written into it.

    A workspace that the command itself created is removed again when the command fails (its
    writes are all-or-nothing, so it holds nothing): a first import of a bad file leaves no
    empty workspace behind for the next command to find.
    """
    from relplan.store.database import remove_workspace_files
    from relplan.store.workspace import Workspace

    path = workspace_path(args)
    new = create and not path.exists()
    ws = Workspace.open(path, create=create, verify=verify)
    try:
        with ws:
            yield ws
    except BaseException:
        if new:
            remove_workspace_files(path)
        raise


def today_of(args: argparse.Namespace) -> dt.date:
    """``--today`` when given, else the real date."""
    today: dt.date | None = getattr(args, "today", None)
    return today or dt.date.today()


def print_json(value: object) -> None:
    """Print one JSON object on standard output (indented by two spaces, as
    ``json.dumps(value, indent=2, ensure_ascii=False)`` would, but faster)."""
    from relplan.cli.json_text import dumps_indented

    out(dumps_indented(value))


def release_level(ws: Workspace) -> tuple[Plan, PlanIndex]:
    """The plan as release-level analyses need it: releases as objects, the release links (and
    cycles) from the workspace's analysis cache, item-level columns only when asked for, so a
    large workspace loads in a fraction of the time (see :mod:`relplan.planning.links`)."""
    from relplan.planning.links import release_index

    with ws.read_snapshot():
        plan = ws.release_plan()
        return plan, release_index(plan, ws)
