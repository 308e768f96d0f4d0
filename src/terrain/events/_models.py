"""Meetups, their talks and the venues that host them.

The field format: one or two expert talks of 20–30 minutes, each followed by
10–15 minutes of questions, then networking, which must stay the main part of
the evening. The models hold the data and its invariants; format checks,
series and attendance live beside them as pure functions.
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from terrain._time import elapsed, instant, require_aware
from terrain._validation import (
    as_enum,
    at_least,
    aware_datetime,
    each,
    fail,
    identifier,
    instance_of,
    member_of,
    optional,
    text,
    to_tuple,
)

__all__ = ["CostModel", "Event", "Money", "Talk", "Venue", "VenueKind", "remove_talk"]


class VenueKind(enum.StrEnum):
    """Where a meetup happens."""

    BAR = "bar"
    AGENCY = "agency"
    WORKPLACE = "workplace"
    PUBLIC = "public"
    OTHER = "other"


def _to_venue_kind(value: VenueKind | str) -> VenueKind:
    return as_enum(VenueKind, value)


class CostModel(enum.StrEnum):
    """Who pays what at a venue."""

    FREE = "free"  #: nobody pays
    EACH_PAYS_OWN = "each-pays-own"  #: the bar model: everyone pays their drinks
    HOST_PAYS = "host-pays"  #: the host (agency, workplace) offers
    PARTNER_PAYS = "partner-pays"  #: a partner covers food/drinks
    RENTAL_FEE = "rental-fee"  #: the community pays a fee for the room


def _to_cost_model(value: CostModel | str) -> CostModel:
    return as_enum(CostModel, value)


@attrs.frozen
class Money:
    """An amount in the smallest unit of a currency (cents for EUR)."""

    cents: int = attrs.field(validator=at_least(0))
    currency: str = attrs.field(default="EUR")

    @currency.validator
    def _iso(self, attribute: attrs.Attribute[str], value: object) -> None:
        if not (isinstance(value, str) and len(value) == 3 and value.isalpha() and value.isupper()):
            raise fail(self, attribute, f"{value!r} is not an ISO 4217 code such as 'EUR'")

    def __str__(self) -> str:
        return f"{self.cents / 100:.2f} {self.currency}"


@attrs.frozen
class Venue:
    """A place that hosts meetups. ``capacity`` is the number of people."""

    id: str = attrs.field(validator=identifier())
    name: str = attrs.field(validator=text(nonempty=True, max_length=200, line=True))
    kind: VenueKind = attrs.field(converter=_to_venue_kind, validator=member_of(VenueKind))
    address: str = attrs.field(default="", validator=text(max_length=500, plain=True))
    capacity: int | None = attrs.field(default=None, validator=optional(at_least(0)))
    cost_model: CostModel = attrs.field(
        default=CostModel.FREE, converter=_to_cost_model, validator=member_of(CostModel)
    )
    fee: Money | None = attrs.field(default=None, validator=optional(instance_of(Money)))
    notes: str = attrs.field(default="", validator=text(max_length=5000))

    def __attrs_post_init__(self) -> None:
        if self.cost_model is CostModel.RENTAL_FEE and self.fee is None:
            raise fail(self, attrs.fields(Venue).fee, "a venue with a rental fee needs its fee")


@attrs.frozen
class Talk:
    """An expert talk: ``minutes`` of talk, then ``qa_minutes`` of questions."""

    title: str = attrs.field(validator=text(nonempty=True, max_length=300, line=True))
    speaker: str = attrs.field(validator=text(nonempty=True, max_length=200, line=True))
    minutes: int = attrs.field(validator=at_least(1))
    qa_minutes: int = attrs.field(default=0, validator=at_least(0))
    speaker_id: str | None = attrs.field(default=None, validator=optional(identifier()))


@attrs.frozen
class Event:
    """A meetup: when, where, how many people, which talks, how much networking.

    ``starts_at``/``ends_at`` carry a time zone and ``ends_at`` is after
    ``starts_at``. ``capacity`` (if set) overrides the venue's. Events of a
    recurring series share a ``series_id``. A ``cancelled`` event stays
    stored (people who answered need telling) but takes no RSVP or check-in
    and never counts as a meetup that took place; ``cancel_reason`` says why.
    """

    id: str = attrs.field(validator=identifier())
    title: str = attrs.field(validator=text(nonempty=True, max_length=300, line=True))
    starts_at: datetime = attrs.field(validator=aware_datetime())
    ends_at: datetime = attrs.field(validator=aware_datetime())
    venue_id: str | None = attrs.field(default=None, validator=optional(identifier()))
    capacity: int | None = attrs.field(default=None, validator=optional(at_least(0)))
    talks: tuple[Talk, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(instance_of(Talk))
    )
    networking_minutes: int = attrs.field(default=0, validator=at_least(0))
    series_id: str | None = attrs.field(default=None, validator=optional(identifier()))
    description: str = attrs.field(default="", validator=text(max_length=10000, plain=True))
    #: How many times the date or time changed: iCalendar's ``SEQUENCE``, so a
    #: calendar that imported the meetup updates it (see :func:`~terrain.events.raise_sequence`).
    sequence: int = attrs.field(default=0, validator=at_least(0))
    cancelled: bool = attrs.field(default=False, validator=instance_of(bool))
    cancel_reason: str = attrs.field(default="", validator=text(max_length=2000, plain=True))

    def has_started(self, at: datetime) -> bool:
        """Whether the event has started at instant ``at`` (compared as instants)."""
        require_aware(at, "has_started: at")
        return instant(self.starts_at) <= instant(at)

    def took_place(self, at: datetime) -> bool:
        """Whether, seen from ``at``, the event happened: started, and not cancelled.

        Whether anyone came is another matter: see the check-ins.
        """
        require_aware(at, "took_place: at")
        return not self.cancelled and self.has_started(at)

    def __attrs_post_init__(self) -> None:
        if self.cancel_reason and not self.cancelled:
            raise fail(
                self,
                attrs.fields(Event).cancel_reason,
                "a reason for a cancellation, but the event is not cancelled",
            )
        length = elapsed(self.starts_at, self.ends_at).total_seconds() / 60
        if length <= 0:
            raise fail(
                self,
                attrs.fields(Event).ends_at,
                f"{self.ends_at.isoformat()} is not after the start ({self.starts_at.isoformat()})",
            )
        program = self.networking_minutes
        for talk in self.talks:  # a loop: read back from storage, every Event checks this
            program += talk.minutes + talk.qa_minutes
        if program > length:
            raise fail(
                self,
                attrs.fields(Event).networking_minutes,
                f"talks, Q&A and networking take {program} minutes but the event lasts "
                f"{length:.0f}; shorten them or make the event end later",
            )


def remove_talk(event: Event, talk: str) -> tuple[Event, Talk]:
    """``event`` without ``talk`` (its number, 1 for the first, or its exact title), and
    the talk removed; :class:`~terrain.errors.NotFound` says which talks there are."""
    from terrain.errors import NotFound

    found = None
    if talk.strip().isdigit() and 1 <= int(talk) <= len(event.talks):
        found = int(talk) - 1
    else:
        matches = [n for n, t in enumerate(event.talks) if t.title.casefold() == talk.casefold()]
        found = matches[0] if matches else None
    if found is None:
        listed = "; ".join(f"{n}. {t.title}" for n, t in enumerate(event.talks, 1))
        raise NotFound(
            f"event {event.id!r} has no talk {talk!r}; "
            + (f"its talks: {listed}" if listed else "it has no talk")
        )
    removed = event.talks[found]
    return attrs.evolve(event, talks=event.talks[:found] + event.talks[found + 1 :]), removed


def event_url(base_url: str, event_id: str) -> str:
    """The web page of event ``event_id`` (where members RSVP) under the community's
    ``[web] base_url``: ``https://velo-lyon.example/events/ev-12``.

    >>> event_url("https://velo-lyon.example/", "ev-2026-03")
    'https://velo-lyon.example/events/ev-2026-03'
    """
    from urllib.parse import quote

    return f"{base_url.rstrip('/')}/events/{quote(event_id, safe='')}"
