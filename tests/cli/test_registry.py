"""The verb registry: ``terrain --help`` lists every verb without importing any."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

import terrain.cli
from terrain.cli import COMMANDS, main


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_summary_is_the_verbs_own_help(name: str) -> None:
    module, summary = COMMANDS[name]
    command = importlib.import_module(module).command
    assert command.name == name
    assert summary == command.get_short_help_str(limit=1000), (
        f"update the summary of {name!r} in terrain/cli/__init__.py to its docstring's "
        "first sentence"
    )


def test_every_verb_module_is_registered() -> None:
    defined = {
        info.name
        for info in pkgutil.iter_modules(terrain.cli.__path__, "terrain.cli.")
        if isinstance(getattr(importlib.import_module(info.name), "command", None), click.Command)
    }
    assert defined == {module for module, _summary in COMMANDS.values()}


def test_help_lists_every_verb_in_registry_order() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    listed = [
        line.split()[0]
        for line in result.output.split("Commands:", 1)[1].splitlines()
        if line.startswith("  ") and not line.startswith("   ")
    ]
    assert listed == list(COMMANDS)


def test_help_imports_no_verb_module() -> None:
    code = (
        "import sys\n"
        "from terrain.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('LOADED:' + ','.join(sorted(m for m in sys.modules if m.startswith('terrain.cli._')"
        " and m != 'terrain.cli._common')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "LOADED:", out


def test_an_unknown_verb_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["meetups"])
    assert result.exit_code == 2
    assert "No such command 'meetups'" in result.output
