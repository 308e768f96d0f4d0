"""Publishing over HTTP: the workspace path users run, against Apprise, in the same run.

Both sides send 200 posts to the same HTTP endpoint on 127.0.0.1 (the fake
platform of :mod:`terrain.testing.http`, run as its own process so its CPU
counts for neither), which answers each call after 50 ms:

- **ours**: :func:`terrain.workflows.publish_event` on a realistic workspace
  (:mod:`benchmarks.workspace`: 2,000 members, ~21,000 consent events, 20,000
  photos; SQLite with the workspace's own ``synchronous=FULL``): 199 photos of
  one event plus its summary, composed, planned in the journal, each decided
  by the consent gate right before its call (the people in the photo, read
  from the store), sent with 16 calls in flight (``concurrency = 16`` in
  ``[platforms.fake-http]``), the decision and the receipt recorded;
- **peer**: Apprise fans the same 200 messages out to ``json://`` URLs of the
  same endpoint, 16 at once (its shared thread pool sized to 16), with no
  journal, no consent and nothing recorded.

Rows: posts per second (goal ≥ 1.5× Apprise) and our CPU per post, all
threads of the process, from opening the workspace to the last receipt
(goal ≤ 5 ms; Apprise's CPU per post in the detail). Each is the median of
``ROUNDS`` rounds, Apprise and terrain alternating, terrain on a fresh copy of
the same workspace each round (one round of 200 posts read 3.8–6.3 ms of CPU per
post on a quiet machine: a single one is a draw); every round's figure is in
the detail. Then the rate-bound runner row: 60 posts at 20 calls per second vs
the bound ``(n - 1) / rate``.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks._harness import Result, at_least, at_most
from benchmarks.workspace import NOW, PUBLISH_EVENT, Shape, build

LATENCY = 0.05
POSTS = 200
CONCURRENCY = 16
ROUNDS = 3  #: rounds of each side, alternating (the rows are their medians)


class _Server:
    """``python -m terrain.testing.http`` in its own process."""

    def __enter__(self) -> _Server:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "terrain.testing.http", "--latency", str(LATENCY)],
            stdout=subprocess.PIPE, text=True,
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        return self

    def posts(self) -> int:
        import json
        import urllib.request

        with urllib.request.urlopen(f"{self.url}/_admin/calls") as answer:
            return len(json.load(answer)["posts"])

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


#: Photos per post of the fake platform (terrain.testing's DEFAULT_CAPABILITIES.max_media).
PHOTOS_PER_POST = 10


def _apprise(url: str) -> tuple[float, float, int]:
    import concurrent.futures as cf

    import apprise
    import apprise.apprise as core

    # Apprise sends to its URLs in parallel on one shared pool (6 threads on 2
    # cores by default): give it as many as terrain's calls in flight.
    # The pool is shut down after: its 16 idle threads would outlive this module, and
    # a later one would run in a process with threads (make_thumbnails then starts its
    # workers through a forkserver, not by fork as `terrain thumbnails` does).
    original, core._shared_executor = core._shared_executor, cf.ThreadPoolExecutor(
        max_workers=CONCURRENCY)
    host = url.removeprefix("http://")
    notifier = apprise.Apprise()
    for i in range(POSTS):
        notifier.add(f"json://{host}/posts?:post_id=apprise-{i:04d}")
    try:
        cpu, wall = time.process_time(), time.perf_counter()
        ok = notifier.notify(body="Vélo & ville : merci à toutes et à tous !", title="Recap")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        core._shared_executor.shutdown()
        core._shared_executor = original
    if not ok:
        raise AssertionError("Apprise did not deliver every message")
    return wall, cpu, POSTS


def _workspace(url: str, folder: Path) -> Path:
    """The realistic workspace whose event ``_terrain`` publishes (built once, copied
    for each round: publishing sends its posts)."""
    return build(
        folder / "ws",
        # a recap is an album: the fake platform takes 10 photos a post, so POSTS posts
        Shape(publish_photos=POSTS * PHOTOS_PER_POST),
        platforms={"fake-http": {"base_url": url, "timeout": 10.0, "concurrency": CONCURRENCY}},
    )


def _terrain(url: str, folder: Path, built: Path) -> tuple[float, float, int]:
    """One round: publish the event of a copy of ``built`` (see :func:`_workspace`)."""
    from terrain import Workspace
    from terrain.workflows import publish_event
    from terrain.workflows._publish import clock_from

    root = Path(shutil.copytree(built, folder / f"ws-{len(list(folder.iterdir()))}"))
    for copied in root.rglob("*"):  # on disk before the clock starts, as a built
        if copied.is_file():        # workspace is: else the run's first sync writes it
            with copied.open("rb+") as file:
                os.fsync(file.fileno())
    env = {**os.environ, "TERRAIN_PLUGINS": "terrain.testing.http"}
    env.pop("TERRAIN_LOAD_PLUGINS", None)
    cpu, wall = time.process_time(), time.perf_counter()
    with Workspace.open(root, environ=env) as ws:
        result = publish_event(ws, PUBLISH_EVENT, ["fake-http"], now=clock_from(NOW), hook=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    sent = sum(o.state.value == "confirmed" for o in result.report.outcomes)
    if sent != POSTS:
        held = [o.message for o in result.report.outcomes if o.state.value != "confirmed"]
        raise AssertionError(f"{POSTS - sent} posts did not go out: {held[:3]}")
    return wall, cpu, sent


def _each(rounds: list[tuple[float, float, int]], i: int, scale: float = 1.0) -> str:
    """Figure ``i`` (0: wall, 1: CPU) of every round, in the order they ran."""
    return ", ".join(f"{r[i] * scale:.2f}" for r in rounds)


def _rate_bound(folder: Path) -> Result:
    from terrain.consent import ConsentLedger, decide
    from terrain.posts import Post
    from terrain.publishing import Journal, PlatformPolicy, RowState, publish
    from terrain.testing import InMemoryPlatform

    rate, n = 20.0, 60
    platform: Any = InMemoryPlatform(name="rated", latency=0.01)
    posts = [Post(id=f"r-{i:04d}", platform="rated", text=f"recap {i}") for i in range(n)]
    journal = Journal(folder / "rated.db", create=True)
    ledger = ConsentLedger()
    start = time.perf_counter()
    report = publish(
        journal, [platform], posts,
        gate=lambda post, at, purpose: decide(
            ledger, post, platform=post.platform, purpose=purpose, at=at, contents={}
        ),
        now_fn=lambda: datetime.now(UTC),
        policies={"rated": PlatformPolicy(rate=rate, concurrency=4)},
    )
    elapsed = time.perf_counter() - start
    journal.close()
    if any(o.state is not RowState.CONFIRMED for o in report.outcomes):
        raise AssertionError("some rate-bound posts did not go out")
    return at_most(f"publish {n} posts at {rate:g} calls/s", elapsed, (n - 1) / rate,
                   "the rate bound (n - 1) / rate", 1.1)


def run() -> list[Result]:
    folder = Path(tempfile.mkdtemp(prefix="terrain-bench-publish-"))
    try:
        peers, ours = [], []
        (folder / "runs").mkdir()
        with _Server() as server:
            built = _workspace(server.url, folder / "built")
            for _ in range(ROUNDS):
                peers.append(_apprise(server.url))
                ours.append(_terrain(server.url, folder / "runs", built))
            created = server.posts()
        if created != 2 * POSTS * ROUNDS:
            raise AssertionError(f"the server saw {created} posts, not {2 * POSTS * ROUNDS}")
        peer_wall = statistics.median(wall for wall, _, _ in peers)
        ours_wall = statistics.median(wall for wall, _, _ in ours)
        peer_cpu = statistics.median(cpu for _, cpu, _ in peers)
        ours_cpu = statistics.median(cpu for _, cpu, _ in ours)
        rounds = f"median of {ROUNDS} rounds, alternating"
        return [
            at_least(
                f"publish {POSTS} posts over HTTP, 50 ms, realistic workspace",
                ours_wall, peer_wall,
                f"Apprise fan-out, {CONCURRENCY} at once ({POSTS / peer_wall:.0f} posts/s)", 1.5,
                detail=f"ours {POSTS / ours_wall:.0f} posts/s: compose, journal, consent gate "
                f"per call, decision and receipt recorded (SQLite FULL); ratio = speed-up; "
                f"{rounds}: ours {_each(ours, 0)} s, Apprise {_each(peers, 0)} s",
            ),
            at_most(
                "CPU per post, workspace path", ours_cpu / POSTS, 0.005,
                "the goal itself (5 ms per post)", 1.0, unit="s",
                detail=f"all threads, opening the workspace included; Apprise "
                f"{peer_cpu / POSTS * 1000:.1f} ms per post; {rounds}: ours "
                f"{_each(ours, 1, 1000 / POSTS)} ms",
            ),
            _rate_bound(folder),
        ]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
