"""The community with a workspace: its core and the introductions worth making.

Each function reads what the pure functions of :mod:`terrain.community` need
from the workspace (check-ins, members) and gives their answer:
:func:`community_core` counts only the meetups that took place,
:func:`community_introductions` pairs members with shared interests who never
met. (The engagement score, which counts online reactions too, is
``community_engagement``, beside the statistics.)
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from terrain._time import instant, require_aware
from terrain.community import Core, core
from terrain.events import Attendance, Event

if TYPE_CHECKING:
    from terrain.community import Introduction
    from terrain.store import Workspace

__all__ = ["community_core", "community_introductions"]


def community_core(ws: Workspace, *, now: datetime, k: int = 3, n: int = 6) -> Core:
    """The core of the workspace's community: who came to at least ``k`` of the last
    ``n`` meetups that took place by ``now`` (cancelled dates, dates ahead and
    events nobody was checked in at do not count)."""
    require_aware(now, "community_core: now")
    # Only the last n meetups count: read the check-ins of the events that took place,
    # newest first, until n of them had someone checked in (not every event's RSVPs).
    started = sorted(
        (e for e in ws.list(Event) if e.took_place(now)),
        key=lambda e: (instant(e.starts_at), e.id),
        reverse=True,
    )
    checkins: dict[str, tuple[str, ...]] = {}
    counted: list[Event] = []
    for event in started:
        if len(checkins) >= n:
            break
        if ws.exists(Attendance, event.id):
            came = ws.get(Attendance, event.id).checked_in
            if came:
                checkins[event.id] = came
                counted.append(event)
    return core(counted, checkins, now=now, k=k, n=n)


def community_introductions(ws: Workspace, *, min_shared: int = 1) -> tuple[Introduction, ...]:
    """Members sharing at least ``min_shared`` interests (their tags) who never came to
    the same meetup, most shared interests first (see
    :func:`terrain.community.introductions`)."""
    # Imported here: the core (the other workflow) builds no member or graph class.
    from terrain.community import Member, co_attendance, introductions

    checkins = {a.event_id: a.checked_in for a in ws.list(Attendance)}
    return introductions(ws.list(Member), co_attendance(checkins), min_shared=min_shared)
