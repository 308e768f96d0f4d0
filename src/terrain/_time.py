"""The time rules every part of terrain follows (see ``docs/time.rst``).

* A datetime terrain keeps is **aware**: its ``tzinfo`` is an IANA zone
  (:class:`zoneinfo.ZoneInfo`, kept as such end to end) or a fixed offset the
  user gave. A naive datetime names no instant and is refused
  (:func:`require_aware`).
* Instants are **compared in UTC** (:func:`instant`): Python compares two
  datetimes of the same ``tzinfo`` by their wall time and ignores ``fold``,
  so in the repeated autumn hour ``02:16`` (the second one) would sort
  before ``02:45`` (the first one), 31 minutes earlier.
* A **local time that does not exist** (in the spring-forward gap) is refused,
  with the nearest valid times (:func:`gap_problem`); one that **happens twice**
  (in the autumn fold) needs a choice, ``earlier`` or ``later``
  (:func:`local_time`), or an explicit UTC offset.

These helpers are small and pure, for the models' validators, the ledger, the
journal and the front ends alike::

    >>> from datetime import datetime
    >>> from terrain._time import local_time
    >>> local_time(datetime(2026, 10, 25, 2, 30), "Europe/Paris", fold="later").isoformat()
    '2026-10-25T02:30:00+01:00'
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from terrain.errors import ValidationError

__all__ = [
    "FOLDS",
    "Fold",
    "day_offset",
    "elapsed",
    "fold_problem",
    "gap_problem",
    "instant",
    "is_ambiguous",
    "later",
    "local_time",
    "require_aware",
    "zone",
    "zone_key",
]

#: The two ways to read a local time that happens twice: the first or the second time.
Fold = Literal["earlier", "later"]
FOLDS: tuple[Fold, ...] = ("earlier", "later")

_ZONES: dict[str, ZoneInfo] = {}


def zone(name: str | ZoneInfo) -> ZoneInfo:
    """The IANA zone ``name`` (``"Europe/Paris"``), or a :class:`ValidationError`."""
    if isinstance(name, ZoneInfo):
        return name
    found = _ZONES.get(name)
    if found is not None:
        return found
    try:
        found = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError(
            f"{name!r} is not a known IANA time zone (e.g. 'Europe/Paris', 'UTC')"
        ) from None
    _ZONES[name] = found
    return found


def zone_key(value: datetime) -> str | None:
    """The IANA name of ``value``'s zone, or ``None`` (a fixed offset, or naive)."""
    tz = value.tzinfo
    return tz.key if isinstance(tz, ZoneInfo) else None


