"""The typed error hierarchy of relplan's core.

Each error carries structured fields and a one-line ``str()``; wording for dialogs lives in
``relplan.ui.errors``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from relplan.domain.bounds import echo


class RelplanError(Exception):
    """Base of every error relplan raises on purpose."""


class StoreError(RelplanError):
    """The workspace file cannot be used."""


class NotAWorkspaceError(StoreError):
    """The file exists but is not a relplan workspace (or is damaged)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path} is not a relplan workspace: {reason}")
        self.path = path
        self.reason = reason


class NewerSchemaError(StoreError):
    """The workspace was written by a newer relplan."""

    def __init__(self, path: str, found: int, supported: int) -> None:
        super().__init__(
            f"{path} has workspace schema version {found}, but this relplan understands up to "
            f"{supported}; upgrade relplan to open it"
        )
        self.path = path
        self.found = found
        self.supported = supported


class MigrationError(StoreError):
    """A schema migration failed; the backup copy is named."""


class WorkspaceBusyError(StoreError):
    """Another process kept writing to the workspace for longer than a write waits."""


class ChangedSinceError(StoreError):
    """Undo or redo was refused: a later change touched the same objects."""


class NothingToUndoError(StoreError):
    """Undo or redo was asked for with an empty history."""


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found while reading input: where, what was found and what was expected."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ValidationError(RelplanError):
    """Input was rejected; ``issues`` lists every problem found (one line each)."""

    def __init__(self, issues: Sequence[Issue], *, source: str = "") -> None:
        self.issues = list(issues)
        self.source = source
        first = str(self.issues[0]) if self.issues else "invalid input"
        more = f" (and {len(self.issues) - 1} more)" if len(self.issues) > 1 else ""
        super().__init__(f"{source + ': ' if source else ''}{first}{more}")

    def lines(self) -> list[str]:
        """One line per problem, prefixed with the source file when known."""
        prefix = f"{self.source}: " if self.source else ""
        return [f"{prefix}{issue}" for issue in self.issues]


class PlanningError(RelplanError):
    """A planning analysis cannot run on this plan."""


class DependencyCycleError(PlanningError):
    """The dependency graph has a cycle; ``cycle`` lists its nodes in order, first repeated last."""

    def __init__(self, cycle: Sequence[str]) -> None:
        self.cycle = list(cycle)
        super().__init__("dependency cycle: " + " -> ".join(self.cycle))


class UnknownObjectError(RelplanError):
    """A key names nothing in the workspace."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"no {kind} with key {echo(key)} in the workspace")
        self.kind = kind
        self.key = key


class Cancelled(RelplanError):  # noqa: N818 - the name STYLE.md gives it
    """Long work was cancelled by the user."""


class SyncError(RelplanError):
    """A sync with a tracker failed.

    Attributes:
        kind: one of :data:`SyncError.KINDS`: ``AUTH`` (credentials rejected), ``NETWORK`` (the
            host could not be reached or did not answer in time), ``RATE_LIMITED`` (the tracker
            kept refusing with 429/503), ``CONFLICT`` (the request clashed with the tracker's
            state) or ``REMOTE`` (the tracker answered with an error, or something was not found).
        message: what happened, in one line, without any secret.
        status: the HTTP status, when there was one.
        url: the request's URL (never with credentials in it), when there was one.
    """

    AUTH = "AUTH"
    NETWORK = "NETWORK"
    RATE_LIMITED = "RATE_LIMITED"
    CONFLICT = "CONFLICT"
    REMOTE = "REMOTE"
    KINDS = (AUTH, NETWORK, RATE_LIMITED, CONFLICT, REMOTE)

    def __init__(
        self, kind: str, message: str, *, status: int | None = None, url: str | None = None
    ) -> None:
        if kind not in self.KINDS:
            raise ValueError(f"unknown sync error kind {kind!r}")
        self.kind = kind
        self.message = message
        self.status = status
        self.url = url
        super().__init__(message)


class CredentialError(RelplanError):
    """The OS keyring cannot store or give back a secret.

    Attributes:
        reason: what went wrong.
        hint: how to fix it, in plain words.
    """

    def __init__(self, reason: str, hint: str = "") -> None:
        self.reason = reason
        self.hint = hint
        super().__init__(f"{reason}; {hint}" if hint else reason)
