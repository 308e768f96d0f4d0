"""``terrain publish``, ``takedown`` and ``log`` on the demo workspace: output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from terrain.cli import main


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "demo"
    result = CliRunner().invoke(main, ["demo", "--workspace", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def terrain(workspace: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--workspace", str(workspace)])
    return result.exit_code, result.output


def test_dry_run_json_lists_each_post_with_what_would_happen(workspace: Path) -> None:
    code, output = terrain(
        workspace, "publish", "ev-2026-03", "--to", "outbox", "--dry-run", "--json"
    )
    assert code == 0, output
    data = json.loads(output)
    assert data["dry_run"] is True
    # one album: it would go with the one photo nobody is in
    assert [o["state"] for o in data["outcomes"]] == ["planned"]
    (preview,) = data["previews"]
    assert len(preview["media"]) == 1
    # the dry run is today: Léa withdrew in April, so her photos are left out too
    left_out = " ".join(d["reason"] for d in preview["dropped"])
    assert "Samir Haddad" in left_out
    assert "guardian consent missing" in left_out
    assert "Léa Martin" in left_out


def test_an_unknown_event_exits_2_with_a_message(workspace: Path) -> None:
    code, output = terrain(workspace, "publish", "ev-1999", "--to", "outbox")
    assert code == 2
    assert "Error:" in output
    assert "ev-1999" in output
    assert "Traceback" not in output


def test_an_unknown_platform_exits_2_naming_the_known_ones(workspace: Path) -> None:
    code, output = terrain(workspace, "publish", "ev-2026-03", "--to", "myspace")
    assert code == 2
    assert "myspace" in output
    assert "outbox" in output


def test_log_explains_why_a_post_was_held_back(workspace: Path) -> None:
    code, output = terrain(workspace, "log")
    assert code == 0, output
    assert "- photo " in output
    assert "left out of the album: Samir Haddad: refused" in output
    assert "relied on consent" in output


def test_log_of_an_unknown_post_exits_2(workspace: Path) -> None:
    code, output = terrain(workspace, "log", "--post", "post-nope")
    assert code == 2
    assert "post-nope" in output


def test_takedown_of_someone_never_published_says_so(workspace: Path) -> None:
    code, output = terrain(workspace, "takedown", "--subject", "paul")
    assert code == 0, output
    assert "nothing to take down" in output


TOKENS = (
    "TERRAIN_X_API_KEY",
    "TERRAIN_X_API_SECRET",
    "TERRAIN_X_ACCESS_TOKEN",
    "TERRAIN_X_ACCESS_TOKEN_SECRET",
    "TERRAIN_FACEBOOK_PAGE_TOKEN",
    "TERRAIN_INSTAGRAM_TOKEN",
    "TERRAIN_CREDENTIALS_FILE",
)


@pytest.fixture
def no_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in TOKENS:
        monkeypatch.delenv(variable, raising=False)


@pytest.mark.usefixtures("no_tokens")
@pytest.mark.parametrize("platform", ["x", "facebook"])
def test_a_dry_run_to_a_real_platform_needs_no_token(workspace: Path, platform: str) -> None:
    """Composing and the consent gate need the platform's capabilities, not its secrets."""
    code, output = terrain(
        workspace, "publish", "ev-2026-03", "--to", platform, "--dry-run", "--json"
    )
    assert code == 0, output
    data = json.loads(output)
    assert data["dry_run"] is True
    assert {o["platform"] for o in data["outcomes"]} == {platform}
    # the demo published the album as x and facebook (its outbox pretends to be them),
    # then took it down: the journal says so, and it is not published again
    (outcome,) = data["outcomes"]
    assert outcome["state"] == "confirmed"
    assert outcome["message"].startswith(f"taken down from {platform} on ")


@pytest.mark.usefixtures("no_tokens")
def test_a_dry_run_to_instagram_needs_no_token_and_says_what_cannot_fit(workspace: Path) -> None:
    code, output = terrain(workspace, "publish", "ev-2026-03", "--to", "instagram", "--dry-run")
    assert "TERRAIN_INSTAGRAM_TOKEN" not in output
    assert "Traceback" not in output
    assert "would be published (without 3 of its 4 photos)" in output
    assert "photo 1: buffet.jpg" in output  # the album keeps the photo nobody is in
    assert code == 0


@pytest.mark.usefixtures("no_tokens")
def test_a_dry_run_to_x_prints_what_would_go_out(workspace: Path) -> None:
    code, output = terrain(workspace, "publish", "ev-2026-03", "--to", "x", "--dry-run")
    assert code == 0, output
    assert "nothing was sent" in output
    assert "taken down from x on " in output  # never published again


@pytest.mark.usefixtures("no_tokens")
def test_a_real_publish_without_the_token_still_names_the_variable_to_set(
    workspace: Path,
) -> None:
    code, output = terrain(workspace, "publish", "ev-2026-03", "--to", "x")
    assert code == 2
    assert "TERRAIN_X_" in output
    assert "Traceback" not in output
