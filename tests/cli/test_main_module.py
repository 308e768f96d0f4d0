"""``python -m terrain`` is the ``terrain`` command, for when the script is not on PATH."""

from __future__ import annotations

import subprocess
import sys

import terrain


def python_m_terrain(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "terrain", *args], capture_output=True, text=True, timeout=60
    )


def test_python_m_terrain_prints_terrains_version() -> None:
    out = python_m_terrain("--version")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"terrain, version {terrain.__version__}"


def test_python_m_terrain_calls_itself_terrain_in_its_help() -> None:
    out = python_m_terrain("--help")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Usage: terrain [OPTIONS] COMMAND [ARGS]...")


def test_python_m_terrain_exits_with_the_commands_codes() -> None:
    out = python_m_terrain("no-such-verb")
    assert out.returncode == 2
    assert "No such command 'no-such-verb'" in out.stderr
