"""Fixtures for the command line tests: a runner and a fresh workspace folder."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from terrain.cli import main

Run = Callable[..., Result]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Run:
    """``run("member", "list", workspace=dir)``: invoke terrain, stdout and stderr apart."""
    monkeypatch.delenv("TERRAIN_WORKSPACE", raising=False)
    runner = CliRunner()

    def invoke(
        *args: str, workspace: Path | None = None, env: dict[str, str] | None = None
    ) -> Result:
        full = list(args)
        if workspace is not None:
            full += ["--workspace", str(workspace)]
        return runner.invoke(main, full, env=env, catch_exceptions=False)

    return invoke


@pytest.fixture
def workspace(tmp_path: Path, run: Run) -> Path:
    root = tmp_path / "velo"
    result = run(
        "init",
        str(root),
        "--community-id",
        "velo-lyon",
        "--name",
        "Vélo Lyon",
        "--timezone",
        "Europe/Paris",
    )
    assert result.exit_code == 0, result.output
    return root


def ok(run: Run, workspace: Path, *args: str) -> str:
    """Run a command that must succeed in ``workspace``; its standard output."""
    result = run(*args, workspace=workspace)
    assert result.exit_code == 0, result.output
    return result.stdout


def snapshot(root: Path) -> dict[str, str]:
    """The SHA-256 of every file under ``root``: equal snapshots = nothing changed."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
