"""The community manager's day on the command line: preview, schedule, edit, stats, report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Run, as_json, ok, snapshot
from tests.workflows._meetup import EVENT_ID, meetup_workspace

NOW = "2026-03-12T23:00:00+01:00"  # the evening of the meetup


@pytest.fixture
def velo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TERRAIN_NOW", NOW)
    root = tmp_path / "velo"
    meetup_workspace(root).close()
    return root


def test_the_dry_run_shows_the_album_as_it_would_go_and_what_was_left_out(
    run: Run, velo: Path
) -> None:
    out = ok(run, velo, "publish", EVENT_ID, "--to", "outbox", "--dry-run")
    assert "What would go out on outbox (post-" in out
    assert "  | Vélo & ville #12\u00a0: merci à toutes et à tous\u202f!" in out
    assert "photo 1: c-talk — Photo of the meetup: Léa présente le plan vélo" in out
    assert "left out: c-bar: Samir Haddad: refused on" in out
    data = as_json(run("publish", EVENT_ID, "--to", "outbox", "--dry-run", "--json",
                       workspace=velo))
    (preview,) = data["previews"]
    assert preview["platform"] == "outbox"
    assert preview["text"].startswith("Vélo & ville #12")
    assert [m["content_id"] for m in preview["media"]] == ["c-talk"]
    assert {d["content_id"] for d in preview["dropped"]} == {"c-bar", "c-kids"}


def test_a_recap_before_the_end_of_the_meetup_is_bad_input(
    run: Run, velo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERRAIN_NOW", "2026-03-12T20:00:00+01:00")
    before = snapshot(velo)
    result = run("publish", EVENT_ID, "--to", "outbox", workspace=velo)
    assert result.exit_code == 2
    assert "ends at 2026-03-12 22:00 Europe/Paris" in result.stderr
    assert snapshot(velo) == before


def test_plan_list_move_and_cancel_a_post(run: Run, velo: Path) -> None:
    out = ok(run, velo, "publish", EVENT_ID, "--to", "outbox", "--at", "2026-03-13 09:00")
    assert "Planned for 2026-03-13 09:00: `terrain worker` sends each post at its time" in out
    listed = ok(run, velo, "queue")
    assert "1 post(s) waiting, in the order they go:" in listed
    assert "2026-03-13 09:00" in listed
    (queued,) = as_json(run("queue", "--json", workspace=velo))
    assert queued["kind"] == "recap"
    assert queued["at"].startswith("2026-03-13T09:00:00+01:00")
    post_id = queued["post_id"]
    moved = ok(run, velo, "queue", "move", post_id, "--at", "2026-03-13 18:00")
    assert f"Moved: {post_id} goes to outbox at 2026-03-13 18:00." in moved
    refused = run("queue", "move", post_id, "--at", "2026-03-12 20:00", workspace=velo)
    assert refused.exit_code == 2
    assert "already past" in refused.stderr
    gone = run("queue", "move", "post-nope", "--at", "2026-03-14 09:00", workspace=velo)
    assert gone.exit_code == 2
    assert "`terrain queue` lists the posts waiting to go" in gone.stderr
    ok(run, velo, "queue", "cancel", post_id)
    assert "Nothing is waiting to go." in ok(run, velo, "queue")


def test_an_edit_over_the_limit_is_refused_with_how_many_characters_to_cut(
    run: Run, velo: Path
) -> None:
    toml = velo / "terrain.toml"
    toml.write_text(toml.read_text("utf-8") + '\n[platforms.outbox]\nas = "x"\n', "utf-8")
    ok(run, velo, "publish", EVENT_ID, "--to", "outbox", "--at", "2026-03-13 09:00")
    (queued,) = as_json(run("queue", "--json", workspace=velo))
    words = velo / "words.txt"
    words.write_text("🚲" * 150, encoding="utf-8")  # X counts each 2: 300
    before = snapshot(velo)
    result = run("post", "edit", queued["post_id"], "--text-file", str(words), workspace=velo)
    assert result.exit_code == 2
    assert "cut" in result.stderr
    assert "Nothing was changed" in result.stderr
    assert {k: v for k, v in snapshot(velo).items() if "terrain.db" not in k} == {
        k: v for k, v in before.items() if "terrain.db" not in k
    }
    mine = "Merci, à jeudi !\n---\nLa suite."
    out = ok(run, velo, "post", "edit", queued["post_id"], "--text", mine)
    assert "  | Merci, à jeudi !" in out
    assert "thread 2/2:" in out
    edited = as_json(run("queue", "--json", workspace=velo))[0]
    assert edited["edited"] is True
    assert edited["text"] == "Merci, à jeudi !"


def test_stats_say_which_platform_gives_no_metrics_and_the_report_is_written(
    run: Run, velo: Path, tmp_path: Path
) -> None:
    out = ok(run, velo, "stats")
    assert "Nothing was published yet" in out
    page = tmp_path / "season.html"
    data = as_json(run("report", "season", "--output", str(page), "--json", workspace=velo))
    assert data["path"] == str(page)
    assert data["report"]["start"] == "2025-09-01"
    html = page.read_text(encoding="utf-8")
    assert "<svg" in html
    assert "Vélo &amp; ville #12" in html
    json.dumps(data)
