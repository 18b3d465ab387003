"""Command-line sub-commands ``level`` and ``forecast`` (shared/spec/analysis.md, 2026-12-04).

Wired into :mod:`relplan.cli` through ``COMMAND_MODULES`` (``register``). The analyses are
imported inside the handlers, so ``relplan --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys

from relplan.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    AddCommand,
    bounded_int,
    open_workspace,
    out,
    parse_day,
    print_json,
    release_key,
    release_level,
    terminal_width,
    today_of,
)

__all__ = ["cmd_forecast", "cmd_level", "register"]


def cmd_level(args: argparse.Namespace) -> int:
    """``relplan level [--train KEY] [--pin KEY ...] [--today D] [--json] [--apply]``."""
    from relplan.edits.level import apply_levelling
    from relplan.planning.level import level_plan
    from relplan.planning.report import format_problems

    today = today_of(args)
    pins = args.pin or []
    written = None
    with open_workspace(args, create=False, verify=args.apply) as ws:
        if args.apply:
            levelling, written = apply_levelling(ws, today=today, train=args.train, pins=pins)
        else:
            plan, index = release_level(ws)
            levelling = level_plan(plan, today=today, train=args.train, pins=pins, index=index)
    if args.json:
        print_json(levelling.to_json())
    else:
        for move in levelling.moved:
            out(
                f"{move.key}: {move.start}..{move.target} -> {move.new_start}..{move.new_target}"
                f" (+{move.days} days)"
            )
            for reason in move.reasons:
                out(f"    {reason}")
        end = f"end {levelling.end_before} -> {levelling.end_after}"
        moved = len(levelling.moved)
        out(
            f"{moved} release{'s' if moved != 1 else ''} moved, "
            f"{levelling.total_slip_days} days in all, {end}"
        )
        if levelling.unresolved:
            out("unresolved:")
            out(format_problems(levelling.unresolved, width=terminal_width()))
    if args.apply:
        count = 0 if written is None else written.count()
        message = f"applied: {count} release{'s' if count != 1 else ''} moved"
        if written is not None:
            message += " (undo with 'relplan undo')"
        # With --json, standard output holds exactly one JSON object.
        (sys.stderr.write if args.json else sys.stdout.write)(message + "\n")
    return EXIT_PROBLEMS if levelling.unresolved else EXIT_OK


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def cmd_forecast(args: argparse.Namespace) -> int:
    """``relplan forecast [--train KEY] [--runs N] [--seed S] [--today D] [--json]``."""
    from relplan.planning.forecast import throughput_cutoff
    from relplan.planning.portfolio_forecast import portfolio_forecast
    from relplan.planning.readiness import ItemFacts

    today = today_of(args)
    with open_workspace(args, create=False, verify=False) as ws:
        plan, index = release_level(ws)
        facts = ItemFacts.of_rows(*ws.readiness_rows(throughput_cutoff(plan, today=today)))
    result = portfolio_forecast(
        plan,
        today=today,
        train=args.train,
        runs=args.runs,
        seed=args.seed,
        facts=facts,
        index=index,
    )
    if args.json:
        print_json(result.to_json())
        return EXIT_OK
    out(
        f"{'RELEASE':<24} {'TARGET':<10}  {'P50':<10}  {'P85':<10}  {'ON TIME':>7}  {'CRITICAL':>8}"
    )
    for r in result.releases:
        if r.p50 is None:
            out(f"{r.key:<24} {r.target!s:<10}  no forecast: {r.missing}")
            continue
        out(
            f"{r.key:<24} {r.target!s:<10}  {r.p50!s:<10}  {r.p85!s:<10}  "
            f"{_share(r.p_on_time):>7}  {_share(r.criticality):>8}"
        )
    for t in result.trains:
        target = "no target" if t.target is None else str(t.target)
        if t.p50 is None:
            out(f"train {t.key} (target {target}): no forecast")
            continue
        out(
            f"train {t.key} (target {target}): P50 {t.p50}, P85 {t.p85}, "
            f"on time {_share(t.p_on_time)}"
        )
    out(f"({result.runs} runs, seed {result.seed})")
    return EXIT_OK


def register(add: AddCommand) -> None:
    """Add ``level`` and ``forecast`` to the command line."""
    p = add(
        "level",
        cmd_level,
        "propose later dates that clear dependency, freeze and environment problems",
        "relplan level --train Q4-TRAIN --pin PAY-2026.12 --apply",
    )
    p.add_argument("--train", metavar="KEY", help="only this train's releases and ancestors move")
    p.add_argument(
        "--pin",
        type=release_key,
        action="extend",
        nargs="+",
        metavar="KEY",
        help="a release that keeps its dates (repeatable)",
    )
    p.add_argument("--today", type=parse_day, default=None, help="releases started by then stay")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--apply", action="store_true", help="write the moves as one undoable change")

    p = add(
        "forecast",
        cmd_forecast,
        "the chance that each release and train ships on time, through the dependencies",
        "relplan forecast --train Q4-TRAIN --runs 2000 --seed 0",
    )
    p.add_argument("--train", metavar="KEY", help="only this train, its releases and ancestors")
    p.add_argument(
        "--runs", type=bounded_int(1, 100_000), default=2_000, help="Monte Carlo runs (2000)"
    )
    p.add_argument("--seed", type=bounded_int(0, 2**32 - 1), default=0, help="the seed (0)")
    p.add_argument("--today", type=parse_day, default=None, help="the day the forecast starts")
    p.add_argument("--json", action="store_true", help="print one JSON object")
