"""Revisions of a meetup's date: iCalendar's ``SEQUENCE``, raised when a date changes.

A calendar that imported a meetup replaces it with a newer copy only when the
copy's ``SEQUENCE`` is higher (RFC 5545 §3.8.7.4). :func:`raise_sequence` compares a
record with the one it replaces and raises the counters where a date or a
time changed; :meth:`Workspace.put <terrain.store.Workspace.put>` calls it, so
every change, from the command line or the API, is seen by calendars.
"""

from __future__ import annotations

from typing import TypeVar

import attrs

from terrain._time import instant
from terrain.events._models import Event
from terrain.events._series import Override, Series

__all__ = ["raise_sequence"]

R = TypeVar("R", Event, Series)


def _when(event: Event) -> tuple[object, ...]:
    return (instant(event.starts_at), instant(event.ends_at))


def _series_when(series: Series) -> tuple[object, ...]:
    first = series.first_starts_at
    return (series.rule, instant(first), first.tzinfo, series.minutes)


def _override_when(override: Override | None) -> tuple[object, ...]:
    if override is None:
        return (False, None)
    starts = override.starts_at
    return (override.cancelled, None if starts is None else instant(starts))


def raise_sequence(previous: R, current: R) -> R:
    """``current`` with its ``sequence`` raised above ``previous``'s where a date changed.

    For an :class:`Event`: when ``starts_at`` or ``ends_at`` names another
    instant. For a :class:`Series`: the series' own ``sequence`` when the
    rule, the first date, its zone or the length change (every date moves);
    an override's when it moves or cancels its date, or no longer does. A
    counter is never lowered; nothing else changes.
    """
    if isinstance(previous, Event) and isinstance(current, Event):
        if _when(previous) != _when(current) and current.sequence <= previous.sequence:
            return attrs.evolve(current, sequence=previous.sequence + 1)
        if current.sequence < previous.sequence:
            return attrs.evolve(current, sequence=previous.sequence)
        return current
    if isinstance(previous, Series) and isinstance(current, Series):
        floor = previous.sequence + (_series_when(previous) != _series_when(current))
        before = {o.on: o for o in previous.overrides}
        overrides = []
        for override in current.overrides:
            old = before.pop(override.on, None)
            least = 0 if old is None else old.sequence
            if _override_when(old) != _override_when(override):
                least += 1
            overrides.append(
                override if override.sequence >= least else attrs.evolve(override, sequence=least)
            )
        # an override removed brings its date back: raise the series' counter for it
        if any(o.moves for o in before.values()):
            floor = max(floor, previous.sequence + max(o.sequence for o in before.values()) + 1)
        return attrs.evolve(
            current, sequence=max(current.sequence, floor), overrides=tuple(overrides)
        )
    raise TypeError(
        "a new version of an Event must be an Event, and of a Series a Series; got "
        f"{type(previous).__name__} then {type(current).__name__}"
    )
