"""PagerDuty incidents of one service.

API contract: shared/contracts/API-NOTES-WRITE-DEPLOY.md D.5. ``GET /incidents?service_ids[]=
&since=&until=&limit=100&offset=&total=true`` with ``Authorization: Token token=KEY``.

- ``since``/``until`` (on ``created_at``) may span at most 6 months: longer ranges are read in
  windows of :data:`WINDOW` days. Without them only the last 30 days come back.
- Offset paging follows ``more`` and stops at 10,000 (``offset + limit`` must stay within it): a
  window whose ``total`` is above that is split in halves until each fits.
- Incidents change after creation: those stored unresolved are read again one by one
  (``GET /incidents/{id}``) until resolved. Restore time = ``last_status_change_at`` of a
  resolved incident (the list has no ``resolved_at``).

The first pull reaches back :data:`LOOKBACK` days; later ones start at the previous ``until``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from relplan.errors import SyncError
from relplan.metrics.delivery import PulledIncident
from relplan.sync.delivery.common import PullContext, Pulled, parse_time
from relplan.sync.http import HttpClient

__all__ = ["LOOKBACK", "OFFSET_CAP", "WINDOW", "client", "incident_of", "pull", "windows"]

#: The longest ``since..until`` PagerDuty answers (6 months), as days.
WINDOW: Final = dt.timedelta(days=180)
#: How far back the first pull reads.
LOOKBACK: Final = dt.timedelta(days=365)
#: ``offset + limit`` may not pass this.
OFFSET_CAP: Final = 10_000
LIMIT: Final = 100
HEADERS: Final = {"Accept": "application/vnd.pagerduty+json;version=2"}


def client(ctx: PullContext, secret: str) -> HttpClient:
    """A client on the PagerDuty API, ``Token token=KEY``."""
    return HttpClient(ctx.url, f"Token token={secret}", headers=HEADERS)


def windows(
    since: dt.datetime, until: dt.datetime, span: dt.timedelta = WINDOW
) -> list[tuple[dt.datetime, dt.datetime]]:
    """``since..until`` cut into consecutive windows no longer than ``span``.

    Examples:
        >>> a = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        >>> [(s.date().isoformat(), u.date().isoformat())
        ...  for s, u in windows(a, a + dt.timedelta(days=400))]
        [('2026-01-01', '2026-06-30'), ('2026-06-30', '2026-12-27'), ('2026-12-27', '2027-02-05')]
    """
    out = []
    start = since
    while start < until:
        end = min(start + span, until)
        out.append((start, end))
        start = end
    return out


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def incident_of(row: Mapping[str, Any], ctx: PullContext) -> PulledIncident | None:
    """The incident a PagerDuty row is (None without a creation time)."""
    created = parse_time(row.get("created_at"))
    if created is None:
        return None
    resolved = None
    if row.get("status") == "resolved":
        resolved = parse_time(row.get("resolved_at")) or parse_time(
            row.get("last_status_change_at")
        )
    text = "\n".join(str(row.get(k) or "") for k in ("title", "summary", "description"))
    return PulledIncident(
        source=ctx.connection,
        source_id=str(row["id"]),
        keys=(str(row["id"]),),
        created=created,
        resolved=resolved,
        team=ctx.team,
        text=text,
        url=str(row.get("html_url") or ""),
    )


def pull(http: HttpClient, ctx: PullContext) -> Pulled:
    """The service's incidents created since the watermark, and the unresolved ones again.

    Raises:
        SyncError: credentials rejected, service not found, rate limit or network.
    """
    service = str(ctx.settings["service"])
    since = parse_time(ctx.watermark) or ctx.now - LOOKBACK
    until = ctx.now
    rows: dict[str, Mapping[str, Any]] = {}
    for start, end in windows(since, until):
        for row in _window(http, service, start, end):
            rows[str(row["id"])] = row
    for old in ctx.stored_incidents:
        if old.resolved is None and old.source_id not in rows:
            body = http.get(f"incidents/{old.source_id}", what=f"incident {old.source_id}")
            again = body.get("incident") if isinstance(body, dict) else None
            if isinstance(again, dict):
                rows[old.source_id] = again
    incidents = [i for i in (incident_of(r, ctx) for r in rows.values()) if i is not None]
    return Pulled([], incidents, _iso(until))


def _window(
    http: HttpClient, service: str, start: dt.datetime, end: dt.datetime
) -> list[Mapping[str, Any]]:
    """Every incident created in ``start..end``, splitting the window past the offset cap."""
    params: dict[str, Any] = {
        "service_ids[]": service, "since": _iso(start), "until": _iso(end),
        "sort_by": "created_at:asc", "limit": LIMIT, "offset": 0, "total": "true",
    }  # fmt: skip
    what = f"service {service}"
    first = _page(http, params, what)
    total = int(first.get("total") or 0)
    if total > OFFSET_CAP and end - start > dt.timedelta(seconds=2):
        middle = start + (end - start) / 2
        middle = middle.replace(microsecond=0)
        return _window(http, service, start, middle) + _window(http, service, middle, end)
    rows = list(first.get("incidents") or [])
    more = bool(first.get("more"))
    offset = LIMIT
    while more and offset + LIMIT <= OFFSET_CAP:
        page = _page(http, {**params, "offset": offset, "total": "false"}, what)
        rows.extend(page.get("incidents") or [])
        more = bool(page.get("more"))
        offset += LIMIT
    return rows


def _page(http: HttpClient, params: Mapping[str, Any], what: str) -> Mapping[str, Any]:
    body = http.get("incidents", params=params, what=what)
    if not isinstance(body, dict) or not isinstance(body.get("incidents"), list):
        raise SyncError(SyncError.REMOTE, f"{http.base_url}/incidents: expected incidents")
    return body


def check(http: HttpClient, ctx: PullContext) -> str:
    """``GET /services/{id}``: the service the key can read."""
    service = str(ctx.settings["service"])
    body = http.get(f"services/{service}", what=f"service {service}")
    name = (body.get("service") or {}).get("name") if isinstance(body, dict) else None
    return f"service {name or service}"
