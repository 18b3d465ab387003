"""The commands behind the editors: one release save, one freeze change, one environment change.

Each builder checks everything first and returns one :class:`Command` (one undo step), or raises
and writes nothing. They need the open workspace and run on the DB lane (through
:class:`~relplan.ui.session.WorkspaceSession`); nothing here imports Qt. The dialogs return the
value objects defined here (:class:`ReleaseEdit`) and never touch the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from relplan.domain import codec
from relplan.domain.model import (
    RELEASE_PREFIX,
    Dependency,
    Environment,
    Freeze,
    Plan,
    Release,
    WorkItem,
)
from relplan.domain.rules import release_issues
from relplan.errors import DependencyCycleError, Issue, UnknownObjectError, ValidationError
from relplan.store.commands import Command, Edit
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


def _exists(ws: Workspace, entity: str, key: str) -> bool:
    return key in TABLES[entity].load(ws.conn, [key])


def _release_issues(ws: Workspace, release: Release) -> list[Issue]:
    decoder = codec.Decoder()
    decoder.release(codec.encode_release(release), release.key)
    issues = list(decoder.issues) + release_issues(release)
    if not _exists(ws, "team", release.team):
        issues.append(Issue(f"{release.key}.team", f"no team {release.team!r} in the workspace"))
    if release.train is not None and not _exists(ws, "train", release.train):
        issues.append(Issue(f"{release.key}.train", f"no train {release.train!r}"))
    envs = {s.environment for s in release.stages} | {
        g.environment for g in release.gates if g.environment is not None
    }
    for env in sorted(envs):
        if not _exists(ws, "environment", env):
            issues.append(Issue(f"{release.key}.stages", f"no environment {env!r}"))
    return issues


def _dependency_end_issue(ws: Workspace, ref: str) -> Issue | None:
    if not ref.startswith(RELEASE_PREFIX):
        return Issue("dependency", f"{ref} is not a release")
    key = ref.removeprefix(RELEASE_PREFIX)
    if not _exists(ws, "release", key):
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
        ValidationError: the release or a dependency is invalid; nothing is written.
        DependencyCycleError: an added dependency would close a cycle; nothing is written.
    """
    key = edit.after.key
    if key != edit.before.key:
        raise ValidationError([Issue(f"{edit.before.key}.key", "a release cannot be renamed")])
    stored = ws.release(key)  # raises UnknownObjectError
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
        from relplan.planning.edits import cycle_if_added

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


def freeze_command(ws: Workspace, before: Freeze | None, after: Freeze | None) -> Command:
    """The command that adds (``before`` None), changes or removes (``after`` None) a freeze.

    A renamed freeze is removed under its old name and added under the new one, in one command.

    Raises:
        ValidationError: the freeze is invalid, or its new name is taken; nothing is written.
        UnknownObjectError: the freeze to change or remove is no longer in the workspace.
    """
    from relplan.planning.freezes import rule_problem

    table = TABLES["freeze"]
    stored = None
    if before is not None:
        stored = table.load(ws.conn, [before.name]).get(before.name)
        if stored is None:
            raise UnknownObjectError("freeze", before.name)
    if after is None:
        assert before is not None
        return Command(f"Remove freeze {before.name}", (Edit("freeze", before.name, stored, None),))
    decoder = codec.Decoder()
    decoder.freeze(codec.encode_freeze(after), "freeze")
    issues = list(decoder.issues)
    problem = rule_problem(after, zone=ws.timezone)
    if problem is not None:
        issues.append(Issue("freeze.rrule", problem))
    known = {e.name for e in TABLES["environment"].all(ws.conn, "name")}
    issues.extend(
        Issue("freeze.environments", f"no environment {env!r}")
        for env in after.environments
        if env not in known
    )
    teams = {t.key for t in TABLES["team"].all(ws.conn, "key")}
    issues.extend(
        Issue("freeze.teams", f"no team {team!r}") for team in after.teams if team not in teams
    )
    renamed = before is None or before.name != after.name
    if renamed and after.name and _exists(ws, "freeze", after.name):
        issues.append(Issue("freeze.name", f"a freeze named {after.name!r} already exists"))
    if issues:
        raise ValidationError(issues)
    if before is None:
        return Command(f"Add freeze {after.name}", (Edit("freeze", after.name, None, after),))
    if before.name != after.name:
        edits = (
            Edit("freeze", before.name, stored, None),
            Edit("freeze", after.name, None, after),
        )
        return Command(f"Rename freeze {before.name} to {after.name}", edits)
    return Command(f"Edit freeze {after.name}", (Edit("freeze", after.name, stored, after),))


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
    return used
