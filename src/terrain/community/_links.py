"""Links inside the community: who met whom, and the introductions worth making.

Everything starts from check-ins (who actually came to which event): the
co-attendance graph says who met whom and where; introductions pair members
with shared interests who never came to the same event. (The core is
``terrain.community._core``, the engagement score ``terrain.community._engagement``:
each command builds the classes of its own answer only.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import combinations

import attrs

from terrain.community._models import Member
from terrain.errors import ValidationError

__all__ = ["CoAttendance", "Introduction", "co_attendance", "introductions"]


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
