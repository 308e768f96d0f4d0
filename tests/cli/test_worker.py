"""``terrain publish --enqueue`` plans, ``terrain worker`` sends; SIGTERM stops a worker
cleanly: the call in flight is finished and recorded, the rest goes back to the journal."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from terrain.cli import main
from terrain.publishing import RowState
from terrain.testing.http import FakePlatformServer
from tests.reliability.test_workers import make_workspace, start_worker

WITH_HTTP = {"TERRAIN_PLUGINS": "terrain.testing.http"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "demo"
    result = CliRunner().invoke(main, ["demo", "--workspace", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def terrain(workspace: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--workspace", str(workspace)], env=WITH_HTTP)
    return result.exit_code, result.output


def test_enqueue_plans_without_sending_and_a_worker_sends_with_consent_at_the_call(
    demo: Path,
) -> None:
    with FakePlatformServer() as server:
        with (demo / "terrain.toml").open("a") as toml:
            toml.write(f'\n[platforms.fake-http]\nbase_url = "{server.url}"\n')
        code, output = terrain(
            demo, "publish", "ev-2026-03", "--to", "fake-http", "--enqueue", "--json"
        )
        assert code == 0, output
        planned = json.loads(output)["outcomes"]
        assert {o["state"] for o in planned} == {"planned"}
        assert server.calls == []  # nothing sent: workers send

        code, output = terrain(demo, "worker", "--platform", "fake-http", "--drain", "--json")
        assert code == 0, output
        report = json.loads(output)
        assert report["stopped"] is False
        # the recap is one album; the demo's refusals (Samir, the minor, Léa since April)
        # leave their photos out at the call, and the album goes with the one left
        assert report["counts"] == {"confirmed": 1}
        assert len(server.posts) == 1
        assert set(server.created().values()) == {1}

        code, output = terrain(demo, "worker", "--platform", "fake-http", "--drain")
        assert code == 0, output
        assert "nothing left to do: no post" in output  # a second worker finds nothing


def test_enqueue_and_dry_run_together_are_refused(demo: Path) -> None:
    code, output = terrain(
        demo, "publish", "ev-2026-03", "--to", "outbox", "--enqueue", "--dry-run"
    )
    assert code == 2
    assert "exclude each other" in output


def test_sigterm_finishes_the_call_in_flight_releases_the_rest_and_exits_0(
    tmp_path: Path,
) -> None:
    with FakePlatformServer(latency=0.3) as server:
        journal = make_workspace(tmp_path / "ville", server, 40, concurrency=2)
        worker = start_worker(tmp_path / "ville", "--concurrency", "2")
        started = time.monotonic()
        while not server.calls:
            assert time.monotonic() - started < 30, "the worker never called"
            time.sleep(0.01)
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
        assert worker.returncode == 0, err
        report = json.loads(out)
        assert report["stopped"] is True
        rows = journal.rows()
        states = {r.state for r in rows}
        assert states <= {RowState.CONFIRMED, RowState.PLANNED}, "a row was left claimed"
        confirmed = [r for r in rows if r.state is RowState.CONFIRMED]
        assert len(confirmed) == report["counts"]["confirmed"] >= 1
        assert {p.post_id for p in server.posts} == {r.post_id for r in confirmed}
        assert len(confirmed) < 40
        journal.close()


def test_replan_plans_again_what_an_outage_held_and_leaves_real_refusals_held(
    tmp_path: Path,
) -> None:
    """Rows that earlier versions held when the store failed during their consent check."""
    from datetime import UTC, datetime, timedelta

    with FakePlatformServer() as server:
        root = tmp_path / "ville"
        journal = make_workspace(root, server, 3)
        now = datetime.now(UTC)
        blip = "consent could not be checked: StorageError: the store failed: server closed"
        refusal = "Léa Martin has not consented to 'publish' on 'fake-http'"
        for reason in (blip, refusal):
            row = journal.claim_ready("fake-http", "old:1:run", now=now, lease=timedelta(minutes=5))
            assert row is not None
            journal.mark_held(row, "old:1:run", [reason], now=now)
        code, output = terrain(root, "replan", "--json")
        assert code == 0, output
        replanned = json.loads(output)["replanned"]
        assert [(r["post_id"], r["state"]) for r in replanned] == [("w-0000", "planned")]
        code, output = terrain(root, "replan")
        assert code == 0, output
        assert "nothing to plan again" in output

        code, output = terrain(root, "worker", "--platform", "fake-http", "--drain", "--json")
        assert code == 0, output
        assert sorted(server.created()) == ["w-0000", "w-0002"]
        held = journal.get("w-0001", "fake-http")
        assert held is not None
        assert held.state is RowState.HELD
        assert held.reasons == (refusal,)
        journal.close()


def test_a_worker_that_cannot_start_still_prints_its_json_report(demo: Path) -> None:
    code, output = terrain(demo, "worker", "--platform", "mastodn", "--drain", "--json")
    assert code == 2
    report = json.loads(output[: output.rindex("}") + 1])
    assert report["exit_code"] == 2
    assert report["owner"] is None
    assert "mastodn" in report["error"]
    assert report["unreachable"] is None
