"""Release notes: a release's work items by type, with their links, dependencies, gates and
deployments, gathered from a workspace (:func:`release_notes`) and worded as a document
(:func:`notes_document`)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

from relplan.domain.model import Deployment, Gate, Release, WorkItem
from relplan.planning.wording import count
from relplan.reports.document import Block, Document, Heading, Paragraph, Table
from relplan.store.workspace import Workspace

__all__ = [
    "GROUPS",
    "NoteDependency",
    "ReleaseNotes",
    "group_of",
    "notes_document",
    "release_notes",
]

#: The groups of the notes, in order, with the work-item types (lower case) each takes; any other
#: type is "Other changes". Jira's and Azure Boards' usual type names.
GROUPS: Final = (
    ("Features", frozenset({"story", "user story", "feature", "epic", "product backlog item",
                            "requirement", "new feature", "improvement"})),
    ("Fixes", frozenset({"bug", "defect", "incident", "problem"})),
)  # fmt: skip
OTHER: Final = "Other changes"
_ITEM: Final = "item:"


def group_of(item_type: str) -> str:
    """The notes' group of a work-item type: ``Features``, ``Fixes`` or ``Other changes``."""
    lower = item_type.strip().lower()
    return next((name for name, types in GROUPS if lower in types), OTHER)


@dataclass(frozen=True, slots=True)
class NoteDependency:
    """A dependency between one of the release's items and another item or release.

    Attributes:
        item: The release's item (key).
        needs: True when ``item`` waits on ``other``; False when ``other`` waits on it.
        other: The other end (an item key, or ``release:KEY``).
        other_release: The release of the other end, when known.
        type: FS, SS, FF or SF.
    """

    item: str
    needs: bool
    other: str
    other_release: str | None
    type: str


@dataclass(frozen=True, slots=True)
class ReleaseNotes:
    """What the notes of one release say.

    Attributes:
        release: The release.
        zone: The planning zone's name.
        items: Its work items, by group then key.
        links: Per item key, its source's URL (Jira or Azure) where synced.
        dependencies: Dependencies its items shipped with, by item.
        deployments: Its deployments, oldest first.
        environments: The workspace's environments, in their order.
    """

    release: Release
    zone: str
    items: tuple[WorkItem, ...]
    links: dict[str, str]
    dependencies: tuple[NoteDependency, ...]
    deployments: tuple[Deployment, ...]
    environments: tuple[str, ...]

    def groups(self) -> list[tuple[str, list[WorkItem]]]:
        """The items by group, in the order of :data:`GROUPS` then Other; empty groups left out."""
        names = [name for name, _ in GROUPS] + [OTHER]
        by: dict[str, list[WorkItem]] = {n: [] for n in names}
        for item in self.items:
            by[group_of(item.type)].append(item)
        return [(n, sorted(by[n], key=lambda i: i.key)) for n in names if by[n]]


def release_notes(ws: Workspace, key: str) -> ReleaseNotes:
    """Gather the notes of release ``key``.

    Raises:
        UnknownObjectError: no release has this key (from :meth:`Workspace.release`).
    """
    release = ws.release(key)  # raises UnknownObjectError
    items = ws.work_items([key])
    keys = {i.key for i in items}
    links = _links(ws, keys)
    item_release = ws.item_releases()
    deps: list[NoteDependency] = []
    mine = {_ITEM + k for k in keys} | {f"release:{key}"}
    for from_ref, to_ref, kind, _lag in ws.dependency_rows():
        if from_ref in mine or to_ref in mine:
            for here, there, needs in ((to_ref, from_ref, True), (from_ref, to_ref, False)):
                if here in mine and there not in mine:
                    deps.append(
                        NoteDependency(
                            "(the release)" if here.startswith("release:") else here[len(_ITEM) :],
                            needs,
                            there.removeprefix(_ITEM),
                            _release_of(there, item_release),
                            kind,
                        )
                    )
    deployments = tuple(d for d in ws.deployments() if d.release == key)
    plan = ws.release_plan()
    envs = tuple(e.name for e in sorted(plan.environments, key=lambda e: e.order))
    return ReleaseNotes(
        release, plan.timezone, tuple(items), links,
        tuple(sorted(deps, key=lambda d: (d.item, not d.needs, d.other))), deployments, envs,
    )  # fmt: skip


