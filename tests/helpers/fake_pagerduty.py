"""A fake PagerDuty incidents API, built from shared/contracts/deployments/incidents.

Incidents are the recorded row (``pagerduty-incidents-devlake.json``) with id, number, title,
status and times changed, timestamps as the REST API sends them. The recording's 6-digit
fractions, ``log_entries`` and ``alerts`` came from a Singer tap and are not sent.
``GET /incidents`` filters on ``service_ids[]`` and ``since <= created_at < until``, answers only
the last 30 days without ``since``/``until``, refuses a range over 6 months and ``offset + limit``
past :attr:`offset_cap` (10,000) with 400, and returns ``{incidents, limit, offset, total, more}``;
``GET /incidents/{id}`` wraps one in ``{"incident": …}``. It wants ``Authorization: Token
token=KEY``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests.helpers.fake_jira import FakeServer, Reply

CONTRACTS = Path(__file__).resolve().parents[1] / "contracts" / "deployments" / "incidents"
_ROW = json.loads((CONTRACTS / "pagerduty-incidents-devlake.json").read_text("utf-8"))["incidents"][
    0
]
# The Singer tap that recorded the row attached these; GET /incidents does not return them.
for _tap_only in ("log_entries", "alerts"):
    _ROW.pop(_tap_only, None)
SIX_MONTHS = dt.timedelta(days=183)


def pd_time(when: dt.datetime) -> str:
    """``2022-11-03T06:23:06Z``."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _error(status: int, message: str, code: int, *errors: str) -> Reply:
    return Reply(status, {"error": {"message": message, "code": code, "errors": list(errors)}})


class FakePagerDuty(FakeServer):
    """The incidents of some services; ``now`` bounds the default 30-day answer."""

    def __init__(self, key: str = "pd-secret", now: dt.datetime | None = None) -> None:
        super().__init__()
        self.key = key
        self.now = now or dt.datetime.now(dt.UTC)
        self.incidents: list[dict[str, Any]] = []
        self.offset_cap = 10_000

    def incident(
        self, ident: str, created: dt.datetime, resolved: dt.datetime | None = None, *,
        title: str = "Checkout errors", service: str = "PIKL83L",
    ) -> dict[str, Any]:  # fmt: skip
        row = copy.deepcopy(_ROW)
        row.update(id=ident, incident_number=len(self.incidents) + 1, title=title)
        row["created_at"] = pd_time(created)
        row["status"] = "triggered" if resolved is None else "resolved"
        row["last_status_change_at"] = pd_time(resolved or created)
        row["html_url"] = f"https://acme.pagerduty.com/incidents/{ident}"
        row["service"]["id"] = service
        self.incidents.append(row)
        return row

    def resolve(self, ident: str, when: dt.datetime) -> None:
        row = next(r for r in self.incidents if r["id"] == ident)
        row.update(status="resolved", last_status_change_at=pd_time(when))

    def authorized(self, header: str) -> bool:
        return header == f"Token token={self.key}"

    def unauthorized(self) -> Reply:
        return _error(401, "Authentication required", 2006)

    def route(self, method: str, path: str, params: dict[str, str], body: Any) -> Reply:
        if path.startswith("/services/"):
            ident = path.split("/")[2]
            if not any(r["service"]["id"] == ident for r in self.incidents):
                return _error(404, "Not Found", 2100)
            return Reply(200, {"service": {"id": ident, "name": "DevService", "type": "service"}})
        if path.startswith("/incidents/"):
            ident = path.split("/")[2]
            row = next((r for r in self.incidents if r["id"] == ident), None)
            if row is None:
                return _error(404, "Not Found", 2100)
            return Reply(200, {"incident": row})
        if path != "/incidents":
            return _error(404, "Not Found", 2100)
        until = dt.datetime.fromisoformat(params.get("until") or self.now.isoformat())
        since = dt.datetime.fromisoformat(
            params.get("since") or (until - dt.timedelta(days=30)).isoformat()
        )
        if until - since > SIX_MONTHS:
            return _error(400, "Invalid Input Provided", 2001, "Date range is too large")
        limit = int(params.get("limit", "25"))
        offset = int(params.get("offset", "0"))
        if offset + limit > self.offset_cap:
            return _error(400, "Invalid Input Provided", 2001, "Offset must be less than 10001.")
        service = params.get("service_ids[]")
        rows = [
            r
            for r in self.incidents
            if (service is None or r["service"]["id"] == service)
            and since <= dt.datetime.fromisoformat(r["created_at"]) < until
        ]
        rows.sort(key=lambda r: r["created_at"])
        chunk = rows[offset : offset + limit]
        answer = {"incidents": chunk, "limit": limit, "offset": offset}
        answer["total"] = len(rows) if params.get("total") == "true" else None
        answer["more"] = offset + limit < len(rows)
        return Reply(200, answer)
