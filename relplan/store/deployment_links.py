"""A pulled deployment's release link as a plan entity, so that overriding it is undoable.

The link lives in two columns of ``delivery_deployments`` (``release``, ``link``). Registering
them as the kind ``deployment_link`` in :data:`~relplan.store.entities.TABLES` lets a person's
choice go through :mod:`relplan.store.commands` like any edit: one command, audited, undone by
``relplan undo`` or Edit → Undo. Only those two columns are ever written: the rest of the row is
what the source reported, and a later pull keeps an ``override`` (see
:mod:`relplan.sync.delivery.connections`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from relplan.store.entities import TABLES, EntityTable, Row, composite_key, split_composite

__all__ = ["DeploymentLink", "link_key", "load_link"]


@dataclass(frozen=True, slots=True)
class DeploymentLink:
    """Which release a pulled deployment belongs to, and how that was decided.

    Attributes:
        connection: The delivery connection it was pulled from.
        source_id: Its id at the source.
        release: The release key, or None (linked to no release).
        link: ``explicit``, ``inferred``, ``override`` or ``""``.
    """

    connection: str
    source_id: str
    release: str | None
    link: str


def link_key(connection: str, source_id: str) -> str:
    """The entity key of a deployment's link."""
    return composite_key(connection, source_id)


def _row(link: DeploymentLink) -> Row:
    return (link.connection, link.source_id, link.release, link.link)


def _from_row(_conn: sqlite3.Connection, row: Row) -> DeploymentLink:
    return DeploymentLink(row[0], row[1], row[2], row[3] or "")


def _plain(link: DeploymentLink) -> dict[str, Any]:
    return {"connection": link.connection, "source_id": link.source_id,
            "release": link.release, "link": link.link}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _LinkTable(EntityTable):
    """Updates the two link columns of a stored deployment; never adds or removes rows."""

    def upsert(
        self, conn: sqlite3.Connection, objs: Sequence[Any], rows: Sequence[Row] | None = None
    ) -> None:
        """Write the links of these (stored) deployments."""
        rows = rows if rows is not None else [_row(o) for o in objs]
        conn.executemany(
            "UPDATE delivery_deployments SET release = ?, link = ?"
            " WHERE connection = ? AND source_id = ?",
            [(r[2], r[3], r[0], r[1]) for r in rows],
        )

    def insert(self, conn: sqlite3.Connection, objs: Sequence[Any], rows: Sequence[Row]) -> None:
        """Same as :meth:`upsert`: a link exists as long as its deployment does."""
        self.upsert(conn, objs, rows)

    def delete(self, conn: sqlite3.Connection, keys: Sequence[str]) -> None:
        """Unlink (a link is never deleted with its deployment from here)."""
        conn.executemany(
            "UPDATE delivery_deployments SET release = NULL, link = ''"
            " WHERE connection = ? AND source_id = ?",
            map(split_composite, keys),
        )


TABLE: EntityTable = _LinkTable(
    "deployment_link", "delivery_deployments", ("connection", "source_id"),
    ("connection", "source_id", "release", "link"),
    _row, _from_row, lambda link: link_key(link.connection, link.source_id), split_composite,
    _plain, lambda d: DeploymentLink(**d),
)  # fmt: skip

# Undo and redo look kinds up in TABLES: register ours (idempotent).
TABLES.setdefault(TABLE.entity, TABLE)


def load_link(conn: sqlite3.Connection, connection: str, source_id: str) -> DeploymentLink | None:
    """The link of one stored deployment (None: no such deployment)."""
    found: dict[str, DeploymentLink] = TABLE.load(conn, [link_key(connection, source_id)])
    return found.get(link_key(connection, source_id))
