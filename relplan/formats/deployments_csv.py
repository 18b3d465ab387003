"""Deployments as CSV: ``relplan deployments import FILE.csv`` (all or nothing, one undoable change).

The file is UTF-8 (a byte-order mark is fine), comma-separated, with a header row naming the
columns in any order::

    release,environment,started,finished,outcome,restored,changes,incident
    PAY-2026.11,Production,2026-11-03T10:00:00Z,2026-11-03T10:20:00Z,failed,2026-11-03T11:05:00Z,a1b2c3d@2026-11-01T16:00:00Z;e4f5a6b@2026-11-02T09:30:00Z,INC-1042

- ``release``, ``environment`` and ``finished`` are required; the release and the environment must
  exist in the workspace.
- Times are ISO 8601 (``2026-11-03T10:20:00Z``, ``2026-11-03 11:20+01:00``); a time without an
  offset is read in the workspace's planning zone.
- ``outcome`` is ``succeeded`` (the default when empty), ``failed`` or ``rolled_back``;
  ``restored`` only where it did not succeed, and not before ``finished``.
- ``changes`` lists the changes shipped, ``ID@COMMITTED`` separated by ``;`` (the commit time may
  be left out: ``ID``).
- ``incident`` (optional) names the incident or restoration the deployment caused.

A row whose release, environment and finish instant match a deployment in the workspace updates
it; the others are added. Rows are numbered as a spreadsheet numbers them (the header is row 1),
and every problem is reported as ``row 7, column finished: ...``; any problem and nothing is
written.
"""  # noqa: E501 (the example row cannot wrap)

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from relplan.domain.bounds import MAX_TEXT_LENGTH, echo, key_problem, name_problem, time_problem
from relplan.domain.model import DEPLOYMENT_OUTCOMES, Change, Deployment
from relplan.errors import Issue, ValidationError
from relplan.store.commands import ChangeSet, Command, Edit
from relplan.store.entities import TABLES, deployment_key
from relplan.store.workspace import Workspace

__all__ = [
    "COLUMNS",
    "REQUIRED",
    "deployments_command",
    "format_changes",
    "import_deployments",
    "parse_changes",
    "parse_deployments_csv",
    "parse_time",
    "write_deployments_csv",
]

#: Every column the format knows, in the order :func:`write_deployments_csv` writes them.
COLUMNS: Final = (
    "release",
    "environment",
    "started",
    "finished",
    "outcome",
    "restored",
    "changes",
    "incident",
)
REQUIRED: Final = ("release", "environment", "finished")
_TIME_EXAMPLE: Final = "an ISO 8601 time such as 2026-11-03T10:20:00Z"

Instant = tuple[str, str, dt.datetime]


def parse_time(text: str, zone: dt.tzinfo) -> dt.datetime:
    """An ISO 8601 time; one without an offset is read in ``zone``.

    Raises:
        ValueError: with a message for people.

    Examples:
        >>> parse_time("2026-11-03T10:20:00Z", dt.UTC).isoformat()
        '2026-11-03T10:20:00+00:00'
        >>> parse_time("2026-11-03 10:20", dt.timezone(dt.timedelta(hours=1))).isoformat()
        '2026-11-03T10:20:00+01:00'
    """
    value = text.strip()
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"found {echo(value)}, expected {_TIME_EXAMPLE}") from None
    parsed = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)
    problem = time_problem(parsed)
    if problem is not None:
        raise ValueError(problem)
    return parsed


def parse_changes(text: str, zone: dt.tzinfo) -> tuple[Change, ...]:
    """Changes written as ``ID@COMMITTED;ID@COMMITTED`` (``@COMMITTED`` may be left out).

    Raises:
        ValueError: with a message for people.

    Examples:
        >>> [c.id for c in parse_changes("a1@2026-11-01T16:00Z; b2", dt.UTC)]
        ['a1', 'b2']
    """
    changes: list[Change] = []
    seen: set[str] = set()
    for number, part in enumerate(text.split(";"), start=1):
        part = part.strip()
        if not part:
            continue
        ident, at, when = part.rpartition("@") if "@" in part else (part, "", "")
        ident = ident.strip()
        if not ident:
            raise ValueError(f"change {number} ({echo(part)}) has no id before '@'")
        if (problem := name_problem(ident)) is not None:
            raise ValueError(f"change {number}: {problem}")
        if ident in seen:
            raise ValueError(f"change {echo(ident)} is listed twice")
        seen.add(ident)
        committed = None
        if at:
            try:
                committed = parse_time(when, zone)
            except ValueError as exc:
                raise ValueError(f"change {echo(ident)}: commit time {exc}") from None
        changes.append(Change(ident, committed))
    return tuple(changes)


