"""Store backends: where the workspace's SQL runs (SQLite here, PostgreSQL in ``_postgres``).

Every statement of terrain is written once, with ``?`` parameters passed
apart from the SQL; a backend runs it on its driver (the PostgreSQL backend
turns ``?`` into ``%s`` in one place, :func:`terrain.store._postgres.to_pyformat`).
A backend gives:

* :meth:`Backend.transaction` -- a write transaction. ``exclusive=True``
  (the default) makes writers take turns, as SQLite's ``BEGIN IMMEDIATE``
  does, which is what the store's ``MAX(seq) + 1`` appends need; on
  PostgreSQL it is a transaction-scoped advisory lock. ``exclusive=False``
  is for statements that lock the rows they touch (the journal's claims with
  ``FOR UPDATE SKIP LOCKED``), so several workers proceed at once. A
  transaction opened while the same thread already holds one joins it.
* :meth:`Backend.query` -- reads; inside a transaction of the same thread they
  see its uncommitted writes.
* :meth:`Backend.ping` -- whether the store can be used again after a
  :class:`~terrain.errors.StoreUnavailable` (a server down or restarting, a
  lost connection, a SQLite file locked by another program for longer than
  the busy timeout).

Connections are per thread on SQLite, borrowed from a pool on PostgreSQL.
"""

from __future__ import annotations

import abc
import importlib
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import Any, ClassVar

from terrain.errors import StorageError, StoreUnavailable

try:
    fcntl: Any = importlib.import_module("fcntl")
except ImportError:  # pragma: no cover - Windows: SQLite's busy handler alone
    fcntl = None

__all__ = [
    "BUSY_TIMEOUT_MS",
    "Backend",
    "Counters",
    "Params",
    "Row",
    "SQLiteBackend",
    "Transaction",
    "storage_error",
]

#: How long a SQLite writer waits for another process's transaction (milliseconds).
BUSY_TIMEOUT_MS = 30_000

Params = Sequence[Any]
Row = tuple[Any, ...]


class Counters:
    """How much work a backend did: statements run and rows read (since it opened).

    Cheap to keep (two integers); tests and benchmarks read them to show that
    an operation's cost grows with the work, not with the size of the store.
    """

    __slots__ = ("rows", "statements")

    def __init__(self) -> None:
        self.statements = 0
        self.rows = 0

    def __repr__(self) -> str:
        return f"Counters(statements={self.statements}, rows={self.rows})"


class Transaction:
    """A write transaction: run statements with :meth:`execute` and :meth:`query`.

    Obtained from :meth:`Database.transaction <terrain.store.Database.transaction>`;
    everything done through it is committed together when the ``with`` block
    ends, or rolled back if it raises. ``dialect`` is ``"sqlite"`` or
    ``"postgresql"``, for the rare statement that differs.
    """

    def __init__(
        self,
        run: Callable[[str, tuple[Any, ...]], Any],
        run_many: Callable[[str, list[tuple[Any, ...]]], Any],
        *,
        dialect: str,
        exclusive: bool,
        counters: Counters | None = None,
    ) -> None:
        self._run = run
        self._run_many = run_many
        self.dialect = dialect
        self.exclusive = exclusive
        self._counters = Counters() if counters is None else counters

    def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement with ``?`` parameters; the number of rows changed."""
        self._counters.statements += 1
        return int(self._run(sql, tuple(params)).rowcount)

    def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement once per parameter tuple of ``rows``."""
        batch = [tuple(r) for r in rows]
        if batch:
            self._counters.statements += 1
            self._run_many(sql, batch)

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row a query returns, as tuples."""
        self._counters.statements += 1
        rows = [tuple(r) for r in self._run(sql, tuple(params)).fetchall()]
        self._counters.rows += len(rows)
        return rows

    def one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row a query returns, or ``None``."""
        self._counters.statements += 1
        row = self._run(sql, tuple(params)).fetchone()
        if row is None:
            return None
        self._counters.rows += 1
        return tuple(row)


