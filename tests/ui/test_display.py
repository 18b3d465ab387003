"""Without a usable display relplan says what is missing in one line, instead of Qt's abort."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import pytest

from relplan.ui.display import (
    debian_package,
    display_problem,
    xcb_missing_libraries,
    xcb_plugin,
)


def test_without_a_display_relplan_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, "-m", "relplan", "--db", str(tmp_path / "w.relplan")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    # Was: SIGABRT (-6) after Qt's "could not load the Qt platform plugin" and its plugin list.
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("relplan: cannot open the window: no display")
    assert "DISPLAY" in lines[0]
    assert "relplan --help" in lines[0]
    assert not (tmp_path / "w.relplan").exists()  # nothing was opened or created


def test_a_chosen_platform_or_another_system_is_not_second_guessed() -> None:
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, platform="linux") is None
    assert display_problem({}, platform="darwin") is None
    assert display_problem({}, platform="win32") is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, platform="linux") is None


def test_missing_xcb_libraries_are_named_with_their_packages() -> None:
    env = {"DISPLAY": ":0"}
    assert display_problem(env, platform="linux", missing_libraries=list) is None
    line = display_problem(
        env,
        platform="linux",
        missing_libraries=lambda: ["libxcb-cursor.so.0", "libxcb-icccm.so.4"],
    )
    assert line is not None
    assert "libxcb-cursor.so.0, libxcb-icccm.so.4" in line
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4" in line
    assert "\n" not in line


@pytest.mark.parametrize(
    ("soname", "package"),
    [
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxcb-render-util.so.0", "libxcb-render-util0"),
        ("libX11-xcb.so.1", "libx11-xcb1"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libEGL.so.1", "libegl1"),
        ("libdbus-1.so.3", "libdbus-1-3"),
        ("libglib-2.0.so.0", "libglib2.0-0"),
    ],
)
def test_debian_package_names(soname: str, package: str) -> None:
    assert debian_package(soname) == package


def test_the_libraries_reported_missing_really_cannot_load() -> None:
    plugin = xcb_plugin()
    assert plugin is not None
    for soname in xcb_missing_libraries(plugin):
        with pytest.raises(OSError, match="cannot open shared object"):
            ctypes.CDLL(soname)
