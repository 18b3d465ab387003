"""``relplan trace ITEM`` and ``relplan deployment link ID --release KEY|--none`` (issue #15).

Wired into :mod:`relplan.cli` through ``COMMAND_MODULES`` (``register``). The trace is read by
:mod:`relplan.metrics.trace`, the link written by :mod:`relplan.edits.deployment_links`, the same
functions the release editor's Shipped tab calls.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from relplan.cli.common import EXIT_OK, AddCommand, out, print_json, release_key, workspace_path

if TYPE_CHECKING:
    from relplan.metrics.trace import Trace

__all__ = ["format_trace", "register"]


def _when(value: object) -> str:
    return "not finished" if value is None else str(value)


def format_trace(trace: Trace) -> str:
    """The trace as ``relplan trace`` prints it: one indented line per link of the chain."""
    lines = []
    if trace.item is not None:
        key, title, status = trace.item
        lines.append(f"{key} {title} ({status})")
    if trace.release is None:
        lines.append("  release: none (the item is in no release)")
    else:
        key, name, status = trace.release
        lines.append(f"  release: {key} {name} ({status})")
    if trace.item is not None:
        noun = "commit names" if len(trace.commits) == 1 else "commits name"
        lines.append(f"  {len(trace.commits)} {noun} {trace.item[0]}")
    else:
        lines.append(f"  {len(trace.commits)} commits shipped")
    for c in trace.commits:
        items = f" [{', '.join(c.items)}]" if c.items and trace.item is None else ""
        first = c.message.splitlines()[0] if c.message else ""
        lines.append(f"    {c.sha[:10]} {_when(c.committed)} {first}{items}")
    if not trace.deployments:
        lines.append("  deployments: none pulled yet")
    for env, deps in trace.environments().items():
        lines.append(f"  {env}:")
        for d in deps:
            dep = d.deployment
            release = dep.release or "no release"
            lines.append(
                f"    {dep.source}:{dep.source_id} {d.outcome or 'not a deployment'}"
                f" {_when(dep.finished)} {dep.ref or dep.sha[:10]} → {release} ({d.provenance})"
                + (f", {len(d.commits)} of its commits above" if d.commits else "")
            )
    if not trace.incidents:
        lines.append("  incidents: none")
    for i in trace.incidents:
        link = i.link
        inc = link.incident
        name = inc.keys[0] if inc.keys else inc.source_id
        target = ":".join(link.deployment) if link.deployment else "no deployment"
        lines.append(
            f"  incident {name} {inc.created} on {target} ({link.provenance}"
            + (", not counted" if link.provenance == "suggested" else "")
            + ")"
        )
    return "\n".join(lines)


def cmd_trace(args: argparse.Namespace) -> int:
    """``relplan trace ITEM [--json]``."""
    from relplan.metrics.trace import load_item_trace
    from relplan.store.workspace import Workspace

    key = args.item[len("item:") :] if args.item.startswith("item:") else args.item
    with Workspace.open(workspace_path(args), create=False) as ws:
        trace = load_item_trace(ws, key)
    if args.json:
        print_json(trace.to_json())
    else:
        out(format_trace(trace))
    return EXIT_OK


def cmd_deployment(args: argparse.Namespace) -> int:
    """``relplan deployment link ID --release KEY|--none``."""
    from relplan.edits.deployment_links import find_deployment, link_deployment
    from relplan.errors import Issue, ValidationError
    from relplan.store.workspace import Workspace

    if not args.none and args.release is None:
        raise ValidationError([Issue("--release", "say which release (--release KEY) or --none")])
    release = None if args.none else args.release
    with Workspace.open(workspace_path(args), create=False) as ws:
        connection, source_id = find_deployment(ws, args.id)
        changes = link_deployment(ws, connection, source_id, release)
    target = "no release" if release is None else release
    if changes is None:
        out(f"{connection}:{source_id} is already linked to {target} by hand: nothing to change")
    else:
        out(f"linked {connection}:{source_id} to {target} (undo with 'relplan undo')")
    return EXIT_OK


def register(add: AddCommand) -> None:
    """Add ``trace`` and ``deployment`` to the command line."""
    p = add(
        "trace",
        cmd_trace,
        "a work item's way to production: release, commits, deployments per environment, incidents",
        "relplan trace PAY-12",
    )
    p.add_argument("item", metavar="ITEM", help="the work item key (KEY or item:KEY)")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = add(
        "deployment",
        cmd_deployment,
        "link a pulled deployment to a release by hand (one undoable change)",
        "relplan deployment link gh:1234 --release PAY-2026.12",
    )
    p.add_argument("action", choices=["link"], help="what to do")
    p.add_argument("id", metavar="ID", help="the deployment: CONNECTION:ID, or ID if unique")
    # Not required=True: argparse's message for a required group names no command; ours does.
    which = p.add_mutually_exclusive_group()
    which.add_argument("--release", type=release_key, metavar="KEY", help="link it to this release")
    which.add_argument("--none", action="store_true", help="link it to no release")
