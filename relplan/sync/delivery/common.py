"""What every delivery source module shares: the pull context, its result, time parsing.

A source module (``github``, ``gitlab``, ``azure_pipelines``, ``jenkins``, ``pagerduty``,
``jira_incidents``) has ``client(ctx, secret) -> HttpClient`` and ``pull(http, ctx) -> Pulled``;
:mod:`relplan.sync.delivery.connections` only picks the module, reads the keyring and writes the
result in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from relplan.metrics.delivery import PulledDeployment, PulledIncident

__all__ = ["PullContext", "Pulled", "last_success", "parse_time", "watermarks"]


@dataclass(frozen=True, slots=True)
class PullContext:
    """One connection's pull: its settings, the previous watermark and what is stored already.

    Attributes:
        connection: The connection's name.
        url: Its API base URL.
        settings: Its stored settings (team, production, scope options).
        watermark: The previous pull's watermark, or None on the first pull.
        stored: The deployments stored for this connection, oldest finish first.
        stored_incidents: The incidents stored for this connection.
        now: When the pull started (aware).
    """

    connection: str
    url: str
    settings: Mapping[str, Any]
    watermark: str | None = None
    stored: tuple[PulledDeployment, ...] = ()
    stored_incidents: tuple[PulledIncident, ...] = ()
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def team(self) -> str:
        """The team whose deployments and incidents these are."""
        return str(self.settings.get("team") or "")

    @property
    def production(self) -> tuple[str, ...]:
        """The environment names that count as Production."""
        return tuple(self.settings.get("production") or ())


@dataclass(frozen=True, slots=True)
class Pulled:
    """What one pull read: deployments, incidents, the new watermark, and the ``source_id`` of
    stored incidents that no longer qualify (to be removed)."""

    deployments: list[PulledDeployment] = field(default_factory=list)
    incidents: list[PulledIncident] = field(default_factory=list)
    watermark: str | None = None
    gone_incidents: tuple[str, ...] = ()


def parse_time(value: Any) -> dt.datetime | None:
    """An aware datetime from an ISO 8601 text (``Z``, offsets, 7 fractional digits), else None.

    Naive values and .NET's ``0001-01-01`` sentinel give None.

    Examples:
        >>> parse_time("2026-04-01T10:45:13.0780198Z").isoformat()
        '2026-04-01T10:45:13.078019+00:00'
        >>> parse_time("0001-01-01T00:00:00") is None, parse_time(None) is None
        (True, True)
    """
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    # 3.11 parses up to 6 fractional digits reliably everywhere; cut Azure's 7th.
    if "." in text:
        head, _, tail = text.partition(".")
        digits = len(tail) - len(tail.lstrip("0123456789"))
        if digits > 6:
            text = head + "." + tail[:6] + tail[digits:]
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None or when.year <= 1:
        return None
    return when


def last_success(
    stored: tuple[PulledDeployment, ...], production: tuple[str, ...]
) -> dict[str, PulledDeployment]:
    """Per Production environment, the last successful deployment stored."""
    last: dict[str, PulledDeployment] = {}
    for dep in stored:
        if dep.outcome == "succeeded" and dep.finished is not None:
            seen = last.get(dep.environment)
            if seen is None or seen.finished is None or dep.finished >= seen.finished:
                last[dep.environment] = dep
    return {env: dep for env, dep in last.items() if env in production}


def watermarks(text: str | None) -> dict[str, str]:
    """A watermark kept as a JSON object of named parts (``{}`` for None or plain text)."""
    if not text or not text.startswith("{"):
        return {}
    value = json.loads(text)
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
