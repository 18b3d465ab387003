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
