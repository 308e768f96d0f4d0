"""The wheel users get: built from this checkout, installed with its dependencies in a
fresh virtual environment, then used as a newcomer would (``terrain --help``,
``terrain demo``) and type-checked as an application developer would (``mypy --strict``
against the installed package: its ``py.typed`` must work)."""

from __future__ import annotations

import email.parser
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import terrain

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent

#: An application developer's script: typed against terrain, as mypy --strict sees it.
USER_SCRIPT = """\
from datetime import datetime
from zoneinfo import ZoneInfo

from terrain import Event, Talk
from terrain.serialization import from_json, to_json


def summary(event: Event) -> str:
    return f"{event.title}: {len(event.talks)} talk(s)"


paris = ZoneInfo("Europe/Paris")
meetup = Event(
    id="ev-2026-03",
    title="Vélo & ville #12",
    starts_at=datetime(2026, 3, 12, 19, 0, tzinfo=paris),
    ends_at=datetime(2026, 3, 12, 22, 0, tzinfo=paris),
    talks=[Talk(title="Les pistes du 7e", speaker="Ana", minutes=25, qa_minutes=10)],
    networking_minutes=120,
)
again: Event = from_json(to_json(meetup), Event)
print(summary(again))
"""
#: The same developer's mistake, which terrain's annotations must let mypy catch.
USER_MISTAKE = """\
from terrain import Event

def title_of(event: Event) -> int:
    return event.title
"""


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A child process with no TERRAIN_* variable of this test session."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TERRAIN_", "PYTHON"))}
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """terrain's wheel, built from this checkout (hatchling from the dev environment)."""
    out = tmp_path_factory.mktemp("dist")
    pip: list[str | Path] = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    built = run(*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", out, ROOT, cwd=out)
    assert built.returncode == 0, built.stderr
    (found,) = out.glob("*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh virtual environment holding the wheel and its dependencies; its bin/."""
    home = tmp_path_factory.mktemp("fresh")
    made = run(sys.executable, "-m", "venv", "--without-pip", home / "venv", cwd=home)
    assert made.returncode == 0, made.stderr
    python = home / "venv" / "bin" / "python"
    pip: list[str | Path] = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    pip += ["--python", python]
    done = run(*pip, "install", "-q", wheel, cwd=home)
    assert done.returncode == 0, done.stderr
    yield python.parent
    shutil.rmtree(home, ignore_errors=True)


def test_the_wheel_is_terrain_field_with_only_the_two_packages_and_the_licence(
    wheel: Path,
) -> None:
    assert wheel.name == f"terrain_field-{terrain.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        dist_info = f"terrain_field-{terrain.__version__}.dist-info"
        metadata = email.parser.Parser().parsestr(
            archive.read(f"{dist_info}/METADATA").decode("utf-8")
        )
        entry_points = archive.read(f"{dist_info}/entry_points.txt").decode("utf-8")
    tops = {name.split("/")[0] for name in names}
    assert tops == {"terrain", "terrain_adapters", dist_info}
    junk = [
        n
        for n in names
        if "__pycache__" in n
        or n.endswith((".pyc", ".db", ".orig", ".rej"))
        or "/tests/" in n
        or "/docs/" in n
    ]
    assert junk == []
    assert {"terrain/py.typed", "terrain_adapters/py.typed", "terrain/__main__.py"} <= set(names)
    assert f"{dist_info}/licenses/LICENSE" in names
    assert metadata["Name"] == "terrain-field"
    assert metadata["License-Expression"] == "MIT"
    assert "pytest11" not in entry_points
    assert "terrain = terrain.__main__:run" in entry_points


def test_the_installed_wheel_runs_help_and_the_demo(installed: Path, tmp_path: Path) -> None:
    where = run(installed / "python", "-c", "import terrain; print(terrain.__file__)", cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(installed.parent)  # not this checkout
    help_ = run(installed / "terrain", "--help", cwd=tmp_path)
    assert help_.returncode == 0, help_.stderr
    assert help_.stdout.startswith("Usage: terrain [OPTIONS] COMMAND [ARGS]...")
    module = run(installed / "python", "-m", "terrain", "--version", cwd=tmp_path)
    assert module.stdout.strip() == f"terrain, version {terrain.__version__}"
    demo = run(installed / "terrain", "demo", "--workspace", "demo", cwd=tmp_path)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "Published (2)" in demo.stdout  # one album per platform
    assert sorted(p.name for p in (tmp_path / "demo" / "outbox").iterdir()) == [
        "facebook",
        "x",
    ]


def test_a_users_script_type_checks_strictly_against_the_installed_package(
    installed: Path, tmp_path: Path
) -> None:
    (tmp_path / "recap.py").write_text(USER_SCRIPT, encoding="utf-8")
    (tmp_path / "mistake.py").write_text(USER_MISTAKE, encoding="utf-8")
    mypy: list[str | Path] = [BIN / "mypy", "--strict", "--python-executable", installed / "python"]
    mypy += ["--cache-dir", tmp_path / ".mypy_cache", "--no-error-summary"]
    checked = run(*mypy, "recap.py", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    caught = run(*mypy, "mistake.py", cwd=tmp_path)
    assert caught.returncode == 1, caught.stdout + caught.stderr
    assert 'Incompatible return value type (got "str", expected "int")' in caught.stdout
    ran = run(installed / "python", "recap.py", cwd=tmp_path)
    assert ran.stdout == "Vélo & ville #12: 1 talk(s)\n", ran.stderr
