"""``relplan metrics`` over deployments and incidents pulled from delivery tools (stored)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from relplan.cli import commands as cli
from relplan.formats.workspace_json import parse_workspace
from relplan.metrics.delivery import PulledCommit, PulledDeployment, PulledIncident
from relplan.store import delivery
from relplan.store.workspace import Workspace
from tests.helpers.plans import document

pytestmark = pytest.mark.e2e


def t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _dep(source_id: str, finished: str, sha: str, *statuses: str, **kw: object) -> PulledDeployment:
    return PulledDeployment(
        source="gh",
        kind="github",
        source_id=source_id,
        environment="production",
        production=True,
        sha=sha,
        ref=str(kw.get("ref", "main")),
        statuses=statuses,
        finished=t(finished),
        commits=kw.get("commits", ()),  # type: ignore[arg-type]
        team="PAY",
        url=f"https://github.example/deployments/{source_id}",
    )


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    if "relplan.cli.metrics" not in cli.COMMAND_MODULES:
        monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "relplan.cli.metrics"))
    path = tmp_path / "w.relplan"
    with Workspace.open(path) as ws:
        # Without the typed deployment of the helper plan: only pulled ones count here.
        ws.import_plan(parse_workspace({**document(), "deployments": []}))
        with ws.write():
            delivery.save_deployments(
                ws.conn,
                [
                    _dep("1", "2026-11-02T12:00:00+00:00", "a" * 40, "success"),
                    _dep(
                        "2",
                        "2026-11-09T12:00:00+00:00",
                        "b" * 40,
                        "pending",
                        "success",
                        "inactive",  # a later deployment succeeded: still a success
                        commits=(PulledCommit("b" * 40, t("2026-11-08T12:00:00+00:00")),),
                    ),
                    _dep("3", "2026-11-10T12:00:00+00:00", "c" * 40, "failure"),
                    _dep("4", "2026-11-11T12:00:00+00:00", "d" * 40, "in_progress"),  # running
                    _dep("5", "2026-11-12T12:00:00+00:00", "e" * 40, "success", ref="fix-INC-5"),
                ],
            )
            delivery.save_incidents(
                ws.conn,
                [
                    PulledIncident(
                        "pd",
                        "Q1",
                        ("INC-5",),
                        t("2026-11-09T14:00:00+00:00"),
                        t("2026-11-09T18:00:00+00:00"),
                        team="PAY",
                        text="see https://github.example/deployments/2",
                    )
                ],
            )
    return str(path)


def test_metrics_json_counts_pulled_deployments_by_the_amended_rules(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--db", db, "metrics", "--json", "--from", "2026-11-01", "--to", "2026-11-30"]
    assert cli.run(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["deployments"] == 4  # the running one is no deployment
    assert out["lead_time_hours"]["median"] == 24.0  # only deployment 2's commit
    assert out["change_failure_rate"]["value"] == pytest.approx(2 / 4)  # 3 failed, 2 named
    assert out["time_to_restore_hours"]["median"] == 6.0  # incident resolved 18:00 - 12:00
    assert out["rework_rate"] == {"value": pytest.approx(1 / 4), "band": None}  # 5 fixes INC-5


def test_a_source_rewriting_a_record_replaces_it(db: str) -> None:
    with Workspace.open(Path(db)) as ws, ws.write():
        delivery.save_deployments(
            ws.conn, [_dep("3", "2026-11-10T12:00:00+00:00", "c" * 40, "failure", "success")]
        )
    with Workspace.open(Path(db)) as ws:
        rows = delivery.load_deployments(ws.conn)
    assert [(d.source_id, d.statuses) for d in rows if d.source_id == "3"] == [
        ("3", ("failure", "success"))
    ]
    assert len(rows) == 5
