"""GitHub Actions workflow runs as deployments (``github --workflow``), from a fake built from the
recorded runs: re-runs with ``run_attempt`` 2, the 1,000-result cap of filtered queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from relplan.domain.model import Plan
from relplan.metrics.delivery import derive
from relplan.metrics.dora import dora_metrics
from relplan.metrics.scope import Window
from relplan.sync.delivery import github
from relplan.sync.delivery.common import PullContext, Pulled
from tests.helpers.fake_github import REPO_ID, RUN_CAP, FakeGitHub

T0 = dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)
SETTINGS = {"team": "PAY", "production": ["production"], "repo": "acme/app"}
SETTINGS["workflow"] = "deploy.yml"
NOVEMBER = Window(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture
def hub() -> Iterator[FakeGitHub]:
    fake = FakeGitHub(token="t")
    parent = None
    for sha, when in (
        ("a", T0 - 30 * H),
        ("b", T0 + 4 * H),
        ("c", T0 + 30 * H),
        ("d", T0 + 40 * H),
    ):
        fake.commit(sha * 40, when, f"PAY {sha}", parent)
        parent = sha * 40
    fake.run(1, "a" * 40, T0 - 5 * M, "success", T0)
    fake.run(2, "b" * 40, T0 + 19 * H, "failure", T0 + 20 * H)
    fake.run(2, "b" * 40, T0 + 19 * H, "success", T0 + 24 * H, attempt=2)  # the re-run
    fake.run(3, "c" * 40, T0 + 31 * H, "cancelled", T0 + 32 * H)
    fake.run(4, "c" * 40, T0 + 35 * H, "failure", T0 + 36 * H)
    fake.run(5, "d" * 40, T0 + 47 * H, "success", T0 + 48 * H)
    fake.run(6, "d" * 40, T0 + 47 * H, "success", T0 + 49 * H, workflow="lint.yml")
    with fake:
        yield fake


def _pull(hub: FakeGitHub, **kw: object) -> Pulled:
    ctx = PullContext("gh", hub.url, SETTINGS, **kw)  # type: ignore[arg-type]
    with github.client(ctx, "t") as http:
        return github.pull(http, ctx)


def test_runs_of_the_workflow_give_hand_computed_dora(hub: FakeGitHub) -> None:
    got = _pull(hub)
    by = {d.source_id: d for d in got.deployments}
    assert sorted(by) == ["run:1", "run:2", "run:3", "run:4", "run:5"]  # not lint.yml's
    assert (by["run:2"].outcome, by["run:2"].finished) == ("succeeded", T0 + 24 * H)  # attempt 2
    assert by["run:3"].outcome is None  # cancelled: no deployment
    assert by["run:1"].commits == ()
    assert [c.sha for c in by["run:5"].commits] == ["c" * 40, "d" * 40]  # since run 2, not 4
    assert got.watermark == "2026-11-04T11:00:00Z"
    m = dora_metrics(Plan(deployments=derive(got.deployments)), window=NOVEMBER)
    # By hand: runs 1, 2, 4, 5 deployed, 4 failed; lead-time samples 20 h (b, run 2),
    # 18 h (c) and 8 h (d) (run 5): median 18.
    assert (m.deployments, m.failed, m.lead_time_hours) == (4, 1, 18.0)


def test_a_range_past_the_cap_is_split(hub: FakeGitHub) -> None:
    for n in range(RUN_CAP + 500):
        hub.run(100 + n, "d" * 40, T0 + 100 * H + n * M, "success", T0 + 100 * H + n * M)
    got = _pull(hub)
    assert len(got.deployments) == 5 + RUN_CAP + 500
    listed = [r for r in hub.requests if r.path.endswith("/runs")]
    assert listed[0].path == "/repos/acme/app/actions/workflows/deploy.yml/runs"
    assert any(r.path.startswith(f"/repositories/{REPO_ID}/") for r in listed)  # Link followed
    assert len({r.params.get("created") for r in listed if "created" in r.params}) >= 3


def test_incremental_pull_reads_a_later_re_run(hub: FakeGitHub) -> None:
    first = _pull(hub)
    hub.run(4, "c" * 40, T0 + 35 * H, "success", T0 + 37 * H, attempt=2)
    again = _pull(hub, watermark=first.watermark, stored=tuple(first.deployments))
    by = {d.source_id: d for d in again.deployments}
    assert (by["run:4"].outcome, by["run:4"].finished) == ("succeeded", T0 + 37 * H)
    assert [c.sha for c in by["run:4"].commits] == ["c" * 40]
    assert [c.sha for c in by["run:5"].commits] == ["d" * 40]
    created = [r.params["created"] for r in hub.requests if "created" in r.params][-1]
    assert created.startswith("2026-10-05T11:00:00Z..")  # the watermark less 30 days


def test_a_timed_out_run_failed_and_a_startup_failure_is_no_deployment(hub: FakeGitHub) -> None:
    hub.commit("e" * 40, T0 + 50 * H, "PAY e", "d" * 40)
    hub.run(7, "e" * 40, T0 + 51 * H, "timed_out", T0 + 52 * H)
    hub.run(8, "e" * 40, T0 + 53 * H, "startup_failure", T0 + 53 * H)
    got = _pull(hub)
    by = {d.source_id: d for d in got.deployments}
    assert (by["run:7"].outcome, by["run:8"].outcome) == ("failed", None)
    m = dora_metrics(Plan(deployments=derive(got.deployments)), window=NOVEMBER)
    # Runs 1, 2, 4, 5 as before plus the timed-out 7: 5 deployed, 2 failed; the lead-time
    # samples are unchanged (a failed deployment ships nothing).
    assert (m.deployments, m.failed, m.lead_time_hours) == (5, 2, 18.0)
