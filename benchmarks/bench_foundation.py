"""Import time of terrain and JSON round-trips, against floors in the same run.

- ``import terrain`` (with the models used) and ``terrain --help`` vs
  ``python -c "import attrs, cattrs, pluggy, click"`` (goal ≤ 1.25×).
- JSON round-trip of 10k events through terrain's converter vs orjson on
  the equivalent dicts (goal ≤ 4×).
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks._harness import Result, at_most, best_of

BIN = Path(sys.executable).parent


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


def _import_time() -> list[Result]:
    floor = best_of(
        lambda: _run(sys.executable, "-c", "import attrs, cattrs, pluggy, click"), repeat=7
    )
    ours = best_of(
        lambda: _run(sys.executable, "-c", "import terrain; terrain.Event; terrain.Member"),
        repeat=7,
    )
    cli = best_of(lambda: _run(str(BIN / "terrain"), "--help"), repeat=7)
    floor_name = "python -c 'import attrs, cattrs, pluggy, click'"
    return [
        at_most("import terrain (+ models)", ours, floor, floor_name, 1.25),
        at_most("terrain --help", cli, floor, floor_name, 1.25),
    ]


def _json_round_trip() -> list[Result]:
    import orjson

    from terrain import Event, Talk
    from terrain.serialization import converter, from_json, to_json

    start = datetime(2026, 3, 12, 19, tzinfo=UTC)
    events = [
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
    dicts = [converter.unstructure(e) for e in events]

    def ours() -> None:
        for event in events:
            from_json(to_json(event), Event)

    def peer() -> None:
        for d in dicts:
            orjson.loads(orjson.dumps(d))

    # CPU time, best of 5, alternating: both sides single-threaded, so a busy
    # machine disturbs them less than wall-clock time would
    ours_t = peer_t = float("inf")
    for _ in range(5):
        ours_t = min(ours_t, best_of(ours, repeat=1, clock=time.process_time))
        peer_t = min(peer_t, best_of(peer, repeat=1, clock=time.process_time))
    return [
        at_most(
            "JSON round-trip, 10k events",
            ours_t,
            peer_t,
            "orjson dumps+loads of the same dicts (no validation)",
            4.0,
            detail="ours validates every field; CPU time, best of 5",
        )
    ]


def run() -> list[Result]:
    return [*_import_time(), *_json_round_trip()]
