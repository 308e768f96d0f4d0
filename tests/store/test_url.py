"""Store URLs and [store] in terrain.toml: never a password, always a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain import Community
from terrain.errors import ConfigError
from terrain.store import parse_store_url, redact_password
from terrain.store._config import WorkspaceConfig, parse_config, render_config

COMMUNITY = '[community]\nid = "velo"\nname = "Vélo"\n'


def _toml(tmp_path: Path, store: str) -> Path:
    path = tmp_path / "terrain.toml"
    path.write_text(COMMUNITY + "\n[store]\n" + store, encoding="utf-8")
    return path


def test_a_postgresql_url_is_passed_to_libpq_as_written() -> None:
    url = parse_store_url("postgresql://terrain@db.lyon.example:5433/velo?sslmode=require")
    assert url.scheme == "postgresql"
    assert url.conninfo == "postgresql://terrain@db.lyon.example:5433/velo?sslmode=require"
    assert str(url) == url.conninfo


def test_sqlite_urls_take_absolute_paths_and_relative_ones_from_the_workspace(
    tmp_path: Path,
) -> None:
    assert parse_store_url("sqlite:///srv/terrain/terrain.db").path == Path(
        "/srv/terrain/terrain.db"
    )
    assert parse_store_url("sqlite:data/t.db", base=tmp_path).path == tmp_path / "data" / "t.db"
    assert parse_store_url("t.db", base=tmp_path).path == tmp_path / "t.db"
    assert str(parse_store_url("sqlite:///srv/t.db")) == "sqlite:///srv/t.db"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "empty"),
        ("mysql://root@db/velo", "unknown store URL scheme 'mysql'"),
        ("sqlite://relative.db", "three slashes"),
        ("postgresql://terrain@db:port/velo", "not a valid PostgreSQL URL"),
        ("postgresql://terrain@db:5432", "names no database"),
    ],
)
def test_a_bad_url_says_what_to_write(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        parse_store_url(url)
    assert "postgresql://user@host:5432/dbname" in str(caught.value) or "slashes" in message


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://terrain:s3cr3t-pw@db/velo",
        "postgres://terrain:s3cr3t-pw@db:5432/velo",
        "postgresql://terrain@db/velo?password=s3cr3t-pw",
        # a "/", "@" or digits in the password must not turn it into a host, port or path
        "postgresql://terrain:s3cr3t-pw/x@db/velo",
        "postgresql://terrain:s3cr3t-pw@x@db/velo",
        "postgresql://terrain:5432/s3cr3t-pw@db/velo",
    ],
)
def test_a_password_in_the_url_is_refused_without_being_repeated(url: str) -> None:
    with pytest.raises(ConfigError, match="TERRAIN_STORE_PASSWORD") as caught:
        parse_store_url(url)
    assert "s3cr3t-pw" not in str(caught.value)


@given(
    st.text(
        alphabet=st.characters(
            whitelist_categories=("L", "N", "P", "S"), blacklist_characters="&?#"
        ),
        min_size=1,
        max_size=20,
    )
)
def test_redact_hides_any_password(password: str) -> None:
    text = f"cannot reach postgresql://terrain:{password}@db/velo?password={password}&x=1"
    assert redact_password(text) == "cannot reach postgresql://terrain:***@db/velo?password=***&x=1"


def test_a_password_in_the_toml_url_names_the_line_and_the_variable(tmp_path: Path) -> None:
    path = _toml(tmp_path, 'url = "postgresql://terrain:hunter22@db/velo"\n')
    with pytest.raises(ConfigError, match=r"line 6: \[store\] url: .*TERRAIN_STORE_PASSWORD") as c:
        parse_config(path)
    assert "hunter22" not in str(c.value)


def test_a_password_key_in_store_is_refused_naming_the_variable(tmp_path: Path) -> None:
    path = _toml(tmp_path, 'url = "postgresql://terrain@db/velo"\npassword = "hunter22"\n')
    with pytest.raises(ConfigError, match=r"\[store\] password: .*TERRAIN_STORE_PASSWORD") as c:
        parse_config(path)
    assert "hunter22" not in str(c.value)


def test_an_unknown_store_key_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[store\] host: unknown key; \[store\] takes url"):
        parse_config(_toml(tmp_path, 'host = "db"\n'))


def test_a_bad_pool_size_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="pool_size: must be a whole number"):
        parse_config(_toml(tmp_path, 'url = "postgresql://t@db/velo"\npool_size = 0\n'))


def test_the_store_settings_are_written_and_read_back(tmp_path: Path) -> None:
    config = WorkspaceConfig(
        community=Community(id="velo", name="Vélo"),
        store_url="postgresql://terrain@db.lyon.example/velo",
        store_pool_size=20,
    )
    path = tmp_path / "terrain.toml"
    path.write_text(render_config(config), encoding="utf-8")
    assert parse_config(path) == config
    assert "TERRAIN_STORE_PASSWORD" in path.read_text()


def test_an_unreachable_server_is_a_storage_error_without_the_password() -> None:
    """Unreachable, not misconfigured: StoreUnavailable (a StorageError), exit code 75."""
    from terrain.errors import StorageError, StoreUnavailable
    from terrain.store import Database

    env = {"TERRAIN_STORE_PASSWORD": "hunter22"}
    with pytest.raises(StorageError, match=r"cannot reach the store postgresql://") as c:
        Database.connect("postgresql://terrain@127.0.0.1:1/velo", environ=env)
    assert isinstance(c.value, StoreUnavailable)
    assert "hunter22" not in str(c.value)
    assert "[store] url" in str(c.value)


@pytest.mark.postgres
def test_the_password_from_the_environment_appears_in_no_repr(postgres_database: str) -> None:
    from terrain.publishing import Journal
    from terrain.store import Database

    db = Database.connect(postgres_database, environ={"TERRAIN_STORE_PASSWORD": "hunter22"})
    try:
        shown = [repr(db), repr(db.backend), db.url, repr(Journal(db, create=False))]
        assert all("hunter22" not in text for text in shown)
        assert db.dialect == "postgresql"
        assert db.path is None
    finally:
        db.close()
