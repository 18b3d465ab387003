"""Command-line commands of the release lifecycle: ``template``, ``release new``, ``train new``,
``flag`` and ``status`` (the portfolio by phase).

Wired in through ``COMMAND_MODULES``; each writing command calls the same edit as the window
(:mod:`relplan.edits.lifecycle`), so it is one undoable change.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING

from relplan.cli.common import (
    EXIT_OK,
    AddCommand,
    bounded_int,
    open_workspace,
    out,
    parse_day,
    print_json,
    release_key,
    today_of,
)
from relplan.errors import Issue, ValidationError

if TYPE_CHECKING:
    from relplan.domain.model import RolloutStep, Template

__all__ = ["register"]


def _undo_hint(label: str) -> str:
    return f"{label} (undo with 'relplan undo')"


def _template_text(t: Template) -> list[str]:
    lines = [f"{t.key}: {t.name}", f"  monitoring: {t.monitoring_days} days after the target"]
    for s in t.stages:
        lines.append(
            f"  stage {s.environment}: {s.days} days ending {s.ends_before_target} days before "
            f"the target ({s.strategy})"
        )
    lines += [f"  milestone {m.name}: {m.before_target} days before" for m in t.milestones]
    for g in t.gates:
        who = f" by {', '.join(g.approvers)}" if g.approvers else ""
        lines.append(f"  gate {g.name} ({g.kind}) for {g.environment or 'the release'}{who}")
    return lines


def cmd_template(args: argparse.Namespace) -> int:
    """``relplan template list|show KEY|add FILE [--replace]|remove KEY``."""
    from relplan.domain import codec, lifecycle_codec
    from relplan.edits.lifecycle import (
        add_template,
        is_shipped,
        remove_template,
        save_template,
        template_named,
        templates,
    )
    from relplan.formats.workspace_json import read_json_file

    with open_workspace(args, create=False) as ws:
        if args.action == "list":
            found = templates(ws)
            if args.json:
                print_json(
                    {
                        "templates": [
                            {**lifecycle_codec.encode_template(t), "shipped": is_shipped(ws, t.key)}
                            for t in found
                        ]
                    }
                )
            else:
                for t in found:
                    origin = "shipped" if is_shipped(ws, t.key) else "workspace"
                    out(f"{t.key:<16} {origin:<9} {len(t.stages)} stages  {t.name}")
            return EXIT_OK
        if args.arg is None:
            what = "FILE.json" if args.action == "add" else "KEY"
            raise ValidationError([Issue("", f"'template {args.action}' needs {what}")])
        if args.action == "show":
            t = template_named(ws, args.arg, where="KEY")
            if args.json:
                print_json(lifecycle_codec.encode_template(t))
            else:
                out("\n".join(_template_text(t)))
            return EXIT_OK
        if args.action == "add":
            document = read_json_file(args.arg)
            dec = codec.Decoder()
            template = lifecycle_codec.read_template(dec, document, "")
            dec.raise_if_any(source=args.arg)
            assert template is not None
            if args.replace:
                changes = save_template(ws, template.key, template)
            else:
                changes = add_template(ws, template)
        else:
            changes = remove_template(ws, args.arg)
    out(_undo_hint(changes.label))
    return EXIT_OK


def cmd_release(args: argparse.Namespace) -> int:
    """``relplan release new KEY --team T --template NAME --target D [--train X] [--name N]``."""
    from relplan.edits.lifecycle import new_release

    with open_workspace(args, create=False) as ws:
        release, changes = new_release(
            ws, key=args.key, team=args.team, template=args.template, target=args.target,
            train=args.train, name=args.name,
        )  # fmt: skip
    out(_undo_hint(f"{changes.label}: {release.start} .. {release.target}"))
    return EXIT_OK


def _teams(text: str) -> list[str]:
    teams = [t.strip() for t in text.split(",") if t.strip()]
    if not teams:
        raise argparse.ArgumentTypeError("expected team keys separated by commas")
    return teams


def _every(text: str) -> int:
    from relplan.domain.templates import parse_every

    try:
        return parse_every(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_train(args: argparse.Namespace) -> int:
    """``relplan train new KEY --target D --teams A,B --template T [--every 2w --count N]``."""
    from relplan.edits.lifecycle import new_train, preview_train

    options = {
        "key": args.key, "target": args.target, "teams": args.teams, "template": args.template,
        "every_days": args.every, "count": args.count, "name": args.name,
    }  # fmt: skip
    with open_workspace(args, create=False) as ws:
        if args.dry_run:
            plans = preview_train(ws, **options)
            label = "Would add (nothing written)"
        else:
            plans, changes = new_train(ws, **options)
            label = _undo_hint(changes.label)
    for p in plans:
        keys = ", ".join(r.key for r in p.releases)
        out(f"train {p.train.key} targets {p.train.target}: {keys}")
    out(label)
    return EXIT_OK


def _steps(text: str) -> tuple[RolloutStep, ...]:
    from relplan.domain.model import RolloutStep

    steps = []
    for part in text.split(","):
        day, colon, percent = part.strip().partition(":")
        try:
            steps.append(RolloutStep(dt.date.fromisoformat(day), int(percent.rstrip("%"))))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{part.strip()!r}: expected steps such as 2026-12-02:10,2026-12-09:100"
            ) from None
        if not colon:
            raise argparse.ArgumentTypeError(f"{part.strip()!r}: expected DAY:PERCENT")
    return tuple(steps)


def cmd_flag(args: argparse.Namespace) -> int:
    """``relplan flag list|set KEY ...|remove KEY``."""
    from relplan.domain.lifecycle_codec import encode_flag
    from relplan.domain.model import Flag
    from relplan.edits.lifecycle import save_flag
    from relplan.store.entities import TABLES

    with open_workspace(args, create=False) as ws:
        stored = TABLES["flag"].all(ws.conn, "key")
        if args.action == "list":
            if args.json:
                print_json({"flags": [encode_flag(f) for f in stored]})
            for f in [] if args.json else stored:
                steps = ", ".join(f"{s.date} {s.percent}%" for s in f.steps) or "no steps"
                out(f"{f.key:<20} {f.release} in {f.environment}: {steps}")
            return EXIT_OK
        if args.key is None:
            raise ValidationError([Issue("", f"'flag {args.action}' needs KEY")])
        before = next((f for f in stored if f.key == args.key), None)
        if args.action == "remove":
            if before is None:
                raise ValidationError([Issue("KEY", f"no flag {args.key!r}")])
            changes = save_flag(ws, before, None)
        else:
            release = args.release or (before.release if before else None)
            env = args.environment or (before.environment if before else None)
            if release is None or env is None:
                raise ValidationError([Issue("", "a new flag needs --release and --environment")])
            after = Flag(
                args.key,
                release,
                env,
                args.owner if args.owner is not None else (before.owner if before else None),
                args.steps if args.steps is not None else (before.steps if before else ()),
            )
            changes = save_flag(ws, before, after)
    out(_undo_hint(changes.label))
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    """``relplan status [--today D] [--json]``: the portfolio by lifecycle phase."""
    from relplan.planning.lifecycle import portfolio

    today = today_of(args)
    with open_workspace(args, create=False) as ws:
        plan = ws.release_plan()
    groups = portfolio(plan, today)
    if args.json:
        print_json(
            {
                "today": today.isoformat(),
                "phases": [
                    {"phase": g.phase, "count": len(g.releases), "releases": list(g.releases)}
                    for g in groups
                ],
            }
        )
        return EXIT_OK
    total = sum(len(g.releases) for g in groups)
    out(f"Portfolio on {today}: {total} releases")
    for g in groups:
        shown = ", ".join(g.releases[: args.show])
        more = f" (+{len(g.releases) - args.show} more)" if len(g.releases) > args.show else ""
        out(f"  {g.phase:<14} {len(g.releases):>5}  {shown}{more}")
    return EXIT_OK


def register(add: AddCommand) -> None:
    """Add ``template``, ``release``, ``train``, ``flag`` and ``status`` to the command line."""
    p = add(
        "template",
        cmd_template,
        "release templates: list, show one, add one from a JSON file, remove one",
        "relplan template show standard",
    )
    p.add_argument("action", choices=["list", "show", "add", "remove"], help="what to do")
    p.add_argument("arg", nargs="?", metavar="KEY|FILE", help="the template (add: its JSON file)")
    p.add_argument(
        "--replace", action="store_true", help="add: replace the workspace template of that key"
    )
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add(
        "release",
        cmd_release,
        "make a release from a template (one undoable change)",
        "relplan release new PAY-2027.01 --team PAY --template standard --target 2027-01-20",
    )
    p.add_argument("action", choices=["new"], help="what to do")
    p.add_argument("key", type=release_key, metavar="KEY", help="the new release's key")
    p.add_argument("--team", required=True, metavar="KEY", help="its team")
    p.add_argument("--template", required=True, metavar="NAME", help="the template")
    p.add_argument("--target", required=True, type=parse_day, metavar="DATE", help="target day")
    p.add_argument("--train", metavar="KEY", help="the train it belongs to")
    p.add_argument("--name", metavar="TEXT", help="its name (default: key and template)")

    p = add(
        "train",
        cmd_train,
        "make a train (or a cadenced series) with one release per team from a template",
        "relplan train new R27 --target 2027-01-20 --teams PAY,WEB --template standard "
        "--every 2w --count 6",
    )
    p.add_argument("action", choices=["new"], help="what to do")
    p.add_argument("key", metavar="KEY", help="the train's key (a series: KEY.1, KEY.2, ...)")
    p.add_argument("--target", required=True, type=parse_day, metavar="DATE", help="target day")
    p.add_argument("--teams", required=True, type=_teams, metavar="A,B", help="team keys")
    p.add_argument("--template", required=True, metavar="NAME", help="the template")
    p.add_argument("--every", type=_every, metavar="Nd|Nw", help="cadence of a series")
    p.add_argument("--count", type=bounded_int(1, 100), metavar="N", help="trains in the series")
    p.add_argument("--name", metavar="TEXT", help="the train's name")
    p.add_argument("--dry-run", action="store_true", help="show what would be added")

    p = add(
        "flag",
        cmd_flag,
        "feature flags: list, set (add or change) or remove one",
        "relplan flag set new-checkout --release PAY-2026.12 --environment Production "
        "--steps 2026-12-02:10,2026-12-09:100",
    )
    p.add_argument("action", choices=["list", "set", "remove"], help="what to do")
    p.add_argument("key", nargs="?", metavar="KEY", help="the flag's key")
    p.add_argument("--release", type=release_key, metavar="KEY", help="its release")
    p.add_argument("--environment", metavar="NAME", help="the environment it turns on in")
    p.add_argument("--owner", metavar="TEXT", help="who owns it")
    p.add_argument("--steps", type=_steps, metavar="DAY:PCT,...", help="rollout steps")
    p.add_argument("--json", action="store_true", help="print JSON (list)")

    p = add(
        "status",
        cmd_status,
        "the portfolio by lifecycle phase on a day, with counts (the morning view)",
        "relplan status --today 2026-12-04",
    )
    p.add_argument("--today", type=parse_day, default=None, help="the day (default: today)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--show", type=bounded_int(0, 10000), default=8, metavar="N", help="keys shown per phase"
    )
