"""The publication journal: one row per (post, platform), and its states.

::

    planned ──claim──▶ claimed ──call ok──▶ sent ──hooks──▶ confirmed
       ▲                  │ ├──consent/veto──▶ held
       └──retry later─────┘ └──rejected / too many tries──▶ failed

A row is marked ``claimed`` in a committed transaction *before* the platform
is called, with the claimer's id and a lease. After a crash, a row found
``claimed`` (the call may or may not have happened) is reconciled with
``Platform.find(post)`` before anything is retried, so a post goes out
exactly once. The claim wakes the rows whose next attempt has come (a row
waiting for a retry or a schedule sleeps outside the claim's order: see
``terrain.publishing._sql.WAKE``), then makes a ``SELECT`` of the oldest due
row and an ``UPDATE … WHERE state = 'planned'`` in one transaction: on SQLite inside
``BEGIN IMMEDIATE`` (writers take turns), on PostgreSQL with ``FOR UPDATE SKIP
LOCKED`` (workers on several machines claim different rows at once). Two runs
never take the same row.

The rows live in the workspace database (tables created by migration 2 of
:mod:`terrain.store._schema`; :mod:`terrain.publishing._sql` holds every
statement) and are reached through the store's
:class:`~terrain.store.Database`, on whichever backend it runs: one
connection per thread on SQLite, a pool on PostgreSQL.
"""

from __future__ import annotations

import enum
import json
import os
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import attrs

from terrain._time import instant, require_aware
from terrain.errors import NotFound
from terrain.posts import Post, Receipt, typed_handles
from terrain.publishing import _sql as sql
from terrain.serialization import from_json, to_json
from terrain.store import Database, Transaction, post_refs

__all__ = [
    "Journal",
    "JournalRow",
    "Reservation",
    "RowState",
    "TakedownEntry",
    "TakedownLogEntry",
    "new_owner_id",
]


class RowState(enum.StrEnum):
    """Where a (post, platform) stands."""

    PLANNED = "planned"  #: waiting to be sent (maybe not before ``next_attempt_at``)
    CLAIMED = "claimed"  #: a run took it and may be calling the platform right now
    SENT = "sent"  #: the platform returned a receipt
    CONFIRMED = "confirmed"  #: sent, and the after-publish hooks have run
    FAILED = "failed"  #: the platform refused it, or every retry failed
    HELD = "held"  #: not sent: consent or a plugin said no (see ``reasons``)


@attrs.frozen
class JournalRow:
    """One (post, platform) of the journal, as last committed."""

    post: Post
    platform: str
    purpose: str
    event_id: str | None
    state: RowState
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    reasons: tuple[str, ...]
    receipt: Receipt | None
    claimed_by: str | None
    lease_until: datetime | None
    planned_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    taken_down_at: datetime | None

    @property
    def post_id(self) -> str:
        """The post's stable id (its idempotency key)."""
        return self.post.id


@attrs.frozen
class TakedownLogEntry:
    """What a takedown did with one receipt: ``deleted``, ``manual`` or ``failed``.

    ``manual`` and ``failed`` carry the ``url`` to remove by hand and a
    ``message`` saying why it could not be deleted automatically.
    """

    subject_id: str
    post_id: str
    platform: str
    remote_id: str
    url: str | None
    outcome: str
    message: str
    at: datetime


#: Its name until 0.1.0 (a line of the takedown log); kept for the modules of this package.
TakedownEntry = TakedownLogEntry


@attrs.frozen
class Reservation:
    """The answer of :meth:`Journal.reserve`: when the claimed row may call.

    ``at`` is the reserved instant (``None`` when the daily budget is spent);
    ``now`` the time read inside the transaction; ``used`` how many posts of
    the window (sent or reserved by another row) count against the budget;
    ``budget_free_at`` when the budget frees a place again, if it is spent.
    """

    at: datetime | None
    now: datetime
    used: int = 0
    budget_free_at: datetime | None = None


