"""Edits of releases: the editor's save, moving a whole release, one date, a what-if slip.

Two intents, two operations, whichever widget or command starts them:

- moving a WHOLE release (dragging a timeline bar's body, what-if Apply, ``impact --apply``,
  levelling) goes through :func:`shift_release`: start, target, every stage window and every
  milestone move by the same days, so their offsets to the start stay as planned;
- changing ONE date (dragging a bar's end, a date cell, a date field of the editor) changes only
  that date (:func:`set_release_date`); a stage or milestone then outside ``start..target`` is
  reported by ``check`` (``stage_outside_release``).

Each builder checks everything first and writes one undoable command, or raises and writes
nothing. They need the open workspace and run on the DB lane (through
:class:`~relplan.ui.session.WorkspaceSession`); nothing here imports Qt. The dialogs return the
value objects defined here (:class:`ReleaseEdit`) and never touch the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from relplan.domain import codec
from relplan.domain.model import RELEASE_PREFIX, Dependency, Plan, Release, WorkItem
from relplan.domain.rules import release_issues
from relplan.edits.common import exists
from relplan.edits.shift import shift_flag, shift_release, whole_moves
from relplan.errors import (
    ChangedSinceError,
    DependencyCycleError,
    Issue,
    UnknownObjectError,
    ValidationError,
)
from relplan.planning.impact import Impact, apply_impact, impact_of_slip
from relplan.store.commands import ChangeSet, Command, Edit
from relplan.store.entities import TABLES, dependency_key, dependency_key_of
from relplan.store.workspace import Workspace


@dataclass(frozen=True, slots=True)
class ReleaseEdit:
    """What the release editor returns: a release and its dependencies, before and after.

    Attributes:
        before: The release as the editor received it.
        after: The release as the user left it (same key).
        dependencies_before: The release-level dependencies into and out of it, as received.
        dependencies_after: The same, as the user left them.
    """

    before: Release
    after: Release
    dependencies_before: tuple[Dependency, ...] = ()
    dependencies_after: tuple[Dependency, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether anything differs."""
        return self.before != self.after or set(self.dependencies_before) != set(
            self.dependencies_after
        )

    @property
    def removed(self) -> list[tuple[str, str]]:
        """The (from, to) pairs of dependencies that were removed."""
        kept = {d.pair for d in self.dependencies_after}
        return [d.pair for d in self.dependencies_before if d.pair not in kept]

    @property
    def added_or_changed(self) -> list[Dependency]:
        """Dependencies that are new, or whose type or lag changed."""
        old = {d.pair: d for d in self.dependencies_before}
        return [d for d in self.dependencies_after if old.get(d.pair) != d]


@dataclass(frozen=True, slots=True)
class ReleaseEditorInput:
    """What the release editor shows: the release and its surroundings in the plan.

    Attributes:
        release: The release to edit.
        plan: The plan it is in (teams, trains, environments, other releases, and the graph the
            editor checks new dependencies against).
        dependencies: The release-level dependencies into and out of the release.
        work_items: The work items of the release (shown, not edited).
    """

    release: Release
    plan: Plan
    dependencies: tuple[Dependency, ...]
    work_items: tuple[WorkItem, ...]


def editor_input(plan: Plan, key: str) -> ReleaseEditorInput:
    """Gather what the release editor needs about release ``key`` from ``plan``.

    Raises:
        UnknownObjectError: the plan has no such release.
    """
    release = plan.release(key)
    if release is None:
        raise UnknownObjectError("release", key)
    ref = release.ref
    dependencies = tuple(
        d
        for d in plan.dependencies
        if ref in d.pair and all(end.startswith(RELEASE_PREFIX) for end in d.pair)
    )
    items = tuple(sorted((i for i in plan.work_items if i.release == key), key=lambda i: i.key))
    return ReleaseEditorInput(release, plan, dependencies, items)


def release_edit_label(edit: ReleaseEdit) -> str:
    """The undo label of a release save (``Approve gate CAB of PAY-1``, ``Edit PAY-1``...)."""
    key = edit.after.key
    if edit.before == edit.after:
        return f"Edit dependencies of {key}"
    if replace(edit.before, gates=edit.after.gates) == edit.after and not (
        edit.removed or edit.added_or_changed
    ):
        old = {g.name: g for g in edit.before.gates}
        decided = [g for g in edit.after.gates if old.get(g.name) is not None and old[g.name] != g]
        if len(decided) == 1 and len(edit.after.gates) == len(edit.before.gates):
            verb = {"approved": "Approve", "rejected": "Reject"}.get(decided[0].status, "Edit")
            return f"{verb} gate {decided[0].name} of {key}"
    return f"Edit {key}"


