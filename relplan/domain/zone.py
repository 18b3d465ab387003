"""The planning zone of a plan, in a module of its own so that cheap commands (``relplan
metrics``) need not import the forecasting code (and numpy) to learn it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from relplan.domain.model import Plan

__all__ = ["plan_zone"]


def plan_zone(plan: Plan) -> dt.tzinfo:
    """The plan's planning zone (UTC when the name is unknown to this machine)."""
    try:
        return ZoneInfo(plan.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC
