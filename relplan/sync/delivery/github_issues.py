"""Incidents from the GitHub issues of a repository that carry a label.

API contract: shared/contracts/API-NOTES-WRITE-DEPLOY.md D.5. ``GET /repos/{o}/{r}/issues
?labels=L&state=all&since=…&per_page=100`` pages by the ``Link`` header; ``since`` filters on
*updated* time, so a later pull sees an incident again when it is closed. The endpoint also
returns pull requests (they carry a ``pull_request`` key): skipped. An issue closed as
``not_planned`` was no incident. Start = ``created_at``, restore = ``closed_at``; an issue is
named ``#N`` in refs and commit messages.

An incident stored earlier that stops qualifying is removed on the next pull: closed as not
planned, or its label taken off. A label taken off hides the issue from a ``labels=`` query, so
later pulls read every issue updated since the watermark (``since=`` without ``labels=``) and
match the label themselves (GitHub's label names are case-insensitive).
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
) -> tuple[list[PulledIncident], str | None, tuple[str, ...]]:
    """The labelled issues updated since the watermark, as incidents, the new watermark, and
    the stored incidents that no longer qualify (their ``source_id``).

    Raises:
        SyncError: credentials rejected, repository not found, rate limit or network.
    """
    from relplan.sync.delivery.github import next_link

    repo = str(ctx.settings["repo"])
    url: str | None = f"repos/{repo}/issues"
    # The first pull asks for the label: nothing is stored yet that could have lost it.
    narrow = {"since": since} if since else {"labels": label}
    params: dict[str, Any] | None = {**narrow, "state": "all", "per_page": 100}
    wanted = label.casefold()
    stored = {i.source_id for i in ctx.stored_incidents}
    mark = since
    found: dict[str, PulledIncident | None] = {}  # by number; a row read twice: the later one
    while url:
        body, headers = http.get_page(url, params=params, what=f"repository {repo}")
        if not isinstance(body, list):
            raise SyncError(SyncError.REMOTE, f"{http.base_url}/{url}: expected a list")
        for row in body:
            updated = row.get("updated_at")
            if isinstance(updated, str) and (mark is None or updated > mark):
                mark = updated
            names = {str(x.get("name") or "").casefold() for x in row.get("labels") or ()}
            found[str(row.get("number"))] = incident_of(row, ctx) if wanted in names else None
        url = next_link(headers.get("Link"))
        params = None  # the next link carries them
    out = [i for i in found.values() if i is not None]
    gone = tuple(n for n, i in found.items() if i is None and n in stored)
    return out, mark, gone
