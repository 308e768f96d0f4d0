"""Four `terrain worker` processes drain one journal; one is SIGKILLed mid-run.

The platform is the HTTP fake of :mod:`terrain.testing.http`, served on
127.0.0.1 by this test process, with a server-side rate limit. The workers
load it with ``TERRAIN_PLUGINS`` and read its address from terrain.toml. After
the kill, the three others take over the dead worker's rows (reconciling each
with ``find`` first) and drain the rest: every post is on the server exactly
once, none is lost, and the server never had to refuse a call for going too
fast (the workers kept the rate together, through the journal).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from terrain import Community, Post, Workspace
from terrain.publishing import Journal, RowState
from terrain.testing.http import PLATFORM_NAME, FakePlatformServer
from tests.conftest import workspace_store

ROWS = 1000
WORKERS = 4
RATE = 45.0  # what the workers allow themselves, together (calls per second)
SERVER_LIMIT = 55  # what the server accepts in any 1 s window


def _worker_env(workspace: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["TERRAIN_PLUGINS"] = "terrain.testing.http"
    env["TERRAIN_WORKSPACE"] = str(workspace)
    env.pop("TERRAIN_LOAD_PLUGINS", None)
    return env


def start_worker(workspace: Path, *extra: str) -> subprocess.Popen[str]:
    """`terrain worker --drain --json` on ``workspace`` in a new process."""
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from terrain.cli import main; main()",
            "worker",
            "--platform",
            PLATFORM_NAME,
            "--drain",
            "--json",
            "--poll",
            "0.2",
            *extra,
        ],
        env=_worker_env(workspace),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def make_workspace(
    root: Path, server: FakePlatformServer, n: int, store_url: str | None = None, **policy: float
) -> Journal:
    """A workspace whose terrain.toml points ``fake-http`` at ``server`` (and its
    store at ``store_url``, default: SQLite in the folder), with ``n`` posts
    planned (as `terrain publish --enqueue` leaves them)."""
    settings = {"base_url": server.url, "timeout": 5.0, **policy}
    Workspace.init(
        root,
        community=Community(id="ville", name="Ville"),
        platforms={PLATFORM_NAME: settings},
        store_url=store_url,
    ).close()
    journal = Journal(store_url or root / ".terrain" / "terrain.db", create=False)
    posts = [Post(id=f"w-{i:04d}", platform=PLATFORM_NAME, text=f"recap {i}") for i in range(n)]
    journal.plan(posts, now=datetime.now(UTC))
    return journal


@pytest.mark.slow
def test_four_workers_with_one_killed_publish_every_post_once_within_the_rate_limit(
    tmp_path: Path, store_url: str
) -> None:
    """On SQLite (the embedded default) and on PostgreSQL (a city's deployment)."""
    with FakePlatformServer(latency=0.005, rate_limit=(SERVER_LIMIT, 1.0)) as server:
        journal = make_workspace(
            tmp_path / "ville",
            server,
            ROWS,
            workspace_store(store_url),
            rate=RATE,
            concurrency=4,
        )
        started = time.monotonic()
        workers = [start_worker(tmp_path / "ville") for _ in range(WORKERS)]
        while len(server.posts) < ROWS // 4:
            assert time.monotonic() - started < 120, "the workers do not publish"
            time.sleep(0.02)
        victim = workers[0]
        victim.send_signal(signal.SIGKILL)
        victim.communicate()
        at_kill = len(server.posts)
        reports = []
        for worker in workers[1:]:
            out, err = worker.communicate(timeout=120)
            assert worker.returncode == 0, err
            reports.append(json.loads(out))

        created = server.created()
        assert at_kill < ROWS, "the kill came after the end of the run"
        assert set(created) == {f"w-{i:04d}" for i in range(ROWS)}, "a post was lost"
        doubled = sorted(k for k, v in created.items() if v > 1)
        assert not doubled, f"posted twice: {doubled}"
        assert server.rate_limited == 0, "the server had to refuse calls: the rate was exceeded"
        assert server.max_in_window(1.0) <= SERVER_LIMIT
        assert {r.state for r in journal.rows()} == {RowState.CONFIRMED}
        assert sum(r["reconciled"] for r in reports) >= 1, "nobody took over the killed rows"
        journal.close()
