"""The workspace database: every SQL statement of the store is here.

:class:`Database` is the one place that speaks SQL for records, the media and
appearance indexes, consent events and decisions. The rest of the store calls
its methods with plain values; statements use ``?`` parameters passed
separately from the SQL (never formatted into it). Where the SQL runs is a
:class:`~terrain.store._backend.Backend`: SQLite (the embedded default) or
PostgreSQL (:mod:`terrain.store._postgres`), chosen by the store URL
(:meth:`Database.connect`); nothing above this module knows which.

Writes happen inside :meth:`Database.transaction` (writers take turns: SQLite's
``BEGIN IMMEDIATE``, a PostgreSQL advisory lock), so a failure leaves nothing
half written. Transactions nest: an inner ``transaction()`` of the same thread
joins the outer one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

from terrain.errors import ConfigError, NotFound, StorageError
from terrain.secrets import remember_secret
from terrain.store._backend import BUSY_TIMEOUT_MS, Backend, Params, Row, SQLiteBackend, Transaction
from terrain.store._schema import (
    MIGRATIONS,
    Listed,
    handle_rows,
    index_member_handles,
    latest_version,
)
from terrain.store._url import PASSWORD_ENV_VAR, StoreURL, parse_store_url

__all__ = ["BUSY_TIMEOUT_MS", "CHUNK", "Database", "Transaction"]

#: Most ``?`` values one ``IN (...)`` list takes (well under SQLite's and
#: PostgreSQL's limits); longer lists are read in chunks.
CHUNK = 500


class Database:
    """A workspace's database, on the backend its store URL names.

    Open one with :meth:`open` (a SQLite file) or :meth:`connect` (any store
    URL); :meth:`close` it when done.
    """

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        #: The migrations applied when this database was opened (their notes: :meth:`notes`).
        self.migrated_now: list[int] = []

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.backend.dialect

    @property
    def path(self) -> Path | None:
        """The SQLite file, or ``None`` on PostgreSQL."""
        return getattr(self.backend, "path", None)

    @property
    def url(self) -> str:
        """Where the records live, as a URL without any password (for messages)."""
        return self.backend.describe()

    def __repr__(self) -> str:
        return f"<Database {self.url}>"

    # -- opening and closing -------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        create: bool = False,
        migrate: bool = True,
        synchronous: str = "FULL",
        read_only: bool = False,
        zone: str | None = None,
        busy_timeout: float = BUSY_TIMEOUT_MS / 1000,
    ) -> Database:
        """Open the SQLite database at ``path`` (``create`` it if asked) and migrate it
        (``zone``: the community's time zone, see :meth:`migrate`).

        ``read_only`` opens it for reading only: no migration, no write (a
        :class:`~terrain.errors.StorageError` if one is tried); its schema must
        be the current one. ``busy_timeout``: seconds a write waits for a lock
        another program holds before :class:`~terrain.errors.StoreUnavailable`.
        """
        backend = SQLiteBackend(
            path,
            create=create,
            synchronous=synchronous,
            read_only=read_only,
            busy_timeout_ms=int(busy_timeout * 1000),
        )
        return cls._migrated(backend, migrate, zone)

    @classmethod
    def connect(
        cls,
        url: str | StoreURL,
        *,
        base: Path | None = None,
        environ: Mapping[str, str] | None = None,
        create: bool = False,
        migrate: bool = True,
        pool_size: int | None = None,
        read_only: bool = False,
        zone: str | None = None,
    ) -> Database:
        """Open the store at ``url`` (``postgresql://…``, ``sqlite:///…``) and migrate it.

        Relative SQLite paths are taken from ``base``; ``create`` makes a
        missing SQLite file (a PostgreSQL database must exist: ``createdb``).
        The PostgreSQL password is ``$TERRAIN_STORE_PASSWORD`` from
        ``environ`` (default ``os.environ``), else libpq's ``PGPASSWORD`` or
        ``~/.pgpass``. ``read_only``: as for :meth:`open` (on PostgreSQL, the
        sessions are read-only and the connection waits 2 s at most).
        """
        import os

        parsed = url if isinstance(url, StoreURL) else parse_store_url(url, base=base)
        backend: Backend
        if parsed.scheme == "sqlite":
            assert parsed.path is not None
            if not create and not parsed.path.is_file():
                raise NotFound(
                    f"there is no SQLite store at {parsed.path}: check the path (sqlite:/// takes "
                    "an absolute path), or create it with `terrain init`"
                )
            backend = SQLiteBackend(parsed.path, create=create, read_only=read_only)
        else:
            from terrain.store._postgres import PostgresBackend

            env = os.environ if environ is None else environ
            password = env.get(PASSWORD_ENV_VAR) or None
            if password is not None:
                remember_secret(password)  # masked in every message from now on
            backend = PostgresBackend(
                parsed, password=password, pool_size=pool_size, read_only=read_only
            )
        return cls._migrated(backend, migrate, zone)

    @classmethod
    def _migrated(cls, backend: Backend, migrate: bool, zone: str | None = None) -> Database:
        database = cls(backend)
        try:
            if backend.read_only:
                database._check_current()
            elif migrate:
                database.migrated_now = database.migrate(zone=zone)
        except BaseException:
            database.close()
            raise
        return database

    def _check_current(self) -> None:
        """Refuse a store opened read-only whose schema is not this terrain's."""
        current = self.schema_version()
        if current != latest_version():
            raise StorageError(
                f"{self.url} has schema version {current}, this terrain reads version "
                f"{latest_version()}: it cannot be read without migrating it; run "
                "`terrain store migrate` (or upgrade terrain, if the store is newer)"
            )

    def compact(self, tables: Sequence[str]) -> None:
        """Rewrite the store so that no deleted or overwritten row of ``tables`` is left in
        its files (SQLite: ``VACUUM`` and an emptied WAL; PostgreSQL: ``VACUUM FULL``)."""
        self.backend.compact(tables)

    def close(self) -> None:
        """Close every connection (on SQLite the WAL is checkpointed and removed)."""
        self.backend.close()

    def ping(self) -> None:
        """Return when the store can be used again, or raise
        :class:`~terrain.errors.StoreUnavailable` (a server still down, a file still
        locked). On PostgreSQL a success also replaces the pool's stale connections."""
        self.backend.ping()

    # -- transactions and raw access (for other parts of terrain) -----------------------

    @contextmanager
    def transaction(self, *, exclusive: bool = True, group: bool = False) -> Iterator[Transaction]:
        """A write transaction; an inner call (same thread) joins the outer transaction.

        ``exclusive=False`` lets other writers run at once (PostgreSQL); use it
        only for statements that lock the rows they change. ``group=True`` lets
        SQLite commit it with other threads' transactions in one synced commit
        (the block still returns only once its writes are committed); only for
        a caller that holds no lock another writer's transaction takes.
        """
        with self.backend.transaction(exclusive=exclusive, group=group) as tx:
            yield tx

    def execute(self, sql: str, params: Params = (), *, group: bool = False) -> int:
        """Run one self-guarding writing statement on its own; the number of rows changed.

        Cheaper than a :meth:`transaction` on PostgreSQL (no lock, no
        ``BEGIN``/``COMMIT``); joins this thread's transaction if one is open.
        """
        return self.backend.execute(sql, params, group=group)

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        """Rows of a read-only query (in this thread's transaction, if one is open)."""
        return self.backend.query(sql, params)

    def query_in(self, sql: str, values: Sequence[str]) -> list[Row]:
        """Rows of read-only query ``sql`` whose ``IN ({marks})`` list takes ``values``:
        run once per ``CHUNK`` (500) of them (``{marks}`` becomes their ``?``), the
        rows of every run together."""
        rows: list[Row] = []
        for start in range(0, len(values), CHUNK):
            chunk = list(values[start : start + CHUNK])
            rows += self.query(sql.format(marks=", ".join("?" for _ in chunk)), chunk)
        return rows

    # -- schema ----------------------------------------------------------------------------

    def schema_version(self) -> int:
        """The version of the last migration applied (0 for an empty database)."""
        if not self.backend.table_exists("schema_version"):
            return 0
        rows = self.query("SELECT MAX(version) FROM schema_version")
        return int(rows[0][0] or 0)

    def migrate(self, *, zone: str | None = None, up_to: int | None = None) -> list[int]:
        """Apply every pending migration (up to version ``up_to``), each in its own
        transaction; their versions.

        ``zone`` is the community's IANA time zone, which a migration that
        repairs stored datetimes needs (:meth:`notes` then says what it did);
        without it such a migration refuses a store that holds datetimes.
        """
        current = self.schema_version()
        tz = None if zone is None else ZoneInfo(zone)
        if current > latest_version():
            raise ConfigError(
                f"{self.url} has schema version {current}, but this terrain knows versions up "
                f"to {latest_version()}: upgrade terrain (pip install -U terrain-field)"
            )
        applied = []
        for migration in MIGRATIONS:
            if migration.version <= current or (up_to is not None and migration.version > up_to):
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
                if migration.repair is not None:
                    tx.execute_many(
                        "INSERT INTO schema_notes (version, seq, note) VALUES (?, ?, ?)",
                        [
                            (migration.version, seq, note)
                            for seq, note in enumerate(migration.repair(tx, tz), start=1)
                        ],
                    )
                tx.execute(
                    "INSERT INTO schema_version (version, name) VALUES (?, ?)",
                    (migration.version, migration.name),
                )
            applied.append(migration.version)
        return applied

    def notes(self, versions: Sequence[int] | None = None) -> list[tuple[int, str]]:
        """``(version, note)`` of what the data repairs of migrations did (of ``versions``)."""
        if not self.backend.table_exists("schema_notes"):
            return []
        rows = self.query("SELECT version, note FROM schema_notes ORDER BY version, seq")
        wanted = None if versions is None else set(versions)
        return [(int(v), str(n)) for v, n in rows if wanted is None or int(v) in wanted]

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

    def list_records_of_event(self, kind: str, event_id: str) -> list[str]:
        """The JSON of every content of event ``event_id``, by id (``kind`` is ``"content"``)."""
        rows = self.query(
            "SELECT r.data FROM content_index i JOIN records r "
            "ON r.kind = ? AND r.id = i.content_id WHERE i.event_id = ? ORDER BY i.content_id",
            (kind, event_id),
        )
        return [str(r[0]) for r in rows]

    def content_listing(
        self, event_id: str | None = None
    ) -> list[tuple[str, str | None, str | None, int | None, str | None, str | None]]:
        """``(id, kind, title, reviewed, people, digest)`` of every content (of event
        ``event_id``), by id, in one query: the listing the index holds of each
        (``None`` when it holds none) and the digest of the JSON it was made from,
        ``None`` when the record was written since by anyone but terrain (the
        triggers of migration 18 say so): no JSON is read."""
        columns = "r.id, i.kind, i.title, i.reviewed, i.people, i.digest"
        return self._contents(columns, event_id)

    def content_lines(
        self, event_id: str | None, *, kinds: Collection[str]
    ) -> list[tuple[str, str | None]]:
        """``(id, line)`` of every content (of event ``event_id``), in
        :meth:`content_listing`'s order, in one query: the line
        :meth:`terrain.content.ListedContent.line` made of the listing the content
        index holds of it (kept with it when written); ``None`` when the index holds
        no listing of it, one of a kind not in ``kinds``, or a stale one (no digest:
        its record was written since by anyone but terrain). A listing of 20,000
        contents reads 20,000 lines, no JSON, and formats nothing."""
        wanted = sorted(kinds)
        line = (
            f"CASE WHEN i.digest IS NOT NULL AND i.kind IN ({', '.join('?' for _ in wanted)}) "
            "THEN i.line END"
        )
        return self._contents(f"r.id, {line}", event_id, tuple(wanted))

    def _contents(self, columns: str, event_id: str | None, params: tuple[str, ...] = ()
                  ) -> list[Row]:
        """``columns`` of every content (``r``: its record, ``i``: its row in the
        content index, if any) or of event ``event_id``'s, by id (the record's JSON is
        not read: its id is in the primary key's index)."""
        if event_id is None:
            return self.query(
                f"SELECT {columns} FROM records r LEFT JOIN content_index i "
                "ON i.content_id = r.id WHERE r.kind = 'content' ORDER BY r.id",
                params,
            )
        return self.query(
            f"SELECT {columns} FROM content_index i JOIN records r "
            "ON r.kind = 'content' AND r.id = i.content_id WHERE i.event_id = ? "
            "ORDER BY i.content_id",
            (*params, event_id),
        )

    def get_records(self, kind: str, ids: Sequence[str]) -> dict[str, str]:
        """The JSON of the records ``ids`` of ``kind`` that exist, by id (one query)."""
        wanted = sorted(set(ids))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            marks = ", ".join("?" for _ in chunk)
            rows = self.query(
                f"SELECT id, data FROM records WHERE kind = ? AND id IN ({marks})", (kind, *chunk)
            )
            found.update((str(r[0]), str(r[1])) for r in rows)
        return found

    #: A record's revision: one more than the last revision of its kind (writers
    #: take turns, so revisions of a kind grow in commit order).
    _NEXT_REV = "(SELECT COALESCE(MAX(rev), 0) + 1 FROM records WHERE kind = ?)"

    @staticmethod
    def insert_record(tx: Transaction, kind: str, id: str, data: str) -> bool:
        """Insert a record; ``False`` (and nothing written) if ``kind``/``id`` exists."""
        if tx.one("SELECT 1 FROM records WHERE kind = ? AND id = ?", (kind, id)) is not None:
            return False
        tx.execute(
            f"INSERT INTO records (kind, id, data, rev) VALUES (?, ?, ?, {Database._NEXT_REV})",
            (kind, id, data, kind),
        )
        return True

    @staticmethod
    def upsert_record(tx: Transaction, kind: str, id: str, data: str) -> None:
        """Insert or replace record ``kind``/``id`` (its revision moves on)."""
        tx.execute(
            f"INSERT INTO records (kind, id, data, rev) VALUES (?, ?, ?, {Database._NEXT_REV}) "
            "ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data, rev = excluded.rev",
            (kind, id, data, kind),
        )

    def changes_since(
        self, seq: int, member_rev: int
    ) -> list[tuple[int, int, str, str, str | None]]:
        """What the consent ledger has not seen yet, in one indexed query.

        ``(0, rev, member id, member JSON, None)`` for each member written after
        revision ``member_rev``, then ``(1, seq, subject id, event JSON, peek)`` for
        each consent event after sequence number ``seq``, each in order (``peek``:
        what the event's reader may use instead of its JSON, see migration 15).
        """
        rows = self.query(
            "SELECT 0, rev, id, data, NULL FROM records WHERE kind = 'member' AND rev > ? "
            "UNION ALL SELECT 1, seq, subject_id, data, peek FROM consent_events WHERE seq > ? "
            "ORDER BY 1, 2",
            (member_rev, seq),
        )
        return [
            (int(r[0]), int(r[1]), str(r[2]), str(r[3]), None if r[4] is None else str(r[4]))
            for r in rows
        ]

    def consent_events_of(
        self, subjects: Sequence[str], *, upto: int
    ) -> list[tuple[str, str | None]]:
        """The JSON and peek (migration 15) of the consent events of ``subjects`` up to
        sequence number ``upto``, in order (indexed by subject)."""
        found: list[tuple[int, str, str | None]] = []
        for start in range(0, len(subjects), CHUNK):
            chunk = subjects[start : start + CHUNK]
            marks = ", ".join("?" for _ in chunk)
            rows = self.query(
                f"SELECT seq, data, peek FROM consent_events WHERE subject_id IN ({marks}) "
                "AND seq <= ?",
                (*chunk, upto),
            )
            found.extend(
                (int(r[0]), str(r[1]), None if r[2] is None else str(r[2])) for r in rows
            )
        return [(data, peek) for _, data, peek in sorted(found, key=lambda f: f[0])]

    def consent_events_but(self, subjects: Collection[str], *, upto: int) -> list[str]:
        """The JSON of the consent events of everyone but ``subjects`` up to sequence
        number ``upto``, in order: what a ledger holding those people's events lacks
        to hold everyone's. Up to ``CHUNK`` (500) people, theirs are not read at all;
        more, they are read and left out here."""
        if len(subjects) > CHUNK:
            rows = self.query(
                "SELECT subject_id, data FROM consent_events WHERE seq <= ? ORDER BY seq",
                (upto,),
            )
            return [str(r[1]) for r in rows if r[0] not in subjects]
        people = sorted(subjects)
        others = f"AND subject_id NOT IN ({', '.join('?' for _ in people)}) " if people else ""
        rows = self.query(
            f"SELECT data FROM consent_events WHERE seq <= ? {others}ORDER BY seq",
            (upto, *people),
        )
        return [str(r[0]) for r in rows]

    def last_consent_seq(self) -> int:
        """The sequence number of the last consent event (0 when there is none)."""
        rows = self.query("SELECT COALESCE(MAX(seq), 0) FROM consent_events")
        return int(rows[0][0])

    @staticmethod
    def delete_record(tx: Transaction, kind: str, id: str) -> bool:
        """Delete record ``kind``/``id``; ``False`` if there was none."""
        return tx.execute("DELETE FROM records WHERE kind = ? AND id = ?", (kind, id)) > 0

    @staticmethod
    def index_content(
        tx: Transaction,
        content_id: str,
        media: Sequence[tuple[str, str, str]],
        member_ids: Sequence[str],
        event_id: str | None = None,
        author_id: str | None = None,
        listed: Listed = (None,) * 6,
    ) -> None:
        """Replace the indexes of a content: its media (id, checksum, key), members,
        event, author and what a listing shows of it (``listed``: kind, title,
        reviewed, people, the digest of its JSON and the line printed, as
        ``terrain.store._schema.summary_row`` gives them). Written after the record:
        the record's triggers mark the listing stale (migration 18)."""
        tx.execute(
            "INSERT INTO content_index (content_id, event_id, author_id, kind, title, "
            "reviewed, people, digest, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (content_id) DO UPDATE SET event_id = excluded.event_id, "
            "author_id = excluded.author_id, kind = excluded.kind, title = excluded.title, "
            "reviewed = excluded.reviewed, people = excluded.people, "
            "digest = excluded.digest, line = excluded.line",
            (content_id, event_id, author_id, *listed),
        )
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

    def contents_involving(self, member_id: str) -> list[str]:
        """Ids of the contents ``member_id`` appears in or made, sorted (indexed)."""
        rows = self.query(
            "SELECT content_id FROM appearance_index WHERE member_id = ? "
            "UNION SELECT content_id FROM content_index WHERE author_id = ? ORDER BY 1",
            (member_id, member_id),
        )
        return [str(r[0]) for r in rows]

    # -- people, read by what is asked about them (issue 17) ---------------------------------

    def consent_of_people(
        self, subjects: Sequence[str]
    ) -> tuple[list[tuple[int, str, str | None]], int, int]:
        """The consent events of ``subjects`` as ``(seq, JSON, peek)`` in order (``peek``:
        see migration 15), the last sequence number of the whole log and the last member
        revision; no member is read. One statement (one snapshot of the store) reads the
        events of the first ``CHUNK`` (500) people and both numbers; the others' events
        are read up to the same sequence number."""
        first = subjects[:CHUNK]
        marks = ", ".join("?" for _ in first) or "NULL"
        rows = self.query(
            f"SELECT 1, seq, data, peek FROM consent_events WHERE subject_id IN ({marks}) "
            "UNION ALL SELECT 2, COALESCE(MAX(seq), 0), '', NULL FROM consent_events "
            "UNION ALL SELECT 3, COALESCE(MAX(rev), -1), '', NULL FROM records "
            "WHERE kind = 'member' ORDER BY 1, 2",
            tuple(first),
        )
        events = [
            (int(r[1]), str(r[2]), None if r[3] is None else str(r[3]))
            for r in rows if int(r[0]) == 1
        ]
        last = next(int(r[1]) for r in rows if int(r[0]) == 2)
        rev = next(int(r[1]) for r in rows if int(r[0]) == 3)
        rest = subjects[CHUNK:]
        for start in range(0, len(rest), CHUNK):
            chunk = rest[start : start + CHUNK]
            found = self.query(
                f"SELECT seq, data, peek FROM consent_events WHERE subject_id IN "
                f"({', '.join('?' for _ in chunk)}) AND seq <= ?",
                (*chunk, last),
            )
            events += [(int(r[0]), str(r[1]), None if r[2] is None else str(r[2])) for r in found]
        return sorted(events, key=lambda e: e[0]), last, rev

    def members_but(self, ids: Collection[str]) -> list[tuple[str, str]]:
        """``(id, JSON)`` of every member but ``ids``: up to ``CHUNK`` (500) of them,
        theirs are not read at all; more, they are read and left out here."""
        if len(ids) > CHUNK:
            rows = self.query("SELECT id, data FROM records WHERE kind = 'member' ORDER BY id")
            return [(str(r[0]), str(r[1])) for r in rows if r[0] not in ids]
        people = sorted(ids)
        others = f"AND id NOT IN ({', '.join('?' for _ in people)}) " if people else ""
        rows = self.query(
            f"SELECT id, data FROM records WHERE kind = 'member' {others}ORDER BY id",
            tuple(people),
        )
        return [(str(r[0]), str(r[1])) for r in rows]

    def handle_owners(self, forms: Collection[str]) -> dict[str, list[str]]:
        """The members on record under each of ``forms`` (lower-case handle forms,
        see :func:`terrain.posts.handle_forms`), and under every form that is not
        plain whatever was asked: ``{form: member ids, sorted}`` (indexed)."""
        found: dict[str, set[str]] = {}
        odd = "SELECT form, member_id FROM member_handles WHERE plain = 0"
        wanted = sorted(forms)
        first = wanted[:CHUNK]
        # the forms of one text and the odd ones: one statement (a post asks twice)
        rows = self.query(
            f"{odd} UNION ALL SELECT form, member_id FROM member_handles "
            f"WHERE form IN ({', '.join('?' for _ in first)})" if first else odd,
            first,
        )
        if len(wanted) > CHUNK:
            rows += self.query_in(
                "SELECT form, member_id FROM member_handles WHERE form IN ({marks})",
                wanted[CHUNK:],
            )
        for form, member_id in rows:
            found.setdefault(str(form), set()).add(str(member_id))
        return {form: sorted(ids) for form, ids in found.items()}

    @staticmethod
    def index_member(tx: Transaction, member_id: str, handles: Collection[str]) -> None:
        """Replace the handles on record of member ``member_id`` by ``handles``."""
        tx.execute("DELETE FROM member_handles WHERE member_id = ?", (member_id,))
        tx.execute_many(
            "INSERT INTO member_handles (form, member_id, plain) VALUES (?, ?, ?)",
            handle_rows(member_id, handles),
        )

    @staticmethod
    def reindex_members(tx: Transaction) -> None:
        """Index the handles of every stored member again (after a rewrite of records)."""
        index_member_handles(tx)

    # -- append-only logs ------------------------------------------------------------------

    @staticmethod
    def append_consent_event(
        tx: Transaction,
        subject_id: str,
        at: str,
        data: str,
        *,
        seq: int | None = None,
        consent_id: str | None = None,
        peek: str | None = None,
    ) -> int:
        """Append a consent event; its sequence number (``seq`` when the caller,
        holding the write lock, already knows the next one). ``consent_id`` is
        the id of the record a recording event makes: unique across the log.
        ``peek`` is what a reader may use instead of decoding ``data`` (migration 15:
        ``Workspace`` writes it; ``None`` reads the JSON)."""
        if seq is None:
            row = tx.one("SELECT COALESCE(MAX(seq), 0) + 1 FROM consent_events")
            seq = int(row[0]) if row else 1
        tx.execute(
            "INSERT INTO consent_events (seq, subject_id, at, data, consent_id, peek) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (seq, subject_id, at, data, consent_id, peek),
        )
        return seq

    def taken_consent_ids(self, ids: Sequence[str]) -> list[str]:
        """Which of ``ids`` already name a stored consent record, sorted (indexed)."""
        taken: list[str] = []
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            marks = ", ".join("?" for _ in chunk)
            rows = self.query(
                f"SELECT consent_id FROM consent_events WHERE consent_id IN ({marks})", chunk
            )
            taken.extend(str(r[0]) for r in rows)
        return sorted(taken)

    def next_consent_id(self) -> str:
        """The id a new consent record gets: ``c-N``, N one more than the records
        stored, the next free one if that is taken (indexed: the log is not read)."""
        rows = self.query("SELECT COUNT(consent_id) FROM consent_events")
        n = int(rows[0][0]) + 1
        while self.query("SELECT 1 FROM consent_events WHERE consent_id = ?", (f"c-{n}",)):
            n += 1
        return f"c-{n}"

    # -- the consent timeline (issue 17: a listing is a lookup) ------------------------------

    def stale_timelines(self, rule: str, subject_id: str | None = None) -> set[str]:
        """The people with consent events (``subject_id`` only, when given) whose stored
        timeline is missing or behind: no stamp, an event after it, another guardian
        ``rule``, or one of the people it read (``consent_stamp_people``) added,
        removed or written since. One query: nothing is decoded."""
        where, params = ("WHERE subject_id = ? ", (subject_id, rule)) if subject_id else (
            "", (rule,)
        )
        rows = self.query(
            "SELECT h.subject_id FROM (SELECT subject_id, MAX(seq) AS head FROM consent_events "
            f"{where}GROUP BY subject_id) h "
            "LEFT JOIN consent_stamps s ON s.subject_id = h.subject_id "
            "WHERE s.subject_id IS NULL OR h.head > s.seq OR s.rule <> ? "
            "OR NOT EXISTS (SELECT 1 FROM consent_stamp_people p "
            "WHERE p.subject_id = h.subject_id) "
            "OR EXISTS (SELECT 1 FROM consent_stamp_people p LEFT JOIN records m "
            "ON m.kind = 'member' AND m.id = p.person_id WHERE p.subject_id = h.subject_id "
            "AND ((m.id IS NULL AND p.present = 1) "
            "OR (m.id IS NOT NULL AND (p.present = 0 OR m.rev > s.rev))))",
            params,
        )
        return {str(r[0]) for r in rows}

    @staticmethod
    def replace_timelines(
        tx: Transaction,
        subjects: Sequence[str],
        spans: Sequence[tuple[str, int, int, int | None, str, str, str, str]],
        standing: Sequence[tuple[str, int, str]],
        stamps: Sequence[tuple[str, int, int, str, str]],
        people: Sequence[tuple[str, str, int]],
    ) -> None:
        """Replace the stored timelines of ``subjects``: ``spans`` (subject, position,
        since, until, consent id, status, detail, summary), ``standing`` (subject,
        position, JSON), ``stamps`` (subject, seq, rev, rule, people JSON) and the
        ``people`` each read (subject, person, 1 if on record else 0)."""
        Database.forget_timelines(tx, subjects)
        tx.execute_many(
            "INSERT INTO consent_spans (subject_id, pos, since_us, until_us, consent_id, "
            "status, detail, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", spans,
        )
        tx.execute_many(
            "INSERT INTO consent_standing (subject_id, pos, data) VALUES (?, ?, ?)", standing,
        )
        tx.execute_many(
            "INSERT INTO consent_stamps (subject_id, seq, rev, rule, people) "
            "VALUES (?, ?, ?, ?, ?)", stamps,
        )
        tx.execute_many(
            "INSERT INTO consent_stamp_people (subject_id, person_id, present) "
            "VALUES (?, ?, ?)", people,
        )

    @staticmethod
    def forget_timelines(tx: Transaction, subjects: Collection[str] | None = None) -> None:
        """Drop the stored timelines of ``subjects`` (every one, when ``None``): they are
        made again from the log when listed."""
        tables = ("consent_spans", "consent_standing", "consent_stamps", "consent_stamp_people")
        for table in tables:  # names fixed here
            if subjects is None:
                tx.execute(f"DELETE FROM {table}")
            else:
                tx.execute_many(f"DELETE FROM {table} WHERE subject_id = ?",
                                [(s,) for s in sorted(subjects)])

    @staticmethod
    def subjects_of_events(tx: Transaction, seqs: Collection[int]) -> set[str]:
        """The subjects of the consent events numbered ``seqs``."""
        return _subjects_where(tx, "consent_events", "seq", sorted(set(seqs)))

    @staticmethod
    def timelines_reading(tx: Transaction, people: Collection[str]) -> set[str]:
        """The people whose stored timeline read one of ``people`` (their member records)."""
        return _subjects_where(tx, "consent_stamp_people", "person_id", sorted(set(people)))

    def timeline_at(
        self, when: int, subject_id: str | None = None, *, data: bool = False
    ) -> list[tuple[str, int, str, str, str, str, str | None]]:
        """``(subject, position, consent id, status, detail, summary, JSON or None)``
        of every stored record span holding at ``when`` (UTC microseconds), of
        ``subject_id`` only when given; the record's JSON only with ``data``."""
        where, params = ("AND s.subject_id = ? ", (when, when, subject_id)) if subject_id else (
            "", (when, when)
        )
        if data:
            rows = self.query(
                "SELECT s.subject_id, s.pos, s.consent_id, s.status, s.detail, s.summary, "
                "r.data FROM consent_spans s JOIN consent_standing r "
                "ON r.subject_id = s.subject_id AND r.pos = s.pos "
                f"WHERE s.since_us <= ? AND (s.until_us IS NULL OR s.until_us > ?) {where}",
                params,
            )
        else:
            rows = self.query(
                "SELECT s.subject_id, s.pos, s.consent_id, s.status, s.detail, s.summary, NULL "
                f"FROM consent_spans s WHERE s.since_us <= ? AND (s.until_us IS NULL OR "
                f"s.until_us > ?) {where}",
                params,
            )
        # TEXT and INTEGER columns come back as str and int (both backends): thousands
        # of rows are not converted one value at a time
        return cast("list[tuple[str, int, str, str, str, str, str | None]]", rows)

    def timeline_lines_at(self, when: int, subject_id: str | None = None) -> list[str]:
        """The line :meth:`terrain.consent.ListedConsent.line` makes of each stored
        record span holding at ``when`` (of ``subject_id`` only when given), made by
        the database, by person then position: a listing of 20,000 records hands
        Python 20,000 strings, not 20,000 rows to format."""
        where, params = ("AND s.subject_id = ? ", (when, when, subject_id)) if subject_id else (
            "", (when, when)
        )
        # The columns are padded to 8, 16 and 16 characters (never cut), as Python's
        # format does; ids sort by code point (SQLite's BINARY collation of UTF-8, and
        # PostgreSQL's "C"), as Python sorts them.
        pad, order = ("format('%-8s %-16s %-16s ', ", 's.subject_id COLLATE "C"') if (
            self.dialect == "postgresql"
        ) else ("printf('%!-8s %!-16s %!-16s ', ", "s.subject_id")
        rows = self.query(
            f"SELECT {pad}s.consent_id, s.subject_id, s.status) || s.summary || "
            "CASE WHEN s.detail <> '' THEN ' (' || s.detail || ')' ELSE '' END "
            "FROM consent_spans s WHERE s.since_us <= ? AND (s.until_us IS NULL OR "
            f"s.until_us > ?) {where}ORDER BY {order}, s.pos",
            params,
        )
        return [row[0] for row in rows]

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
        """Append a decision audit record; its sequence number, ``None`` if ``id`` exists.

        Whether ``id`` is taken and the next sequence number are read in one
        statement (the publishing runner appends one record per call)."""
        row = tx.one(
            "SELECT (SELECT 1 FROM decisions WHERE id = ?), COALESCE(MAX(seq), 0) + 1 "
            "FROM decisions",
            (id,),
        )
        if row is not None and row[0] is not None:
            return None
        seq = int(row[1]) if row else 1
        tx.execute(
            "INSERT INTO decisions (seq, id, at, subject_kind, subject_id, platform, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (seq, id, at, subject_kind, subject_id, platform, data),
        )
        return seq

    def decisions_of(
        self, subject_kind: str, subject_ids: Sequence[str]
    ) -> list[tuple[str, str, str]]:
        """``(subject_id, platform, JSON)`` of the decision records about ``subject_ids``,
        oldest first (one indexed query per ``CHUNK`` (500) ids)."""
        wanted = sorted(set(subject_ids))
        found: list[tuple[int, str, str, str]] = []
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            marks = ", ".join("?" for _ in chunk)
            rows = self.query(
                "SELECT seq, subject_id, platform, data FROM decisions "
                f"WHERE subject_kind = ? AND subject_id IN ({marks})",
                (subject_kind, *chunk),
            )
            found.extend((int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows)
        return [(subject, platform, data) for _, subject, platform, data in sorted(found)]

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

    # -- history of record changes ----------------------------------------------------------

    #: The columns of a history row, in the order :meth:`history` returns them.
    HISTORY_COLUMNS = ("seq", "at", "who", "action", "kind", "record_id", "before", "after", "note")

    @staticmethod
    def record_change(
        tx: Transaction,
        *,
        at: str,
        who: str,
        action: str,
        kind: str,
        record_id: str,
        before: str | None,
        after: str | None,
        note: str = "",
    ) -> None:
        """Append a change of record ``kind``/``record_id`` to the history (``before`` and
        ``after`` are its JSON, ``None`` when it did not or no longer exists)."""
        tx.execute(
            "INSERT INTO history (seq, at, who, action, kind, record_id, before, after, note) "
            "VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM history), ?, ?, ?, ?, ?, ?, ?, ?)",
            (at, who, action, kind, record_id, before, after, note),
        )

    def history(
        self,
        *,
        kind: str | None = None,
        record_id: str | None = None,
        limit: int | None = None,
    ) -> list[Row]:
        """History rows (:data:`HISTORY_COLUMNS`) of ``kind`` (and ``record_id``), oldest
        first; ``limit``: only the latest that many."""
        clauses, params = [], []
        for column, value in (("kind", kind), ("record_id", record_id)):
            if value is not None:
                clauses.append(f"{column} = ?")  # column names are fixed above, never input
                params.append(value)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        columns = ", ".join(self.HISTORY_COLUMNS)
        if limit is None:
            return self.query(f"SELECT {columns} FROM history{where} ORDER BY seq", params)
        rows = self.query(
            f"SELECT {columns} FROM history{where} ORDER BY seq DESC LIMIT ?", [*params, limit]
        )
        return rows[::-1]

    @staticmethod
    def unindex_content(tx: Transaction, content_id: str) -> None:
        """Drop a deleted content from the content, media and appearance indexes."""
        tx.execute("DELETE FROM content_index WHERE content_id = ?", (content_id,))
        tx.execute("DELETE FROM media_index WHERE content_id = ?", (content_id,))
        tx.execute("DELETE FROM appearance_index WHERE content_id = ?", (content_id,))

    def live_posts(self) -> list[tuple[str, str, str]]:
        """``(post id, platform, post JSON)`` of every post online: sent or confirmed,
        not taken down (what a deletion must not pull the ground from under)."""
        rows = self.query(
            "SELECT post_id, platform, post_json FROM publication_journal "
            "WHERE state IN ('sent', 'confirmed') AND taken_down_at IS NULL "
            "ORDER BY post_id, platform"
        )
        return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


def _subjects_where(
    tx: Transaction, table: str, column: str, values: Sequence[str | int]
) -> set[str]:
    """The ``subject_id`` of the rows of ``table`` whose ``column`` is one of ``values``
    (one query per ``CHUNK``; names fixed by the callers)."""
    found: set[str] = set()
    for start in range(0, len(values), CHUNK):
        chunk = list(values[start : start + CHUNK])
        marks = ", ".join("?" for _ in chunk)
        rows = tx.query(f"SELECT subject_id FROM {table} WHERE {column} IN ({marks})", chunk)
        found.update(str(r[0]) for r in rows)
    return found
