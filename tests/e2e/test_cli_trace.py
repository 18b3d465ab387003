"""``relplan trace ITEM`` and ``relplan deployment link`` over pulled deployments (issue #15)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from relplan.cli import commands as cli
from relplan.edits.deployment_links import link_deployment
from relplan.formats.workspace_json import parse_workspace
from relplan.metrics.delivery import PulledCommit, PulledDeployment, PulledIncident
from relplan.metrics.trace import load_item_trace, load_release_trace
from relplan.store import delivery
from relplan.store.workspace import Workspace
from tests.helpers.plans import document

pytestmark = pytest.mark.e2e


def t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _dep(
    source_id: str,
    env: str,
    finished: str,
    sha: str,
    status: str = "success",
    *,
    commits: tuple[PulledCommit, ...] = (),
    release: str | None = None,
    link: str = "",
    ref: str = "main",
) -> PulledDeployment:
    return PulledDeployment(
        source="gh", kind="github", source_id=source_id, environment=env,
        production=env == "production", sha=sha, ref=ref, statuses=(status,),
        finished=t(finished), commits=commits, team="PAY", release=release, link=link,
        url=f"https://github.example/deployments/{source_id}",
    )  # fmt: skip


C1 = PulledCommit("1" * 40, t("2026-11-28T09:00:00+00:00"), "PAY-101: refund API")
C2 = PulledCommit("2" * 40, t("2026-11-28T10:00:00+00:00"), "PAY-1010 and pay-101 are others")
C3 = PulledCommit("3" * 40, t("2026-11-29T10:00:00+00:00"), "WEB-17 (button), see PAY-101.")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.relplan"
    with Workspace.open(path) as ws:
        ws.import_plan(parse_workspace({**document(), "deployments": []}))
        with ws.write():
            delivery.save_deployments(
                ws.conn,
                [
                    _dep("1", "staging", "2026-11-29T12:00:00+00:00", "a" * 40,
                         commits=(C1, C2, C3)),
                    _dep("2", "production", "2026-11-30T12:00:00+00:00", "a" * 40,
                         commits=(C1, C2, C3), release="PAY-2026.12", link="inferred"),
                    _dep("3", "production", "2026-12-01T12:00:00+00:00", "b" * 40,
                         ref="v/PAY-2026.12", release="PAY-2026.12", link="explicit"),
                    _dep("4", "production", "2026-12-02T12:00:00+00:00", "c" * 40),
                ],
            )  # fmt: skip
            delivery.save_incidents(
                ws.conn,
                [
                    PulledIncident("pd", "Q1", ("INC-1",), t("2026-11-30T14:00:00+00:00"),
                                   team="PAY", text="refunds down after " + "a" * 12),
                    PulledIncident("pd", "Q2", ("INC-2",), t("2026-12-01T15:00:00+00:00"),
                                   team="PAY", text="slow checkout"),
                ],
            )  # fmt: skip
    return path


def _run(db: Path, *args: str) -> int:
    return cli.run(["--db", str(db), *args])


def test_trace_json_follows_item_to_commits_deployments_and_incidents(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(db, "trace", "PAY-101", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["item"]["key"] == "PAY-101"
    assert out["release"]["key"] == "PAY-2026.12"
    # C2 names PAY-1010 and pay-101, neither of which is PAY-101.
    assert [c["sha"] for c in out["commits"]] == ["1" * 40, "3" * 40]
    assert out["commits"][0]["deployments"] == ["gh:1", "gh:2"]
    assert list(out["environments"]) == ["staging", "production"]
    assert [(d["id"], d["link"]) for d in out["environments"]["production"]] == [
        ("gh:2", "inferred"),
        ("gh:3", "explicit"),
    ]
    assert out["environments"]["staging"][0]["link"] == "none"
    # INC-1 names deployment 2's sha; INC-2 names nothing: 3 is only suggested.
    assert [(i["id"], i["deployment"], i["provenance"]) for i in out["incidents"]] == [
        ("pd:Q1", "gh:2", "named"),
        ("pd:Q2", "gh:3", "suggested"),
    ]


def test_trace_text_marks_inferred_links_and_suggested_incidents(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(db, "trace", "item:PAY-101") == 0
    text = capsys.readouterr().out
    assert "release: PAY-2026.12" in text
    assert "gh:2 succeeded" in text
    assert "→ PAY-2026.12 (inferred)" in text
    assert "suggested, not counted" in text


def test_trace_of_an_unknown_item_says_so(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(db, "trace", "PAY-999") == 2
    assert "no work item with key 'PAY-999'" in capsys.readouterr().err


def test_deployment_link_overrides_once_and_undoes(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(db, "deployment", "link", "2", "--release", "WEB-2026.12") == 0
    assert "linked gh:2 to WEB-2026.12" in capsys.readouterr().out
    with Workspace.open(db) as ws:
        shipped = load_release_trace(ws, "WEB-2026.12")
        assert [(d.ident, d.provenance) for d in shipped.deployments] == [(("gh", "2"), "override")]
        # The release's trace lists the items each commit names.
        assert [c.items for c in shipped.commits] == [("PAY-101",), (), ("WEB-17", "PAY-101")]
    assert _run(db, "undo") == 0
    with Workspace.open(db) as ws:
        back = load_item_trace(ws, "PAY-101")
        assert [(d.ident, d.provenance) for d in back.deployments if d.deployment.production] == [
            (("gh", "2"), "inferred"),
            (("gh", "3"), "explicit"),
        ]


def test_deployment_link_to_none_and_bad_input(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(db, "deployment", "link", "gh:3", "--none") == 0
    with Workspace.open(db) as ws:
        assert [d.ident for d in load_release_trace(ws, "PAY-2026.12").deployments] == [("gh", "2")]
        # The same override again writes nothing.
        assert link_deployment(ws, "gh", "3", None) is None
    capsys.readouterr()
    assert _run(db, "deployment", "link", "gh:77", "--none") == 2
    assert "no pulled deployment with key 'gh:77'" in capsys.readouterr().err
    assert _run(db, "deployment", "link", "gh:2", "--release", "NOPE-1") == 2
    assert "no release with key 'NOPE-1'" in capsys.readouterr().err
    assert _run(db, "deployment", "link", "gh:2") == 2
    assert "--release: say which release (--release KEY) or --none" in capsys.readouterr().err
