"""Command-line sub-commands and exporters for readiness, DORA metrics, deployments and charts.

Wired into :mod:`relplan.cli` through ``COMMAND_MODULES`` (``register``) and ``EXPORTERS``
(``export_png``, ``export_svg``, ``export_pdf``). Heavy libraries (numpy, matplotlib) are imported
inside the handlers, so ``relplan --help`` stays fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Final

from relplan.cli.common import (
    EXIT_OK,
    AddCommand,
    out,
    parse_day,
    print_json,
    release_key,
    workspace_path,
)
from relplan.errors import Issue, ValidationError
from relplan.planning import wording

if TYPE_CHECKING:
    from relplan.domain.model import Plan
    from relplan.metrics.delivery_facts import Pulled
    from relplan.planning.readiness import ItemFacts
    from relplan.store.workspace import Workspace

__all__ = ["CHART_NAMES", "export_pdf", "export_png", "export_svg", "parse_chart", "register"]

#: What ``--chart`` accepts (``burnup`` may name its release: ``burnup:PAY-2026.12``).
CHART_NAMES: Final = ("burnup", "readiness", "dora", "load", "train-forecast")


def parse_chart(text: str) -> str:
    """An argparse type: ``--chart NAME``, where ``burnup`` may name its release.

    ``burnup:KEY`` and ``burnup:release:KEY`` are the same chart (gives ``burnup:KEY``); the
    exporter checks the name, so that its message lists the charts.
    """
    name, colon, release = text.partition(":")
    if not colon or name != "burnup":
        return text
    return f"{name}:{release_key(release)}"


def _readiness_input(args: argparse.Namespace) -> tuple[Plan, ItemFacts]:
    """What readiness reads: releases, and the work items and dependencies grouped by SQLite
    (:meth:`ItemFacts.of_rows`) rather than 100,000 item and 150,000 dependency objects."""
    from relplan.planning.forecast import throughput_cutoff
    from relplan.planning.readiness import ItemFacts
    from relplan.store.workspace import Workspace

    with Workspace.open(workspace_path(args), create=False, verify=False) as ws:
        plan = ws.release_plan()
        since = throughput_cutoff(plan, today=_today(args, plan))
        return plan, ItemFacts.of_rows(*ws.readiness_rows(since))


def _metrics_plan(ws: Workspace) -> tuple[Plan, Pulled]:
    """What DORA metrics read: releases and deployments, and the work items only of releases
    with a deployment that lists no changes (their resolve times stand in for commit times);
    and the facts of the deployments and incidents pulled from delivery tools, by the spec's
    rules (counted from the stored rows, without an object per commit)."""
    import dataclasses

    from relplan.metrics.delivery_facts import load_pulled

    plan = ws.release_plan()
    deployments = ws.deployments()
    without_changes = {d.release for d in deployments if not d.changes}
    items = ws.work_items(without_changes) if without_changes else ()
    plan = dataclasses.replace(plan, deployments=deployments, work_items=items)
    return plan, load_pulled(ws.conn)


def _today(args: argparse.Namespace, plan: Plan) -> dt.date:
    from relplan.metrics.scope import today_in

    today: dt.date | None = getattr(args, "today", None)
    return today if today is not None else today_in(plan)


# -- commands ----------------------------------------------------------------------------------
def cmd_readiness(args: argparse.Namespace) -> int:
    """``relplan readiness [--json] [--today D] [--team KEY] [--train KEY]``."""
    from relplan.metrics.report import format_readiness
    from relplan.planning.readiness import readiness_of

    plan, facts = _readiness_input(args)
    today = _today(args, plan)
    result = readiness_of(plan, today=today, team=args.team, train=args.train, facts=facts)
    if args.json:
        print_json(result.to_json())
    else:
        out(format_readiness(result))
    return EXIT_OK


def cmd_metrics(args: argparse.Namespace) -> int:
    """``relplan metrics [--json] [--from D] [--to D] [--team KEY] [--train KEY] [--today D]``."""
    from relplan.metrics.benchmark import REPORTS
    from relplan.metrics.dora import dora_metrics
    from relplan.metrics.scope import resolve_window
    from relplan.store.workspace import Workspace

    with Workspace.open(workspace_path(args), create=False, verify=False) as ws:
        plan, pulled = _metrics_plan(ws)
    window = resolve_window(args.date_from, args.date_to, today=_today(args, plan))
    result = dora_metrics(
        plan,
        window=window,
        team=args.team,
        train=args.train,
        report=REPORTS[args.benchmark],
        pulled=pulled,
    )
    if args.json:
        print_json(result.to_json())
    else:
        from relplan.metrics.report import format_metrics  # the table code only when printed

        out(format_metrics(result))
    return EXIT_OK


def cmd_deployments(args: argparse.Namespace) -> int:
    """``relplan deployments import FILE.csv``."""
    from relplan.formats.deployments_csv import import_deployments
    from relplan.store.workspace import Workspace

    with Workspace.open(workspace_path(args), create=False) as ws:
        changes, count = import_deployments(ws, args.file)
        where = ws.path
    if changes.empty:
        out(f"{args.file}: {wording.count(count, 'deployment')}, nothing to change in {where}")
    else:
        out(
            f"imported {args.file} into {where}: {changes.count()} of "
            f"{wording.count(count, 'deployment')} added or updated (undo with 'relplan undo')"
        )
    return EXIT_OK


def register(add: AddCommand) -> None:
    """Add ``readiness``, ``metrics`` and ``deployments`` to the command line."""
    p = add(
        "readiness",
        cmd_readiness,
        "per release: work done, gates, open blockers, a Monte Carlo forecast and a verdict",
        "relplan readiness --today 2026-11-27",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--today", type=parse_day, default=None, help="the day forecasts start from")
    p.add_argument("--team", metavar="KEY", help="only this team's releases")
    p.add_argument("--train", metavar="KEY", help="only this train's releases")

    p = add(
        "metrics",
        cmd_metrics,
        "DORA's four keys over the Production deployments of a window, with their bands",
        "relplan metrics --from 2026-09-01 --to 2026-11-30 --team PAY",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--from", dest="date_from", type=parse_day, metavar="DATE", help="first day")
    p.add_argument("--to", dest="date_to", type=parse_day, metavar="DATE", help="last day")
    p.add_argument("--team", metavar="KEY", help="only deployments of this team's releases")
    p.add_argument("--train", metavar="KEY", help="only deployments of this train's releases")
    p.add_argument(
        "--benchmark",
        type=int,
        choices=(2021, 2023, 2024),
        default=2024,
        help="the DORA report whose bands rate the figures (default: 2024)",
    )
    p.add_argument(
        "--today", type=parse_day, default=None, help="the day the default window ends (90 days)"
    )

    p = add(
        "deployments",
        cmd_deployments,
        "import deployments from a CSV file (all or nothing, one undoable change)",
        "relplan deployments import deployments.csv",
    )
    p.add_argument("action", choices=["import"], help="what to do")
    p.add_argument("file", metavar="FILE.csv", help="the CSV file (see the README for columns)")


# -- exporters ---------------------------------------------------------------------------------
def _export_chart(args: argparse.Namespace, ws: Workspace, fmt: str) -> str:
    """Write the chart ``--chart`` asks for and return the line to print."""
    from relplan.charts.dashboard import chart_figure, save_figure
    from relplan.charts.dora import dora_figure
    from relplan.charts.load import load_figure
    from relplan.metrics.dashboard import DashboardFilter, compute_dashboard, load_window
    from relplan.metrics.dora import dora_weekly
    from relplan.metrics.load import release_load
    from relplan.metrics.scope import resolve_window

    chart: str | None = getattr(args, "chart", None)
    view: str | None = getattr(args, "view", None)
    names = "|".join(CHART_NAMES)
    if view is not None:
        raise ValidationError(
            [
                Issue(
                    "--view",
                    f"views are exported by the window module; this exporter writes charts "
                    f"(--chart {names})",
                )
            ]
        )
    if chart is None:
        raise ValidationError([Issue("--chart", f"say which chart: --chart {names}")])
    name, _, release = chart.partition(":")
    if name not in CHART_NAMES:
        raise ValidationError([Issue("--chart", f"found {chart!r}, expected {names}")])
    if release and name != "burnup":
        raise ValidationError([Issue("--chart", f"only burnup takes a release, not {name}")])
    teams: list[str] = list(getattr(args, "team", None) or [])
    if len(teams) > 1:
        raise ValidationError([Issue("--team", "a chart takes one team")])
    if name == "train-forecast":
        if teams:
            raise ValidationError([Issue("--team", "the train forecast charts a train: --train")])
        return _export_train_forecast(args, ws, fmt)
    # The DORA chart reads only releases and deployments (and a few releases' items).
    plan, pulled = _metrics_plan(ws) if name == "dora" else (ws.plan(), None)
    flt = DashboardFilter(
        team=teams[0] if teams else None,
        train=getattr(args, "train", None),
        date_from=getattr(args, "date_from", None),
        date_to=getattr(args, "date_to", None),
        release=release or None,
    )
    today = _today(args, plan)
    if name == "dora":  # only what the chart shows: no readiness forecast, no load
        dora = dora_weekly(plan, window=resolve_window(flt.date_from, flt.date_to, today=today),
                           team=flt.team, train=flt.train, pulled=pulled)  # fmt: skip
        size = save_figure(dora_figure(dora), args.out, fmt)
        span = f"{dora.overall.window.start} to {dora.overall.window.end}"
        return f"wrote {args.out} ({size:,} bytes): DORA metrics {span}"
    if name == "load":
        load = release_load(
            plan, window=load_window(flt, today=today), team=flt.team, train=flt.train
        )
        size = save_figure(load_figure(load), args.out, fmt)
        weeks = f"{len(load.weeks)} weeks from {load.weeks[0]}"
        return f"wrote {args.out} ({size:,} bytes): release load, {weeks}"
    data = compute_dashboard(plan, flt=flt, today=today)
    size = save_figure(chart_figure(name, data), args.out, fmt)
    what = {
        "burnup": f"burn-up of {data.burnup.key}" if data.burnup else "burn-up (no open release)",
        "readiness": "readiness of open releases",
        "dora": f"DORA metrics {data.dora.overall.window.start} to {data.dora.overall.window.end}",
        "load": f"release load, {len(data.load.weeks)} weeks from {data.load.weeks[0]}",
    }[name]
    return f"wrote {args.out} ({size:,} bytes): {what}"


def _export_train_forecast(args: argparse.Namespace, ws: Workspace, fmt: str) -> str:
    """The train forecast chart of ``--train`` (else the train nearest its target), from the
    forecast ``relplan forecast --train KEY`` prints, drawn as the Dashboard draws it."""
    from relplan.charts.dashboard import save_figure
    from relplan.charts.train_forecast import train_chart_figure
    from relplan.cli.common import release_level
    from relplan.metrics.dashboard import DashboardFilter, train_chart
    from relplan.planning.forecast import throughput_cutoff
    from relplan.planning.portfolio_forecast import portfolio_forecast
    from relplan.planning.readiness import ItemFacts

    plan, index = release_level(ws)
    today = _today(args, plan)
    chart = train_chart(plan, DashboardFilter(train=getattr(args, "train", None)), today, None)
    if chart.train is None:
        raise ValidationError([Issue("--chart", "the plan has no train to forecast")])
    facts = ItemFacts.of_rows(*ws.readiness_rows(throughput_cutoff(plan, today=today)))
    forecast = portfolio_forecast(plan, today=today, train=chart.train, facts=facts, index=index)
    chart = dataclasses.replace(chart, forecast=forecast)
    size = save_figure(train_chart_figure(chart), args.out, fmt)
    odds = forecast.trains[0]
    picked = " (nearest its target)" if chart.picked else ""
    if odds.p50 is None:
        return f"wrote {args.out} ({size:,} bytes): train {chart.train}{picked}, no forecast"
    on_time = "" if odds.p_on_time is None else f", on time {odds.p_on_time:.0%}"
    return (
        f"wrote {args.out} ({size:,} bytes): forecast of train {chart.train}{picked}: "
        f"P50 {odds.p50}, P85 {odds.p85}{on_time}"
    )


def export_png(args: argparse.Namespace, ws: Workspace) -> str:
    """``relplan export png --chart NAME --out FILE [filters]``."""
    return _export_chart(args, ws, "png")


def export_svg(args: argparse.Namespace, ws: Workspace) -> str:
    """``relplan export svg --chart NAME --out FILE [filters]``."""
    return _export_chart(args, ws, "svg")


def export_pdf(args: argparse.Namespace, ws: Workspace) -> str:
    """``relplan export pdf --chart NAME --out FILE [filters]``."""
    return _export_chart(args, ws, "pdf")
