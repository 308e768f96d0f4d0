"""The new field values round-trip through JSON, and importing them stays light."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from terrain.events import Attendance, Money, Override, Series, Talk, rsvp_going
from terrain.partnerships import Contribution
from terrain.serialization import from_json, to_json
from terrain.workshops import Vote

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        Series(
            id="apero",
            title="Apéro",
            rule="FREQ=MONTHLY;BYDAY=1TH;COUNT=6",
            first_starts_at=datetime(2026, 2, 5, 19, tzinfo=ZoneInfo("Europe/Paris")),
            minutes=150,
            talks=[Talk("Vélo", "Léa", 25, 10)],
            overrides=[Override(on=date(2026, 4, 2), venue_id="la-friche")],
        ),
        rsvp_going(rsvp_going(Attendance("ev", capacity=1), "lea", at=T0), "tom", at=T0),
        Contribution("c1", "cave", "ev", "drinks", Money(6000), date(2026, 3, 5)),
        Vote("ws", "bancs", "lea", dots=2),
    ],
    ids=["series", "attendance", "contribution", "vote"],
)
def test_field_values_round_trip_through_json(value: object) -> None:
    assert from_json(to_json(value), type(value)) == value


def test_importing_the_field_logic_loads_neither_icalendar_dateutil_nor_pillow() -> None:
    code = (
        "import sys, terrain.events, terrain.partnerships, terrain.projects, "
        "terrain.workshops, terrain.community\n"
        "print(','.join(m for m in ('icalendar', 'dateutil', 'PIL') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""