def _release_issues(ws: Workspace, release: Release) -> list[Issue]:
    decoder = codec.Decoder()
    decoder.release(codec.encode_release(release), release.key)
    issues = list(decoder.issues) + release_issues(release)
    if not exists(ws, "team", release.team):
        issues.append(Issue(f"{release.key}.team", f"no team {release.team!r} in the workspace"))
    if release.train is not None and not exists(ws, "train", release.train):
        issues.append(Issue(f"{release.key}.train", f"no train {release.train!r}"))
    envs = {s.environment for s in release.stages} | {
        g.environment for g in release.gates if g.environment is not None
    }
    for env in sorted(envs):
        if not exists(ws, "environment", env):
            issues.append(Issue(f"{release.key}.stages", f"no environment {env!r}"))
    return issues


def _dependency_end_issue(ws: Workspace, ref: str) -> Issue | None:
    if not ref.startswith(RELEASE_PREFIX):
        return Issue("dependency", f"{ref} is not a release")
    key = ref.removeprefix(RELEASE_PREFIX)
    if not exists(ws, "release", key):
        return Issue("dependency", f"no release {key!r} in the workspace")
    return None


def release_edit_command(ws: Workspace, edit: ReleaseEdit) -> Command | None:
    """The one command that stores a release save: the release and its dependency changes.

    Args:
        ws: The open workspace (DB lane).
        edit: What the editor returned.

    Returns:
        The command, or None when nothing changed.

    Raises:
        UnknownObjectError: the release is no longer in the workspace.
        ChangedSinceError: the release changed since the editor read it; nothing is written.
        ValidationError: the release or a dependency is invalid; nothing is written.
        DependencyCycleError: an added dependency would close a cycle; nothing is written.
    """
    key = edit.after.key
    if key != edit.before.key:
        raise ValidationError([Issue(f"{edit.before.key}.key", "a release cannot be renamed")])
    stored = ws.release(key)  # raises UnknownObjectError
    if stored != edit.before:
        # Saving would silently overwrite what another window or program changed meanwhile.
        raise ChangedSinceError(
            f"{key} was changed by another window or program since the editor opened it; "
            "nothing was saved: open the editor again"
        )
    issues = _release_issues(ws, edit.after)
    for dep in edit.added_or_changed:
        decoder = codec.Decoder()
        decoder.dependency(codec.encode_dependency(dep), "dependency")
        issues.extend(decoder.issues)
        for ref in dep.pair:
            issue = _dependency_end_issue(ws, ref)
            if issue is not None:
                issues.append(issue)
    if issues:
        raise ValidationError(issues)
    edits: list[Edit] = []
    if stored != edit.after:
        edits.append(Edit("release", key, stored, edit.after))
    table = TABLES["dependency"]
    for from_ref, to_ref in edit.removed:
        dep_key = dependency_key_of(from_ref, to_ref)
        old = table.load(ws.conn, [dep_key]).get(dep_key)
        if old is not None:
            edits.append(Edit("dependency", dep_key, old, None))
    additions = edit.added_or_changed
    if additions:
        from relplan.edits.dependencies import cycle_if_added

        plan = ws.plan()
        gone = set(edit.removed)
        dependencies = [d for d in plan.dependencies if d.pair not in gone]
        for dep in additions:
            dep_key = dependency_key(dep)
            old = table.load(ws.conn, [dep_key]).get(dep_key)
            if old is None:
                cycle = cycle_if_added(replace(plan, dependencies=tuple(dependencies)), dep)
                if cycle is not None:
                    raise DependencyCycleError(cycle)
            dependencies = [d for d in dependencies if d.pair != dep.pair] + [dep]
            if old != dep:
                edits.append(Edit("dependency", dep_key, old, dep))
    if not edits:
        return None
    return Command(release_edit_label(edit), tuple(edits))


#: The release fields that each hold one date (the single-date edits).
DATE_FIELDS: tuple[str, ...] = ("start", "target")


