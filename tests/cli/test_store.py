"""``terrain store migrate|copy``: move a community to PostgreSQL and back, losing nothing;
bad input exits 2 with a message and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from terrain.store import Database
from tests.old_stores import first_schema_store

from .conftest import Run, as_json, snapshot


def _add_members(run: Run, workspace: Path) -> None:
    for member_id, name in (("lea", "Léa Martin"), ("samir", "Samir B."), ("tom", "Tom")):
        result = run("member", "add", member_id, "--name", name, workspace=workspace)
        assert result.exit_code == 0, result.output


def _db_url(workspace: Path) -> str:
    return f"sqlite://{workspace / '.terrain' / 'terrain.db'}"


def _point_at(workspace: Path, url: str) -> None:
    toml = workspace / "terrain.toml"
    toml.write_text(toml.read_text() + f'\n[store]\nurl = "{url}"\n', encoding="utf-8")


def test_migrate_on_an_up_to_date_workspace_applies_nothing(run: Run, workspace: Path) -> None:
    data = as_json(run("store", "migrate", "--json", workspace=workspace))
    assert data["applied"] == []
    assert data["version"] == data["from_version"] >= 2
    text = run("store", "migrate", workspace=workspace)
    assert "up to date" in text.stdout


@pytest.mark.postgres
def test_migrate_a_new_postgresql_database_says_which_migrations_ran(
    run: Run, postgres_database: str
) -> None:
    result = run("store", "migrate", "--url", postgres_database)
    assert result.exit_code == 0, result.output
    assert "from schema version 0 to" in result.stdout
    assert "1. records, media index" in result.stdout
    again = as_json(run("store", "migrate", "--url", postgres_database, "--json"))
    assert again["applied"] == []


@pytest.mark.postgres
def test_a_community_moves_to_postgresql_and_back_with_its_consent_history(
    run: Run, workspace: Path, postgres_database: str, tmp_path: Path
) -> None:
    _add_members(run, workspace)
    granted = run(
        "consent",
        "grant",
        "lea",
        "--purpose",
        "publish",
        "--witness",
        "Camille",
        "--at",
        "2026-03-12T19:30:00+01:00",
        workspace=workspace,
    )
    assert granted.exit_code == 0, granted.output
    before = as_json(run("consent", "list", "--json", workspace=workspace))

    copied = as_json(
        run("store", "copy", "--from", _db_url(workspace), "--to", postgres_database, "--json")
    )
    assert copied["verified"] is True
    tables = {t["table"]: t["rows"] for t in copied["tables"]}
    assert tables["records"] == 3
    assert tables["consent_events"] == 1
    assert "password" not in json.dumps(copied)

    _point_at(workspace, postgres_database)
    assert as_json(run("consent", "list", "--json", workspace=workspace)) == before
    members = as_json(run("member", "list", "--json", workspace=workspace))
    assert sorted(m["id"] for m in members) == ["lea", "samir", "tom"]

    back = tmp_path / "back.db"
    home = as_json(
        run("store", "copy", "--from", postgres_database, "--to", f"sqlite://{back}", "--json")
    )
    assert [t["sha256"] for t in home["tables"]] == [t["sha256"] for t in copied["tables"]]


@pytest.mark.postgres
def test_copying_into_a_store_that_holds_rows_exits_2_and_changes_nothing(
    run: Run, workspace: Path, postgres_database: str
) -> None:
    _add_members(run, workspace)
    assert (
        run("store", "copy", "--from", _db_url(workspace), "--to", postgres_database).exit_code == 0
    )
    db = Database.connect(postgres_database)
    before = db.query("SELECT kind, id, data FROM records ORDER BY kind, id")
    result = run("store", "copy", "--from", _db_url(workspace), "--to", postgres_database)
    assert result.exit_code == 2
    assert "not empty (3 in records," in result.stderr
    assert "Traceback" not in result.output
    assert db.query("SELECT kind, id, data FROM records ORDER BY kind, id") == before
    db.close()


def test_copying_into_a_sqlite_file_that_holds_rows_exits_2(
    run: Run, workspace: Path, tmp_path: Path
) -> None:
    _add_members(run, workspace)
    target = f"sqlite://{tmp_path / 'copy.db'}"
    assert run("store", "copy", "--from", _db_url(workspace), "--to", target).exit_code == 0
    files = snapshot(workspace)
    result = run("store", "copy", "--from", _db_url(workspace), "--to", target)
    assert result.exit_code == 2
    assert "not empty" in result.stderr
    assert snapshot(workspace) == files


@pytest.mark.parametrize(
    ("to", "message"),
    [
        ("mysql://root@db/velo", "unknown store URL scheme 'mysql'"),
        ("postgresql://terrain:hunter22@db/velo", "TERRAIN_STORE_PASSWORD"),
        ("sqlite:///no/such/folder/t.db", "does not exist"),
    ],
)
def test_a_bad_target_exits_2_with_a_message_and_changes_nothing(
    run: Run, workspace: Path, to: str, message: str
) -> None:
    _add_members(run, workspace)
    files = snapshot(workspace)
    result = run("store", "copy", "--from", _db_url(workspace), "--to", to)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "hunter22" not in result.output
    assert "Traceback" not in result.output
    assert snapshot(workspace) == files


#: A PostgreSQL URL where no server listens.
UNREACHABLE = "postgresql://terrain@127.0.0.1:1/velo"


def test_a_target_server_that_does_not_answer_exits_75_and_changes_nothing(
    run: Run, workspace: Path
) -> None:
    """Unreachable, not bad input: 75 says "run it again once the server answers"."""
    _add_members(run, workspace)
    files = snapshot(workspace)
    result = run("store", "copy", "--from", _db_url(workspace), "--to", UNREACHABLE)
    assert result.exit_code == 75, result.output
    assert "cannot reach the store" in result.stderr
    assert "host and port" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(workspace) == files


def test_a_missing_source_exits_2_and_creates_no_target(run: Run, tmp_path: Path) -> None:
    result = run(
        "store",
        "copy",
        "--from",
        f"sqlite://{tmp_path / 'nope.db'}",
        "--to",
        f"sqlite://{tmp_path / 'new.db'}",
    )
    assert result.exit_code == 2
    assert "no SQLite store" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_password_in_terrain_toml_stops_every_command_with_the_variable_to_set(
    run: Run, workspace: Path
) -> None:
    _point_at(workspace, "postgresql://terrain:hunter22@db.example/velo")
    for args in (("store", "migrate"), ("member", "list")):
        result = run(*args, workspace=workspace)
        assert result.exit_code == 2
        assert "TERRAIN_STORE_PASSWORD" in result.stderr
        assert "hunter22" not in result.output


@pytest.mark.postgres
def test_init_with_a_store_url_keeps_the_records_in_postgresql(
    run: Run, tmp_path: Path, postgres_database: str
) -> None:
    root = tmp_path / "lyon"
    result = run(
        "init",
        str(root),
        "--community-id",
        "lyon",
        "--name",
        "Lyon",
        "--store-url",
        postgres_database,
    )
    assert result.exit_code == 0, result.output
    assert not (root / ".terrain" / "terrain.db").exists()
    _add_members(run, root)
    db = Database.connect(postgres_database)
    assert db.record_ids("member") == ["lea", "samir", "tom"]
    db.close()


def test_init_with_a_password_in_the_store_url_exits_2_and_creates_nothing(
    run: Run, tmp_path: Path
) -> None:
    result = run(
        "init",
        str(tmp_path / "lyon"),
        "--community-id",
        "lyon",
        "--name",
        "Lyon",
        "--store-url",
        "postgresql://terrain:hunter22@db/lyon",
    )
    assert result.exit_code == 2
    assert "TERRAIN_STORE_PASSWORD" in result.stderr
    assert "hunter22" not in result.output
    assert not (tmp_path / "lyon").exists()


def test_migrate_brings_an_older_store_up_and_names_each_step(run: Run, tmp_path: Path) -> None:
    from terrain.store._schema import MIGRATIONS

    path = first_schema_store(tmp_path / "old.db")
    data = as_json(run("store", "migrate", "--url", f"sqlite://{path}", "--json"))
    assert data["from_version"] == 1
    assert [step["version"] for step in data["applied"]] == [m.version for m in MIGRATIONS[1:]]
    assert data["version"] == MIGRATIONS[-1].version


def test_a_copy_to_sqlite_says_where_to_point_the_workspace_without_password_advice(
    run: Run, workspace: Path, tmp_path: Path
) -> None:
    _add_members(run, workspace)
    target = f"sqlite://{tmp_path / 'moved.db'}"
    result = run("store", "copy", "--from", _db_url(workspace), "--to", target)
    assert result.exit_code == 0, result.output
    assert f'[store] url = "{target}"' in result.output
    assert "PASSWORD" not in result.output
