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
* **Connection loss.** A server that is down, restarting or that dropped the
  connection raises :class:`~terrain.errors.StoreUnavailable` (never a raw
  driver error): the broken connection goes back to the pool, which discards
  it, and every connection is checked before it is handed out, so a stale one
  left from before a restart is replaced, not used (:func:`check_connection`:
  without a round trip to the server for a connection it has said nothing on).
  Whether to retry is the
  caller's choice (the publishing runner waits for the store and retries what
  is safe); :meth:`PostgresBackend.ping` says when the server answers again.
  The pool's own log lines (one per failed reconnection attempt) are demoted
  to ``DEBUG``: an outage is reported once, by whoever waits for it.
"""

from __future__ import annotations

import functools
import logging
import random
import select
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from terrain.errors import ConfigError, StorageError, StoreUnavailable
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
#: Seconds :meth:`PostgresBackend.ping` waits for the server (an outage is polled, not waited on).
PING_TIMEOUT = 3
#: Seconds of each slice of a wait for a pooled connection (see ``_acquire``).
ACQUIRE_SLICE = 2.0
#: Seconds the pool keeps retrying (with backoff) to open a connection before it
#: gives up until the next request: short, so that a server back from an outage is
#: used at once instead of after the pool's next, ever longer, backoff.
RECONNECT_TIMEOUT = 5.0

#: SQLSTATEs that mean "the server is going away or not there yet", not "the query is wrong":
#: connection exceptions (class 08), admin or crash shutdown, starting up or shutting
#: down, too many connections.
_UNAVAILABLE_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})


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


@functools.cache
def _pool_class() -> type[ConnectionPool[Any]]:
    """psycopg_pool's ``ConnectionPool``, drawing its jitter from a random source of its own.

    The pool spreads the lifetimes of its connections with a random jitter, drawn from
    the ``random`` module's shared generator by the pool's worker threads whenever they
    connect. That moved the sequence of a program that seeds ``random`` to reproduce a
    run, at moments no one chose, and Hypothesis refuses a draw during which the shared
    generator moved (a test failed so, once, as the pool connected in the background).
    Only the reconnection backoff while the server is unreachable still draws from the
    shared generator (psycopg_pool calls the base class there)."""
    from psycopg_pool import ConnectionPool

    jitter = random.Random()

    class _Pool(ConnectionPool[Any]):
        @classmethod
        def _jitter(cls, value: float, min_pc: float, max_pc: float) -> float:
            return value * (1.0 + ((max_pc - min_pc) * jitter.random()) + min_pc)

    return _Pool


def _message(exc: BaseException) -> str:
    """The first line of a driver error, without any password."""
    text = str(exc).strip().splitlines()
    return redact(text[0] if text else type(exc).__name__)


def connection_lost(exc: BaseException, driver: Any) -> bool:
    """Whether driver error ``exc`` means the server is unreachable or the connection
    broke (retrying on a new connection can help), rather than a wrong statement."""
    if type(exc).__name__ == "PoolTimeout" or isinstance(exc, driver.InterfaceError):
        return True
    if not isinstance(exc, driver.Error):
        return False
    state = getattr(exc, "sqlstate", None)
    if state is None:  # raised by libpq itself: refused, reset, closed by the server
        return isinstance(exc, driver.OperationalError)
    return bool(state.startswith("08") or state in _UNAVAILABLE_STATES)


class _Demote(logging.Filter):
    """Turn a record into a ``DEBUG`` one (the pool's reconnection chatter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG:
            record.levelno = logging.DEBUG
            record.levelname = "DEBUG"
        return True


_DEMOTE = _Demote()


def quiet_driver_logs() -> None:
    """Demote psycopg's and its pool's log records to ``DEBUG`` (idempotent).

    During an outage the pool logs a warning per failed attempt ("error connecting
    in 'terrain-store'…"); with no logging configured, Python prints each on
    stderr. Whoever waits for the store says it once instead; the records stay
    available at ``DEBUG``.
    """
    for name in ("psycopg", "psycopg.pool"):
        logger = logging.getLogger(name)
        if _DEMOTE not in logger.filters:
            logger.addFilter(_DEMOTE)


def check_connection(conn: psycopg.Connection[Any]) -> None:
    """The pool's check of a connection before it is handed out: raise if it is gone.

    A server that ends a connection (a restart, ``pg_terminate_backend``, an idle
    timeout) says so on it, or closes it: the connection's socket has something to
    read. Only then is the connection asked for an answer (psycopg_pool's own
    check, a round trip), which fails when the server is gone. A connection the
    server said nothing on is handed out as it is: the check cost every read a
    second round trip. One the server drops without a word (a network cut) fails
    at its statement, as it would have failed the round trip, with
    :class:`~terrain.errors.StoreUnavailable`.
    """
    from psycopg_pool import ConnectionPool

    if conn.closed:
        raise _driver()[0].OperationalError("the connection is closed")
    try:
        said = bool(select.select([conn.fileno()], [], [], 0)[0])
    except (OSError, ValueError):
        said = True  # no socket to look at: ask the server
    if said:
        ConnectionPool.check_connection(conn)


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
        driver = _driver()[0]
        quiet_driver_logs()
        self._psycopg = driver
        self.url = url
        kwargs: dict[str, Any] = {"autocommit": True}
        if password:
            kwargs["password"] = password
        timeout = CONNECT_TIMEOUT
        if read_only:  # the server refuses any write on these connections too
            kwargs["options"] = "-c default_transaction_read_only=on"
            timeout = READ_ONLY_CONNECT_TIMEOUT
        self._kwargs = kwargs
        self._timeout = timeout
        try:  # one connection first: a wrong host, database or password says so now
            with driver.connect(url.conninfo, connect_timeout=timeout, **kwargs) as probe:
                row = probe.execute(
                    "SELECT datcollate FROM pg_database WHERE datname = current_database()"
                ).fetchone()
        except driver.Error as exc:
            if connection_lost(exc, driver):
                raise StoreUnavailable(
                    f"cannot reach the store {url}: {_message(exc)}; the server may be down or "
                    "restarting: check it (pg_isready), or the host and port in [store] url"
                ) from None
            raise StorageError(
                f"cannot connect to the store {url}: {_message(exc)}; check the server is up and "
                f"the URL in [store] url (the password comes from {PASSWORD_ENV_VAR}, "
                "PGPASSWORD or ~/.pgpass)"
            ) from None
        #: The database's text ordering: ``C`` sorts ids as SQLite does (see the docs).
        self.collation = str(row[0]) if row else "unknown"
        size = pool_size or DEFAULT_POOL_SIZE
        self._pool: ConnectionPool[psycopg.Connection[Any]] = _pool_class()(
            url.conninfo,
            kwargs=kwargs,
            min_size=1,
            max_size=size,
            open=True,
            timeout=timeout,
            reconnect_timeout=RECONNECT_TIMEOUT,
            check=check_connection,
            name="terrain-store",
        )
        self.pool_size = size

    def describe(self) -> str:
        """The URL (it holds no password)."""
        return str(self.url)

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        driver = self._psycopg
        conn = self._acquire()
        try:
            with conn:
                yield conn
        except driver.Error as exc:
            if connection_lost(exc, driver):
                raise StoreUnavailable(
                    f"lost the connection to the store {self.url} ({_message(exc)}): the server "
                    "may be down or restarting. What was being written is either saved whole or "
                    "not at all; check the server (pg_isready), then retry"
                ) from None
            if isinstance(exc, driver.OperationalError):
                raise StorageError(
                    f"the store {self.url} failed: {_message(exc)}; check the server and retry"
                ) from None
            raise
        finally:
            # A connection broken in use goes back to the pool, which discards it.
            self._pool.putconn(conn)

    def _acquire(self) -> psycopg.Connection[Any]:
        """A checked connection of the pool. The wait is cut in short slices: after
        each, a server that does not answer is reported at once (rather than after
        the whole :data:`CONNECT_TIMEOUT`); one that answers gets the rest of it."""
        waited = 0.0
        while True:
            try:
                return self._pool.getconn(timeout=min(ACQUIRE_SLICE, self._timeout))
            except self._psycopg.Error as exc:
                if type(exc).__name__ != "PoolTimeout":
                    raise StoreUnavailable(
                        f"cannot reach the store {self.url} ({_message(exc)}); check the "
                        "server (pg_isready), then retry"
                    ) from None
                waited += min(ACQUIRE_SLICE, self._timeout)
                down = self._unanswered()
                if down is not None or waited >= self._timeout:
                    raise self._no_connection(exc, down) from None
                # the server answers: drop the pool's dead connections (from before a
                # restart) at once, rather than one per slice
                self._pool.check()

    def _unanswered(self) -> BaseException | None:
        """Why the server does not answer a new connection, or ``None`` if it does."""
        try:
            self._probe()
        except self._psycopg.Error as exc:
            down: BaseException = exc
            return down
        return None

    def _no_connection(self, exc: BaseException, down: BaseException | None) -> StoreUnavailable:
        """Why the pool gave no connection in time: a server that does not answer,
        or every connection of this process busy (the pool is too small)."""
        if down is not None:
            return StoreUnavailable(
                f"the store {self.url} does not answer ({_message(down)}): the server may be "
                "down or restarting; check it (pg_isready), then retry"
            )
        return StoreUnavailable(
            f"no connection to the store {self.url} within {self._timeout} s although the "
            f"server answers ({_message(exc)}): the {self.pool_size} connections of this "
            "process are busy or being replaced; if it lasts, raise [store] pool_size in "
            "terrain.toml"
        )

    def _probe(self) -> None:
        """One new connection, outside the pool, and ``SELECT 1`` (a driver error if not)."""
        with self._psycopg.connect(
            self.url.conninfo, connect_timeout=PING_TIMEOUT, **self._kwargs
        ) as conn:
            conn.execute("SELECT 1")

    def ping(self) -> None:
        """Check that the server answers, on a new connection (the pool's may be stale).

        On success, the pool's idle connections are checked and the broken ones
        (from before a restart) replaced. :class:`~terrain.errors.StoreUnavailable`
        if the server does not answer.
        """
        try:
            self._probe()
        except self._psycopg.Error as exc:
            raise StoreUnavailable(
                f"the store {self.url} does not answer ({_message(exc)}): the server may be "
                "down or restarting; check it (pg_isready)"
            ) from None
        self._pool.check()

    @contextmanager
    def _begin(self, exclusive: bool, group: bool) -> Iterator[Transaction]:
        # each transaction commits on its own connection: the server groups commits
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

    def execute(self, sql: str, params: Sequence[Any] = (), *, group: bool = False) -> int:
        """Run one statement on its own: autocommit, one round trip (no BEGIN/COMMIT)."""
        if self.read_only or getattr(self._local, "tx", None) is not None:
            return super().execute(sql, params, group=group)
        self.counters.statements += 1
        with self._connection() as conn:
            return int(conn.execute(to_pyformat(sql), tuple(params)).rowcount)

    def _read(self, sql: str, params: tuple[Any, ...]) -> list[Row]:
        with self._connection() as conn:
            return [tuple(r) for r in conn.execute(to_pyformat(sql), params).fetchall()]

    def compact(self, tables: Sequence[str]) -> None:
        """``VACUUM FULL`` of ``tables``: each is rewritten without its dead rows (the
        server's write-ahead log and backups keep them until they are recycled)."""
        with self._connection() as conn:
            for table in tables:  # names from the store's schema, never input
                conn.execute(f"VACUUM FULL {table}")

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
