"""A platform that does not answer: the command says it is waiting, at each retry,
instead of printing nothing for minutes. (The fake platform on 127.0.0.1 answers 503
a few times, as a platform that is down does; with no network at all the calls
fail within the connect timeout, see tests/terrain_adapters/test_timeouts.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from terrain.cli import main
from terrain.testing.http import FakePlatformServer, Fault

WITH_HTTP = {"TERRAIN_PLUGINS": "terrain.testing.http"}


@pytest.fixture
def server() -> Iterator[FakePlatformServer]:
    with FakePlatformServer(faults=[Fault.server_error(503)] * 4) as running:
        yield running


@pytest.fixture
def demo(tmp_path: Path, server: FakePlatformServer) -> Path:
    folder = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--workspace", str(folder)])
    assert result.exit_code == 0, result.output
    with (folder / "terrain.toml").open("a") as toml:
        toml.write(
            f'\n[platforms.fake-http]\nbase_url = "{server.url}"\n'
            "timeout = 2.0\nbackoff = 0.05\nmax_backoff = 0.1\n"
        )
    return folder


def test_each_retry_of_a_platform_that_does_not_answer_is_said_as_it_happens(
    demo: Path,
) -> None:
    result = CliRunner().invoke(
        main, ["publish", "ev-2026-03", "--to", "fake-http", "--workspace", str(demo)],
        env=WITH_HTTP,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    waiting = [line for line in result.stderr.splitlines() if line.startswith("… waiting:")]
    assert len(waiting) == 4, result.output
    assert all(
        "fake-http" in line and "503" in line and "tried again in" in line for line in waiting
    )
    assert "Published" in result.stdout


def test_nothing_is_said_about_waiting_in_a_dry_run(demo: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["publish", "ev-2026-03", "--to", "fake-http", "--dry-run", "--workspace", str(demo)],
        env=WITH_HTTP,
    )
    assert result.exit_code == 0, result.output
    assert "waiting" not in result.output
