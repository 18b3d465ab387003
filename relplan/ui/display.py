"""Can the window open here? Checked before Qt starts, because Qt aborts (SIGABRT, a core dump)
when its platform plugin cannot load, after printing a message people cannot act on.

This module imports no Qt: it runs before the QApplication exists (and works when PySide6's own
libraries are what is missing).
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

__all__ = ["debian_package", "display_problem", "xcb_missing_libraries", "xcb_plugin"]

#: Where the sonames' Debian packages do not follow the usual naming rule.
_PACKAGES: Final = {"libglib-2.0.so.0": "libglib2.0-0"}
_NOT_FOUND: Final = re.compile(r"^\s*(\S+) => not found", re.MULTILINE)


def xcb_plugin() -> Path | None:
    """PySide6's xcb platform plugin (the one Qt loads for an X11 display), if installed."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or spec.origin is None:
        return None
    plugin = Path(spec.origin).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.exists() else None


def xcb_missing_libraries(plugin: Path | None = None) -> list[str]:
    """The shared libraries the xcb plugin needs and the system lacks (sonames, sorted).

    Loading the plugin is the test Qt itself makes; only when it fails does ``ldd`` list every
    missing library (the loader names only the first).
    """
    plugin = plugin or xcb_plugin()
    if plugin is None:
        return []
    try:
        ctypes.CDLL(str(plugin), mode=os.RTLD_LAZY)
    except OSError as exc:
        first = str(exc).split(":", 1)[0].strip()
        try:
            done = subprocess.run(
                ["ldd", str(plugin)], capture_output=True, text=True, timeout=10, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return [first]
        return sorted(set(_NOT_FOUND.findall(done.stdout))) or [first]
    return []


def debian_package(soname: str) -> str:
    """The Debian/Ubuntu package that usually ships a library: ``libxcb-cursor.so.0`` ->
    ``libxcb-cursor0``, ``libX11-xcb.so.1`` -> ``libx11-xcb1``."""
    if soname in _PACKAGES:
        return _PACKAGES[soname]
    name, _, version = soname.partition(".so.")
    name = name.lower()
    major = version.split(".", 1)[0]
    return f"{name}{'-' if name[-1:].isdigit() else ''}{major}"


def display_problem(
    env: Mapping[str, str] | None = None,
    *,
    platform: str = sys.platform,
    missing_libraries: Callable[[], list[str]] = xcb_missing_libraries,
) -> str | None:
    """Why the window cannot open, in one line that says how to fix it; None when it can.

    Only Linux is checked (elsewhere Qt always has its native platform). ``QT_QPA_PLATFORM``
    means the user chose a platform, so nothing is checked then.

    Args:
        env: the environment (default: ``os.environ``).
        platform: ``sys.platform``.
        missing_libraries: what the xcb plugin lacks (see :func:`xcb_missing_libraries`).
    """
    env = os.environ if env is None else env
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return None
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return (
            "cannot open the window: no display (DISPLAY and WAYLAND_DISPLAY are unset); run "
            "relplan in a desktop session or with 'ssh -X', or use its commands (relplan --help)"
        )
    if env.get("WAYLAND_DISPLAY"):
        return None  # Qt uses its Wayland plugin (and xcb only as a fallback)
    missing = missing_libraries()
    if not missing:
        return None
    packages = " ".join(sorted({debian_package(m) for m in missing}))
    return (
        f"cannot open the window: Qt's X11 (xcb) plugin needs {', '.join(missing)}; install "
        f"them (Debian/Ubuntu: sudo apt install {packages})"
    )
