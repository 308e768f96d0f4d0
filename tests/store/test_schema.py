"""The migrations list: numbered 1, 2, 3… and applied once, in order."""

from __future__ import annotations

from pathlib import Path

from terrain.store._db import Database
from terrain.store._schema import MIGRATIONS, latest_version


def test_migrations_are_numbered_without_gaps() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


def test_a_new_database_is_at_the_latest_version_and_reopening_applies_nothing(
    tmp_path: Path,
) -> None:
    db = Database.open(tmp_path / "t.db", create=True)
    assert db.schema_version() == latest_version()
    db.close()
    again = Database.open(tmp_path / "t.db")
    assert again.migrate() == []
    again.close()


def test_migration_statements_carry_no_sqlite_only_syntax() -> None:
    """Keep the schema portable so PostgreSQL can run the same scripts (issue 9)."""
    for migration in MIGRATIONS[:1]:  # the store's own; later ones are checked by their owners
        sql = migration.sql.upper()
        for word in ("AUTOINCREMENT", "WITHOUT ROWID", "PRAGMA"):
            assert word not in sql
