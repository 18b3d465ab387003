"""The readiness table for people: verdicts spelled out, reasons for those that need one."""

from __future__ import annotations

from relplan.metrics.report import format_readiness
from relplan.planning.readiness import readiness_of
from tests.unit.metrics.factories import TODAY, dep, done_items, item, plan, rel


def test_readiness_table_spells_verdicts_for_people() -> None:
    items = [
        *done_items("P", "PAY", [5] * 12),
        *(item(f"ON-{n}", "ON") for n in range(5)),
        *(item(f"RISK-{n}", "RISK") for n in range(3)),
        item("SHIP-1", "SHIP"),  # left open when SHIP shipped, and RISK-0 waits for it
    ]
    releases = [
        rel("ON", target="2026-12-20"),
        rel("RISK", target="2026-12-10"),
        rel("SHIP", status="released", target="2026-11-01"),
        rel("GONE", status="cancelled"),
    ]
    p = plan(releases, items, [dep("item:SHIP-1", "item:RISK-0")])
    lines = format_readiness(readiness_of(p, today=TODAY)).splitlines()
    assert [line.split("  ")[-1].strip() for line in lines[1:5]] == [
        "cancelled",
        "on track",
        "at risk",
        "released",
    ]
    assert (
        lines[6] == "1 at risk, 1 on track, 1 released, 1 cancelled (as of 2026-11-30, 2,000 runs)"
    )
    assert lines[8:] == [
        "Why:",
        "RISK (at risk): P85 finish 2026-12-07 is 3 days before target 2026-12-10; "
        "but 1 open blocker in SHIP: SHIP has no forecast",
        "ON (on track): P85 finish 2026-12-14 is 6 days before target 2026-12-20 "
        "(3 items ahead in PAY's queue)",
    ]
