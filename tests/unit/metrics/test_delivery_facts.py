"""The fast path of ``relplan metrics`` over pulled deployments gives what the rules give.

:func:`relplan.metrics.delivery.derive` is the rules written plainly (one object per commit);
:func:`relplan.metrics.delivery_facts.pulled_facts` and ``load_pulled`` are what the command
runs. Random histories (re-deploys, rollbacks, failures, commits without times, incidents naming
shas, URLs and release keys, fixes naming incidents) must give the same figures through both.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

import pytest

from relplan.domain.model import Plan
from relplan.metrics.delivery import PulledCommit, PulledDeployment, PulledIncident, derive
from relplan.metrics.delivery_facts import load_pulled, pulled_facts
from relplan.metrics.dora import dora_metrics, dora_weekly
from relplan.metrics.scope import Window
from relplan.store import delivery
from relplan.store.workspace import Workspace
from tests.unit.metrics.factories import plan, rel

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
WINDOW = Window(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def _history(seed: int) -> tuple[list[PulledDeployment], list[PulledIncident]]:
    rng = random.Random(seed)
    deps = []
    shas = [f"{n:040x}" for n in range(40)]
    for n in range(60):
        kind = rng.choice(["github", "gitlab"])
        status = {
            "github": rng.choice([("success",), ("pending", "success", "inactive"), ("failure",),
                                  ("error",), ("in_progress",)]),
            "gitlab": rng.choice([("success",), ("success",), ("failed",), ("canceled",)]),
        }[kind]  # fmt: skip
        finished = T0 + dt.timedelta(hours=11 * n + rng.randint(0, 5))
        commits = tuple(
            PulledCommit(
                rng.choice(shas),
                None if rng.random() < 0.1 else finished - dt.timedelta(hours=rng.randint(-2, 90)),
                rng.choice(["fix", "PAY-1 work", "revert, fixes INC-3", "INC-1 hotfix"]),
            )
            for _ in range(rng.randint(0, 4))
        )
        deps.append(
            PulledDeployment(
                source=f"c{kind}", kind=kind, source_id=str(n),
                environment=rng.choice(["production", "production", "staging"]),
                production=False, sha=rng.choice(shas),
                ref=rng.choice(["main", "v/R1", "fix-INC-2", "R2"]), statuses=status,
                finished=None if rng.random() < 0.05 else finished, commits=commits,
                team=rng.choice(["PAY", "WEB"]), release=rng.choice(["R1", "R2", None]),
                link=rng.choice(["explicit", "inferred", ""]), url=f"https://ci/{kind}/{n}",
            )
        )  # fmt: skip
    deps = [dataclasses.replace(d, production=d.environment == "production") for d in deps]
    incidents = [
        PulledIncident(
            "pd", f"Q{k}", (f"INC-{k}",), T0 + dt.timedelta(hours=rng.randint(0, 700)),
            rng.choice([None, T0 + dt.timedelta(hours=720)]), team=rng.choice(["PAY", "WEB"]),
            text=rng.choice(["", f"after {rng.choice(shas)[:9]}", f"see https://ci/github/{k}",
                             "R1 broke", "nothing named"]),
        )
        for k in range(1, 7)
    ]  # fmt: skip
    return deps, incidents


def _plan() -> Plan:
    return plan([rel("R1", team="PAY"), rel("R2", team="WEB")], (), (), ())


@pytest.mark.parametrize("seed", range(12))
def test_fast_path_gives_the_figures_of_the_plain_rules(seed: int) -> None:
    deps, incidents = _history(seed)
    base = _plan()
    plain = dataclasses.replace(base, deployments=derive(deps, incidents))
    fast = pulled_facts(deps, incidents)
    for team in (None, "PAY"):
        want = dora_metrics(plain, window=WINDOW, team=team).to_json()
        got = dora_metrics(base, window=WINDOW, team=team, pulled=fast).to_json()
        # The plain path knows no link provenance: compare everything but the quality notes.
        got_notes = set(got.pop("notes"))  # type: ignore[misc]
        want_notes = set(want.pop("notes"))  # type: ignore[misc]
        got.pop("quality")  # type: ignore[misc]
        want.pop("quality")  # type: ignore[misc]
        assert got == want
        assert want_notes <= got_notes
    weekly_plain = dora_weekly(plain, window=WINDOW)
    weekly_fast = dora_weekly(base, window=WINDOW, pulled=fast)
    assert [b.deployments for b in weekly_fast.buckets] == [
        b.deployments for b in weekly_plain.buckets
    ]
    assert [b.lead_time_hours for b in weekly_fast.buckets] == [
        b.lead_time_hours for b in weekly_plain.buckets
    ]


@pytest.mark.parametrize("seed", range(3))
def test_stored_rows_give_the_same_facts_as_the_objects(seed: int, tmp_path: Path) -> None:
    deps, incidents = _history(seed)
    with Workspace.open(tmp_path / "w.relplan") as ws:
        with ws.write():
            delivery.save_deployments(ws.conn, deps)
            delivery.save_incidents(ws.conn, incidents)
        stored = load_pulled(ws.conn)
    assert stored == pulled_facts(deps, incidents)
    assert stored.deployments  # the history has Production deployments to compare


def test_quality_counts_inferred_links_missing_commits_and_unnamed_incidents() -> None:
    def dep(n: int, link: str, release: str | None, commits: int) -> PulledDeployment:
        return PulledDeployment(
            "gh", "github", str(n), "production", True, f"{n:040x}", "main", ("success",),
            T0 + dt.timedelta(days=n), commits=tuple(
                PulledCommit(f"{n}{k:039x}", T0, "x") for k in range(commits)
            ), team="PAY", release=release, link=link, url=f"https://ci/{n}",
        )  # fmt: skip

    deps = [dep(1, "explicit", "R1", 2), dep(2, "inferred", "R1", 0), dep(3, "", None, 1)]
    incidents = [
        PulledIncident("pd", "A", ("INC-1",), T0 + dt.timedelta(days=2, hours=1), team="PAY",
                       text=f"after {2:040x}"),  # names deployment 2: counted
        PulledIncident("pd", "B", ("INC-2",), T0 + dt.timedelta(days=3, hours=1), team="PAY"),
        PulledIncident("pd", "C", ("INC-3",), T0 + dt.timedelta(days=3, hours=2), team="OPS"),
    ]  # fmt: skip
    m = dora_metrics(_plan(), window=WINDOW, pulled=pulled_facts(deps, incidents))
    q = m.quality
    assert (q.inferred_links, q.unlinked_deployments, q.without_commits) == (1, 1, 1)
    # B is only suggested (deployment 3 is the last success of PAY before it); C has none.
    assert (q.unlinked_incidents, q.suggested_incidents) == (2, 1)
    notes = q.figure_notes()
    assert notes["change_failure_rate"] == [
        "2 incidents naming no deployment (1 only suggested): not counted",
        "1 deployment linked to a release only by inference (team and Production window)",
    ]
    assert notes["lead_time_hours"][0] == "1 successful deployment without commits (no lead time)"
    assert notes["deployment_frequency"][1] == "1 deployment linked to no release"
    # With a team filter, the deployment linked to no release is not counted, nor noted.
    pay = dora_metrics(_plan(), window=WINDOW, team="PAY", pulled=pulled_facts(deps, incidents))
    assert (pay.deployments, pay.quality.unlinked_deployments) == (2, 0)
