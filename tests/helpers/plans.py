"""Small hand-made workspace documents for tests."""

from __future__ import annotations

import copy
from typing import Any

BASE: dict[str, Any] = {
    "format": "relplan-workspace",
    "version": 1,
    "timezone": "Europe/Berlin",
    "teams": [
        {"key": "PAY", "name": "Payments", "color": "#1f77b4"},
        {"key": "WEB", "name": "Web", "color": "#ff7f0e"},
    ],
    "environments": [
        {"name": "Staging", "order": 3, "capacity": 2},
        {"name": "Production", "order": 4, "capacity": 1},
    ],
    "trains": [{"key": "Q4-TRAIN", "name": "Q4 release train", "target": "2026-12-10"}],
    "releases": [
        {
            "key": "PAY-2026.12",
            "name": "Payments 2026.12",
            "team": "PAY",
            "train": "Q4-TRAIN",
            "start": "2026-11-02",
            "target": "2026-12-01",
            "status": "planned",
            "stages": [
                {
                    "environment": "Production",
                    "start": "2026-11-30",
                    "end": "2026-12-01",
                    "strategy": "canary",
                }
            ],
            "milestones": [{"name": "Code freeze", "date": "2026-11-20"}],
            "gates": [
                {
                    "name": "CAB approval",
                    "environment": "Production",
                    "kind": "manual",
                    "approvers": ["ops-lead"],
                    "status": "pending",
                }
            ],
        },
        {
            "key": "WEB-2026.12",
            "name": "Web 2026.12",
            "team": "WEB",
            "train": "Q4-TRAIN",
            "start": "2026-11-28",
            "target": "2026-12-08",
            "status": "planned",
        },
    ],
    "freezes": [
        {
            "name": "Holiday freeze",
            "start": "2026-12-19",
            "end": "2027-01-04",
            "environments": ["Production"],
            "teams": [],
        }
    ],
    "work_items": [
        {
            "key": "PAY-101",
            "title": "Refund API",
            "team": "PAY",
            "release": "PAY-2026.12",
            "type": "Story",
            "status": "In Progress",
            "category": "in_progress",
            "points": 3,
            "created": "2026-10-01T09:00:00Z",
            "resolved": None,
        },
        {
            "key": "WEB-17",
            "title": "Refund button",
            "team": "WEB",
            "release": "WEB-2026.12",
            "points": 2,
        },
    ],
    "dependencies": [
        {"from": "release:PAY-2026.12", "to": "release:WEB-2026.12", "type": "FS", "lag_days": 2},
        {"from": "item:PAY-101", "to": "item:WEB-17"},
    ],
    "deployments": [
        {
            "release": "PAY-2026.12",
            "environment": "Production",
            "started": "2026-11-03T10:00:00Z",
            "finished": "2026-11-03T10:20:00Z",
            "outcome": "failed",
            "restored": "2026-11-03T11:05:00Z",
            "changes": [{"id": "a1b2c3d", "committed": "2026-11-01T16:00:00Z"}],
        }
    ],
}


def document() -> dict[str, Any]:
    """A fresh deep copy of the base document, safe to mutate."""
    return copy.deepcopy(BASE)
