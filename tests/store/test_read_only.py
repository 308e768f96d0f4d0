"""A workspace opened read-only (what shell completion does) reads everything and
changes nothing: no write, no migration, no file created, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from terrain import Community, Member
from terrain.errors import StorageError
from terrain.store import Workspace
from tests.conftest import workspace_store


def files(root: Path) -> dict[str, str]:
    """Every file under ``root`` and a hash of its bytes; SQLite's own shared-memory
    index and an *empty* write-ahead log, which a reader may create, are left out."""
    found = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.endswith("-shm"):
            continue
        if path.name.endswith("-wal") and path.stat().st_size == 0:
            continue
        found[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture
def root(tmp_path: Path, store_url: str) -> Path:
    folder = tmp_path / "velo"
    with Workspace.init(
        folder, community=Community(id="velo", name="Vélo"), store_url=workspace_store(store_url)
    ) as ws:
        ws.add(Member(id="lea", display_name="Léa Martin"))
        ws.add(Member(id="samir", display_name="Samir Haddad"))
    return folder


def test_a_read_only_workspace_reads_the_records(root: Path) -> None:
    with Workspace.open(root, read_only=True) as ws:
        assert ws.ids(Member) == ["lea", "samir"]
        assert ws.get(Member, "lea").display_name == "Léa Martin"


def test_a_read_only_workspace_refuses_a_write_and_keeps_the_data(root: Path) -> None:
    with Workspace.open(root, read_only=True) as ws, pytest.raises(StorageError) as caught:
        ws.add(Member(id="tom", display_name="Tom"))
    assert "opened for reading only" in str(caught.value)
    with Workspace.open(root) as ws:
        assert ws.ids(Member) == ["lea", "samir"]


def test_opening_read_only_changes_no_file_of_an_embedded_workspace(tmp_path: Path) -> None:
    folder = tmp_path / "velo"
    Workspace.init(folder, community=Community(id="velo", name="Vélo")).close()
    before = files(folder)
    with Workspace.find(folder, environ={}, read_only=True) as ws:
        assert ws.ids(Member) == []
    assert files(folder) == before


def test_a_store_that_needs_a_migration_is_not_migrated_read_only(tmp_path: Path) -> None:
    folder = tmp_path / "velo"
    Workspace.init(folder, community=Community(id="velo", name="Vélo")).close()
    database = folder / ".terrain" / "terrain.db"
    with sqlite3.connect(database) as connection:  # as if the last migration never ran
        connection.execute(
            "DELETE FROM schema_version WHERE version = (SELECT MAX(version) FROM schema_version)"
        )
    connection.close()
    before = files(folder)
    with pytest.raises(StorageError) as caught:
        Workspace.open(folder, read_only=True)
    assert "terrain store migrate" in str(caught.value)
    assert files(folder) == before
