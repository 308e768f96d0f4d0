"""docs/reference/cli.rst is generated from click: it shows every verb, even new ones."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from terrain.cli import main

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "reference" / "cli.rst"


def _command_paths(command: click.Command, path: str) -> Iterator[str]:
    yield path
    if isinstance(command, click.Group):
        # list_commands/get_command, not .commands: the top group loads its verbs lazily
        ctx = click.Context(command)
        for name in sorted(command.list_commands(ctx)):
            sub = command.get_command(ctx, name)
            assert sub is not None, f"{path} {name} is listed but cannot be loaded"
            yield from _command_paths(sub, f"{path} {name}")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The page built on its own with sphinx-click, as plain text."""
    src = tmp_path_factory.mktemp("cli-src")
    out = tmp_path_factory.mktemp("cli-out")
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'src')!r})\nextensions = ['sphinx_click']\n",
        encoding="utf-8",
    )
    (src / "index.rst").write_text(PAGE.read_text(encoding="utf-8"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "text", "-q", str(src), str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return (out / "index.txt").read_text(encoding="utf-8")


def test_the_page_is_generated_from_the_click_group() -> None:
    page = PAGE.read_text(encoding="utf-8")
    assert ".. click:: terrain.cli:main" in page
    assert ":nested: full" in page, "without :nested: full, sub-commands are not documented"


@pytest.mark.parametrize("path", list(_command_paths(main, "terrain")))
def test_every_command_has_its_usage_in_the_cli_reference(rendered: str, path: str) -> None:
    assert f"{path} [OPTIONS]" in rendered, f"`{path}` is missing from the CLI reference"


def test_options_and_their_help_are_in_the_cli_reference(rendered: str) -> None:
    assert "--dry-run" in rendered
    assert "Show what would go out and what would be held." in rendered