def edit_label(key: str, fields: Mapping[str, Any]) -> str:
    """The undo label of a field edit: ``Edit PAY-1 target`` for one field, else ``Edit PAY-1``."""
    return f"Edit {key} {next(iter(fields))}" if len(fields) == 1 else f"Edit {key}"


def edit_release(
    ws: Workspace, key: str, fields: Mapping[str, Any], label: str | None = None
) -> ChangeSet:
    """Change these fields of release ``key``, and nothing else, as one undoable command.

    This is the single-date edit of a date cell or field: ``{"start": day}`` changes the start
    only; its stage windows and milestones stay where they are (``check`` reports any that then
    lie outside ``start..target``). To move the whole release use :func:`move_release`.

    Args:
        ws: The open workspace.
        key: The release.
        fields: New values by :class:`Release` field name (not ``key``).
        label: The undo label (default: :func:`edit_label`).

    Raises:
        UnknownObjectError: no release has this key.
        ValidationError: a field is unknown, or the edited release breaks a rule (say, start
            after target); nothing is written.
    """
    known = set(Release.__dataclass_fields__) - {"key"}
    unknown = sorted(set(fields) - known)
    if unknown:
        raise ValidationError(
            [Issue(f"{key}.{name}", "not a field of a release") for name in unknown]
        )
    # Read and written in one transaction: another writer's change is never overwritten unseen.
    with ws.write():
        release = ws.release(key)
        return ws.update_releases([replace(release, **fields)], label or edit_label(key, fields))


def set_release_date(ws: Workspace, key: str, field: str, day: dt.date | None) -> ChangeSet:
    """Change ONE date of release ``key`` (``start`` or ``target``) and nothing else.

    Raises:
        UnknownObjectError: no release has this key.
        ValidationError: ``field`` is not a date of a release, or start would fall after
            target; nothing is written.
    """
    if field not in DATE_FIELDS:
        raise ValidationError([Issue(f"{key}.{field}", "not a date of a release")])
    return edit_release(ws, key, {field: day})


def move_release(ws: Workspace, key: str, days: int, label: str | None = None) -> ChangeSet:
    """Move the WHOLE release ``key`` by ``days``: start, target, stages and milestones.

    The one operation behind every whole-release move (see :func:`shift_release`), written as
    one undoable command (``Move PAY-1 by +15 days``).

    Raises:
        UnknownObjectError: no release has this key.
        ValidationError: the release has no start and target to move; nothing is written.
    """
    with ws.write():
        release = ws.release(key)
        if not release.has_dates:
            raise ValidationError(
                [Issue(f"{key}.start", "the release has no start and target to move")]
            )
        return write_moves(
            ws, [shift_release(release, days)], label or f"Move {key} by {days:+d} days"
        )


def write_moves(ws: Workspace, releases: list[Release], label: str) -> ChangeSet:
    """Store moved releases as one command, their feature flags' rollout steps moved with them.

    Every whole-release move (a drag, ``impact --apply``, levelling) ends here, so a flag's
    steps keep their offset to the release they ship with.
    """
    with ws.write():
        before = {r.key: ws.release(r.key) for r in releases}
        moves = whole_moves(before, releases)
        flags = [shift_flag(f, moves[f.release]) for f in ws.flags_of(moves)]
        return ws.update_releases(releases, label, flags=flags)


def drag_release(ws: Workspace, key: str, part: Literal["body", "end"], days: int) -> ChangeSet:
    """What dragging a timeline bar means: the body moves the whole release, the end its target.

    Args:
        ws: The open workspace.
        key: The dragged release.
        part: ``"body"`` (:func:`move_release`) or ``"end"`` (:func:`set_release_date` of the
            target, never before the start, as the drag showed it).
        days: How far the mouse moved, in days.

    Raises:
        UnknownObjectError: no release has this key.
        ValidationError: the release has no dates; nothing is written.
    """
    if part == "body":
        return move_release(ws, key, days)
    with ws.write():
        release = ws.release(key)
        if release.start is None or release.target is None:
            raise ValidationError([Issue(f"{key}.target", "the release has no start and target")])
        target = max(release.start, release.target + dt.timedelta(days=days))
        return set_release_date(ws, key, "target", target)


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
        return impact, write_moves(ws, changed, f"Slip {key} by {days:+d} days")
