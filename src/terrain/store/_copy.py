"""Copying a whole store to another backend (``terrain store copy``).

:func:`copy_store` moves a community from the embedded SQLite file to
PostgreSQL (or back) without losing anything: every table of the schema
(:data:`TABLES`; a test checks it names every table the migrations create)
is copied row for row, consent events and decisions with their sequence
numbers, in one transaction on the target. Before that transaction commits,
the target's rows are counted and digested and compared with the source's:
a difference rolls everything back. A target that already holds rows is
refused (:class:`~terrain.errors.Conflict`): a copy never merges.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import attrs

from terrain.errors import ConfigError, Conflict, StorageError
from terrain.store._backend import Row, Transaction
from terrain.store._db import Database
from terrain.store._maintenance import open_copy_target

__all__ = ["TABLES", "CopyReport", "TableCopy", "copy_store", "table_digest"]

#: Every table of the workspace schema but ``schema_version``, in the order they
#: are copied. Their columns are read from the source database, so a migration
#: that adds a column is copied without a change here; a migration that adds a
#: table must add it here (``tests/store/test_copy.py`` fails until it does).
TABLES: tuple[str, ...] = (
    "records",
    "media_index",
    "appearance_index",
    "content_index",
    "consent_events",
    "decisions",
    "publication_journal",
    "takedown_log",
    "schema_notes",
    "publication_refs",
    "post_metrics",
    "web_links",
    "takedown_queue",
    "history",
    "accounts",
    "desk_sessions",
    "edits",
    "approvals",
    "member_handles",
    "consent_spans",
    "consent_standing",
    "consent_stamps",
    "consent_stamp_people",
)


@attrs.frozen
class TableCopy:
    """One table copied: how many rows, and the SHA-256 of their content."""

    table: str
    rows: int
    digest: str


@attrs.frozen
class CopyReport:
    """What :func:`copy_store` copied, from where to where (URLs without passwords)."""

    source: str
    target: str
    tables: tuple[TableCopy, ...]

    @property
    def rows(self) -> int:
        """Rows copied in all."""
        return sum(t.rows for t in self.tables)


def _select(table: str, columns: Sequence[str]) -> str:
    # table names from TABLES and column names from the database's catalog, never input
    return f"SELECT {', '.join(columns)} FROM {table}"


def _columns(source: Database, target: Database, table: str) -> list[str]:
    columns = source.backend.columns(table)
    theirs = target.backend.columns(table)
    if not columns or sorted(columns) != sorted(theirs):
        raise StorageError(
            f"the table {table} has other columns in {source.url} ({', '.join(columns)}) than "
            f"in {target.url} ({', '.join(theirs)}); run `terrain store migrate --url URL` on "
            "both with the same terrain version, then retry"
        )
    return columns


def table_digest(rows: Sequence[Row]) -> str:
    """SHA-256 of ``rows`` whatever their order (databases may sort text differently).

    Sequence numbers are columns, so the order of consent events is in the digest.
    """
    lines = sorted(json.dumps(list(row), ensure_ascii=False) for row in rows)
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def _refuse_non_empty(tx: Transaction, target: Database) -> None:
    counts = {table: int(tx.query(f"SELECT COUNT(*) FROM {table}")[0][0]) for table in TABLES}
    full = {table: n for table, n in counts.items() if n}
    if full:
        held = ", ".join(f"{n} in {table}" for table, n in full.items())
        raise Conflict(
            f"the target store {target.url} is not empty ({held}): terrain copies only into "
            "an empty store, never merges; create a new database (createdb) or give another "
            "file, then retry"
        )


def copy_store(source: Database | str, target: Database | str) -> CopyReport:
    """Copy every row of ``source`` into the empty ``target``, verified; what was copied.

    Both are at the latest schema version (opening them migrates them).
    Raises :class:`~terrain.errors.Conflict` when ``target`` holds rows and
    :class:`~terrain.errors.StorageError` when the verification fails; in
    both cases the target is left as it was.

    Either may be a store URL (``sqlite:///…/.terrain/terrain.db``,
    ``postgresql://user@host/db``) instead of an open :class:`Database`: it is
    opened for the copy and closed after it. A SQLite target file that does not
    exist yet is created, and removed again if the copy fails.
    """
    if isinstance(source, str) or isinstance(target, str):
        return _copy_urls(source, target)
    if _same_store(source, target):
        raise ConfigError(
            f"the source and the target are the same store ({source.url} and {target.url}): "
            "give another --to"
        )
    copied: list[TableCopy] = []
    columns = {table: _columns(source, target, table) for table in TABLES}
    # the source is read in one transaction (a consistent view, writers wait)
    with source.transaction() as src, target.transaction() as dst:
        if src.dialect == "postgresql":
            # each statement of a READ COMMITTED transaction sees a new snapshot, and
            # journal updates do not take the store's write lock: hold the tables still
            src.execute(f"LOCK TABLE {', '.join(TABLES)} IN SHARE MODE")
        _refuse_non_empty(dst, target)
        for table in TABLES:
            names = columns[table]
            rows = src.query(_select(table, names))
            marks = ", ".join("?" for _ in names)
            dst.execute_many(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", rows)
            expected = TableCopy(table, len(rows), table_digest(rows))
            written = dst.query(_select(table, names))
            found = TableCopy(table, len(written), table_digest(written))
            if found != expected:
                raise StorageError(
                    f"copying {table} to {target.url} did not verify (source: {expected.rows} "
                    f"rows, digest {expected.digest[:12]}; target: {found.rows} rows, digest "
                    f"{found.digest[:12]}); nothing was written: report this as a bug"
                )
            copied.append(expected)
    return CopyReport(source=source.url, target=target.url, tables=tuple(copied))


def _copy_urls(source: Database | str, target: Database | str) -> CopyReport:
    """:func:`copy_store` with URLs: open what is a URL, copy, close what was opened."""
    opened = Database.connect(source) if isinstance(source, str) else None
    try:
        created: list[Path] = []
        if isinstance(target, str):
            made, created = open_copy_target(target)
        try:
            report = copy_store(opened or source, made if isinstance(target, str) else target)
        except BaseException:
            if isinstance(target, str):
                made.close()
            for path in created:  # a file this copy made: leave no trace
                path.unlink(missing_ok=True)
            raise
        if isinstance(target, str):
            made.close()
        return report
    finally:
        if opened is not None:
            opened.close()


def _same_store(source: Database, target: Database) -> bool:
    """Whether two open stores are one database, however their URLs are spelled.

    Copying a store into itself would wait forever on its own write lock.
    """
    if source.dialect != target.dialect:
        return False
    if source.path is not None and target.path is not None:
        try:
            return source.path.resolve() == target.path.resolve() or source.path.samefile(
                target.path
            )
        except OSError:
            return False
    identity = (
        "SELECT current_database(), coalesce(host(inet_server_addr()), ''), "
        "coalesce(inet_server_port(), 0)"
    )
    return source.query(identity) == target.query(identity)