def _release_of(ref: str, item_release: dict[str, str]) -> str | None:
    if ref.startswith("release:"):
        return ref.removeprefix("release:")
    return item_release.get(ref)


def _links(ws: Workspace, keys: set[str]) -> dict[str, str]:
    if not keys:
        return {}
    rows = ws.conn.execute(
        "SELECT s.key, s.url FROM sources s JOIN json_each(?) j ON s.key = j.value "
        "WHERE s.entity = 'work_item' AND s.deleted = 0 AND s.url IS NOT NULL",
        (json.dumps(sorted(keys)),),
    )
    return dict(rows)


def _when(at: dt.datetime | None, zone: str) -> str:
    return "-" if at is None else at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def _gate_row(gate: Gate, zone: str) -> tuple[str, ...]:
    return (
        gate.name,
        gate.environment or "-",
        gate.status,
        ", ".join(gate.approvers) or "-",
        gate.decided_by or "-",
        _when(gate.decided_at, zone),
    )


def notes_document(notes: ReleaseNotes) -> Document:
    """The notes' words and tables."""
    r = notes.release
    subtitle = (
        f"{r.name}; team {r.team}" + (f", train {r.train}" if r.train else "")
        + f"; status {r.status.replace('_', ' ')}; target {r.target or '-'}; "
        + f"{count(len(notes.items), 'work item')}; dates in {notes.zone}"
    )  # fmt: skip
    blocks: list[Block] = [Heading("Changes", anchor="items")]
    if not notes.items:
        blocks.append(Paragraph("This release holds no work items.", note=True))
    for name, items in notes.groups():
        blocks.append(Heading(f"{name} ({len(items)})", 3, anchor=name.lower().split()[0]))
        rows = tuple((i.key, i.title, i.type, i.status, notes.links.get(i.key, "-")) for i in items)
        links = {notes.links[i.key]: notes.links[i.key] for i in items if i.key in notes.links}
        blocks.append(Table(("Key", "Title", "Type", "Status", "Source"), rows, "items", links))
    blocks.append(Heading("Dependencies", anchor="dependencies"))
    if notes.dependencies:
        rows = tuple(
            (
                d.item,
                "needs" if d.needs else "needed by",
                d.other,
                d.other_release or "-",
                d.type,
            )
            for d in notes.dependencies
        )
        blocks.append(Table(("Item", "Relation", "Other", "Its release", "Type"), rows, "deps"))
    else:
        blocks.append(Paragraph("No dependency on other releases' work.", note=True))
    blocks.append(Heading("Gates", anchor="gates"))
    if r.gates:
        gates = tuple(_gate_row(g, notes.zone) for g in r.gates)
        blocks.append(
            Table(("Gate", "Before", "Status", "Approvers", "Decided by", "When"), gates, "gates")
        )
    else:
        blocks.append(Paragraph("This release has no gates.", note=True))
    blocks.append(Heading("Deployments", anchor="deployments"))
    if notes.deployments:
        first: dict[str, Deployment] = {}
        for d in notes.deployments:
            if d.outcome == "succeeded" and d.environment not in first:
                first[d.environment] = d
        order = {e: i for i, e in enumerate(notes.environments)}
        reached = tuple(
            (
                env,
                _when(first[env].finished, notes.zone) if env in first else "not yet",
                str(sum(d.environment == env for d in notes.deployments)),
            )
            for env in sorted(
                {d.environment for d in notes.deployments}, key=lambda e: (order.get(e, 99), e)
            )
        )
        blocks.append(Table(("Environment", "Reached", "Deployments"), reached, "deployments"))
    else:
        blocks.append(
            Paragraph("No deployments of this release are recorded in the workspace.", note=True)
        )
    return Document(f"Release notes: {r.key}", subtitle, tuple(blocks))
