"""The workspace database on SQLite: every SQL statement of the store is here.

:class:`Database` is the one place that speaks SQL for records, the media and
appearance indexes, consent events and decisions. The rest of the store calls
its methods with plain values; statements use ``?`` parameters passed
separately from the SQL (never formatted into it). A PostgreSQL backend
(issue 9) implements the same methods with ``%s`` parameters and a connection
pool; nothing above this module changes.

Writes happen inside :meth:`Database.transaction` (``BEGIN IMMEDIATE``: one
writer at a time across processes, others wait up to the busy timeout), so a
failure leaves nothing half written. Transactions nest: an inner
``transaction()`` joins the outer one. One connection is shared by the
threads of a process behind a lock.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from terrain.errors import ConfigError, StorageError
from terrain.store._schema import MIGRATIONS, latest_version

__all__ = ["BUSY_TIMEOUT_MS", "Database", "Transaction"]

#: How long a writer waits for another process's transaction (milliseconds).
BUSY_TIMEOUT_MS = 15_000

Params = Sequence[Any]
Row = tuple[Any, ...]


class Transaction:
    """A write transaction: run statements with :meth:`execute` and :meth:`query`.

    Obtained from :meth:`Database.transaction`; everything done through it is
    committed together when the ``with`` block ends, or rolled back if it
    raises.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement with ``?`` parameters; the number of rows changed."""
        return self._connection.execute(sql, tuple(params)).rowcount

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row a query returns, as tuples."""
        return [tuple(r) for r in self._connection.execute(sql, tuple(params)).fetchall()]

    def one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row a query returns, or ``None``."""
        row = self._connection.execute(sql, tuple(params)).fetchone()
        return None if row is None else tuple(row)


class Database:
    """A workspace's SQLite database (WAL, foreign keys, busy timeout)."""

    dialect = "sqlite"

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._connection = connection
        self.path = path
        self._lock = threading.RLock()
        self._depth = 0

    # -- opening and closing -------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> Database:
        """Open the database at ``path`` (``create`` it if asked) and migrate it."""
        uri = path.resolve().as_uri() + ("?mode=rwc" if create else "?mode=rw")
        try:
            connection = sqlite3.connect(
                uri, uri=True, isolation_level=None, check_same_thread=False, timeout=0
            )
        except sqlite3.OperationalError as exc:
            raise StorageError(f"cannot open the workspace database {path}: {exc}") from None
        try:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal":
                connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA synchronous = FULL")
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise StorageError(
                f"{path} is not a terrain database ({exc}); restore it from a backup "
                "or move it away and run `terrain init` again"
            ) from None
        database = cls(connection, path)
        try:
            database.migrate()
        except BaseException:
            database.close()
            raise
        return database

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed and removed)."""
        with self._lock:
            self._connection.close()

    # -- transactions and raw access (for other parts of terrain) -----------------------

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A write transaction; an inner call joins the outer transaction."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield Transaction(self._connection)
                finally:
                    self._depth -= 1
                return
            try:
                self._connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StorageError(
                    f"the workspace database {self.path} is busy ({exc}); another terrain "
                    "command is writing to it: retry when it is done"
                ) from None
            self._depth = 1
            try:
                yield Transaction(self._connection)
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            else:
                self._connection.execute("COMMIT")
            finally:
                self._depth = 0

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        """Rows of a read-only query, outside any transaction."""
        with self._lock:
            return [tuple(r) for r in self._connection.execute(sql, tuple(params)).fetchall()]

    # -- schema ----------------------------------------------------------------------------

    def schema_version(self) -> int:
        """The version of the last migration applied (0 for an empty database)."""
        with self._lock:
            try:
                row = self._connection.execute("SELECT MAX(version) FROM schema_version").fetchone()
            except sqlite3.OperationalError:
                return 0
        return int(row[0] or 0)

    def migrate(self) -> list[int]:
        """Apply every pending migration, each in its own transaction."""
        current = self.schema_version()
        if current > latest_version():
            raise ConfigError(
                f"{self.path} has schema version {current}, but this terrain knows versions up "
                f"to {latest_version()}: upgrade terrain (pip install -U terrain)"
            )
        applied = []
        for migration in MIGRATIONS:
            if migration.version <= current:
                continue
            with self.transaction() as tx:
                tx.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version ("
                    "version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL)"
                )
                # Another process may have applied it since we read the version: the
                # write lock is ours now, so look again instead of failing on CREATE TABLE.
                if tx.one("SELECT 1 FROM schema_version WHERE version = ?", (migration.version,)):
                    continue
                for statement in migration.statements():
                    tx.execute(statement)
                tx.execute(
                    "INSERT INTO schema_version (version, name) VALUES (?, ?)",
                    (migration.version, migration.name),
                )
            applied.append(migration.version)
        return applied

    # -- records ---------------------------------------------------------------------------

    def get_record(self, kind: str, id: str) -> str | None:
        """The JSON of record ``kind``/``id``, or ``None``."""
        rows = self.query("SELECT data FROM records WHERE kind = ? AND id = ?", (kind, id))
        return str(rows[0][0]) if rows else None

    def list_records(self, kind: str) -> list[str]:
        """The JSON of every record of ``kind``, by id."""
        rows = self.query("SELECT data FROM records WHERE kind = ? ORDER BY id", (kind,))
        return [str(r[0]) for r in rows]

    def record_ids(self, kind: str) -> list[str]:
        """The ids of every record of ``kind``, sorted."""
        rows = self.query("SELECT id FROM records WHERE kind = ? ORDER BY id", (kind,))
        return [str(r[0]) for r in rows]

    @staticmethod
    def insert_record(tx: Transaction, kind: str, id: str, data: str) -> bool:
        """Insert a record; ``False`` (and nothing written) if ``kind``/``id`` exists."""
        if tx.one("SELECT 1 FROM records WHERE kind = ? AND id = ?", (kind, id)) is not None:
            return False
        tx.execute("INSERT INTO records (kind, id, data) VALUES (?, ?, ?)", (kind, id, data))
        return True

    @staticmethod
    def upsert_record(tx: Transaction, kind: str, id: str, data: str) -> None:
        """Insert or replace record ``kind``/``id``."""
        tx.execute(
            "INSERT INTO records (kind, id, data) VALUES (?, ?, ?) "
            "ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data",
            (kind, id, data),
        )

    @staticmethod
    def index_content(
        tx: Transaction,
        content_id: str,
        media: Sequence[tuple[str, str, str]],
        member_ids: Sequence[str],
    ) -> None:
        """Replace the indexes of a content: its media (id, checksum, key) and members."""
        tx.execute("DELETE FROM media_index WHERE content_id = ?", (content_id,))
        for media_id, checksum, key in media:
            tx.execute(
                "INSERT INTO media_index (checksum, content_id, media_id, storage_key) "
                "VALUES (?, ?, ?, ?)",
                (checksum, content_id, media_id, key),
            )
        tx.execute("DELETE FROM appearance_index WHERE content_id = ?", (content_id,))
        for member_id in sorted(set(member_ids)):
            tx.execute(
                "INSERT INTO appearance_index (member_id, content_id) VALUES (?, ?)",
                (member_id, content_id),
            )

    def find_checksum(self, checksum: str) -> tuple[str, str, str] | None:
        """``(content_id, media_id, key)`` of a stored media file with ``checksum``."""
        rows = self.query(
            "SELECT content_id, media_id, storage_key FROM media_index WHERE checksum = ? "
            "ORDER BY content_id, media_id",
            (checksum,),
        )
        return (str(rows[0][0]), str(rows[0][1]), str(rows[0][2])) if rows else None

    def contents_showing(self, member_id: str) -> list[str]:
        """Ids of the contents ``member_id`` appears in, sorted."""
        rows = self.query(
            "SELECT content_id FROM appearance_index WHERE member_id = ? ORDER BY content_id",
            (member_id,),
        )
        return [str(r[0]) for r in rows]

    # -- append-only logs ------------------------------------------------------------------

    @staticmethod
    def append_consent_event(tx: Transaction, subject_id: str, at: str, data: str) -> int:
        """Append a consent event; its sequence number."""
        row = tx.one("SELECT COALESCE(MAX(seq), 0) + 1 FROM consent_events")
        seq = int(row[0]) if row else 1
        tx.execute(
            "INSERT INTO consent_events (seq, subject_id, at, data) VALUES (?, ?, ?, ?)",
            (seq, subject_id, at, data),
        )
        return seq

    def consent_events(self) -> list[str]:
        """The JSON of every consent event, in the order they were recorded."""
        return [str(r[0]) for r in self.query("SELECT data FROM consent_events ORDER BY seq")]

    @staticmethod
    def append_decision(
        tx: Transaction,
        *,
        id: str,
        at: str,
        subject_kind: str,
        subject_id: str,
        platform: str,
        data: str,
    ) -> int | None:
        """Append a decision audit record; its sequence number, ``None`` if ``id`` exists."""
        if tx.one("SELECT 1 FROM decisions WHERE id = ?", (id,)) is not None:
            return None
        row = tx.one("SELECT COALESCE(MAX(seq), 0) + 1 FROM decisions")
        seq = int(row[0]) if row else 1
        tx.execute(
            "INSERT INTO decisions (seq, id, at, subject_kind, subject_id, platform, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (seq, id, at, subject_kind, subject_id, platform, data),
        )
        return seq

    def decisions(
        self,
        *,
        subject_kind: str | None = None,
        subject_id: str | None = None,
        platform: str | None = None,
    ) -> list[str]:
        """The JSON of the decision records matching every filter given, oldest first."""
        clauses, params = [], []
        for column, value in (
            ("subject_kind", subject_kind),
            ("subject_id", subject_id),
            ("platform", platform),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")  # column names are fixed above, never input
                params.append(value)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self.query(f"SELECT data FROM decisions{where} ORDER BY seq", params)
        return [str(r[0]) for r in rows]
