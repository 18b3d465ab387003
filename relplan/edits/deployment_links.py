"""Overriding which release a pulled deployment belongs to: one undoable command.

The window's Shipped tab (confirm the suggested release, assign another, or none) and
``relplan deployment link ID --release KEY|--none`` both call :func:`link_deployment`. The link
becomes ``override``, which a later pull keeps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from relplan.errors import Issue, UnknownObjectError, ValidationError
from relplan.store.commands import Command, Edit
from relplan.store.deployment_links import DeploymentLink, link_key, load_link

if TYPE_CHECKING:
    from relplan.store.commands import ChangeSet
    from relplan.store.workspace import Workspace

__all__ = ["OVERRIDE", "find_deployment", "link_deployment"]

#: The provenance of a link a person chose.
OVERRIDE = "override"


def find_deployment(ws: Workspace, ident: str) -> tuple[str, str]:
    """``(connection, source_id)`` of the deployment ``ident`` names.

    ``ident`` is ``CONNECTION:ID`` or, where only one connection has it, ``ID``.

    Raises:
        UnknownObjectError: no pulled deployment has that id.
        ValidationError: several connections have it (say which).
    """
    connection, colon, source_id = ident.rpartition(":")
    if colon:
        rows = ws.conn.execute(
            "SELECT connection, source_id FROM delivery_deployments"
            " WHERE connection = ? AND source_id = ?",
            (connection, source_id),
        ).fetchall()
    else:
        rows = ws.conn.execute(
            "SELECT connection, source_id FROM delivery_deployments WHERE source_id = ?"
            " ORDER BY connection",
            (ident,),
        ).fetchall()
    if not rows:
        raise UnknownObjectError("pulled deployment", ident)
    if len(rows) > 1:
        names = ", ".join(f"{c}:{i}" for c, i in rows)
        raise ValidationError([Issue("deployment", f"{ident!r} is ambiguous: say {names}")])
    return str(rows[0][0]), str(rows[0][1])


def link_deployment(
    ws: Workspace, connection: str, source_id: str, release: str | None
) -> ChangeSet | None:
    """Link a pulled deployment to ``release`` (None: to no release), as a person's override.

    Confirming a suggested (inferred) link is the same call with the suggested release: the
    link becomes ``override`` and a later pull no longer re-infers it.

    Returns:
        The change written, or None when the deployment already had exactly that override.

    Raises:
        UnknownObjectError: the deployment or the release is not in the workspace; nothing is
            written.
    """
    with ws.write():
        before = load_link(ws.conn, connection, source_id)
        if before is None:
            raise UnknownObjectError("pulled deployment", f"{connection}:{source_id}")
        if release is not None and not ws.release_rows([release]):
            raise UnknownObjectError("release", release)
        after = DeploymentLink(connection, source_id, release, OVERRIDE)
        if after == before:
            return None
        target = "no release" if release is None else release
        label = f"Link deployment {connection}:{source_id} to {target}"
        edit = Edit("deployment_link", link_key(connection, source_id), before, after)
        return ws.execute(Command(label, (edit,)))
