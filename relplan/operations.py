"""Edits that need both the store and the planning engine, for the window and the command line.

Each function checks first and writes one undoable command, or raises and writes nothing.
"""

from __future__ import annotations

import datetime as dt

from relplan.domain import codec
from relplan.domain.model import ITEM_PREFIX, RELEASE_PREFIX, Dependency
from relplan.errors import DependencyCycleError, UnknownObjectError
from relplan.planning.edits import cycle_if_added
from relplan.planning.impact import Impact, apply_impact, impact_of_slip
from relplan.store.commands import ChangeSet, Command, Edit
from relplan.store.entities import TABLES, dependency_key, dependency_key_of
from relplan.store.workspace import Workspace


def _check_end(ws: Workspace, ref: str) -> None:
    if ref.startswith(RELEASE_PREFIX):
        kind, entity, key = "release", "release", ref.removeprefix(RELEASE_PREFIX)
    else:
        kind, entity, key = "work item", "work_item", ref.removeprefix(ITEM_PREFIX)
    if key not in TABLES[entity].load(ws.conn, [key]):
        raise UnknownObjectError(kind, key)


def add_dependency(ws: Workspace, dependency: Dependency) -> ChangeSet:
    """Add a dependency, or change the type and lag of the one between the same two ends.

    Raises:
        ValidationError: the dependency is malformed (bad end, type, or an end on itself).
        UnknownObjectError: an end names nothing in the workspace.
        DependencyCycleError: it would close a cycle; nothing was written.
    """
    decoder = codec.Decoder()
    decoder.dependency(codec.encode_dependency(dependency), "dependency")
    decoder.raise_if_any()
    # The cycle check reads the plan inside the write: a racing add cannot close a cycle.
    with ws.write():
        for ref in (dependency.from_ref, dependency.to_ref):
            _check_end(ws, ref)
        key = dependency_key(dependency)
        old = TABLES["dependency"].load(ws.conn, [key]).get(key)
        if old is None:
            cycle = cycle_if_added(ws.plan(), dependency)
            if cycle is not None:
                raise DependencyCycleError(cycle)
        elif old == dependency:
            return ChangeSet(label="No change")
        verb = "Add" if old is None else "Change"
        label = f"{verb} dependency {dependency.from_ref} -> {dependency.to_ref}"
        return ws.execute(Command(label, (Edit("dependency", key, old, dependency),)))


def remove_dependency(ws: Workspace, from_ref: str, to_ref: str) -> ChangeSet:
    """Remove the dependency between two ends.

    Raises:
        UnknownObjectError: there is no such dependency.
    """
    # Read and delete in one transaction.
    with ws.write():
        key = dependency_key_of(from_ref, to_ref)
        old = TABLES["dependency"].load(ws.conn, [key]).get(key)
        if old is None:
            raise UnknownObjectError("dependency", f"{from_ref} -> {to_ref}")
        label = f"Remove dependency {from_ref} -> {to_ref}"
        return ws.execute(Command(label, (Edit("dependency", key, old, None),)))


def apply_slip(ws: Workspace, key: str, days: int, *, today: dt.date) -> tuple[Impact, ChangeSet]:
    """Slip release ``key`` by ``days`` and write what moves as one undoable command.

    The impact is computed on the plan as it is now, so what is written is exactly what the
    returned impact says, even if the plan changed since a preview was shown.

    Raises:
        UnknownObjectError: no release has this key.
        DependencyCycleError: the plan has a cycle; nothing was written.
    """
    # Computed on the plan the write applies to, so what moves is what the impact says.
    with ws.write():
        plan = ws.plan()
        impact = impact_of_slip(plan, key, days, today=today)
        after = {r.key: r for r in apply_impact(plan, impact).releases}
        changed = [after[r.key] for r in plan.releases if after[r.key] != r]
        return impact, ws.update_releases(changed, f"Slip {key} by {days:+d} days")
