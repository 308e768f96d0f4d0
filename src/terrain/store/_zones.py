"""Migration 4: give the stored datetimes back their IANA zone.

Before it, terrain wrote a datetime with its UTC offset only
(``2026-01-08T19:00:00+01:00``) and read it back with a fixed offset: a Paris
series stored in winter repeated at 20:00 all summer. Datetimes are now
written with their zone (``…+01:00[Europe/Paris]``); this repair rewrites
what was stored before, in the records, consent events, decisions and the
journal's posts and receipts, inside the migration's transaction:

* a datetime whose wall time and offset agree with the community's zone gets
  the zone (same instant, same wall time): ``2026-01-08T19:00:00+01:00``
  becomes ``2026-01-08T19:00:00+01:00[Europe/Paris]``;
* one that does not agree is kept as it is and **reported** (a note of the
  migration, shown by ``terrain store migrate``): e.g. the summer dates of a
  series stored with a winter offset, which ``terrain series plan`` moves back
  to the series' time;
* a UTC time (``+00:00``) that terrain recorded (``at``, ``created_at``,
  ``published_at``…) names an instant and stays in UTC, unreported; one the
  user typed (``starts_at``, ``ends_at``, ``first_starts_at``, ``valid_until``)
  is treated like any other offset.

Only values under datetime keys (``at``, ``*_at``, ``valid_from``,
``valid_until``) that are ISO 8601 datetimes with an offset are looked at:
free text is never touched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from terrain.errors import ConfigError
from terrain.store._backend import Transaction

__all__ = ["WALL_TIME_KEYS", "repair_document", "repair_zones"]

#: Keys whose datetimes are wall times a person typed (a meetup's start, a
#: consent's end), as opposed to instants terrain recorded (``valid_from`` is
#: the moment consent was expressed unless said otherwise).
WALL_TIME_KEYS = frozenset({"starts_at", "ends_at", "first_starts_at", "valid_until"})

_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?"
    r"(?:[+-]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?|Z)"
)
_ZERO = timedelta(0)


def _is_time_key(key: object) -> bool:
    return isinstance(key, str) and (
        key == "at" or key.endswith("_at") or key in ("valid_from", "valid_until")
    )


def _repair_value(
    key: str, value: str, zone: ZoneInfo, where: str, notes: list[str]
) -> str | None:
    """The zoned text of ``value``, or ``None`` to keep it (with a note if it disagrees)."""
    try:
        stored = datetime.fromisoformat(value)
    except ValueError:
        return None
    offset = stored.utcoffset()
    if offset is None:
        return None
    if offset == _ZERO and key not in WALL_TIME_KEYS:
        return None  # an instant terrain recorded in UTC
    local = stored.astimezone(zone)
    if local.utcoffset() == offset:
        return f"{local.isoformat()}[{zone.key}]"
    notes.append(
        f"{where} {key} {value}: not a {zone.key} time ({zone.key} was at "
        f"UTC{local.isoformat()[-6:]} then, this is {local:%H:%M} there); kept with its offset"
    )
    return None


def repair_document(document: Any, zone: ZoneInfo, where: str, notes: list[str]) -> bool:
    """Re-attach ``zone`` to the datetimes of a JSON ``document`` (in place); whether any
    changed. Values that disagree with the zone are kept and described in ``notes``."""
    changed = False
    if isinstance(document, dict):
        for key, value in document.items():
            if isinstance(value, str):
                if _is_time_key(key) and _DATETIME.fullmatch(value):
                    fixed = _repair_value(key, value, zone, where, notes)
                    if fixed is not None:
                        document[key] = fixed
                        changed = True
            elif isinstance(value, dict | list):
                changed = repair_document(value, zone, where, notes) or changed
    elif isinstance(document, list):
        for item in document:
            if isinstance(item, dict | list):
                changed = repair_document(item, zone, where, notes) or changed
    return changed


def _needs_zone(document: Any) -> bool:
    """Whether ``document`` holds a datetime the repair would change or report."""
    if isinstance(document, dict):
        for key, value in document.items():
            if isinstance(value, str):
                if _is_time_key(key) and _DATETIME.fullmatch(value):
                    try:
                        offset = datetime.fromisoformat(value).utcoffset()
                    except ValueError:
                        continue
                    if offset != _ZERO or key in WALL_TIME_KEYS:
                        return True
            elif isinstance(value, dict | list) and _needs_zone(value):
                return True
    elif isinstance(document, list):
        return any(isinstance(i, dict | list) and _needs_zone(i) for i in document)
    return False


_Namer = Callable[[tuple[Any, ...]], str]
#: (table, key columns, JSON columns, how a row is named in notes)
_TABLES: tuple[tuple[str, tuple[str, ...], tuple[str, ...], _Namer], ...] = (
    ("records", ("kind", "id"), ("data",), lambda k: f"{k[0]} {k[1]!r}:"),
    ("consent_events", ("seq",), ("data",), lambda k: f"consent event #{k[0]}:"),
    ("decisions", ("id",), ("data",), lambda k: f"decision {k[0]!r}:"),
    (
        "publication_journal",
        ("post_id", "platform"),
        ("post_json", "receipt_json"),
        lambda k: f"journal row {k[0]!r} on {k[1]!r}:",
    ),
)


def repair_zones(tx: Transaction, zone: ZoneInfo | None) -> list[str]:
    """Re-attach ``zone`` (the community's) to every stored datetime that agrees
    with it; the notes on those kept as they were.

    Without a zone (a store opened without its workspace), a store holding
    datetimes to repair is refused with :class:`ConfigError`; an empty one
    needs nothing.
    """
    notes: list[str] = []
    repaired = 0
    for table, keys, columns, name in _TABLES:
        selected = ", ".join((*keys, *columns))
        rows = tx.query(f"SELECT {selected} FROM {table} ORDER BY {', '.join(keys)}")
        for row in rows:
            key, texts = row[: len(keys)], row[len(keys) :]
            updates: dict[str, str] = {}
            for column, text in zip(columns, texts, strict=True):
                if text is None:
                    continue
                try:
                    document = orjson.loads(text)
                except orjson.JSONDecodeError:
                    notes.append(f"{name(key)} {column} is not JSON; left as it is")
                    continue
                if zone is None:
                    if _needs_zone(document):
                        raise ConfigError(
                            "this store was written by an older terrain and its datetimes need "
                            "the community's time zone to be upgraded: run `terrain store "
                            "migrate` in the workspace folder (or give --timezone)"
                        )
                    continue
                if repair_document(document, zone, name(key), notes):
                    updates[column] = orjson.dumps(document).decode()
            if updates:
                sets = ", ".join(f"{c} = ?" for c in updates)
                where = " AND ".join(f"{k} = ?" for k in keys)
                tx.execute(
                    f"UPDATE {table} SET {sets} WHERE {where}", (*updates.values(), *key)
                )
                repaired += 1
    if zone is not None and (repaired or notes):
        summary = f"{repaired} stored rows now keep the {zone.key} zone in their datetimes"
        if notes:
            summary += (
                f"; {len(notes)} datetimes do not agree with {zone.key} and kept their offset "
                "(an event of a series: `terrain series plan SERIES` moves it to the series' "
                "time)"
            )
        notes.insert(0, summary)
    return notes