class Backend(abc.ABC):
    """Where the SQL runs. Subclasses: ``SQLiteBackend``, ``PostgresBackend``."""

    dialect: ClassVar[str]

    def __init__(self, *, read_only: bool = False) -> None:
        self._local = threading.local()
        #: Opened for reading only: every transaction and write is refused.
        self.read_only = read_only
        #: How many top-level transactions committed through this backend: a caller
        #: that saw it move knows part of its work is saved (see ``terrain.cli``).
        self.commits = 0
        #: statements run and rows read through this backend
        self.counters = Counters()

    @abc.abstractmethod
    def describe(self) -> str:
        """The store's URL or path for messages (never with a password)."""

    @abc.abstractmethod
    def _begin(self, exclusive: bool, group: bool) -> AbstractContextManager[Transaction]:
        """A new top-level transaction; ``group``: its commit may be shared with
        other threads' (see :meth:`transaction`)."""

    @abc.abstractmethod
    def _lock(self, tx: Transaction) -> None:
        """Make an open non-exclusive transaction exclusive."""

    @abc.abstractmethod
    def _read(self, sql: str, params: tuple[Any, ...]) -> list[Row]:
        """Rows of a query outside any transaction."""

    @abc.abstractmethod
    def compact(self, tables: Sequence[str]) -> None:
        """Rewrite the store's files so that no deleted or overwritten row of ``tables``
        is left in them (after an erasure)."""

    @abc.abstractmethod
    def table_exists(self, name: str) -> bool:
        """Whether table ``name`` exists."""

    @abc.abstractmethod
    def columns(self, table: str) -> list[str]:
        """The columns of ``table``, in the order the table defines them."""

    @abc.abstractmethod
    def close(self) -> None:
        """Close every connection."""

    @abc.abstractmethod
    def ping(self) -> None:
        """Return when the store can be used; :class:`~terrain.errors.StoreUnavailable` if not."""

    @contextmanager
    def transaction(self, *, exclusive: bool = True, group: bool = False) -> Iterator[Transaction]:
        """A write transaction; inside another one of this thread, it joins it.

        ``group=True`` lets the backend commit it together with other threads'
        transactions (group commit: one synced commit for several writers, see
        ``SQLiteBackend``). The ``with`` block still returns only once its
        writes are committed, and raises if that commit fails, exactly as a
        transaction of its own; the caller must hold no lock that another
        writer's transaction takes.
        """
        if self.read_only:
            raise StorageError(
                f"the store {self.describe()} was opened for reading only; open the "
                "workspace for writing to change it"
            )
        current: Transaction | None = getattr(self._local, "tx", None)
        if current is not None:
            if exclusive and not current.exclusive:
                self._lock(current)
                current.exclusive = True
            yield current
            return
        with self._begin(exclusive, group) as tx:
            self._local.tx = tx
            try:
                yield tx
            finally:
                self._local.tx = None
        self.commits += 1

    def execute(self, sql: str, params: Params = (), *, group: bool = False) -> int:
        """Run one writing statement on its own (no lock taken); the rows changed.

        For statements that guard themselves (``UPDATE … WHERE state = ?``).
        Inside a transaction of this thread it joins it. ``group``: as for
        :meth:`transaction`.
        """
        with self.transaction(exclusive=False, group=group) as tx:
            return tx.execute(sql, params)

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        """Rows of a read query (in this thread's transaction, if one is open)."""
        current: Transaction | None = getattr(self._local, "tx", None)
        if current is not None:
            return current.query(sql, params)
        rows = self._read(sql, tuple(params))
        self.counters.statements += 1
        self.counters.rows += len(rows)
        return rows

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"


#: SQLite's primary result codes that say why a database cannot be opened or written.
_NOT_A_DATABASE = {"SQLITE_NOTADB", "SQLITE_CORRUPT"}
_READ_ONLY = {"SQLITE_READONLY", "SQLITE_PERM", "SQLITE_CANTOPEN", "SQLITE_AUTH"}
_FULL = {"SQLITE_FULL"}
_BUSY = {"SQLITE_BUSY", "SQLITE_LOCKED"}


