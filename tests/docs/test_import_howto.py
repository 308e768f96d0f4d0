"""The shell examples of docs/howto/bring-your-members-in.rst run, on the sample exports
of tests/workflows/samples, and print what the page shows."""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from terrain.cli import main
from tests.clocks import clocks

PAGE = Path(__file__).parents[2] / "docs" / "howto" / "bring-your-members-in.rst"
SAMPLES = Path(__file__).parents[1] / "workflows" / "samples"
_BLOCK = re.compile(r"^\.\. code-block:: console\n\n((?:   .*\n|\n)+)", re.MULTILINE)


def examples() -> list[tuple[str, list[str]]]:
    """``(command, expected output lines)`` for every ``$`` line of the page."""
    found: list[tuple[str, list[str]]] = []
    for block in _BLOCK.findall(PAGE.read_text(encoding="utf-8")):
        for line in block.rstrip("\n").split("\n"):
            line = line[3:]
            if line.startswith("$ "):
                found.append((line[2:], []))
            else:
                found[-1][1].append(line.rstrip())
    return found


def test_the_page_has_examples_of_every_import_verb() -> None:
    commands = " ".join(c for c, _ in examples())
    for verb in ("member import", "rsvp import", "checkin import", "--dry-run"):
        assert verb in commands


@pytest.mark.parametrize("now", list(clocks().values()), ids=list(clocks()))
def test_every_shell_example_prints_what_the_page_shows(tmp_path: Path, now: str) -> None:
    for sample in SAMPLES.iterdir():
        shutil.copy(sample, tmp_path / sample.name)
    runner = CliRunner()
    workspace = tmp_path / "velo"
    init = ["init", str(workspace), "--community-id", "velo-lyon", "--name", "Vélo Lyon",
            "--timezone", "Europe/Paris"]
    assert runner.invoke(main, init, env={"TERRAIN_NOW": now}).exit_code == 0
    env = {"TERRAIN_WORKSPACE": str(workspace), "TERRAIN_NOW": now, "TERRAIN_LOAD_PLUGINS": ""}
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        for command, expected in examples():
            args = shlex.split(command)
            result = runner.invoke(main, args[1:], env=env, catch_exceptions=False)
            actual = [line.rstrip() for line in result.stdout.rstrip("\n").split("\n")]
            assert result.exit_code == 0, (command, result.output)
            assert actual == expected, f"$ {command}"
    finally:
        os.chdir(old)