def format_changes(changes: Iterable[Change]) -> str:
    """Changes as the ``changes`` column writes them."""
    return ";".join(
        c.id if c.committed is None else f"{c.id}@{c.committed.isoformat()}" for c in changes
    )


def _zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


class _Row:
    """Reads the cells of one row, collecting issues under ``row N, column C``."""

    def __init__(self, number: int, cells: dict[str, str], issues: list[Issue]) -> None:
        self.number = number
        self.cells = cells
        self.issues = issues

    def error(self, column: str | None, message: str) -> None:
        where = f"row {self.number}" + (f", column {column}" if column else "")
        self.issues.append(Issue(where, message))

    def text(self, column: str) -> str:
        return self.cells.get(column, "").strip()

    def time(self, column: str, zone: dt.tzinfo) -> dt.datetime | None:
        value = self.text(column)
        if not value:
            if column in REQUIRED:
                self.error(column, f"missing; expected {_TIME_EXAMPLE}")
            return None
        try:
            return parse_time(value, zone)
        except ValueError as exc:
            self.error(column, str(exc))
            return None


def parse_deployments_csv(
    text: str,
    *,
    releases: Collection[str],
    environments: Collection[str],
    timezone: str = "UTC",
    source: str = "",
) -> list[Deployment]:
    """Read deployments from CSV text, checking every row.

    Args:
        text: The file's text.
        releases: Release keys that exist.
        environments: Environment names that exist.
        timezone: The planning zone, for times without an offset.
        source: The file name, for messages.

    Returns:
        The deployments, in the file's order.

    Raises:
        ValidationError: one issue per problem (``row 7, column finished: ...``).
    """
    zone = _zone(timezone)
    issues: list[Issue] = []
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    try:
        records = list(reader)
    except csv.Error as exc:
        # A cell over the csv module's limit (131,072 characters), a NUL byte, a broken quote.
        where = f"row {reader.line_num}" if reader.line_num else "row 1"
        message = f"cannot be read as CSV: {exc}"
        raise ValidationError([Issue(where, message)], source=source) from None
    if not records or not any(cell.strip() for cell in records[0]):
        raise ValidationError([Issue("row 1", "no header row")], source=source)
    header = [cell.strip().lower() for cell in records[0]]
    for position, name in enumerate(header, start=1):
        if name not in COLUMNS:
            expected = ", ".join(COLUMNS)
            message = f"unknown column {echo(name)}; expected {expected}"
            issues.append(Issue(f"row 1, column {position}", message))
        elif header.index(name) != position - 1:
            issues.append(Issue(f"row 1, column {position}", f"column {echo(name)} appears twice"))
    issues += [Issue("row 1", f"missing column {echo(n)}") for n in REQUIRED if n not in header]
    if issues:
        raise ValidationError(issues, source=source)
    out: list[Deployment] = []
    first_row: dict[Instant, int] = {}
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank lines are allowed anywhere
        if len(record) > len(header):
            message = f"{len(record)} cells, the header has {len(header)}"
            issues.append(Issue(f"row {number}", message))
            continue
        row = _Row(number, dict(zip(header, record, strict=False)), issues)
        deployment = _deployment(row, zone, releases, environments)
        if deployment is None:
            continue
        instant = (deployment.release, deployment.environment, deployment.finished)
        if instant in first_row:
            earlier = first_row[instant]
            row.error(None, f"same release, environment and finished time as row {earlier}")
            continue
        first_row[instant] = number
        out.append(deployment)
    if issues:
        raise ValidationError(issues, source=source)
    return out


