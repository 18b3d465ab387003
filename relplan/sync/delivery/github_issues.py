"""Incidents from the GitHub issues of a repository that carry a label.

API contract: shared/contracts/API-NOTES-WRITE-DEPLOY.md D.5. ``GET /repos/{o}/{r}/issues
?labels=L&state=all&since=…&per_page=100`` pages by the ``Link`` header; ``since`` filters on
*updated* time, so a later pull sees an incident again when it is closed. The endpoint also
returns pull requests (they carry a ``pull_request`` key): skipped. An issue closed as
``not_planned`` was no incident. Start = ``created_at``, restore = ``closed_at``; an issue is
named ``#N`` in refs and commit messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from relplan.errors import SyncError
from relplan.metrics.delivery import PulledIncident
from relplan.sync.delivery.common import PullContext, parse_time
from relplan.sync.http import HttpClient

__all__ = ["incident_of", "pull_incidents"]


def incident_of(row: Mapping[str, Any], ctx: PullContext) -> PulledIncident | None:
    """The incident an issue is, or None (a pull request, not planned, or no creation time)."""
    if "pull_request" in row or row.get("state_reason") == "not_planned":
        return None
    created = parse_time(row.get("created_at"))
    if created is None:
        return None
    closed = parse_time(row.get("closed_at")) if row.get("state") == "closed" else None
    text = "\n".join(str(row.get(k) or "") for k in ("title", "body"))
    return PulledIncident(
        source=ctx.connection,
        source_id=str(row.get("number")),
        keys=(f"#{row.get('number')}",),
        created=created,
        resolved=closed,
        team=ctx.team,
        text=text,
        url=str(row.get("html_url") or ""),
    )


def pull_incidents(
    http: HttpClient, ctx: PullContext, label: str, *, since: str | None = None
) -> tuple[list[PulledIncident], str | None]:
    """The labelled issues updated since the watermark, as incidents, and the new watermark.

    Raises:
        SyncError: credentials rejected, repository not found, rate limit or network.
    """
    from relplan.sync.delivery.github import next_link

    repo = str(ctx.settings["repo"])
    url: str | None = f"repos/{repo}/issues"
    params: dict[str, Any] | None = {"labels": label, "state": "all", "per_page": 100}
    if since:
        params = {**(params or {}), "since": since}
    mark = since
    out: list[PulledIncident] = []
    while url:
        body, headers = http.get_page(url, params=params, what=f"repository {repo}")
        if not isinstance(body, list):
            raise SyncError(SyncError.REMOTE, f"{http.base_url}/{url}: expected a list")
        for row in body:
            updated = row.get("updated_at")
            if isinstance(updated, str) and (mark is None or updated > mark):
                mark = updated
            incident = incident_of(row, ctx)
            if incident is not None:
                out.append(incident)
        url = next_link(headers.get("Link"))
        params = None  # the next link carries them
    return out, mark
