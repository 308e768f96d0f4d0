"""terrain's contract suite on the {{ cookiecutter.platform }} platform, fault suite included.

The platform is loaded through its entry point, as terrain loads it, and talks
over a real socket to terrain's fake server, which records every post and
misbehaves on demand (``fail_next``). Point ``settings`` and ``secret_env`` at
the real network to run the same checks there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from terrain.plugins import PlatformFactory, get_plugin_manager
from terrain.testing.contract import FailNext, PlatformContract
from terrain.testing.http import FakePlatformServer

from {{ cookiecutter.module }} import NAME, TOKEN_VARIABLE

DISTRIBUTION = "{{ cookiecutter.distribution }}"


class TestContract(PlatformContract):
    @pytest.fixture
    def server(self) -> Iterator[FakePlatformServer]:
        with FakePlatformServer() as server:
            yield server

    @pytest.fixture
    def factory(self) -> PlatformFactory:
        manager = get_plugin_manager(environ={"TERRAIN_LOAD_PLUGINS": DISTRIBUTION})
        assert manager.load_errors == []
        return manager.platform_factory(NAME)

    @pytest.fixture
    def settings(self, server: FakePlatformServer) -> dict[str, Any]:
        return {"base_url": server.url, "timeout": 0.5}

    @pytest.fixture
    def secret_env(self) -> Mapping[str, str]:
        return {TOKEN_VARIABLE: "a-fake-token-for-the-contract-suite"}

    @pytest.fixture
    def fail_next(self, server: FakePlatformServer) -> FailNext:
        return lambda call: server.fail_next(call, hang=1.5)
