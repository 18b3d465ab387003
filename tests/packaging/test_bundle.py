"""Smoke test of the frozen bundle: build it, then run it as a user would.

Marked ``bundle``: the default test run leaves it out (it takes a minute or more to build), and
``.ci/run`` runs it explicitly with ``pytest -m bundle``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.bundle, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the bundle once (or use RELPLAN_BUNDLE, a dist/relplan folder built already)."""
    given = os.environ.get("RELPLAN_BUNDLE")
    if given:
        return Path(given)
    dist = tmp_path_factory.mktemp("dist")
    work = tmp_path_factory.mktemp("work")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "packaging" / "build.py"),
            "--dist",
            str(dist),
            "--work",
            str(work),
        ],
        check=True,
        timeout=1800,
    )
    assert (dist / f"relplan-{_version()}-linux-{os.uname().machine}.tar.gz").stat().st_size > 0
    return dist / "relplan"


def _version() -> str:
    from importlib.metadata import version

    return version("relplan")


def _run(bundle: Path, *args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = dict(
        os.environ,
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        QT_QPA_PLATFORM="offscreen",
        **env,
    )
    return subprocess.run(
        [str(bundle / "relplan"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=environ,
        check=False,
    )


def test_version(bundle: Path, tmp_path: Path) -> None:
    done = _run(bundle, "--version", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"relplan {_version()}"


def test_check_on_a_demo_workspace(bundle: Path, tmp_path: Path) -> None:
    demo = tmp_path / "demo.json"
    db = str(tmp_path / "demo.relplan")
    assert _run(bundle, "demo", "--out", str(demo), "--seed", "1", home=tmp_path).returncode == 0
    assert _run(bundle, "--db", db, "import", str(demo), home=tmp_path).returncode == 0
    done = _run(bundle, "--db", db, "check", "--json", home=tmp_path)
    assert done.returncode == 1  # the demo carries deliberate errors
    kinds = {p["kind"] for p in json.loads(done.stdout)["problems"]}
    assert "dependency_violation" in kinds
    done = _run(bundle, "--db", db, "schedule", "--json", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["critical_path"]


def test_window_opens_and_closes(bundle: Path, tmp_path: Path) -> None:
    done = _run(bundle, "--demo", home=tmp_path, RELPLAN_QUIT_AFTER_PAINT="1")
    assert done.returncode == 0, done.stderr
    assert "first_paint_ms=" in done.stdout