def _family(exc: sqlite3.Error) -> str:
    """``SQLITE_READONLY`` for ``SQLITE_READONLY_DBMOVED``…: the family of the error."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    return "_".join(name.split("_")[:2])


def storage_error(exc: sqlite3.Error, path: Path) -> StorageError:
    """A :class:`StorageError` that says why the SQLite file at ``path`` failed, and what to do.

    A file that is not a database (or is damaged) is told apart from one that
    cannot be written (permissions, a read-only mount, a full disk, another
    writer): only the first needs a backup; the others are intact.
    """
    family = _family(exc)
    if family in _NOT_A_DATABASE:
        return StorageError(
            f"{path} is not a terrain database, or it is damaged ({exc}); restore it from a "
            "backup (if it is not yours, move it away and run `terrain init` again)"
        )
    if family in _READ_ONLY:
        return StorageError(
            f"cannot write to the workspace database {path} ({exc}): the file or its folder "
            f"{path.parent} is read-only for this user (permissions, a read-only mount or "
            "copy); the database itself is intact and nothing was changed. Make them "
            "writable (or run as their owner), then retry"
        )
    if family in _FULL or (family == "SQLITE_IOERR" and _why_unwritable(path.parent) == "full"):
        return StorageError(
            f"the disk holding the workspace database {path} is full ({exc}); the database is "
            "intact but this change was not saved: free some space, then retry"
        )
    if family in _BUSY:  # a lock held longer than the busy timeout: nothing is broken
        return StoreUnavailable(
            f"the workspace database {path} is locked by another program ({exc}) for longer "
            "than the busy timeout; nothing was changed. Retry when it is free (`terrain "
            "worker` waits for it by itself)"
        )
    return StorageError(
        f"the workspace database {path} could not be read or written ({exc}); check the disk "
        "and the file, then retry"
    )


def _why_unwritable(folder: Path) -> str:
    """``"full"`` when the disk holding ``folder`` has no free block, else ``"read-only"``."""
    try:
        usage = os.statvfs(folder)
    except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
        return "read-only"
    return "full" if usage.f_bavail == 0 and os.access(folder, os.W_OK) else "read-only"


class _Held:
    """A thread's SQLite connection, closed when the thread ends (its locals go away),
    so a long-running worker whose thread pools come and go keeps no stale connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __del__(self) -> None:
        self.conn.close()


