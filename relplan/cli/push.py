"""``relplan push [NAME ...] [--dry-run]`` and ``relplan connection set NAME --push on|off``.

Both call :mod:`relplan.sync.push`, the same code the window's Push Changes… uses.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from relplan.cli.common import open_workspace, out
from relplan.errors import Issue, SyncError, ValidationError

if TYPE_CHECKING:
    from relplan.cli.common import AddCommand
    from relplan.store.workspace import Workspace

#: One line per failure kind; the message never carries a token (SyncError texts do not either).
_HINTS = {
    401: "credentials rejected (401): update the token with 'relplan connection add'",
    403: "permission denied (403): the account may not edit these objects",
    404: "not found (404): the object is gone or not visible to the account",
    409: "conflicting update at the source (409): pull, then push again",
    412: "the object changed at the source (412): pull, then push again",
    429: "rate limited (429): try again later",
}


def failure_line(name: str, exc: SyncError) -> str:
    """The one-line message for a failed push."""
    hint = _HINTS.get(exc.status or 0)
    if hint is None:
        hint = f"{exc.kind}: {exc}"
    return f"relplan: {name}: push failed, {hint}"


def cmd_push(args: argparse.Namespace) -> int:
    """``relplan push [NAME ...] [--dry-run]``."""
    from relplan.sync import engine, push, push_guard
    from relplan.sync.credentials import KeyringStore

    expect = getattr(args, "expect", None)
    if expect is not None and len(args.names) != 1:
        raise ValidationError([Issue("--expect", "--expect needs exactly one connection NAME")])
    with open_workspace(args, create=False) as ws:
        names = engine.names(ws, args.names)
        if not args.names:
            names = [n for n in names if engine.load_config(ws, n).push]
        if not names:
            out("no connection pushes; turn it on with 'relplan connection set NAME --push on'")
            return 0
        status = 0
        for name in names:
            try:
                report = push.run_push(
                    ws, name, KeyringStore(), dry_run=args.dry_run, expected=expect
                )
            except push_guard.PlanChangedError as exc:
                sys.stderr.write(
                    f"relplan: {name}: {exc} ('relplan push {name} --dry-run' shows it)\n"
                )
                status = 2
                continue
            except SyncError as exc:
                sys.stderr.write(failure_line(name, exc) + "\n")
                partial = getattr(exc, "push_report", None)
                if partial is not None:
                    for c in partial.written:
                        out(f"  written: {c.describe()}")
                    for c in partial.not_written:
                        out(f"  not written: {c.describe()}")
                status = 2
                continue
            for c in report.changes if report.dry_run else report.written:
                out(f"  {c.describe()}")
            for c in report.conflicts:
                out(f"  conflict: {c.describe()} (base {c.base}; see 'relplan sync --conflicts')")
            out(report.summary())
            if report.dry_run and report.changes:
                plan = push_guard.fingerprint(report.changes)
                out(f"  push exactly these: relplan push {name} --expect {plan}")
    return status


def connection_set(ws: Workspace, args: argparse.Namespace) -> int:
    """``relplan connection set NAME [--push on|off] [--create-releases on|off]
    [--iteration-root PATH]``."""
    from relplan.sync import push, push_create

    creating = getattr(args, "create_releases", None)
    root = getattr(args, "iteration_root", None)
    if args.push is None and creating is None and root is None:
        raise ValidationError(
            [
                Issue(
                    "--push",
                    "'connection set' needs --push on|off, --create-releases on|off or "
                    "--iteration-root PATH",
                )
            ]
        )
    if args.push is not None:
        config = push.set_push(ws, args.name, args.push == "on")
        state = "on: the next push shows what it would do" if config.push else "off"
        out(f"{config.name}: push {state}")
    if creating is not None:
        config = push_create.set_create_releases(ws, args.name, creating == "on")
        state = "on" if config.create_releases else "off"
        out(f"{config.name}: create releases {state}")
    if root is not None:
        config = push_create.set_iteration_root(ws, args.name, root)
        where = config.iteration_root or "the project's root iteration"
        out(f"{config.name}: new iterations go under {where}")
    return 0


def register(add: AddCommand) -> None:
    """Add the ``push`` sub-command."""
    p = add(
        "push",
        cmd_push,
        "write local edits of synced releases, items and dependencies back to Jira / Azure "
        "Boards (dates, released, fixVersions/IterationPath, links, new versions/iterations); "
        "a remote change since the last sync becomes a conflict",
        "relplan push acme --dry-run",
    )
    p.add_argument("names", nargs="*", metavar="NAME", help="connections (default: all with push)")
    p.add_argument("--dry-run", action="store_true", help="show the remote changes, write none")
    p.add_argument(
        "--expect",
        metavar="PLAN",
        help="write only if the changes are still those a --dry-run listed with this plan id "
        "(one NAME); otherwise write nothing",
    )
