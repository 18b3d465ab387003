"""Pulling GitHub deployments from a fake built from the contracts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from relplan.domain.model import Plan
from relplan.errors import SyncError
from relplan.metrics.delivery import derive
from relplan.metrics.dora import dora_metrics
from relplan.metrics.scope import Window
from relplan.sync.delivery.github import HEADERS, GitHubScope, pull_deployments
from relplan.sync.delivery.github import pull as github_pull
from relplan.sync.http import HttpClient
from relplan.sync.ratelimit import RetryPolicy
from tests.helpers.fake_github import REPO_ID, FakeGitHub

SCOPE = GitHubScope("gh", "acme/app", "PAY", ("production",))
T0 = dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    parent = None
    for n in range(1, 4):
        fake.commit(f"{n}" * 40, T0 + dt.timedelta(days=n - 1) - 6 * H, f"PAY-{n}", parent)
        parent = f"{n}" * 40
    # 1 succeeds, later marked inactive when 3 succeeds; 2 fails; 3 succeeds after pending.
    fake.deploy(
        1, "1" * 40, T0 - H, ("pending", T0 - H), ("success", T0), ("inactive", T0 + 48 * H)
    )
    fake.deploy(2, "2" * 40, T0 + 23 * H, ("in_progress", T0 + 23 * H), ("failure", T0 + 24 * H))
    fake.deploy(3, "3" * 40, T0 + 47 * H, ("queued", T0 + 47 * H), ("success", T0 + 48 * H))
    fake.deploy(4, "3" * 40, T0 + 49 * H, ("pending", T0 + 49 * H))  # still running
    with fake:
        yield fake


def _client(fake: FakeGitHub, token: str = "ghp-secret") -> HttpClient:
    policy = RetryPolicy(max_retries=1, base_delay_s=0.01, max_delay_s=0.02)
    return HttpClient(fake.url, f"Bearer {token}", policy=policy, headers=HEADERS)


def test_statuses_decide_outcome_and_time_and_link_pages_are_followed(github: FakeGitHub) -> None:
    with _client(github) as http:
        pulled, watermark = pull_deployments(http, SCOPE)
    by_id = {d.source_id: d for d in pulled}
    assert by_id["1"].statuses == ("pending", "success", "inactive")
    assert (by_id["1"].outcome, by_id["1"].finished) == ("succeeded", T0)  # not inactive's time
    assert (by_id["2"].outcome, by_id["2"].finished) == ("failed", T0 + 24 * H)
    assert by_id["3"].finished == T0 + 48 * H
    assert by_id["4"].outcome is None
    assert [c.sha for c in by_id["3"].commits] == ["2" * 40, "3" * 40]  # since 1, not 2
    assert watermark == "2026-11-04T13:00:00Z"
    m = dora_metrics(
        Plan(deployments=derive(pulled)), window=Window(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    )
    # By hand: commits 2 (Nov 3 06:00) and 3 (Nov 4 06:00) reach Production Nov 4 12:00.
    assert (m.deployments, m.failed, m.lead_time_hours) == (3, 1, 18.0)


def test_link_header_urls_are_followed_verbatim(github: FakeGitHub) -> None:
    for n in range(5, 130):
        github.deploy(n, "3" * 40, T0 + n * H, ("error", T0 + n * H))
    with _client(github) as http:
        pulled, _ = pull_deployments(http, SCOPE)
    assert len(pulled) == 129
    listed = [r.path for r in github.requests if r.path.endswith("/deployments")]
    assert listed == ["/repos/acme/app/deployments", f"/repositories/{REPO_ID}/deployments"]
    assert github.requests[0].headers["X-GitHub-Api-Version"] == "2022-11-28"


def test_incremental_pull_stops_at_the_watermark(github: FakeGitHub) -> None:
    with _client(github) as http:
        _, watermark = pull_deployments(http, SCOPE)
        github.deploy(9, "3" * 40, T0 + 90 * H, ("success", T0 + 91 * H))
        pulled, _ = pull_deployments(
            http, SCOPE, created_after=watermark, last_success={"production": "3" * 40}
        )
    assert [(d.source_id, d.commits) for d in pulled] == [("9", ())]  # a re-deploy of 3


def test_bad_token_is_one_clear_error(github: FakeGitHub) -> None:
    with _client(github, "nope") as http, pytest.raises(SyncError) as caught:
        pull_deployments(http, SCOPE)
    assert caught.value.kind == SyncError.AUTH
    assert "nope" not in str(caught.value)


def test_a_deployment_pending_at_the_last_pull_is_read_again(github: FakeGitHub) -> None:
    from relplan.sync.delivery.common import PullContext

    github.commit("4" * 40, T0 + 60 * H, "PAY-4", "3" * 40)
    github.deploy(5, "4" * 40, T0 + 61 * H, ("pending", T0 + 61 * H))
    settings = {"team": "PAY", "production": ["production"], "repo": "acme/app"}
    with _client(github) as http:
        first = github_pull(http, PullContext("gh", github.url, settings))
        assert {d.source_id: d.outcome for d in first.deployments}["5"] is None
        github.set_status(5, "success", T0 + 62 * H)
        again = github_pull(
            http,
            PullContext("gh", github.url, settings, first.watermark, tuple(first.deployments)),
        )
    by_id = {d.source_id: d for d in again.deployments}
    assert (by_id["5"].outcome, by_id["5"].finished) == ("succeeded", T0 + 62 * H)
    assert [c.sha for c in by_id["5"].commits] == ["4" * 40]  # since deployment 3
    assert "4" not in by_id  # still pending: unchanged, not written again


def test_a_used_up_rate_limit_is_not_called_a_credentials_problem(github: FakeGitHub) -> None:
    github.fail(
        "/deployments",
        403,
        headers={"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "0",
                 "X-RateLimit-Reset": "1893456000", "X-RateLimit-Resource": "core"},
        body=b'{"message": "API rate limit exceeded for user ID 1.", "documentation_url": "x"}',
    )  # fmt: skip
    with _client(github) as http, pytest.raises(SyncError) as caught:
        pull_deployments(http, SCOPE)
    assert caught.value.kind == SyncError.RATE_LIMITED
    assert "rate limit used up until 2030-01-01 00:00 UTC" in str(caught.value)
    assert "API rate limit exceeded" in str(caught.value)
