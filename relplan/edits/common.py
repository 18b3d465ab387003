"""Small store look-ups the edit modules share."""

from __future__ import annotations

from relplan.store.entities import TABLES
from relplan.store.workspace import Workspace


def exists(ws: Workspace, entity: str, key: str) -> bool:
    """Whether the workspace holds an object of ``entity`` (a table name) with this key."""
    return key in TABLES[entity].load(ws.conn, [key])
