"""Stores as older versions of terrain left them, for the migration tests."""

from __future__ import annotations

from pathlib import Path

from terrain.store import Database
from terrain.store._schema import MIGRATIONS


def first_schema_store(path: Path) -> Path:
    """A SQLite store at ``path`` written by a terrain that knew migration 1 only."""
    old = Database.open(path, create=True, migrate=False)
    with old.transaction() as tx:
        tx.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        for statement in MIGRATIONS[0].statements():
            tx.execute(statement)
        tx.execute("INSERT INTO schema_version VALUES (1, ?)", (MIGRATIONS[0].name,))
    old.close()
    return path
