"""What the window's views need after a read or a write of the workspace, gathered on the DB
lane by :class:`~relplan.ui.session.WorkspaceSession`'s tasks (no Qt here), so that the main
thread only swaps snapshots in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from relplan.domain.model import Team
from relplan.store.commands import ChangeSet
from relplan.store.repository import ReleaseRow
from relplan.store.workspace import Workspace

__all__ = ["PATCH_LIMIT", "Refresh", "data_version", "full_refresh", "gather_refresh"]

#: Above this many touched releases a write reloads the whole table instead of patching rows.
PATCH_LIMIT = 200


@dataclass(slots=True)
class Refresh:
    """What the views need after a read or a write, gathered on the DB lane.

    Attributes:
        changes: the write's ChangeSet (empty for a plain load).
        rows: a full snapshot of the releases table, or None when ``changed`` suffices.
        changed: the new rows of touched releases (None: deleted).
        timezone: the workspace's planning zone.
        undo_label: what Undo would undo now.
        redo_label: what Redo would redo now.
        teams: every team of the workspace, when they may have changed (else None).
        empty: whether the workspace holds no plan objects (the window then shows what to do).
    """

    changes: ChangeSet
    rows: list[ReleaseRow] | None = None
    changed: dict[str, ReleaseRow | None] = field(default_factory=dict)
    timezone: str = "UTC"
    undo_label: str | None = None
    redo_label: str | None = None
    teams: list[Team] | None = None
    empty: bool = False

    @property
    def plan_changed(self) -> bool:
        """Whether the analyses (check, schedule) and the plan views must be refreshed.

        Deployments move no date, but the views show them (the Dashboard's DORA metrics).
        """
        return (
            self.rows is not None
            or self.changes.schedule_dirty
            or "deployment" in self.changes.touched
        )


def gather_refresh(ws: Workspace, changes: ChangeSet, *, full: bool = False) -> Refresh:
    """Read what the table needs after ``changes`` (run on the DB lane)."""
    undo_label, redo_label = ws.undo_labels()
    refresh = Refresh(
        changes,
        timezone=ws.timezone,
        undo_label=undo_label,
        redo_label=redo_label,
        empty=ws.is_empty(),
    )
    touched = changes.touched.get("release", set())
    if full or len(touched) > PATCH_LIMIT:
        refresh.rows = ws.release_rows()
    elif touched:
        rows = {row.key: row for row in ws.release_rows(touched)}
        refresh.changed = {key: rows.get(key) for key in sorted(touched)}
    if full or "team" in changes.touched:
        refresh.teams = ws.teams()
    return refresh


def data_version(ws: Workspace) -> int:
    """SQLite's data version: it changes when another connection commits."""
    return int(ws.conn.execute("PRAGMA data_version").fetchone()[0])


def full_refresh(ws: Workspace) -> tuple[int, Refresh]:
    """The data version and a full refresh (a workspace opened or changed elsewhere)."""
    return data_version(ws), gather_refresh(ws, ChangeSet(), full=True)
