"""Plain-text tables of readiness and DORA metrics, for the command line without ``--json``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from relplan.metrics.dora import DoraMetrics
from relplan.metrics.quality import FIGURES
from relplan.planning.report import format_table
from relplan.planning.wording import verdict_words

if TYPE_CHECKING:
    # Imported where used: `relplan metrics` need not load the forecast (and numpy).
    from relplan.planning.readiness import Readiness

__all__ = ["format_hours", "format_metrics", "format_readiness"]


def _day(day: dt.date | None) -> str:
    return "-" if day is None else day.isoformat()


def format_readiness(readiness: Readiness) -> str:
    """``readiness``'s table: one row per release, then the reasons of those not on track.

    Args:
        readiness: A result of :func:`~relplan.planning.readiness.readiness_of`.

    Returns:
        The text, without a final newline.
    """
    from relplan.planning.readiness import VERDICTS

    if not readiness.releases:
        return "No releases to judge."
    rows = [
        [
            r.key,
            r.team,
            f"{r.done}/{r.items}",
            f"{r.percent_done:.1f}",
            f"{r.gates_approved}/{r.gates_total}",
            r.open_blockers,
            _day(r.forecast_p50),
            _day(r.forecast_p85),
            _day(r.target),
            verdict_words(r.verdict),
        ]
        for r in readiness.releases
    ]
    table = format_table(
        ["KEY", "TEAM", "DONE", "%DONE", "GATES", "BLOCKERS", "P50", "P85", "TARGET", "VERDICT"],
        rows,
        numeric=[2, 3, 4, 5],
    )
    counts = {v: sum(r.verdict == v for r in readiness.releases) for v in VERDICTS}
    summary = ", ".join(f"{n} {verdict_words(v)}" for v, n in counts.items() if n)
    # Released and cancelled releases need no explaining; the others say why.
    why = [
        f"{r.key} ({verdict_words(r.verdict)}): {r.reason}"
        for r in readiness.by_risk()
        if r.verdict not in ("ready", "released", "cancelled")
    ]
    lines = [table, "", f"{summary} (as of {readiness.today}, {readiness.runs:,} runs)"]
    if why:
        lines += ["", "Why:", *why]
    return "\n".join(lines)


def format_hours(hours: float | None) -> str:
    """Hours for people: minutes below an hour, days from two days on.

    Examples:
        >>> format_hours(0.5), format_hours(5.25), format_hours(60.0), format_hours(None)
        ('30 min', '5.2 h', '2.5 days', '-')
    """
    if hours is None:
        return "-"
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


def format_metrics(metrics: DoraMetrics) -> str:
    """``metrics``' table: the four keys with their bands, then notes.

    Args:
        metrics: A result of :func:`~relplan.metrics.dora.dora_metrics`.

    Returns:
        The text, without a final newline.
    """
    w = metrics.window
    rate = metrics.change_failure_rate
    rows = [
        [
            "Deployment frequency",
            f"{metrics.per_week:.2f} per week ({metrics.per_day:.3f} per day)",
            metrics.frequency_band or "-",
        ],
        [
            "Lead time for changes",
            f"{format_hours(metrics.lead_time_hours)} (median of {metrics.lead_time_samples})",
            metrics.lead_time_band or "-",
        ],
        [
            "Change failure rate",
            "-" if rate is None else f"{rate:.1%} ({metrics.failed} of {metrics.deployments})",
            metrics.failure_band or "-",
        ],
        [
            "Time to restore",
            f"{format_hours(metrics.time_to_restore_hours)} (median of {metrics.restore_samples})",
            metrics.restore_band or "-",
        ],
        [
            "Rework rate",
            "-" if metrics.rework_rate is None else f"{metrics.rework_rate:.1%}",
            metrics.rework_band or "-",
        ],
    ]
    head = (
        f"{metrics.deployments} Production deployments from {w.start} to {w.end} "
        f"({w.days} days); bands: {metrics.report.name}"
    )
    lines = [head, "", format_table(["METRIC", "VALUE", "BAND"], rows)]
    titles = dict(zip(FIGURES, (r[0] for r in rows), strict=True))
    per_figure = [
        f"- {titles[figure]}: {note}"
        for figure, notes in metrics.quality.figure_notes().items()
        for note in notes
    ]
    if per_figure:
        lines += ["", "Data quality, per figure:", *per_figure]
    quality = set(metrics.quality.notes())
    other = [note for note in metrics.notes if note not in quality]
    if other:
        lines += ["", "Notes:", *(f"- {note}" for note in other)]
    return "\n".join(lines)
