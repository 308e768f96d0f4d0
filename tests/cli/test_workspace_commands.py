"""`terrain init`, `member` and `event`: the workspace from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from terrain import Event, Member
from terrain.store import Workspace

from .conftest import Run, as_json, snapshot


def test_init_creates_a_workspace_that_opens(workspace: Path) -> None:
    with Workspace.open(workspace) as ws:
        assert ws.community.name == "Vélo Lyon"
        assert ws.community.timezone == "Europe/Paris"


def test_init_twice_is_refused_with_exit_2_and_nothing_changed(workspace: Path, run: Run) -> None:
    before = snapshot(workspace)
    result = run("init", str(workspace), "--community-id", "other", "--name", "Other")
    assert result.exit_code == 2
    assert "already holds a terrain workspace" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(workspace) == before


def test_init_with_a_bad_time_zone_says_so_and_creates_nothing(tmp_path: Path, run: Run) -> None:
    result = run(
        "init", str(tmp_path / "w"), "--community-id", "velo", "--name", "V", "--timezone", "Lyon"
    )
    assert result.exit_code == 2
    assert "Community.timezone" in result.stderr
    assert not (tmp_path / "w").exists()


def test_member_add_and_list(workspace: Path, run: Run) -> None:
    result = run(
        "member", "add", "lea", "--name", "Léa Martin", "--handle", "x=@lea_m", workspace=workspace
    )
    assert result.exit_code == 0, result.output
    assert "Added Léa Martin (lea)" in result.stdout
    listed = as_json(run("member", "list", "--json", workspace=workspace))
    assert listed == [
        {
            "id": "lea",
            "display_name": "Léa Martin",
            "handles": {"x": "lea_m"},
            "is_minor": False,
            "guardian_ids": [],
            "joined_on": None,
            "tags": [],
            "email": None,
            "phone": "",
            "erased_at": None,
        }
    ]


def test_a_minor_needs_a_known_guardian(workspace: Path, run: Run) -> None:
    before = snapshot(workspace)
    result = run("member", "add", "tom", "--name", "Tom", "--minor", workspace=workspace)
    assert result.exit_code == 2
    assert "name at least one guardian" in result.stderr
    result = run(
        "member",
        "add",
        "tom",
        "--name",
        "Tom",
        "--minor",
        "--guardian",
        "sophie",
        workspace=workspace,
    )
    assert result.exit_code == 2
    assert "guardian (add them first) 'sophie' does not exist" in result.stderr
    assert snapshot(workspace) == before


def test_a_duplicate_member_is_exit_2_and_keeps_the_first(workspace: Path, run: Run) -> None:
    run("member", "add", "lea", "--name", "Léa", workspace=workspace)
    before = snapshot(workspace)
    result = run("member", "add", "lea", "--name", "Other", workspace=workspace)
    assert result.exit_code == 2
    assert "'lea' already exists" in result.stderr
    assert snapshot(workspace) == before


def test_event_times_are_read_in_the_community_time_zone(workspace: Path, run: Run) -> None:
    result = run(
        "event",
        "add",
        "ev-12",
        "--title",
        "Vélo & ville #12",
        "--starts",
        "2026-03-12 19:00",
        "--ends",
        "2026-03-12 22:00",
        "--json",
        workspace=workspace,
    )
    event = as_json(result)
    assert event["starts_at"] == "2026-03-12T19:00:00+01:00[Europe/Paris]"
    with Workspace.open(workspace) as ws:
        assert ws.get(Event, "ev-12").title == "Vélo & ville #12"
    listed = run("event", "list", workspace=workspace)
    assert "ev-12" in listed.stdout
    assert "2026-03-12 19:00" in listed.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--starts", "tomorrow", "--ends", "2026-03-12 22:00"], "not a date and time"),
        (["--starts", "2026-03-12 22:00", "--ends", "2026-03-12 19:00"], "is not after"),
        (
            ["--starts", "2026-03-12 19:00", "--ends", "2026-03-12 22:00", "--venue", "nowhere"],
            "venue 'nowhere' does not exist",
        ),
    ],
)
def test_bad_event_input_is_exit_2_with_a_message_and_nothing_changed(
    workspace: Path, run: Run, args: list[str], message: str
) -> None:
    before = snapshot(workspace)
    result = run("event", "add", "ev-1", "--title", "T", *args, workspace=workspace)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(workspace) == before


def test_commands_find_the_workspace_from_a_subfolder(
    workspace: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    photos = workspace / "photos" / "2026-03"
    photos.mkdir(parents=True)
    monkeypatch.chdir(photos)
    assert run("member", "add", "lea", "--name", "Léa").exit_code == 0
    with Workspace.open(workspace) as ws:
        assert [m.id for m in ws.list(Member)] == ["lea"]


def test_commands_use_terrain_workspace_from_the_environment(
    workspace: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("member", "list", "--json", env={"TERRAIN_WORKSPACE": str(workspace)})
    assert as_json(result) == []


def test_outside_any_workspace_the_message_says_what_to_do(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("member", "list")
    assert result.exit_code == 2
    assert "terrain init" in result.stderr


def test_a_malformed_terrain_toml_names_the_line(workspace: Path, run: Run) -> None:
    toml = workspace / "terrain.toml"
    toml.write_text(toml.read_text() + "\n[platforms.x\n", encoding="utf-8")
    before = snapshot(workspace)
    result = run("member", "list", workspace=workspace)
    assert result.exit_code == 2
    assert "not valid TOML" in result.stderr
    assert "line" in result.stderr
    assert snapshot(workspace) == before
