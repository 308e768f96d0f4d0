"""``-v``/``--log-level``: what terrain does, on stderr, without a name or a token in it."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from terrain.cli import main
from terrain.cli._logging import configure_logging
from terrain.secrets import Secret

#: The demo's people: log lines name them by id only.
NAMES = ["Léa", "Samir", "Tom", "Ana", "Paul", "Martin", "Haddad", "Costa"]
LINE = re.compile(r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: ", re.MULTILINE)


def demo(folder: Path, *options: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(
        main, [*options, "demo", "--workspace", str(folder)], env=env, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result


def levels(stderr: str) -> set[str]:
    return set(LINE.findall(stderr))


def test_without_an_option_nothing_below_warning_is_logged(tmp_path: Path) -> None:
    assert levels(demo(tmp_path / "demo").stderr) == set()


def test_v_logs_each_post_published_or_held_back(tmp_path: Path) -> None:
    stderr = demo(tmp_path / "demo", "-v").stderr
    assert levels(stderr) == {"INFO"}
    assert re.search(r"^INFO terrain\.publishing: published post-\w+ on x: ", stderr, re.M)
    left = r"^INFO terrain\.publishing: left 2 of 4 photos out of album post-\w+ on x \(blocked"
    assert re.search(left + r" by samir, tom\)", stderr, re.M)  # ids, never names


def test_vv_also_logs_each_platform_call_and_consent_decision(tmp_path: Path) -> None:
    stderr = demo(tmp_path / "demo", "-vv").stderr
    assert levels(stderr) == {"DEBUG", "INFO"}
    assert "DEBUG terrain.publishing: consent for post-" in stderr
    assert re.search(r"^DEBUG terrain_adapters\.outbox: x: wrote .*\.json", stderr, re.M)


@pytest.mark.parametrize(
    ("options", "env"),
    [
        (["--log-level", "debug"], None),
        (["--log-level", "DEBUG"], None),
        ([], {"TERRAIN_LOG_LEVEL": "debug"}),
        (["-v", "--log-level", "debug"], None),
    ],
)
def test_log_level_option_or_variable_sets_terrains_level(
    tmp_path: Path, options: list[str], env: dict[str, str] | None
) -> None:
    assert "DEBUG" in levels(demo(tmp_path / "demo", *options, env=env).stderr)


def test_log_level_wins_over_v_for_terrains_own_lines(tmp_path: Path) -> None:
    assert levels(demo(tmp_path / "demo", "-vv", "--log-level", "warning").stderr) == set()


def test_an_unknown_level_is_a_usage_error_naming_the_levels() -> None:
    result = CliRunner().invoke(main, ["--log-level", "loud", "plugins"])
    assert result.exit_code == 2
    assert "'loud' is not one of 'debug', 'info', 'warning', 'error', 'critical'" in result.stderr


def test_log_lines_name_people_by_id_never_by_name(tmp_path: Path) -> None:
    """Log lines may be kept or shipped to a log service: the audit log has the names."""
    stderr = demo(tmp_path / "demo", "-vv").stderr
    lines = [line for line in stderr.splitlines() if LINE.match(line)]
    assert lines
    assert [line for line in lines if any(name in line for name in NAMES)] == []


def test_the_command_leaves_logging_as_it_found_it(tmp_path: Path) -> None:
    root = logging.getLogger()
    before = (list(root.handlers), root.level, logging.getLogger("terrain").level)
    demo(tmp_path / "demo", "-vvv")
    assert (list(root.handlers), root.level, logging.getLogger("terrain").level) == before


def test_every_logger_is_masked_on_the_command_lines_handler() -> None:
    """A library terrain does not know about logs a token: -vvv still masks it."""
    stream = io.StringIO()
    restore = configure_logging(verbosity=3, stream=stream)
    try:
        token = Secret("SENTINEL-LIB-TOKEN-0042").reveal()
        logging.getLogger("somelibrary.http").debug("Authorization: Bearer %s", token)
    finally:
        restore()
    assert stream.getvalue() == "DEBUG somelibrary.http: Authorization: Bearer ***\n"


def test_libraries_log_only_from_vvv() -> None:
    for verbosity, shown in ((2, False), (3, True)):
        stream = io.StringIO()
        restore = configure_logging(verbosity=verbosity, stream=stream)
        try:
            logging.getLogger("urllib3.connectionpool").debug("GET /2/tweets 200")
        finally:
            restore()
        assert ("GET /2/tweets 200" in stream.getvalue()) is shown

