"""Pulling Azure Pipelines environment deployment records from a fake built from the spec."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from relplan.domain.model import Plan
from relplan.errors import SyncError
from relplan.metrics.delivery import derive
from relplan.metrics.dora import dora_metrics
from relplan.metrics.scope import Window
from relplan.sync.delivery import azure_pipelines
from relplan.sync.delivery.common import PullContext
from relplan.sync.http import HttpClient
from relplan.sync.ratelimit import RetryPolicy
from tests.helpers.fake_azure_pipelines import FakeAzurePipelines

T0 = dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
SETTINGS = {"team": "PAY", "production": ["Production"], "project": "Pay"}
NOVEMBER = Window(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture
def azure() -> Iterator[FakeAzurePipelines]:
    fake = FakeAzurePipelines()
    fake.environment(7, "Production")
    fake.environment(8, "Staging")
    fake.run(100, "a" * 40, T0, [("a" * 40, T0 - 30 * H, "PAY-1 start")])
    fake.run(
        101,
        "b" * 40,
        T0 + 24 * H,
        [("b1" * 20, T0 + 2 * H, "PAY-2"), ("b" * 40, T0 + 10 * H, "PAY-3")],
    )
    fake.run(102, "c" * 40, T0 + 36 * H, [("c" * 40, T0 + 30 * H, "PAY-4")])
    fake.run(103, "d" * 40, T0 + 48 * H, [("d" * 40, T0 + 40 * H, "PAY-5")])
    fake.run(104, "d" * 40, T0 + 50 * H)  # a re-deploy of the same commit
    fake.run(105, "e" * 40, T0 + 60 * H, [("e" * 40, T0 + 55 * H, "PAY-6")])
    fake.record(7, 100, "succeeded", T0)
    fake.record(8, 101, "succeeded", T0 + 20 * H)  # Staging: not Production
    fake.record(7, 101, "failed", T0 + 21 * H)
    fake.record(7, 101, "succeeded", T0 + 24 * H, attempt=2)  # the stage re-run
    fake.record(7, 102, "failed", T0 + 36 * H)
    fake.record(7, 103, "succeeded", T0 + 48 * H)
    fake.record(7, 104, "succeeded", T0 + 50 * H)
    fake.record(7, 105, "canceled", T0 + 60 * H)
    with fake:
        yield fake


def _client(fake: FakeAzurePipelines, pat: str = "azpat-secret", retries: int = 1) -> HttpClient:
    policy = RetryPolicy(max_retries=retries, base_delay_s=0.01, max_delay_s=0.05)
    ctx = PullContext("az", fake.url, SETTINGS)
    http = azure_pipelines.client(ctx, pat)
    http.policy = policy
    return http


def _ctx(fake: FakeAzurePipelines, **kw: object) -> PullContext:
    return PullContext("az", fake.url, SETTINGS, **kw)  # type: ignore[arg-type]


def test_records_runs_and_changes_give_hand_computed_dora(azure: FakeAzurePipelines) -> None:
    with _client(azure) as http:
        got = azure_pipelines.pull(http, _ctx(azure))
    by_run = {azure_pipelines.run_of(d.source_id): d for d in got.deployments}
    assert sorted(by_run) == [100, 101, 102, 103, 104, 105]  # one per (run, stage)
    assert (by_run[101].outcome, by_run[101].finished) == ("succeeded", T0 + 24 * H)  # attempt 2
    assert by_run[101].sha == "b" * 40
    assert by_run[105].outcome is None  # canceled: no deployment
    assert by_run[100].commits == ()  # the first one reported gets no history
    assert [c.sha for c in by_run[101].commits] == ["b1" * 20, "b" * 40]
    # 103 ships 102's commit too: the previous *successful* run is 101.
    assert [c.sha for c in by_run[103].commits] == ["c" * 40, "d" * 40]
    assert by_run[104].commits == ()
    assert all(d.environment == "Production" for d in got.deployments)
    assert got.watermark == '{"Production": "8"}'
    m = dora_metrics(Plan(deployments=derive(got.deployments)), window=NOVEMBER)
    # By hand: 5 deployments (100, 101, 102, 103, 104), one failed (102); lead-time samples
    # 22 h and 14 h (run 101), 18 h and 8 h (run 103): median (14 + 18) / 2 = 16.
    assert (m.deployments, m.failed, m.lead_time_hours) == (5, 1, 16.0)


def test_continuation_token_comes_from_the_response_header(azure: FakeAzurePipelines) -> None:
    for n in range(230):
        azure.record(7, 105, "skipped", T0 + 70 * H, stage=f"S{n}")
    with _client(azure) as http:
        got = azure_pipelines.pull(http, _ctx(azure))
    assert len(got.deployments) == 6 + 230
    listed = [r for r in azure.requests if r.path.endswith("/environmentdeploymentrecords")]
    assert [r.params.get("continuationToken") for r in listed] == [None, "100", "200"]
    assert azure.requests[0].headers["Authorization"].startswith("Basic ")


def test_incremental_pull_reads_only_new_records_and_compares_with_stored(
    azure: FakeAzurePipelines,
) -> None:
    with _client(azure) as http:
        first = azure_pipelines.pull(http, _ctx(azure))
        azure.run(106, "f" * 40, T0 + 80 * H, [("f" * 40, T0 + 70 * H, "PAY-7")])
        azure.record(7, 106, "succeeded", T0 + 80 * H)
        azure.requests.clear()
        again = azure_pipelines.pull(
            http, _ctx(azure, watermark=first.watermark, stored=tuple(first.deployments))
        )
    assert [azure_pipelines.run_of(d.source_id) for d in again.deployments] == [106]
    # Changes since run 104 (the last success stored), not since the start.
    assert [c.sha for c in again.deployments[0].commits] == ["e" * 40, "f" * 40]
    changes = [r for r in azure.requests if r.path.endswith("/build/changes")]
    assert (changes[0].params["fromBuildId"], changes[0].params["toBuildId"]) == ("104", "106")
    assert again.watermark == '{"Production": "9"}'


def test_retry_after_is_honoured_then_faults_are_one_clear_error(
    azure: FakeAzurePipelines,
) -> None:
    azure.fail("/environmentdeploymentrecords", 429, headers={"Retry-After": "0", **{
        "X-RateLimit-Resource": "Core", "X-RateLimit-Delay": "0.01"}})  # fmt: skip
    with _client(azure) as http:
        got = azure_pipelines.pull(http, _ctx(azure))
    assert len(got.deployments) == 6
    azure.fail("/environmentdeploymentrecords", 429, times=5, headers={"Retry-After": "0"})
    with _client(azure) as http, pytest.raises(SyncError) as caught:
        azure_pipelines.pull(http, _ctx(azure))
    assert caught.value.kind == SyncError.RATE_LIMITED
    with _client(azure, "wrong") as http, pytest.raises(SyncError) as caught:
        azure_pipelines.pull(http, _ctx(azure))
    assert caught.value.kind == SyncError.AUTH
    assert "wrong" not in str(caught.value)


def test_unknown_environment_is_named(azure: FakeAzurePipelines) -> None:
    settings = {**SETTINGS, "production": ["Prod-EU"]}
    with _client(azure) as http, pytest.raises(SyncError) as caught:
        azure_pipelines.pull(http, PullContext("az", azure.url, settings))
    assert "Prod-EU" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_later_re_run_of_a_succeeded_stage_keeps_its_changes(azure: FakeAzurePipelines) -> None:
    with _client(azure) as http:
        first = azure_pipelines.pull(http, _ctx(azure))
        azure.record(7, 103, "succeeded", T0 + 49 * H, attempt=2)  # re-run after the pull
        again = azure_pipelines.pull(
            http, _ctx(azure, watermark=first.watermark, stored=tuple(first.deployments))
        )
    (rerun,) = again.deployments
    assert (azure_pipelines.run_of(rerun.source_id), rerun.finished) == (103, T0 + 49 * H)
    # Still the changes since run 101, not none (it is not its own predecessor).
    assert [c.sha for c in rerun.commits] == ["c" * 40, "d" * 40]


def test_succeeded_with_issues_is_deployed_and_is_the_next_ones_base(
    azure: FakeAzurePipelines,
) -> None:
    azure.run(106, "f" * 40, T0 + 70 * H, [("f" * 40, T0 + 66 * H, "PAY-7")])
    azure.run(107, "9" * 40, T0 + 80 * H, [("9" * 40, T0 + 76 * H, "PAY-8")])
    azure.record(7, 106, "succeededWithIssues", T0 + 70 * H)
    azure.record(7, 107, "succeeded", T0 + 80 * H)
    with _client(azure) as http:
        got = azure_pipelines.pull(http, _ctx(azure))
    by_run = {azure_pipelines.run_of(d.source_id): d for d in got.deployments}
    assert by_run[106].outcome == "succeeded"
    # 106 ships the commits since 104 (105 was canceled); 107's base is 106, not 104.
    assert [c.sha for c in by_run[106].commits] == ["e" * 40, "f" * 40]
    assert [c.sha for c in by_run[107].commits] == ["9" * 40]
    m = dora_metrics(Plan(deployments=derive(got.deployments)), window=NOVEMBER)
    # By hand: 100, 101, 102, 103, 104, 106, 107 deployed, 102 failed; lead-time samples
    # 22, 14, 18, 8 (as before), 15 (e), 4 (f), 4 (9): median 14.
    assert (m.deployments, m.failed, m.lead_time_hours) == (7, 1, 14.0)
