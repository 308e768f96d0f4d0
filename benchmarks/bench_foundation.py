"""Start-up of terrain and JSON round-trips, against floors and peers in the same run.

- ``import terrain`` (with the models used) and ``terrain --help`` vs
  ``python -c "import attrs, cattrs, pluggy, click"`` (goal ≤ 1.25×); a real
  read command, ``terrain member list`` on an empty workspace, vs the same
  floor (goal ≤ 1.5×: it also opens SQLite and checks the schema). The four
  run in turn, round after round (best of 7 each), so that another job's load
  falls on floor and ours alike.
- JSON round-trip (to JSON and back, validated) of 10k events through
  terrain's converter vs pydantic v2 (goal ≤ 1.0×) and msgspec (≤ 2×) on
  models with the same checks; a parity check first makes each refuse the
  same dozen bad documents.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from benchmarks._harness import Result, at_most, best_of, best_of_each

BIN = Path(sys.executable).parent


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


def _import_time() -> list[Result]:
    import tempfile

    from terrain import Community, Workspace

    with tempfile.TemporaryDirectory() as tmp:
        Workspace.init(Path(tmp) / "ws", community=Community(id="c", name="C")).close()
        command = [str(BIN / "terrain"), "member", "list", "--workspace", str(Path(tmp) / "ws")]
        found = best_of_each(
            {
                "floor": lambda: _run(sys.executable, "-c", "import attrs, cattrs, pluggy, click"),
                "ours": lambda: _run(
                    sys.executable, "-c", "import terrain; terrain.Event; terrain.Member"
                ),
                "cli": lambda: _run(str(BIN / "terrain"), "--help"),
                "read": lambda: _run(*command),
            },
            repeat=7,
        )
    floor, ours, cli, read = found["floor"], found["ours"], found["cli"], found["read"]
    floor_name = "python -c 'import attrs, cattrs, pluggy, click'"
    return [
        at_most("import terrain (+ models)", ours, floor, floor_name, 1.25),
        at_most("terrain --help", cli, floor, floor_name, 1.25),
        at_most("terrain member list (empty workspace)", read, floor, floor_name, 1.5,
                detail="a real read command: open the workspace, migrate check, query, print"),
    ]


def _events() -> list[Any]:
    from terrain import Event, Talk

    start = datetime(2026, 3, 12, 19, tzinfo=UTC)
    return [
        Event(
            id=f"ev-{i}",
            title=f"Meetup #{i}",
            starts_at=start + timedelta(days=i),
            ends_at=start + timedelta(days=i, hours=3),
            talks=[Talk(title="Pistes", speaker="Ana", minutes=25, qa_minutes=10)],
            networking_minutes=120,
        )
        for i in range(10_000)
    ]


#: Documents each side must refuse, every one for a different rule of Event.
BAD = [
    {"title": "no id"},
    {"id": "ev 1", "title": "T", "starts_at": "2026-03-12T19:00:00+00:00",
     "ends_at": "2026-03-12T22:00:00+00:00"},  # a space in the id
    {"id": "ev-1", "title": "", "starts_at": "2026-03-12T19:00:00+00:00",
     "ends_at": "2026-03-12T22:00:00+00:00"},  # empty title
    {"id": "ev-1", "title": "T" * 301, "starts_at": "2026-03-12T19:00:00+00:00",
     "ends_at": "2026-03-12T22:00:00+00:00"},  # title too long
    {"id": "ev-1", "title": "T", "starts_at": "2026-03-12T19:00:00",
     "ends_at": "2026-03-12T22:00:00+00:00"},  # naive datetime
    {"id": "ev-1", "title": "T", "starts_at": "2026-03-12T22:00:00+00:00",
     "ends_at": "2026-03-12T19:00:00+00:00"},  # ends before it starts
    {"id": "ev-1", "title": "T", "starts_at": "2026-03-12T19:00:00+00:00",
     "ends_at": "2026-03-12T22:00:00+00:00", "capacity": -1},
    {"id": "ev-1", "title": "T", "starts_at": "2026-03-12T19:00:00+00:00",
     "ends_at": "2026-03-12T22:00:00+00:00", "networking_minutes": "120"},  # a string
    {"id": "ev-1", "title": "T", "starts_at": "2026-03-12T19:00:00+00:00",
     "ends_at": "2026-03-12T22:00:00+00:00",
     "talks": [{"title": "A", "speaker": "B", "minutes": 0}]},  # a talk of 0 minutes
    {"id": "ev-1", "title": "T", "starts_at": "2026-03-12T19:00:00+00:00",
     "ends_at": "2026-03-12T22:00:00+00:00", "surprise": 1},  # an unknown key
    {"id": "ev-1", "title": "Two\nlines", "starts_at": "2026-03-12T19:00:00+00:00",
     "ends_at": "2026-03-12T22:00:00+00:00"},  # a line break in a one-line title
    {"id": "ev-1", "title": "T", "starts_at": "2026-03-12T19:00:00+00:00",
     "ends_at": "2026-03-12T22:00:00+00:00", "cancel_reason": "rain"},  # not cancelled
]


def _round_trips() -> tuple[Any, Any, Any, list[bytes]]:
    """terrain, pydantic v2 and msgspec round trips with the same checks as Event."""
    import msgspec
    import pydantic

    from benchmarks._peers import MEvent, PEvent
    from terrain import Event
    from terrain.serialization import from_json, to_json

    events = _events()
    p_events = [PEvent.model_validate_json(to_json(e)) for e in events]
    decoder, encoder = msgspec.json.Decoder(MEvent), msgspec.json.Encoder()
    m_events = [decoder.decode(to_json(e)) for e in events]
    bad = [orjson.dumps(d) for d in BAD]
    # parity: each side refuses every bad document, and reads back what it wrote
    for doc in bad:
        for name, read in (
            ("terrain", lambda d: from_json(d, Event)),
            ("pydantic", PEvent.model_validate_json),
            ("msgspec", decoder.decode),
        ):
            try:
                read(doc)
            except (ValueError, pydantic.ValidationError, msgspec.ValidationError):
                continue
            raise AssertionError(f"{name} accepted a bad document: {doc[:80]!r}")
    assert from_json(to_json(events[5]), Event) == events[5]
    assert PEvent.model_validate_json(p_events[5].model_dump_json()) == p_events[5]
    assert decoder.decode(encoder.encode(m_events[5])) == m_events[5]

    def ours() -> None:
        for event in events:
            from_json(to_json(event), Event)

    def pydantic_peer() -> None:
        for event in p_events:
            PEvent.model_validate_json(event.model_dump_json())

    def msgspec_peer() -> None:
        for event in m_events:
            decoder.decode(encoder.encode(event))

    return ours, pydantic_peer, msgspec_peer, bad


def _json_round_trip() -> list[Result]:
    ours, pydantic_peer, msgspec_peer, bad = _round_trips()
    # CPU time, best of 5, interleaved: single-threaded, so a busy machine
    # disturbs them less than wall-clock time would
    ours_t = pyd_t = msg_t = float("inf")
    for _ in range(5):
        ours_t = min(ours_t, best_of(ours, repeat=1, clock=time.process_time))
        pyd_t = min(pyd_t, best_of(pydantic_peer, repeat=1, clock=time.process_time))
        msg_t = min(msg_t, best_of(msgspec_peer, repeat=1, clock=time.process_time))
    same = f"same checks as Event, {len(bad)} bad documents refused by all three; CPU, best of 5"
    return [
        at_most("JSON round-trip, 10k events vs pydantic", ours_t, pyd_t,
                "pydantic v2 model_dump_json + model_validate_json", 1.0, detail=same),
        at_most("JSON round-trip, 10k events vs msgspec", ours_t, msg_t,
                "msgspec Struct encode + typed decode", 2.0, detail=same),
    ]


def run() -> list[Result]:
    return [*_import_time(), *_json_round_trip()]
