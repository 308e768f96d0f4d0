"""An attendance forecast and the venues that would hold it.

Beside ``terrain.events._attendance``, in a module of their own: a command that
reads attendances (``terrain community core``) builds neither class.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import attrs

from terrain._language import count
from terrain.errors import ValidationError
from terrain.events._attendance import Attendance, RsvpStatus
from terrain.events._models import Venue

__all__ = ["Forecast", "VenueSuggestion", "forecast_attendance", "suggest_venues"]


@attrs.frozen
class Forecast:
    """How many people to expect, and from what."""

    expected: int
    going: int
    no_show_rate: float
    past_events: int

    def explain(self) -> str:
        """One sentence a community manager can read."""
        if not self.past_events:
            return f"{self.expected} expected: {self.going} going, no past event to learn from"
        return (
            f"{self.expected} expected: {self.going} going, minus a no-show rate of "
            f"{self.no_show_rate:.0%} over the last {count(self.past_events, 'event')}"
        )


def forecast_attendance(current: Attendance, past: Sequence[Attendance]) -> Forecast:
    """Expected attendance of ``current`` from the no-show rate of ``past`` events.

    The rate is no-shows over people who held a seat at the end (checked in or
    no-show), across the past events of the series (closed with :func:`mark_no_shows`).
    """
    came = sum(len(p.checked_in) for p in past)
    missed = sum(len(p.with_status(RsvpStatus.NO_SHOW)) for p in past)
    rate = missed / (came + missed) if came + missed else 0.0
    going = current.seated
    expected = math.ceil(going * (1 - rate) - 1e-9)
    return Forecast(expected, going, rate, sum(1 for p in past if p.checked_in or p.rsvps))


@attrs.frozen
class VenueSuggestion:
    """A venue that fits, with how full it would be and why it is suggested."""

    venue: Venue
    fill: float
    reason: str


def suggest_venues(
    venues: Iterable[Venue], *, attendance: int, margin: float = 0.1
) -> tuple[VenueSuggestion, ...]:
    """The venues with room for ``attendance`` people plus a ``margin``, snuggest first.

    A room that is nearly full feels lively; a huge one feels empty. Venues
    without a known capacity are left out (set their capacity to consider them).
    """
    if attendance < 0 or margin < 0:
        raise ValidationError("suggest_venues: attendance and margin must be 0 or more")
    need = math.ceil(attendance * (1 + margin))
    fits = [v for v in venues if v.capacity is not None and v.capacity >= max(need, 1)]
    fits.sort(key=lambda v: (v.capacity, v.fee.cents if v.fee else 0, v.name))
    return tuple(
        VenueSuggestion(
            v,
            attendance / v.capacity if v.capacity else 0.0,
            f"{v.name} ({v.kind.value}, {v.capacity} places, {v.cost_model.value}) holds "
            f"{attendance} people with a {margin:.0%} margin",
        )
        for v in fits
        if v.capacity is not None
    )
