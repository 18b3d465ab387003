"""Pulling GitLab deployments from a fake built from the contracts, then DORA over them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from relplan.domain.model import Plan
from relplan.errors import SyncError
from relplan.metrics.delivery import derive
from relplan.metrics.dora import dora_metrics
from relplan.metrics.scope import Window
from relplan.sync.delivery.gitlab import GitLabScope, pull_deployments
from relplan.sync.http import HttpClient
from relplan.sync.ratelimit import RetryPolicy
from tests.helpers.fake_gitlab import UPDATED_AT_SORT, FakeGitLab

SCOPE = GitLabScope("gl", "group/app", "PAY", ("production",))
T0 = dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC)


@pytest.fixture
def gitlab() -> Iterator[FakeGitLab]:
    fake = FakeGitLab()
    # History: s1 <- s2 <- s3 <- s4 (one commit each, 10 h before the next day's deploy).
    parent = None
    for n in range(1, 5):
        fake.commit(f"s{n}" * 4, T0 + dt.timedelta(days=n - 1, hours=-10), f"PAY-{n} work", parent)
        parent = f"s{n}" * 4
    fake.deploy(1, "s1s1s1s1", "success", T0)
    fake.deploy(2, "s2s2s2s2", "failed", T0 + dt.timedelta(days=1))
    fake.deploy(3, "s3s3s3s3", "success", T0 + dt.timedelta(days=2))
    fake.deploy(4, "s3s3s3s3", "success", T0 + dt.timedelta(days=2, hours=1))  # a re-deploy
    fake.deploy(5, "s4s4s4s4", "canceled", T0 + dt.timedelta(days=3))
    fake.deploy(6, "s4s4s4s4", "success", T0 + dt.timedelta(days=3), environment="staging")
    with fake:
        yield fake


def _client(fake: FakeGitLab, token: str = "glpat-secret") -> HttpClient:
    policy = RetryPolicy(max_retries=1, base_delay_s=0.01, max_delay_s=0.02)
    return HttpClient(fake.url + "/api/v4", f"Bearer {token}", policy=policy)


def test_pull_pages_by_x_next_page_and_compares_successes(gitlab: FakeGitLab) -> None:
    with _client(gitlab) as http:
        pulled, watermark = pull_deployments(http, SCOPE)
    assert [(d.source_id, d.statuses, d.outcome) for d in pulled] == [
        ("1", ("success",), "succeeded"),
        ("2", ("failed",), "failed"),
        ("3", ("success",), "succeeded"),
        ("4", ("success",), "succeeded"),
        ("5", ("canceled",), None),
    ]  # staging is not asked for
    # 3 compares with 1 (the previous success): s2 and s3; the re-deploy 4 compares nothing.
    assert [c.sha for c in pulled[2].commits] == ["s2s2s2s2", "s3s3s3s3"]
    assert pulled[3].commits == ()
    assert watermark == "2026-11-05T12:00:00.000Z"
    deployments = gitlab.paths("GET").count("/api/v4/projects/group%2Fapp/deployments")
    assert deployments == 1  # one page of 100
    assert all(r.params.get("order_by") == "updated_at" for r in gitlab.requests[:1])

    m = dora_metrics(
        Plan(deployments=derive(pulled)), window=Window(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    )
    # Deployments 1..4 (5 was canceled). By hand: s2 committed Nov 3 02:00 and s3 Nov 4 02:00
    # reach Production with deployment 3 at Nov 4 12:00 -> 34 h and 10 h, median 22 h; the
    # first deployment (1) and the re-deploy (4) give no sample, the failed one (2) neither.
    assert (m.deployments, m.failed) == (4, 1)
    assert (m.lead_time_hours, m.lead_time_samples) == (22.0, 2)


def test_small_pages_follow_x_next_page_without_totals(gitlab: FakeGitLab) -> None:
    from relplan.sync.delivery import gitlab as module

    module_per_page = module._PER_PAGE
    module._PER_PAGE = 2
    try:
        with _client(gitlab) as http:
            pulled, _ = pull_deployments(http, SCOPE)
    finally:
        module._PER_PAGE = module_per_page
    assert len(pulled) == 5
    pages = [r.params["page"] for r in gitlab.requests if r.path.endswith("/deployments")]
    assert pages == ["1", "2", "3"]


def test_incremental_pull_sends_the_watermark_and_the_stored_base(gitlab: FakeGitLab) -> None:
    with _client(gitlab) as http:
        _, watermark = pull_deployments(http, SCOPE)
        gitlab.commit("s5s5s5s5", T0 + dt.timedelta(days=4), "PAY-5 fix", "s4s4s4s4")
        gitlab.deploy(7, "s5s5s5s5", "success", T0 + dt.timedelta(days=5))
        gitlab.requests.clear()
        pulled, again = pull_deployments(
            http, SCOPE, updated_after=watermark, last_success={"production": "s3s3s3s3"}
        )
    assert [d.source_id for d in pulled] == ["7"]
    assert [c.sha for c in pulled[0].commits] == ["s4s4s4s4", "s5s5s5s5"]
    assert gitlab.requests[0].params["updated_after"] == watermark
    assert again is not None
    assert watermark is not None
    assert again > watermark


def test_gitlab_refuses_updated_after_without_its_sort(gitlab: FakeGitLab) -> None:
    with _client(gitlab) as http, pytest.raises(SyncError) as caught:
        http.get(
            "projects/group%2Fapp/deployments",
            params={"updated_after": "2026-01-01T00:00:00Z"},
        )
    assert UPDATED_AT_SORT in str(caught.value)


@pytest.mark.parametrize(("status", "kind"), [(401, SyncError.AUTH), (404, SyncError.REMOTE)])
def test_faults_are_one_clear_error(gitlab: FakeGitLab, status: int, kind: str) -> None:
    token = "wrong" if status == 401 else "glpat-secret"
    scope = SCOPE if status == 401 else GitLabScope("gl", "other/app", "PAY", ("production",))
    with _client(gitlab, token) as http, pytest.raises(SyncError) as caught:
        pull_deployments(http, scope)
    assert caught.value.kind == kind
    assert "\n" not in str(caught.value)
    assert "wrong" not in str(caught.value)  # no secret in the message
    if status == 404:
        assert "not found: project other/app (HTTP 404)" in str(caught.value)


def test_rate_limit_is_retried_after_retry_after(gitlab: FakeGitLab) -> None:
    gitlab.fail("/deployments", 429, headers={"Retry-After": "0"})
    with _client(gitlab) as http:
        pulled, _ = pull_deployments(http, SCOPE)
    assert len(pulled) == 5
