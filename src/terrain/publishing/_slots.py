"""Posting slots: the times a community posts on a platform, as Buffer does.

``[platforms.x] slots = ["weekdays 09:00 18:00", "sat 11:00"]`` in terrain.toml:
on weekdays at 9:00 and 18:00, on Saturdays at 11:00, in the community's time
zone (wall-clock: 9:00 stays 9:00 across the change to summer time). ``terrain
publish EV --next-slot`` gives each post the next slot nobody has taken on its
platform.

Days are ``mon`` … ``sun``, ranges (``mon-fri``), lists (``mon,wed,fri``),
``weekdays``, ``weekends`` or ``daily``; times are ``HH:MM``, one or more. A
slot in the hour that does not exist (the night clocks go forward) moves to
the first minute that does; one in the hour that happens twice is the first.

    >>> from zoneinfo import ZoneInfo
    >>> slots = PostingSlots.parse(["weekdays 09:00 18:00"], zone=ZoneInfo("Europe/Paris"))
    >>> friday_noon = datetime(2026, 3, 13, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))
    >>> slots.next_free(friday_noon).isoformat()
    '2026-03-13T18:00:00+01:00'
    >>> slots.next_free(friday_noon, taken=[slots.next_free(friday_noon)]).isoformat()
    '2026-03-16T09:00:00+01:00'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import attrs

from terrain._time import gap_problem, instant, is_ambiguous
from terrain.errors import ValidationError

__all__ = ["PostingSlots"]

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_GROUPS = {
    "daily": frozenset(range(7)),
    "weekdays": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
}
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
#: How far ahead a free slot is looked for.
HORIZON = timedelta(days=366)


def _days(text: str, entry: str) -> frozenset[int]:
    days: set[int] = set()
    for part in text.lower().split(","):
        if part in _GROUPS:
            days |= _GROUPS[part]
            continue
        first, _, last = part.partition("-")
        if first not in _DAYS or (last and last not in _DAYS):
            raise ValidationError(
                f"posting slot {entry!r}: {part!r} is not a day; write mon … sun, a range "
                "(mon-fri), a list (mon,wed,fri), weekdays, weekends or daily"
            )
        start = _DAYS.index(first)
        end = _DAYS.index(last) if last else start
        span = range(start, end + 1) if end >= start else [*range(start, 7), *range(end + 1)]
        days |= set(span)
    return frozenset(days)


@attrs.frozen
class PostingSlots:
    """When a platform's posts may go: ``(weekday, time)`` pairs in ``zone``
    (Monday is 0)."""

    slots: frozenset[tuple[int, time]]
    zone: ZoneInfo

    @classmethod
    def parse(cls, entries: Sequence[str], *, zone: ZoneInfo) -> PostingSlots:
        """Slots from their terrain.toml form (``["weekdays 09:00 18:00"]``); a
        :class:`~terrain.errors.ValidationError` says what is wrong in an entry."""
        if isinstance(entries, str) or not entries:
            raise ValidationError(
                'posting slots: give a list such as slots = ["weekdays 09:00 18:00"]'
            )
        found: set[tuple[int, time]] = set()
        for entry in entries:
            if not isinstance(entry, str):
                raise ValidationError(
                    f'posting slot {entry!r}: write each slot as text, "weekdays 09:00"'
                )
            words = entry.split()
            if len(words) < 2:
                raise ValidationError(
                    f"posting slot {entry!r}: write the days, then one or more times "
                    '("weekdays 09:00 18:00", "sat 11:00")'
                )
            days = _days(words[0], entry)
            for word in words[1:]:
                match = _TIME.fullmatch(word)
                if match is None:
                    raise ValidationError(
                        f"posting slot {entry!r}: {word!r} is not a time; write HH:MM (09:00)"
                    )
                at = time(int(match.group(1)), int(match.group(2)))
                found |= {(d, at) for d in days}
        return cls(slots=frozenset(found), zone=zone)

    def on(self, day: date) -> list[datetime]:
        """The slots of ``day``, as instants in the zone, in order."""
        out = []
        for weekday, at in sorted(self.slots, key=lambda s: s[1]):
            if weekday != day.weekday():
                continue
            local = datetime.combine(day, at, tzinfo=self.zone)
            while gap_problem(local) is not None:  # the hour skipped in spring
                local += timedelta(minutes=1)
            if is_ambiguous(local):
                local = local.replace(fold=0)  # the first of the hour lived twice
            out.append(local)
        return out

    def next_free(self, after: datetime, *, taken: Iterable[datetime] = ()) -> datetime:
        """The first slot at or after ``after`` that is not in ``taken``."""
        busy = {instant(t) for t in taken}
        start = after.astimezone(self.zone)
        day = start.date()
        while day <= (start + HORIZON).date():
            for slot in self.on(day):
                if instant(slot) >= instant(after) and instant(slot) not in busy:
                    return slot
            day += timedelta(days=1)
        raise ValidationError(
            f"no free posting slot within a year of {start.isoformat(timespec='minutes')}: "
            "add slots, or give --at"
        )
