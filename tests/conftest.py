"""Session fixtures shared by every test directory: a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import pg


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a PostgreSQL server started for this session (skips locally, fails in CI)."""
    pg.require_server()
    with pg.running_server() as url:
        yield url
