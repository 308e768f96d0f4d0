"""terrain reads "now" in one place, which tests and the docs runner can set."""

from __future__ import annotations

import ast
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from terrain import clock
from terrain.errors import ConfigError

SRC = Path(__file__).resolve().parents[1] / "src"


def test_without_the_variable_the_clock_is_the_real_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.NOW_ENV_VAR, raising=False)
    before = datetime.now(UTC)
    now = clock.now()
    assert before <= now <= datetime.now(UTC)
    assert now.tzinfo is UTC


def test_the_variable_sets_the_clock_and_it_keeps_ticking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.NOW_ENV_VAR, "2026-10-25T02:30:00+01:00")
    first = clock.now()
    assert timedelta(0) <= first - datetime(2026, 10, 25, 1, 30, tzinfo=UTC) < timedelta(seconds=5)
    time.sleep(0.01)
    assert clock.now() > first, "a worker waiting for a slot must see time pass"


def test_an_rfc_9557_zone_suffix_is_accepted_when_it_matches_the_offset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(clock.NOW_ENV_VAR, "2026-03-29T03:30:00+02:00[Europe/Paris]")
    assert clock.today("Europe/Paris").isoformat() == "2026-03-29"
    monkeypatch.setenv(clock.NOW_ENV_VAR, "2026-03-29T03:30:00+01:00[Europe/Paris]")
    with pytest.raises(ConfigError, match="does not match Europe/Paris"):
        clock.now()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("tomorrow", "is not an instant"),
        ("2026-03-29T10:00:00", "has no UTC offset"),
        ("2026-03-29T10:00:00+02:00[Mars/Olympus]", "not an IANA time zone"),
    ],
)
def test_a_bad_value_is_a_config_error_that_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str, problem: str
) -> None:
    monkeypatch.setenv(clock.NOW_ENV_VAR, value)
    with pytest.raises(ConfigError, match=problem) as raised:
        clock.now()
    assert clock.NOW_ENV_VAR in str(raised.value)


def test_today_is_the_date_in_the_zone_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    # 23:30 UTC on Feb 28 is already Feb 29 in Chatham (+13:45) and still Feb 28 in New York.
    monkeypatch.setenv(clock.NOW_ENV_VAR, "2028-02-28T23:30:00Z")
    assert clock.today("Pacific/Chatham").isoformat() == "2028-02-29"
    assert clock.today("America/New_York").isoformat() == "2028-02-28"


_FORBIDDEN = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("datetime", "today")}
#: Modules allowed to read the machine's clock: the clock itself, and the test HTTP
#: server, which times a fake network's rate limits in real seconds.
_ALLOWED = {"terrain/clock.py", "terrain/testing/_httpserver.py"}


def test_no_module_reads_the_machine_clock_but_the_clock() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel in _ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and (node.func.value.id, node.func.attr) in _FORBIDDEN | {("time", "time")}
            ):
                offenders.append(f"{rel}:{node.lineno}")
    assert not offenders, f"read terrain.clock.now() instead: {offenders}"
