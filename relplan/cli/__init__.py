"""The command line: ``relplan [--db PATH | --demo] [COMMAND ...]``.

``common`` holds what every command module shares; ``commands`` the parser, the dispatcher and the
plan commands; ``calendar``, ``metrics`` and ``sync`` their own sub-commands and exporters.
"""

from relplan.cli.commands import main, run

__all__ = ["main", "run"]
