"""Publisher workers: throughput with 1, 2 and 4 ``terrain worker`` processes.

The platform is the HTTP fake of :mod:`terrain.testing.http` on 127.0.0.1,
answering each call in 50 ms; every worker is a separate process running
``terrain worker`` on one workspace, started while the posts are not yet
due. Once every worker is ready (its process holds the workspace's database
open, i.e. imports, plugins and store are done; on Linux, read from
``/proc``), the posts are made due at once, and throughput is measured from
that moment to the last post created on the server, so process start-up never
lands in the figure however busy the machine. Compared with one worker
measured in the same run:

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
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks._harness import Result, at_least, at_most
from terrain import Community, Post, Workspace
from terrain.publishing import Journal, RowState
from terrain.publishing._journal import ts
from terrain.testing.http import PLATFORM_NAME, FakePlatformServer

LATENCY = 0.05
CONCURRENCY = 1  # calls in flight per worker
POSTS = 120


def startup(workers: int) -> float:
    """Seconds allowed for ``workers`` processes to start when readiness cannot be
    seen (a PostgreSQL store, no ``/proc``)."""
    return 1.5 + 1.0 * workers


def _workspace(root: Path, url: str, store: str | None = None, **policy: float) -> Journal:
    Workspace.init(
        root,
        community=Community(id="bench", name="Bench"),
        platforms={PLATFORM_NAME: {"base_url": url, "timeout": 10.0, **policy}},
        store_url=store,
    ).close()
    return Journal(store or root / ".terrain" / "terrain.db", create=False)


def _holds(pid: int, target: str) -> bool | None:
    """Whether process ``pid`` has file ``target`` open (``None``: cannot tell)."""
    folder = Path(f"/proc/{pid}/fd")
    try:
        return any(os.readlink(folder / fd) == target for fd in os.listdir(folder))
    except FileNotFoundError:
        return False  # the process ended (its error is read later)
    except OSError:
        return None


def _wait_ready(procs: list[subprocess.Popen[bytes]], journal: Journal, allowance: float) -> None:
    """Until every worker holds the store open (a SQLite store, on Linux); else, or
    for a PostgreSQL store, a fixed ``allowance`` of seconds."""
    target = str(journal.path.resolve()) if journal.path is not None else None
    deadline = time.monotonic() + 60
    while target is not None and time.monotonic() < deadline:
        held = [_holds(p.pid, target) for p in procs]
        if None in held:
            break
        if all(held):
            time.sleep(0.2)  # the first poll of the journal
            return
        time.sleep(0.02)
    time.sleep(allowance)


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


def _run(
    folder: Path, workers: int, n: int, store: str | None = None, **policy: float
) -> tuple[float, FakePlatformServer]:
    """Seconds from the moment ``n`` posts come due to the last one created, with
    ``workers`` processes started before (they poll the journal meanwhile), then
    stopped with SIGTERM."""
    with FakePlatformServer(latency=LATENCY) as server:
        root = folder / f"ws-{workers}-{n}-{len(list(folder.iterdir()))}"
        journal = _workspace(root, server.url, store, **policy)
        posts = [Post(id=f"b-{i:04d}", platform=PLATFORM_NAME, text=f"recap {i}") for i in range(n)]
        journal.plan(posts, now=datetime.now(UTC))
        later = datetime.now(UTC) + timedelta(hours=1)
        with journal.db.transaction() as tx:  # not due while the workers start
            tx.execute("UPDATE publication_journal SET next_attempt_at = ?", (ts(later),))
        procs = _start(root, workers)
        _wait_ready(procs, journal, startup(workers))
        due = datetime.now(UTC)
        with journal.db.transaction() as tx:  # every post comes due: the clock starts
            tx.execute("UPDATE publication_journal SET next_attempt_at = ?", (ts(due),))
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
        return max(p.created_at for p in server.posts) - due.timestamp(), server


def scaling(
    folder: Path,
    store: Callable[[], str | None],
    label: str,
    counts: tuple[int, ...],
) -> list[Result]:
    """1 worker, then each of ``counts`` workers, each run on a fresh ``store()``."""
    results = []
    one, _ = _run(folder, 1, POSTS, store())
    for workers in counts:
        goal = {2: 1.8, 4: 3.5}[workers]
        ours, _ = _run(folder, workers, POSTS, store())
        results.append(
            at_least(
                f"{workers} workers vs 1, {label}, 50 ms latency",
                ours,
                one,
                f"1 worker ({POSTS / one:.0f} posts/s)",
                goal,
                detail=f"{workers} processes x {CONCURRENCY} call in flight: "
                f"{POSTS / ours:.0f} posts/s; ratio = speed-up",
            )
        )
    return results


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results = scaling(folder, lambda: None, f"SQLite, {POSTS} posts", (2, 4))
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
