"""Which platform a name means: configured names, the runner's keys, unknown names.

A platform is published under one name: the name a plugin registers, or the
``name`` its ``[platforms.<table>]`` gives it. The journal knows posts by that
name, so the platform built for a name must carry that name; the runner's
keys (``rate``, ``daily_budget``…) tune the runner and never reach the
platform's factory.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import terrain
from terrain import Community
from terrain.errors import ConfigError
from terrain.store import Workspace
from terrain.store._config import RUNNER_KEYS
from terrain.workflows._publish import POLICY_KEYS, configured_policies

VELO = Community(id="velo-lyon", name="Vélo Lyon", timezone="Europe/Paris")
ENV = {"TERRAIN_LOAD_PLUGINS": ""}


def workspace(tmp_path: Path, platforms: dict[str, dict[str, Any]]) -> Workspace:
    return Workspace.init(tmp_path / "w", community=VELO, platforms=platforms, environ=ENV)


def test_an_outbox_pretending_to_be_x_keeps_its_own_name(tmp_path: Path) -> None:
    """From the CLI its posts stayed planned for ever: it was built as "x" for posts
    composed for "outbox"."""
    with workspace(tmp_path, {"outbox": {"as": "x"}}) as ws:
        outbox = ws.platform("outbox")
        assert outbox.name == "outbox"
        assert ws.capabilities("outbox").max_text_length == 280
        assert "outbox" in ws.platform_names()


def test_the_documented_x_preview_is_published_as_x_preview(tmp_path: Path) -> None:
    """``name = "x-preview"`` (docs/reference/configuration.rst) was refused as unknown."""
    with workspace(tmp_path, {"outbox": {"as": "x", "name": "x-preview"}}) as ws:
        preview = ws.platform("x-preview")
        assert preview.name == "x-preview"
        assert ws.capabilities("x-preview").max_text_length == 280
        assert "x-preview" in ws.platform_names()
        assert "outbox" not in ws.platform_names()
        with pytest.raises(ConfigError, match="publish to it as 'x-preview'"):
            ws.platform("outbox")
        assert ws.platform_settings("x-preview") == {"as": "x", "name": "x-preview"}


def test_the_runners_keys_never_reach_the_platform(tmp_path: Path) -> None:
    """``rate = 5.0`` under [platforms.outbox] made publish exit 2: the outbox refused it
    as an unknown setting."""
    table = {"rate": 5.0, "daily_budget": 10, "max_attempts": 3, "folder": "sorties"}
    with workspace(tmp_path, {"outbox": table}) as ws:
        assert ws.platform("outbox").name == "outbox"
        ws.capabilities("outbox")
        policy = configured_policies(ws, ["outbox"])["outbox"]
        assert (policy.rate, policy.daily_budget, policy.max_attempts) == (5.0, 10, 3)


def test_the_runners_keys_are_the_policys_and_the_posting_slots() -> None:
    # ``slots`` are the schedule's (terrain.workflows.posting_slots), not the policy's
    assert set(POLICY_KEYS) | {"slots"} == RUNNER_KEYS


def test_an_unknown_platform_is_called_unknown_with_the_closest_name(tmp_path: Path) -> None:
    """``--to mastodn`` blamed a [platforms.mastodn] table that does not exist."""
    with workspace(tmp_path, {}) as ws:
        with pytest.raises(ConfigError) as caught:
            ws.platform("outbx")
        message = str(caught.value)
        assert message.startswith("unknown platform 'outbx': known platforms are ")
        assert "did you mean 'outbox'?" in message
        assert "[platforms." not in message
        with pytest.raises(ConfigError, match=r"unknown platform 'mastodn': .*outbox") as caught:
            ws.capabilities("mastodn")
        assert "[platforms." not in str(caught.value)


def test_a_table_naming_no_installed_platform_is_blamed(tmp_path: Path) -> None:
    with (
        workspace(tmp_path, {"mastodn": {"instance": "https://m.example"}}) as ws,
        pytest.raises(ConfigError, match=r"'mastodn' \(in \[platforms.mastodn\]"),
    ):
        ws.platform("mastodn")


def test_a_name_taken_by_another_platform_is_refused(tmp_path: Path) -> None:
    """An outbox named "x" would pass for X in the journal: a real X post would then be
    "already published"."""
    with (
        workspace(tmp_path, {"outbox": {"as": "x", "name": "x"}}) as ws,
        pytest.raises(ConfigError, match="is the name of another platform"),
    ):
        ws.platform("x")
    with (
        Workspace.init(
            tmp_path / "two",
            community=VELO,
            platforms={"outbox": {"name": "preview"}, "x": {"name": "preview"}},
            environ=ENV,
        ) as ws,
        pytest.raises(ConfigError, match="are both named 'preview'"),
    ):
        ws.platform("preview")


def test_a_platform_that_cannot_take_another_name_says_so(tmp_path: Path) -> None:
    """The example plugin (installed with the dev tools) always calls itself the same."""
    with (
        Workspace.init(
            tmp_path / "w",
            community=VELO,
            platforms={"example-journal": {"name": "journal"}},
            environ={},
        ) as ws,
        pytest.raises(ConfigError, match="calls itself 'example-journal', not 'journal'"),
    ):
        ws.platform("journal")


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12).filter(
    lambda n: n not in {"x", "facebook", "instagram", "outbox", "example-journal"}
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.none() | names,
    pretend=st.none() | st.sampled_from(["x", "facebook", "instagram"]),
    runner=st.dictionaries(st.sampled_from(sorted(RUNNER_KEYS)), st.integers(1, 50), max_size=4),
)
def test_every_platform_listed_is_built_under_the_name_it_is_listed_by(
    tmp_path_factory: pytest.TempPathFactory,
    name: str | None,
    pretend: str | None,
    runner: dict[str, int],
) -> None:
    table: dict[str, Any] = dict(runner)
    if name is not None:
        table["name"] = name
    if pretend is not None:
        table["as"] = pretend
    folder = tmp_path_factory.mktemp("names")
    with workspace(folder, {"outbox": table}) as ws:
        listed = ws.platform_names()
        published_as = name or "outbox"
        assert published_as in listed
        for each in listed:
            if each in {"x", "facebook", "instagram", "linkedin", "mastodon", "bluesky"}:
                continue  # need tokens and account settings; their names are their own
            assert ws.platform(each).name == each
            ws.capabilities(each)



def test_the_names_consents_may_use_come_from_the_workspaces_own_plugin_manager(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``known_platforms`` built a second plugin manager, scanning every installed
    distribution's entry points again, on each ``consent grant``: one manager per
    workspace, and its plugins are the ones that count."""
    with workspace(tmp_path, {}) as ws:
        ws.plugins.register(_Registers("fediverse-local"), name="local")
        scans: list[object] = []
        real = importlib.metadata.entry_points

        def counted(**params: Any) -> Any:
            scans.append(params)
            return real(**params)

        monkeypatch.setattr(importlib.metadata, "entry_points", counted)
        assert "fediverse-local" in ws.known_platforms()
        assert "fediverse-local" in ws.platform_names()
        assert scans == []


class _Registers:
    """A plugin registered on one workspace's manager only."""

    def __init__(self, name: str) -> None:
        self.name = name

    @terrain.hookimpl
    def terrain_register_platforms(self, register: Any) -> None:
        def factory(context: Any) -> Any:
            raise AssertionError("never built here")

        factory.name = self.name  # type: ignore[attr-defined]
        register(factory)
