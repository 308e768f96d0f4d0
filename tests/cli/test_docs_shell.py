"""The shell examples of the field pages (``docs/field/*.rst``) run, and print what they show.

Each ``.. code-block:: console`` block holds ``$ terrain ...`` lines, each
followed by the output it prints (stdout and stderr). The blocks of a page
run in order, in a fresh workspace (as after ``terrain init``), from a folder
holding the photos the page imports.
"""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from terrain.cli import main
from tests.clocks import CLOCKS, clocks

DOCS = Path(__file__).parents[2] / "docs" / "field"
PAGES = ["meetups", "partnerships", "projects", "workshops", "community"]
#: How the pages show the workspace folder (the tests run in a temporary one).
SHOWN_WORKSPACE = "/home/camille/velo"
#: The clocks the pages run under (tests/clocks.py): a day clocks go back in Paris, a
#: day they go forward, a leap day; or the one CI sets with TERRAIN_NOW.
RUN_CLOCKS = clocks()
_BLOCK = re.compile(r"^\.\. code-block:: console\n\n((?:   .*\n|\n)+)", re.MULTILINE)


def examples(page: str) -> list[tuple[str, list[str]]]:
    """``(command, expected output lines)`` for every ``$`` line of ``page``."""
    text = (DOCS / f"{page}.rst").read_text(encoding="utf-8")
    found: list[tuple[str, list[str]]] = []
    for block in _BLOCK.findall(text):
        for line in block.rstrip("\n").split("\n"):
            line = line[3:]
            if line.startswith("$ "):
                found.append((line[2:], []))
            else:
                assert found, f"{page}.rst: output before any command: {line!r}"
                found[-1][1].append(line)
    return found


def _photo(path: Path, color: str) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())


def run_page(
    page: str, folder: Path, now: str = CLOCKS["fall-back-day"]
) -> list[tuple[str, list[str], list[str], int]]:
    """Run ``page``'s examples in ``folder`` with the clock set to ``now``:
    (command, expected, actual, exit code)."""
    for name, color in (("avant.jpg", "grey"), ("mars.jpg", "brown"), ("avril.jpg", "green")):
        _photo(folder / name, color)
    runner = CliRunner()
    workspace = folder / "velo"
    init = [
        "init",
        str(workspace),
        "--community-id",
        "velo-lyon",
        "--name",
        "Vélo Lyon",
        "--timezone",
        "Europe/Paris",
    ]
    assert runner.invoke(main, init, env={"TERRAIN_NOW": now}).exit_code == 0
    env = {"TERRAIN_WORKSPACE": str(workspace), "TERRAIN_LOAD_PLUGINS": "", "TERRAIN_NOW": now}
    results = []
    with _chdir(folder):
        for command, expected in examples(page):
            args = shlex.split(command)
            assert args[0] == "terrain", f"{page}.rst: {command!r} is not a terrain command"
            result = runner.invoke(main, args[1:], env=env, catch_exceptions=False)
            output = result.output.replace(str(workspace), SHOWN_WORKSPACE)
            actual = [line.rstrip() for line in output.rstrip("\n").split("\n")]
            if actual == [""]:
                actual = []
            results.append((command, [e.rstrip() for e in expected], actual, result.exit_code))
    return results


class _chdir:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.old = Path.cwd()

    def __enter__(self) -> None:
        import os

        os.chdir(self.folder)

    def __exit__(self, *exc: object) -> None:
        import os

        os.chdir(self.old)


@pytest.mark.parametrize("clock", RUN_CLOCKS)
@pytest.mark.parametrize("page", PAGES)
def test_every_shell_example_prints_what_the_page_shows(
    page: str, clock: str, tmp_path: Path
) -> None:
    ran = run_page(page, tmp_path, RUN_CLOCKS[clock])
    assert ran, f"docs/field/{page}.rst has no shell example"
    for command, expected, actual, _code in ran:
        assert actual == expected, f"docs/field/{page}.rst: $ {command}"


if __name__ == "__main__":  # print the transcripts, to paste into the pages
    import sys
    import tempfile

    for name in sys.argv[1:] or PAGES:
        with tempfile.TemporaryDirectory() as tmp:
            for command, _expected, actual, code in run_page(name, Path(tmp)):
                print(f"$ {command}" + (f"    [exit {code}]" if code else ""))
                print("\n".join(actual))
