"""Kill the publishing process (SIGKILL) at random points, resume: exactly once.

A child process publishes a small batch to a platform that keeps its posts
as files (its state survives the kill). The parent measures how long a batch
takes, kills runs after a random delay within that span (up to three times
in a row), then lets a last run finish. Every post must be on
the platform exactly once: none lost, none doubled.

The first run is a fresh interpreter; the others are forked from a process that
imported terrain already (tests/_forkserver.py): each is still a process of its
own, opening the journal itself, killed with SIGKILL, without paying a fresh
import each time (most of the test's CPU otherwise).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from terrain.publishing import Journal, RowState
from tests import _forkserver
from tests.publishing._platforms import FilePlatform

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, {root!r})
from tests.publishing._platforms import FilePlatform
from terrain.consent import ConsentLedger, decide
from terrain.posts import Post
from terrain.publishing import Journal, PlatformPolicy, publish

folder, prefix, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ledger = ConsentLedger()
platform = FilePlatform(folder / "platform", delay=0.05)
posts = [Post(id=f"{{prefix}}-{{i:02d}}", platform="files", text=f"recap {{i}}") for i in range(n)]
print("ready", os.getpid(), flush=True)
report = publish(
    Journal(folder / "journal.db", create=True),
    [platform],
    posts,
    gate=lambda post, at, purpose: decide(
        ledger, post, platform=post.platform, purpose=purpose, at=at, contents={{}}
    ),
    now_fn=lambda: datetime.now(UTC),
    policies={{"files": PlatformPolicy(concurrency=2)}},
    lease=timedelta(minutes=10),
)
sys.exit(0 if all(o.state == "confirmed" for o in report.outcomes) else 3)
"""

KILLS = int(os.environ.get("TERRAIN_CRASH_KILLS", "24"))


def start(script: Path, *args: str, fresh: bool = False) -> tuple[subprocess.Popen[str], int]:
    """The child running ``script ARGS`` (forked unless ``fresh``) once it is ready, and
    the id of the process that publishes (the one to kill)."""
    python = sys.executable if fresh else _forkserver.shared().python
    child = subprocess.Popen(
        [python, str(script), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    ready, pid = child.stdout.readline().split()
    assert ready == "ready"
    return child, int(pid)


@pytest.mark.slow
def test_sigkill_at_random_points_never_loses_or_doubles_a_post(tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT)))
    rng = random.Random(int(os.environ.get("TERRAIN_CRASH_SEED", "20260312")))
    kills = 0
    caught_in_flight = 0
    batches: list[tuple[str, int]] = []
    started = time.monotonic()

    def run(prefix: str, n: int, kill_after: float | None, fresh: bool = False) -> bool:
        """One child run; True if it was killed, False if it finished (checked)."""
        nonlocal kills, caught_in_flight
        child, pid = start(script, str(tmp_path), prefix, str(n), fresh=fresh)
        if kill_after is not None:
            time.sleep(kill_after)
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):  # it may have just finished
                    os.kill(pid, signal.SIGKILL)
                _, err = child.communicate()
                if child.returncode != -signal.SIGKILL:  # it finished first: a whole run
                    assert child.returncode == 0, err
                    return False
                kills += 1
                journal = Journal(tmp_path / "journal.db", create=True)
                caught_in_flight += sum(r.state is RowState.CLAIMED for r in journal.rows())
                journal.close()
                return True
        _, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        return False

    # Calibrate: how long a whole batch takes after "ready" on this machine (and
    # under its current load), so the kills land anywhere in a run. The span
    # follows the last run left to finish: a loaded CI machine gets later kills.
    batches.append(("warm", 8))
    run("warm", 8, None, fresh=True)  # creates the journal (migrations): not a typical run
    span = 0.0
    while kills < KILLS:
        prefix, n = f"b{len(batches)}", 8
        batches.append((prefix, n))
        # Up to three kills at random points of a run, then a run left to finish:
        # a resume after several crashes in a row must still post each row once.
        for _attempt in range(3 if span else 0):
            run(prefix, n, rng.uniform(0.0, 0.9 * span))
        t0 = time.monotonic()
        run(prefix, n, None)
        span = max(time.monotonic() - t0, 0.05)
    landed = FilePlatform(tmp_path / "platform").landed()
    expected = {f"{prefix}-{i:02d}" for prefix, n in batches for i in range(n)}
    assert set(landed) == expected, "a post was lost"
    assert set(landed.values()) == {1}, f"doubled: {[k for k, v in landed.items() if v > 1]}"
    journal = Journal(tmp_path / "journal.db", create=True)
    rows = journal.rows()
    journal.close()
    assert {r.state for r in rows} == {RowState.CONFIRMED}
    assert kills >= KILLS
    assert caught_in_flight > 0, "no kill landed while a post was in flight"
    print(
        f"{kills} kills, {caught_in_flight} rows caught in flight, {len(expected)} posts "
        f"in {time.monotonic() - started:.0f} s"
    )


@pytest.mark.slow
def test_three_publish_processes_at_once_never_post_twice(tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT)))
    children = [start(script, str(tmp_path), "same", "30")[0] for _ in range(3)]
    for child in children:
        _, err = child.communicate(timeout=60)
        assert child.returncode in (0, 3), err  # 3: some rows were another run's
    landed = FilePlatform(tmp_path / "platform").landed()
    assert set(landed) == {f"same-{i:02d}" for i in range(30)}
    assert set(landed.values()) == {1}
