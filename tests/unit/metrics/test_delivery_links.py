"""Linking pulled deployments to releases, with provenance."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

from relplan.domain.model import Release, Stage
from relplan.metrics.delivery import PulledDeployment
from relplan.metrics.delivery_links import link_releases

RELEASES = [
    Release("PAY-2026.12", "Dec", "PAY", stages=(
        Stage("Production", dt.date(2026, 12, 7), dt.date(2026, 12, 9)),)),
    Release("PAY-2026.12.1", "Dec hotfix", "PAY"),
    Release("WEB-2026.12", "Web Dec", "WEB", stages=(
        Stage("Production", dt.date(2026, 12, 1), dt.date(2026, 12, 31)),)),
]  # fmt: skip


def dep(ref: str, finished: str, team: str = "PAY", link: str = "") -> PulledDeployment:
    return PulledDeployment(
        "gh", "github", ref, "production", True, "a" * 40, ref, ("success",),
        dt.datetime.fromisoformat(finished), team=team, link=link,
        release="WEB-2026.12" if link == "override" else None,
    )  # fmt: skip


def test_explicit_inferred_override_and_none() -> None:
    zone = ZoneInfo("Europe/Berlin")
    out = link_releases(
        [
            dep("refs/tags/PAY-2026.12", "2026-11-01T10:00:00+00:00"),  # named: explicit
            dep("release/PAY-2026.12.1", "2026-11-01T10:00:00+00:00"),  # the longer key
            dep("main", "2026-12-06T23:30:00+00:00"),  # Dec 7 in Berlin: in PAY's window
            dep("main", "2026-12-06T22:30:00+00:00"),  # Dec 6 23:30 in Berlin: outside
            dep("main", "2026-12-08T10:00:00+00:00", link="override"),  # a person chose WEB
        ],
        RELEASES,
        zone,
    )
    assert [(d.release, d.link) for d in out] == [
        ("PAY-2026.12", "explicit"),
        ("PAY-2026.12.1", "explicit"),
        ("PAY-2026.12", "inferred"),
        (None, ""),
        ("WEB-2026.12", "override"),
    ]


def test_an_inferred_link_needs_the_same_team() -> None:
    out = link_releases([dep("main", "2026-12-08T10:00:00+00:00", team="OPS")], RELEASES, dt.UTC)
    assert [(d.release, d.link) for d in out] == [(None, "")]
    again = link_releases([replace(out[0], team="WEB")], RELEASES, dt.UTC)
    assert [(d.release, d.link) for d in again] == [("WEB-2026.12", "inferred")]
