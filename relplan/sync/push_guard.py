"""A push writes exactly what was previewed, or nothing.

A preview lists the remote changes local edits call for; the push plans them again when it is
confirmed. An edit made in between (in the window, another window, the command line) would
otherwise be pushed without having been shown. The preview's changes get a fingerprint (what is
written where: object, field, base value, new value; not the remote value read, which the push
reads again anyway); a confirmed push passes it back, and the push refuses, before any request,
when the plan it makes now has another fingerprint. The window then previews again; the command
line says to run ``--dry-run`` again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from relplan.errors import RelplanError


class PlanChangedError(RelplanError):
    """The changes to push are not the ones previewed (a local edit since the preview).

    Attributes:
        names: the connections whose plan changed.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self.names = sorted(set(names))
        super().__init__(
            f"the plan changed since the preview ({', '.join(self.names)}): nothing was "
            "written; review the new preview, then push"
        )


def fingerprint(changes: Iterable[Any]) -> str:
    """A short digest of what ``changes`` (``RemoteChange`` objects) would write."""
    facts = sorted(
        json.dumps(
            [c.entity, c.key, c.source_id, c.field, c.remote_field, c.base, c.new],
            default=str,
            ensure_ascii=False,
        )
        for c in changes
    )
    return hashlib.sha256("\n".join(facts).encode()).hexdigest()[:12]


def check(name: str, changes: Iterable[Any], expected: str | None) -> None:
    """Refuse a push whose changes are not the previewed ones (``expected`` None: no check).

    Raises:
        PlanChangedError: the fingerprints differ.
    """
    if expected is not None and fingerprint(changes) != expected:
        raise PlanChangedError([name])
