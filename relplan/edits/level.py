"""Writing a levelling: every move of ``relplan level`` as one undoable command."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from relplan.edits.releases import write_moves
from relplan.planning.graph import PlanIndex
from relplan.planning.level import Levelling, level_plan

if TYPE_CHECKING:
    from relplan.store.commands import ChangeSet
    from relplan.store.workspace import Workspace

__all__ = ["apply_levelling"]


def apply_levelling(
    ws: Workspace,
    *,
    today: dt.date,
    train: str | None = None,
    pins: Iterable[str] = (),
) -> tuple[Levelling, ChangeSet | None]:
    """Level the plan as it is now and write every move as one undoable command.

    The levelling is computed inside the write, on the plan it applies to, so what is written
    is exactly what the returned levelling says, even if the plan changed since a preview.

    Returns:
        The levelling and the change written (None when nothing moves).

    Raises:
        DependencyCycleError: the plan has a cycle; nothing was written.
        UnknownObjectError: ``train`` or a pin names nothing; nothing was written.
    """
    with ws.write():
        plan = ws.release_plan()
        index = PlanIndex.from_columns(plan, ws.item_releases(), ws.dependency_rows())
        levelling = level_plan(plan, today=today, train=train, pins=pins, index=index)
        changed = levelling.changed()
        if not changed:
            return levelling, None
        label = f"Level the plan ({len(changed)} release{'s' if len(changed) != 1 else ''})"
        return levelling, write_moves(ws, changed, label)
