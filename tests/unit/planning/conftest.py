"""Fixtures of the planning tests (the builders live in ``factories.py``)."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def today() -> dt.date:
    """A fixed 'today', well before the test plans' dates."""
    return dt.date(2026, 10, 1)
