"""Shell completion: verbs without importing them, and the ids stored in the workspace
(members, events, contents) and platform names where a command takes them."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.shell_completion import ShellComplete
from click.testing import CliRunner

from terrain.cli import COMMANDS, main

#: Parameters that take the id of a stored member, event or content, or a platform name.
ID_PARAMETERS = {
    "member": {"member_id", "member_ids", "subject_id", "author_id", "speaker_id", "guardians",
               "added", "removed", "given_by"},
    "event": {"event_id"},
    "content": {"content_id", "content_ids", "photo", "interview_id"},
    "platform": {"platforms", "platform"},
}  # fmt: skip
#: Parameters named like those but taking a *new* id: nothing stored to complete.
NEW_IDS = {
    ("event add", "event_id"),
    ("event interview", "content_id"),
    ("member add", "member_id"),
    ("project interview", "content_id"),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("completion") / "demo"
    result = CliRunner().invoke(main, ["demo", "--workspace", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def in_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No $TERRAIN_WORKSPACE, and a current folder holding no workspace."""
    monkeypatch.delenv("TERRAIN_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def complete(*words: str, incomplete: str = "") -> list[str]:
    """What ``terrain WORDS... INCOMPLETE<Tab>`` offers."""
    completer = ShellComplete(main, {}, "terrain", "_TERRAIN_COMPLETE")
    return [item.value for item in completer.get_completions(list(words), incomplete)]


def files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(("-shm", "-wal"))
    }


def test_verbs_complete_in_the_order_of_the_help(in_folder: Path) -> None:
    assert complete() == list(COMMANDS)
    assert complete(incomplete="co") == ["community", "content", "consent"]


def test_root_options_complete(in_folder: Path) -> None:
    assert {"--verbose", "--log-level", "--version", "--help"} <= set(complete(incomplete="--"))
    assert complete("--log-level", incomplete="de") == ["debug"]


def test_member_and_event_ids_complete_where_an_rsvp_takes_them(
    demo: Path, in_folder: Path
) -> None:
    assert complete("rsvp", "--workspace", str(demo)) == ["ev-2026-03"]
    members = complete("rsvp", "--workspace", str(demo), "ev-2026-03")
    assert members == ["ana", "lea", "paul", "samir", "tom"]
    assert complete("rsvp", "--workspace", str(demo), "ev-2026-03", incomplete="sa") == ["samir"]


def test_the_workspace_is_found_as_the_command_would_find_it(
    demo: Path, in_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert complete("takedown", "--subject") == []  # no workspace here
    monkeypatch.setenv("TERRAIN_WORKSPACE", str(demo))
    assert "lea" in complete("takedown", "--subject")
    monkeypatch.delenv("TERRAIN_WORKSPACE")
    monkeypatch.chdir(demo / "outbox")  # a folder inside the workspace
    assert "lea" in complete("takedown", "--subject")


def test_content_ids_complete_for_a_photo(demo: Path, in_folder: Path) -> None:
    photos = complete("content", "people", "--workspace", str(demo), incomplete="photo-")
    assert len(photos) == 4
    assert all(p.startswith("photo-") for p in photos)


def test_platform_names_come_from_the_installed_plugins(in_folder: Path) -> None:
    offered = complete("publish", "ev-1", "--to")
    assert {"outbox", "x", "facebook", "instagram"} <= set(offered)
    assert complete("publish", "ev-1", "--to", incomplete="fa") == ["facebook"]


def test_completing_changes_nothing_in_the_workspace(demo: Path, in_folder: Path) -> None:
    before = files(demo)
    for _ in range(3):
        assert complete("checkin", "--workspace", str(demo), "ev-2026-03")
    assert files(demo) == before


def test_a_broken_workspace_completes_nothing_without_a_word(in_folder: Path) -> None:
    (in_folder / "terrain.toml").write_text("this is [not toml", encoding="utf-8")
    assert complete("rsvp") == []
    (in_folder / "terrain.toml").write_text('[community]\nid = "x"\nname = "X"\n', "utf-8")
    (in_folder / ".terrain").mkdir()
    (in_folder / ".terrain" / "terrain.db").write_bytes(b"not a database" * 100)
    assert complete("rsvp") == []


Found = tuple[str, click.Command, click.Parameter]


def _params() -> Iterator[Found]:
    """Every (command path, command, parameter) of the terrain command."""
    ctx = click.Context(main, info_name="terrain")

    def walk(path: str, command: click.Command) -> Iterator[Found]:
        for param in command.params:
            yield path, command, param
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                yield from walk(f"{path} {name}".strip(), sub)

    yield from walk("", main)


def test_every_parameter_taking_a_stored_id_or_a_platform_completes_it(
    demo: Path, in_folder: Path
) -> None:
    """A verb added later with a member, event or content id gets completion too."""
    checked = []
    for path, command, param in _params():
        kind = next((k for k, names in ID_PARAMETERS.items() if param.name in names), None)
        if kind is None or (path, param.name) in NEW_IDS:
            continue
        ctx = click.Context(command, info_name=path.split()[-1])
        ctx.params["workspace_dir"] = demo
        offered = [item.value for item in param.shell_complete(ctx, "")]
        expected = {"member": "lea", "event": "ev-2026-03", "platform": "outbox"}.get(kind)
        if kind == "content":
            assert any(v.startswith("photo-") for v in offered), f"{path} {param.name}"
        else:
            assert expected in offered, f"`terrain {path}` does not complete {param.name}"
        checked.append((path, param.name))
    assert len(checked) >= 30  # the walk found the verbs


def test_completing_a_verb_imports_no_verb_and_prints_nothing_else(tmp_path: Path) -> None:
    script = (
        "import json, sys\n"
        "from terrain.cli import main\n"
        "try:\n"
        "    main(prog_name='terrain')\n"
        "except SystemExit:\n"
        "    pass\n"
        "verbs = [m for m in sys.modules if m.startswith('terrain.cli._') "
        "and m not in ('terrain.cli._common',)]\n"
        "heavy = [m for m in ('sqlite3', 'terrain.store', 'rich', 'PIL', 'pluggy') "
        "if m in sys.modules]\n"
        "sys.stderr.write(json.dumps({'verbs': verbs, 'heavy': heavy}))\n"
    )
    env = {
        **os.environ,
        "_TERRAIN_COMPLETE": "bash_complete",
        "COMP_WORDS": "terrain ",
        "COMP_CWORD": "1",
    }
    env.pop("TERRAIN_WORKSPACE", None)
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.splitlines()[:2] == ["plain,init", "plain,demo"]
    assert json.loads(out.stderr) == {"verbs": [], "heavy": []}