def _machine() -> str:
    """This process's machine: its host name and, on Linux, its pid namespace.

    Containers started with the same ``hostname:`` share a name but not their
    process ids; the namespace tells them apart, so a worker never reads another
    container's live pid as a dead one of its own.
    """
    import socket  # a worker's code: `terrain log` reads the journal without it

    try:
        namespace = os.readlink("/proc/self/ns/pid")  # "pid:[4026531836]"
    except OSError:
        return socket.gethostname()
    return f"{socket.gethostname()}~{namespace.strip('pid:[]')}"


def new_owner_id() -> str:
    """An id for one run: machine, process and a random part (``host~ns:pid:abcd1234``)."""
    return f"{_machine()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _owner_is_dead(owner: str) -> bool:
    """Whether ``owner`` was a process of this machine (and pid namespace) that no longer runs.

    An owner from elsewhere is never judged dead here: its rows wait for their lease.
    """
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != _machine() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def ts(at: datetime) -> str:
    """``at`` as fixed-width ISO 8601 UTC text, which sorts like the instant.

    A naive datetime is refused (:class:`~terrain.errors.ValidationError`).
    """
    return require_aware(at, "journal: now").astimezone(UTC).isoformat(timespec="microseconds")


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


class Journal:
    """The publication journal in a workspace database.

    ``target`` is the workspace's :class:`~terrain.store.Database` (the
    journal then shares its connections and never closes it), a store URL
    (``postgresql://…``, ``sqlite:///…``) or the path of a SQLite file. A URL
    or a path must name an existing terrain database (a workspace's, or one
    made with ``create=True``): a mistyped path is refused with
    :class:`~terrain.errors.NotFound`, never silently made into an empty
    journal. ``create=True`` makes a missing SQLite file and brings a bare
    database (tests, benchmarks, a fresh PostgreSQL database) to the
    workspace schema by running the store's migrations, which hold the
    journal tables. Safe to share between threads.
    """

    def __init__(
        self,
        target: Database | str | os.PathLike[str],
        *,
        create: bool = False,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        if isinstance(target, Database):
            self.db = target
            self._owned = False
        else:
            text = os.fspath(target)
            if "://" in text or text.startswith(("sqlite:", "postgresql:", "postgres:")):
                self.db = Database.connect(text, environ=environ, create=create, migrate=False)
            else:
                path = Path(text)
                if not create and not path.is_file():
                    raise NotFound(
                        f"Journal: there is no journal at {path.absolute()}: check the path (a "
                        "workspace's journal is in .terrain/terrain.db), or pass create=True "
                        "to make a new one there"
                    )
                self.db = Database.open(path, create=create, migrate=False, synchronous="NORMAL")
            self._owned = True
            try:
                self._bring_up_to_date(create=create)
            except BaseException:
                self.db.close()
                raise
        self.path = self.db.path

    def _bring_up_to_date(self, *, create: bool) -> None:
        """Migrate a terrain database; refuse one that is not (unless creating)."""
        if not create and self.db.schema_version() == 0:
            raise NotFound(
                f"Journal: {self.db.url} holds no terrain data: check the path or URL (a "
                "workspace's journal is in its database, .terrain/terrain.db or [store] url), "
                "or pass create=True to make a new journal there"
            )
        self.db.migrate()  # an older terrain database gains the journal's tables

    def __repr__(self) -> str:
        return f"Journal({self.db.url!r})"

    # -- transactions ----------------------------------------------------------

    def close(self) -> None:
        """Close the database if this journal opened it (not a workspace's)."""
        if self._owned:
            self.db.close()

    @contextmanager
    def _write(self, *, exclusive: bool = True) -> Iterator[Transaction]:
        """A write transaction; ``exclusive=False`` for statements that lock their rows.

        Its commit may be shared with other runner threads' (group commit: one
        synced commit for the claims and receipts of several calls); it returns
        only once committed, so a claim is durable before the call and a receipt
        before it is reported. The journal's methods take no lock of their own
        around it.
        """
        with self.db.transaction(exclusive=exclusive, group=True) as tx:
            yield tx

    def _locking(self, statement: str, tx: Transaction) -> str:
        return sql.skip_locked(statement, tx.dialect)

    def _guarded(self, statement: str, params: Sequence[Any]) -> bool:
        return self.db.execute(statement, params, group=True) == 1

    # -- planning ------------------------------------------------------------

    def plan(
        self,
        posts: Iterable[Post],
        *,
        now: datetime,
        purpose: str = "publish",
        at: Mapping[str, datetime] | datetime | None = None,
    ) -> list[JournalRow]:
        """Add a planned row per post (idempotent), and return every row.

        A post already planned, held or failed is planned afresh (its text
        may have changed, a consent may have been given since); a post sent,
        confirmed or in flight is left as it is: it never goes out twice. A
        text the community manager wrote (``Post.edited``) is kept when the
        post is composed again. ``at`` schedules the posts (one instant, or
        one per post id): no worker takes them before.
        """
        stamp = ts(now)
        keys: list[tuple[str, str]] = []
        with self._write() as tx:
            for post in posts:
                keys.append((post.id, post.platform))
                stored = tx.one(
                    "SELECT post_json FROM publication_journal WHERE post_id = ? AND platform = ?",
                    (post.id, post.platform),
                )
                if stored:
                    before = _post(stored[0])
                    if before.edited and not post.edited:
                        post = attrs.evolve(post, text=before.text, thread=before.thread,
                                            edited=True)
                    body = to_json(post)
                    _keep(body, post)
                    changed = 0
                    for statement in (sql.REPLAN_FINISHED, sql.REPLAN_PLANNED):
                        changed += tx.execute(statement, (body, stamp, post.id, post.platform))
                    if changed:
                        _index_refs(tx, post)
                else:
                    body = to_json(post)
                    _keep(body, post)
                    tx.execute(
                        sql.INSERT_PLANNED,
                        (post.id, post.platform, purpose, post.event_id, body, stamp, stamp),
                    )
                    _index_refs(tx, post)
                when = at.get(post.id) if isinstance(at, Mapping) else at
                if when is not None:
                    tx.execute(sql.SCHEDULE, (ts(when), ts(when), stamp, post.id, post.platform))
        found = self.get_many(keys)
        return [found[key] for key in keys]

    # -- claiming ------------------------------------------------------------

    def claim_ready(
        self, platform: str, owner: str, *, now: datetime, lease: timedelta
    ) -> JournalRow | None:
        """Atomically take the oldest due planned row of ``platform``, or ``None``."""
        now = instant(require_aware(now, "claim_ready: now"))  # the lease: elapsed time
        while True:
            with self._write(exclusive=False) as tx:
                taken = self._claim_in(tx, platform, owner, now=now, lease=lease)
            if taken is not False:
                return taken

    def _claim_in(
        self, tx: Transaction, platform: str, owner: str, *, now: datetime, lease: timedelta
    ) -> JournalRow | Literal[False] | None:
        """:meth:`claim_ready`'s statements in ``tx``: the row claimed, ``None`` when
        none is ready, ``False`` when another worker took the row found first."""
        tx.execute(sql.WAKE, (platform, ts(now)))
        found = tx.one(self._locking(sql.SELECT_READY, tx), (platform, ts(now)))
        if found is None:
            return None
        row = _row(found)
        claimed = tx.execute(
            sql.CLAIM,
            (owner, ts(now + lease), ts(now), row.post_id, platform, "planned", None),
        )
        if claimed != 1:
            return False
        return attrs.evolve(
            row, state=RowState.CLAIMED, claimed_by=owner, lease_until=now + lease
        )

    def claim_abandoned(
        self,
        platform: str,
        owner: str,
        *,
        now: datetime,
        lease: timedelta,
        active: Collection[tuple[str, str]] = (),
    ) -> tuple[list[JournalRow], list[JournalRow]]:
        """Take over rows a crashed run left ``claimed`` or ``sent``.

        A row is abandoned when its lease has expired, or when its claimer was
        a process of this machine that is gone. A row of ``owner`` itself is
        abandoned when its lease has expired and it is not among ``active``
        (the ``(post_id, platform)`` its threads are working on): a claim whose
        commit was cut by a store outage, so that nobody knows it is held.
        Returns ``(taken, busy)``: the rows now owned by ``owner`` (to
        reconcile with ``Platform.find``) and the rows another live run is
        working on.
        """
        now = instant(require_aware(now, "claim_abandoned: now"))  # the lease: elapsed time
        stamp = ts(now)
        taken: list[JournalRow] = []
        busy: list[JournalRow] = []
        working = set(active)
        with self._write(exclusive=False) as tx:
            for found in tx.query(self._locking(sql.SELECT_IN_FLIGHT, tx), (platform,)):
                row = _row(found)
                expired = row.lease_until is None or ts(row.lease_until) <= stamp
                if row.claimed_by == owner:
                    if not expired or (row.post_id, row.platform) in working:
                        continue
                elif not (expired or row.claimed_by is None or _owner_is_dead(row.claimed_by)):
                    busy.append(row)
                    continue
                tx.execute(
                    sql.CLAIM,
                    (
                        owner,
                        ts(now + lease),
                        ts(now),
                        row.post_id,
                        platform,
                        row.state.value,
                        row.claimed_by,
                    ),
                )
                # CLAIM sets state to 'claimed'; a sent row keeps its receipt.
                if row.state is RowState.SENT:
                    tx.execute(
                        "UPDATE publication_journal SET state = 'sent' "
                        "WHERE post_id = ? AND platform = ?",
                        (row.post_id, platform),
                    )
                taken.append(attrs.evolve(row, claimed_by=owner, lease_until=now + lease))
        return taken, busy

    # -- call slots (rate limits and budgets across processes) ---------------

    def reserve(
        self,
        row: JournalRow,
        owner: str,
        *,
        now: datetime | Callable[[], datetime],
        rate: float | None,
        budget: int | None,
        window: timedelta = timedelta(days=1),
        lease: timedelta = timedelta(minutes=5),
        max_wait: float | None = None,
    ) -> Reservation | None:
        """Reserve the instant the claimed ``row`` may call its platform.

        One write transaction, so every process sharing the journal sees the
        others' reservations: the daily ``budget`` counts the posts sent in
        the last ``window`` and the calls reserved by rows still claimed;
        ``rate`` (calls per second) puts the slot ``1 / rate`` after the
        platform's latest one (or after the time a 429 asked to wait). The
        lease is extended to cover the wait. ``None`` when ``owner`` no
        longer holds the row. ``now`` may be a clock, read once the write lock
        is held (waiting for the lock must not make the slot late).

        A slot more than ``max_wait`` seconds after ``now`` is only returned,
        not kept: the caller releases the row until then instead of waiting,
        and a slot nobody will use must not push the platform's later slots
        back (else the released rows push each other back forever).
        """
        if rate is None and budget is None:
            # Nothing to count: only a 429 (PUSH_SLOT) can make this call wait.
            at = require_aware(now() if callable(now) else now, "reserve: now")
            last = _dt(self.db.query(sql.RESERVE_LAST_SLOT, (row.platform,))[0][0])
            slot = at if last is None or instant(last) <= instant(at) else last
            return Reservation(at=slot, now=at)
        # Exclusive: on PostgreSQL, the store's write lock makes reservations
        # take turns across workers (the count and the slot stay consistent).
        with self._write() as tx:
            # in UTC: a day's window is 24 hours, whatever the clocks did that night
            now = instant(require_aware(now() if callable(now) else now, "reserve: now"))
            since = ts(now - window)
            if budget is not None:
                found = tx.query(sql.RESERVE_USED, (row.platform, row.post_id, since, since))
                used = [datetime.fromisoformat(r[0]) for r in found]
                if len(used) >= budget:
                    return Reservation(
                        at=None,
                        now=now,
                        used=len(used),
                        budget_free_at=used[len(used) - budget] + window,
                    )
            else:
                used = []
            found_last = tx.one(sql.RESERVE_LAST_SLOT, (row.platform,))
            last = _dt(found_last[0]) if found_last else None
            slot = now
            if last is not None:
                slot = max(now, last + timedelta(seconds=1.0 / rate) if rate else last)
            if max_wait is not None and (slot - now).total_seconds() > max_wait:
                held = tx.execute(sql.HOLDS_CLAIM, (ts(now), row.post_id, row.platform, owner))
                return Reservation(at=slot, now=now, used=len(used)) if held == 1 else None
            updated = tx.execute(
                sql.RESERVE_SLOT,
                (ts(slot), ts(slot + lease), ts(now), row.post_id, row.platform, owner),
            )
        return Reservation(at=slot, now=now, used=len(used)) if updated == 1 else None

    def push_slot(self, row: JournalRow, until: datetime) -> None:
        """No call to ``row``'s platform before ``until`` (the platform said 429)."""
        with self._write() as tx:
            tx.execute(sql.PUSH_SLOT, (ts(until), row.post_id, row.platform, ts(until)))

    def open_rows(self, platform: str, *, now: datetime) -> tuple[int, int]:
        """``(due, in_flight)``: rows of ``platform`` planned and due at ``now``,
        and rows claimed or sent (a worker is on them, or died on them)."""
        found = self.db.query(sql.COUNT_OPEN, (ts(now), platform))
        return int(found[0][0] or 0), int(found[0][1] or 0)

    # -- transitions (each guarded by the claimer's id) ----------------------

    def mark_sent(
        self,
        row: JournalRow,
        owner: str,
        receipt: Receipt,
        *,
        now: datetime,
        confirmed: bool = False,
    ) -> bool:
        """The platform returned ``receipt``: record it before anything else.

        ``confirmed=True`` records it as done in the same transaction (when
        no ``terrain_after_publish`` hook is there to run in between).
        """
        return self._guarded(
            sql.MARK_SENT_CONFIRMED if confirmed else sql.MARK_SENT,
            (
                to_json(receipt),
                ts(now),
                ts(now),
                to_json(row.post),
                row.post_id,
                row.platform,
                owner,
            ),
        )

    def mark_sent_then_claim(
        self,
        row: JournalRow,
        owner: str,
        receipt: Receipt,
        *,
        now: datetime,
        lease: timedelta,
    ) -> tuple[bool, JournalRow | None]:
        """:meth:`mark_sent` (``confirmed=True``), then, in the same transaction,
        :meth:`claim_ready` of the row's platform for ``owner``: one commit where a
        worker going on to its next post made two. The receipt is as durable as
        :meth:`mark_sent` makes it, the claim as durable as :meth:`claim_ready` makes
        it (both return once committed). ``(False, None)`` when ``owner`` no longer
        holds ``row`` (nothing is claimed); the claimed row is ``None`` when none is
        ready or another worker took it first (:meth:`claim_ready` says which)."""
        claim_at = instant(require_aware(now, "mark_sent_then_claim: now"))
        with self._write(exclusive=False) as tx:
            if not self.mark_sent(row, owner, receipt, now=now, confirmed=True):
                return False, None
            taken = self._claim_in(tx, row.platform, owner, now=claim_at, lease=lease)
        return True, None if taken is False else taken

    def mark_confirmed(self, row: JournalRow, owner: str, *, now: datetime) -> bool:
        """The after-publish hooks ran: the row is done."""
        return self._guarded(sql.MARK_CONFIRMED, (ts(now), row.post_id, row.platform, owner))

    def mark_held(
        self, row: JournalRow, owner: str, reasons: Sequence[str], *, now: datetime
    ) -> bool:
        """Not sent: consent or a plugin said no, for ``reasons``."""
        return self._guarded(
            sql.MARK_HELD,
            (
                json.dumps(list(reasons), ensure_ascii=False),
                "; ".join(reasons),
                ts(now),
                row.post_id,
                row.platform,
                owner,
            ),
        )

    def mark_failed(
        self, row: JournalRow, owner: str, error: str, *, now: datetime, attempted: bool = True
    ) -> bool:
        """Given up: the platform refused the post, or retries ran out."""
        return self._guarded(
            sql.MARK_FAILED,
            (error, int(attempted), ts(now), row.post_id, row.platform, owner),
        )

    def release(
        self,
        row: JournalRow,
        owner: str,
        *,
        now: datetime,
        next_attempt_at: datetime | None,
        error: str | None = None,
        attempted: bool = False,
    ) -> bool:
        """Back to planned, to try again at ``next_attempt_at`` (``None``: now)."""
        at = None if next_attempt_at is None else ts(next_attempt_at)
        return self._guarded(
            sql.RELEASE,
            (
                at,
                at,
                error,
                int(attempted),
                ts(now),
                row.post_id,
                row.platform,
                owner,
            ),
        )

    def replan_held(self, row: JournalRow, *, now: datetime) -> bool:
        """Plan a ``held`` row again, as it is (consent is decided afresh at the call).

        For rows held for a reason that no longer stands (an outage while consent
        was read, see :func:`terrain.workflows.replan_unchecked`). ``False`` if
        the row is no longer held.
        """
        return self._guarded(sql.REPLAN_HELD, (ts(now), row.post_id, row.platform))
    # -- the schedule ----------------------------------------------------------

    def queue(self, *, platform: str | None = None) -> list[JournalRow]:
        """What will go, and when: planned and in-flight rows, the soonest first
        (rows due as soon as a worker runs before scheduled ones)."""
        rows = [_row(r) for r in self.db.query(sql.SELECT_QUEUE, ())]
        return [r for r in rows if platform is None or r.platform == platform]

    def move(self, post_id: str, platform: str, *, at: datetime, now: datetime) -> bool:
        """Schedule the planned row ``post_id`` on ``platform`` for ``at``; ``False``
        when it is not planned (in flight, sent, held) or not there."""
        return self._guarded(sql.SCHEDULE, (ts(at), ts(at), ts(now), post_id, platform))

    def cancel(self, post_id: str, platform: str, *, reason: str, now: datetime) -> bool:
        """Hold the planned row ``post_id`` on ``platform`` with ``reason``: no worker
        sends it (planning it again, ``terrain publish``, brings it back); ``False``
        when it is not planned."""
        return self._guarded(
            sql.CANCEL,
            (json.dumps([reason], ensure_ascii=False), reason, ts(now), post_id, platform),
        )

    def hold(self, post_id: str, platform: str, *, reasons: Sequence[str], now: datetime) -> bool:
        """Hold the waiting row ``post_id`` on ``platform`` (planned, or held already) with
        ``reasons``: the review desk held it. ``False`` when it is not waiting."""
        return self._guarded(
            sql.HOLD_WAITING,
            (json.dumps(list(reasons), ensure_ascii=False), "; ".join(reasons), ts(now),
             post_id, platform),
        )

    # -- reading -------------------------------------------------------------

    def get(self, post_id: str, platform: str) -> JournalRow | None:
        """The row of ``post_id`` on ``platform``, if planned."""
        found = self.db.query(sql.SELECT_ONE, (post_id, platform))
        return _row(found[0]) if found else None

    def get_many(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], JournalRow]:
        """The rows of ``keys`` (``(post_id, platform)``) that are planned, by key, read in
        one query per 500 posts (not one per row)."""
        wanted = set(keys)
        found: dict[tuple[str, str], JournalRow] = {}
        for r in self.db.query_in(sql.SELECT_OF_POSTS, sorted({p for p, _ in wanted})):
            if (r[0], r[1]) in wanted:
                found[(r[0], r[1])] = _row(r)
        return found

    def rows(
        self,
        *,
        platform: str | None = None,
        post_id: str | None = None,
        event_id: str | None = None,
        states: Iterable[RowState | str] | None = None,
        drawing_on: Iterable[str] | None = None,
        since: datetime | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[JournalRow]:
        """Rows matching every filter given, in planning order.

        ``drawing_on`` keeps the posts that draw on one of these contents (as
        content or media) or mention one of these members, given as
        ``content:ID`` / ``member:ID``; ``since`` the rows planned at or after
        it. ``limit`` keeps the ``limit`` most recently planned rows, after
        skipping the ``offset`` most recent ones (a page, read through the
        planning-order index: the other rows are not read).
        """
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("platform", platform), ("post_id", post_id), ("event_id", event_id)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if states is not None:
            wanted = [str(s) for s in states]
            where.append(f"state IN ({', '.join('?' for _ in wanted)})")
            params.extend(wanted)
        if drawing_on is not None:
            refs = sorted(set(drawing_on))
            if not refs:
                return []
            where.append(
                "(post_id, platform) IN (SELECT post_id, platform FROM publication_refs "
                f"WHERE ref IN ({', '.join('?' for _ in refs)}))"
            )
            params.extend(refs)
        if since is not None:
            where.append("planned_at >= ?")
            params.append(ts(since))
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        if limit is None and not offset:
            query = f"{sql.SELECT_ALL}{clause} ORDER BY planned_at, post_id, platform"
            return [_row(r) for r in self.db.query(query, params)]
        query = (
            f"{sql.SELECT_ALL}{clause} ORDER BY planned_at DESC, post_id DESC, platform DESC "
            "LIMIT ? OFFSET ?"
        )
        page = self.db.query(query, [*params, -1 if limit is None else limit, offset])
        return [_row(r) for r in reversed(page)]

    def published_drawing_on(
        self,
        *,
        content_ids: Iterable[str] = (),
        member_ids: Iterable[str] = (),
        handles: Iterable[str] = (),
    ) -> list[JournalRow]:
        """Rows on their platform (sent or confirmed, not taken down) whose post draws
        on one of ``content_ids`` (as content or media), mentions one of
        ``member_ids`` or has one of ``handles`` typed in its text, in planning
        order; read through an index, so the other rows of the journal are not read."""
        refs = sorted(
            {f"content:{c}" for c in content_ids}
            | {f"member:{m}" for m in member_ids}
            | {f"handle:{h}" for h in typed_handles(*(f"@{h}" for h in handles))}
        )
        found: dict[tuple[str, str], JournalRow] = {}
        for r in self.db.query_in(sql.SELECT_PUBLISHED_DRAWING_ON, refs):
            row = _row(r)
            found[(row.post_id, row.platform)] = row
        return sorted(found.values(), key=lambda r: (r.planned_at, r.post_id, r.platform))

    def receipts(self, *, include_taken_down: bool = False) -> list[Receipt]:
        """The receipt of every post that went out (and was not taken down)."""
        out = []
        for row in self.rows(states=(RowState.SENT, RowState.CONFIRMED)):
            if row.receipt is not None and (include_taken_down or row.taken_down_at is None):
                out.append(row.receipt)
        return out

    def sent_since(self, platform: str, since: datetime) -> list[datetime]:
        """When each post of ``platform`` sent after ``since`` went out, oldest first."""
        found = self.db.query(sql.SENT_SINCE, (platform, ts(since)))
        return [datetime.fromisoformat(r[0]) for r in found]

    def next_due(self, platform: str) -> datetime | None:
        """The earliest ``next_attempt_at`` of a planned row of ``platform``."""
        found = self.db.query(sql.NEXT_DUE, (platform,))
        return _dt(found[0][0]) if found else None

    # -- takedown ------------------------------------------------------------

    def record_takedown(self, entry: TakedownLogEntry) -> None:
        """Record what a takedown did with one receipt (and mark a deleted post)."""
        self.record_takedowns([entry])

    def record_takedowns(self, entries: Sequence[TakedownLogEntry]) -> None:
        """Record what a takedown did with several receipts, in one transaction
        (deleting is idempotent: if the process dies before this commit, the
        next takedown finds the posts gone and records them)."""
        if not entries:
            return
        with self._write() as tx:
            for entry in entries:
                tx.execute(
                    sql.INSERT_TAKEDOWN,
                    (
                        entry.subject_id,
                        entry.post_id,
                        entry.platform,
                        entry.remote_id,
                        entry.url,
                        entry.outcome,
                        entry.message,
                        ts(entry.at),
                    ),
                )
                if entry.outcome == "deleted":
                    tx.execute(
                        sql.MARK_TAKEN_DOWN,
                        (ts(entry.at), ts(entry.at), entry.post_id, entry.platform),
                    )

    def takedowns(self, *, subject_id: str | None = None) -> list[TakedownLogEntry]:
        """Every takedown outcome recorded (for ``subject_id`` only, if given)."""
        query = sql.SELECT_TAKEDOWNS
        params: tuple[str, ...] = ()
        if subject_id is not None:
            query += " WHERE subject_id = ?"
            params = (subject_id,)
        found = self.db.query(query + " ORDER BY seq", params)
        return [
            TakedownLogEntry(
                subject_id=r[0],
                post_id=r[1],
                platform=r[2],
                remote_id=r[3],
                url=r[4],
                outcome=r[5],
                message=r[6],
                at=datetime.fromisoformat(r[7]),
            )
            for r in found
        ]


def _index_refs(tx: Transaction, post: Post) -> None:
    """Index what ``post`` draws on (contents, mentioned members), for takedowns."""
    tx.execute(
        "DELETE FROM publication_refs WHERE post_id = ? AND platform = ?", (post.id, post.platform)
    )
    refs = post_refs(
        {
            "content_ids": post.content_ids,
            "media": [{"content_id": m.content_id} for m in post.media],
            "mentions": [{"member_id": m.member_id} for m in post.mentions],
            "text": post.text,
            "thread": post.thread,
        }
    )
    tx.execute_many(
        "INSERT INTO publication_refs (ref, post_id, platform) VALUES (?, ?, ?)",
        [(ref, post.id, post.platform) for ref in sorted(refs)],
    )


#: How many posts :func:`_post` keeps by their stored JSON (then it starts over).
POSTS_KEPT = 4096
_posts: dict[str, Post] = {}


def _post(text: str) -> Post:
    """The post stored as ``text``, decoded once: a run reads each row when it plans,
    claims and reports it, and the same JSON gives back the same (frozen) post."""
    post = _posts.get(text)
    if post is None:
        post = from_json(text, Post)
        _keep(text, post)
    return post


def _keep(text: str, post: Post) -> None:
    """Remember that ``text`` is ``post`` as stored. :meth:`Journal.plan` writes each
    post as ``to_json(post)``, which reads back as the same post (the round trip is a
    property test): the rows it reads back and claims are not decoded again."""
    if len(_posts) >= POSTS_KEPT:
        _posts.clear()
    _posts[text] = post


def _row(r: Sequence[Any]) -> JournalRow:
    planned_at = _dt(r[13])
    updated_at = _dt(r[14])
    assert planned_at is not None
    assert updated_at is not None
    return JournalRow(
        post=_post(r[4]),
        platform=r[1],
        purpose=r[2],
        event_id=r[3],
        state=RowState(r[5]),
        attempts=r[6],
        next_attempt_at=_dt(r[7]),
        last_error=r[8],
        reasons=tuple(json.loads(r[9])),
        receipt=None if r[10] is None else from_json(r[10], Receipt),
        claimed_by=r[11],
        lease_until=_dt(r[12]),
        planned_at=planned_at,
        updated_at=updated_at,
        sent_at=_dt(r[15]),
        taken_down_at=_dt(r[16]),
    )
