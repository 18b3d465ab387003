"""The ``Examples:`` sections of the lifecycle modules run as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize(
    "name",
    ["relplan.planning.lifecycle", "relplan.domain.templates", "relplan.layout.lifecycle"],
)
def test_examples_pass(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
