"""Keeping and forgetting connections: the token in the keyring, the rest in the workspace."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from relplan.errors import UnknownObjectError
from relplan.store import sync_state
from relplan.store.workspace import Workspace
from relplan.sync import engine
from relplan.sync.credentials import KeyringStore
from relplan.sync.tracker import ConnectionConfig
from tests.helpers.memory_keyring import MemoryKeyring

CONFIG = ConnectionConfig("jira", "jira_dc", "https://jira.example.com", jql="project = X")


def test_add_then_remove(tmp_path: Path) -> None:
    store = KeyringStore(MemoryKeyring())
    with Workspace.open(tmp_path / "w.relplan") as ws:
        engine.add_connection(ws, CONFIG, "pat-123", store)
        assert [c.name for c in sync_state.connections(ws.conn)] == ["jira"]
        assert store.get(CONFIG.credential_key) == "pat-123"
        engine.remove_connection(ws, "jira", store)
        assert sync_state.connections(ws.conn) == []
        assert store.get(CONFIG.credential_key) is None
        with pytest.raises(UnknownObjectError):
            engine.remove_connection(ws, "jira", store)


def test_a_refused_connection_leaves_no_token_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = KeyringStore(MemoryKeyring())

    def refuse(*_args: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(sync_state, "save_connection", refuse)
    with Workspace.open(tmp_path / "w.relplan") as ws:
        with pytest.raises(sqlite3.OperationalError):
            engine.add_connection(ws, CONFIG, "pat-123", store)
        assert store.get(CONFIG.credential_key) is None
        assert sync_state.connections(ws.conn) == []
