"""terrain.toml's publishing tables: [web] base_url, [templates], and posting slots."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from terrain import Community
from terrain.errors import ConfigError, ValidationError
from terrain.posts import Metrics
from terrain.store import Workspace
from terrain.workflows import posting_slots


def workspace(tmp_path: Path, extra: str) -> Path:
    root = tmp_path / "ws"
    Workspace.init(root, community=Community(id="c", name="C", timezone="Europe/Paris")).close()
    toml = root / "terrain.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return root


def test_web_base_url_is_read_and_its_trailing_slash_dropped(tmp_path: Path) -> None:
    root = workspace(tmp_path, '\n[web]\nbase_url = "https://velo-lyon.example/"\n')
    with Workspace.open(root) as ws:
        assert ws.config.web.public_url == "https://velo-lyon.example"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('\n[web]\nbase_url = "velo-lyon.example"\n', r"must be an http\(s\) address"),
        ('\n[web]\nurl = "https://x.example"\n', r"\[web\] url: unknown key; \[web\] takes"),
        ('\n[templates]\nnewsletter = "Hello"\n', "unknown kind of post"),
        ('\n[templates]\nrecap = 3\n', "must be the text of the post"),
        ('\n[templates]\nrecap = """\nMerci\n$titre"""\n', r"line \d+: unknown placeholder"),
    ],
)
def test_a_wrong_publishing_setting_names_the_file_the_line_and_what_to_write(
    tmp_path: Path, extra: str, message: str
) -> None:
    root = workspace(tmp_path, extra)
    with pytest.raises(ConfigError, match=message) as refused:
        Workspace.open(root).close()
    assert str(root / "terrain.toml") in str(refused.value)


def test_posting_slots_are_read_from_the_platforms_table(tmp_path: Path) -> None:
    root = workspace(tmp_path, '\n[platforms.outbox]\nslots = ["weekdays 09:00"]\n')
    with Workspace.open(root) as ws:
        slots = posting_slots(ws, "outbox")
        assert slots is not None
        assert len(slots.slots) == 5
        assert posting_slots(ws, "x") is None
        ws.platform("outbox")  # the runner's key never reaches the platform's factory
    bad = workspace(tmp_path / "bad", '\n[platforms.outbox]\nslots = ["weekdays nine"]\n')
    with Workspace.open(bad) as ws, pytest.raises(ValidationError, match=r"\[platforms.outbox\]"):
        posting_slots(ws, "outbox")


def test_metrics_hold_only_known_names_and_whole_numbers() -> None:
    at = datetime(2026, 3, 13, tzinfo=UTC)
    with pytest.raises(ValidationError, match="'hearts' is not a metric"):
        Metrics("x", "post-1", "1901", at, {"hearts": 3})
    with pytest.raises(ValidationError, match="a count is a whole number"):
        Metrics("x", "post-1", "1901", at, {"likes": -1})
    with pytest.raises(ValidationError, match="a post that is gone has no counts"):
        Metrics("x", "post-1", "1901", at, {"likes": 1}, gone=True)
    seen = Metrics("x", "post-1", "1901", at, {"likes": 3, "replies": 1, "views": 80})
    assert (seen.interactions, seen.reached, seen.engagement_rate) == (4, 80, 0.05)
