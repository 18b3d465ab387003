"""Keeping and forgetting connections: the token in the keyring, the rest in the workspace."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from relplan.errors import CredentialError, UnknownObjectError
from relplan.store import sync_state
from relplan.store.workspace import Workspace
from relplan.sync import engine
from relplan.sync.credentials import KeyringStore, connection_key, read_secret
from relplan.sync.tracker import ConnectionConfig
from tests.helpers.memory_keyring import MemoryKeyring

CONFIG = ConnectionConfig("jira", "jira_dc", "https://jira.example.com", jql="project = X")


def test_add_then_remove(tmp_path: Path) -> None:
    store = KeyringStore(MemoryKeyring())
    with Workspace.open(tmp_path / "w.relplan") as ws:
        engine.add_connection(ws, CONFIG, "pat-123", store)
        assert [c.name for c in sync_state.connections(ws.conn)] == ["jira"]
        assert store.get(connection_key(ws.path, "jira")) == "pat-123"
        engine.remove_connection(ws, "jira", store)
        assert sync_state.connections(ws.conn) == []
        assert store.get(connection_key(ws.path, "jira")) is None
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
        assert store.get(connection_key(ws.path, "jira")) is None
        assert sync_state.connections(ws.conn) == []


SAME_ACCOUNT = ConnectionConfig("jira-b", "jira_dc", "https://jira.example.com", jql="project = Y")


def test_two_connections_to_one_account_keep_their_own_tokens(tmp_path: Path) -> None:
    keyring = MemoryKeyring()
    store = KeyringStore(keyring)
    with Workspace.open(tmp_path / "w.relplan") as ws:
        engine.add_connection(ws, CONFIG, "token-a", store)
        engine.add_connection(ws, SAME_ACCOUNT, "token-b", store)
        a, b = engine.load_config(ws, "jira"), engine.load_config(ws, "jira-b")
        assert a.secret is not None
        assert b.secret is not None
        assert read_secret(store, a.secret) == "token-a"  # not overwritten by the second
        assert read_secret(store, b.secret) == "token-b"
        engine.remove_connection(ws, "jira", store)
        assert read_secret(store, engine.load_config(ws, "jira-b").secret) == "token-b"
        assert store.get(connection_key(ws.path, "jira")) is None


def test_a_legacy_entry_moves_and_is_deleted_only_when_no_one_needs_it(tmp_path: Path) -> None:
    keyring = MemoryKeyring()
    store = KeyringStore(keyring)
    legacy = CONFIG.credential_key  # both connections once shared this entry
    with Workspace.open(tmp_path / "w.relplan") as ws:
        for config in (CONFIG, SAME_ACCOUNT):
            row = sync_state.ConnectionRow(
                config.name, config.kind, config.url, config.settings_json(), "2026-11-01"
            )
            sync_state.save_connection(ws.conn, row)
        store.set(legacy, "old-token")
        a = engine.load_config(ws, "jira").secret
        assert a is not None
        assert read_secret(store, a) == "old-token"
        assert store.get(connection_key(ws.path, "jira")) == "old-token"
        assert store.get(legacy) == "old-token"  # jira-b has not moved yet: kept for it
        b = engine.load_config(ws, "jira-b").secret
        assert b is not None
        assert read_secret(store, b) == "old-token"
        assert store.get(legacy) is None  # nobody relies on it any more
        assert store.get(connection_key(ws.path, "jira-b")) == "old-token"


def test_removing_a_connection_keeps_a_legacy_entry_another_one_uses(tmp_path: Path) -> None:
    store = KeyringStore(MemoryKeyring())
    legacy = CONFIG.credential_key
    with Workspace.open(tmp_path / "w.relplan") as ws:
        for config in (CONFIG, SAME_ACCOUNT):
            row = sync_state.ConnectionRow(
                config.name, config.kind, config.url, config.settings_json(), "2026-11-01"
            )
            sync_state.save_connection(ws.conn, row)
        store.set(legacy, "old-token")
        engine.remove_connection(ws, "jira", store)
        assert store.get(legacy) == "old-token"  # jira-b still reads it
        b = engine.load_config(ws, "jira-b").secret
        assert b is not None
        assert read_secret(store, b) == "old-token"
        engine.remove_connection(ws, "jira-b", store)
        assert store.get(legacy) is None
        assert store.get(connection_key(ws.path, "jira-b")) is None


def test_a_copied_workspace_has_its_own_entries(tmp_path: Path) -> None:
    import shutil

    store = KeyringStore(MemoryKeyring())
    with Workspace.open(tmp_path / "w.relplan") as ws:
        engine.add_connection(ws, CONFIG, "token-a", store)
    shutil.copy(tmp_path / "w.relplan", tmp_path / "copy.relplan")
    with Workspace.open(tmp_path / "copy.relplan") as copy:
        with pytest.raises(CredentialError):  # no token of its own yet
            read_secret(store, engine.load_config(copy, "jira").secret)  # type: ignore[arg-type]
        engine.remove_connection(copy, "jira", store)
    with Workspace.open(tmp_path / "w.relplan") as ws:
        assert read_secret(store, engine.load_config(ws, "jira").secret) == "token-a"  # type: ignore[arg-type]


def test_a_delivery_spec_is_checked_kept_and_read_back_as_the_cli_keeps_it(
    tmp_path: Path,
) -> None:
    from relplan.sync.delivery.connections import DeliverySpec, add_delivery_connection

    bad = DeliverySpec("gitlab", "a|b", "http://gitlab.corp.example", "PAY", ("prod",), {})
    assert [str(i) for i in bad.issues()] == [
        "name: 'a|b' is not a usable connection name",
        "--project: gitlab needs --project",
        "--url: plain http:// to gitlab.corp.example would send the token unencrypted; use"
        " https:// (http:// is allowed only for localhost)",
    ]
    spec = DeliverySpec(
        "github", "web", None, "PAY", ("production", "prod-eu"),
        {"repo": "acme/app", "workflow": "deploy.yml", "job": "ignored"},
    )  # fmt: skip
    assert spec.issues() == []
    store = KeyringStore(MemoryKeyring())
    with Workspace.open(tmp_path / "w.relplan") as ws:
        url = add_delivery_connection(
            ws, kind=spec.kind, name=spec.name, url=spec.url, team=spec.team,
            production=spec.production, scope=spec.scope, token="t", store=store,
        )  # fmt: skip
        back = DeliverySpec.from_row(sync_state.connection(ws.conn, "web"))
    assert url == "https://api.github.com"
    assert back == DeliverySpec(
        "github", "web", url, "PAY", ("production", "prod-eu"),
        {"repo": "acme/app", "workflow": "deploy.yml"},
    )  # fmt: skip
