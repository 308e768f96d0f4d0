"""Links inside the community: who met whom, the core, introductions, engagement.

Everything starts from check-ins (who actually came to which event): the
co-attendance graph says who met whom and where; the core is the members who
came to at least ``k`` of the last ``n`` events that took place (cancelled
dates, dates still ahead and events where nobody was checked in do not
count); introductions pair members
with shared interests who never came to the same event; the engagement score
adds up what each member did with weights anyone can read and change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from itertools import combinations
from typing import TYPE_CHECKING

import attrs

from terrain._time import instant, require_aware
from terrain.community._models import Member
from terrain.errors import ValidationError

if TYPE_CHECKING:
    from terrain.events import Attendance, Event
    from terrain.workshops import Idea, Vote

__all__ = [
    "CORE_TARGET",
    "CoAttendance",
    "Core",
    "Engagement",
    "EngagementWeights",
    "Introduction",
    "co_attendance",
    "core",
    "core_members",
    "engagement",
    "introductions",
    "meetups_that_took_place",
]


@attrs.frozen
class CoAttendance:
    """Who met whom: each pair of members maps to the events they both came to."""

    met: Mapping[frozenset[str], tuple[str, ...]]

    def events_together(self, a: str, b: str) -> tuple[str, ...]:
        """The events ``a`` and ``b`` both came to (empty if they never met)."""
        return self.met.get(frozenset((a, b)), ())

    def have_met(self, a: str, b: str) -> bool:
        """Whether ``a`` and ``b`` were ever at the same event."""
        return bool(self.events_together(a, b))

    def contacts(self, member_id: str) -> frozenset[str]:
        """Everyone ``member_id`` met at least once."""
        return frozenset(m for pair in self.met if member_id in pair for m in pair - {member_id})


def co_attendance(checkins: Mapping[str, Iterable[str]]) -> CoAttendance:
    """The co-attendance graph from ``checkins`` (event id -> members who came).

    Use :attr:`terrain.events.Attendance.checked_in` for each event.
    """
    met: dict[frozenset[str], list[str]] = {}
    for event_id in sorted(checkins):
        for a, b in combinations(sorted(set(checkins[event_id])), 2):
            met.setdefault(frozenset((a, b)), []).append(event_id)
    return CoAttendance({pair: tuple(evs) for pair, evs in met.items()})


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


@attrs.frozen
class Introduction:
    """Two members worth introducing: shared interests, never at the same event."""

    a: str
    b: str
    shared: frozenset[str]

    def __str__(self) -> str:
        return f"introduce {self.a} and {self.b}: both into {', '.join(sorted(self.shared))}"


def introductions(
    members: Iterable[Member], graph: CoAttendance, *, min_shared: int = 1
) -> tuple[Introduction, ...]:
    """Pairs of members with at least ``min_shared`` tags in common who never met.

    Most shared interests first. Minors are left out: introductions are
    between adults (their guardians can ask).
    """
    if min_shared < 1:
        raise ValidationError(f"introductions: min_shared is {min_shared}; use 1 or more")
    adults = sorted((m for m in members if not m.is_minor), key=lambda m: m.id)
    found = [
        Introduction(a.id, b.id, a.tags & b.tags)
        for a, b in combinations(adults, 2)
        if len(a.tags & b.tags) >= min_shared and not graph.have_met(a.id, b.id)
    ]
    return tuple(sorted(found, key=lambda i: (-len(i.shared), i.a, i.b)))


@attrs.frozen
class EngagementWeights:
    """Points per action. A check-in (coming) weighs more than an RSVP (saying so)."""

    rsvp: float = 1.0
    check_in: float = 3.0
    no_show: float = -1.0
    idea: float = 2.0
    vote: float = 0.5
    #: per like, repost, reply… on a published post of content the member made
    reaction: float = 0.1

    def __attrs_post_init__(self) -> None:
        if self.check_in <= self.rsvp:
            raise ValidationError(
                "EngagementWeights: a check-in must weigh more than an RSVP (coming counts "
                "more than saying you will come)",
                field="EngagementWeights.check_in",
            )


@attrs.frozen
class Engagement:
    """A member's engagement: the score and, for each action, count × weight."""

    member_id: str
    score: float
    lines: tuple[tuple[str, int, float], ...]

    def explain(self) -> str:
        """How the score was computed, readable by the member themselves."""
        parts = [f"{count} {what} × {weight:g}" for what, count, weight in self.lines if count]
        return f"{self.member_id}: {self.score:g} = " + (" + ".join(parts) or "nothing yet")


def engagement(
    attendances: Iterable[Attendance],
    *,
    ideas: Iterable[Idea] = (),
    votes: Iterable[Vote] = (),
    weights: EngagementWeights | None = None,
    reactions: Mapping[str, int] | None = None,
) -> tuple[Engagement, ...]:
    """The engagement score of every member seen, highest first.

    An RSVP counts once per event whatever became of it; checking in and not
    showing up count on top of it. ``reactions`` maps a member to the
    interactions (likes, reposts, replies…) that published posts of content
    they made (their own photos, the words of their interviews) drew online,
    from the metrics ``terrain stats`` pulled back; each counts ``reaction``
    points. Public metrics never say who reacted, so nobody is scored for
    liking a post.
    """
    from terrain.events import RsvpStatus

    w = weights or EngagementWeights()
    counts: dict[str, dict[str, int]] = {}
    kinds = ("rsvp", "check-in", "no-show", "idea", "vote", "reaction")

    def bump(member_id: str, what: str, by: int = 1) -> None:
        row = counts.setdefault(member_id, dict.fromkeys(kinds, 0))
        row[what] += by

    for attendance in attendances:
        for r in attendance.rsvps:
            bump(r.member_id, "rsvp")
            if r.status is RsvpStatus.CHECKED_IN:
                bump(r.member_id, "check-in")
            elif r.status is RsvpStatus.NO_SHOW:
                bump(r.member_id, "no-show")
    for idea in ideas:
        bump(idea.author_id, "idea")
    for vote in votes:
        bump(vote.member_id, "vote")
    for member_id, number in sorted((reactions or {}).items()):
        if number > 0:
            bump(member_id, "reaction", number)
    weight_of = {
        "rsvp": w.rsvp,
        "check-in": w.check_in,
        "no-show": w.no_show,
        "idea": w.idea,
        "vote": w.vote,
        "reaction": w.reaction,
    }
    result = []
    for member_id, row in counts.items():
        lines = tuple((what, row[what], weight_of[what]) for what in weight_of)
        score = sum(count * weight for _, count, weight in lines)
        result.append(Engagement(member_id, score, lines))
    return tuple(sorted(result, key=lambda e: (-e.score, e.member_id)))
