"""Where a change is made from: one origin per window session or terminal session.

Undo takes back the latest change made from the same origin, never another writer's (another
window, a script, a colleague on the same file). The origin of each change is kept in the audit
log (``commands.origin``). Origins are:

- ``session:NAME`` when the ``RELPLAN_SESSION`` environment variable is set (scripts and CI
  choose their own, so that two scripts in one terminal keep apart or one script's steps share);
- ``terminal:HOST:SID-START`` on the command line otherwise: the session id of the terminal
  session (every command typed in one terminal, or run by one script started from it, shares it)
  and the start time of its leader, so that a reused session id is a new origin;
- ``window:HOST:PID-RANDOM`` for each window session (each open window of ``relplan gui``).
"""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path

#: The environment variable that names the origin of the command line's changes.
SESSION_VARIABLE = "RELPLAN_SESSION"
_MAX_NAME = 100


def _host() -> str:
    try:
        return socket.gethostname() or "localhost"
    except OSError:
        return "localhost"


def _start_time(pid: int) -> str:
    """When process ``pid`` started (clock ticks since boot, from /proc), or ``""``."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
    fields = stat[stat.rfind(")") + 2 :].split()
    # Field 22 of proc(5) is starttime; the fields after the command name start at field 3.
    return fields[19] if len(fields) > 19 else ""


def terminal_origin() -> str:
    """The origin of changes made from the command line in this process."""
    named = os.environ.get(SESSION_VARIABLE, "").strip()
    if named:
        return f"session:{named[:_MAX_NAME]}"
    getsid = getattr(os, "getsid", None)
    try:
        leader = int(getsid(0)) if getsid is not None else os.getppid()
    except OSError:
        leader = os.getppid()
    start = _start_time(leader)
    return f"terminal:{_host()}:{leader}" + (f"-{start}" if start else "")


def window_origin() -> str:
    """A new origin for one window session."""
    return f"window:{_host()}:{os.getpid()}-{secrets.token_hex(4)}"
