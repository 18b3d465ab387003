"""What a push plans and reports: one remote field to write, and what became of each.

Apart from :mod:`relplan.sync.push` so that the modules planning parts of a push (links,
creates) and the preview can name them without importing the push itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["PushReport", "RemoteChange"]


@dataclass(frozen=True, slots=True)
class RemoteChange:
    """One remote field to write.

    Attributes:
        entity: ``release`` or ``work_item``.
        key: the local key.
        source_id: the remote id (``version:ID`` or the issue id).
        remote_object: what the tracker calls it (``version v2.7.0``, ``issue EE-1``).
        field: the local field (``start``, ``target``, ``status``, ``release``).
        remote_field: the remote field (``releaseDate``, ``fixVersions``...).
        base: the value at the last sync (local form).
        new: the local value to push (local form).
        remote_now: the remote value read by a preview (local form), when read.
        group: changes of one group are written in order on one thread (default: the
            object); a link goes with the item it is written on.
    """

    entity: str
    key: str
    source_id: str
    remote_object: str
    field: str
    remote_field: str
    base: Any
    new: Any
    remote_now: Any = None
    group: str = ""

    def describe(self) -> str:
        """One line: object, field, remote value now → new value."""
        now = self.base if self.remote_now is None else self.remote_now
        return f"{self.remote_object} {self.remote_field}: {_show(now)} -> {_show(self.new)}"


def _show(value: Any) -> str:
    return "(none)" if value is None else str(value)


@dataclass
class PushReport:
    """What a push did (or, with ``dry_run``, would do)."""

    connection: str
    dry_run: bool = False
    changes: list[RemoteChange] = field(default_factory=list)
    written: list[RemoteChange] = field(default_factory=list)
    already: list[RemoteChange] = field(default_factory=list)
    conflicts: list[RemoteChange] = field(default_factory=list)
    not_written: list[RemoteChange] = field(default_factory=list)
    error: str | None = None
    first: bool = False

    def summary(self) -> str:
        """One line for the command line and the status bar."""
        if self.dry_run:
            why = " (first push: a preview; push again to write)" if self.first else " (dry run)"
            return f"{self.connection}: {len(self.changes)} change(s) to push{why}"
        text = (
            f"{self.connection}: {len(self.written)} written, {len(self.already)} already in "
            f"sync, {len(self.conflicts)} conflict(s)"
        )
        if self.not_written:
            text += f", {len(self.not_written)} not written"
        return text
