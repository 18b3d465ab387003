"""Preview and push every connection at once: what the window's Sync → Push Changes… runs.

:func:`preview` lists, per connection, the remote changes local edits call for. For a connection
with push on it re-reads each object (a dry run of :func:`relplan.sync.push.run_push`), so each
change shows the remote value now; a connection with push off is listed without reading the
tracker, with how to turn it on. Nothing is written by a preview. :func:`push_all` then pushes the
connections with push on, one after another, through :func:`~relplan.sync.push.run_push`:
each object is re-read again just before its write, so a remote change made between the
preview and the confirmation becomes a conflict, never an overwrite.

Both run on the workspace's thread (they read and write it) and take a cancel token and a
progress callback, so a window can run them in the background.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from relplan.errors import Cancelled, CredentialError, RelplanError, SyncError, ValidationError
from relplan.store import sync_state
from relplan.store.workspace import Workspace
from relplan.sync import engine, push, push_guard
from relplan.sync.credentials import CredentialStore
from relplan.sync.push_model import PushReport, RemoteChange
from relplan.sync.tracker import CONNECTION_KINDS, CancelToken, Tracker

#: A progress callback: connection, objects done, objects in all.
PushProgress = Callable[[str, int, int], None]
TrackerFor = Callable[[str], Tracker]

#: One line per failure kind (the message never carries a token; SyncError texts do not either).
_HINTS: Final = {
    401: "credentials rejected (401): update the token in Sync → Connections…",
    403: "permission denied (403): the account may not edit these objects",
    404: "not found (404): the object is gone or not visible to the account",
    409: "conflicting update at the source (409): sync, then push again",
    412: "the object changed at the source (412): sync, then push again",
    429: "rate limited (429): the tracker kept refusing; try again later",
}
#: What a row of the preview says about a change.
TO_PUSH: Final = "to push"
PUSH_OFF: Final = "push off"
WRITTEN: Final = "written"
ALREADY: Final = "already in sync"
CONFLICT: Final = "conflict"
NOT_WRITTEN: Final = "not written"


def failure_line(exc: BaseException) -> str:
    """What went wrong, in one line without secrets."""
    if isinstance(exc, SyncError):
        hint = _HINTS.get(exc.status or 0)
        if hint is not None:
            return hint
        if exc.kind == SyncError.NETWORK:
            return f"the tracker could not be reached: {exc}"
        return f"{exc.kind.lower().replace('_', ' ')}: {exc}"
    if isinstance(exc, Cancelled):
        return "cancelled"
    if isinstance(exc, CredentialError):
        return f"keyring problem: {exc}"
    if isinstance(exc, ValidationError):
        return "; ".join(exc.lines())
    if isinstance(exc, RelplanError):
        return str(exc)
    return f"unexpected error: {type(exc).__name__}: {exc}"


def turn_on_hint(name: str) -> str:
    """How to turn pushing on for a connection."""
    return f"push is off: turn it on with 'relplan connection set {name} --push on'"


@dataclass
class ConnectionPush:
    """One connection in a push preview.

    Attributes:
        name: the connection.
        push: whether pushing is on (off: its changes are listed, never written).
        changes: the remote changes (with ``remote_now`` when push is on and it was read).
        error: why reading the tracker failed (one line), if it did.
    """

    name: str
    push: bool
    changes: list[RemoteChange] = field(default_factory=list)
    error: str | None = None

    @property
    def fingerprint(self) -> str:
        """What these changes would write, for :func:`push_all`'s ``expected``."""
        return push_guard.fingerprint(self.changes)

    def line(self) -> str:
        """One line for the preview's header."""
        n = len(self.changes)
        what = f"{n} change{'s' if n != 1 else ''}" if n else "nothing to push"
        if self.error is not None:
            return f"{self.name}: {what}; reading the tracker failed: {self.error}"
        if not self.push:
            return f"{self.name}: {what}; {turn_on_hint(self.name)}"
        return f"{self.name}: {what}"


@dataclass
class PushOutcome:
    """What pushing one connection did: its report (possibly partial) and the failure line."""

    name: str
    report: PushReport
    error: str | None = None

    def line(self) -> str:
        """One line: written, already in sync, conflicts, not written, and the failure."""
        text = self.report.summary()
        return text if self.error is None else f"{text}; stopped: {self.error}"

    def states(self) -> dict[tuple[str, str, str], str]:
        """Each change's result by (entity, key, field)."""
        out: dict[tuple[str, str, str], str] = {}
        for c in self.report.written:
            out[_ident(c)] = WRITTEN
        for c in self.report.already:
            out[_ident(c)] = ALREADY
        for c in self.report.conflicts:
            out[_ident(c)] = f"{CONFLICT}: remote now {_show(c.remote_now)}"
        for c in self.report.not_written:
            out[_ident(c)] = NOT_WRITTEN
        return out


def _ident(change: RemoteChange) -> tuple[str, str, str]:
    return (change.entity, change.key, change.field)


