"""The ``terrain`` program: its console script, and ``python -m terrain`` when the
script is not on ``PATH``.

A command is a fresh process that imports a few hundred modules and builds their
classes before its own work. The cyclic garbage collector would scan those
objects again and again as they are made (a tenth of the CPU time of ``terrain
member list``), and none of them is garbage: :func:`run` pauses it while the
program starts, and :func:`terrain.cli.resume_gc` moves everything start-up made
out of its sight (:func:`gc.freeze`) and turns it back on once the command's
module is imported, before the command runs. Code calling
:func:`terrain.cli.main` in-process keeps its collector as it is.

The program also has the code attrs and cattrs generate for its classes
compiled through a cache in the user's cache folder (:mod:`terrain._codecache`,
set up when a verb is imported: ``--help`` builds no class): every command builds
the same classes, and compiling their methods again each time was a fifth of the
CPU time of ``terrain consent grant``.
"""

from __future__ import annotations

import gc

__all__ = ["run"]


def run() -> None:
    """Run ``terrain`` with the arguments of the command line (the console script)."""
    gc.disable()
    from terrain import cli

    cli.GC_PAUSED_AT_START = True
    cli.CACHE_GENERATED_CODE = True
    try:
        cli.main(prog_name="terrain")
    finally:
        cli.resume_gc()


if __name__ == "__main__":
    run()
