"""Publishing throughput, against floors measured in the same run.

- 200 posts to in-memory platforms answering in 50 ms, through the runner
  (journal, consent gate, four platforms at once, four calls in flight per
  platform) vs a plain sequential loop of ``platform.publish`` calls
  (goal: at least 5× faster).
- A rate-bound platform (20 calls per second, 60 posts): the runner's time
  vs the bound itself, (60 - 1) / 20 s (goal: within 1.1× of the bound).
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks._harness import Result, at_least, at_most
from terrain.consent import ConsentLedger, Decision, decide
from terrain.posts import Capabilities, Post
from terrain.publishing import Journal, PlatformPolicy, RowState, publish

LATENCY = 0.05
PLATFORMS = ("alpha", "beta", "gamma", "delta")
CAPS = Capabilities(max_text_length=500, max_media=4, delete=True)


def _platform(name: str, latency: float) -> Any:
    from terrain.testing import InMemoryPlatform

    return InMemoryPlatform(name=name, capabilities=CAPS, latency=latency)


def _posts(n: int, platforms: tuple[str, ...]) -> list[Post]:
    return [
        Post(id=f"b-{i:04d}", platform=platforms[i % len(platforms)], text=f"recap {i}")
        for i in range(n)
    ]


def _gate(ledger: ConsentLedger) -> Any:
    def gate(post: Post, at: datetime) -> Decision:
        return decide(ledger, post, platform=post.platform, at=at, contents={})

    return gate


def _run(folder: Path, posts: list[Post], platforms: list[Any], policy: PlatformPolicy) -> float:
    journal = Journal(folder / f"journal-{time.perf_counter_ns()}.db")
    start = time.perf_counter()
    report = publish(
        journal,
        platforms,
        posts,
        gate=_gate(ConsentLedger()),
        now_fn=lambda: datetime.now(UTC),
        policies={p.name: policy for p in platforms},
    )
    elapsed = time.perf_counter() - start
    journal.close()
    bad = [o for o in report.outcomes if o.state is not RowState.CONFIRMED]
    if bad:
        raise AssertionError(f"{len(bad)} posts did not go out: {bad[0]}")
    return elapsed


def run() -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        posts = _posts(200, PLATFORMS)
        sequential_platforms = {n: _platform(n, LATENCY) for n in PLATFORMS}
        start = time.perf_counter()
        for post in posts:
            sequential_platforms[post.platform].publish(post)
        floor = time.perf_counter() - start
        ours = _run(
            folder,
            posts,
            [_platform(n, LATENCY) for n in PLATFORMS],
            PlatformPolicy(concurrency=4),
        )
        results.append(
            at_least(
                "publish 200 posts, 4 platforms, 50 ms latency",
                ours,
                floor,
                "sequential loop of platform.publish",
                5.0,
                detail="runner: journal + consent gate + 4 calls in flight per platform",
            )
        )
        rate, n = 20.0, 60
        bound = (n - 1) / rate
        rated = _run(
            folder,
            _posts(n, ("rated",)),
            [_platform("rated", 0.01)],
            PlatformPolicy(rate=rate, concurrency=4),
        )
        results.append(
            at_most(
                "publish 60 posts at 20 calls/s",
                rated,
                bound,
                "the rate bound (n - 1) / rate",
                1.1,
            )
        )
    return results