def _show(value: Any) -> str:
    return "(none)" if value is None else str(value)


Row = tuple[str, str, str, str, str, str]


def rows(previews: Sequence[ConnectionPush], outcomes: Sequence[PushOutcome] = ()) -> list[Row]:
    """The preview table: connection, object, field, remote value now, new value, state.

    With ``outcomes`` (after the push), the state is each change's result; a change pushed that
    the preview did not list (a local edit made meanwhile) gets a row of its own.
    """
    results = {o.name: o for o in outcomes}
    out: list[Row] = []
    for p in previews:
        done = results.get(p.name)
        states = done.states() if done is not None else {}
        if not p.push:
            default = PUSH_OFF
        elif outcomes:
            default = NOT_WRITTEN
        else:
            default = NOT_WRITTEN if p.error is not None else TO_PUSH
        seen = set()
        for c in p.changes:
            seen.add(_ident(c))
            out.append(_row(p.name, c, states.get(_ident(c), default)))
        if done is not None:
            for c in done.report.written:
                if _ident(c) not in seen:
                    out.append(_row(p.name, c, f"{WRITTEN} (edited after the preview)"))
    return out


def _row(name: str, c: RemoteChange, state: str) -> Row:
    now = c.base if c.remote_now is None else c.remote_now
    return (name, c.remote_object, c.remote_field, _show(now), _show(c.new), state)


def pushable(ws: Workspace) -> list[str]:
    """The tracker connections (Jira, Azure Boards); delivery sources are never pushed."""
    return [c.name for c in sync_state.connections(ws.conn) if c.kind in CONNECTION_KINDS]


def preview(
    ws: Workspace,
    credentials: CredentialStore,
    *,
    names: Sequence[str] = (),
    tracker_for: TrackerFor = engine.tracker_for,
    cancel: CancelToken | None = None,
    progress: PushProgress | None = None,
) -> list[ConnectionPush]:
    """What a push of every connection (or ``names``) would write; nothing is written.

    A connection with push on is read (a dry run, which also counts as its first push's
    preview); a failure to read it is kept on its entry, and the other connections go on.

    Raises:
        Cancelled: ``cancel`` was set.
    """
    token = cancel or CancelToken()
    out = []
    for name in names or pushable(ws):
        token.raise_if_cancelled()
        config = engine.load_config(ws, name)
        entry = ConnectionPush(name, config.push)
        out.append(entry)
        try:
            entry.changes = push.plan_push(ws, name)
            if not config.push or not entry.changes:
                continue
            report = push.run_push(
                ws, name, credentials, dry_run=True, tracker=tracker_for(config.kind),  # type: ignore[arg-type]
                cancel=token, progress=_for(name, progress),
            )  # fmt: skip
            entry.changes = report.changes
        except Cancelled:
            raise
        except (RelplanError, OSError) as exc:
            entry.error = failure_line(exc)
    return out


def push_all(
    ws: Workspace,
    credentials: CredentialStore,
    names: Sequence[str],
    *,
    tracker_for: TrackerFor = engine.tracker_for,
    cancel: CancelToken | None = None,
    progress: PushProgress | None = None,
    expected: Mapping[str, str] | None = None,
) -> list[PushOutcome]:
    """Push ``names`` (those with push off are skipped) one after another.

    A connection that fails keeps its partial report and failure line, and the next one goes on;
    a cancel stops the push: the cancelled connection's report says what was and was not
    written, and the connections after it are not started.

    ``expected``: connection -> fingerprint of its previewed changes (:func:`preview`). Every
    connection is checked before anything is written: when any plan changed since the preview,
    nothing is pushed at all.

    Raises:
        PlanChangedError: with ``expected``, a plan is not the previewed one.
    """
    token = cancel or CancelToken()
    out: list[PushOutcome] = []
    if expected is not None:
        changed = [
            n for n in names
            if push_guard.fingerprint(push.plan_push(ws, n)) != expected.get(n)
        ]  # fmt: skip
        if changed:
            raise push_guard.PlanChangedError(changed)
    for name in names:
        if token.cancelled:
            break
        config = engine.load_config(ws, name)
        if not config.push:
            continue
        try:
            report = push.run_push(
                ws, name, credentials, tracker=tracker_for(config.kind),  # type: ignore[arg-type]
                cancel=token, progress=_for(name, progress),
                expected=None if expected is None else expected.get(name),
            )  # fmt: skip
            out.append(PushOutcome(name, report))
        except (RelplanError, OSError) as exc:
            partial = getattr(exc, "push_report", None) or PushReport(name)
            out.append(PushOutcome(name, partial, failure_line(exc)))
            if isinstance(exc, Cancelled):
                break
    return out


def _for(name: str, progress: PushProgress | None) -> Callable[[int, int], None] | None:
    if progress is None:
        return None

    def report(done: int, total: int) -> None:
        progress(name, done, total)

    return report
