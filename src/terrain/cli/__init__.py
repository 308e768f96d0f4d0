"""The ``terrain`` command line: a thin layer over the library, split by verb.

Each verb lives in its own module (``_demo.py``, ``_consent.py``…) that defines
``command``; :data:`COMMANDS` lists them. Exit codes: 0 success, 1 the work
ran but something failed (a platform refused a post), 2 bad input (the message
says what to fix; nothing was changed).
"""

from __future__ import annotations

import importlib

import click

from terrain import __version__
from terrain.cli._common import TerrainGroup

__all__ = ["COMMANDS", "main"]

#: Modules that define a click ``command``, in the order ``--help`` lists them.
COMMANDS: list[str] = [
    "terrain.cli._init",
    "terrain.cli._demo",
    "terrain.cli._member",
    "terrain.cli._event",
    "terrain.cli._venue",
    "terrain.cli._series",
    "terrain.cli._rsvp",
    "terrain.cli._checkin",
    "terrain.cli._attendance",
    "terrain.cli._partner",
    "terrain.cli._project",
    "terrain.cli._workshop",
    "terrain.cli._community",
    "terrain.cli._content",
    "terrain.cli._consent",
    "terrain.cli._publish",
    "terrain.cli._worker",
    "terrain.cli._takedown",
    "terrain.cli._log",
    "terrain.cli._plugins",
    "terrain.cli._store",
]


@click.group(cls=TerrainGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="terrain")
def main() -> None:
    """terrain: field community management, published only with consent.

    Run `terrain demo` to see the whole flow with no account anywhere.
    """


for _path in COMMANDS:
    main.add_command(importlib.import_module(_path).command)
