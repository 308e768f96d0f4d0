"""The one clock: where terrain reads "now" when the caller did not say.

Domain logic never reads the clock: it takes ``at=`` / ``now=``. The command
line, the workflows' defaults and the workers read it here, and only here, so
that tests and the documentation runner can set it::

    $ TERRAIN_NOW=2026-03-29T10:00:00+02:00 terrain partner list

:data:`NOW_ENV_VAR` (``TERRAIN_NOW``) sets the clock of the process to an instant
(ISO 8601 with its offset, optionally followed by an RFC 9557 zone such as
``[Europe/Paris]``). The clock then *ticks* from that instant, as a machine
clock set to it would: a worker waiting for a rate-limit slot still sees time
pass. Each process starts its clock at the instant when it first reads the
variable; a different value starts again from the new instant.

    >>> import os
    >>> from terrain import clock
    >>> os.environ["TERRAIN_NOW"] = "2028-02-29T09:30:00+01:00"
    >>> clock.now().date().isoformat()
    '2028-02-29'
    >>> clock.today("Pacific/Chatham").isoformat()
    '2028-02-29'
    >>> del os.environ["TERRAIN_NOW"]

Every value :func:`now` returns is aware and in UTC.

The time rules of ``docs/time.rst`` come with it: :func:`local_time` reads a
wall time in a zone (refusing one in a spring-forward gap, asking which of a
repeated hour), and :func:`instant` is the UTC form in which two datetimes
compare as the instants they name::

    >>> from datetime import datetime
    >>> clock.local_time(datetime(2026, 10, 25, 2, 30), "Europe/Paris", fold="later").isoformat()
    '2026-10-25T02:30:00+01:00'
"""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from terrain._public import claim, deprecated
from terrain._time import Fold, instant, local_time
from terrain.errors import ConfigError

__all__ = ["NOW_ENV_VAR", "Fold", "instant", "local_time", "now", "today"]

#: Environment variable that sets the clock (an instant with its UTC offset).
NOW_ENV_VAR = "TERRAIN_NOW"

_lock = threading.Lock()
#: value of the variable -> (the instant it names, the monotonic time it was first read)
_anchors: dict[str, tuple[datetime, float]] = {}


def _parse(value: str) -> datetime:
    text = value.strip()
    zone: ZoneInfo | None = None
    if text.endswith("]") and "[" in text:
        text, _, name = text[:-1].partition("[")
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"{NOW_ENV_VAR}={value!r}: {name!r} is not an IANA time zone "
                "(e.g. Europe/Paris); fix or unset the variable"
            ) from None
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"{NOW_ENV_VAR}={value!r} is not an instant: write it as ISO 8601 with its offset, "
            "e.g. 2026-03-29T10:00:00+02:00, or unset the variable to use the real time"
        ) from None
    if instant.utcoffset() is None:
        raise ConfigError(
            f"{NOW_ENV_VAR}={value!r} has no UTC offset, so it names no instant: add one "
            "(e.g. 2026-03-29T10:00:00+02:00 or …Z)"
        )
    if zone is not None and instant.astimezone(zone).utcoffset() != instant.utcoffset():
        raise ConfigError(
            f"{NOW_ENV_VAR}={value!r}: the offset does not match {zone.key} at that time; "
            "fix the offset or drop the [zone] suffix"
        )
    return instant.astimezone(UTC)


def now() -> datetime:
    """The current instant, aware, in UTC: the real time, or the clock :data:`NOW_ENV_VAR` set.

    Raises :class:`~terrain.errors.ConfigError` when the variable holds
    something that is not an instant with an offset.
    """
    value = os.environ.get(NOW_ENV_VAR)
    if not value:
        return datetime.now(UTC)
    with _lock:
        anchor = _anchors.get(value)
        if anchor is None:
            anchor = _anchors[value] = (_parse(value), time.monotonic())
    start, ticked_from = anchor
    return start + timedelta(seconds=time.monotonic() - ticked_from)


def today(timezone: str | ZoneInfo) -> date:
    """Today's date in ``timezone`` (an IANA name such as ``"Europe/Paris"``)."""
    zone = timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)
    return now().astimezone(zone).date()


claim(__name__, globals())

# Renamed after 0.1.0 (three modules had an ENV_VAR): served until the next release.
if not TYPE_CHECKING:
    __getattr__ = deprecated(__name__, {"ENV_VAR": "NOW_ENV_VAR"}, globals())
