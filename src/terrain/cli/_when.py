"""Reading dates and times typed on the command line, in the community's time zone.

The rules (``docs/time.rst``): ``2026-03-12 19:00`` is community time;
``2026-03-12T19:00+01:00`` (or ``…Z``) is that instant, kept with the offset
given; a date alone (``2027-03-12``) is the start of that day. A local time
that does not exist (the spring-forward gap) is refused with the nearest valid
times; one that happens twice (the autumn fold) needs ``--fold earlier`` or
``--fold later``, or an offset.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

import click

from terrain._time import FOLDS, Fold, fold_problem, gap_problem, is_ambiguous, zone

__all__ = ["fold_option", "parse_when", "shown"]

F = TypeVar("F", bound=Callable[..., Any])

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


_META_KEY = "terrain.fold"


def _remember_fold(ctx: click.Context, _param: click.Parameter, value: Fold | None) -> None:
    ctx.meta[_META_KEY] = value


def fold_option(f: F) -> F:
    """``--fold earlier|later``: which of a local time that happens twice is meant.

    Put it on every command with a date-and-time option: :func:`parse_when`
    reads it from the command's context, so the command's function does not
    take it as an argument.
    """
    return click.option(
        "--fold",
        type=click.Choice(FOLDS),
        default=None,
        expose_value=False,
        callback=_remember_fold,
        help="For a local time that happens twice (the night clocks go back): 'earlier' "
        "for the first, 'later' for the second.",
    )(f)


def _fold_of_command() -> Fold | None:
    ctx = click.get_current_context(silent=True)
    return None if ctx is None else cast("Fold | None", ctx.meta.get(_META_KEY))


def parse_when(value: str, timezone: str, *, option: str, fold: Fold | None = None) -> datetime:
    """``2026-03-12 19:00`` (community time), a date alone, or ISO 8601 with an offset.

    A bad value raises :class:`click.BadParameter` (exit code 2) saying the
    accepted forms, or for a local time in a gap the nearest valid times, or
    for one that happens twice how to choose (``--fold``, an offset).
    ``fold`` defaults to the command's ``--fold`` (:func:`fold_option`).
    """
    if fold is None:
        fold = _fold_of_command()
    text = value.strip()
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date and time: write 2026-03-12 19:00 (in {timezone}) "
            "or 2026-03-12T19:00+01:00",
            param_hint=option,
        ) from None
    if when.tzinfo is not None:
        return when  # an instant the user named with its offset: kept as given
    tz = zone(timezone)
    local = when.replace(tzinfo=tz)
    if _DATE_ONLY.fullmatch(text):
        return _start_of_day(local)
    problem = gap_problem(local)
    if problem is not None:
        raise click.BadParameter(problem, param_hint=option)
    if is_ambiguous(local):
        if fold is None:
            raise click.BadParameter(
                fold_problem(when, tz, how="add --fold earlier or --fold later"),
                param_hint=option,
            )
        return local.replace(fold=0 if fold == "earlier" else 1)
    return local


def _start_of_day(midnight: datetime) -> datetime:
    """The first instant of a local day (midnight, or the end of a gap at midnight)."""
    start = midnight
    while gap_problem(start) is not None:
        start += timedelta(minutes=1)
    return start


def shown(when: datetime) -> str:
    """``2026-10-25 02:30`` for people; in a repeated hour, which one (and its offset)."""
    text = f"{when:%Y-%m-%d %H:%M}"
    if is_ambiguous(when):
        which = "second" if when.fold else "first"
        text += f" (the {which}, UTC{when.isoformat()[-6:]})"
    return text