def require_aware(value: object, what: str = "at") -> datetime:
    """``value`` if it is an aware datetime, else a :class:`ValidationError` naming ``what``.

    For every public function taking ``at=`` or ``now=``: a naive datetime
    would be read in the machine's zone, which is never what was meant.
    """
    if value.__class__ is not datetime and not isinstance(value, datetime):
        raise ValidationError(
            f"{what}: expected an aware datetime, got {type(value).__name__} {value!r:.60}",
            field=what,
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(
            f"{what}: {value.isoformat()} has no time zone, so it names no instant; give it "
            "the zone it was read in (an IANA zone such as Europe/Paris), or take the "
            "time from terrain's clock",
            field=what,
        )
    return value


#: (zone, local day ordinal) -> the zone's offset all that day, or None on a day its
#: offset changes. Most days are quiet: this spares ZoneInfo's slower local lookups.
_DAY_OFFSETS: dict[tuple[ZoneInfo, int], timedelta | None] = {}


def day_offset(tz: ZoneInfo, value: datetime) -> timedelta | None:
    """The UTC offset of ``tz`` during all of ``value``'s local day, or ``None`` when
    it changes that day (a gap or a fold may be near: look closer)."""
    key = (tz, value.toordinal())
    try:
        return _DAY_OFFSETS[key]
    except KeyError:
        pass
    midnight = datetime.fromordinal(key[1])
    offsets = {
        tz.utcoffset(moment.replace(fold=fold))
        for moment in (midnight, midnight + timedelta(days=1))
        for fold in (0, 1)
    }
    found = offsets.pop() if len(offsets) == 1 else None
    if len(_DAY_OFFSETS) > 100_000:  # a bound, never reached by a community's calendar
        _DAY_OFFSETS.clear()
    _DAY_OFFSETS[key] = found
    return found


def instant(value: datetime) -> datetime:
    """``value`` in UTC: the form in which two instants compare correctly."""
    return value.astimezone(UTC)


def elapsed(start: datetime, end: datetime) -> timedelta:
    """The time that really passes from ``start`` to ``end`` (subtracting two
    datetimes of one zone ignores a change of offset between them)."""
    tz = start.tzinfo
    if tz is not end.tzinfo:
        return end - start  # two zones: Python subtracts the instants
    if tz.__class__ is ZoneInfo:
        first, last = day_offset(tz, start), day_offset(tz, end)
        if first is not None and last is not None:
            return end - start - (last - first)
        return end.astimezone(UTC) - start.astimezone(UTC)
    return end - start  # one fixed offset (or none)


def later(start: datetime, delta: timedelta) -> datetime:
    """The instant ``delta`` after ``start``, in ``start``'s zone.

    ``start + delta`` adds to the wall time: across the night clocks go back,
    19:00 + 9 hours would be 04:00, ten hours later.
    """
    tz = start.tzinfo
    if tz.__class__ is not ZoneInfo:
        return start + delta
    return (start.astimezone(UTC) + delta).astimezone(tz)


def _offsets(value: datetime, tz: tzinfo) -> tuple[timedelta | None, timedelta | None]:
    return tz.utcoffset(value.replace(fold=0)), tz.utcoffset(value.replace(fold=1))


def is_ambiguous(value: datetime) -> bool:
    """Whether ``value``'s wall time happens twice in its zone (the autumn fold)."""
    tz = value.tzinfo
    if tz is None:
        return False
    first, second = _offsets(value, tz)
    return first is not None and second is not None and first > second


def _in_gap(wall: datetime, tz: tzinfo) -> bool:
    first, second = _offsets(wall.replace(tzinfo=tz), tz)
    return first is not None and second is not None and first < second


def _hhmm(value: datetime) -> str:
    return f"{value:%H:%M}" if not value.second else f"{value:%H:%M:%S}"


def _name(tz: tzinfo, value: datetime) -> str:
    return tz.key if isinstance(tz, ZoneInfo) else str(tz.tzname(value))


def gap_problem(value: datetime) -> str | None:
    """Why ``value`` does not exist (its wall time is in a spring-forward gap), or ``None``.

    The message names the change and the nearest valid times on either side.
    """
    tz = value.tzinfo
    if tz is None:
        return None
    wall = value.replace(tzinfo=None, fold=0)
    if not _in_gap(wall, tz):
        return None
    step = timedelta(minutes=1)
    before = wall.replace(second=0, microsecond=0)
    while _in_gap(before, tz):
        before -= step
    after = wall.replace(second=0, microsecond=0) + step
    while _in_gap(after, tz):
        after += step
    return (
        f"{wall:%Y-%m-%d} {_hhmm(wall)} does not exist in {_name(tz, value)}: clocks go "
        f"forward that night from {_hhmm(before + step)} to {_hhmm(after)}; give a time "
        f"before or after the change (the nearest valid times are {_hhmm(before)} and "
        f"{_hhmm(after)})"
    )


def fold_problem(wall: datetime, tz: tzinfo, *, how: str) -> str:
    """What to say about wall time ``wall`` that happens twice in ``tz``: the two
    readings, with their offsets, and ``how`` to choose one (an option, an argument)."""
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    return (
        f"{wall:%Y-%m-%d} {_hhmm(wall)} happens twice in {_name(tz, first)} (clocks go back "
        f"that night): say which one, {how} — or give the offset: "
        f"{first.isoformat(timespec='minutes')} is the first, "
        f"{second.isoformat(timespec='minutes')} the second"
    )


def local_time(
    wall: datetime, timezone: str | ZoneInfo, *, fold: Fold | None = None
) -> datetime:
    """Naive wall time ``wall`` read in ``timezone``, refusing what cannot be read back.

    A time in a gap raises :class:`ValidationError` with the nearest valid
    times. A time that happens twice needs ``fold``: ``"earlier"`` (the first
    time, before clocks go back) or ``"later"``; without it,
    :class:`ValidationError` shows both readings with their offsets.
    """
    if wall.tzinfo is not None:
        raise ValidationError(f"local_time: {wall.isoformat()} already has a time zone")
    tz = zone(timezone)
    value = wall.replace(tzinfo=tz, fold=0)
    problem = gap_problem(value)
    if problem is not None:
        raise ValidationError(problem)
    if fold is not None and fold not in FOLDS:
        raise ValidationError(f"fold: {fold!r} is not 'earlier' or 'later'")
    if is_ambiguous(value):
        if fold is None:
            raise ValidationError(
                fold_problem(wall, tz, how="fold='earlier' or fold='later'")
            )
        return value.replace(fold=0 if fold == "earlier" else 1)
    return value
