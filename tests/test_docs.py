"""The README documents every setting, so no setting goes unexplained."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from relplan.config import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_setting_is_documented() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Settings", 1)[1].split("\n## ", 1)[0]
    for f in dataclasses.fields(Settings):
        assert f"`{f.name}`" in section, f"README's Settings section does not explain {f.name}"


def _code_block_after(text: str, heading: str) -> str:
    """The first ```sh block after the line that starts with ``heading``."""
    rest = text.split(heading, 1)[1]
    return rest.split("```sh\n", 1)[1].split("```", 1)[0].strip()


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    text = README.read_text(encoding="utf-8")
    command = _code_block_after(text, "Run the tests")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert command in ci.splitlines()


def test_first_run_commands_work_without_a_system_pip() -> None:
    """Debian's Python refuses ``pip install`` outside a virtual environment."""
    text = README.read_text(encoding="utf-8")
    for heading in ("Run the app on a freshly generated demo", "Run the tests"):
        command = _code_block_after(text, heading)
        before_pip = command.split("pip install", 1)[0]
        assert "-m venv .venv" in before_pip, command
        assert ". .venv/bin/activate" in before_pip, command
    assert "libxcb-cursor0" in text
