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
    states = sorted(o["state"] for o in data["outcomes"])
    # the dry run is today: Léa withdrew in April, so her photo is held back too
    assert states == ["held", "held", "held", "planned", "planned"]
    held = " ".join(o["message"] for o in data["outcomes"] if o["state"] == "held")
    assert "Samir Haddad" in held
    assert "guardian consent missing" in held
    assert "Léa Martin" in held


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
    assert "DENIED" in output
    assert "Samir Haddad: refused" in output
    assert "relied on consent" in output


def test_log_of_an_unknown_post_exits_2(workspace: Path) -> None:
    code, output = terrain(workspace, "log", "--post", "post-nope")
    assert code == 2
    assert "post-nope" in output


def test_takedown_of_someone_never_published_says_so(workspace: Path) -> None:
    code, output = terrain(workspace, "takedown", "--subject", "paul")
    assert code == 0, output
    assert "nothing to take down" in output
