"""Reading dates and times typed on the command line, in the community's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click

__all__ = ["parse_when"]


def parse_when(value: str, timezone: str, *, option: str) -> datetime:
    """``2026-03-12 19:00`` (community time) or ISO 8601 with an offset.

    A bad value raises :class:`click.BadParameter` (exit code 2) saying the
    accepted forms.
    """
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date and time: write 2026-03-12 19:00 (in {timezone}) "
            "or 2026-03-12T19:00+01:00",
            param_hint=option,
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(timezone))
    return when
