"""How the releases table words and colours its Float, Slip and CP cells.

Plain functions of a :class:`~relplan.planning.schedule.ReleaseSchedule` (no Qt), so the wording
is tested without a window. ``column`` is the name of the table column: ``"FLOAT"``, ``"SLIP"``
or ``"CRITICAL"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from relplan.store.repository import ReleaseRow

if TYPE_CHECKING:
    from relplan.planning.schedule import ReleaseSchedule, Schedule

#: The marker of a release on the critical path.
CRITICAL_MARK = "●"
FLOAT_HEADER_TIP = "Float: days the release can slip without moving the plan's end"
SLIP_HEADER_TIP = "Slip: days the forecast finish lies after the target (dependencies included)"
CRITICAL_HEADER_TIP = "Critical path: a delay of a marked release moves the plan's end"

_RED = "#c62828"
_AMBER = "#b26a00"
_GREY = "#9e9e9e"
_SLIP_BACKGROUND = "#fdecea"


def _days(n: int) -> str:
    return f"{n} day" if abs(n) == 1 else f"{n} days"


def display(column: str, forecast: ReleaseSchedule | None, *, critical: bool) -> str:
    """The text of a schedule cell (empty when the release has no forecast, and Float and Slip
    empty for a released release: its dates are history)."""
    if forecast is None:
        return ""
    if forecast.float_days is None and column in ("FLOAT", "SLIP"):
        return ""
    if column == "FLOAT":
        return str(forecast.float_days)
    if column == "SLIP":
        return f"+{forecast.slip_days}" if forecast.slip_days > 0 else str(forecast.slip_days)
    return CRITICAL_MARK if critical else ""


def tooltip(
    column: str, forecast: ReleaseSchedule, schedule: Schedule | None, step: int | None
) -> str:
    """Explain a schedule cell: the dates behind the number.

    Args:
        column: the column's name.
        forecast: the release's forecast.
        schedule: the whole schedule (for its end and critical path).
        step: the release's position on the critical path (0-based), None when not on it.

    Returns:
        One or two sentences.
    """
    end = schedule.end if schedule is not None else None
    end_text = f" ({end})" if end is not None else ""
    if forecast.float_days is None:
        return (
            f"Released: {forecast.start} → {forecast.target} happened, so it has no float or "
            "slip and is not on the critical path"
        )
    if column == "FLOAT":
        if forecast.float_days <= 0:
            return (
                f"No float: early start {forecast.early_start} is also the late start, so any "
                f"delay moves the plan's end{end_text}"
            )
        return (
            f"Early start {forecast.early_start}, late start {forecast.late_start}: can slip "
            f"{_days(forecast.float_days)} without moving the plan's end{end_text}"
        )
    if column == "SLIP":
        if forecast.slip_days > 0:
            return (
                f"Early finish {forecast.early_finish}, {_days(forecast.slip_days)} after target "
                f"{forecast.target}: its dependencies push it late"
            )
        if forecast.slip_days < 0:  # cannot happen by definition, but say it plainly if it does
            return f"Early finish {forecast.early_finish}, before target {forecast.target}"
        return f"Early finish {forecast.early_finish}: on target"
    if step is None or schedule is None:
        return f"Not on the critical path (float {_days(forecast.float_days)})"
    path = schedule.critical_path
    return (
        f"On the critical path (step {step + 1} of {len(path)}: {' → '.join(path)}); "
        f"any delay moves the plan's end{end_text}"
    )


def unscheduled_tip(row: ReleaseRow, have_schedule: bool, error: str) -> str | None:
    """Why a release has no Float, Slip or CP value (None while the schedule is computed)."""
    if error:
        return f"No schedule: {error}"
    if not have_schedule:
        return None
    if row.status == "cancelled":
        return "Cancelled releases take no part in the schedule"
    if row.start is None or row.target is None:
        return "Not scheduled: the release needs a start and a target"
    return "Not in the schedule"


def foreground(column: str, forecast: ReleaseSchedule | None, *, critical: bool) -> str | None:
    """The text colour of a schedule cell, as ``#rrggbb`` (None: the default)."""
    if forecast is None:
        return None
    if column == "SLIP":
        return _RED if forecast.slip_days > 0 else _GREY
    if forecast.float_days is None:
        return None
    if column == "FLOAT":
        if forecast.float_days < 0:
            return _RED
        return _AMBER if forecast.float_days == 0 else None
    return _RED if critical else None


def background(column: str, forecast: ReleaseSchedule | None) -> str | None:
    """The background colour of a schedule cell (a late release's Slip stands out)."""
    if forecast is not None and column == "SLIP" and forecast.slip_days > 0:
        return _SLIP_BACKGROUND
    return None


def bold(column: str, forecast: ReleaseSchedule | None, *, critical: bool) -> bool:
    """Whether a schedule cell is set in bold (a slip, the critical-path mark)."""
    if forecast is None:
        return False
    if column == "SLIP":
        return forecast.slip_days > 0
    return column == "CRITICAL" and critical
