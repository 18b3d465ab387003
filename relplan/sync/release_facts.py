"""Releases from a field of the work items (both trackers): what each item says about its
release, kept between runs, merged and turned into releases with dates.

An incremental run fetches only the changed items, yet a release's dates come from all of its
items: each item's fact is stored with the connection's state and merged with the new ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from relplan.sync.mapping import NO_FIELD, field_release, field_text, parse_day
from relplan.sync.tracker import ConnectionConfig, RemoteItem, RemoteRelease, RemoteTeam

__all__ = [
    "ReleaseFact",
    "facts_json",
    "field_releases",
    "merge_facts",
    "release_fact",
    "with_item_targets",
]


@dataclass(frozen=True, slots=True)
class ReleaseFact:
    """What one item says about its release, kept between runs (incremental runs fetch only
    changed items, yet a release's dates come from all of its items).

    Attributes:
        release: the release's source id.
        key: the proposed release key (field releases; empty for versions and iterations).
        team: the release's team source id (field releases).
        name: the field value naming the release (field releases).
        start: the item's start day (field releases).
        target: the item's target day (``target_field``).
    """

    release: str
    key: str = ""
    team: str = ""
    name: str = ""
    start: dt.date | None = None
    target: dt.date | None = None

    def to_json(self) -> list[Any]:
        """A compact JSON form for the sync state."""
        days = [d.isoformat() if d else None for d in (self.start, self.target)]
        return [self.release, self.key, self.team, self.name, *days]

    @classmethod
    def from_json(cls, data: Any) -> ReleaseFact | None:
        """Back from :meth:`to_json`; None for anything else."""
        if not isinstance(data, list) or len(data) != 6 or not isinstance(data[0], str):
            return None
        release, key, team, name, start, target = data
        return cls(release, str(key), str(team), str(name), parse_day(start), parse_day(target))


def release_fact(
    config: ConnectionConfig,
    item: RemoteItem,
    fields: Mapping[str, Any],
    team: RemoteTeam | None,
    *,
    created_field: str,
) -> ReleaseFact | None:
    """What an item says about its release (None: nothing worth keeping).

    Args:
        config: the connection (with field ids resolved).
        item: the mapped item.
        fields: its raw fields.
        team: the team owning its field release.
        created_field: the tracker's created-date field, the default start.
    """
    m = config.mapping
    if item.release is None or not m.uses_item_dates:
        return None
    target = parse_day(fields.get(m.target_field)) if m.target_field else None
    if not m.release_field:
        return ReleaseFact(item.release, target=target) if target else None
    value = field_text(fields.get(m.release_field))
    if team is None or not value:
        return None
    release, key = field_release(team, value)
    start_field = m.start_field or created_field
    start = None if start_field == NO_FIELD else parse_day(fields.get(start_field))
    return ReleaseFact(release, key, team.source_id, value, start, target)


def merge_facts(
    previous: Any, fetched: Mapping[str, ReleaseFact | None], scope: Collection[str]
) -> dict[str, ReleaseFact]:
    """The facts of every item in scope: the last run's, updated with the fetched items'.

    Args:
        previous: the last run's ``{item id: fact JSON}`` (None or junk: start afresh).
        fetched: item source id -> its fact now (None: the item says nothing now).
        scope: the source ids of every item in scope now.
    """
    facts: dict[str, ReleaseFact] = {}
    if isinstance(previous, Mapping):
        for ident, data in previous.items():
            fact = ReleaseFact.from_json(data)
            if fact is not None and ident in scope:
                facts[str(ident)] = fact
    for ident, found in fetched.items():
        if found is None:
            facts.pop(ident, None)
        else:
            facts[ident] = found
    return facts


def facts_json(facts: Mapping[str, ReleaseFact]) -> dict[str, list[Any]]:
    """The facts as kept in the sync state."""
    return {ident: facts[ident].to_json() for ident in sorted(facts)}


def field_releases(facts: Mapping[str, ReleaseFact]) -> list[RemoteRelease]:
    """One release per distinct (team, value): start = earliest start, target = latest target.

    A start after the target (items created after the target passed) is dropped.
    """
    grouped: dict[str, list[ReleaseFact]] = {}
    for fact in facts.values():
        grouped.setdefault(fact.release, []).append(fact)
    releases: list[RemoteRelease] = []
    for source_id in sorted(grouped):
        group = grouped[source_id]
        first = group[0]
        starts = [f.start for f in group if f.start]
        targets = [f.target for f in group if f.target]
        start, target = min(starts, default=None), max(targets, default=None)
        if start and target and start > target:
            start = None
        release = RemoteRelease(
            source_id=source_id, source_key=first.name, url="", key=first.key, name=first.name,
            team=first.team, start=start, target=target, status="planned",
        )  # fmt: skip
        releases.append(release)
    return releases


def with_item_targets(
    releases: Sequence[RemoteRelease], facts: Mapping[str, ReleaseFact]
) -> list[RemoteRelease]:
    """Releases without their own target take the latest target of their items."""
    latest: dict[str, dt.date] = {}
    for fact in facts.values():
        if fact.target and (fact.release not in latest or fact.target > latest[fact.release]):
            latest[fact.release] = fact.target
    return [
        replace(r, target=latest[r.source_id]) if r.target is None and r.source_id in latest else r
        for r in releases
    ]