def _deployment(
    row: _Row, zone: dt.tzinfo, releases: Collection[str], environments: Collection[str]
) -> Deployment | None:
    """The deployment of one row, or None after recording its issues."""
    before = len(row.issues)
    for column, cell in row.cells.items():
        if len(cell) > MAX_TEXT_LENGTH:
            row.error(column, f"{len(cell):,} characters, at most {MAX_TEXT_LENGTH:,} allowed")
    if len(row.issues) > before:
        return None
    release = row.text("release")
    if not release:
        row.error("release", "missing; expected a release key")
    elif (problem := key_problem(release)) is not None:
        row.error("release", problem)
    elif release not in releases:
        row.error("release", f"no release {echo(release)} in the workspace")
    environment = row.text("environment")
    if not environment:
        row.error("environment", "missing; expected an environment name")
    elif environment not in environments:
        row.error("environment", f"no environment {echo(environment)} in the workspace")
    started = row.time("started", zone)
    finished = row.time("finished", zone)
    restored = row.time("restored", zone)
    outcome = row.text("outcome").lower() or "succeeded"
    if outcome not in DEPLOYMENT_OUTCOMES:
        row.error("outcome", f"found {echo(outcome)}, expected {', '.join(DEPLOYMENT_OUTCOMES)}")
    if started is not None and finished is not None and finished < started:
        row.error("finished", f"{finished.isoformat()} is before started {started.isoformat()}")
    if restored is not None:
        if outcome == "succeeded":
            row.error("restored", "only a deployment that did not succeed has a restore time")
        elif finished is not None and restored < finished:
            row.error("restored", f"{restored.isoformat()} is before finished")
    incident = row.text("incident")
    if incident and (problem := name_problem(incident)) is not None:
        row.error("incident", problem)
    try:
        changes = parse_changes(row.text("changes"), zone)
    except ValueError as exc:
        row.error("changes", f"{exc}; expected ID@COMMITTED;ID@COMMITTED")
        changes = ()
    if len(row.issues) > before or finished is None:
        return None
    return Deployment(
        release=release,
        environment=environment,
        started=started,
        finished=finished,
        outcome=outcome,
        restored=restored,
        changes=changes,
        incident=incident or None,
    )


def write_deployments_csv(deployments: Iterable[Deployment]) -> str:
    """Deployments as CSV text with every column (the reverse of the import)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for d in deployments:
        writer.writerow(
            [
                d.release,
                d.environment,
                "" if d.started is None else d.started.isoformat(),
                d.finished.isoformat(),
                d.outcome,
                "" if d.restored is None else d.restored.isoformat(),
                format_changes(d.changes),
                d.incident or "",
            ]
        )
    return out.getvalue()


def deployments_command(
    existing: Iterable[Deployment], deployments: Sequence[Deployment], label: str
) -> Command:
    """The command that adds ``deployments``, or updates those already stored.

    A deployment matches a stored one with the same release, environment and finish *instant*
    (whatever offset either was written with); it then keeps the stored finish time, so its key
    stays the same and undo restores the old values.

    Args:
        existing: The deployments in the workspace.
        deployments: The new ones.
        label: The command's label (undo menu, audit log).

    Returns:
        The command; unchanged deployments make no edit.
    """
    stored: dict[Instant, Deployment] = {
        (d.release, d.environment, d.finished): d for d in existing
    }
    edits = []
    for new in deployments:
        old = stored.get((new.release, new.environment, new.finished))
        if old is not None:
            new = replace(new, finished=old.finished)
            if new == old:
                continue
        edits.append(Edit("deployment", deployment_key(new), old, new))
    return Command(label, tuple(edits))


def import_deployments(ws: Workspace, path: str | os.PathLike[str]) -> tuple[ChangeSet, int]:
    """Import a deployments CSV file into ``ws`` as one undoable command.

    Args:
        ws: The open workspace.
        path: The CSV file.

    Returns:
        What was written, and how many deployments the file holds.

    Raises:
        ValidationError: the file cannot be read or has problems; nothing was written.
        sqlite3.Error: the database refused the write (it was rolled back).
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        message = f"cannot read the file: not UTF-8 text (byte {exc.start} cannot be read)"
        raise ValidationError([Issue("", message)], source=str(path)) from None
    except OSError as exc:
        reason = "is a folder, not a file" if file.is_dir() else exc.strerror or str(exc)
        raise ValidationError(
            [Issue("", f"cannot read the file: {reason}")], source=str(path)
        ) from None
    # What is new is decided on the state the write applies to (another process may write).
    with ws.write():
        releases = {row.key for row in ws.release_rows()}
        environments = {e.name for e in TABLES["environment"].all(ws.conn, "name")}
        deployments = parse_deployments_csv(
            text,
            releases=releases,
            environments=environments,
            timezone=ws.timezone,
            source=str(path),
        )
        existing = TABLES["deployment"].all(ws.conn, "finished")
        command = deployments_command(existing, deployments, f"Import deployments from {file.name}")
        if not command.edits:
            return ChangeSet(label=command.label), len(deployments)
        return ws.execute(command), len(deployments)
