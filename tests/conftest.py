"""Session fixtures shared by every test directory: a real PostgreSQL server, and a
fresh store (SQLite or PostgreSQL) per test for the suites that run on both.

terrain's pytest plugin (the fixtures plugin authors get) is opt-in, so this suite
enables it the way a plugin author does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests import pg

pytest_plugins = ["terrain.testing.pytest_plugin"]

# Speed is measured by the benchmarks (`make bench`), not by Hypothesis's per-example
# deadline: on a loaded 2-core CI machine a first call that loads a lazy import
# (regex, tldextract, Pillow) blows the default 200 ms and fails a correct test.
settings.register_profile("terrain", deadline=None, print_blob=True)
settings.load_profile("terrain")


@pytest.fixture(autouse=True)
def _clock_starts_at_terrain_now() -> None:
    """Each test's clock starts at the TERRAIN_NOW it sets, not where an earlier test of
    this process left it: terrain.clock keeps ticking from the first read of a value, so
    a page run late in a long test session under the leap-day clock (23:30) would
    otherwise read 1 March."""
    from terrain import clock

    clock._anchors.clear()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a PostgreSQL server started for this session (skips locally, fails in CI)."""
    pg.require_server()
    with pg.running_server() as url:
        yield url


@pytest.fixture
def postgres_database(postgres_url: str) -> Iterator[str]:
    """URL of a new, empty PostgreSQL database for one test (dropped afterwards)."""
    with pg.fresh_database(postgres_url) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store for one test: ``sqlite:///…/store.db`` or a new PostgreSQL
    database. Tests taking it run once on each backend."""
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("postgres_database")
    return url


def workspace_store(store_url: str) -> str | None:
    """The ``store_url=`` to give ``Workspace.init``: ``None`` (the embedded default
    ``.terrain/terrain.db``) for SQLite, the database URL for PostgreSQL."""
    return None if store_url.startswith("sqlite:") else store_url
