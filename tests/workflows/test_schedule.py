"""Scheduled posts, with the controllable clock: at their slot, not before, consent then.

The journal is the schedule: a post planned for 09:00 is a row whose
``next_attempt_at`` is 09:00, and a worker takes it when its clock says so.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from terrain import Content
from terrain.errors import Conflict, ValidationError
from terrain.publishing import RowState
from terrain.store import Workspace
from terrain.workflows import (
    cancel_post,
    move_post,
    publish_event,
    queue_of,
    run_workspace_worker,
)
from terrain.workflows._publish import journal_of

from ._meetup import EVENT_ID, MEETUP, PARIS
from ._meetup import meetup_workspace as _meetup_workspace

SLOT = datetime(2026, 3, 13, 9, 0, tzinfo=PARIS)  # the morning after the meetup
BEFORE = SLOT - timedelta(minutes=5)


def jpeg() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def meetup_workspace(root: Path) -> Workspace:
    """The March meetup, its photos in the workspace's storage (the outbox sends them)."""
    ws = _meetup_workspace(root)
    for content in ws.list(Content):
        for media in content.media:
            ws.storage.put(media.key, jpeg())
    return ws


def outbox_files(root: Path) -> list[Path]:
    return sorted((root / "outbox").rglob("*.json")) if (root / "outbox").exists() else []


def drain(ws: object, at: datetime) -> object:
    return run_workspace_worker(ws, ["outbox"], now=at, drain=True, poll=0.05, hook=False)  # type: ignore[arg-type]


def test_a_post_planned_for_nine_goes_at_nine_not_before(tmp_path: Path) -> None:
    with meetup_workspace(tmp_path / "ws") as ws:
        planned = publish_event(ws, EVENT_ID, ["outbox"], now=MEETUP + timedelta(hours=4), at=SLOT)
        (post,) = planned.posts
        assert planned.scheduled == {post.id: SLOT}
        (queued,) = queue_of(ws)
        assert (queued.at, queued.kind, queued.state) == (SLOT, "recap", RowState.PLANNED)
        drain(ws, BEFORE)
        assert outbox_files(ws.root) == []
        assert journal_of(ws).get(post.id, "outbox").state is RowState.PLANNED  # type: ignore[union-attr]
        drain(ws, SLOT)
        assert len(outbox_files(ws.root)) == 1
        assert journal_of(ws).get(post.id, "outbox").state is RowState.CONFIRMED  # type: ignore[union-attr]
        assert queue_of(ws) == []


def test_a_withdrawal_before_the_slot_holds_the_post(tmp_path: Path) -> None:
    with meetup_workspace(tmp_path / "ws") as ws:
        publish_event(ws, EVENT_ID, ["outbox"], now=MEETUP + timedelta(hours=4), at=SLOT)
        ledger = ws.ledger()
        ledger.withdraw("lea", at=SLOT - timedelta(minutes=30))  # hers was the last photo allowed
        ws.save_ledger(ledger)
        drain(ws, SLOT)
        assert outbox_files(ws.root) == []
        (row,) = journal_of(ws).rows()
        assert row.state is RowState.HELD
        assert any("Léa" in r for r in row.reasons)
        (decision,) = ws.decisions(subject_kind="post", platform="outbox")
        assert decision.at >= SLOT  # decided at the call, not when it was planned


