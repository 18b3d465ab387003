"""Adding, changing and removing a freeze: one undoable command each."""

from __future__ import annotations

from relplan.domain import codec
from relplan.domain.model import Freeze
from relplan.edits.common import exists
from relplan.errors import Issue, UnknownObjectError, ValidationError
from relplan.store.commands import Command, Edit
from relplan.store.entities import TABLES
from relplan.store.workspace import Workspace

__all__ = ["freeze_command"]


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
    if renamed and after.name and exists(ws, "freeze", after.name):
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
