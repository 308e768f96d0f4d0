"""The test fixtures start a real PostgreSQL server."""

from __future__ import annotations

import pytest


@pytest.mark.postgres
def test_fixture_server_answers_queries_as_a_real_postgresql(postgres_url: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url, connect_timeout=10) as conn:
        row = conn.execute("select current_setting('server_version_num')::int, 6 * 7").fetchone()
    assert row is not None
    assert row[0] >= 150000
    assert row[1] == 42


@pytest.mark.postgres
def test_fixture_server_listens_only_on_loopback(postgres_url: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url, connect_timeout=10) as conn:
        row = conn.execute("show listen_addresses").fetchone()
    assert row == ("127.0.0.1",)
