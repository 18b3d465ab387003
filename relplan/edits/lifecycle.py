"""Edits of the release lifecycle: templates, releases and trains from templates, feature flags.

Each builder checks everything first and returns one command (one undoable change), or raises
and writes nothing; the command line and the window call the same builders. Nothing here
imports Qt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from relplan.domain import bounds, codec, lifecycle_codec
from relplan.domain.model import Flag, Release, Template
from relplan.domain.templates import SHIPPED, TrainPlan, all_templates, train_plans
from relplan.domain.templates import release_from_template as _from_template
from relplan.errors import Issue, UnknownObjectError, ValidationError
from relplan.store.commands import ChangeSet, Command, Edit
from relplan.store.entities import TABLES
from relplan.store.workspace import Workspace

__all__ = [
    "add_template",
    "add_template_command",
    "flag_command",
    "new_release",
    "new_release_command",
    "new_train",
    "preview_train",
    "remove_template",
    "remove_template_command",
    "save_flag",
    "save_template",
    "save_template_command",
    "template_named",
    "templates",
    "train_command",
]

_SHIPPED_KEYS = frozenset(t.key for t in SHIPPED)


def templates(ws: Workspace) -> list[Template]:
    """Every template the workspace can use: the shipped ones and its own, by key."""
    return all_templates(TABLES["template"].all(ws.conn, "key"))


def is_shipped(ws: Workspace, key: str) -> bool:
    """Whether ``key`` names a shipped template the workspace does not override."""
    return key in _SHIPPED_KEYS and key not in TABLES["template"].load(ws.conn, [key])


def template_named(ws: Workspace, key: str, *, where: str = "--template") -> Template:
    """The template ``key``.

    Raises:
        ValidationError: there is no such template (the message lists them).
    """
    found = {t.key: t for t in templates(ws)}
    if key not in found:
        names = ", ".join(sorted(found))
        raise ValidationError([Issue(where, f"no template {key!r} (templates: {names})")])
    return found[key]


def add_template_command(ws: Workspace, template: Template) -> Command:
    """The command that adds a workspace template (it may override a shipped one's key).

    Raises:
        ValidationError: the template is invalid or the workspace has one with this key.
    """
    dec = codec.Decoder()
    lifecycle_codec.read_template(dec, lifecycle_codec.encode_template(template), "template")
    issues = list(dec.issues)
    if template.key in TABLES["template"].load(ws.conn, [template.key]):
        message = f"the workspace already has a template {template.key!r}; remove it first"
        issues.append(Issue("template.key", message))
    if issues:
        raise ValidationError(issues)
    edit = Edit("template", template.key, None, template)
    return Command(f"Add template {template.key}", (edit,))


def save_template_command(ws: Workspace, before: str | None, template: Template) -> Command:
    """The command that adds a workspace template (``before`` None) or replaces one.

    Replacing keeps the key or renames it (the new key must be free among the workspace's own
    templates). A shipped template is never changed: saving one under its key adds a workspace
    template that overrides it, as :func:`add_template_command` does.

    Raises:
        ValidationError: the template is invalid or the new key is taken; nothing is written.
    """
    table = TABLES["template"]
    stored = None if before is None else table.load(ws.conn, [before]).get(before)
    if before is None or stored is None:
        return add_template_command(ws, template)
    dec = codec.Decoder()
    lifecycle_codec.read_template(dec, lifecycle_codec.encode_template(template), "template")
    issues = list(dec.issues)
    if template.key != before and template.key in table.load(ws.conn, [template.key]):
        message = f"the workspace already has a template {template.key!r}"
        issues.append(Issue("template.key", message))
    if issues:
        raise ValidationError(issues)
    if template.key == before:
        edit = Edit("template", template.key, stored, template)
        return Command(f"Edit template {template.key}", (edit,))
    edits = (Edit("template", before, stored, None), Edit("template", template.key, None, template))
    return Command(f"Rename template {before} to {template.key}", edits)


def save_template(ws: Workspace, before: str | None, template: Template) -> ChangeSet:
    """:func:`save_template_command`, executed in one write transaction."""
    with ws.write():
        return ws.execute(save_template_command(ws, before, template))


def remove_template_command(ws: Workspace, key: str) -> Command:
    """The command that removes a workspace template (shipped ones cannot be removed).

    Raises:
        ValidationError: ``key`` is a shipped template or no template at all.
    """
    stored = TABLES["template"].load(ws.conn, [key]).get(key)
    if stored is None:
        why = "is shipped with relplan and cannot be removed" if key in _SHIPPED_KEYS else ""
        message = f"template {key!r} {why}" if why else f"no workspace template {key!r}"
        raise ValidationError([Issue("template", message)])
    return Command(f"Remove template {key}", (Edit("template", key, stored, None),))


def add_template(ws: Workspace, template: Template) -> ChangeSet:
    """:func:`add_template_command`, executed in one write transaction."""
    with ws.write():
        return ws.execute(add_template_command(ws, template))


def remove_template(ws: Workspace, key: str) -> ChangeSet:
    """:func:`remove_template_command`, executed in one write transaction."""
    with ws.write():
        return ws.execute(remove_template_command(ws, key))


def _release_issues(ws: Workspace, releases: Sequence[Release], where: str) -> list[Issue]:
    """What stops these new releases from being added: taken keys, unknown teams or
    environments (the template names environments the workspace lacks)."""
    issues: list[Issue] = []
    keys = [r.key for r in releases]
    taken = TABLES["release"].load(ws.conn, keys)
    teams = TABLES["team"].existing_keys(ws.conn)
    envs = TABLES["environment"].existing_keys(ws.conn)
    seen: set[str] = set()
    for r in releases:
        problem = bounds.key_problem(r.key)
        if problem is not None:
            issues.append(Issue(where, f"release key {bounds.echo(r.key)}: {problem}"))
        if r.key in taken or r.key in seen:
            issues.append(Issue(where, f"release {r.key!r} already exists"))
        seen.add(r.key)
        if r.team not in teams:
            issues.append(Issue("--team", f"no team {r.team!r}"))
    needed = {s.environment for r in releases for s in r.stages}
    needed.update(g.environment for r in releases for g in r.gates if g.environment)
    issues.extend(
        Issue("--template", f"the template needs environment {env!r}, which the workspace lacks")
        for env in sorted(needed - envs)
    )
    # One message per problem, even when several releases share it (a missing team).
    return list(dict.fromkeys(issues))


def new_release_command(
    ws: Workspace,
    *,
    key: str,
    team: str,
    template: str,
    target: dt.date,
    train: str | None = None,
    name: str | None = None,
) -> tuple[Release, Command]:
    """The release ``template`` gives for ``target`` and the command that adds it.

    Raises:
        ValidationError: the key is taken, the team, train or template is unknown, or the
            template names an environment the workspace lacks; nothing is written.
    """
    issues: list[Issue] = []
    if train is not None and train not in TABLES["train"].existing_keys(ws.conn):
        issues.append(Issue("--train", f"no train {train!r}"))
    if team not in TABLES["team"].existing_keys(ws.conn):
        issues.append(Issue("--team", f"no team {team!r}"))
    chosen = template_named(ws, template)
    release = _from_template(chosen, key=key, team=team, target=target, train=train, name=name)
    issues = list(dict.fromkeys(issues + _release_issues(ws, [release], "KEY")))
    if issues:
        raise ValidationError(issues)
    label = f"New release {key} from template {chosen.key}"
    return release, Command(label, (Edit("release", key, None, release),))


def new_release(
    ws: Workspace,
    *,
    key: str,
    team: str,
    template: str,
    target: dt.date,
    train: str | None = None,
    name: str | None = None,
) -> tuple[Release, ChangeSet]:
    """Add the release ``template`` gives for ``target``, as one undoable change.

    Raises:
        ValidationError: as :func:`new_release_command`; nothing is written.
    """
    with ws.write():
        release, command = new_release_command(
            ws, key=key, team=team, template=template, target=target, train=train, name=name
        )
        return release, ws.execute(command)


def preview_train(
    ws: Workspace,
    *,
    key: str,
    target: dt.date,
    teams: Sequence[str],
    template: str,
    every_days: int | None = None,
    count: int | None = None,
    name: str | None = None,
) -> list[TrainPlan]:
    """What :func:`new_train` would add, checked (for the window's preview and the command).

    Raises:
        ValidationError: a key is taken, a team or the template unknown, or the cadence
            incomplete; the message says which.
    """
    issues: list[Issue] = []
    if (every_days is None) != (count is None):
        issues.append(Issue("--every", "--every and --count go together"))
    if count is not None and not 1 <= count <= 100:
        issues.append(Issue("--count", f"expected 1..100 trains, found {count}"))
    if not teams:
        issues.append(Issue("--teams", "name at least one team"))
    if len(set(teams)) != len(teams):
        issues.append(Issue("--teams", "a team is named twice"))
    if issues:
        raise ValidationError(issues)
    chosen = template_named(ws, template)
    plans = train_plans(
        chosen, key=key, target=target, teams=teams, every_days=every_days, count=count, name=name
    )
    train_keys = [p.train.key for p in plans]
    taken = TABLES["train"].load(ws.conn, train_keys)
    issues.extend(Issue("KEY", f"train {k!r} already exists") for k in train_keys if k in taken)
    for k in train_keys:
        problem = bounds.key_problem(k)
        if problem is not None:
            issues.append(Issue("KEY", f"train key {bounds.echo(k)}: {problem}"))
    issues.extend(_release_issues(ws, [r for p in plans for r in p.releases], "KEY"))
    if issues:
        raise ValidationError(list(dict.fromkeys(issues)))
    return plans


def train_command(plans: Sequence[TrainPlan], template: str) -> Command:
    """The command that adds checked trains (:func:`preview_train`) and their releases."""
    edits = [Edit("train", p.train.key, None, p.train) for p in plans]
    edits += [Edit("release", r.key, None, r) for p in plans for r in p.releases]
    key = plans[0].train.key
    what = key if len(plans) == 1 else f"{key}…{plans[-1].train.key}"
    return Command(f"New train {what} from template {template}", tuple(edits))


def new_train(
    ws: Workspace,
    *,
    key: str,
    target: dt.date,
    teams: Sequence[str],
    template: str,
    every_days: int | None = None,
    count: int | None = None,
    name: str | None = None,
) -> tuple[list[TrainPlan], ChangeSet]:
    """Add a train (or a series) with one release per team from ``template``: one change.

    Raises:
        ValidationError: as :func:`preview_train`; nothing is written.
    """
    with ws.write():
        plans = preview_train(
            ws, key=key, target=target, teams=teams, template=template,
            every_days=every_days, count=count, name=name,
        )  # fmt: skip
        return plans, ws.execute(train_command(plans, template))


def flag_command(ws: Workspace, before: Flag | None, after: Flag | None) -> Command:
    """The command that adds (``before`` None), changes or removes (``after`` None) a flag.

    Raises:
        ValidationError: the flag is invalid, its release or environment unknown, or its key
            taken; nothing is written.
        UnknownObjectError: the flag to change or remove is no longer in the workspace.
    """
    table = TABLES["flag"]
    stored = None
    if before is not None:
        stored = table.load(ws.conn, [before.key]).get(before.key)
        if stored is None:
            raise UnknownObjectError("flag", before.key)
    if after is None:
        assert before is not None
        return Command(f"Remove flag {before.key}", (Edit("flag", before.key, stored, None),))
    dec = codec.Decoder()
    lifecycle_codec.read_flag(dec, lifecycle_codec.encode_flag(after), "flag")
    issues = list(dec.issues)
    if after.release not in TABLES["release"].load(ws.conn, [after.release]):
        issues.append(Issue("flag.release", f"no release {after.release!r}"))
    if after.environment not in TABLES["environment"].existing_keys(ws.conn):
        issues.append(Issue("flag.environment", f"no environment {after.environment!r}"))
    renamed = before is None or before.key != after.key
    if renamed and after.key in table.load(ws.conn, [after.key]):
        issues.append(Issue("flag.key", f"a flag {after.key!r} already exists"))
    if issues:
        raise ValidationError(issues)
    if before is None:
        return Command(f"Add flag {after.key}", (Edit("flag", after.key, None, after),))
    if before.key != after.key:
        edits = (Edit("flag", before.key, stored, None), Edit("flag", after.key, None, after))
        return Command(f"Rename flag {before.key} to {after.key}", edits)
    return Command(f"Edit flag {after.key}", (Edit("flag", after.key, stored, after),))


def save_flag(ws: Workspace, before: Flag | None, after: Flag | None) -> ChangeSet:
    """:func:`flag_command`, executed in one write transaction."""
    with ws.write():
        return ws.execute(flag_command(ws, before, after))
