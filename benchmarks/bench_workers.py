"""Publisher workers: throughput with 1, 2 and 4 ``terrain worker`` processes.

The platform is the HTTP fake of :mod:`terrain.testing.http` on 127.0.0.1,
answering each call in 50 ms; every worker is a separate process running
``terrain worker`` on one workspace (SQLite journal), started before the
posts are planned and stopped with SIGTERM after (so process start-up is left
out). Throughput is measured from planning the posts to the last one created
on the server, and compared with one worker measured in the same run:

- 2 workers: at least 1.8× one worker's throughput; 4 workers: at least 3.5×
  (near-linear while the rate limit does not bind);
- rate-bound: 4 workers sharing a limit of 30 calls per second, 120 posts:
  within 1.1× of the bound (n - 1) / rate, with the server's count in any 1 s
  window never above the limit (shown in the detail).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks._harness import Result, at_least, at_most
from terrain import Community, Post, Workspace
from terrain.publishing import Journal, RowState
from terrain.testing.http import PLATFORM_NAME, FakePlatformServer

LATENCY = 0.05
CONCURRENCY = 1  # calls in flight per worker
POSTS = 120
STARTUP = 15.0  # at most this long for the worker processes to start


def _workspace(root: Path, url: str, **policy: float) -> Journal:
    Workspace.init(
        root,
        community=Community(id="bench", name="Bench"),
        platforms={PLATFORM_NAME: {"base_url": url, "timeout": 10.0, **policy}},
    ).close()
    return Journal(root / ".terrain" / "terrain.db", create=False)


def _start(root: Path, workers: int) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "TERRAIN_PLUGINS": "terrain.testing.http", "TERRAIN_WORKSPACE": str(root)}
    env.pop("TERRAIN_LOAD_PLUGINS", None)
    command = [
        sys.executable,
        "-c",
        "from terrain.cli import main; main()",
        "worker",
        "--platform",
        PLATFORM_NAME,
        "--json",
        "--poll",
        "0.05",
        "--concurrency",
        str(CONCURRENCY),
    ]
    return [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(workers)
    ]


def _wait_until_polling(procs: list[subprocess.Popen[bytes]], root: Path) -> None:
    """Until every worker has opened the journal's write lock (it is in its loop)."""
    lock = str(root / ".terrain" / "terrain.db.lock")
    deadline = time.monotonic() + STARTUP
    waiting = {p.pid for p in procs}
    while waiting and time.monotonic() < deadline:
        for pid in list(waiting):
            try:
                fds = os.listdir(f"/proc/{pid}/fd")
                if any(os.readlink(f"/proc/{pid}/fd/{fd}") == lock for fd in fds):
                    waiting.discard(pid)
            except OSError:
                pass  # no /proc (not Linux), or the fd closed meanwhile: wait on
        time.sleep(0.02)
    time.sleep(0.1)


def _run(folder: Path, workers: int, n: int, **policy: float) -> tuple[float, FakePlatformServer]:
    """Seconds from planning ``n`` posts to the last one created, with
    ``workers`` processes already started (and idle), then stopped with SIGTERM."""
    with FakePlatformServer(latency=LATENCY) as server:
        root = folder / f"ws-{workers}-{n}-{len(list(folder.iterdir()))}"
        journal = _workspace(root, server.url, **policy)
        procs = _start(root, workers)
        _wait_until_polling(procs, root)
        posts = [Post(id=f"b-{i:04d}", platform=PLATFORM_NAME, text=f"recap {i}") for i in range(n)]
        planned = time.time()
        journal.plan(posts, now=datetime.now(UTC))
        deadline = time.monotonic() + 120
        while len(server.posts) < n and time.monotonic() < deadline:
            time.sleep(0.01)
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            _, err = proc.communicate(timeout=60)
            if proc.returncode != 0:
                raise AssertionError(f"a worker failed: {err.decode(errors='replace')}")
        rows = journal.rows()
        journal.close()
        if {r.state for r in rows} != {RowState.CONFIRMED}:
            raise AssertionError("some posts did not go out")
        created = server.created()
        if len(created) != n or set(created.values()) != {1}:
            raise AssertionError("a post was lost or doubled")
        return max(p.created_at for p in server.posts) - planned, server


def run() -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        one, _ = _run(folder, 1, POSTS)
        for workers, goal in ((2, 1.8), (4, 3.5)):
            ours, _ = _run(folder, workers, POSTS)
            results.append(
                at_least(
                    f"{workers} workers vs 1, {POSTS} posts, 50 ms latency",
                    ours,
                    one,
                    f"1 worker ({POSTS / one:.0f} posts/s)",
                    goal,
                    detail=f"{workers} processes x {CONCURRENCY} calls in flight: "
                    f"{POSTS / ours:.0f} posts/s; ratio = speed-up",
                )
            )
        rate, n = 30.0, 120
        bound = (n - 1) / rate
        rated, server = _run(folder, 4, n, rate=rate, concurrency=4)
        results.append(
            at_most(
                "4 workers sharing 30 calls/s, 120 posts",
                rated,
                bound,
                "the rate bound (n - 1) / rate",
                1.1,
                detail=f"most posts the server saw in any 1 s: {server.max_in_window(1.0)} "
                f"(limit {rate:g} + 1)",
            )
        )
    return results
