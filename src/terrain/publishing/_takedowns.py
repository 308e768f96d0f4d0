"""The takedown queue: what a withdrawal took back, deleted by ``terrain worker``.

::

    queued ──claim──▶ claimed ──deleted / manual / given up──▶ done
       ▲                 │
       └──retry later────┘ (the platform failed; after a lease, a crashed run's row too)

A withdrawal made on a member's page (:mod:`terrain.workflows._withdraw`)
queues one row per published post it covers, with the id of the withdrawal.
A worker claims a row in a committed transaction *before* calling the
platform, with its id and a lease, like the publication journal: two workers
never delete the same post at once, and a row left ``claimed`` by a crashed
worker is taken over once its lease ends. Deleting again what is already
gone is harmless (the platform says :class:`~terrain.errors.NotFound`, which
counts as deleted), so a takeover never leaves a post online.

Each row ends ``done`` with an outcome: ``deleted``; ``manual`` (the
platform cannot delete through its API, or is not configured: remove it by
hand at the receipt's URL); ``failed`` (the platform kept failing; remove it
by hand, or queue it again). The outcome goes to the journal's takedown log
(:meth:`~terrain.publishing.Journal.record_takedown`, which marks a deleted
post taken down) and to the decision log, naming the withdrawal.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from terrain._time import instant, require_aware
from terrain.consent import DecisionOutcome, DecisionRecord, Purpose, Reason
from terrain.errors import Conflict, NotFound, PlatformError
from terrain.plugins import Platform
from terrain.posts import Receipt
from terrain.publishing._journal import Journal, TakedownLogEntry, new_owner_id
from terrain.publishing._runner import scrub
from terrain.serialization import from_json, to_json
from terrain.store import Database

__all__ = ["QueuedTakedown", "TakedownQueue", "TakedownRun", "run_takedowns"]

_COLUMNS = (
    "id, withdrawal_id, subject_id, post_id, platform, receipt_json, consent_ids, state, "
    "outcome, message, attempts, next_attempt_at, claimed_by, lease_until, queued_at, updated_at"
)

#: Tries before a takedown the platform keeps failing is given up (to remove by hand).
MAX_ATTEMPTS = 5


def _ts(at: datetime) -> str:
    return require_aware(at, "takedown queue: now").astimezone(UTC).isoformat(
        timespec="microseconds"
    )


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


@attrs.frozen
class QueuedTakedown:
    """One post to take down because of withdrawal ``withdrawal_id``.

    ``state`` is ``queued``, ``claimed`` or ``done``; once done, ``outcome``
    is ``deleted``, ``manual`` or ``failed`` and ``message`` says what
    happened (for ``manual`` and ``failed``: where to remove it by hand).
    ``consent_ids`` are the consent records the withdrawal ended.
    """

    id: str
    withdrawal_id: str
    subject_id: str
    receipt: Receipt
    consent_ids: tuple[str, ...] = ()
    state: str = "queued"
    outcome: str | None = None
    message: str = ""
    attempts: int = 0
    next_attempt_at: datetime | None = None
    claimed_by: str | None = None
    lease_until: datetime | None = None
    queued_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def post_id(self) -> str:
        """The post to take down."""
        return self.receipt.post_id

    @property
    def platform(self) -> str:
        """Where it was published."""
        return self.receipt.platform


def _row(r: Sequence[Any]) -> QueuedTakedown:
    return QueuedTakedown(
        id=r[0], withdrawal_id=r[1], subject_id=r[2], receipt=from_json(r[5], Receipt),
        consent_ids=tuple(json.loads(r[6])), state=r[7], outcome=r[8], message=r[9],
        attempts=r[10], next_attempt_at=_dt(r[11]), claimed_by=r[12], lease_until=_dt(r[13]),
        queued_at=_dt(r[14]), updated_at=_dt(r[15]),
    )


class TakedownQueue:
    """The ``takedown_queue`` table of a workspace database (safe to share between threads)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def enqueue(
        self,
        withdrawal_id: str,
        subject_id: str,
        receipts: Iterable[Receipt],
        *,
        now: datetime,
        consent_ids: Iterable[str] = (),
    ) -> list[QueuedTakedown]:
        """Queue the takedown of each of ``receipts`` for ``withdrawal_id``, in one transaction.

        A post already queued and not done is not queued twice (the row
        already there is returned); one whose takedown is done is queued again
        only if it was not deleted.
        """
        stamp = _ts(now)
        ids = json.dumps(sorted(set(consent_ids)))
        out: list[str] = []
        with self.db.transaction() as tx:
            for receipt in receipts:
                found = tx.query(
                    "SELECT id, state, outcome FROM takedown_queue WHERE post_id = ? AND "
                    "platform = ? ORDER BY queued_at DESC, id",
                    (receipt.post_id, receipt.platform),
                )
                open_row = next((r for r in found if r[1] != "done" or r[2] == "deleted"), None)
                if open_row is not None:
                    out.append(open_row[0])
                    continue
                row_id = f"td-{uuid.uuid4().hex[:16]}"
                tx.execute(
                    "INSERT INTO takedown_queue (id, withdrawal_id, subject_id, post_id, "
                    "platform, receipt_json, consent_ids, state, queued_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)",
                    (row_id, withdrawal_id, subject_id, receipt.post_id, receipt.platform,
                     to_json(receipt), ids, stamp, stamp),
                )
                out.append(row_id)
        return [row for row in (self.get(i) for i in out) if row is not None]

    def get(self, row_id: str) -> QueuedTakedown | None:
        """Row ``row_id``, or ``None``."""
        found = self.db.query(f"SELECT {_COLUMNS} FROM takedown_queue WHERE id = ?", (row_id,))
        return _row(found[0]) if found else None

    def rows(
        self, *, subject_id: str | None = None, withdrawal_id: str | None = None,
        states: Iterable[str] | None = None,
    ) -> list[QueuedTakedown]:
        """Rows matching every filter given, oldest first."""
        where, params = [], []
        for column, value in (("subject_id", subject_id), ("withdrawal_id", withdrawal_id)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if states is not None:
            wanted = list(states)
            where.append(f"state IN ({', '.join('?' for _ in wanted)})")
            params += wanted
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        query = f"SELECT {_COLUMNS} FROM takedown_queue{clause} ORDER BY queued_at, id"
        return [_row(r) for r in self.db.query(query, params)]

    def open_count(self) -> int:
        """How many takedowns are queued or in flight."""
        found = self.db.query("SELECT COUNT(*) FROM takedown_queue WHERE state <> 'done'")
        return int(found[0][0])

    def claim(self, owner: str, *, now: datetime, lease: timedelta) -> QueuedTakedown | None:
        """Take the oldest due queued row, or a claimed one whose lease ended; ``None``."""
        now = instant(require_aware(now, "claim: now"))
        stamp = _ts(now)
        while True:
            with self.db.transaction() as tx:
                found = tx.one(
                    f"SELECT {_COLUMNS} FROM takedown_queue WHERE (state = 'queued' AND "
                    "(next_attempt_at IS NULL OR next_attempt_at <= ?)) OR (state = 'claimed' "
                    "AND lease_until <= ?) ORDER BY queued_at, id LIMIT 1",
                    (stamp, stamp),
                )
                if found is None:
                    return None
                row = _row(found)
                taken = tx.execute(
                    "UPDATE takedown_queue SET state = 'claimed', claimed_by = ?, lease_until = ?,"
                    " attempts = attempts + 1, updated_at = ? WHERE id = ? AND state = ? AND "
                    "coalesce(claimed_by, '') = coalesce(?, '')",
                    (owner, _ts(now + lease), stamp, row.id, row.state, row.claimed_by),
                )
            if taken == 1:
                return attrs.evolve(row, state="claimed", claimed_by=owner,
                                    lease_until=now + lease, attempts=row.attempts + 1)

    def finish(
        self, row: QueuedTakedown, owner: str, outcome: str, message: str, *, now: datetime
    ) -> bool:
        """Row ``row`` is done with ``outcome``; ``False`` if ``owner`` lost it meanwhile."""
        with self.db.transaction() as tx:
            return tx.execute(
                "UPDATE takedown_queue SET state = 'done', outcome = ?, message = ?, "
                "claimed_by = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND "
                "claimed_by = ? AND state = 'claimed'",
                (outcome, message, _ts(now), row.id, owner),
            ) == 1

    def release(
        self, row: QueuedTakedown, owner: str, message: str, *, now: datetime, retry_at: datetime
    ) -> bool:
        """Back to queued, to try again at ``retry_at`` (the platform failed)."""
        with self.db.transaction() as tx:
            return tx.execute(
                "UPDATE takedown_queue SET state = 'queued', message = ?, next_attempt_at = ?, "
                "claimed_by = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND "
                "claimed_by = ? AND state = 'claimed'",
                (message, _ts(retry_at), _ts(now), row.id, owner),
            ) == 1


@attrs.frozen
class TakedownRun:
    """What :func:`run_takedowns` did: ``done`` rows with their outcome, ``retrying``
    rows released to be tried again later."""

    done: tuple[QueuedTakedown, ...] = ()
    retrying: tuple[QueuedTakedown, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        """How many rows ended each way (``deleted``, ``manual``, ``failed``, ``retrying``)."""
        out: dict[str, int] = {}
        for row in self.done:
            out[row.outcome or "deleted"] = out.get(row.outcome or "deleted", 0) + 1
        if self.retrying:
            out["retrying"] = len(self.retrying)
        return out


def _attempt(
    row: QueuedTakedown, platforms: Mapping[str, Platform | str]
) -> tuple[str, str]:
    """``(outcome, message)`` of deleting ``row``'s post; ``outcome`` ``"retry"`` when
    the platform failed in a way worth trying again."""
    receipt = row.receipt
    where = receipt.url or f"{receipt.platform} post {receipt.remote_id}"
    platform = platforms.get(receipt.platform)
    if platform is None or isinstance(platform, str):
        why = platform or "not configured in terrain.toml"
        return "manual", f"{receipt.platform} is not available ({why}); remove {where} by hand"
    if not platform.capabilities.delete:
        return "manual", (
            f"{receipt.platform} cannot delete posts through its API; remove {where} by hand"
        )
    try:
        platform.delete(receipt)
    except NotFound:
        return "deleted", f"already gone from {receipt.platform}"
    except PlatformError as exc:
        message = (
            f"{receipt.platform} did not delete it ({type(exc).__name__}: {exc}); remove "
            f"{where} by hand if it stays online"
        )
        return ("retry" if exc.retryable else "failed"), scrub(message)
    return "deleted", f"deleted from {receipt.platform}"


def run_takedowns(
    queue: TakedownQueue,
    journal: Journal,
    platforms: Mapping[str, Platform | str],
    *,
    now_fn: Callable[[], datetime],
    record_decision: Callable[[DecisionRecord], None],
    owner: str | None = None,
    lease: timedelta = timedelta(minutes=5),
    max_attempts: int = MAX_ATTEMPTS,
    retry_after: timedelta = timedelta(minutes=1),
) -> TakedownRun:
    """Carry out every due takedown of ``queue``, one claimed row at a time.

    ``platforms`` maps a platform name to its object, or to the reason it
    cannot be built (its takedowns are then ``manual``). Each outcome goes to
    ``journal``'s takedown log and, through ``record_decision``, to the
    decision log (``subject_kind="post"``, ``outcome="denied"``), with a
    reason naming the withdrawal and the consent records it ended. A platform
    failure that may pass is tried again after ``retry_after`` (doubling), up
    to ``max_attempts`` tries, then given up as ``failed``.
    """
    me = owner or new_owner_id()
    done: list[QueuedTakedown] = []
    retrying: list[QueuedTakedown] = []
    while True:
        row = queue.claim(me, now=now_fn(), lease=lease)
        if row is None:
            break
        outcome, message = _attempt(row, platforms)
        now = now_fn()
        if outcome == "retry":
            if row.attempts < max_attempts:
                wait = retry_after * (2 ** (row.attempts - 1))
                if queue.release(row, me, message, now=now, retry_at=instant(now) + wait):
                    retrying.append(row)
                continue
            outcome = "failed"
        _record(row, outcome, message, now, journal, record_decision)
        if queue.finish(row, me, outcome, message, now=now):
            done.append(attrs.evolve(row, state="done", outcome=outcome, message=message))
    return TakedownRun(done=tuple(done), retrying=tuple(retrying))


def _record(
    row: QueuedTakedown,
    outcome: str,
    message: str,
    now: datetime,
    journal: Journal,
    record_decision: Callable[[DecisionRecord], None],
) -> None:
    receipt = row.receipt
    journal.record_takedown(
        TakedownLogEntry(
            subject_id=row.subject_id, post_id=receipt.post_id, platform=receipt.platform,
            remote_id=receipt.remote_id, url=receipt.url, outcome=outcome, message=message,
            at=now,
        )
    )
    ended = f" (consent {', '.join(row.consent_ids)} ended)" if row.consent_ids else ""
    reason = Reason(
        text=f"taken down after withdrawal {row.withdrawal_id} by {row.subject_id}{ended}: "
        f"{outcome}: {message}",
        blocking=True,
        member_id=row.subject_id,
        consent_id=row.consent_ids[0] if row.consent_ids else None,
    )
    # a worker that crashed after recording it: the decision is already there
    with contextlib.suppress(Conflict):
        record_decision(
            DecisionRecord(
                id=f"takedown-{row.id}", actor="terrain worker", subject_kind="post",
                subject_id=receipt.post_id, platform=receipt.platform, purpose=Purpose.PUBLISH,
                at=now, outcome=DecisionOutcome.DENIED, reasons=(reason,),
                relied_on=row.consent_ids,
            )
        )
