"""``terrain publish --to NAME``: the outbox as a preview of X, runner keys, typos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Run, ok, snapshot


@pytest.fixture
def meetup(workspace: Path, run: Run) -> Path:
    ok(run, workspace, "event", "add", "ev", "--title", "Apéro", "--starts", "2026-03-05 19:00",
       "--ends", "2026-03-05 22:00", "--networking-minutes", "100")  # fmt: skip
    return workspace


def configure(workspace: Path, table: str) -> None:
    config = workspace / "terrain.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n" + table, encoding="utf-8")


def test_an_outbox_pretending_to_be_x_publishes_from_the_command_line(
    meetup: Path, run: Run
) -> None:
    """Its posts stayed "planned" for ever, and the command exited 0."""
    configure(meetup, '[platforms.outbox]\nas = "x"\nrate = 5.0\ndaily_budget = 10\n')
    out = ok(run, meetup, "publish", "ev", "--to", "outbox")
    assert "Published (1):" in out
    assert "Planned" not in out
    (posted,) = (meetup / "outbox" / "x").glob("*.json")
    assert json.loads(posted.read_text(encoding="utf-8"))["platform"] == "outbox"
    again = ok(run, meetup, "publish", "ev", "--to", "outbox")
    assert "Published (1):" in again
    assert len(list((meetup / "outbox" / "x").glob("*.json"))) == 1


def test_the_documented_x_preview_is_what_to_publish_to(meetup: Path, run: Run) -> None:
    """``name = "x-preview"`` (the configuration reference) was refused as unknown."""
    configure(meetup, '[platforms.outbox]\nas = "x"\nname = "x-preview"\n')
    out = ok(run, meetup, "publish", "ev", "--to", "x-preview")
    assert "x-preview  event summary" in out
    assert len(list((meetup / "outbox" / "x-preview").glob("*.json"))) == 1
    before = snapshot(meetup)
    result = run("publish", "ev", "--to", "outbox", workspace=meetup)
    assert result.exit_code == 2
    assert "publish to it as 'x-preview'" in result.stderr
    assert snapshot(meetup) == before


def test_a_misspelt_platform_is_unknown_and_the_closest_is_suggested(
    meetup: Path, run: Run
) -> None:
    """``--to mastodn`` blamed a [platforms.mastodn] table that does not exist."""
    before = snapshot(meetup)
    result = run("publish", "ev", "--to", "outbx", workspace=meetup)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: unknown platform 'outbx': known platforms are ")
    assert "did you mean 'outbox'?" in result.stderr
    assert "[platforms.outbx]" not in result.stderr
    result = run("publish", "ev", "--to", "mastodn", "--dry-run", workspace=meetup)
    assert result.exit_code == 2
    assert "[platforms.mastodn]" not in result.stderr
    assert snapshot(meetup) == before
