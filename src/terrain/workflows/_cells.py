"""Reading the cells of an imported row: dates and times, yes/no, lists, ids from names.

Each reader raises :class:`CellError` with what is wrong; the import turns it
into a refused row named by its line.

Dates and times: ISO 8601 (``2026-03-12``, ``2026-03-12 19:00``,
``2026-03-12T18:00:00.000Z``, ``…+01:00``) always; with slashes,
``12/03/2026`` is day first or month first as the column map says
(``date_order``), optionally followed by ``19:00``, ``19:00:05`` or
``7:00 PM``. A time without offset is in the community's time zone; one that
does not exist there (the spring-forward gap) or happens twice (the autumn
fold) is refused: the file must say which instant it means.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from terrain._time import gap_problem, is_ambiguous

__all__ = ["CellError", "parse_day", "parse_instant", "slug", "split_list", "truthy"]


class CellError(ValueError):
    """A cell that cannot be read; its message says why."""


_SLASHED = re.compile(
    r"(\d{1,4})[/.](\d{1,2})[/.](\d{1,4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?"
)
_ISO_AMPM = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])")


def _hour(hour: int, ampm: str | None) -> int:
    if ampm is None:
        return hour
    if not 1 <= hour <= 12:
        raise CellError(f"{hour} is not an hour of a {ampm.upper()} time")
    return hour % 12 + (12 if ampm.lower() == "pm" else 0)


def _naive(value: str, order: str) -> datetime | date:
    """The date or date and time written in ``value`` (no offset), or :class:`CellError`."""
    slashed = _SLASHED.fullmatch(value)
    ampm = _ISO_AMPM.fullmatch(value)
    try:
        if ampm:
            day = date.fromisoformat(ampm[1])
            hour = _hour(int(ampm[2]), ampm[5])
            return datetime.combine(day, time(hour, int(ampm[3]), int(ampm[4] or 0)))
        if slashed:
            a, b, c = (int(slashed[i]) for i in (1, 2, 3))
            if len(slashed[1]) == 4:
                y, m, d = a, b, c
            elif order == "mdy":
                m, d, y = a, b, c
            else:
                d, m, y = a, b, c
            if y < 100:
                y += 2000
            day = date(y, m, d)
            if slashed[4] is None:
                return day
            hour = _hour(int(slashed[4]), slashed[7])
            return datetime.combine(day, time(hour, int(slashed[5]), int(slashed[6] or 0)))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise CellError(f"{value!r} is not a date ({exc})") from None


def parse_instant(value: str, zone: str, *, order: str = "dmy") -> datetime:
    """The instant ``value`` names (see the module docstring); a date alone is its
    start of day, in ``zone``."""
    text = value.strip()
    when = _naive(text, order)
    if isinstance(when, datetime) and when.tzinfo is not None:
        return when
    tz = ZoneInfo(zone)
    if not isinstance(when, datetime):
        when = datetime.combine(when, time(0))
    local = when.replace(tzinfo=tz)
    problem = gap_problem(local)
    if problem is not None:
        raise CellError(f"{text!r}: {problem}; write it with its offset (+01:00)")
    if is_ambiguous(local):
        raise CellError(
            f"{text!r} happens twice in {zone} (the night clocks go back): write it with its "
            "offset (+02:00 for the first, +01:00 for the second)"
        )
    return local


def parse_day(value: str, *, order: str = "dmy") -> date:
    """The date ``value`` names (a date and time gives its date)."""
    when = _naive(value.strip(), order)
    return when.date() if isinstance(when, datetime) else when


_YES = frozenset({"yes", "y", "true", "1", "oui", "o", "x", "checked", "checked in", "attended"})
_NO = frozenset({"no", "n", "false", "0", "non", ""})


def truthy(value: str) -> bool:
    """``yes``/``no`` as people write them (oui, true, 1, x…); :class:`CellError` otherwise."""
    text = value.strip().casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(f"{value!r} is not yes or no")


def split_list(value: str) -> list[str]:
    """The items of a cell listing several (separated by ``;``, ``,`` or ``|``)."""
    return [part.strip() for part in re.split(r"[;,|]", value) if part.strip()]


def slug(name: str, fallback: str = "") -> str:
    """An id made from a name: ``Léa Martin`` -> ``lea-martin``; a name with no Latin
    letter gives ``m-`` and 8 hex digits of its hash (of ``fallback`` if given)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:40].strip("-")
    if text:
        return text
    digest = hashlib.sha256((fallback or name).encode("utf-8")).hexdigest()[:8]
    return f"m-{digest}"
