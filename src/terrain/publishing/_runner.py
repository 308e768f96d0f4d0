"""The publishing runner: journal rows out to platforms, exactly once.

For each platform, workers (threads, ``PlatformPolicy.concurrency`` of them,
all platforms at once within a bounded pool) loop:

1. **claim** the oldest due ``planned`` row (committed before any call);
2. ask the **consent gate** at that very instant and record the decision in
   the audit log; a denied post is ``held`` with the reasons, a dropped
   mention goes out without the mention;
3. run the ``terrain_before_publish`` hooks (a veto holds the post);
4. respect the platform's **daily budget** (e.g. X free tier: 17 posts a
   day; the rest stays planned with a ``next_attempt_at``) and **rate**;
5. **call** ``Platform.publish``; record the receipt (``sent``), run the
   ``terrain_after_publish`` hooks, then ``confirmed``. With no such hook the
   receipt is recorded ``confirmed`` at once, and the worker's next row is
   claimed in that same transaction (one commit, not two; step 1 for the next
   post, still committed before its call).

A failed call is handled by what the error says (:meth:`_Runner.failed_call`):
``AuthError`` stops the platform and says which variables to fix; an error
whose ``retryable`` is true (``RateLimited``, ``TransientError``, or a
plugin's own error class) is retried with exponential, jittered backoff
(honouring ``retry_after``), asking ``find`` first; any other
``PlatformError`` (``Rejected``…) fails the row with the platform's reason.

Consent is judged by :func:`~terrain.publishing._judge.judge`, the function
the dry run uses too: a gate that could not be asked (the store or the network
failed) is *undecided*, not a refusal: the row is planned again with a
backoff and the decision log records that no decision could be made.

A store outage (:class:`~terrain.errors.StoreUnavailable`) does not end a run:
the thread waits for the store (:class:`~terrain.publishing._outage.Outage`),
then settles the row it held. Before the call, the row is released (a fresh
claim decides consent again); after the call, the receipt or the error is
recorded, retrying the guarded write until the store answers.

Before any of that, rows a crashed run left ``claimed`` or ``sent`` are
reconciled: ``Platform.find(post)`` says whether the call went through, so
nothing is posted twice and nothing is lost.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from typing import Any, TypeVar

import attrs

from terrain.consent import Decision, DecisionRecord
from terrain.errors import (
    AuthError,
    Conflict,
    PlatformError,
    PublishVetoed,
    RateLimited,
    Rejected,
    StoreUnavailable,
)
from terrain.plugins import Platform
from terrain.posts import Post, Receipt
from terrain.publishing._album import left_out
from terrain.publishing._approvals import ApprovalCheck
from terrain.publishing._journal import Journal, JournalRow, RowState, new_owner_id
from terrain.publishing._judge import Gate, Judgement, Verdict, judge, undecided_record
from terrain.publishing._outage import GaveUp, Outage, jittered
from terrain.publishing._outcomes import Outcome, RunReport, outcome_of
from terrain.publishing._policy import DEFAULT_POLICIES, PlatformPolicy
from terrain.secrets import redact

__all__ = [
    "DEFAULT_POLICIES",
    "Outcome",
    "PlatformPolicy",
    "RunReport",
    "outcome_of",
    "publish",
    "scrub",
]

log = logging.getLogger("terrain.publishing")

_T = TypeVar("_T")

_DAY = timedelta(days=1)

#: A call that waited longer than this (seconds) for its rate slot has its
#: consent decided again right before the call.
REDECIDE_AFTER = 1.0

#: How many times a thread that woke up late for its slot reserves a new one.
_LATE_RETRIES = 3


def scrub(text: str, environ: Mapping[str, str] | None = None) -> str:
    """``text`` with every secret masked (:func:`terrain.secrets.redact`).

    Adapters redact their tokens already; this is the second lock, applied to
    every message the runner stores or prints. It masks the secrets handed out
    in this process and the variables of ``environ`` whose names say they are
    secrets, not every ``TERRAIN_*`` value (a workspace path stays readable).
    """
    return redact(text, environ)


class _PlatformRun:
    """The shared state of one platform's workers."""

    def __init__(self, platform: Platform, policy: PlatformPolicy) -> None:
        self.platform = platform
        self.policy = policy
        self.name = platform.name
        self.lock = threading.Lock()
        self.stopped: str | None = None
        self.messages: list[str] = []

    def note(self, message: str) -> None:
        with self.lock:
            if message not in self.messages:
                self.messages.append(message)


