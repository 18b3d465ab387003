"""Which release a pulled deployment belongs to, and how sure that is (its provenance).

- ``explicit``: its ref or tag names the release key (``v/PAY-2026.12``, ``release/PAY-2026.12``),
  or the source's version field equals it. The longest key named wins, so ``PAY-2026.12.1`` is
  not taken for ``PAY-2026.12``.
- ``inferred``: otherwise, a release of the connection's team whose Production stage window
  holds the deployment's finish day (in the planning zone). Only a suggestion: the window shows
  it as such and lets people override it.
- ``override``: a person chose the release; a later pull never changes it.
- ``""``: none of these.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from relplan.domain.model import Release
from relplan.metrics.delivery import PulledDeployment

__all__ = ["link_releases"]


def _names(text: str, key: str) -> bool:
    pattern = rf"(?<![A-Za-z0-9]){re.escape(key)}(?![A-Za-z0-9]|\.[0-9])"
    return re.search(pattern, text, re.IGNORECASE) is not None


def link_releases(
    deployments: Iterable[PulledDeployment],
    releases: Sequence[Release],
    zone: dt.tzinfo,
    *,
    production: str = "Production",
) -> list[PulledDeployment]:
    """The deployments with ``release`` and ``link`` set by the rules above.

    Args:
        deployments: Pulled deployments; those with an ``override`` keep it.
        releases: The workspace's releases, with their stages.
        zone: The planning zone (a stage window is calendar days in it).
        production: The environment name of Production stage windows.
    """
    by_length = sorted(releases, key=lambda r: len(r.key), reverse=True)
    out = []
    for dep in deployments:
        if dep.link == "override":
            out.append(dep)
            continue
        named = next((r for r in by_length if _names(dep.ref, r.key)), None)
        if named is not None:
            out.append(replace(dep, release=named.key, link="explicit"))
            continue
        found = None
        if dep.production and dep.finished is not None:
            day = dep.finished.astimezone(zone).date()
            found = next(
                (
                    r
                    for r in releases
                    if r.team == dep.team
                    and any(
                        s.environment.casefold() == production.casefold()
                        and s.start <= day <= s.end
                        for s in r.stages
                    )
                ),
                None,
            )
        if found is not None:
            out.append(replace(dep, release=found.key, link="inferred"))
        else:
            out.append(replace(dep, release=None, link=""))
    return out
