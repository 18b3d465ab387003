"""Pulling a Jenkins job's builds from a fake built from the recorded builds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from relplan.domain.model import Plan
from relplan.errors import SyncError
from relplan.metrics.delivery import derive
from relplan.metrics.dora import dora_metrics
from relplan.metrics.scope import Window
from relplan.sync.delivery import jenkins
from relplan.sync.delivery.common import PullContext
from relplan.sync.http import HttpClient
from relplan.sync.ratelimit import RetryPolicy
from tests.helpers.fake_jenkins import FakeJenkins

T0 = dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
SETTINGS = {"team": "PAY", "production": ["prod"], "job": "pay/deploy", "user": "mia"}
NOVEMBER = Window(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def _start(finish: dt.datetime) -> dt.datetime:
    return finish - dt.timedelta(minutes=10)


@pytest.fixture
def ci() -> Iterator[FakeJenkins]:
    fake = FakeJenkins()
    fake.build(1, "SUCCESS", _start(T0), 10, "a" * 40, [("a" * 40, T0 - 30 * H, "PAY-1")])
    fake.build(2, "FAILURE", _start(T0 + 20 * H), 10, "b" * 40, [("b" * 40, T0 + 2 * H, "PAY-2")])
    fake.build(3, "SUCCESS", _start(T0 + 24 * H), 10, "c" * 40,
               [("c" * 40, T0 + 10 * H, "PAY-3")], pipeline=True)  # fmt: skip
    fake.build(4, "ABORTED", _start(T0 + 40 * H), 10, "d" * 40, [("d" * 40, T0 + 30 * H, "PAY-4")])
    fake.build(5, "SUCCESS", _start(T0 + 48 * H), 10, "d" * 40)  # ships 4's commit
    fake.build(6, "SUCCESS", _start(T0 + 50 * H), 10, "d" * 40)  # a re-run of the same commit
    fake.build(7, None, _start(T0 + 60 * H), 0, "e" * 40, [("e" * 40, T0 + 52 * H, "PAY-5")])
    with fake:
        yield fake


def _ctx(fake: FakeJenkins, **kw: object) -> PullContext:
    return PullContext("ci", fake.url, SETTINGS, **kw)  # type: ignore[arg-type]


def _client(fake: FakeJenkins, token: str = "jenkins-token") -> HttpClient:
    http = jenkins.client(_ctx(fake), token)
    http.policy = RetryPolicy(max_retries=1, base_delay_s=0.01, max_delay_s=0.02)
    return http


def test_builds_results_and_change_sets_give_hand_computed_dora(ci: FakeJenkins) -> None:
    with _client(ci) as http:
        got = jenkins.pull(http, _ctx(ci))
    by = {int(d.source_id): d for d in got.deployments}
    assert [by[n].outcome for n in range(1, 8)] == [
        "succeeded", "failed", "succeeded", None, "succeeded", "succeeded", None,
    ]  # fmt: skip
    assert by[3].finished == T0 + 24 * H  # timestamp + duration
    assert by[3].sha == "c" * 40
    assert by[1].commits == ()  # the first success gets no history
    assert [c.sha for c in by[3].commits] == ["b" * 40, "c" * 40]  # the failed build's too
    assert [c.sha for c in by[5].commits] == ["d" * 40]  # the aborted build's commit
    assert got.watermark == "6"  # build 7 is still running: read it again next time
    m = dora_metrics(Plan(deployments=derive(got.deployments)), window=NOVEMBER)
    # By hand: deployments 1, 2, 3, 5, 6 (4 aborted, 7 running); 2 failed; lead-time samples
    # 22 h (b), 14 h (c), 18 h (d); 6 re-deploys d and adds none: median 18.
    assert (m.deployments, m.failed, m.lead_time_hours) == (5, 1, 18.0)


def test_a_running_build_is_read_again_when_it_failed_later(ci: FakeJenkins) -> None:
    with _client(ci) as http:
        first = jenkins.pull(http, _ctx(ci))
        ci.finish(7, "FAILURE", 5)
        ci.build(8, "SUCCESS", _start(T0 + 70 * H), 10, "f" * 40, [("f" * 40, T0 + 60 * H, "P")])
        again = jenkins.pull(
            http, _ctx(ci, watermark=first.watermark, stored=tuple(first.deployments))
        )
    by = {int(d.source_id): d for d in again.deployments}
    assert sorted(by) == [7, 8]
    assert by[7].outcome == "failed"
    assert [c.sha for c in by[8].commits] == ["e" * 40, "f" * 40]
    assert again.watermark == "8"


def test_builds_are_read_in_ranges(ci: FakeJenkins) -> None:
    for n in range(9, 260):
        ci.build(n, "SUCCESS", _start(T0 + n * H), 1, "d" * 40)
    with _client(ci) as http:
        got = jenkins.pull(http, _ctx(ci))
    assert len(got.deployments) == 258
    trees = [r.params["tree"] for r in ci.requests]
    assert [t[t.rindex("{") :] for t in trees] == ["{0,100}", "{100,200}", "{200,300}"]
    assert trees[0].startswith("allBuilds[number,")
    assert ci.requests[0].path == "/job/pay/job/deploy/api/json"


def test_faults_are_one_clear_error(ci: FakeJenkins) -> None:
    with _client(ci, "wrong") as http, pytest.raises(SyncError) as caught:
        jenkins.pull(http, _ctx(ci))
    assert caught.value.kind == SyncError.AUTH
    settings = {**SETTINGS, "job": "pay/nope"}
    with _client(ci) as http, pytest.raises(SyncError) as caught:
        jenkins.pull(http, PullContext("ci", ci.url, settings))
    assert "not found: job pay/nope" in str(caught.value)
    ci.fail("/api/json", 503, times=5)
    with _client(ci) as http, pytest.raises(SyncError) as caught:
        jenkins.pull(http, _ctx(ci))
    assert caught.value.kind == SyncError.REMOTE
    assert "503" in str(caught.value)


def test_a_server_that_does_not_answer_in_time_is_a_network_error(ci: FakeJenkins) -> None:
    import base64

    ci.fail("/api/json", 0, times=5, delay_s=1.0)  # answers, but too late
    auth = "Basic " + base64.b64encode(b"mia:jenkins-token").decode()
    policy = RetryPolicy(max_retries=1, base_delay_s=0.01, max_delay_s=0.02)
    http = HttpClient(ci.url, auth, policy=policy, timeout_s=0.2)
    with http, pytest.raises(SyncError) as caught:
        jenkins.pull(http, _ctx(ci))
    assert caught.value.kind == SyncError.NETWORK
    assert "no answer in time" in str(caught.value)
    assert "\n" not in str(caught.value)
