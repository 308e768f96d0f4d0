"""The core of a community: who came to at least ``k`` of the last ``n`` meetups.

Only events that took place count: cancelled dates, dates still ahead and
events where nobody was checked in do not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from terrain._time import instant, require_aware
from terrain.errors import ValidationError

if TYPE_CHECKING:
    from terrain.events import Event

__all__ = ["CORE_TARGET", "Core", "core", "core_members", "meetups_that_took_place"]


#: The size of a healthy core for a field community: 50 to 80 people.
CORE_TARGET = (50, 80)


def meetups_that_took_place(
    events: Iterable[Event], checkins: Mapping[str, Iterable[str]], *, now: datetime
) -> tuple[Event, ...]:
    """The events that took place by ``now``, oldest first.

    An event took place when it is not cancelled, has started by ``now``
    and someone was checked in at it: a date still ahead, a cancelled date
    and an event nobody was checked in at (a test, or a date whose list was
    never taken) say nothing about who comes.
    """
    require_aware(now, "meetups_that_took_place: now")
    return tuple(
        sorted(
            (e for e in events if e.took_place(now) and tuple(checkins.get(e.id, ()))),
            key=lambda e: (instant(e.starts_at), e.id),
        )
    )


@attrs.frozen
class Core:
    """The core of a community: who came to at least ``k`` of the last ``n`` meetups.

    ``events`` are the meetups counted (those that took place, at most
    ``n``, oldest first); ``members`` maps each core member to how many of
    them they came to, most faithful first.
    """

    k: int
    n: int
    events: tuple[Event, ...]
    members: Mapping[str, int]

    @property
    def size(self) -> int:
        """How many people are in the core."""
        return len(self.members)

    def compared_with_target(self) -> str:
        """How the core compares with :data:`CORE_TARGET` (50–80 people), in one sentence."""
        low, high = CORE_TARGET
        if self.size < low:
            return f"below the {low}–{high} target of a field community ({low - self.size} to go)"
        if self.size > high:
            return (
                f"above the {low}–{high} target of a field community: the meetups may be too "
                "big for people to know each other; think of splitting them"
            )
        return f"within the {low}–{high} target of a field community"


def core(
    events: Iterable[Event],
    checkins: Mapping[str, Iterable[str]],
    *,
    now: datetime,
    k: int = 3,
    n: int = 6,
) -> Core:
    """The members who came to at least ``k`` of the last ``n`` meetups that took place
    by ``now`` (see :func:`meetups_that_took_place`)."""
    require_aware(now, "core: now")
    if not 1 <= k <= n:
        raise ValidationError(f"core: need 1 <= k <= n, got k={k}, n={n}")
    last = meetups_that_took_place(events, checkins, now=now)[-n:]
    counts: dict[str, int] = {}
    for event in last:
        for member_id in set(checkins.get(event.id, ())):
            counts[member_id] = counts.get(member_id, 0) + 1
    members = [(m, c) for m, c in counts.items() if c >= k]
    ranked = dict(sorted(members, key=lambda mc: (-mc[1], mc[0])))
    return Core(k=k, n=n, events=last, members=ranked)


def core_members(
    events: Iterable[Event],
    checkins: Mapping[str, Iterable[str]],
    *,
    k: int = 3,
    n: int = 6,
    now: datetime | None = None,
) -> dict[str, int]:
    """The core: members who came to at least ``k`` of the last ``n`` events that took
    place.

    Returns member id -> how many of those events they came to, most
    faithful first. Cancelled events and events nobody was checked in at
    never count; with ``now``, nor do events that had not started by then
    (:func:`core` says which events were counted, and how the core compares
    with the 50–80 target).
    """
    if now is not None:
        require_aware(now, "core_members: now")
    events = tuple(events)
    if now is None:  # every event given has started
        now = max((e.starts_at for e in events), key=instant, default=None)
        if now is None:
            return {}
    return dict(core(events, checkins, now=now, k=k, n=n).members)