class SQLiteBackend(Backend):
    """A SQLite file (WAL, foreign keys, busy timeout); one connection per thread.

    Writers take turns: threads of this process on a lock, processes of this
    machine on ``flock`` of ``<database>.lock`` (the kernel hands the lock
    over at once, where SQLite's busy handler sleeps and polls 1, 2, 5… 100 ms),
    then SQLite's ``BEGIN IMMEDIATE`` (which alone still holds if the lock file
    cannot be made, e.g. a read-only folder). ``synchronous`` is ``"FULL"`` for a workspace,
    ``"NORMAL"`` for a scratch journal (tests, benchmarks). ``read_only`` opens the
    file in SQLite's read-only mode: nothing is created, converted or written. A file
    (or folder) that cannot be written is opened read-only too, by itself: reads work,
    and a write raises a :class:`StorageError` saying why (read-only, or a full disk).
    """

    dialect = "sqlite"

    def __init__(
        self,
        path: Path,
        *,
        create: bool = False,
        synchronous: str = "FULL",
        read_only: bool = False,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    ) -> None:
        super().__init__(read_only=read_only)
        if read_only and create:
            raise ValueError("a read-only SQLite store cannot be created")
        if synchronous not in ("FULL", "NORMAL"):
            raise ValueError(f"synchronous must be FULL or NORMAL, got {synchronous!r}")
        self.path = Path(path)
        self._synchronous = synchronous
        self._busy_timeout_ms = int(busy_timeout_ms)
        self._writer = threading.RLock()
        #: The connection every write transaction runs on (made at the first one).
        self._wconn: sqlite3.Connection | None = None
        #: Threads waiting for ``_writer`` to write: a finished group member
        #: leaves the transaction open for them rather than committing alone.
        self._waiting = 0
        self._waiting_lock = threading.Lock()
        #: The open group transaction's number (0: none open), the last one
        #: committed, and why the recent ones that failed did.
        self._group = 0
        self._groups = 0
        self._committed = 0
        self._group_failed: dict[int, StorageError] = {}
        #: Notified when a group transaction is committed or fails.
        self._settled = threading.Condition(threading.Lock())
        #: ``COMMIT`` statements run (fewer than :attr:`commits` when commits are shared)
        self.synced_commits = 0
        self._held: weakref.WeakSet[_Held] = weakref.WeakSet()
        self._guard = threading.Lock()
        self._lock_fd: int | None = None
        #: Why the file had to be opened read-only ("full", "read-only"), or "".
        self._why_read_only = ""
        self._conn(create=create)  # open now: a bad path fails here, not at first use

    def describe(self) -> str:
        """``sqlite:///path``."""
        return f"sqlite://{self.path.absolute()}"

    def _conn(self, *, create: bool = False) -> sqlite3.Connection:
        held: _Held | None = getattr(self._local, "held", None)
        if held is not None:
            return held.conn
        conn = self._configured(self._open(create))
        held = _Held(conn)
        self._local.held = held
        with self._guard:
            self._held.add(held)
        return conn

    def _writer_conn(self) -> sqlite3.Connection:
        """The connection write transactions run on (call with ``_writer`` held)."""
        if self._wconn is None:
            self._wconn = self._configured(self._open(False))
        return self._wconn

    def _configured(self, conn: sqlite3.Connection) -> sqlite3.Connection:
        try:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal" and not (self.read_only or self._why_read_only):
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA synchronous = {self._synchronous}")
        except sqlite3.Error as exc:
            conn.close()
            raise storage_error(exc, self.path) from None
        return conn

    def _open(self, create: bool) -> sqlite3.Connection:
        """A connection, read-write, else read-only where the file or its folder cannot be
        written: reading commands still work, and a write says why it cannot be done."""
        base = self.path.absolute().as_uri()
        modes = ["?mode=rwc" if create else "?mode=rw"]
        if not create:
            # WAL reads need a -shm file beside the database: in a folder that cannot be
            # written, SQLite reads it as `immutable` (nothing can change it meanwhile)
            modes += ["?mode=ro", "?mode=ro&immutable=1"]
        if self.read_only or self._why_read_only:
            modes = modes[1:]
        first: sqlite3.Error | None = None
        for mode in modes:
            try:
                conn = sqlite3.connect(
                    base + mode, uri=True, isolation_level=None, check_same_thread=False, timeout=0
                )
            except sqlite3.Error as exc:
                first = first or exc
                break
            try:
                conn.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # opens the file
            except sqlite3.Error as exc:
                conn.close()
                first = first or exc
                if _family(exc) in _READ_ONLY | _FULL | {"SQLITE_IOERR"}:
                    continue  # no room for the -shm file, or none may be made: read-only
                break
            if mode not in ("?mode=rw", "?mode=rwc") and not self.read_only:
                self._why_read_only = _why_unwritable(self.path.parent)
            return conn
        assert first is not None
        raise storage_error(first, self.path) from None

    def _lock_process(self) -> None:
        """``flock`` on ``<database>.lock`` (held with ``_writer``, so one fd is enough)."""
        if fcntl is None:
            return
        if self._lock_fd is None:
            try:
                self._lock_fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                return  # a read-only folder: SQLite's own lock still holds
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)

    def _unlock_process(self) -> None:
        if fcntl is not None and self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    @contextmanager
    def _process_lock(self) -> Iterator[None]:
        """The process lock for work outside a transaction (``_writer`` held)."""
        self._lock_process()
        try:
            yield
        finally:
            self._unlock_process()

    @contextmanager
    def _acquire_writer(self) -> Iterator[None]:
        """Hold ``_writer``, counted as waiting for it until it is held."""
        with self._waiting_lock:
            self._waiting += 1
        try:
            self._writer.acquire()
        finally:
            with self._waiting_lock:
                self._waiting -= 1
        try:
            yield
        finally:
            self._writer.release()

    def _refuse_if_read_only(self) -> None:
        if self._why_read_only == "full":
            raise StorageError(
                f"cannot write to the workspace database {self.path}: the disk holding it "
                "is full; the database is intact and nothing was changed. Free some space, "
                "then retry"
            )
        if self._why_read_only:
            raise StorageError(
                f"cannot write to the workspace database {self.path}: it could only be opened "
                f"read-only (the file or its folder {self.path.parent} cannot be written by this "
                "user: permissions, a read-only mount or copy); the database is intact and "
                "nothing was changed. Make them writable, then retry"
            )

    def _commit_open(self, conn: sqlite3.Connection) -> None:
        """Commit the open group transaction and let go of the process lock (``_writer``
        held); on failure, every member of the group is told so."""
        group, self._group = self._group, 0
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            # leave the connection usable: a failed COMMIT keeps the transaction open
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            error = storage_error(exc, self.path)
            self._fail_group(group, error)
            raise error from None
        finally:
            self._unlock_process()
        self._committed = group
        self.synced_commits += 1
        with self._settled:
            self._settled.notify_all()

    def _fail_group(self, group: int, error: StorageError) -> None:
        self._group_failed[group] = error
        for old in [g for g in self._group_failed if g < group - 1000]:
            del self._group_failed[old]
        with self._settled:
            self._settled.notify_all()

    def _settle(self) -> None:
        """Commit a group transaction left open for waiting writers (``_writer`` held),
        before the connection is used otherwise."""
        if self._group and self._wconn is not None:
            self._commit_open(self._wconn)

    @contextmanager
    def _begin(self, exclusive: bool, group: bool) -> Iterator[Transaction]:
        """A write transaction on the writer connection, with group commit.

        Writers take turns on ``_writer``. The first opens ``BEGIN IMMEDIATE``
        (after the process lock); each runs its block inside a savepoint, so a
        block that raises undoes only its own statements. A block that ends
        while other threads wait to write, if it asked for ``group``, leaves the
        transaction open for them and waits its turn again; the last writer of
        the queue commits everyone's writes in one synced ``COMMIT``. No block
        returns before the commit holding its writes, and if that commit fails
        every block of the group raises, as its own commit would have: a
        caller never goes on (calls a platform, reports a receipt) on writes
        that are not durable.
        """
        self._refuse_if_read_only()
        with self._acquire_writer():
            conn = self._writer_conn()
            if not self._group:
                self._lock_process()
                try:
                    conn.execute("BEGIN IMMEDIATE")
                except sqlite3.Error as exc:
                    self._unlock_process()
                    raise storage_error(exc, self.path) from None
                self._groups += 1
                self._group = self._groups
            mine = self._group
            tx = Transaction(
                self._guarded(conn.execute),
                self._guarded(conn.executemany),
                dialect=self.dialect,
                exclusive=True,
                counters=self.counters,
            )
            try:
                conn.execute("SAVEPOINT terrain_tx")
            except sqlite3.Error as exc:
                self._abandon(conn, mine, exc)
                raise storage_error(exc, self.path) from None
            try:
                yield tx
            except BaseException as exc:
                self._undo(conn, mine, exc)
                raise
            try:
                conn.execute("RELEASE SAVEPOINT terrain_tx")
            except sqlite3.Error as exc:
                self._undo(conn, mine, exc)
                raise storage_error(exc, self.path) from None
            if not (group and self._waiting):
                self._commit_open(conn)
                return
        # Passed on: the next writer runs in the same transaction, and the last
        # of the queue commits. Wait for that commit; should the writers ahead
        # leave it open (none came after them), commit it ourselves.
        while True:
            with self._settled:
                if mine in self._group_failed:
                    raise self._group_failed[mine]
                if self._committed >= mine:
                    return
                self._settled.wait(0.01)
            if self._writer.acquire(blocking=False):
                try:
                    if mine in self._group_failed:
                        raise self._group_failed[mine]
                    if self._committed >= mine:
                        return
                    if self._group == mine:
                        self._commit_open(self._writer_conn())
                        return
                finally:
                    self._writer.release()

    def _undo(self, conn: sqlite3.Connection, group: int, exc: BaseException) -> None:
        """Undo the statements of a block that raised (``_writer`` held): only them
        when the transaction is still open; if SQLite rolled it all back, the group fails."""
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK TO SAVEPOINT terrain_tx")
                conn.execute("RELEASE SAVEPOINT terrain_tx")
            except sqlite3.Error as failed:
                self._abandon(conn, group, failed)
                return
            if group == self._group and not self._waiting:
                # nobody else to commit the members before us: do it now
                with suppress(StorageError):  # the members are told; the block's error goes up
                    self._commit_open(conn)
            return
        self._abandon(conn, group, exc)

    def _abandon(self, conn: sqlite3.Connection, group: int, exc: BaseException) -> None:
        """The group transaction is gone (rolled back): every member fails."""
        if conn.in_transaction:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        error = (
            storage_error(exc, self.path)
            if isinstance(exc, sqlite3.Error)
            else StorageError(
                f"the write to the workspace database {self.path} was rolled back because "
                "another write of the same commit failed; nothing of it was saved: retry"
            )
        )
        self._fail_group(group, error)
        self._group = 0
        self._unlock_process()

    def _guarded(self, run: Callable[..., Any]) -> Callable[..., Any]:
        """``run`` with a failure of the file (read-only, full, damaged) as a StorageError;
        a constraint or a wrong statement (terrain's own mistake) stays what it is."""

        def guarded(*args: Any) -> Any:
            try:
                return run(*args)
            except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
                raise
            except sqlite3.Error as exc:
                raise storage_error(exc, self.path) from None

        return guarded

    def _lock(self, tx: Transaction) -> None:
        """Nothing to do: every SQLite write transaction is exclusive."""

    def _read(self, sql: str, params: tuple[Any, ...]) -> list[Row]:
        conn = self._conn()
        try:
            return [tuple(r) for r in conn.execute(sql, params).fetchall()]
        except sqlite3.Error as exc:
            if isinstance(exc, sqlite3.ProgrammingError):
                raise
            raise storage_error(exc, self.path) from None

    def ping(self) -> None:
        """Return when a write transaction can start (the file opens and is not locked);
        opened read-only, when a read can."""
        if self.read_only or self._why_read_only:
            self._read("SELECT count(*) FROM sqlite_master", ())
            return
        with self.transaction():
            pass

    def compact(self, tables: Sequence[str]) -> None:
        """``VACUUM`` (free pages and the slack of pages holding deleted rows are not
        copied), then a checkpoint that empties the write-ahead log (``-wal``)."""
        conn = self._conn()
        with self._acquire_writer():
            self._settle()
            with self._process_lock():
                try:
                    conn.execute("VACUUM")
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                except sqlite3.OperationalError as exc:
                    raise StorageError(
                        f"could not compact the workspace database {self.path} ({exc}): "
                        "another terrain command is using it; retry when it is done"
                    ) from None

    def table_exists(self, name: str) -> bool:
        """Whether table ``name`` exists."""
        return bool(
            self.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        )

    def columns(self, table: str) -> list[str]:
        """The columns of ``table``, in the order the table defines them."""
        return [str(r[0]) for r in self.query("SELECT name FROM pragma_table_info(?)", (table,))]

    def close(self) -> None:
        """Close the connection of every thread (the WAL is checkpointed and removed)."""
        with self._guard:
            for held in list(self._held):
                held.conn.close()
            self._held.clear()
        with self._acquire_writer():
            try:
                self._settle()
            finally:
                if self._wconn is not None:
                    self._wconn.close()
                    self._wconn = None
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
        self._local = threading.local()
