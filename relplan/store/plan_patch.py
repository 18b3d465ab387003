"""Bring a loaded :class:`Plan` up to date after writes, from their ChangeSets.

Loading the whole plan of a big workspace builds every work item again (seconds for 100,000);
after an edit only the objects the write touched changed. :func:`apply_changes` reads just
those objects and returns a new plan with them swapped in (deleted ones left out), in the same
order as :func:`~relplan.store.repository.load_plan`, so an analysis of the patched plan equals
one of a fresh load.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Set
from dataclasses import replace
from typing import Any, Final

from relplan.domain.model import Plan
from relplan.store.entities import TABLES
from relplan.store.repository import load_plan

#: The plan field each entity kind lives in, and the order load_plan gives it.
_FIELDS: Final[dict[str, tuple[str, Callable[[Any], Any]]]] = {
    "team": ("teams", lambda t: t.key),
    "environment": ("environments", lambda e: (e.order, e.name)),
    "train": ("trains", lambda t: t.key),
    "release": ("releases", lambda r: r.key),
    "freeze": ("freezes", lambda f: (f.start, f.name)),
    "work_item": ("work_items", lambda i: i.key),
    "dependency": ("dependencies", lambda d: (d.from_ref, d.to_ref)),
    "deployment": ("deployments", lambda d: (d.finished, d.release, d.environment)),
    "template": ("templates", lambda t: t.key),
    "flag": ("flags", lambda f: f.key),
}


def can_patch(touched: Mapping[str, Set[str]]) -> bool:
    """Whether :func:`apply_changes` can follow these changes (else load the plan again)."""
    return all(entity in _FIELDS for entity in touched)


def apply_changes(conn: sqlite3.Connection, plan: Plan, touched: Mapping[str, Set[str]]) -> Plan:
    """The plan as stored now, given ``plan`` as stored before writes that touched ``touched``.

    Args:
        conn: the workspace's connection (read only).
        plan: the plan loaded (or patched) before the writes.
        touched: keys per entity kind, as in ``ChangeSet.touched`` (merged over the writes).

    Returns:
        A new plan; a change of a kind it cannot follow (a setting, say the planning zone)
        loads the whole plan again.
    """
    if not can_patch(touched):
        return load_plan(conn)
    fields: dict[str, tuple[Any, ...]] = {}
    for entity, keys in touched.items():
        if not keys:
            continue
        name, order = _FIELDS[entity]
        table = TABLES[entity]
        fresh = table.load(conn, keys)
        key_of = table.key_of
        kept = [obj for obj in getattr(plan, name) if key_of(obj) not in keys]
        kept.extend(fresh.values())
        kept.sort(key=order)
        fields[name] = tuple(kept)
    return replace(plan, **fields) if fields else plan  # type: ignore[arg-type]
