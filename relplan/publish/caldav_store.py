"""A calendar on a CalDAV server (Nextcloud, iCloud, Fastmail, Radicale, ...) via ``caldav``.

The password lives in the OS keyring under the service ``relplan`` and the name
``caldav:{url}:{user}`` (as sync keeps tracker tokens); it is never logged or stored elsewhere.
Errors from the server, the network or the keyring become :class:`PublishError` with a ``kind``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final, TypeVar

import keyring
import keyring.errors
from caldav.davclient import DAVClient
from caldav.lib import error as dav_error

from relplan.errors import Issue, RelplanError, ValidationError
from relplan.publish.publisher import EventResource, RemoteEvent, read_remote

__all__ = [
    "KEYRING_SERVICE",
    "CaldavCalendar",
    "PublishError",
    "check_url",
    "credential_name",
    "password_for",
    "store_password",
]

log = logging.getLogger(__name__)

KEYRING_SERVICE: Final = "relplan"
_T = TypeVar("_T")


class PublishError(RelplanError):
    """Publishing failed.

    Attributes:
        kind: ``AUTH`` (credentials missing or refused), ``NETWORK`` (the server could not be
            reached), ``REMOTE`` (the server answered with an error) or ``KEYRING`` (the OS
            keyring cannot be used).
        message: One line, without secrets.
    """

    AUTH = "AUTH"
    NETWORK = "NETWORK"
    REMOTE = "REMOTE"
    KEYRING = "KEYRING"

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        self.message = message
        super().__init__(message)


def check_url(url: str) -> None:
    """Refuse a server URL a password must not be sent to, before any connection: the
    trackers' rule (:func:`relplan.sync.tracker.url_problem`), plain ``http://`` only to
    loopback hosts.

    Raises:
        ValidationError: the URL is not https (or http to localhost), or carries credentials.
    """
    from relplan.sync.tracker import url_problem

    problem = url_problem(url, secret="password")
    if problem:
        raise ValidationError([Issue("--url", problem)])


def credential_name(url: str, user: str) -> str:
    """The keyring name of a CalDAV password: ``caldav:{url}:{user}``."""
    return f"caldav:{url}:{user}"


def password_for(url: str, user: str) -> str:
    """The stored password for ``user`` at ``url``.

    Raises:
        PublishError: ``AUTH`` when none is stored, ``KEYRING`` when the keyring fails.
    """
    try:
        password = keyring.get_password(KEYRING_SERVICE, credential_name(url, user))
    except keyring.errors.KeyringError as exc:
        raise PublishError(PublishError.KEYRING, f"the OS keyring cannot be read: {exc}") from exc
    if password is None:
        raise PublishError(
            PublishError.AUTH,
            f"no password for {user} at {url} in the keyring; "
            "publish once with --password-stdin to store it",
        )
    return str(password)


def store_password(url: str, user: str, password: str) -> None:
    """Keep the password for ``user`` at ``url`` in the keyring.

    Raises:
        PublishError: ``KEYRING`` when the keyring fails.
    """
    try:
        keyring.set_password(KEYRING_SERVICE, credential_name(url, user), password)
    except keyring.errors.KeyringError as exc:
        raise PublishError(PublishError.KEYRING, f"the OS keyring cannot store: {exc}") from exc


def _call(what: str, url: str, action: Callable[[], _T]) -> _T:
    """Run one server call, turning its failures into :class:`PublishError`."""
    try:
        return action()
    except dav_error.AuthorizationError as exc:
        raise PublishError(PublishError.AUTH, f"{url} refused the credentials ({what})") from exc
    except dav_error.DAVError as exc:
        raise PublishError(PublishError.REMOTE, f"{url}: {what} failed: {exc}") from exc
    except OSError as exc:  # niquests' connection errors and timeouts are OSErrors
        raise PublishError(PublishError.NETWORK, f"cannot reach {url} ({what}): {exc}") from exc


class CaldavCalendar:
    """One calendar (collection) on a CalDAV server, as a publishing target.

    Args:
        calendar: The ``caldav`` calendar object.
        url: The server URL, for messages.
    """

    def __init__(self, calendar: Any, url: str) -> None:
        self._calendar = calendar
        self._url = url

    @classmethod
    def connect(
        cls,
        url: str,
        name: str,
        *,
        user: str | None = None,
        password: str | None = None,
        timeout_s: int = 30,
    ) -> CaldavCalendar:
        """Open the calendar whose display name is ``name``, creating it when missing.

        Args:
            url: The server's CalDAV URL (or the principal's).
            name: The calendar's display name.
            user: The user name (None: no authentication).
            password: The password.
            timeout_s: Seconds to wait for each answer.

        Raises:
            PublishError: the server cannot be reached, refuses or fails.
        """
        check_url(url)
        # caldav's hints allow for its async client (coroutines); this is the sync one.
        client: Any = DAVClient(url=url, username=user, password=password, timeout=timeout_s)
        principal = _call("finding the principal", url, client.get_principal)
        for calendar in _call("listing calendars", url, principal.get_calendars):
            if _call("reading a calendar name", url, calendar.get_display_name) == name:
                return cls(calendar, url)
        log.info("creating calendar %r at %s", name, url)
        return cls(
            _call("creating the calendar", url, lambda: principal.make_calendar(name=name)), url
        )

    def list_events(self) -> list[RemoteEvent]:
        """Every event in the calendar, with its UID and fingerprint."""
        found = []
        for event in _call("listing events", self._url, self._calendar.get_events):
            read = read_remote(event.data)
            if read is not None:
                found.append(RemoteEvent(read[0], read[1], event))
        return found

    def create(self, resource: EventResource) -> None:
        """Add an event (its SEQUENCE is kept as it is)."""
        data = resource.data.decode("utf-8")
        _call(
            f"creating {resource.uid}",
            self._url,
            lambda: self._calendar.add_event(data, increase_seqno=False),
        )

    def update(self, handle: object, resource: EventResource) -> None:
        """Write over an event in place, at its URL (its SEQUENCE is kept as it is)."""
        event: Any = handle
        _call(f"updating {resource.uid}", self._url, lambda: event.save(raw_data=resource.data))

    def delete(self, handle: object) -> None:
        """Remove an event."""
        event: Any = handle
        _call("removing an event", self._url, event.delete)
