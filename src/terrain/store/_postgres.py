"""The store on PostgreSQL: psycopg 3 and a ``psycopg_pool.ConnectionPool``.

psycopg is imported when a PostgreSQL store is opened, never at ``import
terrain`` (install it with ``pip install 'terrain-field[postgres]'``).

* Statements are the store's own, written with ``?``: :func:`to_pyformat` is
  the one place they become psycopg's ``%s``.
* An exclusive transaction takes ``pg_advisory_xact_lock`` (:data:`WRITE_LOCK`),
  so store writers take turns as they do on SQLite (sequence numbers are
  ``MAX(seq) + 1``; migrations run by several processes at once apply once).
  The journal's claims use ``exclusive=False`` and ``FOR UPDATE SKIP LOCKED``
  instead, so workers on several machines proceed at once.
* The password comes from :data:`~terrain.store._url.PASSWORD_ENV_VAR`, else
  libpq finds it (``PGPASSWORD``, ``~/.pgpass``); it is handed to libpq
  only, never put in a URL, a repr or a message.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from terrain.errors import ConfigError, StorageError
from terrain.store._backend import Backend, Row, Transaction
from terrain.store._url import PASSWORD_ENV_VAR, StoreURL, redact

if TYPE_CHECKING:
    import psycopg
    from psycopg_pool import ConnectionPool

__all__ = ["DEFAULT_POOL_SIZE", "WRITE_LOCK", "PostgresBackend", "to_pyformat"]

#: The advisory lock key store writers take turns on (scoped to the database).
WRITE_LOCK = 0x7465727261696E  # "terrain"
#: Connections a process keeps at most (a worker thread holds one while it writes).
DEFAULT_POOL_SIZE = 10
#: Seconds to wait for the server to answer, or for a free connection of the pool.
CONNECT_TIMEOUT = 10
#: The same for a store opened read-only (a quick look, e.g. shell completion).
READ_ONLY_CONNECT_TIMEOUT = 2


@functools.lru_cache(maxsize=512)
def to_pyformat(sql: str) -> str:
    """``sql`` with ``?`` parameters as psycopg's ``%s`` (a literal ``%`` doubled).

    terrain's statements hold no ``?`` inside string literals.
    """
    return sql.replace("%", "%%").replace("?", "%s")


def _driver() -> Any:
    try:
        import psycopg
        import psycopg_pool
    except ImportError:
        raise ConfigError(
            "this workspace's store is on PostgreSQL, which needs psycopg 3 and psycopg-pool: "
            "pip install 'terrain-field[postgres]'"
        ) from None
    return psycopg, psycopg_pool


def _message(exc: BaseException) -> str:
    """The first line of a driver error, without any password."""
    text = str(exc).strip().splitlines()
    return redact(text[0] if text else type(exc).__name__)


class PostgresBackend(Backend):
    """A PostgreSQL database reached through a connection pool."""

    dialect = "postgresql"

    def __init__(
        self,
        url: StoreURL,
        *,
        password: str | None = None,
        pool_size: int | None = None,
        read_only: bool = False,
    ) -> None:
        super().__init__(read_only=read_only)
        driver, pool = _driver()
        self._psycopg = driver
        self.url = url
        kwargs: dict[str, Any] = {"autocommit": True}
        if password:
            kwargs["password"] = password
        timeout = CONNECT_TIMEOUT
        if read_only:  # the server refuses any write on these connections too
            kwargs["options"] = "-c default_transaction_read_only=on"
            timeout = READ_ONLY_CONNECT_TIMEOUT
        try:  # one connection first: a wrong host, database or password says so now
            with driver.connect(url.conninfo, connect_timeout=timeout, **kwargs) as probe:
                row = probe.execute(
                    "SELECT datcollate FROM pg_database WHERE datname = current_database()"
                ).fetchone()
        except driver.Error as exc:
            raise StorageError(
                f"cannot connect to the store {url}: {_message(exc)}; check the server is up and "
                f"the URL in [store] url (the password comes from {PASSWORD_ENV_VAR}, "
                "PGPASSWORD or ~/.pgpass)"
            ) from None
        #: The database's text ordering: ``C`` sorts ids as SQLite does (see the docs).
        self.collation = str(row[0]) if row else "unknown"
        size = pool_size or DEFAULT_POOL_SIZE
        self._pool: ConnectionPool[psycopg.Connection[Any]] = pool.ConnectionPool(
            url.conninfo,
            kwargs=kwargs,
            min_size=1,
            max_size=size,
            open=True,
            timeout=timeout,
            check=pool.ConnectionPool.check_connection,
            name="terrain-store",
        )

    def describe(self) -> str:
        """The URL (it holds no password)."""
        return str(self.url)

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        driver = self._psycopg
        try:
            with self._pool.connection() as conn:
                yield conn
        except driver.OperationalError as exc:
            # psycopg_pool.PoolTimeout is an OperationalError: tell it apart here
            if type(exc).__name__ == "PoolTimeout":
                raise StorageError(
                    f"no connection to the store {self.url} within {CONNECT_TIMEOUT} s "
                    f"({_message(exc)}); check the server, or raise [store] pool_size"
                ) from None
            raise StorageError(
                f"the store {self.url} failed: {_message(exc)}; check the server and retry"
            ) from None

    @contextmanager
    def _begin(self, exclusive: bool) -> Iterator[Transaction]:
        with self._connection() as conn, conn.transaction():
            cursor = conn.cursor()

            def run(sql: str, params: tuple[Any, ...]) -> Any:
                return cursor.execute(to_pyformat(sql), params)

            def run_many(sql: str, rows: list[tuple[Any, ...]]) -> Any:
                conn.cursor().executemany(to_pyformat(sql), rows)

            tx = Transaction(
                run, run_many, dialect=self.dialect, exclusive=exclusive, counters=self.counters
            )
            if exclusive:
                self._lock(tx)
            yield tx

    def _lock(self, tx: Transaction) -> None:
        tx.query("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement on its own: autocommit, one round trip (no BEGIN/COMMIT)."""
        if self.read_only or getattr(self._local, "tx", None) is not None:
            return super().execute(sql, params)
        self.counters.statements += 1
        with self._connection() as conn:
            return int(conn.execute(to_pyformat(sql), tuple(params)).rowcount)

    def _read(self, sql: str, params: tuple[Any, ...]) -> list[Row]:
        with self._connection() as conn:
            return [tuple(r) for r in conn.execute(to_pyformat(sql), params).fetchall()]

    def table_exists(self, name: str) -> bool:
        """Whether table ``name`` exists (in the connection's search path)."""
        return bool(self.query("SELECT to_regclass(?) IS NOT NULL", (name,))[0][0])

    def columns(self, table: str) -> list[str]:
        """The columns of ``table`` (in the connection's search path), in table order."""
        rows = self.query(
            "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(?) "
            "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            (table,),
        )
        return [str(r[0]) for r in rows]

    def close(self) -> None:
        """Close the pool and its connections."""
        self._pool.close()
