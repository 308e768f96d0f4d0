"""The commands people run, in workspaces of a city's size, against floors in the same run.

Workspaces are made by :mod:`benchmarks.workspace` (realistic: 2,000 members,
300 events, 20,000 photos, ~21,000 consent events). Each command runs as a
user runs it, a fresh ``terrain`` process (median of 3, wall clock):

- ``consent grant``, ``consent list``, ``content list``, ``log --limit 50`` and
  ``community core`` at realistic size vs ``terrain --help`` in the same run
  (goal ≤ 2.5×, i.e. about 0.5 s on a machine where ``--help`` takes 0.2 s);
- ``publish EV --dry-run`` of a 150-photo event: ≤ 2 s (the floor is the
  budget itself), and ≤ 1.2× that when members and consent events grow 10×;
- size ladders, each row the growth of the time against the growth of the size
  (goal: no worse than linear, i.e. ratio ≤ the size factor; a cost that should
  not grow at all has a goal of 1.2×): the dry run over 100 → 1,000 → 10,000
  members (members and consent grow, the event does not), and over 1,000 →
  20,000 photos; the claim of a publisher worker over 100 → 20,000 queued rows,
  and behind 100 → 5,000 rows not due yet (retries backing off, scheduled posts).
  Every size is built first, then the sizes are measured in turn, round after
  round (median of 5), as are the realistic and the grown workspace's dry runs:
  measured one after the other, a burst of load fell on one side only and the
  same code read 0.97× in one run and 1.57× in the next.

``TERRAIN_BENCH_LADDER=full`` runs the member ladder to 10,000 members (the
issue's size, about 3 extra minutes); the default stops at 1,000 → 5,000
members to fit ``make bench``'s budget on 2 cores (the ratio reported is the
growth per 10× either way: see the detail).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

from benchmarks._harness import Result, at_most, median_of_each
from benchmarks.workspace import DRY_RUN_EVENT, NOW, Shape, build

BIN = Path(sys.executable).parent
FULL = os.environ.get("TERRAIN_BENCH_LADDER", "") == "full"
MEMBER_LADDER = (100, 1_000, 10_000) if FULL else (100, 1_000, 5_000)
PHOTO_LADDER = (1_000, 20_000)
QUEUE_LADDER = (100, 20_000)
ROUNDS = 5  #: alternating rounds of a ladder or a grown workspace (median)
WAITING_LADDER = (100, 5_000)


def _env(root: Path) -> dict[str, str]:
    env = {**os.environ, "TERRAIN_WORKSPACE": str(root), "TERRAIN_NOW": NOW.isoformat()}
    env.pop("TERRAIN_LOAD_PLUGINS", None)
    return env


def terrain(root: Path, *args: str, repeat: int = 3, before: Callable[[], None] | None = None
            ) -> float:
    """Median wall-clock seconds of ``terrain ARGS`` in workspace ``root``."""
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        done = subprocess.run([str(BIN / "terrain"), *args], env=_env(root),
                              capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise AssertionError(f"terrain {' '.join(args)} failed: {done.stderr[-500:]}")
    return statistics.median(times)


def side_by_side(root: Path, *args: str, repeat: int = 3) -> tuple[float, float]:
    """Median seconds of ``terrain ARGS`` and of ``terrain --help``, run alternately:
    the floor is measured in the same seconds as the command, under the same load."""
    ours, floor = [], []
    for _ in range(repeat):
        ours.append(terrain(root, *args, repeat=1))
        floor.append(terrain(root, "--help", repeat=1))
    return statistics.median(ours), statistics.median(floor)


def _one_dry_run(root: Path) -> Callable[[], float]:
    """One measurement: seconds of one ``publish EV --dry-run`` in ``root``."""
    return lambda: terrain(root, "publish", DRY_RUN_EVENT, "--dry-run", "--to", "x", repeat=1)


def _commands(root: Path, load: str) -> list[Result]:
    counter = iter(range(10_000))
    rows = {
        "consent grant (one record)": (
            "consent", "grant", "m00010", "--purpose", "publish", "--witness", "Camille",
            "--at", (NOW - timedelta(hours=1)).isoformat(),
        ),
        "consent list": ("consent", "list"),
        "content list": ("content", "list"),
        "log --limit 50": ("log", "--limit", "50"),
        "community core": ("community", "core"),
    }
    out = []
    for name, args in rows.items():
        if args[:2] == ("consent", "grant"):
            args = (*args[:2], f"m{next(counter) * 37 % 2000:05d}", *args[3:])
        ours, help_s = side_by_side(root, *args)
        out.append(at_most(
            f"{name}, realistic workspace", ours, help_s,
            "terrain --help (same run, alternating with it)", 2.5,
            detail=f"2,000 members, 20,000 photos, ~21k consent events; goal ≈ 0.5 s; {load}",
        ))
    return out


def _grow(root: Path, factor: int) -> None:
    from benchmarks.workspace import grow_ledger
    from terrain import Workspace

    with Workspace.open(root) as ws:
        grow_ledger(ws, factor, photos=False)


def ladder(name: str, sizes: Sequence[int], prepare: Callable[[int], Callable[[], float]], *,
           unit: str, constant: bool, detail: str, rounds: int = ROUNDS) -> list[Result]:
    """One row per step: the time's growth against the size's growth.

    Every size is prepared first (``prepare(n)`` builds what is measured and returns
    one measurement); then the sizes are measured in turn, round after round, and
    each figure is the median of its ``rounds``: both sides of a ratio ran in the
    same seconds, under the same load."""
    times = median_of_each([prepare(n) for n in sizes], rounds=rounds)
    out = []
    for (a, ta), (b, tb) in zip(zip(sizes, times, strict=True), list(zip(sizes, times,
                                                                         strict=True))[1:],
                                strict=False):
        factor = b / a
        goal = 1.2 if constant else factor
        out.append(at_most(
            f"{name}: {a:,} → {b:,} {unit}", tb, ta, f"the same at {a:,} {unit}", goal,
            detail=f"size ×{factor:g}; goal {'constant cost' if constant else 'linear or better'}"
                   f"; {detail}; sizes alternating, median of {rounds}",
        ))
    return out


def _claim_journal(folder: Path, queued: int, *, waiting: int = 0,
                   stack: contextlib.ExitStack) -> Callable[[], float]:
    """A journal in ``folder`` with ``queued`` due rows, behind ``waiting`` rows planned
    before them and not due yet (a backlog backing off after an outage, or scheduled
    for later: a claim passes over every one of them); and its measurement: seconds per
    claim (claim + release, 50 of them; the rows claimed are released to tomorrow, so
    the later claims of a round pass over them too; they are made due again between
    rounds, untimed)."""
    from datetime import UTC, datetime

    from terrain.posts import Post
    from terrain.publishing import Journal

    folder.mkdir(parents=True)
    journal = Journal(folder / "journal.db", create=True)
    stack.callback(journal.close)
    now = datetime(2026, 11, 20, tzinfo=UTC)
    if waiting:
        journal.plan([Post(id=f"w-{i:06d}", platform="x", text="t") for i in range(waiting)],
                     now=now - timedelta(hours=1), at=now + timedelta(days=1))
    journal.plan([Post(id=f"q-{i:06d}", platform="x", text="t") for i in range(queued)],
                 now=now)
    claims = min(50, queued // 2)

    def measure() -> float:
        claimed = []
        start = time.perf_counter()
        for _ in range(claims):
            row = journal.claim_ready("x", "bench", now=now, lease=timedelta(minutes=5))
            assert row is not None
            assert row.post_id.startswith("q-"), row  # never one not due yet
            journal.release(row, "bench", next_attempt_at=now + timedelta(days=1), error=None,
                            now=now)
            claimed.append(row)
        elapsed = (time.perf_counter() - start) / claims
        journal.plan([r.post for r in claimed], now=now, at=now)  # due again, next round
        return elapsed

    return measure


def run() -> list[Result]:
    from benchmarks._harness import load_note

    work = Path(tempfile.mkdtemp(prefix="terrain-bench-ws-"))
    results: list[Result] = []
    stack = contextlib.ExitStack()
    try:
        real = build(work / "realistic", Shape())
        results += _commands(real, load_note())
        grown = work / "grown"
        shutil.copytree(real, grown)
        _grow(grown, 10)
        dry, dry_grown = median_of_each([_one_dry_run(real), _one_dry_run(grown)],
                                        rounds=ROUNDS)
        results.append(at_most(
            "publish --dry-run, 150-photo event, realistic", dry, 2.0,
            "the issue's budget (2 s)", 1.0,
            detail=f"CLI, fresh process, median of {ROUNDS} (alternating with the grown "
                   f"workspace's); {load_note()}",
        ))
        results.append(at_most(
            "publish --dry-run, members and consents grown 10×", dry_grown, dry,
            "the same dry run in the realistic workspace (alternating with it)", 1.2,
            detail=f"20,000 members, ~210k consent events, the same 150 photos; median of "
                   f"{ROUNDS}",
        ))
        shutil.rmtree(grown, ignore_errors=True)

        def members_step(n: int) -> Callable[[], float]:
            return _one_dry_run(build(work / f"members-{n}", Shape(
                members=n, events=30, photos=1_000, checkins_per_event=min(40, n))))

        results += ladder("dry run vs members (and consent)", MEMBER_LADDER, members_step,
                          unit="members", constant=True,
                          detail="150-photo event, 10 consent events per member")

        def photos_step(n: int) -> Callable[[], float]:
            return _one_dry_run(build(work / f"photos-{n}",
                                      Shape(members=2_000, events=100, photos=n)))

        results += ladder("dry run vs photos", PHOTO_LADDER, photos_step, unit="photos",
                          constant=True, detail="the 150-photo event among the others")
        results += ladder("worker claim vs queued rows", QUEUE_LADDER,
                          lambda n: _claim_journal(work / f"claim-{n}", n, stack=stack),
                          unit="queued rows", constant=True,
                          detail="seconds per claim + release, SQLite journal")
        results += ladder("worker claim vs rows not due yet", WAITING_LADDER,
                          lambda n: _claim_journal(work / f"behind-{n}", 100, waiting=n,
                                                 stack=stack),
                          unit="rows not due ahead", constant=True,
                          detail="100 due rows planned after them (a backlog backing off, "
                                 "or scheduled); seconds per claim + release, SQLite journal")
    finally:
        stack.close()
        shutil.rmtree(work, ignore_errors=True)
    return results
