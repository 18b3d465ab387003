"""Pulling PagerDuty incidents from a fake built from the recorded incidents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from relplan.domain.model import Plan
from relplan.errors import SyncError
from relplan.metrics.delivery import PulledDeployment, derive
from relplan.metrics.dora import dora_metrics
from relplan.metrics.scope import Window
from relplan.sync.delivery import pagerduty
from relplan.sync.delivery.common import PullContext
from relplan.sync.http import HttpClient
from relplan.sync.ratelimit import RetryPolicy
from tests.helpers.fake_pagerduty import SIX_MONTHS, FakePagerDuty

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
T0 = dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
SETTINGS = {"team": "PAY", "production": [], "service": "PIKL83L"}


@pytest.fixture
def pd() -> Iterator[FakePagerDuty]:
    fake = FakePagerDuty(now=NOW)
    fake.incident("P1", T0 + 2 * H, T0 + 5 * H, title="Checkout errors after abc1234def")
    fake.incident("P2", T0 + 30 * H, title="Slow search")  # names nothing; still open
    fake.incident("P3", NOW - dt.timedelta(days=300), NOW - dt.timedelta(days=299))
    fake.incident("P9", T0, title="Another service", service="PXXXXXX")
    with fake:
        yield fake


def _ctx(fake: FakePagerDuty, **kw: object) -> PullContext:
    return PullContext("pd", fake.url, SETTINGS, now=NOW, **kw)  # type: ignore[arg-type]


def _client(fake: FakePagerDuty, key: str = "pd-secret") -> HttpClient:
    http = pagerduty.client(_ctx(fake), key)
    http.policy = RetryPolicy(max_retries=1, base_delay_s=0.01, max_delay_s=0.02)
    return http


def _dep(ident: str, sha: str, finished: dt.datetime) -> PulledDeployment:
    return PulledDeployment(
        "ci", "jenkins", ident, "prod", True, sha, "main", ("SUCCESS",), finished, team="PAY"
    )


def test_incidents_in_six_month_windows_give_hand_computed_dora(pd: FakePagerDuty) -> None:
    with _client(pd) as http:
        got = pagerduty.pull(http, _ctx(pd))
    by = {i.source_id: i for i in got.incidents}
    assert sorted(by) == ["P1", "P2", "P3"]  # not the other service's
    assert (by["P1"].created, by["P1"].resolved) == (T0 + 2 * H, T0 + 5 * H)
    assert by["P2"].resolved is None
    assert got.watermark == "2026-12-01T00:00:00Z"
    listed = [r.params for r in pd.requests if r.path == "/incidents"]
    spans = [
        dt.datetime.fromisoformat(p["until"]) - dt.datetime.fromisoformat(p["since"])
        for p in listed
    ]
    assert len(listed) == 3  # 365 days: 180 + 180 + 5
    assert all(span <= SIX_MONTHS for span in spans)
    assert sum(spans, dt.timedelta()) == pagerduty.LOOKBACK
    assert pd.requests[0].headers["Authorization"] == "Token token=pd-secret"
    deployments = [_dep("1", "abc1234def" + "0" * 30, T0), _dep("2", "b" * 40, T0 + 24 * H)]
    window = Window(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    m = dora_metrics(Plan(deployments=derive(deployments, got.incidents)), window=window)
    # By hand: P1 names deployment 1's sha: 1 of 2 deployments failed, restored 5 h after it
    # finished; P2 names nothing and is only suggested (deployment 2): not counted.
    assert (m.deployments, m.failed, m.change_failure_rate, m.time_to_restore_hours) == (
        2, 1, 0.5, 5.0,
    )  # fmt: skip


def test_offset_cap_splits_the_window(pd: FakePagerDuty, monkeypatch: pytest.MonkeyPatch) -> None:
    pd.offset_cap = 300
    monkeypatch.setattr(pagerduty, "OFFSET_CAP", 300)
    for n in range(450):
        pd.incident(f"Q{n}", T0 + n * dt.timedelta(minutes=7))
    with _client(pd) as http:
        got = pagerduty.pull(http, _ctx(pd))
    assert len(got.incidents) == 3 + 450
    offsets = [int(r.params["offset"]) for r in pd.requests if r.path == "/incidents"]
    assert max(offsets) + pagerduty.LIMIT <= 300


def test_incremental_pull_reads_again_the_unresolved(pd: FakePagerDuty) -> None:
    with _client(pd) as http:
        first = pagerduty.pull(http, _ctx(pd))
        pd.resolve("P2", T0 + 40 * H)
        pd.incident("P4", NOW + H, title="New")
        pd.requests.clear()
        later = NOW + 2 * H
        again = pagerduty.pull(
            http,
            PullContext("pd", pd.url, SETTINGS, first.watermark, (), tuple(first.incidents), later),
        )
    by = {i.source_id: i for i in again.incidents}
    assert sorted(by) == ["P2", "P4"]
    assert by["P2"].resolved == T0 + 40 * H
    assert pd.requests[0].params["since"] == "2026-12-01T00:00:00Z"
    assert "/incidents/P2" in [r.path for r in pd.requests]


def test_faults_are_one_clear_error(pd: FakePagerDuty) -> None:
    with _client(pd, "wrong") as http, pytest.raises(SyncError) as caught:
        pagerduty.pull(http, _ctx(pd))
    assert caught.value.kind == SyncError.AUTH
    assert "wrong" not in str(caught.value)
    pd.fail("/incidents", 429, times=5, headers={"Retry-After": "0"})
    with _client(pd) as http, pytest.raises(SyncError) as caught:
        pagerduty.pull(http, _ctx(pd))
    assert caught.value.kind == SyncError.RATE_LIMITED
