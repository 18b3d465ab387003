"""The ``Examples:`` sections of the planning modules run as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["graph", "check", "schedule", "impact", "report", "wording"]


@pytest.mark.parametrize("name", MODULES)
def test_examples_pass(name: str) -> None:
    module = importlib.import_module(f"relplan.planning.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("name", ["dependencies", "shift"])
def test_edit_examples_pass(name: str) -> None:
    module = importlib.import_module(f"relplan.edits.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_domain_rule_examples_pass() -> None:
    module = importlib.import_module("relplan.domain.rules")
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
