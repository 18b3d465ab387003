"""Machine-checked architecture rules: the core never imports Qt."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import relplan

CORE_EXCLUDED = ("relplan.ui", "relplan.app", "relplan.__main__")


def core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(relplan.__path__, "relplan."):
        if not info.name.startswith(CORE_EXCLUDED):
            names.append(info.name)
    return sorted(names)


def test_core_modules_exist() -> None:
    names = core_modules()
    assert "relplan.store.workspace" in names
    assert "relplan.formats.workspace_json" in names


def test_core_imports_no_qt_even_transitively() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == ""


def test_cli_start_up_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "import relplan.cli\n"
        "heavy = ('matplotlib', 'networkx', 'PySide6')\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == ""


def test_window_actions_receive_the_window_instead_of_importing_it() -> None:
    # main_window imports plan_actions and sync_actions; they must not import it back (not
    # even for type checking): they take the window as the WindowActions base they need.
    import ast
    from pathlib import Path

    for name in ("plan_actions", "sync_actions"):
        tree = ast.parse((Path(relplan.__file__).parent / "ui" / f"{name}.py").read_text())
        imported = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module is not None
        }
        assert "relplan.ui.main_window" not in imported, name


def test_no_ui_module_imports_the_main_window_back() -> None:
    # The window imports its actions, links and mixins; none imports it back (not even for
    # type checking): each is handed the window as a base class or the parts it needs.
    import ast
    from pathlib import Path

    ui = Path(relplan.__file__).parent / "ui"
    for path in sorted(ui.rglob("*.py")):
        if path.name == "main_window.py":
            continue
        tree = ast.parse(path.read_text())
        imported = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module is not None
        } | {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        assert "relplan.ui.main_window" not in imported, path
