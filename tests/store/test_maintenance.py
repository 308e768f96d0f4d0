"""Migrating and copying a store from a library, by URL: what `terrain store` calls."""

from __future__ import annotations

from pathlib import Path

import pytest

from terrain import Community, Member
from terrain.errors import StorageError
from terrain.store import Database, Workspace, copy_store, migrate_store, workspace_store_url
from terrain.store._schema import MIGRATIONS
from tests.old_stores import first_schema_store


@pytest.fixture
def lyon(tmp_path: Path) -> Path:
    root = tmp_path / "lyon"
    with Workspace.init(root, community=Community(id="velo", name="Vélo")) as ws:
        ws.add(Member(id="lea", display_name="Léa Martin"))
    return root


def test_a_workspace_is_up_to_date_after_init(lyon: Path) -> None:
    report = migrate_store(workspace=lyon)
    assert report.applied == ()
    assert report.from_version == report.version == MIGRATIONS[-1].version
    assert report.store.startswith("sqlite://")
    assert report.sorts_like_sqlite


def test_an_older_store_is_brought_up_step_by_step(tmp_path: Path) -> None:
    path = first_schema_store(tmp_path / "old.db")
    report = migrate_store(f"sqlite://{path}", zone="Europe/Paris")
    assert report.from_version == 1
    assert report.applied == tuple((m.version, m.name) for m in MIGRATIONS[1:])
    assert migrate_store(f"sqlite://{path}").applied == ()


def test_a_store_is_copied_by_url_into_a_new_sqlite_file(lyon: Path, tmp_path: Path) -> None:
    source, _zone = workspace_store_url(lyon)
    target = tmp_path / "copy.db"
    report = copy_store(source, f"sqlite://{target}")
    assert report.rows >= 1
    copied = Database.open(target)
    try:
        assert copied.record_ids("member") == ["lea"]
    finally:
        copied.close()


def test_a_copy_by_url_that_fails_leaves_no_target_file(lyon: Path, tmp_path: Path) -> None:
    source, _zone = workspace_store_url(lyon)
    db = Database.connect(source)
    try:
        with db.transaction() as tx:
            tx.execute("ALTER TABLE records ADD COLUMN extra TEXT")
    finally:
        db.close()
    target = tmp_path / "copy.db"
    with pytest.raises(StorageError, match="other columns"):
        copy_store(source, f"sqlite://{target}")
    assert list(tmp_path.glob("copy.db*")) == []