class _Runner:
    def __init__(
        self,
        journal: Journal,
        *,
        gate: Gate,
        record_decision: Callable[[DecisionRecord], None] | None,
        hook: Any,
        now_fn: Callable[[], datetime],
        sleep: Callable[[float], None],
        lease: timedelta,
        max_wait: float,
        owner: str,
        on_progress: Callable[[JournalRow], None] | None,
        stop: threading.Event | None = None,
        jitter: Callable[[], float] | None = None,
        max_outage: float | None = None,
        on_notice: Callable[[str], None] | None = None,
        approval: ApprovalCheck | None = None,
        egress: Callable[[Post], Post] | None = None,
    ) -> None:
        self.journal = journal
        self.approval = approval
        self.egress = egress
        self.stop = stop
        self.gate = gate
        self.record_decision = record_decision
        self.hook = hook
        self.now_fn = now_fn
        self.sleep = sleep
        self.lease = lease
        self.max_wait = max_wait
        self.owner = owner
        self.on_progress = on_progress
        self.jitter = jitter or random.random
        self.outage = Outage(
            journal.db.ping,
            notice=on_notice or log.warning,
            random=self.jitter,
            sleep=sleep,
            stop=stop,
            max_outage=max_outage,
        )
        self._lock = threading.Lock()
        #: (post_id, platform) of the rows this run's threads are working on
        self.active: set[tuple[str, str]] = set()
        #: consecutive "no decision could be made" per row, for their backoff
        self.undecided: dict[tuple[str, str], int] = {}

    # -- hooks ---------------------------------------------------------------

    def _call_hook(self, name: str, **kwargs: Any) -> None:
        caller = getattr(self.hook, name, None) if self.hook is not None else None
        if caller is not None:
            caller(**kwargs)

    def _after_publish(self, run: _PlatformRun, receipt: Receipt) -> None:
        try:
            self._call_hook("terrain_after_publish", receipt=receipt)
        except Exception as exc:  # an observer must not undo a publication
            message = scrub(f"{run.name}: an after-publish hook failed: {exc}")
            run.note(message)
            log.warning("%s (post %s)", message, receipt.post_id)

    def _has_after_hooks(self) -> bool:
        """Whether a plugin implements ``terrain_after_publish`` (else a post
        is recorded sent and confirmed in one transaction)."""
        caller = getattr(self.hook, "terrain_after_publish", None) if self.hook else None
        if caller is None:
            return False
        impls = getattr(caller, "get_hookimpls", None)
        return True if impls is None else bool(impls())

    def _progress(self, row: JournalRow) -> None:
        if self.on_progress is not None:
            self.on_progress(row)

    # -- the store, through its outages -------------------------------------

    def durably(
        self,
        write: Callable[[], bool],
        row: JournalRow,
        landed: Callable[[JournalRow], bool] | None = None,
    ) -> bool:
        """Run a guarded journal ``write`` on ``row``, waiting out store outages.

        A write cut by an outage may or may not have been committed: after a
        retry that changed nothing, ``landed(row as stored)`` says whether the
        first try went through (``False`` without ``landed``: the claim is
        gone, or the first try landed; either way nothing is left to do).
        """
        cut = False
        while True:
            try:
                done = write()
            except StoreUnavailable as exc:
                cut = True
                self.outage.wait(exc)
                continue
            if done or not cut or landed is None:
                return done
            stored = self.retrying(lambda: self.journal.get(row.post_id, row.platform))
            return stored is not None and landed(stored)

    def retrying(self, step: Callable[[], _T]) -> _T:
        """``step()``, repeated after waiting out each store outage: for reads, and
        for writes whose second try is safe (a claim cut by an outage is taken back
        after its lease, see :meth:`Journal.claim_abandoned`)."""
        while True:
            try:
                return step()
            except StoreUnavailable as exc:
                self.outage.wait(exc)

    @contextmanager
    def working_on(self, row: JournalRow) -> Iterator[None]:
        """Mark ``row`` as one this run's threads hold (not an orphan to take back)."""
        key = (row.post_id, row.platform)
        with self._lock:
            self.active.add(key)
        try:
            yield
        finally:
            with self._lock:
                self.active.discard(key)

    def _release(
        self,
        row: JournalRow,
        *,
        next_attempt_at: datetime | None = None,
        error: str | None = None,
        attempted: bool = False,
    ) -> bool:
        return self.durably(
            lambda: self.journal.release(
                row,
                self.owner,
                now=self.now_fn(),
                next_attempt_at=next_attempt_at,
                error=error,
                attempted=attempted,
            ),
            row,
        )

    def _hold(self, row: JournalRow, reasons: Sequence[str]) -> None:
        self.durably(
            lambda: self.journal.mark_held(row, self.owner, reasons, now=self.now_fn()), row
        )
        self._done(row, RowState.HELD)

    def _fail(self, row: JournalRow, error: str, *, attempted: bool = True) -> None:
        self.durably(
            lambda: self.journal.mark_failed(
                row, self.owner, error, now=self.now_fn(), attempted=attempted
            ),
            row,
        )
        self._done(row, RowState.FAILED)

    def _record_sent(self, run: _PlatformRun, row: JournalRow, receipt: Receipt) -> bool:
        """Record that ``receipt`` came back for ``row``, then confirm it; ``False`` if
        another run took the row over meanwhile (it asks ``find`` first)."""
        hooks = self._has_after_hooks()
        sent = self.durably(
            lambda: self.journal.mark_sent(
                row, self.owner, receipt, now=self.now_fn(), confirmed=not hooks
            ),
            row,
            landed=lambda stored: (
                stored.state in (RowState.SENT, RowState.CONFIRMED)
                and stored.receipt is not None
                and stored.receipt.remote_id == receipt.remote_id
            ),
        )
        if not sent:
            return False
        if hooks:
            self._after_publish(run, receipt)
            self.durably(
                lambda: self.journal.mark_confirmed(row, self.owner, now=self.now_fn()),
                row,
                landed=lambda stored: stored.state is RowState.CONFIRMED,
            )
        return True

    def _record_sent_then_claim(
        self, run: _PlatformRun, row: JournalRow, receipt: Receipt, *, claim: bool
    ) -> tuple[bool, JournalRow | None]:
        """:meth:`_record_sent`, and with ``claim`` the platform's next ready row
        claimed in the same transaction (:meth:`Journal.mark_sent_then_claim`) when
        the receipt is all there is to record (no after-publish hook) and the run
        goes on. A retry after a store outage records the receipt alone."""
        if not claim or self._has_after_hooks() or run.stopped is not None or self.stopping():
            return self._record_sent(run, row, receipt), None
        claimed: JournalRow | None = None
        tries = 0

        def write() -> bool:
            nonlocal claimed, tries
            tries += 1
            if tries > 1:
                return self.journal.mark_sent(
                    row, self.owner, receipt, now=self.now_fn(), confirmed=True
                )
            sent, claimed = self.journal.mark_sent_then_claim(
                row, self.owner, receipt, now=self.now_fn(), lease=self.lease
            )
            return sent

        sent = self.durably(
            write,
            row,
            landed=lambda stored: (
                stored.state in (RowState.SENT, RowState.CONFIRMED)
                and stored.receipt is not None
                and stored.receipt.remote_id == receipt.remote_id
            ),
        )
        return sent, claimed if sent else None

    # -- reconciliation ------------------------------------------------------

    def reconcile(self, run: _PlatformRun, *, quiet: bool = False) -> int:
        """Settle what a crashed run left in flight, before anything is retried.

        Returns how many rows were taken over. ``quiet``: do not note rows
        other live runs hold (workers sharing a journal always see some).
        """
        with self._lock:
            active = frozenset(self.active)
        taken, busy = self.retrying(
            lambda: self.journal.claim_abandoned(
                run.name, self.owner, now=self.now_fn(), lease=self.lease, active=active
            )
        )
        if busy and not quiet:
            run.note(
                f"{run.name}: {len(busy)} post(s) are being published by another run "
                f"({busy[0].claimed_by}); left to it"
            )
        for row in taken:
            with self.working_on(row):
                self._settle_abandoned(run, row)
        return len(taken)

    def _settle_abandoned(self, run: _PlatformRun, row: JournalRow) -> None:
        if row.state is RowState.SENT:
            if row.receipt is not None:
                self._after_publish(run, row.receipt)
            self.durably(
                lambda: self.journal.mark_confirmed(row, self.owner, now=self.now_fn()), row
            )
            return
        try:
            found = run.platform.find(row.post)
        except PlatformError as exc:
            # Planned again, marked as tried: whoever claims it next asks
            # find() first, so the post cannot go out twice meanwhile.
            message = scrub(
                f"{run.name}: could not check whether post {row.post_id} already went "
                f"out ({exc}); it is checked again with find() before any retry"
            )
            run.note(message)
            self._release(
                row,
                next_attempt_at=self.now_fn() + timedelta(seconds=self._backoff(run, row)),
                error=message,
                attempted=True,
            )
            return
        if found is not None:
            if self._record_sent(run, row, found):
                log.info("reconciled %s on %s: already published", row.post_id, run.name)
        else:
            self._release(row)
            log.info("reconciled %s on %s: not published, planned again", row.post_id, run.name)

    # -- the worker loop -----------------------------------------------------

    def work(self, run: _PlatformRun) -> None:
        # the row claimed in the transaction of the previous post's receipt, if any
        claimed: JournalRow | None = None
        try:
            while run.stopped is None:
                if claimed is not None:
                    row, claimed = claimed, None
                else:
                    try:
                        now = self.now_fn()
                        ready = self.journal.claim_ready(
                            run.name, self.owner, now=now, lease=self.lease
                        )
                        if ready is None:
                            due = self.journal.next_due(run.name)
                            if due is None:
                                return
                            wait = (due - now).total_seconds()
                            if wait > self.max_wait:
                                return
                            self.sleep(min(max(wait, 0.001), 0.25))
                            continue
                    except StoreUnavailable as exc:
                        self.outage.wait(exc)
                        continue
                    row = ready
                claimed = self.process(run, row, claim_next=True)
        finally:
            if claimed is not None:
                # the run stopped with a row claimed for this thread: it goes back
                # to planned (nothing was decided or sent for it)
                self._release(claimed)

    def stopping(self) -> bool:
        """Whether a graceful stop was asked (SIGTERM in ``terrain worker``)."""
        return self.stop is not None and self.stop.is_set()

    def process(
        self, run: _PlatformRun, row: JournalRow, *, claim_next: bool = False
    ) -> JournalRow | None:
        """Take one claimed row to its next state (see the module docstring).

        ``claim_next``: once the post is out, the platform's next ready row is
        claimed in the transaction that records the receipt (one commit instead of
        two); that row is returned, for the caller to process next."""
        with self.working_on(row):
            try:
                post = self._before_call(run, row)
            except StoreUnavailable as exc:
                # Nothing was sent: once the store is back, give the row back
                # (a fresh claim decides consent again, at its own call).
                self.outage.wait(exc)
                self._release(row)
                return None
            if post is not None:
                return self._call(run, row, post, claim_next=claim_next)
            return None

    def _before_call(self, run: _PlatformRun, row: JournalRow) -> Post | None:
        """Everything up to the call: the post to send, or ``None`` (row settled)."""
        if row.attempts and self._already_out(run, row):
            return None
        post = self._decide(run, row)
        if post is None:
            return None
        try:
            self._call_hook("terrain_before_publish", post=post, platform=run.platform)
        except PublishVetoed as exc:
            self._hold(row, [f"vetoed by a plugin: {exc.reason}"])
            log.info("held back %s on %s: vetoed by a plugin: %s", row.post_id, run.name, exc)
            return None
        except StoreUnavailable:
            raise  # a plugin that reads the store met the outage: wait for it, like us
        except Exception as exc:  # a bug in a plugin is not a veto: stop, send nothing
            message = scrub(
                f"a plugin's terrain_before_publish failed: {type(exc).__name__}: {exc}"
            )
            self._release(row, error=message)
            self._stop(
                run,
                f"STOPPED {run.name}: {message}. Fix or uninstall the plugin "
                "(`terrain plugins` lists them); the posts stay planned.",
            )
            return None
        # The slot is reserved last, so that only a sleep separates it from
        # the call (a late call would crowd the next worker's slot).
        waited = self._take_slot(run, row)
        if waited is None:
            return None
        if self.stopping():
            self._release(row)
            return None
        if waited > REDECIDE_AFTER:
            # A long wait for the rate: consent is decided again at the call.
            return self._decide(run, row)
        return post

    def _blurred(self, row: JournalRow, post: Post) -> Post | None:
        """``post`` with a blurred copy of each photo the consent gate blurs (the stored
        photo is never changed), or ``None`` when the row was held or failed."""
        if not any(m.blur for m in post.media):
            return post
        if self.egress is None:
            self._hold(row, [
                "photos must be blurred and this run cannot blur them (no egress given to "
                "publish()): publish from the workspace (`terrain publish`, `terrain worker`)"
            ])
            return None
        try:
            return self.egress(post)
        except Exception as exc:  # a photo that cannot be blurred never leaves unblurred
            self._fail(row, scrub(f"could not blur the photos of {row.post_id}: {exc}"),
                       attempted=False)
            return None

    def _call(
        self, run: _PlatformRun, row: JournalRow, post: Post, *, claim_next: bool = False
    ) -> JournalRow | None:
        """Call the platform with ``post`` and record what came of it; with
        ``claim_next``, the next row claimed with the receipt (see :meth:`process`)."""
        log.debug("%s: publishing %s (attempt %d)", run.name, row.post_id, row.attempts + 1)
        blurred = self._blurred(row, post)
        if blurred is None:
            return None
        post = blurred
        try:
            receipt = run.platform.publish(post)
        except PlatformError as exc:
            self.failed_call(run, row, exc)
        except Exception as exc:
            # We cannot tell whether the post went out: leave the row claimed,
            # so that the next run reconciles it with find() before retrying.
            self._stop(
                run,
                scrub(
                    f"STOPPED {run.name}: unexpected error while publishing {row.post_id} "
                    f"({type(exc).__name__}: {exc}); the post is checked with find() on the "
                    "next run before any retry."
                ),
            )
            log.error("%s", run.stopped)
        else:
            if receipt.post_id != row.post_id:
                receipt = attrs.evolve(receipt, post_id=row.post_id)
            sent, claimed = self._record_sent_then_claim(
                run, attrs.evolve(row, post=post), receipt, claim=claim_next
            )
            if not sent:
                run.note(f"{run.name}: lost the claim on {row.post_id} (lease taken over)")
                return None
            log.info(
                "published %s on %s: remote id %s%s",
                row.post_id,
                run.name,
                receipt.remote_id,
                f" ({receipt.url})" if receipt.url else "",
            )
            self._done(row, RowState.CONFIRMED)
            return claimed
        return None

    def failed_call(self, run: _PlatformRun, row: JournalRow, exc: PlatformError) -> None:
        """What a failed call leads to, by what the error says.

        ``AuthError`` stops the platform (retrying with the same credentials
        cannot help; the posts stay planned). A ``retryable`` error is tried
        again after a backoff (``RateLimited``: after ``retry_after``, for
        every worker); the next try asks ``find`` first, since the failure may
        hide a success. Any other error fails the row with its message.
        """
        if isinstance(exc, AuthError):
            self._release(row, error=scrub(str(exc)))
            self._stop(
                run,
                f"STOPPED {run.name}: the platform refused the credentials ({scrub(str(exc))}). "
                f"Fix the TERRAIN_{_env_name(run.name)}_* environment variables (or the "
                "credentials file), then run `terrain publish` again; the posts stay planned.",
            )
        elif exc.retryable and isinstance(exc, RateLimited):
            # the whole platform pauses (every worker: the slot is in the journal)
            if exc.retry_after is not None:
                pause, delay = exc.retry_after, jittered(exc.retry_after, self.jitter)
            else:
                pause = delay = self._backoff(run, row)
            until = self.now_fn() + timedelta(seconds=pause)
            self.durably(lambda: self._push_slot(row, until), row)
            self._retry(run, row, exc, delay)
        elif exc.retryable:
            self._retry(run, row, exc, self._backoff(run, row))
        elif isinstance(exc, Rejected):
            self._fail(row, scrub(f"{run.name} refused the post: {exc}"))
            log.info("%s refused %s: %s", run.name, row.post_id, scrub(str(exc)))
        else:
            self._fail(row, scrub(str(exc)))
            log.info("%s failed for %s: %s", run.name, row.post_id, scrub(str(exc)))

    def _push_slot(self, row: JournalRow, until: datetime) -> bool:
        self.journal.push_slot(row, until)
        return True

    def _decide(self, run: _PlatformRun, row: JournalRow) -> Post | None:
        """Judge the post now and record the decision: the post to send (mentions
        dropped as decided), or ``None`` when the row was held or planned again."""
        judgement = judge(self.gate, row.post, self.now_fn(), purpose=row.purpose)
        if judgement.verdict is Verdict.UNDECIDED:
            self._undecided(run, row, judgement)
            return None
        key = (row.post_id, row.platform)
        with self._lock:
            self.undecided.pop(key, None)
        if judgement.decision is not None and self.record_decision is not None:
            record = judgement.decision.to_record(
                actor=f"runner {self.owner}", record_id=_record_id()
            )
            self.record_decision(record)
        if judgement.decision is not None and log.isEnabledFor(logging.DEBUG):
            # the account is built only for a log that shows it (one per call)
            log.debug(
                "consent for %s on %s: %s", row.post_id, run.name, _for_log(judgement.decision)
            )
        if judgement.verdict is Verdict.REFUSED:
            self._hold(row, scrub_all(judgement.reasons))
            why = (
                _for_log(judgement.decision)
                if judgement.decision is not None
                else "consent could not be checked"
            )
            log.info(
                "held back %s on %s: %s; `terrain log --post %s` says why",
                row.post_id,
                run.name,
                why,
                row.post_id,
            )
            return None
        post = judgement.post
        if self.approval is not None:
            # approval is on: only the exact content a person approved goes out
            waiting = self.approval(post, judgement.decision)
            if waiting is not None:
                self._hold(row, [scrub(waiting)])
                log.info("held back %s on %s: not approved as it stands", row.post_id, run.name)
                return None
        if len(post.media) < len(row.post.media) and judgement.decision is not None:
            blocked = sorted(
                {r.member_id or r.content_id or "?" for r in left_out(judgement.decision)}
            )
            log.info(
                "left %d of %d photos out of album %s on %s (blocked by %s); "
                "`terrain log --post %s` says why",
                len(row.post.media) - len(post.media),
                len(row.post.media),
                row.post_id,
                run.name,
                ", ".join(blocked),
                row.post_id,
            )
        return post

    def _undecided(self, run: _PlatformRun, row: JournalRow, judgement: Judgement) -> None:
        """No decision could be made (the store or the network failed): record that,
        and plan the row again after a backoff. Not a refusal: nothing is held."""
        if isinstance(judgement.error, StoreUnavailable):
            self.outage.wait(judgement.error)
        key = (row.post_id, row.platform)
        with self._lock:
            tries = self.undecided.get(key, 0)
            self.undecided[key] = tries + 1
        policy = run.policy
        delay = jittered(
            min(policy.backoff * (2 ** min(tries, 32)), policy.max_backoff), self.jitter
        )
        if tries + 1 >= policy.max_attempts:
            # asked often enough in this run: a later run (or poll) asks again
            delay = max(delay, self.max_wait + 1.0)
            run.note(
                f"{run.name}: consent could not be checked for some posts (the store or the "
                "network failed); they stay planned, nothing was sent: run `terrain publish` "
                "again later (a worker tries again by itself)"
            )
        retry_at = self.now_fn() + timedelta(seconds=delay)
        reasons = scrub_all(judgement.reasons)
        if self.record_decision is not None:
            record = undecided_record(
                attrs.evolve(judgement, reasons=reasons),
                purpose=row.purpose,
                actor=f"runner {self.owner}",
                record_id=_record_id(),
                retry_at=retry_at,
            )
            self.durably(lambda: self._record_once(record), row)
        message = f"{run.name}: no consent decision on {row.post_id} ({'; '.join(reasons)})"
        self._release(row, next_attempt_at=retry_at, error=message)
        log.info("%s; planned again, next try in %.1f s", message, delay)
        self._done(row, RowState.PLANNED)

    def _record_once(self, record: DecisionRecord) -> bool:
        assert self.record_decision is not None
        with suppress(Conflict):  # a first try cut by an outage went through
            self.record_decision(record)
        return True

    def _already_out(self, run: _PlatformRun, row: JournalRow) -> bool:
        """After a failed try (a timeout may hide a success), ask the platform first."""
        try:
            found = run.platform.find(row.post)
        except PlatformError as exc:
            self._retry(run, row, exc, self._backoff(run, row), attempted=False)
            return True
        if found is None:
            return False
        self._record_sent(run, row, found)
        self._done(row, RowState.CONFIRMED)
        return True

    # -- limits --------------------------------------------------------------

    def _take_slot(self, run: _PlatformRun, row: JournalRow) -> float | None:
        """Reserve this call's slot in the journal (budget and rate across
        processes), then wait for it: the seconds waited, or ``None`` when
        the row was put back (budget spent, lease lost, slot too far).

        A thread that wakes up late (a busy machine) reserves a new slot
        rather than call late, which would crowd the next slot (another
        worker's, maybe) and break the rate the platform sees.
        """
        rate = run.policy.rate
        tolerance = max(0.01, 0.25 / rate) if rate else None
        waited = 0.0
        for _try in range(_LATE_RETRIES):
            reserved = self._reserve(run, row)
            if reserved is None:
                return None
            slot_at, wait = reserved
            if wait > 0:
                if self.stop is not None:
                    self.stop.wait(wait)
                else:
                    self.sleep(wait)
            waited += max(wait, 0.0)
            if tolerance is None or self.stopping() or wait <= 0:
                break
            if (self.now_fn() - slot_at).total_seconds() <= tolerance:
                break
        return waited

    def _reserve(self, run: _PlatformRun, row: JournalRow) -> tuple[datetime, float] | None:
        budget = run.policy.daily_budget
        slot = self.journal.reserve(
            row,
            self.owner,
            now=self.now_fn,
            rate=run.policy.rate,
            budget=budget,
            window=_DAY,
            lease=self.lease,
            max_wait=self.max_wait,
        )
        if slot is None:
            run.note(f"{run.name}: lost the claim on {row.post_id} (lease taken over)")
            return None
        now = slot.now
        if slot.at is None:
            assert slot.budget_free_at is not None
            later = max(slot.budget_free_at, now + timedelta(seconds=1))
            self._release(
                row,
                next_attempt_at=later,
                error=f"{run.name}: daily budget of {budget} posts reached",
            )
            run.note(
                f"{run.name}: daily budget of {budget} posts reached ({slot.used} in the last "
                f"24 hours); the remaining posts stay planned, the first can go at "
                f"{later.isoformat(timespec='minutes')}. Run `terrain publish` again then."
            )
            self._progress(row)
            return None
        wait = (slot.at - now).total_seconds()
        if wait > self.max_wait:
            self._release(
                row,
                next_attempt_at=slot.at,
                error=f"{run.name}: waiting for the platform's rate limit",
            )
            return None
        return slot.at, wait

    def _backoff(self, run: _PlatformRun, row: JournalRow) -> float:
        """The delay before the next try: doubled at each attempt up to
        ``max_backoff``, stretched at random (:func:`jittered`) so that workers
        failing together do not retry together."""
        policy = run.policy
        return jittered(
            float(min(policy.backoff * (2**row.attempts), policy.max_backoff)), self.jitter
        )

    def _retry(
        self,
        run: _PlatformRun,
        row: JournalRow,
        exc: PlatformError,
        delay: float,
        *,
        attempted: bool = True,
    ) -> None:
        message = scrub(f"{run.name}: {type(exc).__name__}: {exc}")
        if attempted and row.attempts + 1 >= run.policy.max_attempts:
            # the last try may have landed (a timeout hides a success): ask before giving
            # up; a 429 means the platform did not take the call
            if not isinstance(exc, RateLimited) and self._already_out(run, row):
                return
            self._fail(
                row,
                f"{message} (gave up after {row.attempts + 1} attempts; run `terrain publish` "
                "again later)",
            )
            return
        self._release(
            row,
            next_attempt_at=self.now_fn() + timedelta(seconds=delay),
            error=message,
            attempted=attempted,
        )
        log.info("%s; retrying %s in %.1fs", message, row.post_id, delay)

    def _stop(self, run: _PlatformRun, message: str) -> None:
        run.stopped = message
        run.note(message)
        log.info("%s", message)

    def _done(self, row: JournalRow, state: RowState) -> None:
        self._progress(attrs.evolve(row, state=state))


