"""Adding, changing and removing environments: one undoable command for a whole dialog's changes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from relplan.domain import codec
from relplan.domain.model import Environment
from relplan.errors import Issue, ValidationError
from relplan.store.commands import Command, Edit
from relplan.store.entities import TABLES
from relplan.store.workspace import Workspace

__all__ = ["environments_command"]


def environments_command(
    ws: Workspace, changes: Sequence[tuple[Environment | None, Environment | None]]
) -> Command | None:
    """The command that adds, changes and removes environments (``(before, after)`` pairs).

    Environments are matched by name (a rename is not supported: stages refer to the name).

    Returns:
        The command, or None when nothing changes.

    Raises:
        ValidationError: an environment is invalid, new with a taken name, or removed while
            stages, gates, freezes or deployments use it; nothing is written.
    """
    table = TABLES["environment"]
    stored: dict[str, Any] = {e.name: e for e in table.all(ws.conn, "name")}
    issues: list[Issue] = []
    edits: list[Edit] = []
    used = _environments_in_use(ws) if any(after is None for _, after in changes) else {}
    for before, after in changes:
        if after is not None:
            decoder = codec.Decoder()
            decoder.environment(codec.encode_environment(after), f"environment {after.name}")
            issues.extend(decoder.issues)
        if before is None and after is not None and after.name in stored:
            issues.append(Issue(f"environment {after.name}", "this name is taken"))
        if before is not None and after is not None and before.name != after.name:
            issues.append(Issue(f"environment {before.name}", "an environment cannot be renamed"))
        if before is not None and after is None and before.name in used:
            issues.append(Issue(f"environment {before.name}", f"still used by {used[before.name]}"))
        target = after if after is not None else before
        if target is None:
            continue
        old = stored.get(target.name)
        if old != after:
            edits.append(Edit("environment", target.name, old, after))
    if issues:
        raise ValidationError(issues)
    if not edits:
        return None
    if len(edits) == 1:
        edit = edits[0]
        verb = "Add" if edit.before is None else "Remove" if edit.after is None else "Edit"
        return Command(f"{verb} environment {edit.key}", tuple(edits))
    return Command(f"Edit {len(edits)} environments", tuple(edits))


def _environments_in_use(ws: Workspace) -> dict[str, str]:
    """What uses each environment (``"stages of PAY-1"``), for the ones in use."""
    plan = ws.plan()
    used: dict[str, str] = {}
    for release in plan.releases:
        for stage in release.stages:
            used.setdefault(stage.environment, f"a stage of {release.key}")
        for gate in release.gates:
            if gate.environment is not None:
                used.setdefault(gate.environment, f"a gate of {release.key}")
    for freeze in plan.freezes:
        for env in freeze.environments:
            used.setdefault(env, f"freeze {freeze.name}")
    for deployment in plan.deployments:
        used.setdefault(deployment.environment, f"a deployment of {deployment.release}")
    for flag in plan.flags:
        used.setdefault(flag.environment, f"flag {flag.key}")
    return used
