"""``-v`` and ``--log-level``: terrain's log lines (and its libraries') on stderr.

Nothing is configured at import: the root command calls :func:`configure_logging`
when a command runs, and undoes it when the command ends, so that code calling
:func:`terrain.cli.main` in-process (tests, scripts) keeps its own logging.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TextIO

from terrain.secrets import RedactingFilter

__all__ = ["OWN_LOGGERS", "configure_logging"]
#: The loggers of terrain itself: ``-v``/``-vv``/``--log-level`` set their level.
OWN_LOGGERS = ("terrain", "terrain_adapters")
#: How each line looks on stderr.
FORMAT = "%(levelname)s %(name)s: %(message)s"


def _levels(verbosity: int, level: str | None) -> tuple[int, int]:
    """(terrain's level, the libraries' level) for ``-v`` × ``verbosity`` and ``--log-level``."""
    own = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    if level is not None:
        own = logging.getLevelNamesMapping()[level.upper()]
    libraries = logging.DEBUG if verbosity >= 3 else logging.WARNING
    return own, libraries


class _Threshold(logging.Filter):
    """Lets through terrain's records from ``own`` up, the others from ``libraries`` up."""

    def __init__(self, own: int, libraries: int) -> None:
        super().__init__()
        self.own = own
        self.libraries = libraries

    def filter(self, record: logging.LogRecord) -> bool:
        mine = record.name.partition(".")[0] in OWN_LOGGERS
        return record.levelno >= (self.own if mine else self.libraries)


def configure_logging(
    *, verbosity: int = 0, level: str | None = None, stream: TextIO | None = None
) -> Callable[[], None]:
    """Send log records to ``stream`` (default: stderr) and return the function that undoes it.

    terrain's own records are written from ``level`` up if given, else from
    WARNING, INFO (``verbosity`` 1) or DEBUG (2 and more); the libraries'
    underneath (requests, urllib3, tweepy, boto3…) from WARNING, or DEBUG
    from ``verbosity`` 3. Every line goes through a
    :class:`~terrain.secrets.RedactingFilter`: a token terrain revealed is
    masked whichever library logs it. Loggers are only ever made more
    verbose (and put back afterwards), so handlers the caller installed keep
    receiving what they did.
    """
    own, libraries = _levels(verbosity, level)
    handler = logging.StreamHandler(sys.stderr if stream is None else stream)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(_Threshold(own, libraries))
    handler.addFilter(RedactingFilter())
    wanted = [(logging.getLogger(), libraries)]
    wanted += [(logging.getLogger(name), own) for name in OWN_LOGGERS]
    saved = []
    for logger, threshold in wanted:
        if logger.getEffectiveLevel() > threshold:
            saved.append((logger, logger.level))
            logger.setLevel(threshold)
    logging.getLogger().addHandler(handler)

    def restore() -> None:
        logging.getLogger().removeHandler(handler)
        for logger, previous in saved:
            logger.setLevel(previous)

    return restore
