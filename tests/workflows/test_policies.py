"""The runner's limits read from terrain.toml: numbers taken as written, never rounded."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Community
from terrain.errors import ConfigError
from terrain.store import Workspace
from terrain.workflows._publish import POLICY_KEYS, configured_policies

WHOLE_KEYS = sorted(k for k, kind in POLICY_KEYS.items() if kind is int)
NUMBER_KEYS = sorted(k for k, kind in POLICY_KEYS.items() if kind is float)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("policies") / "velo"
    Workspace.init(folder, community=Community(id="velo-lyon", name="Vélo Lyon")).close()
    return folder


def policy_of(root: Path, table: str) -> object:
    """Write ``[platforms.x]`` with ``table`` and read x's policy back."""
    config = root / "terrain.toml"
    text = config.read_text(encoding="utf-8").split("[platforms.x]")[0]
    config.write_text(f"{text}[platforms.x]\n{table}\n", encoding="utf-8")
    with Workspace.open(root) as ws:
        return configured_policies(ws, ["x"])["x"]


@pytest.mark.parametrize(
    ("line", "key"),
    [("daily_budget = 17.9", "daily_budget"), ("max_attempts = 0.5", "max_attempts")],
)
def test_a_fraction_where_a_whole_number_is_needed_is_refused_not_truncated(
    root: Path, line: str, key: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        policy_of(root, line)
    message = str(refused.value)
    assert str(root / "terrain.toml") in message
    assert f"[platforms.x] {key}" in message
    assert "whole number" in message


def test_a_whole_budget_is_kept_as_written(root: Path) -> None:
    policy = policy_of(root, "daily_budget = 12\nrate = 0.5")
    assert policy.daily_budget == 12  # type: ignore[attr-defined]
    assert policy.rate == 0.5  # type: ignore[attr-defined]


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    key=st.sampled_from(WHOLE_KEYS),
    value=st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: not v.is_integer()),
)
def test_no_fraction_is_ever_accepted_for_a_whole_number_key(
    root: Path, key: str, value: float
) -> None:
    with pytest.raises(ConfigError, match=rf"\[platforms\.x\] {key} = "):
        policy_of(root, f"{key} = {value!r}")


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(WHOLE_KEYS), value=st.integers(min_value=1, max_value=10**6))
def test_every_positive_whole_number_is_kept_exactly(root: Path, key: str, value: int) -> None:
    assert getattr(policy_of(root, f"{key} = {value}"), key) == value


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    key=st.sampled_from([*WHOLE_KEYS, *NUMBER_KEYS]),
    value=st.one_of(
        st.integers(max_value=0),
        st.floats(max_value=0.0, allow_nan=False, allow_infinity=False),
        st.booleans(),
        st.text(alphabet=string.ascii_letters + "'. ", max_size=5),
    ),
)
def test_zero_negative_and_non_numbers_are_refused_for_every_key(
    root: Path, key: str, value: object
) -> None:
    written = str(value).lower() if isinstance(value, bool) else repr(value)
    with pytest.raises(ConfigError, match=rf"\[platforms\.x\] {key} = "):
        policy_of(root, f"{key} = {written}")
