"""The amended DORA rules on deployments and incidents pulled from delivery tools, by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from relplan.domain.model import Plan
from relplan.metrics.delivery import (
    PulledCommit,
    PulledDeployment,
    PulledIncident,
    derive,
    link_incidents,
    outcome_of,
)
from relplan.metrics.dora import dora_metrics
from relplan.metrics.scope import Window

NOVEMBER = Window(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def dep(
    source_id: str,
    finished: str | None,
    sha: str,
    *statuses: str,
    kind: str = "github",
    env: str = "production",
    production: bool = True,
    commits: tuple[PulledCommit, ...] = (),
    ref: str = "main",
    release: str | None = None,
) -> PulledDeployment:
    return PulledDeployment(
        source="gh",
        kind=kind,
        source_id=source_id,
        environment=env,
        production=production,
        sha=sha,
        ref=ref,
        statuses=statuses or ("success",),
        finished=None if finished is None else t(finished),
        commits=commits,
        team="PAY",
        release=release,
    )


def c(sha: str, committed: str, message: str = "") -> PulledCommit:
    return PulledCommit(sha, t(committed), message)


@pytest.mark.parametrize(
    ("kind", "statuses", "outcome"),
    [
        ("github", ("pending", "in_progress", "success"), "succeeded"),
        ("github", ("success", "inactive"), "succeeded"),  # inactive later: not a failure
        ("github", ("queued", "failure"), "failed"),
        ("github", ("error",), "failed"),
        ("github", ("pending", "in_progress"), None),  # never finished
        ("github", ("timed_out",), "failed"),  # an Actions run that ran and did not finish
        ("github", ("startup_failure",), None),  # an Actions run that never started a job
        ("github", ("cancelled",), None),
        ("gitlab", ("success",), "succeeded"),
        ("gitlab", ("failed",), "failed"),
        ("gitlab", ("canceled",), None),
        ("gitlab", ("blocked",), None),
        ("azure_pipelines", ("succeeded",), "succeeded"),
        ("azure_pipelines", ("failed",), "failed"),
        ("azure_pipelines", ("succeededWithIssues",), "succeeded"),  # D.3: counts as deployed
        ("azure_pipelines", ("abandoned",), None),
        ("azure_pipelines", ("skipped",), None),
        ("jenkins", ("SUCCESS",), "succeeded"),
        ("jenkins", ("FAILURE",), "failed"),
        ("jenkins", ("UNSTABLE",), "failed"),
        ("jenkins", ("ABORTED",), None),
    ],
)
def test_outcome_mapping(kind: str, statuses: tuple[str, ...], outcome: str | None) -> None:
    assert outcome_of(kind, statuses) == outcome


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown delivery source kind 'bamboo'"):
        outcome_of("bamboo", ["success"])


def test_changes_between_successes_first_has_none_and_redeploys_add_nothing() -> None:
    pulled = [
        # The first deployment the source reports: not given all history.
        dep("1", "2026-11-02T12:00:00+00:00", "a1",
            commits=(c("a0", "2026-10-01T00:00:00+00:00"),)),
        # Failed: ships nothing; its commit b1 counts when 3 ships it.
        dep("2", "2026-11-03T12:00:00+00:00", "b1", "failure",
            commits=(c("b1", "2026-11-03T00:00:00+00:00"),)),
        dep("3", "2026-11-04T12:00:00+00:00", "b2",
            commits=(c("b1", "2026-11-03T00:00:00+00:00"), c("b2", "2026-11-04T06:00:00+00:00"))),
        # A re-deploy of b2 (a retry): no second lead-time sample.
        dep("4", "2026-11-05T12:00:00+00:00", "b2",
            commits=(c("b2", "2026-11-04T06:00:00+00:00"),)),
        # Staging is its own stream and not counted.
        dep("5", "2026-11-05T13:00:00+00:00", "b3", env="staging", production=False),
        # Canceled: no deployment at all.
        dep("6", "2026-11-06T12:00:00+00:00", "b4", "canceled", kind="gitlab"),
    ]  # fmt: skip
    out = derive(pulled)
    assert [(d.finished.day, d.outcome, [x.id for x in d.changes]) for d in out] == [
        (2, "succeeded", []),
        (3, "failed", []),
        (4, "succeeded", ["b1", "b2"]),
        (5, "succeeded", []),
    ]
    m = dora_metrics(Plan(deployments=out), window=NOVEMBER)
    assert m.deployments == 4
    assert m.failed == 1
    # Lead times: b1 36 h, b2 6 h -> median 21 h; neither the first deployment nor the
    # re-deploy adds a sample, and no deployment falls back to work items.
    assert (m.lead_time_hours, m.lead_time_samples) == (21.0, 2)
    assert m.rework_rate == 0.0


def test_named_incident_fails_its_deployment_and_gives_the_restore_time() -> None:
    pulled = [
        dep("1", "2026-11-02T12:00:00+00:00", "aaaaaaa1111"),
        dep("2", "2026-11-09T12:00:00+00:00", "bbbbbbb2222", release="PAY-2026.11"),
        dep("3", "2026-11-10T12:00:00+00:00", "ccccccc3333"),
    ]
    incidents = [
        # Names deployment 2 by its release key although 3 finished later (DevLake would blame 3).
        PulledIncident("pd", "P1", ("INC-7",), t("2026-11-10T13:00:00+00:00"),
                       t("2026-11-10T15:00:00+00:00"), team="PAY", text="PAY-2026.11 broke login"),
        # Names nothing: only suggested (deployment 3), never counted.
        PulledIncident("pd", "P2", ("INC-8",), t("2026-11-11T00:00:00+00:00"),
                       t("2026-11-11T01:00:00+00:00"), team="PAY", text="slow checkout"),
    ]  # fmt: skip
    links = link_incidents(pulled, incidents)
    assert [(lk.incident.source_id, lk.deployment, lk.provenance) for lk in links] == [
        ("P1", ("gh", "2"), "named"),
        ("P2", ("gh", "3"), "suggested"),
    ]
    out = derive(pulled, incidents)
    assert [(d.outcome, d.incident, d.restored) for d in out] == [
        ("succeeded", None, None),
        ("succeeded", "INC-7", t("2026-11-10T15:00:00+00:00")),
        ("succeeded", None, None),
    ]
    m = dora_metrics(Plan(deployments=out), window=NOVEMBER)
    assert m.change_failure_rate == pytest.approx(1 / 3)  # the named one only, not P2's
    assert (m.time_to_restore_hours, m.restore_samples) == (27.0, 1)  # 15:00 next day - 12:00


def test_incident_named_by_sha_prefix_and_not_by_a_longer_key() -> None:
    pulled = [dep("1", "2026-11-02T12:00:00+00:00", "0123456789abcdef")]
    named = PulledIncident("pd", "P1", ("INC-1",), t("2026-11-03T00:00:00+00:00"),
                           text="rollback of 0123456 please")  # fmt: skip
    other = PulledIncident("pd", "P2", ("INC-2",), t("2026-11-03T00:00:00+00:00"),
                           team="WEB", text="sha 0123457 is bad")  # fmt: skip
    links = link_incidents(pulled, [named, other])
    assert [(lk.deployment, lk.provenance) for lk in links] == [
        (("gh", "1"), "named"),
        (None, "suggested"),  # another team: nothing to suggest
    ]


def test_rework_rate_counts_deployments_that_name_an_incident_of_an_earlier_one() -> None:
    pulled = [
        dep("1", "2026-11-02T12:00:00+00:00", "a" * 10),
        dep("2", "2026-11-03T12:00:00+00:00", "b" * 10,
            commits=(c("b" * 10, "2026-11-03T08:00:00+00:00", "Fix INC-7: revert cache"),)),
        dep("3", "2026-11-04T12:00:00+00:00", "c" * 10, ref="hotfix/INC-70"),  # not INC-7
        dep("4", "2026-11-05T12:00:00+00:00", "d" * 10, ref="hotfix/INC-9"),  # INC-9 unlinked
    ]  # fmt: skip
    incidents = [
        PulledIncident("pd", "P1", ("INC-7",), t("2026-11-02T13:00:00+00:00"),
                       t("2026-11-02T18:00:00+00:00"), text="after aaaaaaaaaa"),
        PulledIncident("pd", "P9", ("INC-9",), t("2026-11-04T13:00:00+00:00"), text="?"),
    ]  # fmt: skip
    out = derive(pulled, incidents)
    assert [d.rework for d in out] == [False, True, False, False]
    m = dora_metrics(Plan(deployments=out), window=NOVEMBER)
    assert m.rework_rate == pytest.approx(1 / 4)
    assert m.to_json()["rework_rate"] == {"value": pytest.approx(0.25), "band": None}
