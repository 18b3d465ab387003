"""Property: any workspace the importer accepts runs every analysis and every export.

Hypothesis fills the small plan of tests/helpers/plans.py with values at and beyond the bounds of
relplan/domain/bounds.py (the edges of the date range, huge lags, fine or negative rules, times
at the ends of the datetime range). Whatever the importer accepts must then run ``check``,
``schedule``, ``impact``, ``readiness``, ``metrics`` and every export without a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relplan.cli.commands import run
from relplan.domain import bounds
from tests.helpers.plans import document

# Each value comes from two pools: inside the bounds (edges included) and beyond them. A drawn
# plan is either all inside (so most plans are accepted and analysed) or mixed (so the importer's
# refusals are exercised too).
IN_DAYS = st.one_of(
    st.sampled_from(
        [
            bounds.MIN_DAY,
            bounds.MAX_DAY,
            bounds.MAX_DAY - dt.timedelta(days=1),
            bounds.MIN_DAY + dt.timedelta(days=1),
            dt.date(2026, 12, 1),
        ]
    ),
    st.dates(min_value=bounds.MIN_DAY, max_value=bounds.MAX_DAY),
)
OUT_DAYS = st.sampled_from([dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(9999, 12, 1)])
IN_LAGS = st.one_of(
    st.sampled_from([0, bounds.MAX_LAG_DAYS, -bounds.MAX_LAG_DAYS]),
    st.integers(min_value=-bounds.MAX_LAG_DAYS, max_value=bounds.MAX_LAG_DAYS),
)
OUT_LAGS = st.sampled_from([3651, 3_000_000, 2**63, -(2**63)])
IN_RULES = st.sampled_from(
    [
        None,
        "FREQ=DAILY",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        "FREQ=MONTHLY;BYMONTHDAY=31",
        "FREQ=YEARLY;COUNT=10000",
        "FREQ=DAILY;UNTIL=21991231",
        "FREQ=WEEKLY;INTERVAL=1000",
        "RRULE:FREQ=DAILY;INTERVAL=1",
    ]
)
OUT_RULES = st.sampled_from(
    [
        "FREQ=DAILY;INTERVAL=-3",
        "RRULE:FREQ=DAILY;INTERVAL=-3",
        "FREQ=SECONDLY",
        "FREQ=MINUTELY;INTERVAL=1",
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=DAILY;BYHOUR=1,2,3",
    ]
)
IN_TIMES = st.sampled_from(
    [
        "2026-11-03T10:20:00Z",
        "1900-01-01T00:00:00+00:00",
        "1900-01-01T00:00:00-12:00",
        "2199-12-31T23:59:59+00:00",
        "2199-12-31T23:59:59+12:00",
    ]
)
OUT_TIMES = st.sampled_from(
    [
        "0001-01-01T00:00:00+00:00",
        "9999-12-31T23:59:59+00:00",
        "9999-12-31T23:59:59-23:59",
        "0001-01-01T00:00:00+23:59",
        "2199-12-31T23:59:59-12:00",
    ]
)
IN_CAPACITIES = st.sampled_from([1, 2, bounds.MAX_CAPACITY])
OUT_CAPACITIES = st.sampled_from([0, bounds.MAX_CAPACITY + 1, 2**63])
IN_POINTS = st.sampled_from([None, 0, 3, 0.5, bounds.MAX_POINTS])
OUT_POINTS = st.sampled_from([1e308, 2**64])


def pool(draw: st.DrawFn, hostile: bool, inside: Any, outside: Any) -> Any:
    """A value from inside the bounds, or (in a hostile plan, one time in four) beyond them."""
    if hostile and draw(st.integers(0, 3)) == 0:
        return draw(outside)
    return draw(inside)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    doc = document()
    hostile = draw(st.booleans())

    def day() -> str:
        value: dt.date = pool(draw, hostile, IN_DAYS, OUT_DAYS)
        return value.isoformat()

    rel, web = doc["releases"]
    rel["start"], rel["target"] = sorted([day(), day()])
    web["start"], web["target"] = sorted([day(), day()])
    stage = rel["stages"][0]
    stage["start"], stage["end"] = sorted([day(), day()])
    rel["milestones"][0]["date"] = day()
    doc["trains"][0]["target"] = day()
    freeze = doc["freezes"][0]
    freeze["start"], freeze["end"] = sorted([day(), day()])
    rule = pool(draw, hostile, IN_RULES, OUT_RULES)
    if rule is not None:
        freeze["rrule"] = rule
    doc["dependencies"][0]["lag_days"] = pool(draw, hostile, IN_LAGS, OUT_LAGS)
    doc["dependencies"][0]["type"] = draw(st.sampled_from(["FS", "SS", "FF", "SF"]))
    doc["environments"][1]["capacity"] = pool(draw, hostile, IN_CAPACITIES, OUT_CAPACITIES)
    doc["work_items"][0]["points"] = pool(draw, hostile, IN_POINTS, OUT_POINTS)
    deployment = doc["deployments"][0]
    times = sorted(
        (pool(draw, hostile, IN_TIMES, OUT_TIMES) for _ in range(3)),
        key=dt.datetime.fromisoformat,
    )
    deployment.update(started=times[0], finished=times[1], restored=times[2])
    doc["work_items"][0]["created"] = pool(draw, hostile, IN_TIMES, OUT_TIMES)
    return doc


COMMANDS: list[list[str]] = [
    ["check", "--today", "2026-11-27"],
    ["schedule", "--json"],
    ["impact", "PAY-2026.12", "--slip", "5", "--today", "2026-11-27"],
    ["impact", "PAY-2026.12", "--slip", "-3650", "--json"],
    ["readiness", "--json", "--today", "2026-11-27"],
    ["metrics", "--json", "--today", "2026-11-27"],
    ["metrics", "--from", "1900-01-01", "--to", "2199-12-31"],
]
EXPORTS = ["json", "ics", "csv", "dot", "graphml"]


@pytest.mark.timeout(300)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(doc=documents())
def test_an_accepted_plan_runs_every_analysis_and_export(
    doc: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Hypothesis may draw the same plan twice within one test's tmp_path: a fresh folder each time.
    case = Path(tempfile.mkdtemp(dir=tmp_path))
    src = case / "plan.json"
    src.write_text(json.dumps(doc))
    db = str(case / "ws.relplan")
    code = run(["--db", db, "import", str(src)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    if code != 0:
        assert code == 2
        assert captured.err.startswith("relplan: ")
        return
    for command in COMMANDS:
        code = run(["--db", db, *command])
        captured = capsys.readouterr()
        assert code in (0, 1), (command, captured.err)
        assert "internal error" not in captured.err, (command, captured.err)
    for fmt in EXPORTS:
        out = case / f"out.{fmt}"
        code = run(["--db", db, "export", fmt, "--out", str(out), "--today", "2026-11-27"])
        captured = capsys.readouterr()
        assert code == 0, (fmt, captured.err)
        assert out.stat().st_size > 0
