"""Secrets live in the OS keyring (service ``relplan``) and nowhere else.

Each connection has its own entry, keyed by its workspace and name (:func:`connection_key`).
Before 2026-12 the entry was keyed by ``kind:url:user``, so two connections to the same site and
account shared one: adding the second overwrote the first's token and removing either deleted
both. :func:`read_secret` moves such an entry to the connection's own key when it is first read,
and an old entry is deleted only when no other connection still relies on it.

A :class:`KeyringStore` refuses backends that are no real keyring (keyring's ``fail`` and
``null`` backends, keyrings.alt's files): it raises :class:`~relplan.errors.CredentialError`
with a hint instead of ever writing a token to a file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

import keyring
import keyring.errors

from relplan.errors import CredentialError

log = logging.getLogger(__name__)

SERVICE: Final = "relplan"

NO_BACKEND_HINT: Final = (
    "relplan keeps tokens only in the operating system's keyring and found none it can use. "
    "On Linux install and unlock a Secret Service provider (GNOME Keyring or KWallet; e.g. "
    "'sudo apt install gnome-keyring' and log in to a desktop session); on a machine without a "
    "desktop start one with 'dbus-run-session -- sh -c \"echo PASSWORD | "
    "gnome-keyring-daemon --unlock --components=secrets; relplan ...\"'. On macOS and Windows "
    "the system keychain / Credential Manager is used. relplan never falls back to a file"
)


class CredentialStore(Protocol):
    """Where tokens are kept, by a key ``kind:url:user``."""

    def get(self, key: str) -> str | None:
        """The secret stored under ``key``, or None."""
        ...

    def set(self, key: str, secret: str) -> None:
        """Store ``secret`` under ``key``, replacing any old one."""
        ...

    def delete(self, key: str) -> None:
        """Forget the secret under ``key`` (no error when there is none)."""
        ...


def _unusable(backend: Any) -> str:
    """Why ``backend`` is no keyring relplan may use (empty: it is fine)."""
    module = type(backend).__module__
    name = type(backend).__name__
    if module.startswith("keyring.backends.fail") or module.startswith("keyring.backends.null"):
        return "no keyring backend is available"
    if module.startswith("keyrings.alt"):
        return f"the keyring backend {name} keeps secrets in a file"
    if module.startswith("keyring.backends.chainer") and not getattr(backend, "backends", None):
        return "no keyring backend is available"
    return ""


class KeyringStore:
    """A :class:`CredentialStore` over the ``keyring`` package, under the service ``relplan``.

    Args:
        backend: the keyring backend; the one keyring chose when None.
    """

    def __init__(self, backend: Any = None) -> None:
        self._backend = backend

    def _keyring(self) -> Any:
        backend = self._backend if self._backend is not None else keyring.get_keyring()
        why = _unusable(backend)
        if why:
            raise CredentialError(why, NO_BACKEND_HINT)
        return backend

    def get(self, key: str) -> str | None:
        """The secret under ``key`` (None when none is stored).

        Raises:
            CredentialError: the keyring is missing, locked or failed.
        """
        backend = self._keyring()
        try:
            value = backend.get_password(SERVICE, key)
        except keyring.errors.KeyringError as exc:
            raise CredentialError(
                f"the keyring could not be read ({exc})", NO_BACKEND_HINT
            ) from None
        return None if value is None else str(value)

    def set(self, key: str, secret: str) -> None:
        """Store ``secret`` under ``key``.

        Raises:
            CredentialError: the keyring is missing, locked or failed; nothing was stored.
        """
        if not secret:
            raise CredentialError("the token is empty", "paste the token again")
        backend = self._keyring()
        try:
            backend.set_password(SERVICE, key, secret)
        except keyring.errors.KeyringError as exc:
            raise CredentialError(
                f"the keyring refused to store the token ({exc})", NO_BACKEND_HINT
            ) from None
        log.info("stored a token in the keyring for %s", key)

    def delete(self, key: str) -> None:
        """Forget the secret under ``key``.

        Raises:
            CredentialError: the keyring is missing or failed.
        """
        backend = self._keyring()
        try:
            backend.delete_password(SERVICE, key)
        except keyring.errors.PasswordDeleteError:
            return
        except keyring.errors.KeyringError as exc:
            raise CredentialError(
                f"the keyring could not delete the token ({exc})", NO_BACKEND_HINT
            ) from None


def require_secret(store: CredentialStore, key: str, connection: str) -> str:
    """The secret of a connection.

    Raises:
        CredentialError: none is stored, or the keyring failed.
    """
    secret = store.get(key)
    if not secret:
        raise CredentialError(
            f"no token for connection {connection!r} in the keyring",
            "store it again with 'relplan connection add' (or the Connections dialog)",
        )
    return secret


def connection_key(workspace: str | Path, name: str) -> str:
    """The keyring name of one connection's secret: its workspace (resolved path) and name.

    A copy of a workspace file gets keys of its own, so removing a connection from the copy
    never deletes the original's token.
    """
    return f"connection:{Path(workspace).resolve()}:{name}"


@dataclass(frozen=True, slots=True)
class SecretRef:
    """Where a connection's secret is kept.

    Attributes:
        connection: The connection's name (for messages).
        key: Its own keyring entry (:func:`connection_key`).
        legacy: The entry it had before, ``kind:url:user``, shared by same-account connections.
        others: The own keys of the workspace's other connections with the same legacy entry;
            the legacy entry is still in use while one of them has no own entry yet.
    """

    connection: str
    key: str
    legacy: str
    others: tuple[str, ...] = ()

    def legacy_in_use(self, store: CredentialStore) -> bool:
        """Whether another connection may still read the legacy entry."""
        return any(store.get(key) is None for key in self.others)


def read_secret(store: CredentialStore, ref: SecretRef) -> str:
    """A connection's secret, moved from its legacy entry on first use.

    Raises:
        CredentialError: none is stored, or the keyring failed.
    """
    secret = store.get(ref.key)
    if secret:
        return secret
    secret = store.get(ref.legacy) if ref.legacy != ref.key else None
    if not secret:
        return require_secret(store, ref.key, ref.connection)  # raises: nothing stored
    store.set(ref.key, secret)
    if not ref.legacy_in_use(store):
        store.delete(ref.legacy)
    log.info("moved the token of connection %s to its own keyring entry", ref.connection)
    return secret


def forget_secret(store: CredentialStore, ref: SecretRef) -> None:
    """Delete a connection's own entry, and its legacy entry unless another connection still
    relies on it (never a secret another connection uses)."""
    store.delete(ref.key)
    if ref.legacy != ref.key and not ref.legacy_in_use(store):
        store.delete(ref.legacy)