def scrub_all(texts: Sequence[str]) -> tuple[str, ...]:
    """Each of ``texts`` through :func:`scrub`."""
    return tuple(scrub(t) for t in texts)


def _for_log(decision: Decision) -> str:
    """A consent decision for a log line: ids only, never a name or a handle (log lines
    may be kept or shipped elsewhere; the audit log holds the full account)."""
    parts = ["allowed" if decision.allowed else "denied"]
    blocking = {r.member_id or r.content_id or r.consent_id for r in decision.blocking}
    if blocking - {None}:
        parts.append(f"blocked by {', '.join(sorted(b for b in blocking if b))}")
    if decision.relied_on:
        parts.append(f"relied on consents {', '.join(decision.relied_on)}")
    if decision.dropped_mentions:
        parts.append(f"{len(decision.dropped_mentions)} mention(s) dropped")
    return "; ".join(parts)


def _record_id() -> str:
    return f"dec-{uuid.uuid4().hex}"


def publish(
    journal: Journal,
    platforms: Mapping[str, Platform] | Sequence[Platform],
    posts: Sequence[Post] = (),
    *,
    gate: Gate,
    now_fn: Callable[[], datetime],
    record_decision: Callable[[DecisionRecord], None] | None = None,
    hook: Any = None,
    policies: Mapping[str, PlatformPolicy] | None = None,
    max_workers: int = 16,
    sleep: Callable[[float], None] = time.sleep,
    lease: timedelta = timedelta(minutes=5),
    max_wait: float = 120.0,
    owner: str | None = None,
    purpose: str = "publish",
    on_progress: Callable[[JournalRow], None] | None = None,
    jitter: Callable[[], float] | None = None,
    max_outage: float | None = 60.0,
    on_notice: Callable[[str], None] | None = None,
    approval: ApprovalCheck | None = None,
    egress: Callable[[Post], Post] | None = None,
) -> RunReport:
    """Plan ``posts`` in ``journal`` and publish every due row of ``platforms``.

    ``gate(post, at, purpose=...)`` is the consent decision made right before
    each call, for the purpose the row was planned with (``purpose`` here, for
    ``posts``);
    ``record_decision`` stores it in the audit log. ``hook`` is a plugin
    manager's ``hook`` relay (``terrain_before_publish`` /
    ``terrain_after_publish``). ``now_fn`` gives the time of each decision
    and journal entry; ``sleep`` waits (backoff, rate). A row whose next try
    is more than ``max_wait`` seconds away (a spent daily budget) stays
    planned for a later run. Returns one outcome per row of ``posts`` (or,
    with no ``posts``, per row of these platforms).

    ``jitter`` draws numbers in ``[0, 1)`` that stretch each retry delay (by up
    to half), so that runs failing together do not retry together (default
    :func:`random.random`; pass a seeded one for repeatable runs). A store
    outage is waited out, said once through ``on_notice`` (default: a
    warning log); after ``max_outage`` seconds (``None``: no limit)
    :class:`~terrain.errors.StoreUnavailable` is raised, nothing lost: run
    again once the store answers.

    ``approval`` (a workspace with ``[publish] approval = true``:
    :func:`~terrain.publishing.approval_check`) is asked after the consent gate
    allows a post, about the post as it would go: a post without an approval of
    exactly that content is held, with the reason, and nothing is sent.
    ``egress`` turns a post whose photos the gate blurs into the post to send
    (:func:`~terrain.publishing.blurred_copies`); without it such a post is held.
    """
    by_name = dict(platforms) if isinstance(platforms, Mapping) else {p.name: p for p in platforms}
    for post in posts:
        if post.platform not in by_name:
            raise ValueError(
                f"post {post.id} is for {post.platform!r}, which is not among the platforms "
                f"given ({', '.join(sorted(by_name)) or 'none'})"
            )
    chosen = {**DEFAULT_POLICIES, **(policies or {})}
    runs = [_PlatformRun(p, chosen.get(name, PlatformPolicy())) for name, p in by_name.items()]
    runner = _Runner(
        journal,
        gate=gate,
        record_decision=record_decision,
        hook=hook,
        now_fn=now_fn,
        sleep=sleep,
        lease=lease,
        max_wait=max_wait,
        owner=owner or new_owner_id(),
        on_progress=on_progress,
        jitter=jitter,
        max_outage=max_outage,
        on_notice=on_notice,
        approval=approval,
        egress=egress,
    )
    workers = max(1, min(max_workers, sum(max(1, r.policy.concurrency) for r in runs)))
    try:
        if posts:
            runner.retrying(lambda: journal.plan(posts, now=now_fn(), purpose=purpose))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="terrain-publish") as pool:
            for reconciled in [pool.submit(runner.reconcile, r) for r in runs]:
                reconciled.result()
            futures = [
                pool.submit(runner.work, r)
                for r in runs
                for _ in range(max(1, r.policy.concurrency))
            ]
            for future in futures:
                future.result()
        return runner.retrying(
            lambda: _report(journal, posts, by_name, [m for r in runs for m in r.messages])
        )
    except GaveUp as exc:
        raise exc.as_error() from None


def _report(
    journal: Journal,
    posts: Sequence[Post],
    platforms: Mapping[str, Platform],
    messages: list[str],
) -> RunReport:
    if posts:
        stored = journal.get_many((p.id, p.platform) for p in posts)  # one query
        found = [r for p in posts if (r := stored.get((p.id, p.platform))) is not None]
    else:
        found = [r for name in platforms for r in journal.rows(platform=name)]
    return RunReport(outcomes=tuple(outcome_of(r) for r in found), messages=tuple(messages))


def _env_name(platform: str) -> str:
    """``fake-http`` → ``FAKE_HTTP``: the platform's part of its variables' names."""
    return "".join(c if c.isalnum() else "_" for c in platform.upper())
