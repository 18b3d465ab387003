"""User settings: a small frozen schema stored as TOML in the user's config folder.

Every setting is documented in README.md's "Settings" table; a test checks that none is missing.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs

log = logging.getLogger(__name__)

APP_NAME = "relplan"
MAX_RECENT = 10


def config_dir() -> Path:
    """Where settings live (``$XDG_CONFIG_HOME/relplan`` on Linux)."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    """Where workspaces live by default (``$XDG_DATA_HOME/relplan`` on Linux)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_workspace() -> Path:
    """The workspace used when none was ever chosen."""
    return data_dir() / "workspace.relplan"


def demo_workspace() -> Path:
    """The workspace that ``relplan --demo`` regenerates."""
    return data_dir() / "demo.relplan"


@dataclass(frozen=True, slots=True)
class Settings:
    """relplan's user settings.

    Attributes:
        last_workspace: the workspace opened last; ``relplan`` opens it again.
        recent: recently opened workspaces, newest first.
        last_export_dir: the folder the window's last export or import dialog chose.
    """

    last_workspace: str = ""
    recent: tuple[str, ...] = ()
    last_export_dir: str = ""

    def opened(self, path: Path) -> Settings:
        """The settings after opening ``path``: it becomes the last and the newest recent."""
        text = str(path)
        recent = (text, *(p for p in self.recent if p != text))[:MAX_RECENT]
        return dataclasses.replace(self, last_workspace=text, recent=recent)


def settings_file() -> Path:
    """The TOML file of the settings."""
    return config_dir() / "settings.toml"


def load_settings() -> Settings:
    """Read the settings; a missing or damaged file gives the defaults (and a log line)."""
    path = settings_file()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        log.warning("ignoring unreadable settings file %s: %s", path, exc)
        return Settings()
    last = data.get("last_workspace", "")
    recent = data.get("recent", [])
    export_dir = data.get("last_export_dir", "")
    return Settings(
        last_workspace=last if isinstance(last, str) else "",
        recent=tuple(p for p in recent if isinstance(p, str)) if isinstance(recent, list) else (),
        last_export_dir=export_dir if isinstance(export_dir, str) else "",
    )


def save_settings(settings: Settings) -> None:
    """Write the settings file (JSON strings are valid TOML basic strings)."""
    path = settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        f"last_workspace = {json.dumps(settings.last_workspace)}",
        "recent = [" + ", ".join(json.dumps(p) for p in settings.recent) + "]",
        f"last_export_dir = {json.dumps(settings.last_export_dir)}",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def documents_dir() -> Path:
    """The user's documents folder (``XDG_DOCUMENTS_DIR``, ``~/Documents``), else the home."""
    documents = Path(platformdirs.user_documents_dir())
    return documents if documents.is_dir() else Path.home()


def export_dir() -> Path:
    """Where an export (or import) dialog starts: the folder used last, else the documents.

    Never the data folder, where workspaces live hidden from people.
    """
    last = load_settings().last_export_dir
    if last and Path(last).is_dir():
        return Path(last)
    return documents_dir()


def remember_export_dir(path: str | Path) -> None:
    """Note the folder of a file an export or import dialog chose, for the next dialog."""
    folder = str(Path(path).expanduser().parent)
    settings = load_settings()
    if settings.last_export_dir != folder:
        save_settings(dataclasses.replace(settings, last_export_dir=folder))