def test_a_worker_killed_before_the_slot_loses_nothing(tmp_path: Path) -> None:
    """A worker dies (SIGKILL) while waiting for 09:00; the next one sends the post, once."""
    with meetup_workspace(tmp_path / "ws") as ws:
        publish_event(ws, EVENT_ID, ["outbox"], now=MEETUP + timedelta(hours=4), at=SLOT)
        root = ws.root
    env = {**os.environ, "TERRAIN_WORKSPACE": str(root), "TERRAIN_NOW": BEFORE.isoformat()}
    worker = subprocess.Popen(
        [sys.executable, "-m", "terrain", "worker", "--platform", "outbox", "--poll", "0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.5)  # it is up, looking at the journal, with nothing due
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    assert outbox_files(root) == []
    env["TERRAIN_NOW"] = SLOT.isoformat()
    done = subprocess.run(
        [sys.executable, "-m", "terrain", "worker", "--platform", "outbox", "--drain", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["counts"] == {"confirmed": 1}
    assert len(outbox_files(root)) == 1


def test_moving_a_planned_post_sends_it_at_its_new_time_only(tmp_path: Path) -> None:
    later = SLOT + timedelta(hours=9)
    with meetup_workspace(tmp_path / "ws") as ws:
        (post,) = publish_event(
            ws, EVENT_ID, ["outbox"], now=MEETUP + timedelta(hours=4), at=SLOT
        ).posts
        moved = move_post(ws, post.id, at=later, now=BEFORE)
        assert moved.at == later
        drain(ws, SLOT)
        assert outbox_files(ws.root) == []
        drain(ws, later)
        assert len(outbox_files(ws.root)) == 1
        with pytest.raises(Conflict, match="already went out"):
            move_post(ws, post.id, at=later + timedelta(days=1), now=later + timedelta(hours=1))


def test_a_recap_cannot_be_moved_before_its_meetup_ends(tmp_path: Path) -> None:
    with meetup_workspace(tmp_path / "ws") as ws:
        (post,) = publish_event(
            ws, EVENT_ID, ["outbox"], now=MEETUP + timedelta(hours=4), at=SLOT
        ).posts
        with pytest.raises(ValidationError, match=r"ends at 2026-03-12 22:00 Europe/Paris"):
            move_post(ws, post.id, at=MEETUP + timedelta(hours=1), now=MEETUP)
        with pytest.raises(ValidationError, match="already past"):
            move_post(ws, post.id, at=SLOT, now=SLOT + timedelta(minutes=1))
        assert queue_of(ws)[0].at == SLOT  # nothing changed


def test_a_cancelled_post_is_not_sent_and_publishing_again_plans_it_back(tmp_path: Path) -> None:
    with meetup_workspace(tmp_path / "ws") as ws:
        (post,) = publish_event(
            ws, EVENT_ID, ["outbox"], now=MEETUP + timedelta(hours=4), at=SLOT
        ).posts
        cancelled = cancel_post(ws, post.id, now=BEFORE)
        assert cancelled.state is RowState.HELD
        drain(ws, SLOT)
        assert outbox_files(ws.root) == []
        assert "cancelled by the community manager" in journal_of(ws).rows()[0].reasons[0]
        assert queue_of(ws) == []
        publish_event(ws, EVENT_ID, ["outbox"], now=SLOT, at=SLOT + timedelta(hours=1))
        assert [q.post_id for q in queue_of(ws)] == [post.id]


def test_posting_slots_give_each_post_the_next_free_slot(tmp_path: Path) -> None:
    with meetup_workspace(tmp_path / "ws") as ws:
        toml = ws.root / "terrain.toml"
        toml.write_text(
            toml.read_text(encoding="utf-8")
            + '\n[platforms.outbox]\nslots = ["weekdays 09:00 18:00"]\n',
            encoding="utf-8",
        )
    with Workspace.open(tmp_path / "ws") as ws:
        # Thursday 23:00: the next slots are Friday 09:00, then Friday 18:00
        first = publish_event(
            ws, EVENT_ID, ["outbox"], now=MEETUP + timedelta(hours=4), next_slot=True
        )
        assert list(first.scheduled.values()) == [SLOT]
        thanks = publish_event(
            ws,
            EVENT_ID,
            ["outbox"],
            now=MEETUP + timedelta(hours=4),
            next_slot=True,
            kind="partner-thanks",
        )
        assert list(thanks.scheduled.values()) == [SLOT.replace(hour=18)]
        assert [q.kind for q in queue_of(ws)] == ["recap", "partner-thanks"]


def test_a_time_already_past_is_refused_and_nothing_is_planned(tmp_path: Path) -> None:
    with meetup_workspace(tmp_path / "ws") as ws:
        with pytest.raises(ValidationError, match="already past"):
            publish_event(ws, EVENT_ID, ["outbox"], now=SLOT, at=SLOT - timedelta(hours=1))
        assert journal_of(ws).rows() == []
